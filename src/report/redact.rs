//! `--redact`: masks personal data and secrets in log-derived text before any report is
//! written, so reports can be attached to documents with a wider audience.
//!
//! Masked, in this order (each replacement says what it hid):
//! - passwords in connection strings (`postgres://app:s3cret@db` → `postgres://app:<password>@db`)
//!   and in `password=…`, `pwd=…`, `secret=…`, `api_key=…`, `access_token=…` pairs;
//! - bearer/basic credentials (`Authorization: Bearer eyJ…` → `Bearer <token>`) and JSON Web
//!   Tokens anywhere;
//! - e-mail addresses → `<email>`;
//! - IPv4 and IPv6 addresses → `<ip>` (validated with the standard library's parsers, so
//!   times such as `13:05:33` or Ruby's `Api::Foo` are left alone);
//! - long secrets: runs of 32+ base64/base64url characters mixing upper case, lower case and
//!   digits → `<secret>`. Pure hex runs (request ids, commit hashes, container ids) are kept:
//!   they identify, they do not authorise, and evidence needs them.
//!
//! What is NOT masked: user names and ids in free text (nothing marks them reliably), host
//! names, paths.

use crate::report::model::{ChangeInfo, Finding, Report};
use regex::{Captures, Regex};
use std::borrow::Cow;
use std::sync::LazyLock;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("built-in redaction pattern {pattern}: {e}"))
}

static CONN_PASSWORD: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b([a-z][a-z0-9+.\-]*://[^:/\s@]+:)[^@\s/]+@"));
static KV_SECRET: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)\b(password|passwd|pwd|secret|client_secret|api[_\-]?key|access[_\-]?token|auth[_\-]?token)("?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&"']+)"#,
    )
});
static BEARER: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(bearer|basic|token)(\s+)[A-Za-z0-9._~+/\-]{8,}=*"));
static JWT: LazyLock<Regex> =
    LazyLock::new(|| re(r"\beyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]*"));
static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| re(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"));
static IPV4: LazyLock<Regex> = LazyLock::new(|| re(r"\b\d{1,3}(?:\.\d{1,3}){3}\b"));
static IPV6: LazyLock<Regex> = LazyLock::new(|| re(r"[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*"));
// No `/` in the class: mixed-case URL paths and file paths (`/api/v2/Accounts/12345/…`) are
// not secrets, and a base64 secret still has 32-character runs between its slashes.
static SECRET: LazyLock<Regex> = LazyLock::new(|| re(r"[A-Za-z0-9+_\-]{32,}={0,2}"));

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Masks personal data and secrets in `s` (see the module docs).
pub fn redact(s: &str) -> Cow<'_, str> {
    let mut out: Cow<'_, str> = Cow::Borrowed(s);
    let mut apply = |re: &Regex, f: &dyn Fn(&Captures<'_>, &str) -> String| {
        if re.is_match(&out) {
            let text = out.to_string();
            let replaced = re.replace_all(&text, |c: &Captures<'_>| f(c, &text));
            out = Cow::Owned(replaced.into_owned());
        }
    };
    apply(&CONN_PASSWORD, &|c, _| format!("{}<password>@", &c[1]));
    apply(&KV_SECRET, &|c, _| {
        let q = match c[3].as_bytes().first() {
            Some(b'"') => "\"",
            Some(b'\'') => "'",
            _ => "",
        };
        format!("{}{}{q}<password>{q}", &c[1], &c[2])
    });
    apply(&JWT, &|_, _| "<token>".to_string());
    apply(&BEARER, &|c, _| {
        if c[0].contains("<token>") {
            c[0].to_string()
        } else {
            format!("{}{}<token>", &c[1], &c[2])
        }
    });
    apply(&EMAIL, &|_, _| "<email>".to_string());
    apply(&IPV4, &|c, _| {
        if c[0].parse::<std::net::Ipv4Addr>().is_ok() {
            "<ip>".to_string()
        } else {
            c[0].to_string()
        }
    });
    apply(&IPV6, &|c, text| {
        let m = c.get(0).map_or(0..0, |m| m.range());
        // `addr:2001:db8::1`: the match takes the separator `:` after a word; the address
        // starts after it (a leading `::` is part of the address).
        let lead = usize::from(c[0].starts_with(':') && !c[0].starts_with("::"));
        let bounded = text
            .as_bytes()
            .get((m.start + lead).wrapping_sub(1))
            .is_none_or(|&b| !is_word_byte(b))
            && text.as_bytes().get(m.end).is_none_or(|&b| !is_word_byte(b));
        // `[::1]:8080` and `fe80::1%eth0` forms: trim a trailing `:` before parsing.
        let candidate = c[0][lead..].trim_end_matches(':');
        // A digit is required: `Feed::Add` parses as IPv6 but is a Ruby or C++ name.
        if bounded
            && candidate.bytes().any(|b| b.is_ascii_digit())
            && candidate.parse::<std::net::Ipv6Addr>().is_ok()
        {
            format!("{}<ip>{}", &c[0][..lead], &c[0][lead + candidate.len()..])
        } else {
            c[0].to_string()
        }
    });
    apply(&SECRET, &|c, _| {
        let t = &c[0];
        let (upper, lower, digit) = (
            t.bytes().any(|b| b.is_ascii_uppercase()),
            t.bytes().any(|b| b.is_ascii_lowercase()),
            t.bytes().any(|b| b.is_ascii_digit()),
        );
        if upper && lower && digit {
            "<secret>".to_string()
        } else {
            t.to_string()
        }
    });
    out
}

fn redact_in_place(s: &mut String) {
    if let Cow::Owned(r) = redact(s) {
        *s = r;
    }
}

fn redact_change(c: &mut ChangeInfo) {
    if let Some(d) = c.description.as_mut() {
        redact_in_place(d);
    }
    if let Some(v) = c.version.as_mut() {
        redact_in_place(v);
    }
}

fn redact_finding(f: &mut Finding) {
    for e in &mut f.evidence {
        redact_in_place(&mut e.text);
    }
    if let Some(t) = f.template.as_mut() {
        redact_in_place(t);
    }
    redact_in_place(&mut f.why);
    if let Some(c) = f.change.as_mut() {
        redact_change(c);
    }
}

/// Masks every log-derived text of a report: evidence lines, templates, reasons, change
/// descriptions and notes. Counts, times, categories and paths are kept.
pub fn redact_report(r: &mut Report) {
    for f in r
        .causes
        .iter_mut()
        .chain(r.symptoms.iter_mut())
        .chain(r.background.iter_mut())
    {
        redact_finding(f);
    }
    for c in &mut r.deploys {
        redact_change(c);
    }
    for n in &mut r.notes {
        redact_in_place(n);
    }
    r.notes.push(
        "--redact: e-mail and IP addresses, tokens, passwords and long secrets are masked"
            .to_string(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_valid_ipv6_after_a_label() {
        assert_eq!(
            redact("inet6 addr:2001:db8::1/64 Scope:Global"),
            "inet6 addr:<ip>/64 Scope:Global"
        );
        assert_eq!(redact("peer=[::1]:5432"), "peer=[<ip>]:5432");
        assert_eq!(redact("Feed::Add failed"), "Feed::Add failed");
        assert_eq!(redact("at 12:30:45"), "at 12:30:45");
    }

    #[test]
    fn redact_valid_connection_string_password() {
        assert_eq!(
            redact("could not connect to postgres://billing:Xk29!pq@10.40.2.10:5432/billing"),
            "could not connect to postgres://billing:<password>@<ip>:5432/billing"
        );
        assert_eq!(
            redact("jdbc:postgresql://db:5432/app?user=app&password=hunter2&ssl=true"),
            "jdbc:postgresql://db:5432/app?user=app&password=<password>&ssl=true"
        );
        assert_eq!(
            redact(r#"{"password": "abc def"}"#),
            r#"{"password": "<password>"}"#
        );
    }

    #[test]
    fn redact_valid_bearer_and_jwt() {
        assert_eq!(
            redact("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcDEF123_-x"),
            "Authorization: Bearer <token>"
        );
        assert_eq!(
            redact("header Authorization: Basic dXNlcjpwYXNzd29yZA=="),
            "header Authorization: Basic <token>"
        );
    }

    #[test]
    fn redact_valid_email_and_addresses() {
        assert_eq!(
            redact("Login failed for jane.doe+test@example.co.uk from 81.248.176.166"),
            "Login failed for <email> from <ip>"
        );
        assert_eq!(
            redact("connect to [2001:db8::1]:5432 and fe80::1 failed"),
            "connect to [<ip>]:5432 and <ip> failed"
        );
        assert_eq!(redact("peer ::1 reset"), "peer <ip> reset");
    }

    #[test]
    fn redact_invalid_look_alikes_are_kept() {
        for s in [
            "2024-03-12 13:05:33.936 ERROR took 30005ms",
            "ActiveRecord::ConnectionNotEstablished in Api::InvoicesController",
            "Db::Foo and a::b",
            "version 1.2.3 and 999.1.1.1",
            "request 0f26e1680f608f3420eba36783d12a0e done",
            "commit 4f1c2a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39",
            "c.e.auth.session.SessionController",
            "GET /api/v2/Accounts/12345/Transactions/export HTTP/1.1",
            "File \"/usr/lib/python3.11/site-packages/SQLAlchemy/pool/impl.py\", line 12",
        ] {
            assert_eq!(redact(s), s, "{s}");
        }
    }

    #[test]
    fn redact_valid_long_mixed_secret() {
        assert_eq!(
            redact("using key AKIAIOSFODNN7EXAMPLEwJalrXUtnFEMIK7MDENGbPxRfiCY for upload"),
            "using key <secret> for upload"
        );
    }

    #[test]
    fn redact_report_valid_masks_evidence_and_notes() {
        let mut r = Report {
            schema_version: 1,
            tool: Default::default(),
            window: None,
            inputs: Vec::new(),
            deploys: Vec::new(),
            causes: Vec::new(),
            symptoms: Vec::new(),
            background: Vec::new(),
            notes: Vec::new(),
            chart: None,
            impact: None,
            clocks: Vec::new(),
            caps: Vec::new(),
        };
        r.notes.push("mail admin@example.com".to_string());
        redact_report(&mut r);
        assert!(r.notes.iter().any(|n| n == "mail <email>"));
        assert!(r.notes.iter().any(|n| n.starts_with("--redact")));
    }
}
