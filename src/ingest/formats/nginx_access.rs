//! nginx_access: the nginx access log in its predefined `combined` format, and `combined`
//! followed by the extra fields people commonly append (`$request_time`,
//! `"$http_x_forwarded_for"`, `$upstream_addr`, `$upstream_response_time`, `$request_id`,
//! `rt=… urt="…"` key=value pairs, the ingress-nginx `upstreaminfo` tail).
//!
//! This file also holds the access-log core shared with [`super::apache_access`], because both
//! servers write the same NCSA common/combined grammar: [`parse_clf_line`] reads everything up
//! to the byte count into a [`ClfLine`], [`Tokens`] splits what follows into [`Token`]s,
//! [`split_request`] reads `"$request"` into a [`RequestLine`], and [`request_message`] builds
//! the template-friendly message (`GET /api/login 503`: method, path without its query string,
//! status).
//!
//! Deliberate choices, so that sniffing tells nginx and Apache apart where it can:
//! * a line must carry the referer and user agent (`combined`); the `common` format is Apache's
//!   only (nginx has no such predefined format) and is left to `apache_access`;
//! * the byte count must be a number: nginx's `$body_bytes_sent` is always numeric, while
//!   Apache's `%b` prints `-` for an empty body, so such lines are left to `apache_access`;
//! * the second field must be the literal `-` nginx writes, which rules out Apache's
//!   `vhost_combined` (`%v:%p %h %l %u …`).
//!
//! An Apache `combined` log without any `-` byte count is indistinguishable from nginx's and is
//! sniffed as `nginx_access` (registry order); the fields are the same.

use super::{Format, LineParse, Parsed};
use crate::event::{Level, keys};
use crate::time::RawTime;
use crate::time::parse::{parse_clf, parse_iso8601};
use std::borrow::Cow;

#[derive(Debug, Default)]
pub struct NginxAccess;

impl NginxAccess {
    pub const NAME: &'static str = "nginx_access";
}

// ---------------------------------------------------------------------------------------------
// Shared access-log core (also used by apache_access).
// ---------------------------------------------------------------------------------------------

/// The longest `%h %l %u` (or `%v %h %l %u`) head searched for the ` [` that opens the time.
const HEAD_MAX: usize = 512;

/// The NCSA common-log part of an access line, up to and including the byte count.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ClfLine<'a> {
    /// Everything before ` [`: `client ident user`, possibly preceded by a vhost.
    pub head: &'a str,
    pub time: RawTime,
    /// `$request` / `%r` between its quotes, escapes (`\x16`, `\"`) kept as written.
    pub request: &'a str,
    /// The status as written (three digits), `None` for Apache's `-`.
    pub status: Option<&'a str>,
    /// The byte count as written: digits, or `-` (Apache `%b` for an empty body).
    pub bytes: &'a str,
    /// What follows the byte count (without the separating space); empty if nothing.
    pub tail: &'a str,
}

impl ClfLine<'_> {
    pub(crate) fn status_code(&self) -> Option<u16> {
        self.status.and_then(|s| s.parse().ok())
    }

    pub(crate) fn level(&self) -> Option<Level> {
        self.status_code().map(Level::from_http_status)
    }
}

/// Finds the quote closing a quoted value whose content starts at `start`: the first `"` not
/// preceded by a backslash escape for which `accept(bytes after the quote)` holds.
///
/// Both servers escape a quote inside a value (nginx as `\x22`, Apache as `\"`,
/// `ap_escape_logitem` in httpd server/util.c), so the first unescaped quote normally closes it;
/// `accept` lets a caller skip a raw quote written by `log_format … escape=none`.
pub(crate) fn close_quote(b: &[u8], start: usize, accept: impl Fn(&[u8]) -> bool) -> Option<usize> {
    let mut i = start;
    while let Some(off) = memchr::memchr2(b'"', b'\\', b.get(i..)?) {
        let at = i + off;
        if b[at] == b'\\' {
            i = at + 2;
            continue;
        }
        let after = b.get(at + 1..).unwrap_or_default();
        if accept(after) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// ` 200 ` or ` - ` right after the request's closing quote.
fn status_follows(rest: &[u8]) -> bool {
    match rest {
        [b' ', b'-', b' ', ..] => true,
        [b' ', a, b, c, b' ', ..] => a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit(),
        _ => false,
    }
}

/// Parses the shared NCSA head of an access line:
/// `HEAD [time] "request" status bytes[ tail]`.
///
/// Sources: nginx `ngx_http_combined_fmt` in src/http/modules/ngx_http_log_module.c
/// (`$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent …`), and the
/// httpd default `LogFormat "%h %l %u %t \"%r\" %>s %b" common` in docs/conf/httpd.conf.in.
/// The time is `$time_local`/`%t` (`21/Jan/2024:15:00:02 +0000`), or `$time_iso8601` for the
/// configs that put it in the brackets instead.
pub(crate) fn parse_clf_line(line: &str) -> Option<ClfLine<'_>> {
    let b = line.as_bytes();
    let window = b.get(..b.len().min(HEAD_MAX))?;
    let open = memchr::memmem::find(window, b" [")?;
    if open == 0 || b[0] == b' ' {
        return None;
    }
    let head = line.get(..open)?;
    let t = open + 2;
    let rest = b.get(t..)?;
    let (time, used) = parse_clf(rest).or_else(|| parse_iso8601(rest))?;
    let close = t + used;
    if b.get(close..close + 3) != Some(b"] \"".as_slice()) {
        return None;
    }
    let req_start = close + 3;
    let req_end = close_quote(b, req_start, status_follows)?;
    let request = line.get(req_start..req_end)?;
    let s = req_end + 2;
    let (status, after_status) = if b.get(s) == Some(&b'-') {
        (None, s + 2)
    } else {
        (Some(line.get(s..s + 3)?), s + 4)
    };
    let rest = line.get(after_status..)?;
    let (bytes, tail) = match rest.find(' ') {
        Some(sp) => (&rest[..sp], rest[sp + 1..].trim_start_matches(' ')),
        None => (rest, ""),
    };
    let numeric =
        !bytes.is_empty() && bytes.len() <= 20 && bytes.bytes().all(|c| c.is_ascii_digit());
    if !numeric && bytes != "-" {
        return None;
    }
    Some(ClfLine {
        head,
        time,
        request,
        status,
        bytes,
        tail,
    })
}

/// One field of what follows the byte count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// `"…"`: the content, escapes kept.
    Quoted(&'a str),
    /// A quote never closed: the line was cut (disk full, a file still being written).
    Unclosed(&'a str),
    /// `[…]` (ingress-nginx `[$proxy_upstream_name]`): the content.
    Bracket(&'a str),
    /// A bare word, or a list nginx joins with `, ` or ` : ` (`0.010, 0.020`,
    /// `10.0.0.1:80 : 10.0.0.2:80`).
    Bare(&'a str),
    /// `key=value` or `key="value"` (`rt=0.123 uct="0.000"`): key and value.
    Kv(&'a str, &'a str),
}

/// Splits the tail of an access line into [`Token`]s, borrowing from the line.
pub(crate) struct Tokens<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Tokens<'a> {
    pub(crate) fn new(s: &'a str) -> Tokens<'a> {
        Tokens { s, pos: 0 }
    }
}

fn space_or_end(rest: &[u8]) -> bool {
    matches!(rest.first(), None | Some(b' '))
}

/// The index of `=` when `b[start..]` opens with `identifier=`.
fn key_eq(b: &[u8], start: usize) -> Option<usize> {
    let first = *b.get(start)?;
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return None;
    }
    let mut i = start + 1;
    while i < b.len() && i - start <= 32 {
        match b[i] {
            b'=' => return Some(i),
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.' => i += 1,
            _ => return None,
        }
    }
    None
}

fn word_end(b: &[u8], start: usize) -> usize {
    memchr::memchr(b' ', b.get(start..).unwrap_or_default()).map_or(b.len(), |off| start + off)
}

/// The end of a bare word, extended over the `, ` and ` : ` separators nginx puts between the
/// values of `$upstream_addr`/`$upstream_response_time` when several upstreams were tried
/// (`ngx_http_upstream_response_time_variable` in src/http/ngx_http_upstream.c).
fn list_end(b: &[u8], start: usize) -> usize {
    let mut end = word_end(b, start);
    loop {
        let next_is_word = |at: usize| {
            b.get(at)
                .is_some_and(|c| *c != b' ' && *c != b'"' && *c != b'[')
        };
        if end > start
            && b.get(end - 1) == Some(&b',')
            && b.get(end) == Some(&b' ')
            && next_is_word(end + 1)
        {
            end = word_end(b, end + 1);
        } else if b.get(end..end + 3) == Some(b" : ".as_slice()) && next_is_word(end + 3) {
            end = word_end(b, end + 3);
        } else {
            return end;
        }
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let s: &'a str = self.s;
        let b = s.as_bytes();
        while b.get(self.pos) == Some(&b' ') {
            self.pos += 1;
        }
        let start = self.pos;
        let first = *b.get(start)?;
        match first {
            b'"' => {
                let inner = |end: usize| s.get(start + 1..end).unwrap_or_default();
                match close_quote(b, start + 1, space_or_end) {
                    Some(c) => {
                        self.pos = c + 1;
                        Some(Token::Quoted(inner(c)))
                    }
                    None => {
                        self.pos = b.len();
                        Some(Token::Unclosed(inner(b.len())))
                    }
                }
            }
            b'[' => {
                let close = memchr::memchr(b']', &b[start..]).map(|off| start + off);
                let end = close.unwrap_or(b.len());
                self.pos = close.map_or(b.len(), |c| c + 1);
                Some(Token::Bracket(s.get(start + 1..end).unwrap_or_default()))
            }
            _ => {
                if let Some(eq) = key_eq(b, start) {
                    let key = s.get(start..eq).unwrap_or_default();
                    if b.get(eq + 1) == Some(&b'"') {
                        let value = |end: usize| s.get(eq + 2..end).unwrap_or_default();
                        return Some(match close_quote(b, eq + 2, space_or_end) {
                            Some(c) => {
                                self.pos = c + 1;
                                Token::Kv(key, value(c))
                            }
                            None => {
                                self.pos = b.len();
                                Token::Unclosed(value(b.len()))
                            }
                        });
                    }
                    let end = list_end(b, eq + 1);
                    self.pos = end;
                    return Some(Token::Kv(key, s.get(eq + 1..end).unwrap_or_default()));
                }
                let end = list_end(b, start);
                self.pos = end;
                Some(Token::Bare(s.get(start..end).unwrap_or_default()))
            }
        }
    }
}

/// `$request` / `%r` split into its parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RequestLine<'a> {
    pub method: &'a str,
    /// The request target as sent, query string included.
    pub target: &'a str,
    /// `HTTP/1.1`, `HTTP/2.0`; `None` for an HTTP/0.9 request line (`GET /`).
    pub protocol: Option<&'a str>,
}

/// Splits a request line `METHOD target[ HTTP/x.y]`. `None` for what is not one: `-` or an
/// empty request (the client sent nothing), TLS bytes sent to a plain-HTTP port (nginx logs
/// them escaped, `\x16\x03\x01…`), scanners' junk. Methods are upper-case tokens (RFC 9110
/// methods, WebDAV `PROPFIND`, `VERSION-CONTROL`).
pub(crate) fn split_request(raw: &str) -> Option<RequestLine<'_>> {
    let (method, rest) = raw.split_once(' ')?;
    if method.is_empty()
        || method.len() > 32
        || !method
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c == b'-' || c == b'_')
    {
        return None;
    }
    let (target, protocol) = match rest.rsplit_once(' ') {
        Some((t, p)) if p.starts_with("HTTP/") => (t, Some(p)),
        _ => (rest, None),
    };
    if target.is_empty() || target.starts_with(' ') {
        return None;
    }
    Some(RequestLine {
        method,
        target,
        protocol,
    })
}

/// The longest path put in a message; longer ones are cut (the field keeps all of it).
const MESSAGE_PATH_MAX: usize = 200;

fn cut_at_char_boundary(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The event message for an access line: `GET /api/login 503` (the query string is left out so
/// that lines group into templates; it stays in `http.path`). A request that is not a request
/// line becomes `(no request) 400` or `(malformed request) 400`.
pub(crate) fn request_message(
    request: Option<&RequestLine<'_>>,
    raw: &str,
    status: Option<&str>,
) -> String {
    let status = status.unwrap_or("-");
    match request {
        Some(r) => {
            let path = r.target.split('?').next().unwrap_or(r.target);
            format!(
                "{} {} {}",
                r.method,
                cut_at_char_boundary(path, MESSAGE_PATH_MAX),
                status
            )
        }
        None if raw.is_empty() || raw == "-" => format!("(no request) {status}"),
        None => format!("(malformed request) {status}"),
    }
}

/// Starts the event for a parsed access line: time, level, message, and the fields every
/// access format has (client, user, request parts, status, bytes).
pub(crate) fn base_event<'a>(clf: &ClfLine<'a>, client: &'a str, user: &'a str) -> Parsed<'a> {
    let request = split_request(clf.request);
    let message = request_message(request.as_ref(), clf.request, clf.status);
    let mut parsed = Parsed::new(Some(clf.time), clf.level(), message);
    parsed.push_field(keys::CLIENT, client);
    parsed.push_field(keys::USER, user);
    match request {
        Some(r) => {
            parsed.push_field(keys::HTTP_METHOD, r.method);
            parsed.push_field(keys::HTTP_PATH, r.target);
            if let Some(p) = r.protocol {
                parsed.push_field(keys::HTTP_PROTOCOL, p);
            }
        }
        None => parsed.push_field("http.request", clf.request),
    }
    if let Some(s) = clf.status {
        parsed.push_field(keys::HTTP_STATUS, s);
    }
    // Apache's `%b` writes `-` for an empty body: that is zero bytes.
    parsed.push_field(
        keys::HTTP_BYTES,
        if clf.bytes == "-" { "0" } else { clf.bytes },
    );
    parsed
}

// ---------------------------------------------------------------------------------------------
// nginx-specific tail.
// ---------------------------------------------------------------------------------------------

/// nginx prints times as `%T.%03M` (`$request_time`, `$upstream_*_time`): seconds with exactly
/// three decimals. `$msec` (epoch seconds, also three decimals) is ruled out by its length;
/// `$gzip_ratio` (two decimals) by its precision.
fn is_seconds(v: &str) -> bool {
    match v.split_once('.') {
        Some((int, frac)) => {
            !int.is_empty()
                && int.len() <= 7
                && int.bytes().all(|c| c.is_ascii_digit())
                && frac.len() == 3
                && frac.bytes().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// The items of an nginx upstream list (`a, b : c`).
fn list_items(v: &str) -> impl Iterator<Item = &str> {
    v.split([',', ':']).map(str::trim)
}

/// `0.010, 0.020`, `- : 0.004`: several upstream times (at least one of them a time).
fn is_seconds_list(v: &str) -> bool {
    (v.contains(", ") || v.contains(" : "))
        && list_items(v).all(|t| t == "-" || is_seconds(t))
        && list_items(v).any(is_seconds)
}

/// Sum of an upstream time list in seconds with three decimals (`0.010, 0.020` → `0.030`):
/// the time spent in upstreams over all tries.
fn sum_seconds(v: &str) -> Option<String> {
    let mut ms: u64 = 0;
    let mut any = false;
    for item in list_items(v) {
        if let Some((int, frac)) = item.split_once('.') {
            let i: u64 = int.parse().ok()?;
            let f: u64 = frac.parse().ok()?;
            ms = ms.checked_add(i.checked_mul(1000)?.checked_add(f)?)?;
            any = true;
        }
    }
    any.then(|| format!("{}.{:03}", ms / 1000, ms % 1000))
}

/// `$request_id` and ingress-nginx `$req_id`: 32 hexadecimal digits.
fn is_request_id(v: &str) -> bool {
    v.len() == 32 && v.bytes().all(|c| c.is_ascii_hexdigit())
}

/// `$upstream_addr`: `10.0.0.5:8080`, `[2001:db8::5]:8080`, `unix:/run/php-fpm.sock`, or a list
/// of them. Uses the ` : ` / `, ` separators only; the `:` inside an address is not one.
fn is_upstream_list(v: &str) -> bool {
    v.split(", ")
        .flat_map(|part| part.split(" : "))
        .all(|a| a.starts_with("unix:") || a.parse::<std::net::SocketAddr>().is_ok())
}

/// `$http_x_forwarded_for`: one or more IP addresses joined with `, `.
fn is_ip_list(v: &str) -> bool {
    v.split(',')
        .all(|a| a.trim().parse::<std::net::IpAddr>().is_ok())
}

/// What the fields after `$body_bytes_sent` told us.
#[derive(Default)]
struct NginxTail<'a> {
    referer: Option<&'a str>,
    user_agent: Option<&'a str>,
    rt_kv: Option<&'a str>,
    request_time: Option<&'a str>,
    upstream_time: Option<&'a str>,
    upstream: Option<&'a str>,
    request_id: Option<&'a str>,
    forwarded_for: Option<&'a str>,
    quoted_seen: usize,
    /// A quote was left open: the line is cut.
    cut: bool,
    other_kv: Vec<(&'a str, &'a str)>,
}

impl<'a> NginxTail<'a> {
    fn value(&mut self, v: &'a str, quoted: bool) {
        if is_seconds(v) {
            if self.request_time.is_none() {
                self.request_time = Some(v);
            } else if self.upstream_time.is_none() {
                self.upstream_time = Some(v);
            }
        } else if is_seconds_list(v) {
            self.upstream_time.get_or_insert(v);
        } else if is_request_id(v) {
            self.request_id.get_or_insert(v);
        } else if quoted {
            if is_ip_list(v) {
                self.forwarded_for.get_or_insert(v);
            }
        } else if is_upstream_list(v) {
            self.upstream.get_or_insert(v);
        }
    }

    fn read(tail: &'a str) -> NginxTail<'a> {
        let mut t = NginxTail::default();
        for token in Tokens::new(tail) {
            match token {
                Token::Quoted(v) => {
                    match t.quoted_seen {
                        0 => t.referer = Some(v),
                        1 => t.user_agent = Some(v),
                        _ => t.value(v, true),
                    }
                    t.quoted_seen += 1;
                }
                Token::Bare(v) => t.value(v, false),
                Token::Kv(k, v) => match k {
                    "rt" | "request_time" => t.rt_kv = Some(v),
                    "urt" | "upstream_response_time" => t.upstream_time = Some(v),
                    "ua" | "upstream" | "upstream_addr" => t.upstream = Some(v),
                    "request_id" | "req_id" | "rid" => t.request_id = Some(v),
                    _ => t.other_kv.push((k, v)),
                },
                Token::Bracket(_) => {}
                Token::Unclosed(_) => t.cut = true,
            }
        }
        t
    }

    /// Request latency: `rt=`, else `$request_time`, else the upstream time (summed over
    /// retries).
    fn latency(&self) -> Option<Cow<'a, str>> {
        if let Some(v) = self.rt_kv.filter(|v| is_seconds(v)) {
            return Some(Cow::Borrowed(v));
        }
        if let Some(v) = self.request_time {
            return Some(Cow::Borrowed(v));
        }
        let u = self.upstream_time?;
        if is_seconds(u) {
            Some(Cow::Borrowed(u))
        } else {
            sum_seconds(u).map(Cow::Owned)
        }
    }
}

impl Format for NginxAccess {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn multiline(&self) -> bool {
        false
    }

    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        let Some(clf) = parse_clf_line(line) else {
            return LineParse::NoMatch;
        };
        // `$status` is always three digits (`%03ui`, `ngx_http_log_status`) and
        // `$body_bytes_sent` always a number: `-` in either is Apache.
        if clf.status.is_none() || clf.bytes == "-" {
            return LineParse::NoMatch;
        }
        // `$remote_addr - $remote_user`: the literal `-`, then the user, which nginx does not
        // escape spaces in (ngx_http_log_escape leaves 0x20 alone).
        let Some((client, rest)) = clf.head.split_once(' ') else {
            return LineParse::NoMatch;
        };
        let Some(user) = rest.strip_prefix("- ") else {
            return LineParse::NoMatch;
        };
        if client.is_empty() || user.is_empty() {
            return LineParse::NoMatch;
        }
        let tail = NginxTail::read(clf.tail);
        if tail.quoted_seen < 2 || tail.cut {
            return LineParse::NoMatch;
        }
        let mut parsed = base_event(&clf, client, user);
        if let Some(v) = tail.referer {
            parsed.push_field(keys::HTTP_REFERER, v);
        }
        if let Some(v) = tail.user_agent {
            parsed.push_field(keys::HTTP_USER_AGENT, v);
        }
        if let Some(v) = tail.latency() {
            parsed.push_field(keys::HTTP_LATENCY, v);
        }
        if let Some(v) = tail.upstream {
            parsed.push_field(keys::UPSTREAM, v);
        }
        if let Some(v) = tail.request_id {
            parsed.push_field(keys::REQUEST_ID, v);
        }
        if let Some(v) = tail.forwarded_for {
            parsed.push_field("http.x_forwarded_for", v);
        }
        for (k, v) in tail.other_kv {
            parsed.push_field(k, v);
        }
        LineParse::Event(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::ymd_hms;

    fn event(line: &str) -> Parsed<'_> {
        match NginxAccess.parse(line) {
            LineParse::Event(p) => p,
            other => panic!("expected an event for {line:?}, got {other:?}"),
        }
    }

    fn field<'p>(p: &'p Parsed<'_>, key: &str) -> Option<&'p str> {
        p.field(key)
    }

    // Shapes follow `ngx_http_combined_fmt` (src/http/modules/ngx_http_log_module.c) and the
    // `main` format of the nginx.conf shipped by nginx.org packages and the Docker image.

    #[test]
    fn combined_line_valid_all_fields() {
        let p = event(
            r#"203.0.113.7 - - [21/Jan/2024:15:00:02 +0000] "GET /api/login?next=%2Fhome HTTP/1.1" 503 197 "https://shop.example.com/cart" "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0""#,
        );
        assert_eq!(p.time, Some(RawTime::Utc(ymd_hms(2024, 1, 21, 15, 0, 2))));
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.message, "GET /api/login 503");
        assert_eq!(field(&p, keys::CLIENT), Some("203.0.113.7"));
        assert_eq!(field(&p, keys::USER), None);
        assert_eq!(field(&p, keys::HTTP_METHOD), Some("GET"));
        assert_eq!(field(&p, keys::HTTP_PATH), Some("/api/login?next=%2Fhome"));
        assert_eq!(field(&p, keys::HTTP_PROTOCOL), Some("HTTP/1.1"));
        assert_eq!(field(&p, keys::HTTP_STATUS), Some("503"));
        assert_eq!(field(&p, keys::HTTP_BYTES), Some("197"));
        assert_eq!(
            field(&p, keys::HTTP_REFERER),
            Some("https://shop.example.com/cart")
        );
        assert_eq!(
            field(&p, keys::HTTP_USER_AGENT),
            Some("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0")
        );
        assert_eq!(field(&p, keys::HTTP_LATENCY), None);
    }

    #[test]
    fn combined_line_valid_empty_referer_and_levels_by_status() {
        let p = event(
            r#"10.1.2.3 - - [21/Jan/2024:16:00:02 +0100] "POST /api/orders HTTP/2.0" 201 48 "-" "okhttp/4.12.0""#,
        );
        assert_eq!(p.time, Some(RawTime::Utc(ymd_hms(2024, 1, 21, 15, 0, 2))));
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(field(&p, keys::HTTP_REFERER), None);
        assert_eq!(field(&p, keys::HTTP_PROTOCOL), Some("HTTP/2.0"));
        let p = event(
            r#"10.1.2.3 - - [21/Jan/2024:15:00:02 +0000] "GET /missing HTTP/1.1" 404 153 "-" "curl/8.5.0""#,
        );
        assert_eq!(p.level, Some(Level::Warn));
    }

    #[test]
    fn main_format_valid_forwarded_for() {
        let p = event(
            r#"172.18.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" 200 615 "-" "curl/8.5.0" "198.51.100.4, 10.0.0.2""#,
        );
        assert_eq!(
            field(&p, "http.x_forwarded_for"),
            Some("198.51.100.4, 10.0.0.2")
        );
        let p = event(
            r#"172.18.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" 200 615 "-" "curl/8.5.0" "-""#,
        );
        assert_eq!(field(&p, "http.x_forwarded_for"), None);
    }

    #[test]
    fn request_time_valid_bare_and_upstream_fields() {
        // '... "$http_user_agent" $request_time $upstream_response_time $upstream_addr'
        let p = event(
            r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET /api/login HTTP/1.1" 502 157 "-" "curl/8.5.0" 0.123 0.120 10.0.0.5:8080"#,
        );
        assert_eq!(field(&p, keys::HTTP_LATENCY), Some("0.123"));
        assert_eq!(field(&p, keys::UPSTREAM), Some("10.0.0.5:8080"));
    }

    #[test]
    fn upstream_time_valid_retried_list_summed_when_no_request_time() {
        // '... "$http_user_agent" "$upstream_response_time" $upstream_addr': two tries.
        let p = event(
            r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET /api/login HTTP/1.1" 504 167 "-" "curl/8.5.0" "60.001, 0.020" 10.0.0.5:8080, 10.0.0.6:8080"#,
        );
        assert_eq!(field(&p, keys::HTTP_LATENCY), Some("60.021"));
        assert_eq!(
            field(&p, keys::UPSTREAM),
            Some("10.0.0.5:8080, 10.0.0.6:8080")
        );
    }

    #[test]
    fn upstream_time_valid_internal_redirect_and_dash() {
        let p = event(
            r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl/8.5.0" - : 0.004 unix:/run/php/php8.2-fpm.sock"#,
        );
        assert_eq!(field(&p, keys::HTTP_LATENCY), Some("0.004"));
        assert_eq!(
            field(&p, keys::UPSTREAM),
            Some("unix:/run/php/php8.2-fpm.sock")
        );
        let p = event(
            r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl/8.5.0" -"#,
        );
        assert_eq!(field(&p, keys::HTTP_LATENCY), None);
    }

    #[test]
    fn key_value_style_valid_rt_uct_uht_urt() {
        // The "upstream_time" style from the NGINX blog / nginx-prometheus-exporter configs.
        let p = event(
            r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET /api/login HTTP/1.1" 200 612 "-" "curl/8.5.0" rt=0.123 uct="0.000" uht="0.010" urt="0.010""#,
        );
        assert_eq!(field(&p, keys::HTTP_LATENCY), Some("0.123"));
        assert_eq!(field(&p, "uct"), Some("0.000"));
        assert_eq!(field(&p, "uht"), Some("0.010"));
        // The NGINX Ingress Controller exporter puts rt=/urt= before the referer.
        let p = event(
            r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" 200 612 rt=0.005 urt="0.004" "-" "curl/8.5.0" "-""#,
        );
        assert_eq!(field(&p, keys::HTTP_LATENCY), Some("0.005"));
        assert_eq!(field(&p, keys::HTTP_USER_AGENT), Some("curl/8.5.0"));
    }

    #[test]
    fn compression_format_valid_gzip_ratio_is_not_a_time() {
        // nginx docs' example: log_format compression '... "$request" $status $bytes_sent
        // "$http_referer" "$http_user_agent" "$gzip_ratio"';
        let p = event(
            r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET /app.js HTTP/1.1" 200 51234 "https://example.com/" "Mozilla/5.0" "3.47""#,
        );
        assert_eq!(field(&p, keys::HTTP_LATENCY), None);
    }

    #[test]
    fn ingress_nginx_upstreaminfo_valid() {
        // ingress-nginx default log-format-upstream (`upstreaminfo`).
        let p = event(
            r#"192.168.49.1 - - [21/Jan/2024:15:00:02 +0000] "GET /api/login HTTP/1.1" 503 190 "-" "curl/8.5.0" 84 0.003 [default-api-80] [] 10.244.0.12:8080 190 0.002 503 8b1f2c6e3a0d4e5f9a7b6c5d4e3f2a1b"#,
        );
        assert_eq!(field(&p, keys::HTTP_LATENCY), Some("0.003"));
        assert_eq!(field(&p, keys::UPSTREAM), Some("10.244.0.12:8080"));
        assert_eq!(
            field(&p, keys::REQUEST_ID),
            Some("8b1f2c6e3a0d4e5f9a7b6c5d4e3f2a1b")
        );
    }

    #[test]
    fn request_valid_tls_handshake_junk_and_empty() {
        let p = event(
            r#"45.148.10.2 - - [21/Jan/2024:15:00:02 +0000] "\x16\x03\x01\x00\xEE\x01\x00\x00\xEA\x03\x03" 400 157 "-" "-""#,
        );
        assert_eq!(p.message, "(malformed request) 400");
        assert_eq!(
            field(&p, "http.request"),
            Some(r"\x16\x03\x01\x00\xEE\x01\x00\x00\xEA\x03\x03")
        );
        assert_eq!(field(&p, keys::HTTP_METHOD), None);
        let p = event(r#"45.148.10.2 - - [21/Jan/2024:15:00:02 +0000] "-" 400 0 "-" "-""#);
        assert_eq!(p.message, "(no request) 400");
        let p = event(r#"45.148.10.2 - - [21/Jan/2024:15:00:02 +0000] "" 400 0 "-" "-""#);
        assert_eq!(p.message, "(no request) 400");
    }

    #[test]
    fn user_agent_valid_escaped_quotes() {
        // nginx escapes `"` as \x22; Apache and escape=json as \".
        let p = event(
            r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" 200 5 "-" "sqlmap \x22probe\x22""#,
        );
        assert_eq!(
            field(&p, keys::HTTP_USER_AGENT),
            Some(r"sqlmap \x22probe\x22")
        );
        let p = event(
            r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" 200 5 "-" "say \"hi\" 1.0" 0.001"#,
        );
        assert_eq!(field(&p, keys::HTTP_USER_AGENT), Some(r#"say \"hi\" 1.0"#));
        assert_eq!(field(&p, keys::HTTP_LATENCY), Some("0.001"));
    }

    #[test]
    fn request_valid_raw_quote_with_escape_none() {
        // log_format … escape=none writes a client's quote as is.
        let p = event(
            r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET /search?q="x" HTTP/1.1" 200 5 "-" "curl/8.5.0""#,
        );
        assert_eq!(field(&p, keys::HTTP_PATH), Some(r#"/search?q="x""#));
    }

    #[test]
    fn client_valid_ipv6_user_with_space_and_iso_time() {
        let p = event(
            r#"2001:db8::17 - jane doe [2024-01-21T15:00:02+00:00] "GET /admin HTTP/1.1" 401 179 "-" "curl/8.5.0""#,
        );
        assert_eq!(p.time, Some(RawTime::Utc(ymd_hms(2024, 1, 21, 15, 0, 2))));
        assert_eq!(field(&p, keys::CLIENT), Some("2001:db8::17"));
        assert_eq!(field(&p, keys::USER), Some("jane doe"));
    }

    #[test]
    fn request_valid_http09_has_no_protocol() {
        let p = event(r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET /" 009 5 "-" "-""#);
        assert_eq!(field(&p, keys::HTTP_PATH), Some("/"));
        assert_eq!(field(&p, keys::HTTP_PROTOCOL), None);
        assert_eq!(p.message, "GET / 009");
    }

    #[test]
    fn combined_line_invalid_truncated() {
        let full = r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET /api/login HTTP/1.1" 200 612 "-" "curl/8.5.0""#;
        for cut in [20, 45, 60, 75, 80, 87] {
            assert_eq!(
                NginxAccess.parse(&full[..cut]),
                LineParse::NoMatch,
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn combined_line_invalid_wrong_date() {
        for line in [
            r#"10.0.0.1 - - [32/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.5.0""#,
            r#"10.0.0.1 - - [21/Foo/2024:15:00:02 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.5.0""#,
            r#"10.0.0.1 - - [21/Jan/2024 15:00:02 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.5.0""#,
        ] {
            assert_eq!(NginxAccess.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn apache_only_lines_invalid_common_dash_bytes_vhost() {
        for line in [
            // Apache `common`: no referer / user agent.
            r#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326"#,
            // Apache `%b` is `-` for an empty body; nginx always prints a number.
            r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" 304 - "-" "curl/8.5.0""#,
            // Debian's vhost_combined.
            r#"www.example.com:443 10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.5.0""#,
        ] {
            assert_eq!(NginxAccess.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn neighbour_formats_invalid() {
        for line in [
            "2024-01-21 15:00:02.123  INFO 1 --- [           main] c.e.demo.Application : Started Application in 3.2 seconds",
            "2024-01-21 15:00:02,123 [http-nio-8080-exec-1] ERROR com.example.Api - boom",
            "2024/01/21 15:00:02 [error] 1234#1234: *5678 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.1, server: example.com, request: \"GET /api/login HTTP/1.1\", upstream: \"http://10.0.0.5:8080/api/login\", host: \"example.com\"",
            "[Sun Dec 04 04:47:44 2005] [error] [client 10.0.0.1] File does not exist: /var/www/favicon.ico",
            "Jan 21 15:00:02 web1 nginx[1234]: 10.0.0.1 - - something",
            "",
            " [",
        ] {
            assert_eq!(NginxAccess.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn garbage_invalid_never_panics() {
        let nasty = [
            "a [21/Jan/2024:15:00:02 +0000] \"",
            "a - b [21/Jan/2024:15:00:02 +0000] \"GET \\",
            "a - b [21/Jan/2024:15:00:02 +0000] \"x\" 200 1 \"\\",
            "a - b [21/Jan/2024:15:00:02 +0000] \"x\" 200 1 \"é\" \"ü\" k=\"",
            "a - b [21/Jan/2024:15:00:02 +0000] \"x\" 200 1 \"a\" \"b\" [unclosed 0.010, ",
            "é - é [21/Jan/2024:15:00:02 +0000] \"é é\" 200 1 \"é\" \"é\" é=é 0.010 : ",
        ];
        for line in nasty {
            let _ = NginxAccess.parse(line);
        }
        for cut in 0..120 {
            let full = "é - ü [21/Jan/2024:15:00:02 +0000] \"GET /é HTTP/1.1\" 200 1 \"-\" \"ü\" rt=0.001 0.002, 0.003";
            if let Some(s) = full.get(..cut) {
                let _ = NginxAccess.parse(s);
            }
        }
    }

    #[test]
    fn tokens_valid_lists_brackets_and_kv() {
        let t: Vec<Token<'_>> =
            Tokens::new(r#"84 0.003 [up-80] [] 10.0.0.1:80, 10.0.0.2:80 0.1 : 0.2 k="a b" x=1"#)
                .collect();
        assert_eq!(
            t,
            vec![
                Token::Bare("84"),
                Token::Bare("0.003"),
                Token::Bracket("up-80"),
                Token::Bracket(""),
                Token::Bare("10.0.0.1:80, 10.0.0.2:80"),
                Token::Bare("0.1 : 0.2"),
                Token::Kv("k", "a b"),
                Token::Kv("x", "1"),
            ]
        );
    }

    #[test]
    fn sniff_valid_picks_nginx_access_for_combined() {
        let sample = [
            r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET /api/login HTTP/1.1" 200 612 "-" "curl/8.5.0" 0.012"#,
            r#"10.0.0.2 - - [21/Jan/2024:15:00:03 +0000] "POST /api/login HTTP/1.1" 503 197 "-" "okhttp/4.12.0" 0.004"#,
            r#"10.0.0.3 - - [21/Jan/2024:15:00:04 +0000] "GET /health HTTP/1.1" 200 2 "-" "kube-probe/1.29" 0.001"#,
        ];
        assert_eq!(
            super::super::sniff(&sample).format.name(),
            NginxAccess::NAME
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_line_invalid_never_panics(i in 0usize..4, tail in "\\PC{0,120}") {
            let prefixes = [r#""#, r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] ""#, r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" 200 5 "#, r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" 200 5 "-" "x" "#];
            let line = format!("{}{tail}", prefixes[i]);
            let _ = NginxAccess.parse(&line);
        }
    }
}
