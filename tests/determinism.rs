//! Integration tests: the same inputs give byte-identical reports whatever the thread count,
//! the order of the paths on the command line, and the order in which the file system lists a
//! directory's entries.

use std::path::{Path, PathBuf};
use std::process::Command;

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

/// stdout of culprit with `RAYON_NUM_THREADS` set (or not), every directory path given
/// replaced by a placeholder.
fn run(args: &[&str], threads: Option<&str>, dirs: &[&Path]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_culprit"));
    cmd.args(args).env("CULPRIT_QUIET", "1");
    match threads {
        Some(t) => cmd.env("RAYON_NUM_THREADS", t),
        None => cmd.env_remove("RAYON_NUM_THREADS"),
    };
    let o = cmd.output().expect("run culprit");
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut out = String::from_utf8(o.stdout).expect("utf8 output");
    for d in dirs {
        out = out.replace(d.to_str().expect("utf8"), "<DIR>");
    }
    out
}

const OUTPUTS: [&[&str]; 5] = [
    &["analyze"],
    &["analyze", "--format", "md"],
    &["analyze", "--format", "html"],
    &["analyze", "--format", "json"],
    &["timeline", "--format", "jsonl"],
];

fn with_paths<'a>(base: &[&'a str], paths: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(paths).copied().collect()
}

#[test]
fn thread_count_valid_outputs_byte_identical() {
    for name in ["login-outage", "network-partition"] {
        let s = sample(name);
        let p = s.to_str().expect("utf8");
        for base in OUTPUTS {
            let args = with_paths(base, &[p]);
            let one = run(&args, Some("1"), &[]);
            assert!(!one.is_empty());
            assert_eq!(
                one,
                run(&args, None, &[]),
                "{name} {base:?}: 1 vs default threads"
            );
            assert_eq!(
                one,
                run(&args, Some("3"), &[]),
                "{name} {base:?}: 1 vs 3 threads"
            );
        }
    }
}

#[test]
fn path_order_valid_outputs_byte_identical() {
    // The two services of one incident given as separate paths, in both orders.
    let s = sample("login-outage");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&s)
        .expect("sample dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 2,
        "sample has fewer than two service directories"
    );
    let (a, b) = (
        dirs[0].to_str().expect("utf8"),
        dirs[1].to_str().expect("utf8"),
    );
    for base in OUTPUTS {
        let ab = run(&with_paths(base, &[a, b]), None, &[]);
        let ba = run(&with_paths(base, &[b, a]), None, &[]);
        assert_eq!(ab, ba, "{base:?}: `a b` vs `b a`");
    }
}

fn copy_tree(from: &Path, to: &Path, reverse: bool) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(from)
        .expect("read_dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    if reverse {
        entries.reverse();
    }
    std::fs::create_dir_all(to).expect("mkdir");
    for e in entries {
        let dest = to.join(e.file_name().expect("name"));
        if e.is_dir() {
            copy_tree(&e, &dest, reverse);
        } else {
            std::fs::copy(&e, &dest).expect("copy");
        }
    }
}

#[test]
fn directory_listing_order_valid_outputs_byte_identical() {
    // The same files created in opposite orders: most file systems then list them in
    // different orders, which discovery must not let through.
    let tmp = tempfile::tempdir().expect("tempdir");
    for name in ["login-outage", "network-partition"] {
        let x = tmp.path().join(format!("x-{name}"));
        let y = tmp.path().join(format!("y-{name}"));
        copy_tree(&sample(name), &x, false);
        copy_tree(&sample(name), &y, true);
        for base in OUTPUTS {
            let xs = run(&with_paths(base, &[x.to_str().expect("utf8")]), None, &[&x]);
            let ys = run(&with_paths(base, &[y.to_str().expect("utf8")]), None, &[&y]);
            assert_eq!(xs, ys, "{name} {base:?}: creation order changed the output");
        }
    }
}
