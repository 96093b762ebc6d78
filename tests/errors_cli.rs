//! Integration tests: every command's usage and input errors exit 2 and name the option, file
//! or line at fault on stderr (README "Exit codes").

use std::path::Path;

mod common;
use common::culprit;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/login-outage");

/// Runs culprit, asserts exit code 2 and that stderr contains every one of `names`; returns
/// stderr.
fn fails_naming(args: &[&str], names: &[&str]) -> String {
    let o = culprit(args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    for n in names {
        assert!(
            err.contains(n),
            "{args:?}: stderr does not name {n:?}: {err}"
        );
    }
    err
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

#[test]
fn tz_invalid_unknown_zone_names_option_and_value() {
    for cmd in ["analyze", "timeline", "templates"] {
        fails_naming(
            &[cmd, "--tz", "Mars/Olympus", SAMPLE],
            &["--tz", "Mars/Olympus"],
        );
    }
}

#[test]
fn format_invalid_unknown_output_format_names_option() {
    for cmd in ["analyze", "timeline", "templates"] {
        fails_naming(&[cmd, "--format", "nope", SAMPLE], &["--format", "nope"]);
    }
    // json is for --stats only; jsonl is the event format.
    fails_naming(
        &["timeline", "--format", "json", SAMPLE],
        &["--format", "jsonl"],
    );
}

#[test]
fn input_format_invalid_typo_gets_did_you_mean() {
    let err = fails_naming(
        &["timeline", "--input-format", "nginx_acess", SAMPLE],
        &[
            "--input-format",
            "nginx_acess",
            "did you mean",
            "nginx_access",
        ],
    );
    assert!(!err.contains("known formats"), "{err}");
    // Far from every name: the list of names instead.
    fails_naming(
        &["analyze", "--input-format", "zzzzzzz", SAMPLE],
        &["--input-format", "known formats", "json_lines"],
    );
}

#[test]
fn window_invalid_end_before_start_names_option() {
    fails_naming(
        &["analyze", "--window", "2024-01-01..2023-01-01", SAMPLE],
        &["--window", "2024-01-01..2023-01-01"],
    );
    fails_naming(
        &["analyze", "--window", "2024-01-01", SAMPLE],
        &["--window", "START..END"],
    );
}

#[test]
fn since_invalid_garbage_names_option_and_value() {
    for cmd in ["timeline", "analyze"] {
        fails_naming(
            &[cmd, "--since", "garbage", SAMPLE],
            &["--since", "garbage"],
        );
    }
    fails_naming(
        &["timeline", "--until", "2024-13-45", SAMPLE],
        &["--until", "2024-13-45"],
    );
}

#[test]
fn until_invalid_before_since_names_both_options() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = tmp.path().join("state.json");
    let order = [
        "--since",
        "2024-03-12T14:00:00Z",
        "--until",
        "2024-03-12T13:00:00Z",
    ];
    let analyze: Vec<&str> = ["analyze"]
        .iter()
        .chain(&order)
        .chain(&[SAMPLE])
        .copied()
        .collect();
    fails_naming(&analyze, &["--until", "--since"]);
    let scan: Vec<&str> = ["scan", "--state", path(&state)]
        .iter()
        .chain(&order)
        .chain(&[SAMPLE])
        .copied()
        .collect();
    fails_naming(&scan, &["--until", "--since"]);
    assert!(!state.exists(), "a refused scan wrote a state");
}

#[test]
fn other_options_invalid_name_option_and_value() {
    fails_naming(
        &["timeline", "--level", "loud", SAMPLE],
        &["--level", "loud"],
    );
    fails_naming(
        &["timeline", "--clock-offset", "db=5parsecs", SAMPLE],
        &["--clock-offset", "parsecs"],
    );
    fails_naming(&["timeline", "--year", "9999", SAMPLE], &["--year", "9999"]);
    fails_naming(
        &["timeline", "--max-line-bytes", "3", SAMPLE],
        &["--max-line-bytes"],
    );
}

#[test]
fn missing_path_invalid_names_it_for_every_command() {
    let missing = "/no/such/culprit/incident";
    for cmd in ["analyze", "timeline", "templates"] {
        fails_naming(&[cmd, missing], &[missing]);
    }
    let state = tempfile::tempdir().expect("tempdir");
    let st = state.path().join("state.json");
    fails_naming(&["scan", "--state", path(&st), missing], &[missing]);
}

#[test]
fn directory_without_logs_invalid_names_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(".hidden.log"), "x\n").expect("write");
    let d = path(dir.path());
    for cmd in ["analyze", "timeline", "templates"] {
        fails_naming(&[cmd, d], &[d, "no log files"]);
    }
}

#[test]
fn deploys_file_invalid_bad_line_names_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let deploys = dir.path().join("deploys.csv");
    std::fs::write(
        &deploys,
        "time,service,version\n2024-01-21T15:00:00Z,api,1.2\nnot-a-time,api,1.3\n",
    )
    .expect("write");
    fails_naming(
        &["analyze", "--deploys", path(&deploys), SAMPLE],
        &["deploys.csv:3", "not-a-time"],
    );
    fails_naming(
        &["analyze", "--deploys", "/no/such/deploys.csv", SAMPLE],
        &["/no/such/deploys.csv"],
    );
}

#[test]
fn patterns_dir_invalid_bad_toml_names_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("bad.toml"),
        "[[signature]]\nid = \"x\"\nthis is not toml\n",
    )
    .expect("write");
    let d = path(dir.path());
    fails_naming(&["patterns", "check", d], &["bad.toml:3"]);
    fails_naming(&["analyze", "--patterns", d, SAMPLE], &["bad.toml:3"]);
    let state = tempfile::tempdir().expect("tempdir");
    let st = state.path().join("state.json");
    fails_naming(
        &["scan", "--state", path(&st), "--patterns", d, SAMPLE],
        &["bad.toml:3"],
    );
}

#[test]
fn state_merge_invalid_missing_or_corrupt_state_names_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("merged.json");
    let missing = dir.path().join("nostate.json");
    fails_naming(
        &["state", "merge", path(&missing), "-o", path(&out)],
        &["nostate.json"],
    );
    let corrupt = dir.path().join("corrupt.json");
    std::fs::write(&corrupt, "{not json").expect("write");
    fails_naming(
        &["state", "merge", path(&corrupt), "-o", path(&out)],
        &["corrupt.json"],
    );
}

#[test]
fn output_file_invalid_uncreatable_names_it() {
    let o = "/no/such/dir/report.txt";
    fails_naming(&["analyze", "-o", o, SAMPLE], &[o]);
    fails_naming(&["timeline", "-o", o, SAMPLE], &[o]);
}

#[test]
fn unknown_subcommand_and_option_invalid_exit_2() {
    fails_naming(&["analyse", SAMPLE], &["analyse"]);
    fails_naming(&["timeline", "--frobnicate", SAMPLE], &["--frobnicate"]);
}
