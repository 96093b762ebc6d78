//! apache_error: the Apache httpd error log, in the 2.2 layout and in the 2.4 default layout
//! (no `ErrorLogFormat`), one record per prefixed line; unprefixed lines (CGI stderr, the
//! startup messages of 2.2) continue the previous record.
//!
//! * 2.2 (`log_error_core` in server/log.c of the 2.2.x branch):
//!   `[Sun Dec 04 04:47:44 2005] [error] [client 10.0.0.1] (13)Permission denied: message`,
//!   with `file.c(123): ` before the client at debug level.
//! * 2.4 (`do_errorlog_default` in server/log.c, documented as the `ErrorLogFormat` example
//!   "default format for threaded MPMs" in docs/manual/mod/core.xml):
//!   `[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] file.c(123): (111)Connection refused: [client 72.15.99.187:54321] AH00124: message, referer: http://…`
//!   — `:tid …` only with a threaded MPM, `file.c(123): ` only at debug and trace levels, the
//!   APR status before the client (2.2 had it after), `[remote …]` instead of `[client …]`
//!   for a backend connection, and `, referer: …` appended when the request had one.
//!   The time may also be the `%{cu}t` compact ISO form (`2011-05-12 08:28:57.652118`).
//! * 2.4 startup messages are written without any prefix but start with their `AHnnnnn:` code
//!   (`AH00558: httpd: Could not reliably determine …`): they become events without a time.
//!
//! The message keeps the APR status and the `AHnnnnn:` code (both constant per template) and
//! drops the client, source location and referer, which become fields (`client`, `upstream`
//! for `[remote …]`, `source`, `http.referer`), with `module`, `pid`, `thread` and
//! `error_code`.
//!
//! Key type: [`ApacheError`].

use super::{Format, LineParse, Parsed};
use crate::event::{Level, keys};
use crate::time::parse::{parse_ctime, parse_iso8601};
use std::borrow::Cow;

#[derive(Debug, Default)]
pub struct ApacheError;

impl ApacheError {
    pub const NAME: &'static str = "apache_error";
}

/// httpd's level names (`priorities` in server/log.c).
fn apache_level(w: &str) -> Option<Level> {
    Some(match w {
        "emerg" | "alert" | "crit" => Level::Fatal,
        "error" => Level::Error,
        "warn" => Level::Warn,
        "notice" => Level::Notice,
        "info" => Level::Info,
        "debug" => Level::Debug,
        "trace1" | "trace2" | "trace3" | "trace4" | "trace5" | "trace6" | "trace7" | "trace8" => {
            Level::Trace
        }
        _ => return None,
    })
}

/// `AH00124: ` at the start of `s` (`APLOGNO(n)` in include/http_log.h): the code.
fn error_code(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let ok = b.len() >= 9
        && b.starts_with(b"AH")
        && b[2..7].iter().all(u8::is_ascii_digit)
        && b[7] == b':'
        && (b.len() == 8 || b[8] == b' ');
    ok.then(|| &s[..7])
}

/// `[pid 123] ` or `[pid 123:tid 456] `: pid, tid, bytes used.
fn pid_tid(s: &str) -> Option<(&str, Option<&str>, usize)> {
    let inner = s.strip_prefix("[pid ")?;
    let close = inner.find(']')?;
    let body = &inner[..close];
    let (pid, tid) = match body.split_once(":tid ") {
        Some((p, t)) => (p, Some(t)),
        None => (body, None),
    };
    let numeric = |v: &str| !v.is_empty() && v.len() <= 24 && v.bytes().all(|c| c.is_ascii_digit());
    if !numeric(pid) || !tid.is_none_or(numeric) {
        return None;
    }
    let mut used = 5 + close + 1;
    if s.as_bytes().get(used) == Some(&b' ') {
        used += 1;
    }
    Some((pid, tid, used))
}

/// `[client 10.0.0.1:5000] ` / `[remote 10.0.0.5:8080] `: (is_remote, address, bytes used).
fn client_bracket(s: &str) -> Option<(bool, &str, usize)> {
    let (remote, inner) = if let Some(i) = s.strip_prefix("[client ") {
        (false, i)
    } else {
        (true, s.strip_prefix("[remote ")?)
    };
    let close = inner.find(']')?;
    let addr = &inner[..close];
    if addr.is_empty() || addr.contains(' ') {
        return None;
    }
    let mut used = 8 + close + 1;
    if s.as_bytes().get(used) == Some(&b' ') {
        used += 1;
    }
    Some((remote, addr, used))
}

/// `mod_ssl.c(1234): ` / `ssl_engine_kernel.c(2383): `, written before the client at debug and
/// trace levels: (source, bytes used).
fn source_location(s: &str) -> Option<(&str, usize)> {
    let open = s.get(..64.min(s.len()))?.find('(')?;
    let name = &s[..open];
    if name.is_empty()
        || !name.contains('.')
        || !name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-')
    {
        return None;
    }
    let rest = &s[open + 1..];
    let n = rest.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || !rest[n..].starts_with("): ") {
        return None;
    }
    let end = open + 1 + n + 1;
    Some((&s[..end], end + 2))
}

/// An APR status `(111)Connection refused: `, `(70007)The timeout specified has expired: `,
/// `(EAI 2)Name or service not known: `, `(OS 10054)…: ` (`log_apr_status`): bytes used.
fn apr_status(s: &str) -> Option<usize> {
    let inner = s.strip_prefix('(')?;
    let close = inner.get(..20.min(inner.len()))?.find(')')?;
    let code = &inner[..close];
    let code = code
        .strip_prefix("EAI ")
        .or_else(|| code.strip_prefix("OS "))
        .or_else(|| code.strip_prefix("os 0x"))
        .unwrap_or(code);
    if code.is_empty() || !code.bytes().all(|c| c.is_ascii_hexdigit() || c == b'-') {
        return None;
    }
    let text_end = inner[close + 1..].find(": ")?;
    Some(1 + close + 1 + text_end + 2)
}

/// 2.4 writes `%a` as `ip:port` (`[client %s:%d]`): the address without its port. A 2.2
/// address has no port; an IPv4 address with one colon always has one.
fn strip_port(addr: &str, has_port: bool) -> &str {
    let v4_with_port = addr.contains('.') && addr.bytes().filter(|c| *c == b':').count() == 1;
    if !(has_port || v4_with_port) {
        return addr;
    }
    match addr.rsplit_once(':') {
        Some((a, p)) if !a.is_empty() && !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()) => {
            a
        }
        _ => addr,
    }
}

impl Format for ApacheError {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        if let Some(code) = error_code(line) {
            let mut parsed = Parsed::new(None, None, line);
            parsed.push_field(keys::ERROR_CODE, code);
            return LineParse::Event(parsed);
        }
        let b = line.as_bytes();
        if b.first() != Some(&b'[') {
            return LineParse::NoMatch;
        }
        let Some((time, used)) = parse_ctime(&b[1..]).or_else(|| parse_iso8601(&b[1..])) else {
            return LineParse::NoMatch;
        };
        let lv = 1 + used;
        if b.get(lv..lv + 3) != Some(b"] [".as_slice()) {
            return LineParse::NoMatch;
        }
        // `[level]` (2.2) or `[module:level]` (2.4; module may be empty or `-`).
        let rest = &line[lv + 3..];
        let Some(close) = rest.bytes().take(48).position(|c| c == b']') else {
            return LineParse::NoMatch;
        };
        let inner = &rest[..close];
        let (module, word) = match inner.rsplit_once(':') {
            Some((m, w)) => (Some(m), w),
            None => (None, inner),
        };
        let Some(level) = apache_level(word) else {
            return LineParse::NoMatch;
        };
        let mut msg = rest[close + 1..]
            .strip_prefix(' ')
            .unwrap_or(&rest[close + 1..]);

        let mut parsed = Parsed::new(Some(time), Some(level), "");
        if let Some(m) = module {
            parsed.push_field("module", m);
        }
        let mut is_24 = module.is_some();
        if let Some((pid, tid, used)) = pid_tid(msg) {
            parsed.push_field(keys::PID, pid);
            if let Some(t) = tid {
                parsed.push_field(keys::THREAD, t);
            }
            is_24 = true;
            msg = &msg[used..];
        }

        // Source location, APR status and client, in either version's order. The status is
        // kept in the message; when the client sits between it and the text (2.4), the two
        // are joined.
        let mut status: Option<&'a str> = None;
        for _ in 0..3 {
            if let Some((remote, addr, used)) = client_bracket(msg) {
                let addr = strip_port(addr, is_24);
                parsed.push_field(if remote { keys::UPSTREAM } else { keys::CLIENT }, addr);
                msg = &msg[used..];
            } else if let Some((source, used)) = source_location(msg) {
                parsed.push_field("source", source);
                msg = &msg[used..];
            } else if status.is_none() {
                let Some(used) = apr_status(msg) else {
                    break;
                };
                status = Some(&msg[..used]);
                msg = &msg[used..];
            } else {
                break;
            }
        }

        // `, referer: %{Referer}i`, appended last.
        if let Some(i) = msg.rfind(", referer: ") {
            parsed.push_field(keys::HTTP_REFERER, &msg[i + 11..]);
            msg = &msg[..i];
        }
        if let Some(code) = error_code(msg) {
            parsed.push_field(keys::ERROR_CODE, code);
        }
        parsed.message = match status {
            None => Cow::Borrowed(msg),
            Some(s) => {
                // Contiguous in the line (2.2, or 2.4 without a client): borrow.
                let s_end = s.as_ptr() as usize + s.len();
                if s_end == msg.as_ptr() as usize {
                    let start = s.as_ptr() as usize - line.as_ptr() as usize;
                    let end = start + s.len() + msg.len();
                    line.get(start..end)
                        .map_or_else(|| Cow::Owned(format!("{s}{msg}")), Cow::Borrowed)
                } else {
                    Cow::Owned(format!("{s}{msg}"))
                }
            }
        };
        LineParse::Event(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::RawTime;
    use chrono::NaiveDate;

    fn event(line: &str) -> Parsed<'_> {
        match ApacheError.parse(line) {
            LineParse::Event(p) => p,
            other => panic!("expected an event for {line:?}, got {other:?}"),
        }
    }

    fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, micros: u32) -> Option<RawTime> {
        NaiveDate::from_ymd_opt(y, mo, d)
            .and_then(|d| d.and_hms_micro_opt(h, mi, s, micros))
            .map(RawTime::Local)
    }

    // 2.2 lines as in the Loghub Apache dataset.

    #[test]
    fn v22_line_valid_notice_without_client() {
        let p = event(
            "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties",
        );
        assert_eq!(p.time, local(2005, 12, 4, 4, 47, 44, 0));
        assert_eq!(p.level, Some(Level::Notice));
        assert_eq!(
            p.message,
            "workerEnv.init() ok /etc/httpd/conf/workers2.properties"
        );
        assert!(p.fields.is_empty());
    }

    #[test]
    fn v22_line_valid_error_with_client() {
        let p = event(
            "[Sun Dec 04 04:47:44 2005] [error] [client 10.0.0.1] File does not exist: /var/www/favicon.ico",
        );
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.message, "File does not exist: /var/www/favicon.ico");
        assert_eq!(p.field(keys::CLIENT), Some("10.0.0.1"));
        let p = event("[Mon Dec 05 07:57:02 2005] [error] mod_jk child workerEnv in error state 7");
        assert_eq!(p.message, "mod_jk child workerEnv in error state 7");
    }

    #[test]
    fn v22_line_valid_status_after_client_and_referer() {
        let p = event(
            "[Sun Dec 04 20:11:25 2005] [error] [client 192.0.2.7] (13)Permission denied: access to /private/ denied, referer: http://example.com/",
        );
        assert_eq!(
            p.message,
            "(13)Permission denied: access to /private/ denied"
        );
        assert_eq!(p.field(keys::CLIENT), Some("192.0.2.7"));
        assert_eq!(p.field(keys::HTTP_REFERER), Some("http://example.com/"));
        assert!(matches!(p.message, Cow::Borrowed(_)));
    }

    #[test]
    fn v24_docs_example_valid_ipv6_client() {
        // docs/manual/mod/core.xml, ErrorLogFormat.
        let p = event(
            "[Thu May 12 08:28:57.652118 2011] [core:error] [pid 8777:tid 4326490112] [client ::1:58619] File does not exist: /usr/local/apache2/htdocs/favicon.ico",
        );
        assert_eq!(p.time, local(2011, 5, 12, 8, 28, 57, 652_118));
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.field("module"), Some("core"));
        assert_eq!(p.field(keys::PID), Some("8777"));
        assert_eq!(p.field(keys::THREAD), Some("4326490112"));
        assert_eq!(p.field(keys::CLIENT), Some("::1"));
        assert_eq!(
            p.message,
            "File does not exist: /usr/local/apache2/htdocs/favicon.ico"
        );
    }

    #[test]
    fn v24_line_valid_error_code() {
        // server/core.c, APLOGNO(00124).
        let p = event(
            "[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:54321] AH00124: Request (/index.php) exceeded the limit of 10 internal redirects due to probable configuration error. Use 'LimitInternalRecursion' to increase the limit if necessary. Use 'LogLevel debug' to get a backtrace.",
        );
        assert_eq!(p.field(keys::CLIENT), Some("72.15.99.187"));
        assert_eq!(p.field(keys::ERROR_CODE), Some("AH00124"));
        assert!(
            p.message
                .starts_with("AH00124: Request (/index.php) exceeded")
        );
    }

    #[test]
    fn v24_proxy_valid_status_before_client_joined() {
        // modules/proxy/proxy_util.c APLOGNO(00957) and mod_proxy_http.c APLOGNO(01114).
        let p = event(
            "[Sun Jan 21 15:00:02.512301 2024] [proxy:error] [pid 9:tid 140151105468160] (111)Connection refused: AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (localhost:8080) failed",
        );
        assert_eq!(p.field("module"), Some("proxy"));
        assert_eq!(
            p.message,
            "(111)Connection refused: AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (localhost:8080) failed"
        );
        assert_eq!(p.field(keys::ERROR_CODE), Some("AH00957"));
        assert!(matches!(p.message, Cow::Borrowed(_)));
        let p = event(
            "[Sun Jan 21 15:00:02.512390 2024] [proxy_http:error] [pid 9:tid 140151105468160] [client 192.0.2.4:51514] AH01114: HTTP: failed to make connection to backend: localhost, referer: https://example.com/",
        );
        assert_eq!(
            p.message,
            "AH01114: HTTP: failed to make connection to backend: localhost"
        );
        assert_eq!(p.field(keys::HTTP_REFERER), Some("https://example.com/"));
        let p = event(
            "[Sun Jan 21 15:00:32.000104 2024] [proxy_http:error] [pid 9:tid 140151105468160] (70007)The timeout specified has expired: [client 192.0.2.4:51520] AH01102: error reading status line from remote server localhost:8080",
        );
        assert_eq!(
            p.message,
            "(70007)The timeout specified has expired: AH01102: error reading status line from remote server localhost:8080"
        );
        assert_eq!(p.field(keys::CLIENT), Some("192.0.2.4"));
        assert_eq!(p.field(keys::ERROR_CODE), Some("AH01102"));
    }

    #[test]
    fn v24_line_valid_prefork_pid_only_and_mpm_module() {
        let p = event(
            "[Sun Jan 21 15:00:00.000311 2024] [mpm_prefork:notice] [pid 1] AH00163: Apache/2.4.58 (Unix) configured -- resuming normal operations",
        );
        assert_eq!(p.field(keys::PID), Some("1"));
        assert_eq!(p.field(keys::THREAD), None);
        assert_eq!(p.field("module"), Some("mpm_prefork"));
        assert_eq!(p.level, Some(Level::Notice));
        let p = event(
            "[Sun Jan 21 15:00:00.000542 2024] [mpm_event:notice] [pid 1:tid 140151105468160] AH00489: Apache/2.4.58 (Unix) configured -- resuming normal operations",
        );
        assert_eq!(p.field("module"), Some("mpm_event"));
    }

    #[test]
    fn v24_debug_valid_source_location_and_trace_levels() {
        let p = event(
            "[Sun Jan 21 15:00:02.100000 2024] [ssl:debug] [pid 9:tid 140151105468160] ssl_engine_kernel.c(2383): [client 192.0.2.4:51514] AH02043: SSL virtual host for servername example.com found",
        );
        assert_eq!(p.level, Some(Level::Debug));
        assert_eq!(p.field("source"), Some("ssl_engine_kernel.c(2383)"));
        assert_eq!(p.field(keys::CLIENT), Some("192.0.2.4"));
        assert_eq!(
            p.message,
            "AH02043: SSL virtual host for servername example.com found"
        );
        let p = event(
            "[Sun Jan 21 15:00:02.100000 2024] [http:trace3] [pid 9:tid 140151105468160] http_filters.c(1125): [client 192.0.2.4:51514] Response sent with status 200",
        );
        assert_eq!(p.level, Some(Level::Trace));
    }

    #[test]
    fn v24_remote_valid_backend_is_upstream() {
        let p = event(
            "[Sun Jan 21 15:00:02.100000 2024] [proxy:debug] [pid 9:tid 14] proxy_util.c(3078): [remote 10.0.0.5:8080] AH00951: HTTP: backend socket is disconnected.",
        );
        assert_eq!(p.field(keys::UPSTREAM), Some("10.0.0.5"));
        assert_eq!(p.field(keys::CLIENT), None);
    }

    #[test]
    fn v24_startup_valid_code_without_time() {
        // server/util.c APLOGNO(00558), logged with APLOG_STARTUP: no prefix at all.
        let p = event(
            "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using 172.17.0.2. Set the 'ServerName' directive globally to suppress this message",
        );
        assert_eq!(p.time, None);
        assert_eq!(p.field(keys::ERROR_CODE), Some("AH00558"));
    }

    #[test]
    fn compact_iso_time_valid() {
        // ErrorLogFormat "[%{cu}t] [%-m:%-l] …"
        let p =
            event("[2011-05-12 08:28:57.652118] [core:error] [pid 8777] File does not exist: /x");
        assert_eq!(p.time, local(2011, 5, 12, 8, 28, 57, 652_118));
    }

    #[test]
    fn prefix_invalid_truncated_wrong_date_unknown_level() {
        for line in [
            "[Sun Dec 04 04:47:44 2005",
            "[Sun Dec 04 04:47:44 2005]",
            "[Sun Dec 04 04:47:44 2005] [",
            "[Sun Dec 04 04:47:44 2005] [error",
            "[Sun Dec 32 04:47:44 2005] [error] x",
            "[Sun Dec 04 04:47:44] [error] x",
            "[Sun Dec 04 04:47:44 2005] [ERROR] x",
            "[Sun Dec 04 04:47:44 2005] [fatal] x",
            "[Sun Dec 04 04:47:44 2005] error x",
        ] {
            assert_eq!(ApacheError.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn neighbour_formats_invalid() {
        for line in [
            // dmesg -T
            "[Sun Jan 21 15:00:02 2024] Out of memory: Killed process 1234 (java) total-vm:123kB",
            "2024/01/21 15:00:02 [error] 1#1: *2 connect() failed (111: Connection refused)",
            "Jan 21 15:00:02 web1 httpd[1234]: [error] x",
            "[2024-01-21 15:00:02 +0000] [1234] [INFO] Booting worker with pid: 1234",
            "[2024-01-21 15:00:02,123] ERROR in app: Exception on /api [GET]",
            r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.5.0""#,
            "AH0055: short code",
            "",
        ] {
            assert_eq!(ApacheError.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn garbage_invalid_never_panics() {
        let full = "[Sun Jan 21 15:00:02.1 2024] [é:error] [pid 9:tid é] é.c(1): (1)é: [client é] AHé, referer: é";
        for cut in 0..=full.len() {
            if let Some(s) = full.get(..cut) {
                let _ = ApacheError.parse(s);
            }
        }
        for line in [
            "[",
            "[Sun",
            "AH12345:",
            "[Sun Jan 21 15:00:02 2024] [:error] [pid ] (",
            "[Sun Jan 21 15:00:02 2024] [error] (é",
        ] {
            let _ = ApacheError.parse(line);
        }
    }

    #[test]
    fn sniff_valid_picks_apache_error() {
        let sample = [
            "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties",
            "[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6",
            "[Sun Dec 04 04:51:08 2005] [notice] jk2_init() Found child 6725 in scoreboard slot 10",
        ];
        assert_eq!(
            super::super::sniff(&sample).format.name(),
            ApacheError::NAME
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_line_invalid_never_panics(i in 0usize..6, tail in "\\PC{0,120}") {
            let prefixes = [r#""#, r#"AH00001: "#, r#"[Sun Dec 04 04:47:44 2005] ["#, r#"[Sun Dec 04 04:47:44 2005] [core:error] [pid "#, r#"[Sun Dec 04 04:47:44 2005] [error] [client "#, r#"[Sun Dec 04 04:47:44 2005] [error] ("#];
            let line = format!("{}{tail}", prefixes[i]);
            let _ = ApacheError.parse(&line);
        }
    }
}
