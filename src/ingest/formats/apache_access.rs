//! apache_access: the Apache httpd access log written by mod_log_config in the formats httpd
//! and the distributions define:
//!
//! * `common`   `%h %l %u %t \"%r\" %>s %b` (the httpd default, docs/conf/httpd.conf.in);
//! * `combined` `… \"%{Referer}i\" \"%{User-Agent}i\"`, and Debian's variants with `%O`;
//! * `combinedio` (`combined %I %O`), and `common`/`combined` with one appended duration,
//!   `%D` (microseconds) or `%T` (seconds);
//! * `vhost_combined` / `vhost_common`: the same preceded by `%v:%p` (Debian) or `%v` (httpd
//!   docs).
//!
//! The line grammar is shared with nginx (see [`super::nginx_access`], which holds the core).
//! Apache-only traits accepted here: `%b` is `-` for an empty body (recorded as `http.bytes=0`),
//! `%>s` may be `-`, `%u` may be `""`, and the head may start with a vhost. `combined` lines
//! parse as `nginx_access` too; sniffing gives ties to `nginx_access` (registry order), so an
//! Apache `combined` file is sniffed as Apache only when its sample has a `-` byte count, a
//! vhost, or `common` lines. Both formats produce the same fields, except that only this one
//! reads an appended `%D`/`%T`.
//!
//! Key type: [`ApacheAccess`], which learns in [`Format::prepare`] whether an appended integer
//! is `%D` (microseconds, the default) or `%T` (seconds).

use super::nginx_access::{Token, Tokens, base_event, parse_clf_line};
use super::{Format, LineParse, Parsed};
use crate::event::keys;
use std::borrow::Cow;

/// The unit of a single integer appended to `common`/`combined`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DurationUnit {
    /// `%D`: microseconds (the common choice for latency logging).
    #[default]
    Micros,
    /// `%T`: whole seconds.
    Seconds,
}

#[derive(Debug, Default)]
pub struct ApacheAccess {
    unit: DurationUnit,
}

impl ApacheAccess {
    pub const NAME: &'static str = "apache_access";
}

/// `%h %l %u`, or `%v[:%p] %h %l %u`: returns (vhost, client, user).
///
/// `%u` is escaped by `ap_escape_logitem` (httpd server/util.c), which leaves spaces alone, so a
/// user may span several words; a first word with a port (`www.example.com:443`) or a second
/// word that is an IP address marks a vhost.
fn split_head(head: &str) -> Option<(Option<&str>, &str, &str)> {
    let (first, rest) = head.split_once(' ')?;
    let (second, rest2) = rest.split_once(' ')?;
    let has_port = first.rsplit_once(':').is_some_and(|(h, p)| {
        !h.is_empty() && !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit())
    }) && first.parse::<std::net::IpAddr>().is_err();
    let vhost = rest2.contains(' ') && (has_port || second.parse::<std::net::IpAddr>().is_ok());
    let (vhost, client, rest) = if vhost {
        let (_ident, user) = rest2.split_once(' ')?;
        (Some(first), second, user)
    } else {
        (None, first, rest2)
    };
    if client.is_empty() || rest.is_empty() {
        return None;
    }
    Some((vhost, client, rest))
}

/// What follows `%b`: referer, user agent, and the bare words after them.
struct ApacheTail<'a> {
    referer: Option<&'a str>,
    user_agent: Option<&'a str>,
    /// The only bare word, when there is exactly one and it is an integer (`%D` or `%T`).
    duration: Option<&'a str>,
    cut: bool,
}

impl<'a> ApacheTail<'a> {
    fn read(tail: &'a str) -> ApacheTail<'a> {
        let mut t = ApacheTail {
            referer: None,
            user_agent: None,
            duration: None,
            cut: false,
        };
        let mut quoted = 0;
        let mut bare = 0;
        let mut last_bare = "";
        for token in Tokens::new(tail) {
            match token {
                Token::Quoted(v) => {
                    match quoted {
                        0 => t.referer = Some(v),
                        1 => t.user_agent = Some(v),
                        _ => {}
                    }
                    quoted += 1;
                }
                Token::Bare(v) => {
                    bare += 1;
                    last_bare = v;
                }
                Token::Unclosed(_) => t.cut = true,
                Token::Kv(..) | Token::Bracket(_) => bare += 1,
            }
        }
        // Two integers are `combinedio`'s `%I %O` (bytes in/out), not durations.
        if bare == 1
            && !last_bare.is_empty()
            && last_bare.len() <= 18
            && last_bare.bytes().all(|c| c.is_ascii_digit())
        {
            t.duration = Some(last_bare);
        }
        t
    }
}

/// `%D` microseconds as seconds with six decimals (`1234567` → `1.234567`).
fn micros_to_seconds(v: &str) -> Option<String> {
    let n: u64 = v.parse().ok()?;
    Some(format!("{}.{:06}", n / 1_000_000, n % 1_000_000))
}

impl Format for ApacheAccess {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn multiline(&self) -> bool {
        false
    }

    /// `%T` or `%D`? A server answers in well under a second, so `%T` is nearly always 0 or a
    /// few seconds while `%D` is hundreds of microseconds or more: at least three appended
    /// integers in the sample, none above 60, read as `%T`.
    fn prepare(&mut self, sample: &[&str]) {
        let mut count = 0;
        let mut max = 0u64;
        for line in sample {
            if let Some(d) =
                parse_clf_line(line).and_then(|clf| ApacheTail::read(clf.tail).duration)
            {
                count += 1;
                max = max.max(d.parse().unwrap_or(u64::MAX));
            }
        }
        self.unit = if count >= 3 && max <= 60 {
            DurationUnit::Seconds
        } else {
            DurationUnit::Micros
        };
    }

    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        let Some(clf) = parse_clf_line(line) else {
            return LineParse::NoMatch;
        };
        let Some((vhost, client, user)) = split_head(clf.head) else {
            return LineParse::NoMatch;
        };
        let tail = ApacheTail::read(clf.tail);
        if tail.cut {
            return LineParse::NoMatch;
        }
        let mut parsed: Parsed<'a> = base_event(&clf, client, user);
        if let Some(v) = tail.referer {
            parsed.push_field(keys::HTTP_REFERER, v);
        }
        if let Some(v) = tail.user_agent {
            parsed.push_field(keys::HTTP_USER_AGENT, v);
        }
        if let Some(d) = tail.duration {
            let latency = match self.unit {
                DurationUnit::Micros => micros_to_seconds(d).map(Cow::Owned),
                DurationUnit::Seconds => Some(Cow::Borrowed(d)),
            };
            if let Some(l) = latency {
                parsed.push_field(keys::HTTP_LATENCY, l);
            }
        }
        if let Some(v) = vhost {
            parsed.push_field(keys::HOST, v);
        }
        LineParse::Event(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Level;
    use crate::time::{RawTime, ymd_hms};

    fn event(format: &ApacheAccess, line: &'static str) -> Parsed<'static> {
        match format.parse(line) {
            LineParse::Event(p) => p,
            other => panic!("expected an event for {line:?}, got {other:?}"),
        }
    }

    // The `common` example line of the httpd docs (logs.html, "Common Log Format").
    const DOCS_COMMON: &str =
        r#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326"#;

    #[test]
    fn common_line_valid_docs_example() {
        let p = event(&ApacheAccess::default(), DOCS_COMMON);
        assert_eq!(
            p.time,
            Some(RawTime::Utc(ymd_hms(2000, 10, 10, 20, 55, 36)))
        );
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(p.message, "GET /apache_pb.gif 200");
        assert_eq!(p.field(keys::CLIENT), Some("127.0.0.1"));
        assert_eq!(p.field(keys::USER), Some("frank"));
        assert_eq!(p.field(keys::HTTP_METHOD), Some("GET"));
        assert_eq!(p.field(keys::HTTP_PATH), Some("/apache_pb.gif"));
        assert_eq!(p.field(keys::HTTP_PROTOCOL), Some("HTTP/1.0"));
        assert_eq!(p.field(keys::HTTP_STATUS), Some("200"));
        assert_eq!(p.field(keys::HTTP_BYTES), Some("2326"));
        assert_eq!(p.field(keys::HTTP_REFERER), None);
    }

    #[test]
    fn combined_line_valid_docs_example() {
        // logs.html, "Combined Log Format".
        let p = event(
            &ApacheAccess::default(),
            r#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)""#,
        );
        assert_eq!(
            p.field(keys::HTTP_REFERER),
            Some("http://www.example.com/start.html")
        );
        assert_eq!(
            p.field(keys::HTTP_USER_AGENT),
            Some("Mozilla/4.08 [en] (Win98; I ;Nav)")
        );
        assert_eq!(p.field(keys::HTTP_LATENCY), None);
    }

    #[test]
    fn common_line_valid_dash_bytes_is_zero() {
        let p = event(
            &ApacheAccess::default(),
            r#"192.0.2.10 - - [21/Jan/2024:15:00:02 +0000] "GET /style.css HTTP/1.1" 304 -"#,
        );
        assert_eq!(p.field(keys::HTTP_BYTES), Some("0"));
        assert_eq!(p.message, "GET /style.css 304");
    }

    #[test]
    fn status_valid_dash_has_no_level() {
        let p = event(
            &ApacheAccess::default(),
            r#"192.0.2.10 - - [21/Jan/2024:15:00:02 +0000] "-" - -"#,
        );
        assert_eq!(p.level, None);
        assert_eq!(p.message, "(no request) -");
        assert_eq!(p.field(keys::HTTP_STATUS), None);
    }

    #[test]
    fn request_valid_escaped_quote_and_empty_user() {
        // `%r` goes through ap_escape_logitem: `"` → `\"`; an empty `%u` is written `""`.
        let p = event(
            &ApacheAccess::default(),
            r#"192.0.2.10 - "" [21/Jan/2024:15:00:02 +0000] "GET /q?\"x\" HTTP/1.1" 400 226 "-" "Mozilla/5.0 \"test\"""#,
        );
        assert_eq!(p.field(keys::HTTP_PATH), Some(r#"/q?\"x\""#));
        assert_eq!(p.field(keys::USER), Some(r#""""#));
        assert_eq!(
            p.field(keys::HTTP_USER_AGENT),
            Some(r#"Mozilla/5.0 \"test\""#)
        );
        assert_eq!(p.level, Some(Level::Warn));
    }

    #[test]
    fn combined_with_d_valid_microseconds() {
        let p = event(
            &ApacheAccess::default(),
            r#"192.0.2.10 - - [21/Jan/2024:15:00:02 +0000] "POST /api/login HTTP/1.1" 503 299 "-" "curl/8.5.0" 1234567"#,
        );
        assert_eq!(p.field(keys::HTTP_LATENCY), Some("1.234567"));
        assert_eq!(p.level, Some(Level::Error));
        let p = event(
            &ApacheAccess::default(),
            r#"192.0.2.10 - - [21/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" 200 45 845"#,
        );
        assert_eq!(p.field(keys::HTTP_LATENCY), Some("0.000845"));
    }

    #[test]
    fn combined_with_t_valid_seconds_learned_from_sample() {
        let sample = [
            r#"192.0.2.10 - - [21/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" 200 45 "-" "curl/8.5.0" 0"#,
            r#"192.0.2.11 - - [21/Jan/2024:15:00:03 +0000] "GET /slow HTTP/1.1" 200 45 "-" "curl/8.5.0" 12"#,
            r#"192.0.2.12 - - [21/Jan/2024:15:00:04 +0000] "GET / HTTP/1.1" 200 45 "-" "curl/8.5.0" 0"#,
        ];
        let mut f = ApacheAccess::default();
        f.prepare(&sample);
        assert_eq!(f.unit, DurationUnit::Seconds);
        let p = event(&f, sample[1]);
        assert_eq!(p.field(keys::HTTP_LATENCY), Some("12"));
    }

    #[test]
    fn combinedio_valid_two_integers_are_not_a_duration() {
        let p = event(
            &ApacheAccess::default(),
            r#"192.0.2.10 - - [21/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" 200 45 "-" "curl/8.5.0" 512 870"#,
        );
        assert_eq!(p.field(keys::HTTP_LATENCY), None);
    }

    #[test]
    fn vhost_combined_valid_debian_and_docs_forms() {
        // Debian apache2.conf: LogFormat "%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"" vhost_combined
        let p = event(
            &ApacheAccess::default(),
            r#"www.example.com:443 198.51.100.23 - - [21/Jan/2024:15:00:02 +0000] "GET /index.html HTTP/1.1" 200 3380 "-" "Mozilla/5.0""#,
        );
        assert_eq!(p.field(keys::HOST), Some("www.example.com:443"));
        assert_eq!(p.field(keys::CLIENT), Some("198.51.100.23"));
        assert_eq!(p.field(keys::USER), None);
        // httpd docs' vhost_common: "%v %h %l %u %t \"%r\" %>s %b"
        let p = event(
            &ApacheAccess::default(),
            r#"www.example.com 198.51.100.23 - - [21/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" 200 3380"#,
        );
        assert_eq!(p.field(keys::HOST), Some("www.example.com"));
        assert_eq!(p.field(keys::CLIENT), Some("198.51.100.23"));
    }

    #[test]
    fn common_line_valid_ipv6_client_and_user_with_space() {
        let p = event(
            &ApacheAccess::default(),
            r#"2001:db8::17 - jane doe [21/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" 401 381"#,
        );
        assert_eq!(p.field(keys::CLIENT), Some("2001:db8::17"));
        assert_eq!(p.field(keys::USER), Some("jane doe"));
        assert_eq!(p.field(keys::HOST), None);
    }

    #[test]
    fn common_line_invalid_truncated() {
        for cut in [10, 30, 50, 62, 70] {
            assert_eq!(
                ApacheAccess::default().parse(&DOCS_COMMON[..cut]),
                LineParse::NoMatch,
                "cut at {cut}"
            );
        }
        let line = r#"127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "-" "Mozilla/4.0"#;
        assert_eq!(ApacheAccess::default().parse(line), LineParse::NoMatch);
    }

    #[test]
    fn common_line_invalid_wrong_date_and_status() {
        for line in [
            r#"127.0.0.1 - frank [10/Oct/2000:25:55:36 -0700] "GET / HTTP/1.0" 200 2326"#,
            r#"127.0.0.1 - frank [31/Feb/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326"#,
            r#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 2000 2326"#,
            r#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 12kB"#,
        ] {
            assert_eq!(
                ApacheAccess::default().parse(line),
                LineParse::NoMatch,
                "{line}"
            );
        }
    }

    #[test]
    fn neighbour_formats_invalid() {
        for line in [
            "2024-01-21 15:00:02.123  INFO 1 --- [           main] c.e.demo.Application : Started Application in 3.2 seconds",
            "2024-01-21 15:00:02,123 [main] ERROR com.example.Api - boom",
            "[Sun Dec 04 04:47:44 2005] [error] [client 10.0.0.1] File does not exist: /var/www/favicon.ico",
            "2024/01/21 15:00:02 [error] 1234#1234: *5678 no live upstreams while connecting to upstream, client: 10.0.0.1, server: example.com, request: \"GET / HTTP/1.1\", upstream: \"http://backend/\", host: \"example.com\"",
            "Jan 21 15:00:02 web1 httpd[1234]: started",
            "",
        ] {
            assert_eq!(
                ApacheAccess::default().parse(line),
                LineParse::NoMatch,
                "{line}"
            );
        }
    }

    #[test]
    fn sniff_valid_picks_apache_access_for_common() {
        let sample = [
            DOCS_COMMON,
            r#"192.0.2.10 - - [10/Oct/2000:13:55:37 -0700] "GET /index.html HTTP/1.0" 200 1043"#,
            r#"192.0.2.11 - - [10/Oct/2000:13:55:38 -0700] "GET /favicon.ico HTTP/1.0" 404 209"#,
        ];
        assert_eq!(
            super::super::sniff(&sample).format.name(),
            ApacheAccess::NAME
        );
    }

    #[test]
    fn sniff_valid_combined_goes_to_apache_only_with_dash_bytes() {
        let plain = [
            r#"192.0.2.10 - - [21/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" 200 45 "-" "Mozilla/5.0""#,
            r#"192.0.2.11 - - [21/Jan/2024:15:00:03 +0000] "GET /a.css HTTP/1.1" 200 1045 "http://example.com/" "Mozilla/5.0""#,
            r#"192.0.2.12 - - [21/Jan/2024:15:00:04 +0000] "GET /b.js HTTP/1.1" 200 2045 "http://example.com/" "Mozilla/5.0""#,
        ];
        // Same shape as nginx combined: the tie goes to nginx_access (registry order).
        assert_eq!(
            super::super::sniff(&plain).format.name(),
            super::super::nginx_access::NginxAccess::NAME
        );
        let mut with_dash = plain.to_vec();
        with_dash.push(r#"192.0.2.12 - - [21/Jan/2024:15:00:05 +0000] "GET /b.js HTTP/1.1" 304 - "http://example.com/" "Mozilla/5.0""#);
        assert_eq!(
            super::super::sniff(&with_dash).format.name(),
            ApacheAccess::NAME
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_line_invalid_never_panics(i in 0usize..4, tail in "\\PC{0,120}") {
            let prefixes = [r#""#, r#"h:80 10.0.0.1 - "#, r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] ""#, r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" - - "#];
            let line = format!("{}{tail}", prefixes[i]);
            let _ = ApacheAccess::default().parse(&line);
        }
    }
}
