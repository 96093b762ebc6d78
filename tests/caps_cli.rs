//! Integration tests: when a memory cap is reached, the run still counts every line, and every
//! report says which cap, how far beyond it, and in which input (`caps` in JSON, a note in
//! text, Markdown and HTML).

use serde_json::Value;
use std::path::Path;

mod common;
use common::culprit;

const PREFIX: &str = "1 --- [auth-api] [io-8080-exec-24]";

/// A letters-only word per number: distinct words that no masking takes for a variable.
fn word(mut i: usize) -> String {
    i += 26 * 26 * 26;
    let mut s = Vec::new();
    while i > 0 {
        s.push(b'a' + (i % 26) as u8);
        i /= 26;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

/// A Spring Boot log that reaches four caps: 50,100 distinct error templates, 210 start-up
/// banners of a crash loop, a 100 KB stack trace, and a 2 KB line. Returns its line count.
fn write_log(path: &Path) -> usize {
    let mut lines: Vec<String> = Vec::new();
    let at = |k: usize| {
        format!(
            "2024-03-12T12:{:02}:{:02}.057+01:00",
            30 + k / 6000,
            (k / 100) % 60
        )
    };
    for i in 0..50_100 {
        lines.push(format!(
            "{} ERROR {PREFIX} c.e.auth.config.Binder                   : Unknown property {} in section",
            at(i),
            word(i)
        ));
    }
    for i in 0..210 {
        lines.push(format!(
            "{}  INFO {PREFIX} c.e.auth.AuthApiApplication              : Starting AuthApiApplication v2.14.0 using Java 17.0.10 with PID {} (/app/auth-api.jar started by app in /app)",
            at(50_100 + i),
            i + 1
        ));
    }
    lines.push(format!(
        "{} ERROR {PREFIX} o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for servlet [dispatcherServlet] threw exception",
        at(50_400)
    ));
    lines.push("java.lang.StackOverflowError: null".to_string());
    for k in 0..1500 {
        lines.push(format!(
            "\tat com.example.auth.config.Binder.resolve(Binder.java:{})",
            100 + k % 7
        ));
    }
    lines.push(format!(
        "{}  WARN {PREFIX} c.e.auth.session.SessionController       : Rejected header X-Debug: {}",
        at(50_500),
        "A".repeat(2000)
    ));
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(path, text).expect("write log");
    lines.len()
}

fn caps_of(v: &Value) -> Vec<(String, u64, Vec<String>)> {
    v["caps"]
        .as_array()
        .expect("caps array")
        .iter()
        .map(|c| {
            let inputs = c["inputs"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            (
                c["cap"].as_str().expect("cap id").to_string(),
                c["beyond"].as_u64().expect("beyond"),
                inputs,
            )
        })
        .collect()
}

#[test]
fn caps_valid_reached_caps_reported_in_every_format_and_lines_still_counted() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("auth-api");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let log = dir.join("auth-api.log");
    let n = write_log(&log);
    let d = dir.to_str().expect("utf8");

    let o = culprit(&["analyze", d, "--max-line-bytes", "1024", "--format", "json"]);
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    let lines: u64 = v["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(|i| i["lines"].as_u64().expect("lines"))
        .sum();
    assert_eq!(lines, n as u64, "every line counted despite the caps");
    let caps = caps_of(&v);
    let ids: Vec<&str> = caps.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(
        ids,
        [
            "continuation_bytes_per_event",
            "inferred_changes_per_input",
            "line_bytes",
            "template_keys_per_input",
        ]
    );
    let beyond = |id: &str| caps.iter().find(|c| c.0 == id).map(|c| c.1);
    assert_eq!(beyond("inferred_changes_per_input"), Some(10));
    assert_eq!(beyond("line_bytes"), Some(1));
    // The 100 templates past 50,000, then the servlet error and the warning after them.
    assert_eq!(beyond("template_keys_per_input"), Some(102));
    // About 62 KB of the trace's ~90 KB fit: the other lines are counted, not stored.
    let cut = beyond("continuation_bytes_per_event").expect("trace cut");
    assert!((300..1500).contains(&cut), "{cut} trace lines cut");
    for c in &caps {
        assert!(c.2.iter().any(|i| i.ends_with("auth-api.log")), "{c:?}");
    }

    for format in ["text", "md", "html"] {
        let o = culprit(&["analyze", d, "--max-line-bytes", "1024", "--format", format]);
        let out = String::from_utf8_lossy(&o.stdout);
        for id in ids.iter() {
            assert!(
                out.contains(&format!("cap reached: {id}")),
                "{format} report does not mention {id}"
            );
        }
    }

    // A nightly scan reports the same caps.
    let state = tmp.path().join("state.json");
    let o = culprit(&[
        "scan",
        d,
        "--state",
        state.to_str().expect("utf8"),
        "--max-line-bytes",
        "1024",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("scan json: {e}: {}", String::from_utf8_lossy(&o.stderr)));
    // The same caps, and one of its own: 50,100 new templates in one service are more than
    // one run adds to a service's history.
    let scan_ids: Vec<String> = caps_of(&v).into_iter().map(|c| c.0).collect();
    let mut expected: Vec<&str> = ids.clone();
    expected.push("history_templates_per_run");
    expected.sort_unstable();
    assert_eq!(scan_ids, expected);
}

#[test]
fn caps_valid_none_reached_on_a_sample() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/login-outage");
    let o = culprit(&[
        "analyze",
        sample.to_str().expect("utf8"),
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["caps"], Value::Array(Vec::new()));
    assert_eq!(v["impact"]["clients_estimated"], Value::Bool(false));
}
