//! End-to-end tests of `culprit patterns list|test|check`, running the built binary.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn culprit(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run culprit");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const META: &str = "[meta]\nsoftware = \"Acme\"\nstack = \"jvm\"\n";

/// A valid entry starting with its `[[signature]]` header.
fn entry(id: &str) -> String {
    format!(
        "[[signature]]\nid = \"{id}\"\ntitle = \"Acme pool drained\"\ncategory = \"db_pool_exhaustion\"\nrole = \"cause\"\n\
         specificity = \"high\"\nkeywords = [\"pool drained\"]\nregex = ['pool drained after (?P<ms>\\d+)ms']\n\
         explanation = \"e\"\nremediation = \"r\"\nexamples = [\"pool drained after 30ms\"]\ncounterexamples = [\"pool filled\"]\n"
    )
}

fn write(dir: &Path, name: &str, contents: &str) {
    std::fs::write(dir.join(name), contents).unwrap();
}

#[test]
fn list_valid_text_and_category_filter() {
    let out = culprit(&["patterns", "list"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let all = text(&out.stdout);
    assert!(all.contains("hikaricp.connection_timeout"));
    assert!(all.contains("sqlalchemy.queuepool_limit"));
    let out = culprit(
        &["patterns", "list", "--category", "db_pool_exhaustion"],
        None,
    );
    assert!(out.status.success());
    let pool = text(&out.stdout);
    assert!(pool.contains("hikaricp.connection_timeout"));
    assert!(!pool.contains("jvm.oom_heap_space"));
    for line in pool.lines().skip(1).filter(|l| l.contains('.')) {
        assert!(line.contains("db_pool_exhaustion"), "{line}");
    }
}

#[test]
fn list_invalid_category_suggests_closest() {
    let out = culprit(
        &["patterns", "list", "--category", "db_pool_exhausted"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("--category") && err.contains("did you mean \"db_pool_exhaustion\""),
        "{err}"
    );
}

#[test]
fn list_valid_json_has_every_field() {
    let out = culprit(&["patterns", "list", "--format", "json"], None);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = v.as_array().unwrap();
    assert!(items.len() >= 110, "{}", items.len());
    let hikari = items
        .iter()
        .find(|i| i["id"] == "hikaricp.connection_timeout")
        .unwrap();
    assert_eq!(hikari["category"], "db_pool_exhaustion");
    assert_eq!(hikari["role"], "cause");
    assert_eq!(hikari["specificity"], "high");
    assert_eq!(hikari["stack"], "jvm");
    assert!(
        hikari["source"]
            .as_str()
            .unwrap()
            .starts_with("patterns/hikaricp.toml:")
    );
    for key in [
        "title",
        "software",
        "causes",
        "keywords",
        "regex",
        "explanation",
        "remediation",
        "references",
        "examples",
        "counterexamples",
    ] {
        assert!(!hikari[key].is_null(), "{key}");
    }
}

#[test]
fn test_valid_jsonl_one_object_per_line() {
    let input = "HikariPool-1 - Start completed.\nHikariPool-1 - Connection is not available, request timed out after 30000ms.\r\n\n";
    let out = culprit(&["patterns", "test", "--format", "jsonl"], Some(input));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["line"], 1);
    assert_eq!(rows[0]["matches"], serde_json::json!([]));
    assert_eq!(
        rows[1]["text"],
        "HikariPool-1 - Connection is not available, request timed out after 30000ms."
    );
    assert_eq!(rows[1]["matches"][0]["id"], "hikaricp.connection_timeout");
    assert_eq!(rows[1]["matches"][0]["category"], "db_pool_exhaustion");
    assert_eq!(rows[1]["matches"][0]["captures"]["timeout_ms"], "30000");
    assert_eq!(rows[2]["matches"], serde_json::json!([]));
}

#[test]
fn test_valid_text_from_file_escapes_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let mut raw =
        b"all good\n\x1b[31mjava.lang.OutOfMemoryError: Java heap space\n\xff\xfe bytes\n".to_vec();
    raw.extend_from_slice(b"dial tcp 10.0.0.5:5432: connect: connection refused\n");
    std::fs::write(&log, raw).unwrap();
    let out = culprit(&["patterns", "test", log.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("2: jvm.oom_heap_space [memory_exhaustion]"),
        "{shown}"
    );
    assert!(
        shown.contains("\\x1b[31mjava.lang.OutOfMemoryError"),
        "{shown}"
    );
    assert!(!shown.contains('\u{1b}'));
    assert!(
        shown.contains("4: go_net.dial_refused [network_error] address=10.0.0.5 port=5432"),
        "{shown}"
    );
    assert!(
        shown.trim_end().ends_with("2 of 4 lines matched"),
        "{shown}"
    );
}

#[test]
fn test_invalid_missing_file_names_it() {
    let out = culprit(&["patterns", "test", "/nonexistent/app.log"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/nonexistent/app.log"));
}

#[test]
fn check_valid_embedded_library_and_repository_directory() {
    let out = culprit(&["patterns", "check"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("ok: the embedded library:"));
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/patterns");
    let out = culprit(&["patterns", "check", dir], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn check_invalid_every_error_kind_reported_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // TOML syntax: unterminated string on line 2.
    write(
        d,
        "a_syntax.toml",
        "[meta]\nsoftware = \"Acme\nstack = \"jvm\"\n",
    );
    // Bad regex: line 12 holds the regex (META 3 lines + blank + header on 5, id on 6).
    write(
        d,
        "b_regex.toml",
        &format!(
            "{META}\n{}",
            entry("acme.bad_regex")
                .replace("'pool drained after (?P<ms>\\d+)ms'", "'pool drained ('")
        ),
    );
    // Duplicate id: the second entry's id is on line 19.
    write(
        d,
        "c_duplicate.toml",
        &format!("{META}\n{}\n{}", entry("acme.dup"), entry("acme.dup")),
    );
    // Unknown category, line 8.
    write(
        d,
        "d_category.toml",
        &format!(
            "{META}\n{}",
            entry("acme.typo").replace("\"db_pool_exhaustion\"", "\"db_pool_exhausted\"")
        ),
    );
    // Failing example: reported at the entry's id, line 6.
    write(
        d,
        "e_example.toml",
        &format!(
            "{META}\n{}",
            entry("acme.bad_example").replace(
                "[\"pool drained after 30ms\"]",
                "[\"pool drained after a while\"]"
            )
        ),
    );
    // Missing field (title), reported at the entry's id, line 6.
    write(
        d,
        "f_missing.toml",
        &format!(
            "{META}\n{}",
            entry("acme.no_title").replace("title = \"Acme pool drained\"\n", "")
        ),
    );
    // A good entry is kept and counted.
    write(d, "g_good.toml", &format!("{META}\n{}", entry("acme.good")));
    write(d, "README.md", "not a pattern file");

    let out = culprit(&["patterns", "check", d.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    let p = |name: &str| d.join(name).display().to_string();
    for expected in [
        format!("{}:2: error: TOML syntax", p("a_syntax.toml")),
        format!(
            "{}:12: error: acme.bad_regex: regex does not compile",
            p("b_regex.toml")
        ),
        format!(
            "{}:19: error: acme.dup: duplicate id (first defined at {}:6)",
            p("c_duplicate.toml"),
            p("c_duplicate.toml")
        ),
        format!(
            "{}:8: error: acme.typo: field `category`: unknown category \"db_pool_exhausted\" (did you mean \"db_pool_exhaustion\"?)",
            p("d_category.toml")
        ),
        format!(
            "{}:6: error: acme.bad_example: example not matched by this signature",
            p("e_example.toml")
        ),
        format!(
            "{}:6: error: acme.no_title: missing field `title`",
            p("f_missing.toml")
        ),
    ] {
        assert!(err.contains(&expected), "missing {expected:?} in:\n{err}");
    }
    let summary = text(&out.stdout);
    assert!(
        summary.contains("6 errors") && summary.contains("(2 valid signatures in 7 files)"),
        "{summary}"
    );
}

#[test]
fn patterns_option_valid_user_dir_adds_and_overrides() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "acme.toml",
        &format!("{META}\n{}", entry("acme.pool_drained")),
    );
    let over = "[meta]\nsoftware = \"HikariCP\"\nstack = \"jvm\"\n\n[[signature]]\nid = \"hikaricp.connection_timeout\"\ntitle = \"Local override\"\n\
                category = \"db_pool_exhaustion\"\nrole = \"cause\"\nspecificity = \"high\"\nkeywords = [\"Connection is not available\"]\n\
                regex = ['Connection is not available']\nexplanation = \"e\"\nremediation = \"r\"\n\
                examples = [\"HikariPool-1 - Connection is not available, request timed out after 1ms.\"]\ncounterexamples = [\"HikariPool-1 - Start completed.\"]\n";
    write(dir.path(), "override.toml", over);
    let d = dir.path().to_str().unwrap();
    let out = culprit(
        &["patterns", "list", "--patterns", d, "--format", "json"],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = v.as_array().unwrap();
    assert_eq!(
        items
            .iter()
            .filter(|i| i["id"] == "hikaricp.connection_timeout")
            .count(),
        1
    );
    assert!(
        items
            .iter()
            .any(|i| i["id"] == "hikaricp.connection_timeout" && i["title"] == "Local override")
    );
    let out = culprit(
        &["patterns", "test", "--patterns", d, "--format", "jsonl"],
        Some("x pool drained after 7ms\n"),
    );
    assert!(out.status.success());
    let row: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(row["matches"][0]["id"], "acme.pool_drained");
    assert_eq!(row["matches"][0]["captures"]["ms"], "7");
}

#[test]
fn patterns_option_invalid_user_dir_fails_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bad.toml",
        &format!(
            "{META}\n{}",
            entry("acme.typo").replace("role = \"cause\"", "role = \"culprit\"")
        ),
    );
    let out = culprit(
        &[
            "patterns",
            "test",
            "--patterns",
            dir.path().to_str().unwrap(),
        ],
        Some("line\n"),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "{}:9: error: acme.typo: field `role`: unknown role \"culprit\"",
            dir.path().join("bad.toml").display()
        )),
        "{err}"
    );
    assert!(text(&out.stdout).is_empty());
}
