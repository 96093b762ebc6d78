//! Integration tests: the `culprit` binary on broken and hostile inputs, as found on the night
//! of an outage. Each case checks that culprit does not crash or hang, names the file at fault
//! on stderr, exits 2 only when an input could not be read completely (0 otherwise), and that
//! `lines = events + continuation + unparsed` for every input it read.
//!
//! Behaviour decided here (README "Reading inputs" should say the same):
//! * CR-only files (lone `\r` terminators, no `\n` in the first chunk) are split at each `\r`
//!   and a notice says so; in files with `\n`, a lone `\r` stays inside its line.
//! * UTF-16 with a BOM (LE or BE) is transcoded to UTF-8 with a notice; UTF-16 without a BOM
//!   is skipped with an `iconv` hint.
//! * timestamps going backwards inside one input are counted as `backwards` in
//!   `timeline --stats --format json`; the merged timeline stays in time order.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

mod common;
use common::culprit;

/// Python logging's default `%(asctime)s %(levelname)s %(message)s`-style line, as the
/// logging cookbook shows it (https://docs.python.org/3/howto/logging-cookbook.html).
fn py_line(sec: u32, level: &str, msg: &str) -> String {
    format!(
        "2024-01-21 15:{:02}:{:02},123 - app - {level} - {msg}",
        sec / 60 % 60,
        sec % 60
    )
}

fn py_lines(n: u32) -> String {
    (0..n)
        .map(|i| py_line(i, "ERROR", &format!("payment {i} failed")) + "\n")
        .collect()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, rel: &str, data: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, data).expect("write");
}

/// Runs `timeline --stats --format json` on `paths`; returns the per-input objects and the
/// process output. Asserts the accounting invariant for every input.
fn stats(paths: &[&Path]) -> (Vec<serde_json::Value>, Output) {
    let mut args = vec!["timeline", "--stats", "--format", "json"];
    let owned: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(owned.iter().map(String::as_str));
    let o = culprit(&args);
    let v: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stats json: {e}; stderr: {}", stderr(&o)));
    for s in &v {
        let n = |k: &str| s[k].as_u64().unwrap_or(u64::MAX);
        assert_eq!(
            n("events") + n("continuation") + n("unparsed"),
            n("lines"),
            "accounting does not add up: {s}"
        );
    }
    (v, o)
}

fn by_name<'a>(stats: &'a [serde_json::Value], name: &str) -> &'a serde_json::Value {
    stats
        .iter()
        .find(|s| s["path"].as_str().is_some_and(|p| p.ends_with(name)))
        .unwrap_or_else(|| panic!("no input {name} in {stats:?}"))
}

fn n(s: &serde_json::Value, key: &str) -> u64 {
    s[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} missing in {s}"))
}

/// Bytes that look random but are the same every run (xorshift).
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

#[test]
fn binary_files_in_log_dir_invalid_skipped_with_notice_others_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // ELF64 e_ident + e_type (ET_EXEC) + e_machine (x86-64), then noise.
    let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0\x01\0\0\0".to_vec();
    elf.extend(noise(8000, 7));
    write(d, "api/core-dump-helper", &elf);
    // PNG signature and IHDR chunk header.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend(noise(4000, 11));
    write(d, "api/graph.png", &png);
    // Noise alone (an encrypted blob): mostly control bytes.
    write(d, "api/blob.bin", &noise(8192, 13));
    write(d, "api/app.log", py_lines(20).as_bytes());
    let (v, o) = stats(&[d]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    for name in ["core-dump-helper", "graph.png", "blob.bin"] {
        assert!(
            err.lines()
                .any(|l| l.contains("notice") && l.contains(name) && l.contains("skipped")),
            "no notice for {name}: {err}"
        );
        let s = by_name(&v, name);
        assert!(s["skipped"].is_string(), "{s}");
        assert_eq!(n(s, "lines"), 0);
    }
    assert_eq!(n(by_name(&v, "app.log"), "events"), 20);
}

fn truncated_case(ext: &str, compress: fn(&[u8]) -> Vec<u8>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let text = py_lines(20_000);
    let packed = compress(text.as_bytes());
    let name = format!("app.log.1.{ext}");
    write(d, &format!("api/{name}"), &packed[..packed.len() / 2]);
    write(d, "api/app.log", py_lines(10).as_bytes());
    write(d, "db/postgresql.log", py_lines(5).as_bytes());
    let (v, o) = stats(&[d]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "partial run must exit 2: {err}");
    assert!(
        err.lines()
            .any(|l| l.contains("error") && l.contains(&name)),
        "error does not name {name}: {err}"
    );
    let s = by_name(&v, &name);
    let lines = n(s, "lines");
    assert!(lines > 1000 && lines < 20_000, "{s}");
    assert!(
        s["error"].as_str().is_some_and(|e| e.contains(&name)),
        "{s}"
    );
    assert!(
        n(s, "unparsed") <= 1,
        "only the cut last line may be unparsed: {s}"
    );
    assert_eq!(n(by_name(&v, "app.log"), "events"), 10);
    assert_eq!(n(by_name(&v, "postgresql.log"), "events"), 5);
    // analyze reads the same inputs and also says the run was partial.
    let o = culprit(&["analyze", d.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains(&name));
}

#[test]
fn truncated_gzip_invalid_lines_before_cut_counted_exit_2() {
    truncated_case("gz", |data| {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(data).expect("gzip");
        enc.finish().expect("gzip")
    });
}

#[test]
fn truncated_zstd_invalid_lines_before_cut_counted_exit_2() {
    truncated_case("zst", |data| zstd::encode_all(data, 1).expect("zstd"));
}

#[test]
fn hundred_mb_single_line_invalid_cut_once_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("huge.log");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&p).expect("create"));
        writeln!(f, "{}", py_line(0, "INFO", "before")).expect("write");
        write!(f, "{}", py_line(1, "ERROR", "dump: ")).expect("write");
        let block = vec![b'A'; 1 << 20];
        for _ in 0..100 {
            f.write_all(&block).expect("write");
        }
        writeln!(f).expect("write");
        writeln!(f, "{}", py_line(2, "INFO", "after")).expect("write");
    }
    let (v, o) = stats(&[&p]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = &v[0];
    assert_eq!(
        (n(s, "lines"), n(s, "cut"), n(s, "events")),
        (3, 1, 3),
        "{s}"
    );
    // The cut line's head is still an event with its time.
    let o = culprit(&["timeline", "--format", "jsonl", p.to_str().expect("utf8")]);
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("jsonl"))
        .collect();
    assert_eq!(events.len(), 3);
    let msg = events[1]["message"].as_str().expect("message");
    assert!(
        msg.starts_with("dump: AAAA") && msg.len() <= 1 << 20,
        "{}",
        msg.len()
    );
    assert_eq!(events[2]["message"], "after");
}

#[test]
fn invalid_utf8_and_nul_bytes_valid_lossy_lines_still_parsed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut data = Vec::new();
    data.extend_from_slice(py_line(0, "ERROR", "user caf\u{e9}").as_bytes());
    data.extend_from_slice(b"\n");
    // Latin-1 é, a lone continuation byte and an overlong encoding of '/'.
    data.extend_from_slice(py_line(1, "ERROR", "user caf").as_bytes());
    data.extend_from_slice(b"\xe9 \x80 \xc0\xaf\n");
    data.extend_from_slice(py_line(2, "WARNING", "nul:\0\0\0end").as_bytes());
    data.extend_from_slice(b"\n");
    data.extend_from_slice(py_line(3, "INFO", "ok").as_bytes());
    data.extend_from_slice(b"\n");
    let p = dir.path().join("app.log");
    std::fs::write(&p, &data).expect("write");
    let (v, o) = stats(&[&p]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = &v[0];
    assert_eq!(s["skipped"], serde_json::Value::Null);
    assert_eq!(
        (n(s, "lines"), n(s, "events"), n(s, "lossy")),
        (4, 4, 1),
        "{s}"
    );
    let o = culprit(&["timeline", "--format", "jsonl", p.to_str().expect("utf8")]);
    let text = String::from_utf8(o.stdout).expect("jsonl output is UTF-8");
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("jsonl"))
        .collect();
    assert_eq!(events.len(), 4);
    assert!(
        events[1]["message"]
            .as_str()
            .is_some_and(|m| m.contains('\u{FFFD}'))
    );
    assert_eq!(events[2]["message"], "nul:\0\0\0end");
}

#[test]
fn cr_only_line_endings_valid_each_cr_ends_a_line_with_notice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text: String = (0..50)
        .map(|i| py_line(i, "ERROR", &format!("e{i}")) + "\r")
        .collect();
    let p = dir.path().join("mac.log");
    std::fs::write(&p, &text).expect("write");
    let (v, o) = stats(&[&p]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(
        (n(&v[0], "lines"), n(&v[0], "events")),
        (50, 50),
        "{}",
        v[0]
    );
    assert_eq!(n(&v[0], "cut"), 0);
    assert!(
        err.contains("mac.log") && err.contains("lone CR"),
        "no notice: {err}"
    );
}

#[test]
fn mixed_line_endings_valid_crlf_and_lf_end_lines_lone_cr_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = format!(
        "{}\r\n{}\n{}\r{}\n",
        py_line(0, "ERROR", "crlf"),
        py_line(1, "ERROR", "lf"),
        py_line(2, "ERROR", "progress 10%"),
        py_line(3, "ERROR", "same line")
    );
    let p = dir.path().join("mixed.log");
    std::fs::write(&p, text).expect("write");
    let (v, o) = stats(&[&p]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!((n(&v[0], "lines"), n(&v[0], "events")), (3, 3), "{}", v[0]);
    let o = culprit(&["timeline", "--format", "jsonl", p.to_str().expect("utf8")]);
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("jsonl"))
        .collect();
    assert_eq!(events[0]["message"], "crlf");
    assert!(
        events[2]["message"]
            .as_str()
            .is_some_and(|m| m.contains('\r'))
    );
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if big_endian {
            &[0xFE, 0xFF]
        } else {
            &[0xFF, 0xFE]
        });
    }
    for u in text.encode_utf16() {
        out.extend_from_slice(&if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

#[test]
fn utf16_with_bom_valid_decoded_with_accounting() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Windows tools write CRLF; a non-ASCII character checks the transcoding.
    let text: String = (0..30)
        .map(|i| py_line(i, "ERROR", &format!("Zugriff verweigert f\u{fc}r {i}")) + "\r\n")
        .collect();
    write(dir.path(), "win/le.log", &utf16(&text, false, true));
    write(dir.path(), "win/be.log", &utf16(&text, true, true));
    write(dir.path(), "win/nobom.log", &utf16(&text, false, false));
    let (v, o) = stats(&[dir.path()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    for (name, enc) in [("le.log", "UTF-16LE"), ("be.log", "UTF-16BE")] {
        let s = by_name(&v, name);
        assert_eq!(
            (n(s, "lines"), n(s, "events"), n(s, "lossy")),
            (30, 30, 0),
            "{s}"
        );
        assert!(
            err.lines().any(|l| l.contains(name) && l.contains(enc)),
            "no notice for {name}: {err}"
        );
    }
    let s = by_name(&v, "nobom.log");
    assert!(
        s["skipped"].as_str().is_some_and(|w| w.contains("iconv")),
        "{s}"
    );
    assert!(err.contains("nobom.log"), "{err}");
    let le = dir.path().join("win/le.log");
    let o = culprit(&["timeline", "--format", "jsonl", le.to_str().expect("utf8")]);
    let first: serde_json::Value = serde_json::from_str(
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .expect("an event"),
    )
    .expect("json");
    assert_eq!(first["message"], "Zugriff verweigert f\u{fc}r 0");
}

#[test]
fn empty_and_newline_only_files_valid_balanced_exit_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a/empty.log", b"");
    write(dir.path(), "a/newlines.log", b"\n\n\n\n\n");
    write(dir.path(), "a/app.log", py_lines(3).as_bytes());
    let (v, o) = stats(&[dir.path()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(n(by_name(&v, "empty.log"), "lines"), 0);
    let s = by_name(&v, "newlines.log");
    assert_eq!((n(s, "lines"), n(s, "events")), (5, 0), "{s}");
    // A directory of nothing but empty files is not an error either.
    let only = tempfile::tempdir().expect("tempdir");
    write(only.path(), "empty.log", b"");
    let (v, o) = stats(&[only.path()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(v.len(), 1);
}

#[test]
fn unreadable_file_invalid_named_and_exit_2() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a/app.log", py_lines(3).as_bytes());
    write(dir.path(), "a/secret.log", py_lines(3).as_bytes());
    let secret = dir.path().join("a/secret.log");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let name = if std::fs::File::open(&secret).is_ok() {
        // Root reads through chmod 000: an input whose reads fail instead (the kernel answers
        // EIO for unmapped memory), which takes the same path through the reader.
        std::fs::remove_file(&secret).expect("rm");
        std::os::unix::fs::symlink("/proc/self/mem", dir.path().join("a/mem.log"))
            .expect("symlink");
        "mem.log"
    } else {
        "secret.log"
    };
    let (v, o) = stats(&[dir.path()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(name), "{err}");
    assert_eq!(n(by_name(&v, "app.log"), "events"), 3);
    assert_eq!(n(by_name(&v, name), "lines"), 0);
}

#[test]
fn directory_symlink_loop_invalid_notice_no_hang() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a/app.log", py_lines(4).as_bytes());
    write(dir.path(), "b/db.log", py_lines(2).as_bytes());
    std::os::unix::fs::symlink("..", dir.path().join("a/loop")).expect("symlink");
    let (v, o) = stats(&[dir.path()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.lines()
            .any(|l| l.contains("notice") && l.contains("loop")),
        "{err}"
    );
    assert_eq!(v.len(), 2, "{v:?}");
    assert_eq!(n(by_name(&v, "app.log"), "events"), 4);
    assert_eq!(n(by_name(&v, "db.log"), "events"), 2);
}

#[test]
fn file_appended_while_read_valid_no_crash_balanced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("live.log");
    std::fs::write(&p, py_lines(50_000)).expect("write");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (p, stop) = (p.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&p)
                .expect("open");
            let mut i = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && i < 2_000_000 {
                // Lines written in two pieces, so a reader may see a half line at the end.
                write!(f, "{}", py_line(i % 3600, "WARNING", "appended")).expect("append");
                writeln!(f, " {i}").expect("append");
                i += 1;
            }
        })
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_culprit"))
        .args(["timeline", "--stats", "--format", "json"])
        .arg(&p)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let out = {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut child.stdout.take().expect("stdout"), &mut s)
            .expect("read");
        s
    };
    let status = child.wait().expect("wait");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().expect("writer");
    assert_eq!(status.code(), Some(0));
    let v: Vec<serde_json::Value> = serde_json::from_slice(&out).expect("json");
    let s = &v[0];
    assert!(n(s, "lines") >= 50_000, "{s}");
    assert_eq!(
        n(s, "events") + n(s, "continuation") + n(s, "unparsed"),
        n(s, "lines")
    );
}

#[test]
fn timestamps_backwards_valid_counted_and_timeline_sorted() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A clock stepped back by NTP mid-file.
    let text = [10, 20, 30, 5, 6, 40, 1]
        .iter()
        .map(|&s| py_line(s, "ERROR", &format!("t{s}")) + "\n")
        .collect::<String>();
    let p = dir.path().join("app.log");
    std::fs::write(&p, text).expect("write");
    let (v, o) = stats(&[&p]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(n(&v[0], "backwards"), 2, "{}", v[0]);
    let o = culprit(&["timeline", "--format", "jsonl", p.to_str().expect("utf8")]);
    let times: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| {
            let e: serde_json::Value = serde_json::from_str(l).expect("jsonl");
            e["time"].as_str().expect("time").to_string()
        })
        .collect();
    assert_eq!(times.len(), 7);
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "timeline out of order");
}

#[test]
fn absurd_years_invalid_never_become_the_window() {
    // A whole file of dates no real log carries: none is placed on the timeline, so analyze
    // cannot report a window in year 9999 (or 0000, or 1900).
    let dir = tempfile::tempdir().expect("tempdir");
    let text: String = [
        "9999-12-31 23:59:59",
        "0000-01-01 00:00:00",
        "1900-01-01 00:00:00",
    ]
    .iter()
    .cycle()
    .take(300)
    .map(|t| format!("{t},000 - app - ERROR - database connection refused\n"))
    .collect();
    write(dir.path(), "app/app.log", text.as_bytes());
    let (v, _) = stats(&[dir.path()]);
    assert_eq!(n(&v[0], "events"), 0, "{}", v[0]);
    assert_eq!(v[0]["first"], serde_json::Value::Null);
    let o = culprit(&[
        "analyze",
        "--format",
        "json",
        dir.path().to_str().expect("utf8"),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!out.contains("9999-") && !out.contains("1900-"), "{out}");
    assert!(
        o.status.code() != Some(0) || !out.contains("0000-"),
        "{out}"
    );
}
