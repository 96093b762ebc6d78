//! nginx_error: the nginx error log (`error_log`), one record per line that starts with nginx's
//! prefix, plus the lines that continue it (OpenResty/Lua `stack traceback:` lines, module
//! output without a prefix).
//!
//! The prefix is written by `ngx_log_error_core` (src/core/ngx_log.c):
//! `YYYY/MM/DD HH:MM:SS [level] pid#tid: [*connection ]message`, where the message may end with
//! ` (errno: strerror)` and, for HTTP requests, the context appended by `ngx_http_log_error`
//! and `ngx_http_log_error_handler` (src/http/ngx_http_request.c):
//! ` while <action>, client: A, server: S, request: "R", upstream: "U", host: "H", referrer: "F"`
//! (stream sessions: `, client: A, server: S, upstream: "U"`, or `, udp client: …`). The
//! message is the text before `, client:`, so `connect() failed (111: Connection refused)
//! while connecting to upstream` stays one template; the context becomes fields.
//!
//! Lines that nginx writes to stderr before its log is open (`nginx: [emerg] unknown directive
//! …`, `ngx_log_stderr`) become events without a time (they inherit the previous one).
//!
//! Key type: [`NginxError`].

use super::nginx_access::split_request;
use super::{Format, LineParse, Parsed};
use crate::event::{Level, keys};
use crate::time::parse::parse_iso8601;

#[derive(Debug, Default)]
pub struct NginxError;

impl NginxError {
    pub const NAME: &'static str = "nginx_error";
}

/// nginx's level words (`err_levels` in src/core/ngx_log.c).
fn level_word(w: &str) -> Option<Level> {
    match w {
        "emerg" | "alert" | "crit" => Some(Level::Fatal),
        "error" => Some(Level::Error),
        "warn" => Some(Level::Warn),
        "notice" => Some(Level::Notice),
        "info" => Some(Level::Info),
        "debug" => Some(Level::Debug),
        _ => None,
    }
}

/// `[level] ` at the start of `s`: the level and the bytes used.
fn bracketed_level(s: &str) -> Option<(Level, usize)> {
    let inner = s.strip_prefix('[')?;
    let close = inner.bytes().take(8).position(|c| c == b']')?;
    let level = level_word(&inner[..close])?;
    if inner.as_bytes().get(close + 1) != Some(&b' ') {
        return None;
    }
    Some((level, close + 3))
}

/// A run of ASCII digits at the start of `s` (at most 20), and its length.
fn digits(s: &str) -> Option<&str> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    (1..=20).contains(&n).then(|| &s[..n])
}

/// The keys `ngx_http_log_error_handler` and the stream/mail handlers write, in order.
const CONTEXT_KEYS: [&str; 9] = [
    "client",
    "udp client",
    "server",
    "request",
    "subrequest",
    "upstream",
    "host",
    "referrer",
    "login",
];

/// Whether `s` starts with `, <known key>: `.
fn starts_context_key(s: &str) -> bool {
    s.strip_prefix(", ").is_some_and(|rest| {
        CONTEXT_KEYS
            .iter()
            .any(|k| rest.strip_prefix(k).is_some_and(|r| r.starts_with(": ")))
    })
}

/// Reads the `, key: value` pairs after the message. Quoted values are not escaped by nginx (a
/// request line may hold quotes), so a quoted value ends at the `"` followed by the next known
/// key or by the end of the line. Stops at the first unknown key.
fn read_context<'a>(mut s: &'a str, parsed: &mut Parsed<'a>) {
    while let Some(rest) = s.strip_prefix(", ") {
        let Some((key, after)) = rest.split_once(": ") else {
            return;
        };
        if !CONTEXT_KEYS.contains(&key) {
            return;
        }
        let (value, next) = if let Some(q) = after.strip_prefix('"') {
            match quoted_end(q) {
                Some(i) => (&q[..i], &q[i + 1..]),
                // Cut by NGX_MAX_ERROR_STR (2048 bytes): keep what is there.
                None => (q, ""),
            }
        } else {
            match after.find(", ") {
                Some(i) => (&after[..i], &after[i..]),
                None => (after, ""),
            }
        };
        match key {
            "client" | "udp client" => parsed.push_field(keys::CLIENT, value),
            "server" => parsed.push_field("server", value),
            "request" => match split_request(value) {
                Some(r) => {
                    parsed.push_field(keys::HTTP_METHOD, r.method);
                    parsed.push_field(keys::HTTP_PATH, r.target);
                    if let Some(p) = r.protocol {
                        parsed.push_field(keys::HTTP_PROTOCOL, p);
                    }
                }
                None => parsed.push_field("http.request", value),
            },
            "upstream" => parsed.push_field(keys::UPSTREAM, value),
            "host" => parsed.push_field(keys::HOST, value),
            "referrer" => parsed.push_field(keys::HTTP_REFERER, value),
            _ => {}
        }
        s = next;
    }
}

/// The closing quote of a context value (`q` starts after the opening quote): the first `"`
/// followed by the end of the line or by the next known key; failing that (stream sessions
/// append `, bytes from/to client:…`), the first `"` followed by `, `.
fn quoted_end(q: &str) -> Option<usize> {
    let mut fallback = None;
    for (i, _) in q.match_indices('"') {
        let tail = &q[i + 1..];
        if tail.is_empty() || starts_context_key(tail) {
            return Some(i);
        }
        if fallback.is_none() && tail.starts_with(", ") {
            fallback = Some(i);
        }
    }
    fallback
}

/// Where the handler's context starts: the first `, client: ` / `, udp client: `.
fn context_start(msg: &str) -> Option<usize> {
    let a = msg.find(", client: ");
    let b = msg.find(", udp client: ");
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl Format for NginxError {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        let b = line.as_bytes();
        // `nginx: [emerg] …` from ngx_log_stderr, before the error log is open.
        if let Some(rest) = line.strip_prefix("nginx: ") {
            return match bracketed_level(rest) {
                Some((level, used)) => {
                    LineParse::Event(Parsed::new(None, Some(level), &rest[used..]))
                }
                None => LineParse::NoMatch,
            };
        }
        // `ngx_cached_err_log_time` is "1970/09/28 12:00:00" (src/core/ngx_times.c), local time.
        if b.len() < 22
            || b[4] != b'/'
            || b[7] != b'/'
            || b[10] != b' '
            || b[19] != b' '
            || b[20] != b'['
        {
            return LineParse::NoMatch;
        }
        let Some((time, 19)) = parse_iso8601(&b[..19]) else {
            return LineParse::NoMatch;
        };
        let Some((level, used)) = bracketed_level(&line[20..]) else {
            return LineParse::NoMatch;
        };
        // "%P#" NGX_TID_T_FMT ": "
        let rest = &line[20 + used..];
        let Some(pid) = digits(rest) else {
            return LineParse::NoMatch;
        };
        let Some(rest) = rest[pid.len()..].strip_prefix('#') else {
            return LineParse::NoMatch;
        };
        let Some(tid) = digits(rest) else {
            return LineParse::NoMatch;
        };
        let Some(mut msg) = rest[tid.len()..].strip_prefix(": ") else {
            return LineParse::NoMatch;
        };
        // "*%uA " when the log belongs to a connection.
        let mut connection = None;
        if let Some(after_star) = msg.strip_prefix('*') {
            if let Some(cid) = digits(after_star) {
                if let Some(m) = after_star[cid.len()..].strip_prefix(' ') {
                    connection = Some(cid);
                    msg = m;
                }
            }
        }
        let (message, context) = match context_start(msg) {
            Some(i) => (&msg[..i], &msg[i..]),
            None => (msg, ""),
        };
        let mut parsed = Parsed::new(Some(time), Some(level), message);
        parsed.push_field(keys::PID, pid);
        parsed.push_field(keys::THREAD, tid);
        if let Some(c) = connection {
            parsed.push_field("connection", c);
        }
        read_context(context, &mut parsed);
        LineParse::Event(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::RawTime;
    use chrono::NaiveDate;

    fn event(line: &str) -> Parsed<'_> {
        match NginxError.parse(line) {
            LineParse::Event(p) => p,
            other => panic!("expected an event for {line:?}, got {other:?}"),
        }
    }

    fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<RawTime> {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|d| d.and_hms_opt(h, mi, s))
            .map(RawTime::Local)
    }

    // Messages as written in src/http/ngx_http_upstream.c ("connect() failed", "upstream timed
    // out", "no live upstreams"), log actions ("connecting to upstream", "reading response
    // header from upstream") and the context of ngx_http_log_error_handler.

    #[test]
    fn upstream_connect_failed_valid_full_context() {
        let p = event(
            r#"2024/01/21 15:00:02 [error] 1234#1234: *5678 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: example.com, request: "GET /api/login HTTP/1.1", upstream: "http://10.0.0.5:8080/api/login", host: "example.com""#,
        );
        assert_eq!(p.time, local(2024, 1, 21, 15, 0, 2));
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(
            p.message,
            "connect() failed (111: Connection refused) while connecting to upstream"
        );
        assert_eq!(p.field(keys::PID), Some("1234"));
        assert_eq!(p.field(keys::THREAD), Some("1234"));
        assert_eq!(p.field("connection"), Some("5678"));
        assert_eq!(p.field(keys::CLIENT), Some("10.0.0.1"));
        assert_eq!(p.field("server"), Some("example.com"));
        assert_eq!(p.field(keys::HTTP_METHOD), Some("GET"));
        assert_eq!(p.field(keys::HTTP_PATH), Some("/api/login"));
        assert_eq!(p.field(keys::HTTP_PROTOCOL), Some("HTTP/1.1"));
        assert_eq!(
            p.field(keys::UPSTREAM),
            Some("http://10.0.0.5:8080/api/login")
        );
        assert_eq!(p.field(keys::HOST), Some("example.com"));
    }

    #[test]
    fn upstream_timed_out_valid_with_referrer() {
        let p = event(
            r#"2024/01/21 15:00:32 [error] 31#31: *1201 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 172.17.0.1, server: _, request: "POST /api/orders HTTP/1.1", upstream: "http://172.17.0.3:3000/api/orders", host: "shop.example.com", referrer: "https://shop.example.com/cart""#,
        );
        assert_eq!(
            p.message,
            "upstream timed out (110: Connection timed out) while reading response header from upstream"
        );
        assert_eq!(p.field("server"), Some("_"));
        assert_eq!(
            p.field(keys::HTTP_REFERER),
            Some("https://shop.example.com/cart")
        );
    }

    #[test]
    fn no_live_upstreams_valid_upstream_group_name() {
        let p = event(
            r#"2024/01/21 15:00:33 [error] 31#31: *1202 no live upstreams while connecting to upstream, client: 172.17.0.1, server: _, request: "GET / HTTP/1.1", upstream: "http://backend/", host: "localhost""#,
        );
        assert_eq!(p.message, "no live upstreams while connecting to upstream");
        assert_eq!(p.field(keys::UPSTREAM), Some("http://backend/"));
    }

    #[test]
    fn levels_valid_every_word() {
        for (word, level) in [
            ("emerg", Level::Fatal),
            ("alert", Level::Fatal),
            ("crit", Level::Fatal),
            ("error", Level::Error),
            ("warn", Level::Warn),
            ("notice", Level::Notice),
            ("info", Level::Info),
            ("debug", Level::Debug),
        ] {
            let line = format!("2024/01/21 15:00:02 [{word}] 1#1: x");
            assert_eq!(event(&line).level, Some(level), "{word}");
        }
    }

    #[test]
    fn prefix_valid_without_connection() {
        let p = event("2024/01/21 15:00:02 [notice] 1#1: signal process started");
        assert_eq!(p.message, "signal process started");
        assert_eq!(p.field("connection"), None);
        let p = event(
            "2024/01/21 15:00:02 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)",
        );
        assert_eq!(p.level, Some(Level::Fatal));
        assert_eq!(
            p.message,
            "bind() to 0.0.0.0:80 failed (98: Address already in use)"
        );
        let p = event("2024/01/21 15:00:02 [alert] 1#1: worker process 29 exited on signal 9");
        assert_eq!(p.message, "worker process 29 exited on signal 9");
    }

    #[test]
    fn crit_valid_connection_context_without_request() {
        // ngx_http_log_error without a request: ", client: …, server: <listen address>".
        let p = event(
            "2024/01/21 15:00:02 [crit] 29#29: *3 SSL_do_handshake() failed (SSL: error:0A00006C:SSL routines::bad key share) while SSL handshaking, client: 192.0.2.4, server: 0.0.0.0:443",
        );
        assert_eq!(p.level, Some(Level::Fatal));
        assert_eq!(p.field(keys::CLIENT), Some("192.0.2.4"));
        assert_eq!(p.field("server"), Some("0.0.0.0:443"));
    }

    #[test]
    fn stream_valid_udp_client_and_upstream() {
        let p = event(
            r#"2024/01/21 15:00:02 [error] 29#29: *7 upstream timed out (110: Connection timed out) while proxying connection, udp client: 192.0.2.4, server: 0.0.0.0:53, upstream: "10.0.0.53:53", bytes from/to client:40/0, bytes from/to upstream:0/40"#,
        );
        assert_eq!(
            p.message,
            "upstream timed out (110: Connection timed out) while proxying connection"
        );
        assert_eq!(p.field(keys::CLIENT), Some("192.0.2.4"));
        assert_eq!(p.field(keys::UPSTREAM), Some("10.0.0.53:53"));
    }

    #[test]
    fn request_valid_raw_quotes_and_junk() {
        let p = event(
            r#"2024/01/21 15:00:02 [info] 29#29: *9 client sent invalid request while reading client request line, client: 192.0.2.4, server: _, request: "GET /a"b HTTP/1.1", host: "x""#,
        );
        assert_eq!(p.field(keys::HTTP_PATH), Some(r#"/a"b"#));
        assert_eq!(p.field(keys::HOST), Some("x"));
        let p = event(
            "2024/01/21 15:00:02 [info] 29#29: *9 client sent invalid method while reading client request line, client: 192.0.2.4, server: _, request: \"\u{16}\u{3}\u{1}\"",
        );
        assert_eq!(p.field(keys::HTTP_METHOD), None);
        assert_eq!(p.field("http.request"), Some("\u{16}\u{3}\u{1}"));
    }

    #[test]
    fn context_valid_cut_at_max_error_str() {
        let p = event(
            r#"2024/01/21 15:00:02 [error] 1#1: *2 x, client: 10.0.0.1, server: a, request: "GET /very/long/pa"#,
        );
        assert_eq!(p.field(keys::HTTP_PATH), Some("/very/long/pa"));
    }

    #[test]
    fn stderr_valid_nginx_prefix_without_time() {
        let p = event(
            r#"nginx: [emerg] unknown directive "proxy_passs" in /etc/nginx/conf.d/default.conf:12"#,
        );
        assert_eq!(p.time, None);
        assert_eq!(p.level, Some(Level::Fatal));
        assert_eq!(
            p.message,
            r#"unknown directive "proxy_passs" in /etc/nginx/conf.d/default.conf:12"#
        );
        assert_eq!(
            NginxError.parse("nginx: configuration file /etc/nginx/nginx.conf test failed"),
            LineParse::NoMatch
        );
    }

    #[test]
    fn lua_traceback_lines_invalid_continue_the_event() {
        assert!(NginxError.multiline());
        for line in [
            "stack traceback:",
            "coroutine 0:",
            "\t[C]: in function 'error'",
        ] {
            assert_eq!(NginxError.parse(line), LineParse::NoMatch);
        }
    }

    #[test]
    fn prefix_invalid_missing_pid_bad_level_wrong_date_truncated() {
        for line in [
            "2024/01/21 15:00:02 [error] connect() failed",
            "2024/01/21 15:00:02 [error] 1234: x",
            "2024/01/21 15:00:02 [error] 1234#: x",
            "2024/01/21 15:00:02 [fatal] 1#1: x",
            "2024/01/21 15:00:02 [ERROR] 1#1: x",
            "2024/13/21 15:00:02 [error] 1#1: x",
            "2024/01/21 25:00:02 [error] 1#1: x",
            "2024/01/21 15:00:02 [error] 1#1:",
            "2024/01/21 15:00:02 [err",
            "2024/01/21 15:00",
        ] {
            assert_eq!(NginxError.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn neighbour_formats_invalid() {
        for line in [
            // syslog RFC 3164 relaying nginx
            "Jan 21 15:00:02 web1 nginx[1234]: 2024/01/21 15:00:02 [error] 1#1: x",
            // Go's standard log package: same date shape, no [level] pid#tid
            "2024/01/21 15:00:02 http: TLS handshake error from 10.0.0.1:5000: EOF",
            "2024/01/21 15:00:02 [INFO] starting server",
            "2024-01-21 15:00:02 [error] 1#1: x",
            "[Sun Dec 04 04:47:44 2005] [error] [client 10.0.0.1] File does not exist: /var/www/favicon.ico",
            r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.5.0""#,
            "",
        ] {
            assert_eq!(NginxError.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn garbage_invalid_never_panics() {
        let full = "2024/01/21 15:00:02 [error] 1#1: *2 é, client: é, server: é, request: \"é é\", upstream: \"é";
        for cut in 0..=full.len() {
            if let Some(s) = full.get(..cut) {
                let _ = NginxError.parse(s);
            }
        }
        for line in [
            "nginx: [",
            "nginx: [emerg",
            "2024/01/21 15:00:02 [é] 1#1: x",
            "2024/01/21 15:00:02 [errorxx] 1#1: x",
        ] {
            let _ = NginxError.parse(line);
        }
    }

    #[test]
    fn sniff_valid_picks_nginx_error() {
        let sample = [
            "2024/01/21 15:00:01 [notice] 1#1: using the \"epoll\" event method",
            "2024/01/21 15:00:01 [notice] 1#1: nginx/1.25.3",
            r#"2024/01/21 15:00:02 [error] 29#29: *5 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: _, request: "GET / HTTP/1.1", upstream: "http://10.0.0.5:8080/", host: "localhost""#,
        ];
        assert_eq!(super::super::sniff(&sample).format.name(), NginxError::NAME);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_line_invalid_never_panics(i in 0usize..5, tail in "\\PC{0,120}") {
            let prefixes = [r#""#, r#"nginx: ["#, r#"2024/01/21 15:00:02 [error] 1#1: "#, r#"2024/01/21 15:00:02 [error] 1#1: *2 x, client: "#, r#"2024/01/21 15:00:02 [error] 1#1: x, client: a, request: ""#];
            let line = format!("{}{tail}", prefixes[i]);
            let _ = NginxError.parse(&line);
        }
    }
}
