//! Integration tests of `culprit scan` and `culprit state merge`: a week of nightly runs over
//! generated logs in real formats, with log rotation, one state file carried from night to
//! night.
//!
//! Formats:
//! * auth-api and worker: Spring Boot 2.x default file layout (`FILE_LOG_PATTERN` in
//!   spring-boot `org/springframework/boot/logging/logback/defaults.xml`:
//!   `%d{yyyy-MM-dd HH:mm:ss.SSS} %5p ${PID} --- [%t] %-40.40logger{39} : %m%n`; the same
//!   shape as `spring2()` in scripts/gen_samples.py);
//! * HikariCP's timeout message (brettwooldridge/HikariCP `HikariPool.createTimeoutException`,
//!   "Connection is not available, request timed out after {}ms." in versions before 4.0.2)
//!   logged by Hibernate's `SqlExceptionHelper` after its "SQL Error: 0, SQLState: 08003";
//! * Tomcat's "Servlet.service() for servlet [dispatcherServlet] … threw exception" with a
//!   stack trace (org.apache.catalina.core.StandardWrapperValve);
//! * nginx: the `combined` log format (nginx docs, ngx_http_log_module:
//!   `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
//!   "$http_referer" "$http_user_agent"`), one file per day (logrotate `dateext`).

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SIG: &str = "hikaricp.connection_timeout";
/// HikariCP timeouts per night: background of one a night, then a pool that gets worse.
const HIKARI: [u64; 7] = [1, 1, 1, 1, 12, 40, 150];
/// The new error (a NullPointerException) appears on night 4 and stays.
const NPE_FROM_NIGHT: usize = 4;
/// The worker stops logging after night 5.
const WORKER_LAST_NIGHT: usize = 5;

fn culprit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(args)
        .output()
        .expect("run culprit")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

/// Day `n` (1-based) of the simulation, at `secs` after midnight UTC.
fn at(n: usize, secs: u32) -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2024, 3, 10 + n as u32)
        .unwrap()
        .and_hms_milli_opt(0, 0, 0, 0)
        .unwrap()
        + chrono::Duration::milliseconds(i64::from(secs) * 1000 + 123)
}

fn day(n: usize) -> String {
    at(n, 0).format("%Y-%m-%d").to_string()
}

fn spring2(t: chrono::NaiveDateTime, level: &str, thread: &str, logger: &str, msg: &str) -> String {
    let thread = &thread[thread.len().saturating_sub(15)..];
    let logger = &logger[logger.len().saturating_sub(40)..];
    format!(
        "{} {level:>5} 4312 --- [{thread:>15}] {logger:<40} : {msg}\n",
        t.format("%Y-%m-%d %H:%M:%S%.3f")
    )
}

/// One night of auth-api: (text, events).
fn auth_night(n: usize) -> (String, u64) {
    let mut lines: Vec<(u32, String)> = Vec::new();
    let mut events = 0;
    // Logins every 10 minutes, 01:00 to 20:50.
    for k in 0..120u32 {
        let t = 3600 + k * 600;
        lines.push((
            t,
            spring2(
                at(n, t),
                "INFO",
                "http-nio-8080-exec-3",
                "c.e.auth.LoginController",
                &format!(
                    "Login succeeded for user {} from 10.0.3.{}",
                    4000 + k,
                    k % 200
                ),
            ),
        ));
        events += 1;
    }
    // Routine warnings, the same every night.
    for k in 0..6u32 {
        let t = 7200 + k * 9000;
        lines.push((
            t + 1,
            spring2(
                at(n, t + 1),
                "WARN",
                "http-nio-8080-exec-9",
                "o.s.web.servlet.PageNotFound",
                "No mapping for GET /favicon.ico",
            ),
        ));
        events += 1;
    }
    // HikariCP timeouts, each logged by Hibernate as a warning and an error.
    let count = HIKARI[n - 1];
    for k in 0..count as u32 {
        let t = 36_000 + k * (36_000 / count as u32);
        let thread = format!("http-nio-8080-exec-{}", 1 + k % 200);
        lines.push((
            t + 2,
            spring2(
                at(n, t + 2),
                "WARN",
                &thread,
                "o.h.engine.jdbc.spi.SqlExceptionHelper",
                "SQL Error: 0, SQLState: 08003",
            ),
        ));
        lines.push((
            t + 2,
            spring2(
                at(n, t + 2),
                "ERROR",
                &thread,
                "o.h.engine.jdbc.spi.SqlExceptionHelper",
                "HikariPool-1 - Connection is not available, request timed out after 30000ms.",
            ),
        ));
        events += 2;
    }
    if n >= NPE_FROM_NIGHT {
        for k in 0..3u32 {
            let t = 50_000 + k * 1000;
            let mut text = spring2(
                at(n, t + 3),
                "ERROR",
                "http-nio-8080-exec-5",
                "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
                "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed; nested exception is java.lang.NullPointerException] with root cause",
            );
            text.push_str("java.lang.NullPointerException: null\n\tat com.example.auth.LoginController.login(LoginController.java:57) ~[classes/:na]\n");
            lines.push((t + 3, text));
            events += 1;
        }
    }
    lines.sort_by_key(|(t, _)| *t);
    let text: String = lines.into_iter().map(|(_, l)| l).collect();
    (text, events)
}

fn worker_night(n: usize) -> (String, u64) {
    let mut out = String::new();
    for k in 0..40u32 {
        let t = 3700 + k * 1800;
        out.push_str(&spring2(
            at(n, t),
            "INFO",
            "scheduling-1",
            "c.e.billing.InvoiceJob",
            &format!(
                "Invoice run finished: {} invoices in {} ms",
                40 + k,
                800 + k
            ),
        ));
    }
    (out, 40)
}

fn nginx_night(n: usize) -> (String, u64) {
    let mut out = String::new();
    for k in 0..100u32 {
        let t = 3605 + k * 700;
        let stamp = at(n, t).format("%d/%b/%Y:%H:%M:%S +0000");
        out.push_str(&format!(
            "10.0.{}.{} - - [{stamp}] \"GET /api/v1/session HTTP/1.1\" 200 {} \"https://shop.example.com/login\" \"Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0\"\n",
            k % 4,
            10 + k % 50,
            480 + k
        ));
    }
    (out, 100)
}

fn gzip(from: &Path, to: &Path) {
    let data = std::fs::read(from).unwrap();
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(to).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(&data).unwrap();
    enc.finish().unwrap();
    std::fs::remove_file(from).unwrap();
}

/// The log directory on night `n`, written from night `n - 1`'s: logrotate moves
/// `app.log` → `app.log.1` → `app.log.2.gz` (compressed on the second rotation), nginx keeps
/// one file per day, the worker appends to one file.
struct Sim {
    logs: PathBuf,
    /// Events per service per night, as generated.
    auth: Vec<u64>,
    worker: Vec<u64>,
    nginx: Vec<u64>,
}

impl Sim {
    fn new(root: &Path) -> Sim {
        let logs = root.join("logs");
        for d in ["auth-api", "nginx", "worker"] {
            std::fs::create_dir_all(logs.join(d)).unwrap();
        }
        Sim {
            logs,
            auth: Vec::new(),
            worker: Vec::new(),
            nginx: Vec::new(),
        }
    }

    fn night(&mut self, n: usize) {
        let a = self.logs.join("auth-api");
        let (l0, l1, l2) = (
            a.join("app.log"),
            a.join("app.log.1"),
            a.join("app.log.2.gz"),
        );
        if l1.exists() {
            let _ = std::fs::remove_file(&l2);
            gzip(&l1, &l2);
        }
        if l0.exists() {
            std::fs::rename(&l0, &l1).unwrap();
        }
        let (text, ev) = auth_night(n);
        std::fs::write(&l0, text).unwrap();
        self.auth.push(ev);
        let (text, ev) = nginx_night(n);
        let name = format!("access.log-{}", at(n, 0).format("%Y%m%d"));
        std::fs::write(self.logs.join("nginx").join(name), text).unwrap();
        self.nginx.push(ev);
        if n <= WORKER_LAST_NIGHT {
            let (text, ev) = worker_night(n);
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.logs.join("worker").join("worker.log"))
                .unwrap();
            f.write_all(text.as_bytes()).unwrap();
            self.worker.push(ev);
        }
    }
}

fn scan(logs: &Path, state: &Path, extra: &[&str]) -> (Value, i32, String) {
    let mut args = vec!["scan", s(logs), "--state", s(state), "--format", "json"];
    args.extend_from_slice(extra);
    let o = culprit(&args);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("json output: {e}; stderr: {stderr}"));
    (v, o.status.code().unwrap_or(-1), stderr)
}

fn len(v: &Value, key: &str) -> usize {
    v[key].as_array().map_or(usize::MAX, Vec::len)
}

fn state_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn scan_week_valid_reports_new_rising_silent_and_counts_rotated_logs_once() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let mut sim = Sim::new(dir.path());

    // Night 1: no state yet; history starts, nothing is reported.
    sim.night(1);
    let (v, code, stderr) = scan(&sim.logs, &state, &[]);
    assert_eq!(code, 0, "{v:#}");
    assert!(
        stderr.contains(&format!("no state at {}: starting history", s(&state))),
        "{stderr}"
    );
    assert_eq!(v["state"]["started"], true);
    // The JSON contract's top-level fields.
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    for k in [
        "schema_version",
        "period",
        "state",
        "new_templates",
        "rising",
        "new_erroring_services",
        "silent_services",
        "watch",
        "notes",
        "exit_code",
    ] {
        assert!(keys.contains(&k), "{k} missing: {keys:?}");
    }
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["period"]["hours"], 24.0);
    assert_eq!(len(&v, "new_templates"), 0, "{v:#}");
    assert_eq!(v["exit_code"], 0);
    assert!(state.exists());

    // Nights 2 and 3: the same noise; nothing reported even at --fail-on any.
    for n in 2..=3 {
        sim.night(n);
        let (v, code, _) = scan(&sim.logs, &state, &["--fail-on", "any"]);
        assert_eq!(code, 0, "night {n}: {v:#}");
        assert_eq!(v["state"]["started"], false);
        assert_eq!(v["state"]["baseline_days"], n - 1);
        for key in [
            "new_templates",
            "rising",
            "new_erroring_services",
            "silent_services",
            "watch",
        ] {
            assert_eq!(len(&v, key), 0, "night {n} {key}: {v:#}");
        }
        assert!(std::path::Path::new(&format!("{}.bak", s(&state))).exists());
    }

    // Night 4: a new error template (and night 3's app.log is now app.log.1).
    sim.night(4);
    let (v, code, _) = scan(&sim.logs, &state, &[]);
    assert_eq!(code, 3, "{v:#}");
    assert_eq!(len(&v, "new_templates"), 1, "{v:#}");
    let t = &v["new_templates"][0];
    assert_eq!(t["service"], "auth-api");
    assert_eq!(t["level"], "error");
    assert_eq!(t["count"], 3);
    assert!(
        t["template"]
            .as_str()
            .unwrap()
            .starts_with("Servlet.service() for servlet [dispatcherServlet]"),
        "{t:#}"
    );
    let ev = &t["evidence"][0];
    assert!(
        ev["path"].as_str().unwrap().ends_with("auth-api/app.log"),
        "{ev:#}"
    );
    assert!(ev["line"].as_u64().unwrap() > 1);
    assert_eq!(len(&v, "rising"), 0, "{v:#}");
    assert_eq!(
        len(&v, "new_erroring_services"),
        0,
        "auth-api erred before: {v:#}"
    );
    assert_eq!(v["watch"][0]["kind"], "new_template");

    // Nights 5-7: HikariCP timeouts rise (12 → 40 → 150); no new error templates, so the
    // default threshold passes and --fail-on rising fails. Running twice the same night adds
    // nothing twice.
    for n in 5..=7 {
        sim.night(n);
        let (v, code, _) = scan(&sim.logs, &state, &[]);
        assert_eq!(code, 0, "night {n}: {v:#}");
        assert_eq!(len(&v, "new_templates"), 0, "night {n}: {v:#}");
        let hik: Vec<&Value> = v["rising"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["id"] == SIG)
            .collect();
        assert_eq!(hik.len(), 1, "night {n}: {v:#}");
        assert_eq!(hik[0]["service"], "auth-api");
        assert_eq!(hik[0]["count"], HIKARI[n - 1]);
        assert!(
            hik[0]["evidence"][0]["text"]
                .as_str()
                .unwrap()
                .contains("Connection is not available")
        );
        if n >= 6 {
            assert_eq!(
                hik[0]["monotone"],
                serde_json::json!([HIKARI[n - 3], HIKARI[n - 2], HIKARI[n - 1]]),
                "night {n}"
            );
            // The worker stopped logging after night 5.
            assert_eq!(len(&v, "silent_services"), 1, "night {n}: {v:#}");
            assert_eq!(v["silent_services"][0]["service"], "worker");
            assert!(
                v["silent_services"][0]["last_event"]["text"]
                    .as_str()
                    .unwrap()
                    .starts_with("Invoice run finished")
            );
        } else {
            assert_eq!(len(&v, "silent_services"), 0, "night {n}: {v:#}");
        }
        let (v2, code, _) = scan(&sim.logs, &state, &["--fail-on", "rising"]);
        assert_eq!(code, 3, "night {n}: {v2:#}");
        assert_eq!(v2["exit_code"], 3);
        assert_eq!(
            v2["rising"], v["rising"],
            "night {n}: a re-run reports the same"
        );
    }

    // The history holds exactly what was generated: rotated, compressed and appended files
    // were not counted twice.
    let st = state_json(&state);
    assert_eq!(st["format"], "culprit-scan-state");
    assert_eq!(st["version"], 1);
    let svc = &st["services"];
    for n in 1..=7 {
        let d = day(n);
        assert_eq!(
            svc["auth-api"]["volume"][&d],
            sim.auth[n - 1],
            "auth-api {d}"
        );
        assert_eq!(svc["nginx"]["volume"][&d], sim.nginx[n - 1], "nginx {d}");
        assert_eq!(
            svc["auth-api"]["signatures"][SIG]["days"][&d],
            HIKARI[n - 1],
            "{SIG} {d}"
        );
        if n <= WORKER_LAST_NIGHT {
            assert_eq!(svc["worker"]["volume"][&d], sim.worker[n - 1], "worker {d}");
        } else {
            assert!(svc["worker"]["volume"][&d].is_null());
        }
    }
    assert_eq!(st["scans"], 10);
}

#[test]
fn scan_text_and_md_valid_sections() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let mut sim = Sim::new(dir.path());
    for n in 1..=4 {
        sim.night(n);
        let o = culprit(&["scan", s(&sim.logs), "--state", s(&state)]);
        let text = String::from_utf8(o.stdout).unwrap();
        if n == 4 {
            assert_eq!(o.status.code(), Some(3), "{text}");
            assert!(text.contains("New templates: 1"), "{text}");
            assert!(text.contains("Watch list:"), "{text}");
            assert!(text.contains("auth-api/app.log:"), "{text}");
        }
    }
    let md = dir.path().join("report.md");
    let o = culprit(&[
        "scan",
        s(&sim.logs),
        "--state",
        s(&state),
        "--format",
        "md",
        "-o",
        s(&md),
    ]);
    assert_eq!(o.status.code(), Some(3));
    let md = std::fs::read_to_string(md).unwrap();
    assert!(md.contains("## New templates (1)"), "{md}");
    // Markdown metacharacters from the log are escaped.
    assert!(md.contains("servlet \\[dispatcherServlet\\]"), "{md}");
}

#[test]
fn scan_invalid_corrupt_state_exit_2_file_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let mut sim = Sim::new(dir.path());
    sim.night(1);
    let state = dir.path().join("state.json");
    let corrupt = b"{\"format\": \"culprit-scan-state\", \"version\": 1, \"services\": {";
    std::fs::write(&state, corrupt).unwrap();
    let o = culprit(&["scan", s(&sim.logs), "--state", s(&state)]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(s(&state)), "{err}");
    assert!(err.contains("corrupt"), "{err}");
    assert!(err.contains("line 1 column"), "{err}");
    assert_eq!(std::fs::read(&state).unwrap(), corrupt);
    assert!(!Path::new(&format!("{}.lock", s(&state))).exists());
}

#[test]
fn scan_invalid_newer_state_version_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let mut sim = Sim::new(dir.path());
    sim.night(1);
    let state = dir.path().join("state.json");
    let newer = br#"{"format":"culprit-scan-state","version":7,"created":"2024-03-11T00:00:00Z","updated":"2024-03-11T00:00:00Z"}"#;
    std::fs::write(&state, newer).unwrap();
    let o = culprit(&["scan", s(&sim.logs), "--state", s(&state)]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("version 7, newer"), "{err}");
    assert!(err.contains(s(&state)), "{err}");
    assert_eq!(std::fs::read(&state).unwrap(), newer);
}

#[test]
fn scan_invalid_fresh_lock_present_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let mut sim = Sim::new(dir.path());
    sim.night(1);
    let state = dir.path().join("state.json");
    let lock = dir.path().join("state.json.lock");
    std::fs::write(&lock, "pid 4242 since 2024-03-11T02:00:00Z\n").unwrap();
    let o = culprit(&["scan", s(&sim.logs), "--state", s(&state)]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("locked by another culprit run"), "{err}");
    assert!(err.contains("pid 4242"), "{err}");
    assert!(err.contains(&format!("rm {}", s(&lock))), "{err}");
    assert!(lock.exists(), "someone else's lock is left alone");
    assert!(!state.exists());
}

#[test]
fn state_merge_valid_two_hosts() {
    let dir = tempfile::tempdir().unwrap();
    let a = Sim::new(&dir.path().join("host-a"));
    let mut a = a;
    a.night(1);
    let mut b = Sim::new(&dir.path().join("host-b"));
    b.night(1);
    b.night(2);
    let (sa, sb) = (dir.path().join("a.json"), dir.path().join("b.json"));
    assert_eq!(scan(&a.logs, &sa, &[]).1, 0);
    assert_eq!(scan(&b.logs, &sb, &[]).1, 0);
    let merged = dir.path().join("all.json");
    let o = culprit(&["state", "merge", s(&sa), s(&sb), "-o", s(&merged)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = state_json(&merged);
    let d1 = day(1);
    assert_eq!(
        m["services"]["auth-api"]["volume"][&d1],
        a.auth[0] + b.auth[0]
    );
    assert_eq!(m["services"]["nginx"]["volume"][&day(2)], b.nginx[1]);
    assert_eq!(m["scans"], 2);
    let fa = state_json(&sa)["files"].as_object().unwrap().len();
    assert!(m["files"].as_object().unwrap().len() >= fa);

    // A missing or corrupt input is named.
    std::fs::write(&sb, "[1, 2").unwrap();
    let o = culprit(&["state", "merge", s(&sa), s(&sb), "-o", s(&merged)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(s(&sb)));
}
