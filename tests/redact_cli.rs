//! `culprit analyze --redact`: personal data and secrets from log lines appear in no report
//! format.

use std::process::Command;

mod common;

/// A Spring Boot service whose pool starts timing out, logging a user's e-mail, the client's
/// address and a JDBC URL with a password in its errors.
fn incident_dir() -> tempfile::TempDir {
    common::spring_incident(
        "c.e.api.LoginController",
        "login ok for user 42",
        "login failed for jane.doe@example.com from 203.0.113.77: HikariPool-1 - Connection is not available, request timed out after 30000ms (total=10, active=10, idle=0, waiting=12) url=jdbc:postgresql://db:5432/app?user=app&password=hunter2secret",
    )
}

#[test]
fn redact_valid_no_secret_in_any_format() {
    let dir = incident_dir();
    for format in ["text", "json", "md", "html"] {
        let o = Command::new(env!("CARGO_BIN_EXE_culprit"))
            .args(["analyze", "--redact", "--format", format])
            .arg(dir.path())
            .output()
            .expect("run culprit");
        assert_eq!(
            o.status.code(),
            Some(0),
            "{format}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            out.contains("HikariPool-1"),
            "{format}: evidence is still shown"
        );
        for secret in ["jane.doe", "example.com", "203.0.113.77", "hunter2secret"] {
            assert!(!out.contains(secret), "{format} leaks {secret}");
        }
    }
    // Without --redact the evidence is verbatim (so the test above can fail).
    let o = Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(["analyze", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("run culprit");
    assert!(String::from_utf8_lossy(&o.stdout).contains("203.0.113.77"));
}
