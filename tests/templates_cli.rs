//! Integration tests: run the `culprit templates` binary on small inputs written to temp dirs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn culprit(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_culprit"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run culprit")
}

fn ok(args: &[&str]) -> String {
    let o = culprit(args, &[]);
    assert!(
        o.status.success(),
        "culprit {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("utf8 stdout")
}

fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(&p, text).expect("write");
    p
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

// sshd through syslog (OpenSSH auth.c: "%s %s%s%s for %s%.100s from %.200s port %d ssh2";
// sshd.c: "Invalid user %.100s from %.100s").
const AUTH_LOG: &str = "\
Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186
Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2
Dec 10 07:02:47 LabSZ sshd[24203]: Failed password for root from 5.36.59.76 port 42393 ssh2
Dec 10 07:07:38 LabSZ sshd[24206]: Invalid user test9 from 52.80.34.196
Dec 10 07:07:45 LabSZ sshd[24206]: Failed password for invalid user test9 from 52.80.34.196 port 36060 ssh2
Dec 10 07:08:28 LabSZ sshd[24208]: Failed password for root from 112.95.230.3 port 45378 ssh2
Dec 10 07:11:42 LabSZ sshd[24224]: Failed password for root from 112.95.230.3 port 47068 ssh2
Dec 10 07:13:43 LabSZ sshd[24227]: Invalid user chen from 202.100.179.208
";

fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(args)).expect("json output")
}

#[test]
fn json_output_valid_counts_times_samples() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = write(dir.path(), "auth.log", AUTH_LOG);
    let v = json(&["templates", "--format", "json", "--year", "2024", s(&log)]);
    assert_eq!(v["events"], 8);
    let t = v["templates"].as_array().expect("templates");
    assert_eq!(t.len(), 3);
    assert_eq!(
        t[0]["template"],
        "Failed password for root from <*> port <*> ssh2"
    );
    assert_eq!(t[0]["count"], 3);
    assert_eq!(t[1]["template"], "Invalid user <*> from <*>");
    assert_eq!(t[1]["count"], 3);
    assert_eq!(
        t[2]["template"],
        "Failed password for invalid user <*> from <*> port <*> ssh2"
    );
    assert_eq!(t[1]["first_seen"], "2024-12-10T06:55:46Z");
    assert_eq!(t[1]["last_seen"], "2024-12-10T07:13:43Z");
    let samples = t[1]["samples"].as_array().expect("samples");
    assert_eq!(samples.len(), 3);
    assert_eq!(samples[0]["line"], 1);
    assert_eq!(samples[0]["source"], s(&log));
    assert_eq!(
        samples[0]["text"],
        "Invalid user webmaster from 173.234.31.186"
    );
    assert!(t[0]["signature"].is_null());
    assert_eq!(t[0]["services"][0]["count"], 3);
    assert_eq!(t[0]["id"].as_str().expect("id").len(), 16);
    assert_eq!(v["coarsening_level"], 0);
}

#[test]
fn text_output_valid_table_and_top() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = write(dir.path(), "auth.log", AUTH_LOG);
    let out = ok(&["templates", "--year", "2024", s(&log)]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].contains("count") && lines[0].contains("template"),
        "{out}"
    );
    assert!(lines[1].trim_start().starts_with("3 "), "{out}");
    assert!(
        lines[1].ends_with("Failed password for root from <*> port <*> ssh2"),
        "{out}"
    );
    assert!(
        out.contains("3 templates from 8 events in 1 input(s)"),
        "{out}"
    );
    let top = ok(&["templates", "--top", "1", "--year", "2024", s(&log)]);
    assert_eq!(top.lines().count(), 3, "{top}");
    assert!(top.contains("1 of 3 templates"), "{top}");
}

#[test]
fn csv_output_valid_header_and_quoting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = write(dir.path(), "app.log", "a, b 1\na, b 2\nplain line\n");
    let out = ok(&["templates", "--raw", "--format", "csv", s(&log)]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "id,count,first_seen,last_seen,services,signature,template"
    );
    assert!(lines[1].ends_with(",2,,,app:2,,\"a, b <*>\""), "{out}");
    assert!(lines[2].ends_with(",1,,,app:1,,plain line"), "{out}");
}

#[test]
fn assign_valid_jsonl_in_input_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = write(
        dir.path(),
        "a.log",
        "job 17 done in 3ms\nstarting\njob 18 done in 5ms\n",
    );
    let b = write(dir.path(), "b.log", "job 99 done in 1ms\n");
    let out = ok(&["templates", "--raw", "--assign", s(&a), s(&b)]);
    let recs: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("jsonl"))
        .collect();
    assert_eq!(recs.len(), 4);
    let got: Vec<(String, u64, String)> = recs
        .iter()
        .map(|r| {
            (
                r["source"].as_str().unwrap_or("").to_string(),
                r["line"].as_u64().unwrap_or(0),
                r["template"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        got[0],
        (s(&a).to_string(), 1, "job <*> done in <*>".to_string())
    );
    assert_eq!(got[1], (s(&a).to_string(), 2, "starting".to_string()));
    assert_eq!(got[2].1, 3);
    assert_eq!(
        got[3],
        (s(&b).to_string(), 1, "job <*> done in <*>".to_string())
    );
    assert_eq!(recs[0]["template_id"], recs[3]["template_id"]);
    assert_eq!(recs[0]["template_id"].as_str().expect("id").len(), 16);
}

#[test]
fn raw_mode_valid_every_line_is_an_event() {
    let dir = tempfile::tempdir().expect("tempdir");
    // No timestamps: without --raw these lines are not events at all.
    let log = write(
        dir.path(),
        "content.txt",
        "Got assigned task 0\nGot assigned task 1\nStarting remoting\n",
    );
    let v = json(&["templates", "--raw", "--format", "json", s(&log)]);
    assert_eq!(v["events"], 3);
    assert_eq!(v["templates"][0]["template"], "Got assigned task <*>");
    assert!(v["templates"][0]["first_seen"].is_null());
}

#[test]
fn output_valid_identical_for_any_thread_count_and_path_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut big = String::new();
    for i in 0..3000 {
        big.push_str(&format!(
            "Receiving block blk_{} src: /10.251.{}.{}:{} dest: /10.251.1.2:50010\n",
            1000 + i * 37,
            i % 200,
            i % 250,
            30000 + i
        ));
        big.push_str(&format!(
            "session opened for user {} by (uid=0)\n",
            ["cyrus", "news", "test"][i % 3]
        ));
    }
    let a = write(dir.path(), "a.txt", &big);
    let b = write(dir.path(), "b.txt", AUTH_LOG);
    let run = |threads: &str, paths: [&str; 2]| {
        let o = culprit(
            &["templates", "--raw", "--format", "json", paths[0], paths[1]],
            &[("RAYON_NUM_THREADS", threads)],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        o.stdout
    };
    let one = run("1", [s(&a), s(&b)]);
    assert_eq!(one, run("4", [s(&a), s(&b)]));
    assert_eq!(one, run("2", [s(&b), s(&a)]));
}

#[test]
fn cap_valid_is_said_in_the_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::new();
    // 1500 distinct shapes made of digit-free words (a digit would make them one variable).
    for i in 0..1500u32 {
        let w: String = [i % 26, (i / 26) % 26, (i / 676) % 26]
            .iter()
            .map(|&d| char::from(b'a' + d as u8))
            .collect();
        text.push_str(&format!("state {w} reached by worker\n"));
    }
    let log = write(dir.path(), "many.txt", &text);
    let out = ok(&["templates", "--raw", "--max-keys", "1000", s(&log)]);
    assert!(
        out.contains("note: more than 1000 distinct message shapes"),
        "{out}"
    );
    assert!(out.contains("from 1500 events"), "{out}");
}

#[test]
fn options_invalid_combinations_are_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = write(dir.path(), "x.log", "a\n");
    let o = culprit(&["templates", "--assign", "--format", "json", s(&log)], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--assign"));
    let o = culprit(&["templates", "--top", "0", s(&log)], &[]);
    assert_eq!(o.status.code(), Some(2));
    let o = culprit(&["templates", "--max-keys", "10", s(&log)], &[]);
    assert_eq!(o.status.code(), Some(2));
}
