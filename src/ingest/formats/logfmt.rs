//! logfmt: lines of `key=value` pairs, as printed by Go's `log/slog` TextHandler
//! (`time=… level=INFO msg=… k=v`), logrus TextFormatter when not on a terminal
//! (`time="…" level=warning msg="…"`), go-kit log (Prometheus, Loki, Alertmanager:
//! `level=info ts=… caller=main.go:42 msg="…"`), Grafana (`logger=… t=… level=info msg=…`) and
//! the Heroku router (`at=error code=H12 desc="Request timeout" … status=503`), also with the
//! `heroku logs` prefix `2010-10-06T21:51:37-07:00 heroku[router]: `.
//!
//! [`scan`] is a hand parser over the bytes: values are bare (up to the next space) or quoted
//! with Go `strconv.Quote` escapes, bare keys are flags. To keep prose and other formats out,
//! a line only counts as logfmt when its first token is a `key=value` pair, it has at least two
//! pairs, and flags or stray words are at most half as many as the pairs. Keys play the same
//! roles as in JSON lines (time, level, message, service); the rest become fields under the
//! canonical keys shared with [`super::json_lines`].

use super::json_lines::{level_from_word, parse_time_str, push_canonical};
use super::{Format, LineParse, Parsed};
use crate::event::Level;
use crate::time::RawTime;
use crate::time::parse::parse_iso8601;
use std::borrow::Cow;

#[derive(Debug, Default)]
pub struct Logfmt;

impl Logfmt {
    pub const NAME: &'static str = "logfmt";
}

impl Format for Logfmt {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        let (prefix, body) = match heroku_prefix(line) {
            Some((p, body)) => (Some(p), body),
            None => (None, line),
        };
        let Some(scan) = scan(body) else {
            return LineParse::NoMatch;
        };
        if !scan.is_logfmt() {
            return LineParse::NoMatch;
        }
        LineParse::Event(build(scan.pairs, prefix, body))
    }

    fn multiline(&self) -> bool {
        false
    }
}

/// The `heroku logs` line prefix: `timestamp source[dyno]: `.
#[derive(Debug, Clone, Copy)]
struct HerokuPrefix<'a> {
    time: RawTime,
    source: &'a str,
    dyno: &'a str,
}

/// `2010-10-06T21:51:37-07:00 heroku[router]: at=error …` (Heroku Dev Center, "Logging":
/// "timestamp source[dyno]: message", RFC 5424 timestamp; sources are `app` and `heroku`).
/// Only the prefix is read here; the caller still requires logfmt after it, so plain app
/// output (`app[web.1]: Rendering post/list`) is left to other formats.
fn heroku_prefix(line: &str) -> Option<(HerokuPrefix<'_>, &str)> {
    let b = line.as_bytes();
    if !b.first()?.is_ascii_digit() {
        return None;
    }
    let (time, used) = parse_iso8601(b)?;
    if !matches!(time, RawTime::Utc(_)) {
        return None;
    }
    let rest = line.get(used..)?.strip_prefix(' ')?;
    let (token, body) = rest.split_once(' ')?;
    let token = token.strip_suffix(':')?;
    let (source, dyno) = token.strip_suffix(']')?.split_once('[')?;
    if source.is_empty()
        || !source.bytes().all(|c| c.is_ascii_lowercase())
        || dyno.is_empty()
        || dyno.contains(' ')
    {
        return None;
    }
    Some((HerokuPrefix { time, source, dyno }, body))
}

/// What [`scan`] found in a line.
#[derive(Debug, Default)]
struct Scan<'a> {
    pairs: Vec<(&'a str, Cow<'a, str>)>,
    /// Bare keys (`key` without `=`), allowed by go-logfmt.
    flags: usize,
    /// Tokens that are neither a valid pair nor a valid flag.
    junk: usize,
    first_is_pair: bool,
}

impl Scan<'_> {
    fn is_logfmt(&self) -> bool {
        self.first_is_pair
            && self.pairs.len() >= 2
            && self.flags + self.junk <= self.pairs.len() / 2
    }
}

/// A key as loggers write them: a letter, `_` or `@` first, then letters, digits and
/// `_ . - / @ :` (slog groups give `req.method`, Grafana `logger`, go-kit `caller`).
fn valid_key(k: &str) -> bool {
    let b = k.as_bytes();
    match b.first() {
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' || *c == b'@' => {}
        _ => return false,
    }
    b.len() <= 64
        && b.iter().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'/' | b'@' | b':')
        })
}

/// Splits a line into pairs, following go-logfmt's grammar
/// (github.com/go-logfmt/logfmt, decode.go): `key=value`, `key="quoted value"`, `key=`
/// (empty value) and bare `key`. Returns `None` for an unterminated quote.
fn scan(s: &str) -> Option<Scan<'_>> {
    let b = s.as_bytes();
    let mut out = Scan::default();
    let mut i = 0;
    let mut first = true;
    while i < b.len() {
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let key_start = i;
        while i < b.len() && !matches!(b[i], b' ' | b'\t' | b'=' | b'"') {
            i += 1;
        }
        let key = s.get(key_start..i)?;
        match b.get(i) {
            Some(b'=') => {
                i += 1;
                let value = if b.get(i) == Some(&b'"') {
                    let (v, used) = quoted(s.get(i..)?)?;
                    i += used;
                    v
                } else {
                    let start = i;
                    while i < b.len() && b[i] != b' ' && b[i] != b'\t' {
                        i += 1;
                    }
                    Cow::Borrowed(s.get(start..i)?)
                };
                // A value must end at a space (`msg="a"b` is not logfmt).
                let clean = matches!(b.get(i), None | Some(b' ') | Some(b'\t'));
                if valid_key(key) && clean {
                    out.pairs.push((key, value));
                    if first {
                        out.first_is_pair = true;
                    }
                } else {
                    out.junk += 1;
                    i = skip_token(b, i);
                }
            }
            Some(b'"') => {
                // A quote inside or at the start of a word: prose or another format.
                out.junk += 1;
                i = match quoted(s.get(i..)?) {
                    Some((_, used)) => skip_token(b, i + used),
                    None => return None,
                };
            }
            _ => {
                if valid_key(key) {
                    out.flags += 1;
                } else {
                    out.junk += 1;
                }
            }
        }
        first = false;
    }
    Some(out)
}

fn skip_token(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i] != b' ' && b[i] != b'\t' {
        i += 1;
    }
    i
}

/// A quoted value at the start of `s` (which begins with `"`): the unescaped text and the
/// bytes used including both quotes. Escapes are Go's `strconv.Quote` ones (slog and go-kit
/// quote with it, logrus with `%q`): `\"`, `\\`, `\n`, `\t`, `\r`, `\uXXXX`; any other
/// escape is kept as written. Borrows when there is nothing to unescape.
fn quoted(s: &str) -> Option<(Cow<'_, str>, usize)> {
    let b = s.as_bytes();
    let mut i = 1;
    let mut escaped = false;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                escaped = true;
                i += 2;
            }
            b'"' => break,
            _ => i += 1,
        }
    }
    if i >= b.len() {
        return None;
    }
    let inner = s.get(1..i)?;
    let value = if escaped {
        Cow::Owned(unescape(inner))
    } else {
        Cow::Borrowed(inner)
    };
    Some((value, i + 1))
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push_str("\\u");
                        out.push_str(&hex);
                    }
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Turns pairs into a [`Parsed`].
///
/// * time: `time` (slog, logrus), `ts` (go-kit), `t` (Grafana), `timestamp`, `@timestamp`,
///   `date`; else the Heroku prefix time;
/// * level: `level`, `lvl` (old Grafana), `severity`, `loglevel`, `log.level`; else Heroku's
///   `at` and the HTTP `status`, whichever is worse;
/// * message: `msg`, `message`; else `err`/`error` (go-kit often logs only `err=`), else the
///   Heroku `desc`, else the whole line;
/// * service: `service`, `app`, `application`, `service.name` (but a Heroku `service=30001ms`
///   is the request's service time), else the process of a `heroku[…]` prefix.
fn build<'a>(
    pairs: Vec<(&'a str, Cow<'a, str>)>,
    prefix: Option<HerokuPrefix<'a>>,
    body: &'a str,
) -> Parsed<'a> {
    let mut time: Option<RawTime> = None;
    let mut level: Option<Level> = None;
    let mut at_level: Option<Level> = None;
    let mut status_level: Option<Level> = None;
    let mut message: Option<Cow<'a, str>> = None;
    let mut error_text: Option<Cow<'a, str>> = None;
    let mut desc: Option<Cow<'a, str>> = None;
    let mut service: Option<Cow<'a, str>> = None;
    let mut fields: Vec<(Cow<'a, str>, Cow<'a, str>)> = Vec::new();
    for (key, value) in pairs {
        match key {
            "time" | "ts" | "t" | "timestamp" | "@timestamp" | "date" if time.is_none() => {
                if let Some(t) = parse_time_str(&value) {
                    time = Some(t);
                    continue;
                }
            }
            "level" | "lvl" | "severity" | "loglevel" | "log.level" if level.is_none() => {
                if let Some(l) = level_from_word(&value) {
                    level = Some(l);
                    continue;
                }
            }
            "msg" | "message" if message.is_none() => {
                message = Some(value);
                continue;
            }
            "service" | "app" | "application" | "service.name" if service.is_none() => {
                let is_duration = super::json_lines::latency_seconds("service", &value).is_some();
                if !is_duration && !value.is_empty() {
                    service = Some(value);
                    continue;
                }
            }
            "at" => at_level = Level::parse(&value),
            "status" => {
                status_level = value
                    .parse::<u16>()
                    .ok()
                    .filter(|s| (100..=599).contains(s))
                    .map(Level::from_http_status);
            }
            "err" | "error" if error_text.is_none() => error_text = Some(value.clone()),
            "desc" if desc.is_none() => desc = Some(value.clone()),
            _ => {}
        }
        push_canonical(&mut fields, Cow::Borrowed(key), value);
    }
    if let Some(p) = prefix {
        time = time.or(Some(p.time));
        if p.source == "heroku" && service.is_none() {
            service = Some(Cow::Borrowed(p.dyno));
        } else if p.source == "app" {
            push_canonical(&mut fields, Cow::Borrowed("dyno"), Cow::Borrowed(p.dyno));
        }
    }
    if level.is_none() {
        level = match (at_level, status_level) {
            (Some(a), Some(s)) => Some(a.max(s)),
            (a, s) => a.or(s),
        };
    }
    let message = message
        .or(error_text)
        .or(desc)
        .unwrap_or(Cow::Borrowed(body.trim()));
    Parsed {
        time,
        level,
        message,
        service,
        fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Timestamp, keys};
    use crate::time::ymd_hms;

    fn event(line: &str) -> Parsed<'_> {
        match Logfmt.parse(line) {
            LineParse::Event(p) => p,
            other => panic!("expected an event for {line:?}, got {other:?}"),
        }
    }

    fn utc(p: &Parsed<'_>) -> Timestamp {
        match p.time {
            Some(RawTime::Utc(t)) => t,
            other => panic!("expected a UTC time, got {other:?}"),
        }
    }

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: i64) -> Timestamp {
        Timestamp(ymd_hms(y, mo, d, h, mi, s).0 + nanos)
    }

    // log/slog package documentation example.
    #[test]
    fn slog_text_valid_docs_example() {
        let p = event("time=2022-11-08T15:28:26.000-05:00 level=INFO msg=hello count=3");
        assert_eq!(utc(&p), ymd_hms(2022, 11, 8, 20, 28, 26));
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(p.message, "hello");
        assert_eq!(p.field("count"), Some("3"));
    }

    #[test]
    fn slog_text_valid_quoted_message_and_error() {
        let p = event(
            r#"time=2024-01-21T15:00:02.123Z level=ERROR msg="connection refused" service=api err="dial tcp 10.0.0.5:5432: connect: connection refused""#,
        );
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.message, "connection refused");
        assert_eq!(p.service.as_deref(), Some("api"));
        assert_eq!(
            p.field("err"),
            Some("dial tcp 10.0.0.5:5432: connect: connection refused")
        );
        assert_eq!(utc(&p), at(2024, 1, 21, 15, 0, 2, 123_000_000));
    }

    #[test]
    fn slog_text_valid_level_offset_and_groups() {
        let p = event(
            "time=2024-01-21T15:00:02.123Z level=WARN+2 msg=slow req.method=GET req.path=/cart",
        );
        assert_eq!(p.level, Some(Level::Warn));
        assert_eq!(p.field(keys::HTTP_METHOD), Some("GET"));
        assert_eq!(p.field("req.path"), Some("/cart"));
    }

    // logrus TextFormatter without a TTY (logrus README), and containerd's own log.
    #[test]
    fn logrus_text_valid_quoted_time() {
        let p = event(
            r#"time="2015-03-26T01:27:38-04:00" level=debug msg="Started observing beach" animal=walrus number=8"#,
        );
        assert_eq!(utc(&p), ymd_hms(2015, 3, 26, 5, 27, 38));
        assert_eq!(p.level, Some(Level::Debug));
        assert_eq!(p.message, "Started observing beach");
        assert_eq!(p.field("animal"), Some("walrus"));
    }

    #[test]
    fn logrus_text_valid_containerd_nanos_warning() {
        let p = event(
            r#"time="2021-05-17T19:43:06.552901047-07:00" level=warning msg="sd notification" error="<nil>" notified=true state="STOPPING=1""#,
        );
        assert_eq!(utc(&p), at(2021, 5, 18, 2, 43, 6, 552_901_047));
        assert_eq!(p.level, Some(Level::Warn));
        assert_eq!(p.field("state"), Some("STOPPING=1"));
    }

    // go-kit log as printed by Prometheus 2.x and Loki.
    #[test]
    fn gokit_valid_prometheus_ts_first() {
        let p = event(
            r#"ts=2024-10-27T05:19:13.044Z caller=main.go:1441 level=info msg="updated GOGC" old=100 new=75"#,
        );
        assert_eq!(utc(&p), at(2024, 10, 27, 5, 19, 13, 44_000_000));
        assert_eq!(p.message, "updated GOGC");
        assert_eq!(p.field("caller"), Some("main.go:1441"));
    }

    #[test]
    fn gokit_valid_loki_level_first_nested_quotes() {
        let p = event(
            r#"level=info ts=2023-09-02T00:50:53.026961126Z caller=main.go:108 msg="Starting Loki" version="(version=2.8.4, branch=HEAD, revision=89d282c)""#,
        );
        assert_eq!(
            p.field("version"),
            Some("(version=2.8.4, branch=HEAD, revision=89d282c)")
        );
        assert_eq!(utc(&p), at(2023, 9, 2, 0, 50, 53, 26_961_126));
    }

    #[test]
    fn gokit_valid_err_only_becomes_message() {
        let p = event(
            r#"level=error ts=2021-10-31T17:26:25.884Z caller=main.go:917 err="opening storage failed: lock DB directory: resource temporarily unavailable""#,
        );
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(
            p.message,
            "opening storage failed: lock DB directory: resource temporarily unavailable"
        );
    }

    #[test]
    fn gokit_valid_escaped_quotes_in_message() {
        let p = event(
            r#"level=warn ts=2023-09-02T00:50:52.792Z caller=loki.go:286 msg="per-tenant timeout not configured, using default engine timeout (\"5m0s\")." component=querier"#,
        );
        assert_eq!(
            p.message,
            "per-tenant timeout not configured, using default engine timeout (\"5m0s\")."
        );
        assert_eq!(p.level, Some(Level::Warn));
    }

    // Grafana: `t=` time, `logger=` first; older versions `lvl=`.
    #[test]
    fn grafana_valid_t_key_and_lvl() {
        let p = event(
            r#"logger=sqlstore t=2024-07-19T09:56:50.904587023Z level=info msg="Connecting to DB" dbtype=sqlite3"#,
        );
        assert_eq!(utc(&p), at(2024, 7, 19, 9, 56, 50, 904_587_023));
        assert_eq!(p.field(keys::LOGGER), Some("sqlstore"));
        let p = event(
            r#"logger=sqlstore t=2022-06-18T12:44:38.51+0000 lvl=info msg="Created default admin" user=admin"#,
        );
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(utc(&p), at(2022, 6, 18, 12, 44, 38, 510_000_000));
        assert_eq!(p.field(keys::USER), Some("admin"));
    }

    // Heroku router H12 line (Heroku Dev Center, "Heroku Error Codes"), bare.
    #[test]
    fn heroku_router_valid_error_line_without_prefix() {
        let p = event(
            r#"at=error code=H12 desc="Request timeout" method=GET path="/" host=myapp.herokuapp.com request_id=8601b555-6a83-4c12-8269-97c8e32cdb22 fwd="204.204.204.204" dyno=web.1 connect=0ms service=30000ms status=503 bytes=0 protocol=https"#,
        );
        assert_eq!(p.time, None);
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.message, "Request timeout");
        assert_eq!(p.service, None);
        assert_eq!(p.field(keys::ERROR_CODE), Some("H12"));
        assert_eq!(p.field(keys::HTTP_STATUS), Some("503"));
        assert_eq!(p.field(keys::HTTP_METHOD), Some("GET"));
        assert_eq!(p.field(keys::HTTP_PATH), Some("/"));
        assert_eq!(p.field(keys::HTTP_LATENCY), Some("30"));
        assert_eq!(p.field(keys::CLIENT), Some("204.204.204.204"));
        assert_eq!(
            p.field(keys::REQUEST_ID),
            Some("8601b555-6a83-4c12-8269-97c8e32cdb22")
        );
        assert_eq!(p.field(keys::HTTP_BYTES), Some("0"));
        assert_eq!(p.field("dyno"), Some("web.1"));
    }

    #[test]
    fn heroku_router_valid_with_heroku_logs_prefix() {
        let p = event(
            r#"2010-10-06T21:51:37-07:00 heroku[router]: at=error code=H12 desc="Request timeout" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno=web.1 connect=6ms service=30001ms status=503 bytes=0"#,
        );
        assert_eq!(utc(&p), ymd_hms(2010, 10, 7, 4, 51, 37));
        assert_eq!(p.service.as_deref(), Some("router"));
        assert_eq!(p.field(keys::HTTP_LATENCY), Some("30.001"));
    }

    // An `at=info` line whose status is a 5xx is still an error.
    #[test]
    fn heroku_router_valid_level_from_status() {
        let p = event(
            r#"2012-10-11T03:47:20+00:00 heroku[router]: at=info method=GET path=/ host=myapp.herokuapp.com fwd="204.204.204.204" dyno=web.1 connect=1ms service=18ms status=500 bytes=13"#,
        );
        assert_eq!(p.level, Some(Level::Error));
        assert!(p.message.starts_with("at=info method=GET"));
        let p = event(r#"method=GET path=/health status=200 duration=2ms"#);
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(p.field(keys::HTTP_LATENCY), Some("0.002"));
    }

    #[test]
    fn heroku_prefix_invalid_plain_app_output() {
        assert_eq!(
            Logfmt.parse("2010-10-06T21:51:08-07:00 app[web.2]: Rendering template within layouts/application"),
            LineParse::NoMatch
        );
    }

    #[test]
    fn time_aliases_valid_every_key() {
        for line in [
            "time=2024-01-21T15:00:02Z level=info msg=x",
            "ts=2024-01-21T15:00:02Z level=info msg=x",
            "t=2024-01-21T15:00:02Z level=info msg=x",
            "timestamp=2024-01-21T15:00:02Z level=info msg=x",
            "ts=1705849202 level=info msg=x",
            "ts=1705849202000 level=info msg=x",
        ] {
            assert_eq!(utc(&event(line)), ymd_hms(2024, 1, 21, 15, 0, 2), "{line}");
        }
    }

    #[test]
    fn level_aliases_valid_every_key() {
        for (line, want) in [
            ("level=error msg=x op=y", Level::Error),
            ("lvl=eror msg=x op=y", Level::Error),
            ("severity=WARNING msg=x op=y", Level::Warn),
            ("level=crit msg=x op=y", Level::Fatal),
        ] {
            assert_eq!(event(line).level, Some(want), "{line}");
        }
    }

    #[test]
    fn message_and_service_aliases_valid() {
        let p = event("message=\"disk full\" app=billing level=warn");
        assert_eq!(p.message, "disk full");
        assert_eq!(p.service.as_deref(), Some("billing"));
    }

    #[test]
    fn time_invalid_missing_gives_none() {
        let p = event("level=info msg=\"no time\" component=tsdb");
        assert_eq!(p.time, None);
    }

    #[test]
    fn flags_valid_bare_keys_allowed() {
        let p = event("time=2024-01-21T15:00:02Z level=info msg=ready tls verbose=false");
        assert_eq!(p.message, "ready");
    }

    #[test]
    fn empty_values_valid_skipped() {
        let p = event(r#"at=info method=GET path=/ connect= service=18ms status=200"#);
        assert_eq!(p.field("connect"), None);
    }

    #[test]
    fn unicode_escapes_valid_decoded() {
        let p = event(r#"time=2024-01-21T15:00:02Z level=info msg="caf\u00e9 \"open\"\tnow""#);
        assert_eq!(p.message, "café \"open\"\tnow");
    }

    #[test]
    fn prose_invalid_single_pair_and_sentences() {
        for line in [
            "a=b",
            "set x=1 and then y=2 later",
            "Note: retries=3 timeout=5s",
            "the value a=b is wrong",
            "",
            "   ",
        ] {
            assert_eq!(Logfmt.parse(line), LineParse::NoMatch, "{line:?}");
        }
    }

    #[test]
    fn unterminated_quote_invalid() {
        assert_eq!(
            Logfmt.parse(r#"time=2024-01-21T15:00:02Z level=info msg="cut"#),
            LineParse::NoMatch
        );
        assert_eq!(
            Logfmt.parse(r#"time=2024-01-21T15:00:02Z msg="ends with \"#),
            LineParse::NoMatch
        );
    }

    #[test]
    fn garbage_invalid_never_panics() {
        for line in [
            "=",
            "==",
            "a=\"",
            "a=\"\\",
            "\"",
            "a=1 =2 =3",
            "é=è ü=ö",
            "a=\"\\u12\" b=c",
            "k=v\u{0}k2=v2",
        ] {
            let _ = Logfmt.parse(line);
        }
    }

    #[test]
    fn neighbouring_formats_invalid() {
        for line in [
            r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET /search?q=a&page=2 HTTP/1.1" 200 612 "-" "curl/8.5.0""#,
            "Jan 21 15:00:02 web-1 sshd[1234]: Accepted publickey for deploy from 10.0.0.9 port 52114 ssh2",
            "<34>1 2024-01-21T15:00:02.123Z web-1 app 1234 ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\"] boom",
            "2024-01-21 15:00:02.123 ERROR 1 --- [nio-8080-exec-1] c.e.shop.OrderController : order=42 user=7 failed",
            "15:00:02.123 [main] ERROR com.example.App - user=bob action=login failed",
            "2024/01/21 15:00:02 [error] 12#12: *5 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: _, upstream: \"http://10.0.0.5:8080/\"",
            r#"{"level":"info","msg":"x","ts":1705849202}"#,
            "2024-01-21T15:00:02.123456789Z stdout F time=2024-01-21T15:00:02Z level=info msg=x",
            "I0121 15:00:02.123456       1 main.go:42] \"Starting\" version=\"v1.29.0\" pid=1",
        ] {
            assert_eq!(Logfmt.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn sniff_valid_picks_logfmt_for_slog() {
        let sample = [
            "time=2024-01-21T15:00:00.001Z level=INFO msg=\"server starting\" addr=:8080",
            "time=2024-01-21T15:00:01.120Z level=INFO msg=\"connected to database\" host=db-1 pool=20",
            "time=2024-01-21T15:00:02.123Z level=WARN msg=\"slow query\" duration=1.2s query_id=88",
            "time=2024-01-21T15:00:02.500Z level=ERROR msg=\"connection refused\" service=api err=\"dial tcp 10.0.0.5:5432: connect: connection refused\"",
            "time=2024-01-21T15:00:03.000Z level=INFO msg=\"retrying\" attempt=2",
        ];
        let sniffed = crate::ingest::formats::sniff(&sample);
        assert_eq!(sniffed.format.name(), Logfmt::NAME);
        assert_eq!(sniffed.score, 5);
    }
}
