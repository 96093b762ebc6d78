//! `culprit analyze` on the bundled incident samples: the right cause ranks first, the JSON
//! contract holds, and the output is the same whatever the thread count.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

fn culprit(args: &[&str], threads: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_culprit"));
    cmd.args(args);
    if let Some(t) = threads {
        cmd.env("RAYON_NUM_THREADS", t);
    }
    cmd.output().expect("run culprit")
}

fn analyze_json(name: &str) -> serde_json::Value {
    let dir = sample(name);
    let o = culprit(
        &["analyze", "--format", "json", dir.to_str().expect("path")],
        None,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("analyze json")
}

/// (sample, category of the top cause, services it may be attributed to).
const EXPECTED_TOP: &[(&str, &str, &[&str])] = &[
    ("login-outage", "db_pool_exhaustion", &["auth-api"]),
    ("network-partition", "network_error", &["orders", "app-3"]),
    ("slow-query-migration", "db_slow_query", &["db"]),
    // The kernel of the node that ran the pod reports the OOM kills.
    (
        "oom-crashloop",
        "memory_exhaustion",
        &["node-a", "node-b", "export-service"],
    ),
    ("disk-full", "disk_full", &["db", "db-1"]),
    ("dns-failure", "dns_failure", &["coredns"]),
];

#[test]
fn every_sample_valid_ranks_the_expected_cause_first() {
    for (name, category, services) in EXPECTED_TOP {
        let r = analyze_json(name);
        let top = &r["causes"][0];
        assert_eq!(
            top["category"].as_str(),
            Some(*category),
            "{name}: top cause is {} in {}: {}",
            top["category"],
            top["service"],
            top["why"]
        );
        let service = top["service"].as_str().unwrap_or("");
        assert!(
            services.contains(&service),
            "{name}: top cause is in {service}, expected one of {services:?}"
        );
    }
}

#[test]
fn login_outage_valid_network_looking_errors_are_symptoms_of_the_pool() {
    let r = analyze_json("login-outage");
    let symptoms = r["symptoms"].as_array().expect("symptoms");
    let lb = symptoms
        .iter()
        .find(|s| s["service"] == "lb" && s["category"] == "upstream_error")
        .expect("nginx 5xx listed as a symptom");
    assert_eq!(lb["explained_by"]["category"], "db_pool_exhaustion");
    // The red-herring deploy of `web` is not attached to the top cause.
    let change = &r["causes"][0]["change"];
    assert_eq!(change["service"], "auth-api", "{change}");
}

#[test]
fn json_contract_valid_fields_and_accounting() {
    let r = analyze_json("login-outage");
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["tool"]["name"], "culprit");
    for k in ["start", "end", "baseline_start", "baseline_end", "detected"] {
        assert!(r["window"].get(k).is_some(), "window.{k}");
    }
    assert_eq!(r["window"]["detected"], "auto");
    for input in r["inputs"].as_array().expect("inputs") {
        let n = |k: &str| input[k].as_u64().expect(k);
        assert_eq!(n("parsed") + n("unparsed"), n("lines"), "{input}");
        for k in ["path", "format", "service", "first", "last"] {
            assert!(input.get(k).is_some(), "inputs[].{k}");
        }
    }
    let causes = r["causes"].as_array().expect("causes");
    assert!(!causes.is_empty());
    let mut last = f64::INFINITY;
    for (i, c) in causes.iter().enumerate() {
        assert_eq!(c["rank"].as_u64(), Some(i as u64 + 1));
        let score = c["score"].as_f64().expect("score");
        assert!(
            (0.0..=1.0).contains(&score) && score <= last,
            "scores ordered"
        );
        last = score;
        assert!(["high", "medium", "low"].contains(&c["confidence"].as_str().unwrap_or("")));
        for k in [
            "category",
            "service",
            "onset",
            "signature",
            "template",
            "baseline_count",
            "window_count",
            "explains",
            "change",
            "evidence",
            "why",
        ] {
            assert!(c.get(k).is_some(), "causes[].{k}");
        }
        for e in c["evidence"].as_array().expect("evidence") {
            for k in ["path", "line", "time", "text"] {
                assert!(e.get(k).is_some(), "evidence[].{k}");
            }
        }
    }
    assert!(r["deploys"].as_array().is_some_and(|d| !d.is_empty()));
}

#[test]
fn analyze_output_valid_is_identical_across_thread_counts() {
    let dir = sample("login-outage");
    let args = ["analyze", "--format", "json", dir.to_str().expect("path")];
    let one = culprit(&args, Some("1"));
    let many = culprit(&args, Some("4"));
    assert_eq!(one.stdout, many.stdout);
}

#[test]
fn user_window_valid_is_reported_as_given() {
    let dir = sample("login-outage");
    let o = culprit(
        &[
            "analyze",
            "--format",
            "json",
            "--window",
            "2024-03-12T13:00:00Z..2024-03-12T16:40:00Z",
            dir.to_str().expect("path"),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(r["window"]["detected"], "user");
    assert_eq!(r["window"]["start"], "2024-03-12T13:00:00Z");
    assert_eq!(r["causes"][0]["category"], "db_pool_exhaustion");
}

#[test]
fn quiet_logs_invalid_no_incident_exit_code_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::new();
    for i in 0..3000 {
        text.push_str(&format!(
            "2024-01-21T{:02}:{:02}:{:02}Z INFO request served in {} ms\n",
            10 + i / 3600,
            (i / 60) % 60,
            i % 60,
            i % 97
        ));
        if i % 50 == 0 {
            text.push_str(&format!(
                "2024-01-21T{:02}:{:02}:{:02}Z WARN cache miss for key {i}\n",
                10 + i / 3600,
                (i / 60) % 60,
                i % 60
            ));
        }
    }
    std::fs::write(dir.path().join("app.log"), text).expect("write");
    let o = culprit(&["analyze", dir.path().to_str().expect("path")], None);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("No incident found"));
}

#[test]
fn bad_change_file_invalid_names_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("app.log"), "2024-01-21T10:00:00Z INFO x\n").expect("write");
    let deploys = dir.path().join("extra.csv");
    std::fs::write(
        &deploys,
        "time,service,kind\n2024-01-21T09:00:00Z,api,deploy\nsoon,api,deploy\n",
    )
    .expect("write");
    let o = culprit(
        &[
            "analyze",
            "--deploys",
            deploys.to_str().expect("path"),
            dir.path().join("app.log").to_str().expect("path"),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("extra.csv:3"), "{err}");
}

/// nginx combined + `$request_time` lines over `hours`, with 5xx between `bad_from` and
/// `bad_to` (minutes from the start) for one request in three.
fn access_log(days_minutes: u32, bad_from: u32, bad_to: u32) -> String {
    let months = ["Jan", "Feb", "Mar"];
    let mut out = String::new();
    for m in 0..days_minutes {
        for k in 0..6u32 {
            let t = chrono::DateTime::from_timestamp(
                1_705_795_200 + i64::from(m) * 60 + i64::from(k) * 10,
                0,
            )
            .expect("time");
            let stamp = format!(
                "{}/{}/{}:{}",
                t.format("%d"),
                months[0],
                t.format("%Y"),
                t.format("%H:%M:%S +0000")
            );
            let bad = (bad_from..bad_to).contains(&m) && k % 3 == 0;
            let status = if bad { 502 } else { 200 };
            out.push_str(&format!(
                "10.0.{}.{} - - [{stamp}] \"GET /api/items/{} HTTP/1.1\" {status} 512 \"-\" \"curl/8.5.0\" 0.0{}\n",
                m % 200,
                k + 1,
                m * 6 + k,
                k + 1
            ));
        }
    }
    out
}

#[test]
fn access_logs_only_valid_window_from_status_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("lb")).expect("mkdir");
    std::fs::write(dir.path().join("lb/access.log"), access_log(240, 150, 190)).expect("write");
    let o = culprit(
        &[
            "analyze",
            "--format",
            "json",
            dir.path().to_str().expect("path"),
        ],
        None,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(r["causes"][0]["category"], "upstream_error");
    assert_eq!(r["causes"][0]["service"], "lb");
    let start = r["window"]["start"].as_str().expect("start");
    // 150 minutes after 2024-01-21T00:00:00Z.
    assert!(
        start.starts_with("2024-01-21T02:2") || start.starts_with("2024-01-21T02:3"),
        "{start}"
    );
}

#[test]
fn several_days_one_file_valid_finds_the_incident_on_day_two() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("access.log");
    // Three days; the 5xx burst is on the second day, 40 minutes long.
    std::fs::write(&file, access_log(3 * 24 * 60, 24 * 60 + 600, 24 * 60 + 640)).expect("write");
    let o = culprit(
        &["analyze", "--format", "json", file.to_str().expect("path")],
        None,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let start = r["window"]["start"].as_str().expect("start");
    assert!(
        start.starts_with("2024-01-22T09") || start.starts_with("2024-01-22T10"),
        "{start}"
    );
    assert_eq!(r["causes"][0]["category"], "upstream_error");
}

#[test]
fn baseline_logs_valid_supply_the_baseline_an_all_incident_log_lacks() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Today: 90 minutes, every one of them failing. Yesterday (another file): healthy.
    let today = dir.path().join("today");
    let yesterday = dir.path().join("yesterday");
    std::fs::create_dir_all(today.join("lb")).expect("mkdir");
    std::fs::create_dir_all(yesterday.join("lb")).expect("mkdir");
    std::fs::write(today.join("lb/access.log"), access_log(90, 0, 90)).expect("write");
    std::fs::write(yesterday.join("lb/access.log"), access_log(180, 0, 0)).expect("write");
    let alone = culprit(&["analyze", today.to_str().expect("path")], None);
    assert_eq!(
        alone.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&alone.stdout)
    );
    let o = culprit(
        &[
            "analyze",
            "--format",
            "json",
            today.to_str().expect("path"),
            "--baseline-logs",
            yesterday.to_str().expect("path"),
        ],
        None,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(r["causes"][0]["category"], "upstream_error");
    assert!(r["causes"][0]["baseline_count"].as_u64() == Some(0));
    assert!(
        r["notes"].as_array().is_some_and(|n| n
            .iter()
            .any(|s| s.as_str().unwrap_or("").contains("--baseline-logs"))),
        "{}",
        r["notes"]
    );
}

#[test]
fn skewed_clock_valid_is_estimated_from_request_ids_and_corrected() {
    // billing-api's host clock runs 107 s behind the proxy's in the disk-full sample; nginx
    // passes its $request_id to Rails, so the shared ids measure the skew.
    let r = analyze_json("disk-full");
    let clocks = r["clocks"].as_array().expect("clocks");
    let billing = clocks
        .iter()
        .find(|c| c["service"] == "billing-api")
        .expect("an estimate for billing-api");
    assert_eq!(billing["reference"], "lb");
    assert_eq!(billing["applied"], true);
    let s = billing["correction_s"].as_f64().expect("correction");
    // nginx logs whole seconds, so the estimate may be up to a second short.
    assert!((105.5..=107.5).contains(&s), "correction {s}");
    assert!(billing["anchors"].as_u64().expect("anchors") >= 100);
    assert!(
        r["notes"].as_array().expect("notes").iter().any(|n| n
            .as_str()
            .is_some_and(|n| n.contains("billing-api's clock"))),
        "the correction is reported in the notes"
    );
    // The skew matters: without the correction billing-api's database errors seem to begin
    // before the disk filled.
    let dir = sample("disk-full");
    let o = culprit(
        &[
            "analyze",
            "--format",
            "json",
            "--no-clock-estimate",
            dir.to_str().expect("path"),
        ],
        None,
    );
    let raw: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(raw["clocks"].as_array().expect("clocks").is_empty());
    let onset_of = |r: &serde_json::Value, category: &str, service: &str| -> String {
        ["causes", "symptoms", "background"]
            .iter()
            .flat_map(|k| r[*k].as_array().cloned().unwrap_or_default())
            .find(|f| f["category"] == category && f["service"] == service)
            .and_then(|f| f["onset"].as_str().map(str::to_string))
            .unwrap_or_else(|| panic!("{category} in {service} not found"))
    };
    let secs = |t: String| {
        chrono::DateTime::parse_from_rfc3339(&t)
            .expect("rfc3339")
            .timestamp_millis() as f64
            / 1000.0
    };
    let disk = secs(onset_of(&raw, "disk_full", "db"));
    let skewed = secs(onset_of(&raw, "db_unavailable", "billing-api"));
    assert!(skewed < disk - 60.0, "uncorrected: {skewed} vs {disk}");
    // Corrected, it begins with the disk (PostgreSQL logs whole seconds here).
    let corrected = secs(onset_of(&r, "db_unavailable", "billing-api"));
    assert!(
        (corrected - disk).abs() < 2.0,
        "corrected: {corrected} vs {disk}"
    );
}

#[test]
fn impact_valid_requests_clients_and_latency_from_access_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("lb")).expect("mkdir");
    std::fs::write(dir.path().join("lb/access.log"), access_log(240, 150, 190)).expect("write");
    // Minutes 150..190: 40 minutes × 6 requests from 6 addresses each; two of the six (k = 0
    // and 3) get a 502.
    let o = culprit(
        &[
            "analyze",
            "--format",
            "json",
            "--window",
            "2024-01-21T02:30:00Z..2024-01-21T03:10:00Z",
            dir.path().to_str().expect("path"),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let i = &r["impact"];
    assert_eq!(i["services"], serde_json::json!(["lb"]));
    assert_eq!(i["requests"], 240);
    assert_eq!(i["errors_5xx"], 80);
    assert_eq!(i["error_share"], 0.3333);
    assert_eq!(i["baseline_error_share"], 0.0);
    assert_eq!(i["clients"], 240);
    assert_eq!(i["clients_with_error"], 80);
    assert_eq!(i["client_key"], "address");
    let minutes = i["per_minute"].as_array().expect("per_minute");
    assert_eq!(minutes.len(), 40);
    assert_eq!(minutes[0]["requests"], 6);
    assert_eq!(minutes[0]["errors_5xx"], 2);
}

#[test]
fn impact_valid_counts_each_request_once_at_the_edge() {
    // dns-failure: the gateway (nginx, logs client addresses) and checkout-api (pino's
    // "request completed", no client) log the same checkout requests; oom-crashloop: the
    // ingress controller and reports-api (slog). Only the edge counts.
    for (name, edge, behind, access_log) in [
        (
            "dns-failure",
            "gateway",
            "checkout-api",
            "gateway/access.log",
        ),
        (
            "oom-crashloop",
            "ingress-nginx",
            "reports-api",
            "ingress-nginx",
        ),
    ] {
        let v = analyze_json(name);
        let impact = &v["impact"];
        assert_eq!(impact["services"], serde_json::json!([edge]), "{name}");
        assert_eq!(impact["behind_edge"], serde_json::json!([behind]), "{name}");
        // No more requests than the edge logged at all.
        let path = sample(name).join(access_log);
        let files: Vec<PathBuf> = if path.is_dir() {
            std::fs::read_dir(&path)
                .expect("dir")
                .map(|e| e.expect("entry").path())
                .collect()
        } else {
            vec![path]
        };
        let logged: u64 = files
            .iter()
            .map(|f| std::fs::read_to_string(f).expect("read").lines().count() as u64)
            .sum();
        let requests = impact["requests"].as_u64().expect("requests");
        assert!(
            requests > 0 && requests <= logged,
            "{name}: {requests} requests counted, {logged} logged at the edge"
        );
    }
}
