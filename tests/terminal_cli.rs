//! The terminal view of `culprit analyze`: colours only when asked (or on a terminal without
//! NO_COLOR), and log text can never bring its own escape sequences.

use std::process::Command;

mod common;

fn analyze(args: &[&str], dir: &std::path::Path, no_color: bool) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_culprit"));
    cmd.arg("analyze").args(args).arg(dir);
    if no_color {
        cmd.env("NO_COLOR", "1");
    } else {
        cmd.env_remove("NO_COLOR");
    }
    let o = cmd.output().expect("run culprit");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("utf-8")
}

/// Errors whose text carries terminal escapes (clear screen, window title, a fake prompt).
fn hostile_dir() -> tempfile::TempDir {
    common::spring_incident(
        "c.e.api.Jobs",
        "job ok",
        "job failed for \x1b[2J\x1b]0;pwned\x07\x1b[1A$ rm -rf / \u{202e}txt.exe",
    )
}

#[test]
fn color_valid_always_paints_labels_only() {
    let dir = hostile_dir();
    let out = analyze(&["--color", "always"], dir.path(), true);
    assert!(out.contains("\x1b[1mIncident window:\x1b[0m"), "{out}");
    // Every ESC in the output starts one of our SGR codes.
    for (i, _) in out.match_indices('\x1b') {
        let rest = &out[i..];
        let sgr = rest.starts_with("\x1b[0m")
            || rest.starts_with("\x1b[1m")
            || rest.starts_with("\x1b[2m")
            || rest.starts_with("\x1b[33m")
            || rest.starts_with("\x1b[36m")
            || rest.starts_with("\x1b[1;31m");
        assert!(
            sgr,
            "foreign escape at {i}: {:?}",
            &rest[..rest.len().min(20)]
        );
    }
    assert!(out.contains("\\x1b[2J"), "log escapes are shown as text");
    assert!(!out.contains('\u{202e}'));
}

#[test]
fn color_valid_never_and_no_color_and_pipes_are_plain() {
    let dir = hostile_dir();
    for (args, no_color) in [
        (&["--color", "never"][..], false),
        (&["--color", "auto"][..], true),
        // Auto on a pipe (tests capture stdout): plain.
        (&[][..], false),
    ] {
        let out = analyze(args, dir.path(), no_color);
        assert!(!out.contains('\x1b'), "{args:?}: {out}");
        assert!(!out.contains('\x07'));
        assert!(out.contains("Incident window:"));
    }
}
