//! Integration tests on the bundled incident samples: every input is read in its own format,
//! every line is accounted for, and the merged timeline is in UTC order across formats and
//! zones.

use std::path::Path;
use std::process::Command;

fn samples_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/samples"))
}

fn culprit(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(args)
        .output()
        .expect("run culprit")
}

fn stats(dir: &Path) -> Vec<serde_json::Value> {
    let o = culprit(&[
        "timeline",
        "--stats",
        "--format",
        "json",
        dir.to_str().expect("path"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("stats json")
}

#[test]
fn login_outage_inputs_valid_each_in_its_native_format() {
    let s = stats(&samples_dir().join("login-outage"));
    let formats: Vec<(String, String)> = s
        .iter()
        .map(|i| {
            let path = i["path"].as_str().unwrap_or("");
            let name = Path::new(path)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("");
            (
                name.to_string(),
                i["format"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let expect = [
        ("syslog", "syslog_rfc3164"),
        ("auth-api.log", "java_logback"),
        ("postgresql-2024-03-12_000000.log", "postgres_stderr"),
        ("access.log", "nginx_access"),
        ("error.log", "nginx_error"),
        ("web.log", "json_lines"),
    ];
    for (name, format) in expect {
        assert!(
            formats.iter().any(|(n, f)| n == name && f == format),
            "{name} should be read as {format}: {formats:?}"
        );
    }
}

#[test]
fn every_sample_valid_accounts_for_every_line_with_nothing_unparsed() {
    let mut seen = 0;
    for entry in std::fs::read_dir(samples_dir()).expect("samples dir") {
        let dir = entry.expect("entry").path();
        if !dir.is_dir() {
            continue;
        }
        seen += 1;
        for input in stats(&dir) {
            let n = |k: &str| input[k].as_u64().unwrap_or(u64::MAX);
            assert_eq!(
                n("events") + n("continuation") + n("unparsed"),
                n("lines"),
                "{input}"
            );
            assert_eq!(n("unparsed"), 0, "{input}");
            assert!(
                input["first"].as_str().is_some_and(|t| t.starts_with("20")),
                "{input}"
            );
        }
    }
    assert!(seen >= 1, "no samples found");
}

#[test]
fn login_outage_timeline_valid_is_in_utc_order_across_zones() {
    let dir = samples_dir().join("login-outage");
    let o = culprit(&[
        "timeline",
        "--format",
        "jsonl",
        "--level",
        "warn",
        dir.to_str().expect("path"),
    ]);
    assert!(o.status.success());
    let mut last = String::new();
    let mut services = std::collections::BTreeSet::new();
    for line in String::from_utf8_lossy(&o.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("jsonl");
        let t = v["time"].as_str().expect("time").to_string();
        // RFC 3339 UTC strings of equal precision sort like instants; compare as parsed to be safe.
        let parsed = chrono::DateTime::parse_from_rfc3339(&t).expect("rfc3339");
        if !last.is_empty() {
            let prev = chrono::DateTime::parse_from_rfc3339(&last).expect("rfc3339");
            assert!(prev <= parsed, "{last} then {t}");
        }
        assert!(t.ends_with('Z'), "{t}");
        last = t;
        services.insert(v["service"].as_str().unwrap_or("").to_string());
    }
    // auth-api logs in +01:00, PostgreSQL in CET, nginx in +0000, pino in epoch ms.
    for s in ["auth-api", "lb", "web"] {
        assert!(services.contains(s), "{services:?}");
    }
}
