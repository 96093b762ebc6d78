//! Fixtures shared by integration tests (`mod common;` in each test file that uses them; a
//! file that uses only some of them leaves the others unused, hence the allow).
#![allow(dead_code)]

/// Runs the culprit binary with `args`, without progress output.
pub fn culprit(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(args)
        .env("CULPRIT_QUIET", "1")
        .output()
        .expect("run culprit")
}

/// A Spring Boot service `api` over four hours: one `INFO` line a minute with `info`, then,
/// from minute 150 to 199, four `ERROR` lines a minute with `error` (an incident to analyse).
/// Lines are byte-exact Spring Boot 3 console output (`LOGGING_PATTERN_CONSOLE` default).
pub fn spring_incident(logger: &str, info: &str, error: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("api")).expect("mkdir");
    let logger = format!("{logger:<40}");
    let mut log = String::new();
    for m in 0..240u32 {
        let (h, mm) = (10 + m / 60, m % 60);
        log.push_str(&format!(
            "2024-03-12T{h:02}:{mm:02}:01.000Z  INFO 1 --- [api] [nio-8080-exec-1] {logger} : {info}\n"
        ));
        if (150..200).contains(&m) {
            for k in 0..4 {
                log.push_str(&format!(
                    "2024-03-12T{h:02}:{mm:02}:{:02}.000Z ERROR 1 --- [api] [nio-8080-exec-2] {logger} : {error}\n",
                    10 + k * 10
                ));
            }
        }
    }
    std::fs::write(dir.path().join("api/app.log"), log).expect("write");
    dir
}
