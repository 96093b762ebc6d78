//! The HTML report in a real browser: headless Chromium loads a report built from logs full of
//! hostile text and must show the chart and the causes, with that text only as escaped text
//! (no element injected), and must render a non-trivial screenshot.
//!
//! Needs `/usr/bin/chromium` (Debian package `chromium`; `.ci/run` installs it). Without it the
//! test fails, unless `CULPRIT_SKIP_BROWSER=1` is set.

use std::path::{Path, PathBuf};
use std::process::Command;

const HOSTILE_UA: &str = "<script>alert(1)</script>";
const HOSTILE_PATH: &str = "\"><img src=x onerror=alert(1)>";

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// An incident directory: an nginx access log whose 5xx burst carries hostile user agents and
/// paths, and an application log whose errors quote them (so they become evidence).
fn write_incident(dir: &Path) {
    let mut access = String::new();
    let mut app = String::new();
    // 40 quiet minutes, then 20 minutes of failures.
    for minute in 0..60u32 {
        let (h, m) = (10 + minute / 60, minute % 60);
        for sec in [5u32, 25, 45] {
            let failing = minute >= 40;
            let status = if failing { 502 } else { 200 };
            let path = if failing {
                format!("/login{HOSTILE_PATH}")
            } else {
                "/login".to_string()
            };
            // nginx "combined" log format.
            access.push_str(&format!(
                "203.0.113.{} - - [12/Mar/2024:{h:02}:{m:02}:{sec:02} +0000] \"GET {path} HTTP/1.1\" {status} 157 \"-\" \"{HOSTILE_UA}\"\n",
                10 + sec
            ));
            if failing {
                app.push_str(&format!(
                    "2024-03-12T{h:02}:{m:02}:{sec:02}.120Z ERROR request failed for user-agent {HOSTILE_UA} path {HOSTILE_PATH}: HikariPool-1 - Connection is not available, request timed out after 30000ms (total=10, active=10, idle=0, waiting=33)\n"
                ));
            } else {
                app.push_str(&format!(
                    "2024-03-12T{h:02}:{m:02}:{sec:02}.120Z INFO request served in 12 ms\n"
                ));
            }
        }
    }
    std::fs::create_dir_all(dir.join("lb")).expect("mkdir lb");
    std::fs::create_dir_all(dir.join("app")).expect("mkdir app");
    std::fs::write(dir.join("lb/access.log"), access).expect("write access.log");
    std::fs::write(dir.join("app/app.log"), app).expect("write app.log");
}

#[test]
fn html_report_valid_in_headless_chromium_with_hostile_logs() {
    let Some(browser) = chromium() else {
        if std::env::var("CULPRIT_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!("skipped: chromium not installed and CULPRIT_SKIP_BROWSER=1");
            return;
        }
        panic!(
            "chromium not found at /usr/bin/chromium: install it (apt-get install -y chromium) or set CULPRIT_SKIP_BROWSER=1 to skip this test"
        );
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let incident = tmp.path().join("incident");
    write_incident(&incident);
    let report = tmp.path().join("report.html");
    let o = Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(["analyze", "--format", "html", "-o"])
        .arg(&report)
        .arg(&incident)
        .output()
        .expect("run culprit");
    assert_eq!(
        o.status.code(),
        Some(0),
        "culprit failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let html = std::fs::read_to_string(&report).expect("read report");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the hostile user agent should reach the report as escaped text"
    );

    let profile = tmp.path().join("profile");
    let url = format!("file://{}", report.display());
    let run = |extra: &[&str]| {
        let o = Command::new(&browser)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--disable-extensions",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(&url)
            .output()
            .expect("run chromium");
        assert!(
            o.status.success(),
            "chromium failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        o
    };
    let dom = String::from_utf8_lossy(&run(&["--dump-dom"]).stdout).into_owned();
    assert!(dom.contains("<svg"), "no chart in the DOM");
    assert!(
        dom.contains("class=\"series\""),
        "no series paths in the chart"
    );
    assert!(dom.contains("id=\"causes\""), "no causes section");
    assert!(dom.contains("Root cause candidates"));
    // The browser re-serialises the parsed DOM: injected markup would appear as elements.
    assert!(!dom.contains("<img"), "an <img> element was injected");
    assert_eq!(
        dom.matches("<script").count(),
        0,
        "a <script> element was injected"
    );
    assert!(
        !dom.contains("onerror=\""),
        "an event handler attribute was injected: {}",
        dom.lines().find(|l| l.contains("onerror=\"")).unwrap_or("")
    );
    assert!(
        dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "hostile text should be shown as text"
    );

    let png = tmp.path().join("report.png");
    run(&[
        &format!("--screenshot={}", png.display()),
        "--window-size=1280,2000",
        "--hide-scrollbars",
    ]);
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "the screenshot is not a PNG"
    );
    assert!(
        bytes.len() > 20_000,
        "the screenshot is suspiciously small ({} bytes)",
        bytes.len()
    );
}
