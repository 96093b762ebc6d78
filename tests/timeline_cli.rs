//! Integration tests: run the `culprit timeline` binary on small inputs written to temp dirs.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn culprit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(args)
        .output()
        .expect("run culprit")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).expect("gzip");
    enc.finish().expect("gzip")
}

fn stats_json(args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["timeline", "--stats", "--format", "json"];
    all.extend_from_slice(args);
    let o = culprit(&all);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("stats json")
}

fn write(dir: &Path, rel: &str, data: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, data).expect("write");
}

#[test]
fn rotated_gz_zst_inputs_valid_are_all_read_oldest_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "api/app.log.2.gz",
        &gzip(b"2024-01-21 10:00:00 INFO one\n2024-01-21 10:00:01 INFO two\n"),
    );
    write(d, "api/app.log.1", b"2024-01-21 11:00:00 INFO three\n");
    write(
        d,
        "api/app.log",
        &zstd::encode_all(&b"2024-01-21 12:00:00 ERROR four\n"[..], 1).expect("zstd"),
    );
    let stats = stats_json(&[d.to_str().expect("utf8 path")]);
    assert_eq!(stats.len(), 3);
    let names: Vec<&str> = stats
        .iter()
        .map(|s| s["path"].as_str().unwrap_or(""))
        .collect();
    assert!(
        names[0].ends_with("app.log.2.gz") && names[2].ends_with("app.log"),
        "{names:?}"
    );
    let total: u64 = stats
        .iter()
        .map(|s| s["events"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(total, 4);
    assert!(stats.iter().all(|s| s["service"] == "api"));
}

#[test]
fn stdin_dash_valid_reads_standard_input() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(["timeline", "--format", "jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"2024-01-21T15:00:02.5Z ERROR boom\n")
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("jsonl");
    assert_eq!(v["time"], "2024-01-21T15:00:02.500Z");
    assert_eq!(v["level"], "error");
    assert_eq!(v["source"], "-");
    for key in ["service", "message", "line", "format", "fields"] {
        assert!(v.get(key).is_some(), "missing key {key}");
    }
}

#[test]
fn merge_valid_across_inputs_and_zones_in_utc_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // 16:00:01+01:00 is 15:00:01Z: between the two lines of b.
    write(d, "a/a.log", b"2024-01-21T16:00:01+01:00 WARN from a\n");
    write(
        d,
        "b/b.log",
        b"2024-01-21T15:00:00Z INFO first\n2024-01-21T15:00:02Z INFO last\n",
    );
    let o = culprit(&["timeline", "--format", "jsonl", d.to_str().expect("path")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let times: Vec<String> = stdout(&o)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("json")["time"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(
        times,
        vec![
            "2024-01-21T15:00:00Z",
            "2024-01-21T15:00:01Z",
            "2024-01-21T15:00:02Z"
        ]
    );
}

#[test]
fn tz_option_valid_reads_zoneless_times_in_that_zone() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "x.log",
        b"2024-07-01 12:00:00 INFO noon in Paris\n",
    );
    let path = dir.path().join("x.log");
    let o = culprit(&[
        "timeline",
        "--format",
        "jsonl",
        "--tz",
        "Europe/Paris",
        path.to_str().expect("path"),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["time"], "2024-07-01T10:00:00Z");
}

#[test]
fn since_until_level_service_filters_valid() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "api/app.log",
        b"2024-01-21 10:00:00 ERROR early\n2024-01-21 11:00:00 INFO mid\n2024-01-21 11:30:00 ERROR mid\n2024-01-21 13:00:00 ERROR late\n",
    );
    write(d, "db/db.log", b"2024-01-21 11:15:00 ERROR db\n");
    let o = culprit(&[
        "timeline",
        "--since",
        "2024-01-21T11:00:00Z",
        "--until",
        "2024-01-21 12:00",
        "--level",
        "warn",
        "--service",
        "api",
        "--format",
        "jsonl",
        d.to_str().expect("path"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("11:30:00"));
}

#[test]
fn unknown_input_format_invalid_suggests_a_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "x.log", b"x\n");
    let o = culprit(&[
        "timeline",
        "--input-format",
        "ngnix_access",
        dir.path().to_str().expect("path"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("--input-format"), "{err}");
    assert!(err.contains("did you mean \"nginx_access\""), "{err}");
}

#[test]
fn bad_options_invalid_name_the_option() {
    let cases: [(&[&str], &str); 4] = [
        (&["--tz", "Mars/Olympus"], "--tz"),
        (&["--clock-offset", "db"], "--clock-offset"),
        (&["--since", "yesterday"], "--since"),
        (&["--level", "loud"], "--level"),
    ];
    for (args, option) in cases {
        let mut all = vec!["timeline"];
        all.extend_from_slice(args);
        all.push("-");
        let o = culprit(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(option), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn missing_path_invalid_names_the_file() {
    let o = culprit(&["timeline", "/no/such/culprit-input.log"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/no/such/culprit-input.log"));
}

#[test]
fn invalid_utf8_and_binary_files_valid_are_counted_or_skipped_with_notice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "app/app.log",
        b"2024-01-21 10:00:00 INFO caf\xe9\n2024-01-21 10:00:01 INFO ok\n",
    );
    write(d, "app/core.bin", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
    let o = culprit(&[
        "timeline",
        "--stats",
        "--format",
        "json",
        d.to_str().expect("path"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("core.bin: skipped: binary"),
        "{}",
        stderr(&o)
    );
    let stats: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).expect("json");
    let log = stats
        .iter()
        .find(|s| s["path"].as_str().unwrap_or("").ends_with("app.log"))
        .expect("app.log");
    assert_eq!(log["lossy"], 1);
    assert_eq!(log["events"], 2);
}

#[test]
fn terminal_escapes_in_logs_valid_are_neutralised_in_text_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "x.log",
        b"2024-01-21 10:00:00 ERROR \x1b]0;pwned\x07\x1b[2J gone\n",
    );
    let o = culprit(&["timeline", dir.path().to_str().expect("path")]);
    let out = stdout(&o);
    assert!(!out.contains('\x1b'), "{out:?}");
    assert!(out.contains("\\x1b]0;pwned"), "{out:?}");
}

#[test]
fn parquet_output_valid_is_readable_by_polars() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "api/app.log",
        b"2024-01-21 10:00:00 INFO one\n2024-01-21 10:00:01 ERROR two\n",
    );
    let out = d.join("timeline.parquet");
    let o = culprit(&[
        "timeline",
        "--format",
        "parquet",
        "-o",
        out.to_str().expect("path"),
        d.join("api").to_str().expect("path"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let file = std::fs::File::open(&out).expect("open parquet");
    let df = ParquetReader::new(file).finish().expect("read parquet");
    assert_eq!(df.height(), 2);
    for col in [
        "time", "service", "level", "message", "source", "line", "format", "fields",
    ] {
        assert!(df.column(col).is_ok(), "missing column {col}");
    }
}

#[test]
fn clock_offset_valid_shifts_that_service_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(d, "api/app.log", b"2024-01-21 10:00:00 INFO api\n");
    write(d, "db/db.log", b"2024-01-21 10:00:01 INFO db\n");
    let o = culprit(&[
        "timeline",
        "--format",
        "jsonl",
        "--clock-offset",
        "db=-2.5s",
        d.to_str().expect("path"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<(String, String)> = stdout(&o)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            (
                v["service"].as_str().unwrap_or("").to_string(),
                v["time"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("db".to_string(), "2024-01-21T09:59:58.500Z".to_string()),
            ("api".to_string(), "2024-01-21T10:00:00Z".to_string()),
        ]
    );
}

#[test]
fn truncated_gzip_invalid_names_the_file_and_other_inputs_are_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let mut text = Vec::new();
    for i in 0..20_000 {
        text.extend_from_slice(format!("2024-01-21 10:00:00 INFO line {i}\n").as_bytes());
    }
    let gz = gzip(&text);
    write(d, "api/app.log.1.gz", &gz[..gz.len() / 2]);
    write(d, "db/db.log", b"2024-01-21 10:00:01 INFO db\n");
    let o = culprit(&[
        "timeline",
        "--stats",
        "--format",
        "json",
        d.to_str().expect("path"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("app.log.1.gz: read error after line"), "{err}");
    let stats: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(stats.len(), 2);
    let lines = stats[0]["lines"].as_u64().unwrap_or(0);
    assert!(lines > 1000 && lines < 20_000, "{}", stats[0]);
    assert_eq!(stats[0]["events"], stats[0]["lines"]);
    assert_eq!(stats[1]["events"], 1);
}

#[test]
fn stdin_syslog_valid_takes_year_from_other_inputs() {
    // Year-less syslog on stdin (no modification time) beside a dated log from 2019: it is put
    // in 2019, not in the current year. Lines from Loghub's OpenSSH sample
    // (https://github.com/logpai/loghub, OpenSSH).
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "app.log", b"2019-12-10 06:55:40 INFO app up\n");
    let app = dir.path().join("app.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args([
            "timeline",
            "--stats",
            "--format",
            "json",
            "-",
            app.to_str().expect("path"),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(
            b"Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\n",
        )
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", stderr(&out));
    let stats: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(stats[0]["path"], "-");
    assert_eq!(stats[0]["first"], "2019-12-10T06:55:46Z");
    assert_eq!(stats[0]["year_source"], "other inputs");
}
