//! Integration and property tests: log lines are attacker-controlled (user names, URLs, user
//! agents), so every output of `analyze` (text, json, md, html) and `timeline` (text, jsonl,
//! csv) must stay inert and valid whatever they contain, and the escaping functions of
//! `culprit::report::escape` must keep their invariants for any string.

use culprit::report::escape;
use proptest::prelude::*;
use std::path::Path;

mod common;
use common::culprit;

const PAYLOADS: [&str; 9] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "[click](javascript:alert(1)) ![i](http://evil.example/x.png) <http://evil.example>",
    "``` closed? ~~~ also closed?",
    "\x1b]0;pwned\x07 \x1b[2J \x1b[1;1H \x1b[31mred\x1b[0m",
    "invoice\u{202E}fdp.exe",
    "| a | b |\t<b>bold</b> &amp; &lt;",
    "line\rover\u{7}bell",
    "LONG",
];

/// Two hours of healthy Python-logging lines, then an hour of errors whose messages are
/// `error(i)` for the i-th line.
fn python_log(error: impl Fn(u32) -> String) -> String {
    let mut text = String::new();
    for i in 0..3 * 360u32 {
        let (h, m, s) = (12 + i / 360, (i / 6) % 60, (i % 6) * 10);
        let stamp = format!("2024-01-21 {h:02}:{m:02}:{s:02},000 - api - ");
        if i < 2 * 360 {
            text.push_str(&format!("{stamp}INFO - request ok\n"));
        } else {
            text.push_str(&format!("{stamp}ERROR - {}\n", error(i)));
        }
    }
    text
}

/// An incident directory whose error messages carry the payloads (so they become evidence).
fn incident(dir: &Path) {
    let long = "A".repeat(100 * 1024);
    let text = python_log(|i| {
        let p = PAYLOADS[i as usize % PAYLOADS.len()];
        let p = if p == "LONG" { long.as_str() } else { p };
        format!("login failed for user {p}")
    });
    std::fs::create_dir_all(dir.join("api")).expect("mkdir");
    std::fs::write(dir.join("api/app.log"), text).expect("write");
}

fn run_ok(args: &[&str]) -> String {
    let o = culprit(args);
    assert!(
        o.status.code() == Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("output is UTF-8")
}

fn assert_terminal_inert(what: &str, s: &str) {
    for (bad, name) in [('\x1b', "ESC"), ('\x07', "BEL"), ('\u{202E}', "U+202E")] {
        assert!(!s.contains(bad), "{what}: raw {name} in output");
    }
    assert!(
        !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t'),
        "{what}: raw control character in output"
    );
}

/// Whether the byte at `i` is backslash-escaped (an odd run of `\` before it).
fn escaped(line: &[u8], i: usize) -> bool {
    line[..i].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

fn assert_markdown_inert(md: &str) {
    let mut fence: Option<String> = None;
    for (n, line) in md.lines().enumerate() {
        let trimmed = line.trim_start();
        let run: String = trimmed
            .chars()
            .take_while(|&c| c == '`' || c == '~')
            .collect();
        let is_fence =
            run.len() >= 3 && run.chars().all(|c| c == run.chars().next().unwrap_or('`'));
        match &fence {
            Some(open) => {
                // Inside a block only its own fence (alone on the line) may close it.
                if trimmed.trim_end() == open {
                    fence = None;
                } else {
                    assert!(
                        !(is_fence && run.starts_with(open.as_str()) && trimmed.trim_end() == run),
                        "md line {n}: block closed early"
                    );
                }
                continue;
            }
            None if is_fence => {
                fence = Some(run);
                continue;
            }
            None => {}
        }
        let b = line.as_bytes();
        for i in 0..b.len() {
            if b[i] == b'<' {
                assert!(escaped(b, i), "md line {n}: unescaped '<': {line:.200}");
            }
            if b[i] == b']' && b.get(i + 1) == Some(&b'(') {
                assert!(escaped(b, i), "md line {n}: unescaped '](': {line:.200}");
            }
            if b[i] == b'!' && b.get(i + 1) == Some(&b'[') {
                assert!(
                    escaped(b, i + 1),
                    "md line {n}: unescaped '![': {line:.200}"
                );
            }
        }
    }
    assert!(fence.is_none(), "md: a code fence is never closed");
    assert!(!md.contains('\x1b') && !md.contains('\u{202E}'));
}

fn assert_html_inert(html: &str) {
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "html: <script");
    assert!(!lower.contains("<img"), "html: <img");
    // Every tag is one of the report's own, and none carries an event handler.
    let mut rest = lower.as_str();
    while let Some(pos) = rest.find('<') {
        rest = &rest[pos + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        // Attribute names only: quoted values are data (escaped), whatever they say.
        let names: String = tag.split('"').step_by(2).collect::<Vec<_>>().join(" ");
        assert!(
            !names
                .split_whitespace()
                .skip(1)
                .any(|a| a.starts_with("on")),
            "html: event handler in tag <{tag:.200}>"
        );
    }
    assert!(!html.contains('\x1b') && !html.contains('\u{202E}'));
}

fn assert_json_round_trips(what: &str, json: &str) {
    let v: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{what}: invalid JSON: {e}"));
    let text = v.to_string();
    assert!(
        text.contains("<script>alert(1)</script>") && text.contains("\\u001b]0;pwned"),
        "{what}: payloads not carried verbatim"
    );
}

#[test]
fn analyze_every_format_valid_inert_with_hostile_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    incident(dir.path());
    let d = dir.path().to_str().expect("utf8");
    let text = run_ok(&["analyze", d]);
    assert!(text.contains("login failed"), "no evidence in the report");
    assert_terminal_inert("analyze text", &text);
    assert_json_round_trips("analyze json", &run_ok(&["analyze", "--format", "json", d]));
    assert_markdown_inert(&run_ok(&["analyze", "--format", "md", d]));
    assert_html_inert(&run_ok(&["analyze", "--format", "html", d]));
}

#[test]
fn timeline_every_format_valid_inert_with_hostile_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    incident(dir.path());
    let d = dir.path().to_str().expect("utf8");
    let text = run_ok(&["timeline", d]);
    assert!(text.contains("login failed"));
    assert_terminal_inert("timeline text", &text);
    let jsonl = run_ok(&["timeline", "--format", "jsonl", d]);
    let mut all = String::new();
    for line in jsonl.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("jsonl line");
        all.push_str(v["message"].as_str().unwrap_or(""));
    }
    assert!(all.contains("\x1b]0;pwned\x07") && all.contains("invoice\u{202E}fdp.exe"));
    let csv = run_ok(&["timeline", "--format", "csv", d]);
    let records = parse_csv(&csv);
    let width = records[0].len();
    assert!(records.iter().all(|r| r.len() == width), "ragged CSV");
    assert_eq!(records.len(), jsonl.lines().count() + 1);
}

/// File and directory names are attacker-controlled too (an upload's name, a pod's name in a
/// collected bundle): they appear in notices, input tables, evidence locations and service
/// names, and must be as inert as log text.
#[test]
fn file_names_every_output_valid_inert_with_hostile_names() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("bundle");
    // No `/` (a path separator), everything else goes.
    let evil = "x\x1b]0;pwned\x07<script>alert(1)<img src=x onerror=alert(1)>\u{202E}[a](javascript:alert(1))\n```|";
    let svc = root.join(evil);
    std::fs::create_dir_all(&svc).expect("mkdir");
    let text = python_log(|_| "connection refused by upstream".to_string());
    std::fs::write(svc.join(format!("{evil}.log")), text).expect("write");
    // A binary file (skipped, with a notice on stderr) and a name that is not UTF-8.
    std::fs::write(
        svc.join(format!("core-{evil}.log")),
        [0u8, 159, 146, 150, 0, 1, 2].repeat(600),
    )
    .expect("write");
    let raw = std::ffi::OsStr::from_bytes(b"bad-\xff\xfe-\x1b[2J.log");
    std::fs::write(
        svc.join(raw),
        "2024-01-21 14:30:00,000 - api - ERROR - late\n",
    )
    .expect("write");
    let d = root.to_str().expect("utf8");
    let outputs = [
        ("analyze", &["analyze", d][..]),
        ("analyze md", &["analyze", "--format", "md", d][..]),
        ("analyze html", &["analyze", "--format", "html", d][..]),
        ("analyze json", &["analyze", "--format", "json", d][..]),
        ("timeline", &["timeline", d][..]),
        ("timeline stats", &["timeline", "--stats", d][..]),
    ];
    for (what, args) in outputs {
        let o = culprit(args);
        let out = String::from_utf8(o.stdout).expect("stdout is UTF-8");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("core-"),
            "{what}: no notice for the binary file: {err}"
        );
        assert_terminal_inert(&format!("{what} stderr"), &err);
        assert!(
            out.contains("pwned"),
            "{what}: the hostile name is not shown at all"
        );
        match what {
            "analyze md" => assert_markdown_inert(&out),
            "analyze html" => assert_html_inert(&out),
            "analyze json" => {
                let v: serde_json::Value = serde_json::from_str(&out).expect("json");
                assert!(v.to_string().contains("<img src=x onerror=alert(1)>"));
            }
            _ => assert_terminal_inert(what, &out),
        }
    }
}

/// A strict RFC 4180 reader: quoted fields may hold `,`, `"` (doubled) and line breaks.
fn parse_csv(s: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let mut chars = s.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, c) => {
                assert!(
                    c != '"' && c != '\r',
                    "stray {c:?} in an unquoted CSV field"
                );
                field.push(c);
            }
        }
    }
    assert!(!quoted, "unterminated quoted CSV field");
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// Right-to-left override and left-to-right isolate (kept out of `prop_assert!` format
/// strings, which would read their braces).
const RLO: char = '\u{202E}';
const LRI: char = '\u{2066}';

/// Strings rich in what matters to the escapers: markup, Markdown syntax, backtick runs,
/// controls, bidi overrides, and any Unicode.
fn hostile() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(vec![
                "<", ">", "&", "\"", "'", "[", "]", "(", ")", "!", "`", "```", "````", "~~~", "|",
                "\\", "*", "_", "#", "\n", "\r", "\t", "\x1b", "\x07", "\u{202E}", "\u{2066}",
                "\u{85}", "\0", "www.", "http://", "@", ":", ".", "&lt;", "&#39;",
            ])
            .prop_map(str::to_string),
            any::<char>().prop_map(String::from),
            "[a-z ]{0,5}",
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn html_escape_valid_no_markup_survives(s in hostile()) {
        let out = escape::html(&s);
        prop_assert!(!out.contains(['<', '>', '"', '\'']));
        for (i, _) in out.match_indices('&') {
            let rest = &out[i..];
            prop_assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].iter().any(|e| rest.starts_with(e)),
                "bare & in {out:?}"
            );
        }
        prop_assert!(!out.chars().any(|c| (c.is_control() && c != '\n' && c != '\t') || c == RLO));
    }

    #[test]
    fn terminal_escape_valid_no_control_but_tab(s in hostile()) {
        let out = escape::terminal(&s);
        prop_assert!(!out.chars().any(|c| c.is_control() && c != '\t'));
        prop_assert!(!out.contains([RLO, LRI]));
    }

    #[test]
    fn markdown_inline_valid_no_live_syntax(s in hostile()) {
        let out = escape::markdown_inline(&s);
        prop_assert!(!out.contains(['\n', '\r']));
        let b = out.as_bytes();
        for (i, &c) in b.iter().enumerate() {
            if matches!(c, b'[' | b']' | b'<' | b'`' | b'|') {
                prop_assert!(escaped(b, i), "unescaped {:?} in {out:?}", c as char);
            }
        }
        prop_assert!(!out.chars().any(|c| c.is_control() || c == RLO));
    }

    #[test]
    fn markdown_code_block_valid_cannot_be_closed_early(s in hostile(), info in "[a-z`~ ]{0,6}") {
        let out = escape::markdown_code_block(&s, &info);
        let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
        let fence: String = out.chars().take_while(|&c| c == '`').collect();
        prop_assert!(fence.len() >= 3 && fence.len() > longest);
        let lines: Vec<&str> = out.lines().collect();
        prop_assert!(lines.len() >= 2);
        prop_assert_eq!(lines[lines.len() - 1], fence.as_str());
        // No inner line can close it: a closing fence is at least as long and alone on its
        // line, after up to three spaces.
        for l in &lines[1..lines.len() - 1] {
            let t = l.trim_start_matches(' ');
            let run = t.chars().take_while(|&c| c == '`').count();
            prop_assert!(run < fence.len(), "inner line {l:?} closes {fence:?}");
        }
        prop_assert!(!lines[0][fence.len()..].contains(['`', ' ']));
        prop_assert!(!out.chars().any(|c| (c.is_control() && c != '\n' && c != '\t') || c == RLO));
    }

    #[test]
    fn csv_field_valid_round_trips(fields in prop::collection::vec(hostile(), 1..5)) {
        let line: Vec<String> = fields.iter().map(|f| escape::csv_field(f).into_owned()).collect();
        let text = line.join(",") + "\n";
        let parsed = parse_csv(&text);
        prop_assert_eq!(parsed.len(), 1);
        prop_assert_eq!(&parsed[0], &fields);
    }
}
