//! Snapshots of `culprit analyze` in every report format on two bundled samples, run through
//! the binary, and the determinism of the Markdown and HTML reports (byte-identical across
//! runs and thread counts). Review changed snapshots with `cargo insta review`, or rerun with
//! `INSTA_UPDATE=always` and read the files in `tests/snapshots/`.

use std::path::Path;
use std::process::Command;

fn analyze(sample: &str, format: &str, threads: Option<&str>) -> String {
    // Run from the crate root with a relative path, so paths in the reports do not depend on
    // where the repository is checked out.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_culprit"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args([
        "analyze",
        "--format",
        format,
        &format!("samples/{sample}"),
    ]);
    if let Some(t) = threads {
        cmd.env("RAYON_NUM_THREADS", t);
    }
    let o = cmd.output().expect("run culprit");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{sample} {format}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("utf-8 output")
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s
}

#[test]
fn login_outage_valid_markdown_report() {
    settings()
        .bind(|| insta::assert_snapshot!("login_outage_md", analyze("login-outage", "md", None)));
}

#[test]
fn login_outage_valid_text_report() {
    settings().bind(|| {
        insta::assert_snapshot!("login_outage_text", analyze("login-outage", "text", None))
    });
}

#[test]
fn login_outage_valid_json_report() {
    settings().bind(|| {
        insta::assert_snapshot!("login_outage_json", analyze("login-outage", "json", None))
    });
}

#[test]
fn network_partition_valid_markdown_report() {
    settings().bind(|| {
        insta::assert_snapshot!(
            "network_partition_md",
            analyze("network-partition", "md", None)
        )
    });
}

#[test]
fn network_partition_valid_text_report() {
    settings().bind(|| {
        insta::assert_snapshot!(
            "network_partition_text",
            analyze("network-partition", "text", None)
        )
    });
}

#[test]
fn network_partition_valid_json_report() {
    settings().bind(|| {
        insta::assert_snapshot!(
            "network_partition_json",
            analyze("network-partition", "json", None)
        )
    });
}

#[test]
fn reports_valid_byte_identical_across_runs_and_thread_counts() {
    for sample in ["login-outage", "network-partition"] {
        for format in ["md", "html"] {
            let first = analyze(sample, format, None);
            let second = analyze(sample, format, None);
            let single = analyze(sample, format, Some("1"));
            assert!(first == second, "{sample} {format}: two runs differ");
            assert!(
                first == single,
                "{sample} {format}: RAYON_NUM_THREADS=1 changes the output"
            );
        }
    }
}
