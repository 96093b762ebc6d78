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
        matches!(o.status.code(), Some(0 | 1 | 3)),
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

/// Copies `from` into `to`, every log file cut into pieces of `lines` lines
/// (`<dir>/<name>.partNNN`): many inputs, finishing in whatever order threads take them.
fn split_tree(from: &Path, to: &Path, lines: usize) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let p = e.expect("entry").path();
        let name = p
            .file_name()
            .expect("name")
            .to_str()
            .expect("utf8")
            .to_string();
        if p.is_dir() {
            split_tree(&p, &to.join(&name), lines);
        } else if name.ends_with(".json") {
            std::fs::copy(&p, to.join(&name)).expect("copy");
        } else {
            let text = std::fs::read_to_string(&p).expect("read");
            let all: Vec<&str> = text.lines().collect();
            for (k, piece) in all.chunks(lines).enumerate() {
                let mut body = piece.join("\n");
                body.push('\n');
                std::fs::write(to.join(format!("{name}.part{k:03}")), body).expect("write");
            }
        }
    }
}

#[test]
fn many_inputs_valid_folded_in_any_order_byte_identical() {
    // Inputs are folded into one aggregate as each finishes (memory does not grow with their
    // number), so the order of folding changes with threads and timing: the reports and the
    // scan state must not.
    let tmp = tempfile::tempdir().expect("tempdir");
    let logs = tmp.path().join("logs");
    split_tree(&sample("login-outage"), &logs, 150);
    let pieces = walk_count(&logs);
    assert!(pieces > 60, "only {pieces} pieces");
    let l = logs.to_str().expect("utf8");
    // Two quiet days before the outage (its info lines and successful requests, moved back),
    // scanned as history, then the day of the outage against them.
    let nightly = tmp.path().join("nightly");
    for day in ["10", "11"] {
        let keep = |from: &str, to: &str, wanted: &str, iso: &str, clf: &str| {
            let text = std::fs::read_to_string(sample("login-outage").join(from)).expect("read");
            let quiet: String = text
                .lines()
                .filter(|line| line.contains(wanted))
                .map(|line| {
                    let line = line.replace("2024-03-12", iso).replace("12/Mar/2024", clf);
                    format!("{line}\n")
                })
                .collect();
            let dest = tmp.path().join(format!("quiet-{day}")).join(to);
            std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
            std::fs::write(dest, quiet).expect("write");
        };
        let (iso, clf) = (format!("2024-03-{day}"), format!("{day}/Mar/2024"));
        keep(
            "auth-api/auth-api.log",
            "auth-api/auth-api.log",
            " INFO ",
            &iso,
            &clf,
        );
        keep("lb/access.log", "lb/access.log", "\" 200 ", &iso, &clf);
        split_tree(
            &tmp.path().join(format!("quiet-{day}")),
            &nightly.join(format!("d{day}")),
            150,
        );
    }
    for svc in ["auth-api", "lb"] {
        split_tree(
            &sample("login-outage").join(svc),
            &nightly.join("d12").join(svc),
            150,
        );
    }
    let n = nightly.to_str().expect("utf8");
    let scan_once = |threads: &str, k: usize| -> (String, String) {
        let state = tmp.path().join(format!("state-{threads}-{k}.json"));
        let s = state.to_str().expect("utf8");
        let before = ["scan", n, "--state", s, "--until", "2024-03-12T00:00:00Z"];
        run(&before, Some(threads), &[]);
        let out = run(
            &["scan", n, "--state", s, "--format", "json"],
            Some(threads),
            &[],
        );
        // The run's own clock and the state's name are not the logs'.
        let without = |text: &[u8], keys: &[&str]| {
            let mut v: serde_json::Value = serde_json::from_slice(text).expect("json");
            for key in keys {
                let (obj, field) = match key.split_once('.') {
                    Some((o, f)) => (v.get_mut(o), f),
                    None => (Some(&mut v), *key),
                };
                if let Some(o) = obj.and_then(|o| o.as_object_mut()) {
                    o.remove(field);
                }
            }
            v.to_string()
        };
        let report = without(out.as_bytes(), &["state.created", "state.path"]);
        let state = without(
            &std::fs::read(&state).expect("state written"),
            &["created", "updated"],
        );
        (report, state)
    };
    let mut first: Option<(Vec<String>, (String, String))> = None;
    for (k, threads) in ["1", "2", "4", "8", "8", "8"].into_iter().enumerate() {
        let reports: Vec<String> = [
            &["analyze", "--format", "json"][..],
            &["analyze", "--format", "md"][..],
        ]
        .iter()
        .map(|base| run(&with_paths(base, &[l]), Some(threads), &[&logs]))
        .collect();
        let scanned = scan_once(threads, k);
        match &first {
            None => {
                assert!(reports[0].contains("db_pool_exhaustion"), "{}", reports[0]);
                assert!(scanned.0.contains("hikaricp"), "{}", scanned.0);
                first = Some((reports, scanned));
            }
            Some((r0, s0)) => {
                assert_eq!(&reports[0], &r0[0], "analyze json, {threads} threads");
                assert_eq!(&reports[1], &r0[1], "analyze md, {threads} threads");
                assert_eq!(scanned.0, s0.0, "scan report, {threads} threads");
                assert_eq!(scanned.1, s0.1, "scan state, {threads} threads");
            }
        }
    }
}

fn walk_count(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").path())
        .map(|p| if p.is_dir() { walk_count(&p) } else { 1 })
        .sum()
}
