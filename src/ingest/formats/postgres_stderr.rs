//! postgres_stderr: PostgreSQL's own text log (`log_destination = 'stderr'`, usually written by
//! the logging collector to `log/postgresql-*.log`), with any common `log_line_prefix`.
//!
//! Every line PostgreSQL writes is `<log_line_prefix><SEVERITY>:  <text>` (two spaces after the
//! colon). One report is a header line (`LOG`, `ERROR`, `FATAL`, ...) followed by lines with the
//! same prefix for `DETAIL`, `HINT`, `QUERY`, `CONTEXT`, `LOCATION` and `STATEMENT`, and by
//! tab-indented lines where a message or a query has a newline. The header line becomes an event;
//! the prefixed follow-up lines are [`LineParse::Continuation`]; the tab-indented lines are
//! [`LineParse::NoMatch`], which the (multi-line) pipeline attaches to the event too.
//!
//! The prefix is not hard-coded. [`PostgresStderr::prepare`] looks at the sample's prefixes (the
//! text before the first severity marker) and learns where the timestamp sits ([`PrefixShape`]):
//! after a constant lead (`''` for `'%m [%p] '`, `'< '` for `'< %m > '`), anywhere, or nowhere
//! (`log_line_prefix = ''`, the pre-10 default). Lines whose prefix does not fit are rejected, so
//! an application log that quotes a libpq `ERROR:  ...` message is not taken for PostgreSQL's.
//! The rest of the prefix is read by a tolerant tokenizer (`scan_prefix`) that knows the
//! shapes the escapes print: `[pid]`, `[%l-1]`, `[%p-%l]`, `user@db`, `key=value` lists,
//! `host(port)`, `[local]`, session ids, SQLSTATEs.
//!
//! Escapes and defaults: <https://www.postgresql.org/docs/current/runtime-config-logging.html>
//! (`log_line_prefix`); the printing code is `log_line_prefix()` and
//! `send_message_to_server_log()` in src/backend/utils/error/elog.c.
//!
//! The helpers shared with the csvlog and jsonlog formats live here too: [`severity_word`],
//! [`pg_time`], [`duration_seconds`] and [`is_sqlstate`].

use super::{Format, LineParse, Parsed};
use crate::event::{Level, keys};
use crate::time::{RawTime, parse_epoch_str, parse_iso8601};
use std::borrow::Cow;

/// Longest prefix we look through for the severity marker. `%a`, `%u` and `%d` are at most 63
/// bytes each (NAMEDATALEN - 1) and `%h` with `log_hostname` a DNS name, so real prefixes stay
/// well below this.
const MAX_PREFIX: usize = 512;

/// Where the timestamp sits in this input's `log_line_prefix`, as learned by `prepare`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum PrefixShape {
    /// Nothing learned (no sample, or no severity marker in it): a line counts when its prefix
    /// is empty or holds a PostgreSQL timestamp somewhere.
    #[default]
    Unknown,
    /// The prefix starts with this constant text and then a timestamp (`%m`, `%t` or `%n`).
    /// `zoned`: the sample's timestamps carried a zone, so one without is not ours.
    Lead { lead: String, zoned: bool },
    /// Timestamps appear at varying places in the prefix.
    Search,
    /// The prefix has no timestamp (`log_line_prefix = ''` or e.g. `'[%p] '`): events inherit
    /// their time.
    NoTime,
}

#[derive(Debug, Default)]
pub struct PostgresStderr {
    shape: PrefixShape,
}

impl PostgresStderr {
    pub const NAME: &'static str = "postgres_stderr";

    /// The prefix shape learned by [`Format::prepare`] (for tests and diagnostics).
    pub fn shape(&self) -> &PrefixShape {
        &self.shape
    }
}

/// What the word before `:  ` says about a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// A report's first line, with its level.
    Event(Level),
    /// `DETAIL`, `HINT`, `QUERY`, `CONTEXT`, `LOCATION`, `STATEMENT`: part of the report before.
    Continuation,
}

/// Maps the severity words PostgreSQL prints (`error_severity()` in
/// src/backend/utils/error/elog.c: `DEBUG` for DEBUG1..5, `LOG` also for LOG_SERVER_ONLY,
/// `WARNING` also for WARNING_CLIENT_ONLY) and the labels of the follow-up lines
/// (`send_message_to_server_log()`, same file). `DEBUG1`..`DEBUG5` are accepted as well.
/// English only: a server with a translated `lc_messages` prints e.g. `FEHLER`.
pub fn severity_word(word: &[u8]) -> Option<Severity> {
    let sev = match word {
        b"LOG" | b"INFO" => Severity::Event(Level::Info),
        b"ERROR" => Severity::Event(Level::Error),
        b"FATAL" | b"PANIC" => Severity::Event(Level::Fatal),
        b"WARNING" => Severity::Event(Level::Warn),
        b"NOTICE" => Severity::Event(Level::Notice),
        b"DEBUG" | b"DEBUG1" | b"DEBUG2" | b"DEBUG3" | b"DEBUG4" | b"DEBUG5" => {
            Severity::Event(Level::Debug)
        }
        b"DETAIL" | b"HINT" | b"CONTEXT" | b"STATEMENT" | b"QUERY" | b"LOCATION" => {
            Severity::Continuation
        }
        _ => return None,
    };
    Some(sev)
}

/// The severity marker of a line: where its word starts and where the text after it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Marker {
    start: usize,
    severity: Severity,
    text: usize,
}

/// Finds the first `WORD:  ` (two spaces, from `appendStringInfo(&buf, "%s:  ", ...)` in
/// elog.c) whose word is a severity and starts a word, within [`MAX_PREFIX`] bytes. A marker at
/// the very end of the line (empty message whose trailing spaces were stripped) counts too.
fn find_marker(line: &str) -> Option<Marker> {
    let b = line.as_bytes();
    let limit = b.len().min(MAX_PREFIX + 10);
    for colon in memchr::memchr_iter(b':', &b[..limit]) {
        let text = if b.get(colon + 1..colon + 3) == Some(b"  ") {
            colon + 3
        } else if colon + 1 == b.len() {
            b.len()
        } else {
            continue;
        };
        let mut start = colon;
        while start > 0 && colon - start < 9 {
            let c = b[start - 1];
            if c.is_ascii_uppercase() || c.is_ascii_digit() {
                start -= 1;
            } else {
                break;
            }
        }
        if start == colon
            || (start > 0 && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'_'))
        {
            continue;
        }
        if let Some(severity) = severity_word(&b[start..colon]) {
            return Some(Marker {
                start,
                severity,
                text,
            });
        }
    }
    None
}

#[inline]
fn digits_at(b: &[u8], from: usize, n: usize) -> bool {
    b.get(from..from + n)
        .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
}

/// Reads a timestamp as PostgreSQL prints it at the start of `b`:
/// * `%m`, csvlog/jsonlog `log_time`: `2024-01-21 15:00:02.123 UTC` (`setup_formatted_log_time()`
///   in elog.c: `"%Y-%m-%d %H:%M:%S     %Z"` with `.%03d` pasted in);
/// * `%t`, `%s`, session start: `2024-01-21 15:00:02 UTC` (`"%Y-%m-%d %H:%M:%S %Z"`);
/// * `%n`: `1705849202.123` (`"%ld.%03d"`).
///
/// `%Z` is the `log_timezone` abbreviation (`UTC`, `CET`, `MSK`) or, for zones without one, a
/// numeric offset (`+01`, `-03`, `+0545`). Abbreviations the time module does not know leave the
/// time local (read in `--tz`) but are still skipped. On Windows `%t` used to print no zone.
/// Returns the time, the bytes used and whether a zone was printed. Log4j/Python times
/// (`2024-01-21 15:00:02,123`) and ISO `T` times are rejected on purpose: PostgreSQL never prints
/// them, and refusing them keeps application logs that quote a libpq error out.
pub fn pg_time(b: &[u8]) -> Option<(RawTime, usize, bool)> {
    if !b.first()?.is_ascii_digit() {
        return None;
    }
    if b.get(4) == Some(&b'-') {
        let shape_ok = digits_at(b, 0, 4)
            && digits_at(b, 5, 2)
            && b.get(7) == Some(&b'-')
            && digits_at(b, 8, 2)
            && b.get(10) == Some(&b' ')
            && digits_at(b, 11, 2)
            && b.get(13) == Some(&b':')
            && digits_at(b, 14, 2)
            && b.get(16) == Some(&b':')
            && digits_at(b, 17, 2);
        if !shape_ok {
            return None;
        }
        // What may follow the seconds: PostgreSQL's `.mmm`, a zone, the prefix's next literal,
        // or the comma after csvlog's `session_start_time`. A comma followed by digits is a
        // log4j/Python millisecond separator, never PostgreSQL's.
        let b = match b.get(19) {
            None | Some(b' ') | Some(b']') | Some(b'>') | Some(b':') | Some(b'|') => b,
            Some(b',') if !b.get(20).is_some_and(u8::is_ascii_digit) => &b[..19],
            Some(b'.') => {
                if !digits_at(b, 20, 3) || b.get(23).is_some_and(u8::is_ascii_digit) {
                    return None;
                }
                b
            }
            Some(_) => return None,
        };
        let (raw, mut used) = parse_iso8601(b)?;
        let zoned = match raw {
            RawTime::Utc(_) => true,
            _ => match unknown_zone_len(&b[used..]) {
                0 => false,
                n => {
                    used += n;
                    true
                }
            },
        };
        if b.get(used).is_some_and(u8::is_ascii_alphanumeric) {
            return None;
        }
        return Some((raw, used, zoned));
    }
    // %n: seconds, a dot, exactly three digits.
    let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if !(9..=11).contains(&int_len)
        || b.get(int_len) != Some(&b'.')
        || !digits_at(b, int_len + 1, 3)
        || b.get(int_len + 4).is_some_and(u8::is_ascii_alphanumeric)
    {
        return None;
    }
    let end = int_len + 4;
    let text = std::str::from_utf8(&b[..end]).ok()?;
    let ts = parse_epoch_str(text)?;
    Some((RawTime::Utc(ts), end, true))
}

/// ` ABBR` after a time: a zone abbreviation the time module does not know (`%Z` prints
/// whatever the tz database says, e.g. `WITA`, `EAT`). Level words are not zones.
fn unknown_zone_len(b: &[u8]) -> usize {
    if b.first() != Some(&b' ') {
        return 0;
    }
    let n = b[1..].iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !(2..=6).contains(&n) {
        return 0;
    }
    match b.get(1 + n) {
        None | Some(b' ') | Some(b':') | Some(b']') | Some(b'>') | Some(b',') | Some(b'|') => {}
        Some(_) => return 0,
    }
    let word = std::str::from_utf8(&b[1..1 + n]).unwrap_or("");
    if Level::parse(word).is_some() || severity_word(word.as_bytes()).is_some() {
        return 0;
    }
    1 + n
}

/// Finds the first PostgreSQL timestamp at a word start in `prefix`: (time, range, zoned).
fn search_time(prefix: &str) -> Option<(RawTime, std::ops::Range<usize>, bool)> {
    let b = prefix.as_bytes();
    for i in 0..b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            if let Some((raw, used, zoned)) = pg_time(&b[i..]) {
                return Some((raw, i..i + used, zoned));
            }
        }
    }
    None
}

/// `duration: 2001.123 ms` at the start of a message (`log_min_duration_statement`,
/// `log_duration`; src/backend/tcop/postgres.c `check_log_duration()` callers print
/// `"duration: %s ms  statement: %s"`, `"duration: %s ms  execute %s%s%s: %s"`, ...) as seconds,
/// written as a decimal string by moving the decimal point (no float rounding):
/// `2001.123` ms → `2.001123`.
pub fn duration_seconds(message: &str) -> Option<String> {
    let rest = message.strip_prefix("duration: ")?;
    let end = rest.find(" ms")?;
    let number = &rest[..end];
    let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
    if int_part.is_empty()
        || int_part.len() > 15
        || frac_part.len() > 9
        || !int_part.bytes().all(|c| c.is_ascii_digit())
        || !frac_part.bytes().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    // The decimal point moves three places left.
    let point = int_part.len() as isize - 3;
    let mut out = String::with_capacity(number.len() + 3);
    let mut frac = [0u8; 32];
    let mut n = 0;
    let mut push = |c: u8| {
        if let Some(slot) = frac.get_mut(n) {
            *slot = c;
            n += 1;
        }
    };
    if point > 0 {
        let (whole, moved) = int_part.split_at(point as usize);
        let whole = whole.trim_start_matches('0');
        out.push_str(if whole.is_empty() { "0" } else { whole });
        moved.bytes().chain(frac_part.bytes()).for_each(&mut push);
    } else {
        out.push('0');
        std::iter::repeat_n(b'0', (-point) as usize)
            .chain(int_part.bytes())
            .chain(frac_part.bytes())
            .for_each(&mut push);
    }
    let digits = &frac[..n];
    let keep = digits.iter().rposition(|c| *c != b'0').map_or(0, |p| p + 1);
    if keep > 0 {
        out.push('.');
        out.extend(digits[..keep].iter().map(|c| char::from(*c)));
    }
    Some(out)
}

/// A SQLSTATE: five characters from `[0-9A-Z]` (Appendix A of the PostgreSQL manual, e.g.
/// `57014`, `40P01`, `XX000`).
pub fn is_sqlstate(s: &str) -> bool {
    s.len() == 5
        && s.bytes()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
}

/// Splits `host(port)` (`%r`) or `host:port` (csvlog `connection_from`) into the host.
fn host_only(s: &str) -> &str {
    if let Some(open) = s.find('(') {
        if s.ends_with(')') {
            return &s[..open];
        }
    }
    s
}

/// Fields read from a prefix, before they are pushed in canonical order.
#[derive(Debug, Default, PartialEq, Eq)]
struct PrefixFields<'a> {
    pid: Option<&'a str>,
    user: Option<&'a str>,
    database: Option<&'a str>,
    application: Option<&'a str>,
    client: Option<&'a str>,
    error_code: Option<&'a str>,
    session_id: Option<&'a str>,
    session_line: Option<&'a str>,
    other: Vec<(&'a str, &'a str)>,
    tokens: usize,
}

/// What a `key=` in a prefix names. Keys are chosen by the administrator; these are the
/// spellings seen in recommended prefixes (pgBadger's `user=%u,db=%d,app=%a,client=%h`) and in
/// PostgreSQL's own `connection authorized: user=... database=... application_name=...`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    User,
    Database,
    Application,
    Client,
    Pid,
    ErrorCode,
    Session,
    Line,
    Other,
}

fn classify_key(key: &str) -> Key {
    let mut buf = [0u8; 24];
    if key.len() > buf.len() {
        return Key::Other;
    }
    let lower = &mut buf[..key.len()];
    lower.copy_from_slice(key.as_bytes());
    lower.make_ascii_lowercase();
    match &*lower {
        b"user" | b"usr" | b"u" | b"username" | b"user_name" | b"role" => Key::User,
        b"db" | b"database" | b"dbname" | b"database_name" | b"d" => Key::Database,
        b"app" | b"application" | b"appname" | b"application_name" | b"a" => Key::Application,
        b"client" | b"host" | b"h" | b"r" | b"remote" | b"remote_host" | b"client_addr"
        | b"clientaddr" | b"addr" | b"ip" | b"connection_from" => Key::Client,
        b"pid" | b"p" => Key::Pid,
        b"sqlstate" | b"state" | b"sql_state" | b"e" | b"err" | b"error" | b"errcode"
        | b"error_code" | b"code" | b"sql_state_code" | b"sql_error_code" => Key::ErrorCode,
        b"session" | b"sess" | b"session_id" | b"sessid" | b"c" => Key::Session,
        b"line" | b"l" | b"session_line" | b"line_num" => Key::Line,
        _ => Key::Other,
    }
}

#[inline]
fn is_sep(c: u8) -> bool {
    matches!(c, b' ' | b',' | b':' | b'<' | b'>' | b'|' | b'\t' | b';')
}

#[inline]
fn is_key_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-'
}

/// The position of the separator before the next `key=` at or after `from`, if any.
fn next_key_start(b: &[u8], from: usize) -> Option<usize> {
    let mut p = from;
    while p < b.len() {
        if is_sep(b[p]) || b[p] == b'[' {
            let k = p + 1;
            let mut e = k;
            while e < b.len() && is_key_char(b[e]) {
                e += 1;
            }
            if e > k && b.get(e) == Some(&b'=') {
                return Some(p);
            }
        }
        p += 1;
    }
    None
}

/// A value that means "not known": `[unknown]` is what `%u`, `%d` and `%a` print before
/// authentication; empty is what session escapes print in background processes.
fn known(v: &str) -> Option<&str> {
    let v = v.trim();
    (!v.is_empty() && v != "[unknown]" && v != "-").then_some(v)
}

impl<'a> PrefixFields<'a> {
    fn set(slot: &mut Option<&'a str>, value: &'a str) {
        if slot.is_none() {
            if let Some(v) = known(value) {
                *slot = Some(v);
            }
        }
    }

    fn key_value(&mut self, key: &'a str, value: &'a str) {
        match classify_key(key) {
            Key::User => Self::set(&mut self.user, value),
            Key::Database => Self::set(&mut self.database, value),
            Key::Application => Self::set(&mut self.application, value),
            Key::Client => Self::set(&mut self.client, host_only(value.trim())),
            Key::Pid => {
                if value.bytes().all(|c| c.is_ascii_digit()) {
                    Self::set(&mut self.pid, value)
                }
            }
            Key::ErrorCode => {
                if is_sqlstate(value) && value != "00000" {
                    Self::set(&mut self.error_code, value)
                }
            }
            Key::Session => Self::set(&mut self.session_id, value),
            Key::Line => {
                if value.bytes().all(|c| c.is_ascii_digit()) {
                    Self::set(&mut self.session_line, value)
                }
            }
            Key::Other => {
                if known(value).is_some() && self.other.len() < 8 {
                    self.other.push((key, value.trim()));
                }
            }
        }
    }

    /// `[...]`: `[pid]`, `[%l-1]`, `[%p-%l]`, `[local]`, `[key=value]`.
    fn bracket(&mut self, inner: &'a str, whole: &'a str) {
        let inner = inner.trim();
        if !inner.is_empty() && inner.bytes().all(|c| c.is_ascii_digit()) {
            if self.pid.is_none() {
                self.pid = Some(inner);
            } else if self.session_line.is_none() {
                self.session_line = Some(inner);
            }
            return;
        }
        if let Some((a, b)) = inner.split_once('-') {
            let (a, b) = (a.trim(), b.trim());
            let numeric = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
            if numeric(a) && numeric(b) {
                // `[%l-1]` (pgBadger's recommendation, the `-1` is literal) usually follows
                // `[%p]`; `[%p-%l]` carries the pid itself.
                if self.pid.is_some() {
                    Self::set(&mut self.session_line, a);
                } else {
                    self.pid = Some(a);
                    Self::set(&mut self.session_line, b);
                }
                return;
            }
        }
        match inner {
            "local" => Self::set(&mut self.client, whole),
            // `[queryid=123]`, `[app@db]`; brackets never nest in a prefix, so no recursion
            // beyond one level.
            _ if (inner.contains('=') || inner.contains('@')) && !inner.contains('[') => {
                scan_segment(inner, self)
            }
            _ => {}
        }
    }
}

/// Reads the fields out of one piece of a prefix (the text before or after its timestamp).
///
/// The shapes are what the escapes print (`log_line_prefix()` in
/// src/backend/utils/error/elog.c; the table at
/// <https://www.postgresql.org/docs/current/runtime-config-logging.html#GUC-LOG-LINE-PREFIX>):
/// `%p` a decimal pid, `%l` a decimal counter, `%r` `host(port)` or `[local]`, `%u`/`%d`/`%a`
/// the name or `[unknown]`, `%c` `hex.hex`, `%e` five `[0-9A-Z]`. Session escapes print nothing
/// in background processes, and `%q` cuts the rest of the prefix there.
fn scan_segment<'a>(seg: &'a str, acc: &mut PrefixFields<'a>) {
    let b = seg.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if is_sep(c) {
            i += 1;
            continue;
        }
        if c == b'[' {
            let close = memchr::memchr(b']', &b[i + 1..]).map_or(b.len(), |k| i + 1 + k);
            // `[unknown]@[unknown]`: a bracket that is the user half of `%u@%d`.
            if close < b.len() && b.get(close + 1) == Some(&b'@') {
                let end = token_end(b, close + 2);
                user_at_db(&seg[i..end], acc);
                acc.tokens += 1;
                i = end;
                continue;
            }
            let inner = &seg[i + 1..close];
            let whole = &seg[i..(close + 1).min(seg.len())];
            acc.bracket(inner, whole);
            acc.tokens += 1;
            i = close + 1;
            continue;
        }
        let end = token_end(b, i);
        let token = &seg[i..end];
        acc.tokens += 1;
        // key=value
        if let Some(eq) = token.find('=') {
            let key = &token[..eq];
            if !key.is_empty() && key.bytes().all(is_key_char) {
                let vstart = i + eq + 1;
                let vend = value_end(b, vstart, classify_key(key));
                acc.key_value(key, &seg[vstart..vend]);
                i = vend;
                continue;
            }
            i = end;
            continue;
        }
        // host(port) from %r; an IPv6 host may reach back over `:` separators.
        if let Some(open) = token.find('(') {
            let open = i + open;
            let digits = b[open + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if digits > 0 && b.get(open + 1 + digits) == Some(&b')') {
                let mut start = open;
                while start > 0 {
                    let h = b[start - 1];
                    if h.is_ascii_alphanumeric() || matches!(h, b'.' | b'-' | b'_' | b':' | b'%') {
                        start -= 1;
                    } else {
                        break;
                    }
                }
                let mut host = &seg[start..open];
                // One leading `:` is the prefix's separator (`%m:%r:`), unless the host is an
                // IPv6 address starting with `::` that the prefix put after a space.
                if host.starts_with(":::") || (host.starts_with(':') && !host.starts_with("::")) {
                    host = &host[1..];
                }
                PrefixFields::set(&mut acc.client, host);
                i = open + digits + 2;
                continue;
            }
        }
        if token.contains('@') {
            user_at_db(token, acc);
            i = end;
            continue;
        }
        if acc.tokens == 1
            && acc.pid.is_none()
            && (1..=10).contains(&token.len())
            && token.bytes().all(|c| c.is_ascii_digit())
        {
            // A bare `%p` right after the timestamp (`'%m %p '`).
            acc.pid = Some(token);
        } else if is_session_id(token) {
            PrefixFields::set(&mut acc.session_id, token);
        } else if is_sqlstate(token)
            && token.bytes().any(|c| c.is_ascii_uppercase())
            && token.bytes().any(|c| c.is_ascii_digit())
        {
            // A bare `%e`. All-digit codes (`57014`) look like `%p`/`%x`/`%l` and are left out.
            PrefixFields::set(&mut acc.error_code, token);
        }
        i = end;
    }
}

/// The end of a token that starts at `i`: the next separator.
fn token_end(b: &[u8], i: usize) -> usize {
    let mut j = i;
    while j < b.len() && !is_sep(b[j]) {
        j += 1;
    }
    j
}

/// The end of a `key=value` value starting at `start`. Application names may contain spaces,
/// commas and colons (`PostgreSQL JDBC Driver`, `pgAdmin 4 - DB:postgres`), so they run to the
/// next `key=` or the end of the prefix; other values stop at a separator (an IPv6 client
/// keeps its colons).
fn value_end(b: &[u8], start: usize, key: Key) -> usize {
    // `db=[unknown]`, `client=[local]`: a bracketed value runs to its `]`.
    if b.get(start) == Some(&b'[') && key != Key::Application {
        if let Some(k) = memchr::memchr(b']', &b[start..]) {
            return start + k + 1;
        }
    }
    let next_key = next_key_start(b, start).unwrap_or(b.len());
    let end = match key {
        Key::Application => next_key,
        Key::Client => {
            let mut j = start;
            while j < next_key {
                let c = b[j];
                if matches!(c, b' ' | b',' | b'|' | b'<' | b'>' | b'\t' | b';' | b']')
                    || (c == b':' && b.get(j + 1) == Some(&b'['))
                {
                    break;
                }
                j += 1;
            }
            j
        }
        _ => {
            let mut j = start;
            while j < next_key && !is_sep(b[j]) && b[j] != b']' {
                j += 1;
            }
            j
        }
    };
    // Trailing separators of the last value (`app=psql ` before `LOG:`).
    let mut e = end;
    while e > start && matches!(b[e - 1], b' ' | b',' | b':' | b'\t') && key != Key::Client {
        e -= 1;
    }
    while e > start && b[e - 1] == b' ' {
        e -= 1;
    }
    e
}

/// `%u@%d`. User names may contain `@` (Azure's `user@server`), database names rarely do, so
/// the last `@` splits.
fn user_at_db<'a>(token: &'a str, acc: &mut PrefixFields<'a>) {
    if let Some(at) = token.rfind('@') {
        PrefixFields::set(&mut acc.user, &token[..at]);
        PrefixFields::set(&mut acc.database, &token[at + 1..]);
    }
}

/// `%c`: the process start time and pid in hex, `65ad3c2a.3039`.
fn is_session_id(token: &str) -> bool {
    let Some((a, b)) = token.split_once('.') else {
        return false;
    };
    (6..=16).contains(&a.len())
        && (1..=8).contains(&b.len())
        && a.bytes().all(|c| c.is_ascii_hexdigit())
        && b.bytes().all(|c| c.is_ascii_hexdigit())
}

/// Reads the fields of a whole prefix except the timestamp range.
fn scan_prefix<'a>(prefix: &'a str, time: Option<std::ops::Range<usize>>) -> PrefixFields<'a> {
    let mut acc = PrefixFields::default();
    match time {
        Some(range) => {
            scan_segment(&prefix[..range.start], &mut acc);
            // The first token after the time counts as first for the bare-pid rule.
            acc.tokens = 0;
            scan_segment(&prefix[range.end..], &mut acc);
        }
        None => scan_segment(prefix, &mut acc),
    }
    acc
}

/// `user=app database=appdb application_name=api` in PostgreSQL's connection messages
/// (src/backend/utils/init/postinit.c `PerformAuthentication()`: "connection authorized:
/// user=%s database=%s application_name=%s"; src/backend/tcop/backend_startup.c / postmaster.c:
/// "connection received: host=%s port=%s"; postgres.c `log_disconnections()`:
/// "disconnection: session time: %d:%02d:%02d.%03d user=%s database=%s host=%s%s%s").
/// Fills only what the prefix did not give.
fn connection_fields<'a>(message: &'a str, acc: &mut PrefixFields<'a>) {
    let rest = if let Some(r) = message.strip_prefix("connection authorized: ") {
        r
    } else if let Some(r) = message.strip_prefix("connection received: ") {
        r
    } else if let Some(r) = message.strip_prefix("disconnection: ") {
        r
    } else {
        return;
    };
    for part in rest.split(' ') {
        if let Some((k, v)) = part.split_once('=') {
            match k {
                "user" => PrefixFields::set(&mut acc.user, v),
                "database" => PrefixFields::set(&mut acc.database, v),
                "host" => PrefixFields::set(&mut acc.client, v),
                "application_name" => PrefixFields::set(&mut acc.application, v),
                _ => {}
            }
        }
    }
}

/// `log_error_verbosity = verbose` puts the SQLSTATE before the message: `ERROR:  57014: ...`.
fn split_verbose_sqlstate(text: &str) -> (Option<&str>, &str) {
    if text.len() >= 7 && text.as_bytes().get(5..7) == Some(b": ") && is_sqlstate(&text[..5]) {
        (Some(&text[..5]), &text[7..])
    } else {
        (None, text)
    }
}

/// A timestamp read from a prefix and the bytes it covers.
type TimeSpan = (RawTime, std::ops::Range<usize>);

impl PostgresStderr {
    /// Checks a prefix against the learned shape; returns the time and its range if the prefix
    /// fits, `Err(())` if it does not.
    fn check_prefix(&self, prefix: &str) -> Result<Option<TimeSpan>, ()> {
        match &self.shape {
            PrefixShape::Lead { lead, zoned } => {
                if !prefix.starts_with(lead.as_str()) {
                    return Err(());
                }
                let at = lead.len();
                match pg_time(&prefix.as_bytes()[at..]) {
                    Some((raw, used, z)) if z || !zoned => Ok(Some((raw, at..at + used))),
                    _ => Err(()),
                }
            }
            PrefixShape::Search | PrefixShape::Unknown => match search_time(prefix) {
                Some((raw, range, _)) => Ok(Some((raw, range))),
                None if prefix.trim().is_empty() => Ok(None),
                None => Err(()),
            },
            PrefixShape::NoTime => Ok(None),
        }
    }
}

impl Format for PostgresStderr {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        // Continuation lines of a multi-line message or query: `append_with_tabs()` in elog.c
        // puts a tab after every newline.
        if line.as_bytes().first() == Some(&b'\t') {
            return LineParse::NoMatch;
        }
        let Some(marker) = find_marker(line) else {
            return LineParse::NoMatch;
        };
        let prefix = &line[..marker.start];
        let Ok(time) = self.check_prefix(prefix) else {
            return LineParse::NoMatch;
        };
        let level = match marker.severity {
            Severity::Continuation => return LineParse::Continuation,
            Severity::Event(level) => level,
        };
        let text = &line[marker.text..];
        let (verbose_code, message) = split_verbose_sqlstate(text);
        let (raw, range) = match time {
            Some((raw, range)) => (Some(raw), Some(range)),
            None => (None, None),
        };
        let mut acc = scan_prefix(prefix, range);
        if acc.error_code.is_none() {
            if let Some(code) = verbose_code.filter(|c| *c != "00000") {
                acc.error_code = Some(code);
            }
        }
        connection_fields(message, &mut acc);
        let mut parsed = Parsed::new(raw, Some(level), message);
        parsed.fields.reserve(8);
        let canonical = [
            (keys::PID, acc.pid),
            (keys::USER, acc.user),
            (keys::DATABASE, acc.database),
            (keys::APPLICATION, acc.application),
            (keys::CLIENT, acc.client),
            (keys::ERROR_CODE, acc.error_code),
            ("session_id", acc.session_id),
            ("session_line", acc.session_line),
        ];
        for (key, value) in canonical {
            if let Some(v) = value {
                parsed.fields.push((Cow::Borrowed(key), Cow::Borrowed(v)));
            }
        }
        for (key, value) in acc.other {
            parsed.push_field(key, value);
        }
        if let Some(secs) = duration_seconds(message) {
            parsed
                .fields
                .push((Cow::Borrowed(keys::QUERY_TIME), Cow::Owned(secs)));
        }
        LineParse::Event(parsed)
    }

    /// Learns where the timestamp sits in this input's prefix from the sample's marker lines.
    fn prepare(&mut self, sample: &[&str]) {
        let mut marked = 0usize;
        let mut timed = 0usize;
        let mut zoned = 0usize;
        let mut leads: Vec<(&str, usize)> = Vec::new();
        for line in sample {
            if line.as_bytes().first() == Some(&b'\t') {
                continue;
            }
            let Some(marker) = find_marker(line) else {
                continue;
            };
            marked += 1;
            let prefix = &line[..marker.start];
            if let Some((_, range, z)) = search_time(prefix) {
                timed += 1;
                if z {
                    zoned += 1;
                }
                let lead = &prefix[..range.start];
                match leads.iter_mut().find(|(l, _)| *l == lead) {
                    Some(slot) => slot.1 += 1,
                    None => leads.push((lead, 1)),
                }
            }
        }
        self.shape = if marked == 0 {
            PrefixShape::Unknown
        } else if timed * 2 < marked {
            PrefixShape::NoTime
        } else {
            let best = leads.iter().max_by_key(|(_, n)| *n).copied();
            match best {
                Some((lead, n)) if n * 10 >= timed * 9 && lead.len() <= 32 => PrefixShape::Lead {
                    lead: lead.to_string(),
                    zoned: zoned * 10 >= timed * 9,
                },
                _ => PrefixShape::Search,
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Timestamp;
    use crate::time::ymd_hms;

    fn prepared(sample: &[&str]) -> PostgresStderr {
        let mut f = PostgresStderr::default();
        f.prepare(sample);
        f
    }

    fn event<'a>(f: &PostgresStderr, line: &'a str) -> Parsed<'a> {
        match f.parse(line) {
            LineParse::Event(p) => p,
            other => panic!("expected an event for {line:?}, got {other:?}"),
        }
    }

    fn utc(p: &Parsed<'_>) -> Timestamp {
        match p.time {
            Some(RawTime::Utc(ts)) => ts,
            other => panic!("expected a UTC time, got {other:?}"),
        }
    }

    fn ms(ts: Timestamp, base: Timestamp) -> i64 {
        (ts.0 - base.0) / 1_000_000
    }

    /// Runs a whole sample through prepare + parse and returns each line's outcome as a letter:
    /// E event, C continuation, N no match.
    fn outcomes(lines: &[&str]) -> String {
        let f = prepared(lines);
        lines
            .iter()
            .map(|l| match f.parse(l) {
                LineParse::Event(_) => 'E',
                LineParse::Continuation => 'C',
                LineParse::NoMatch => 'N',
            })
            .collect()
    }

    // --- '%m [%p] ' (the default since PostgreSQL 10) -----------------------------------------
    // Lines from pgBadger's t/fixtures/pg_rawcsv.log (darold/pgbadger), a PostgreSQL 17 server.
    const DEFAULT_PG10: &[&str] = &[
        "2025-01-21 18:37:49.782 CET [78776] LOG:  starting PostgreSQL 17.2 (Ubuntu 17.2-1.pgdg24.04+1) on x86_64-pc-linux-gnu, compiled by gcc (Ubuntu 13.3.0-6ubuntu2~24.04) 13.3.0, 64-bit",
        "2025-01-21 18:37:49.783 CET [78776] LOG:  listening on IPv4 address \"127.0.0.1\", port 5432",
        "2025-01-21 18:37:49.802 CET [78776] LOG:  database system is ready to accept connections",
    ];

    #[test]
    fn default_prefix_valid_millis_zone_and_pid() {
        let f = prepared(DEFAULT_PG10);
        assert_eq!(
            f.shape(),
            &PrefixShape::Lead {
                lead: String::new(),
                zoned: true
            }
        );
        let p = event(&f, DEFAULT_PG10[2]);
        // CET is UTC+1.
        assert_eq!(ms(utc(&p), ymd_hms(2025, 1, 21, 17, 37, 49)), 802);
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(p.message, "database system is ready to accept connections");
        assert_eq!(p.field(keys::PID), Some("78776"));
        assert_eq!(p.field(keys::USER), None);
    }

    // --- '%m [%p] %q%u@%d ' (Debian/Ubuntu packages) ------------------------------------------
    // The first lines are pgBadger's t/fixtures/pg_rawcsv.log; the deadlock report follows
    // DeadLockReport() in src/backend/storage/lmgr/deadlock.c (errdetail_log with one line per
    // process, tab-indented by append_with_tabs) and the HINT/CONTEXT it always carries.
    const DEBIAN: &[&str] = &[
        "2025-01-21 18:37:49.793 CET [78779] LOG:  database system was shut down at 2025-01-21 18:32:48 CET",
        "2025-01-21 18:38:06.453 CET [78798] gilles@gilles ERROR:  conflicting values for \"Y\" field in formatting string",
        "2025-01-21 18:38:06.453 CET [78798] gilles@gilles DETAIL:  This value contradicts a previous setting for the same field type.",
        "2025-01-21 18:38:06.453 CET [78798] gilles@gilles STATEMENT:  SELECT TO_DATE('311299999','DDMMYYYYY');",
        "2024-01-21 15:00:02.123 UTC [4849] app@appdb ERROR:  deadlock detected",
        "2024-01-21 15:00:02.123 UTC [4849] app@appdb DETAIL:  Process 4849 waits for ShareLock on transaction 259635360; blocked by process 4821.",
        "\tProcess 4821 waits for ShareLock on transaction 259635221; blocked by process 4849.",
        "\tProcess 4849: UPDATE accounts SET balance = balance - 100 WHERE id = 1;",
        "\tProcess 4821: UPDATE accounts SET balance = balance + 100 WHERE id = 2;",
        "2024-01-21 15:00:02.123 UTC [4849] app@appdb HINT:  See server log for query details.",
        "2024-01-21 15:00:02.123 UTC [4849] app@appdb CONTEXT:  while updating tuple (0,1) in relation \"accounts\"",
        "2024-01-21 15:00:02.123 UTC [4849] app@appdb STATEMENT:  UPDATE accounts SET balance = balance - 100 WHERE id = 1;",
    ];

    #[test]
    fn debian_prefix_valid_user_at_db_and_follow_up_lines() {
        assert_eq!(outcomes(DEBIAN), "EECCECNNNCCC");
        let f = prepared(DEBIAN);
        let p = event(&f, DEBIAN[4]);
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.message, "deadlock detected");
        assert_eq!(p.field(keys::PID), Some("4849"));
        assert_eq!(p.field(keys::USER), Some("app"));
        assert_eq!(p.field(keys::DATABASE), Some("appdb"));
        assert_eq!(utc(&p).0, ymd_hms(2024, 1, 21, 15, 0, 2).0 + 123_000_000);
    }

    #[test]
    fn debian_prefix_valid_postmaster_line_stops_at_q() {
        // %q: the postmaster and background processes print no `user@db`.
        let f = prepared(DEBIAN);
        let p = event(&f, DEBIAN[0]);
        assert_eq!(p.field(keys::PID), Some("78779"));
        assert_eq!(p.field(keys::USER), None);
        assert_eq!(
            p.message,
            "database system was shut down at 2025-01-21 18:32:48 CET"
        );
    }

    #[test]
    fn debian_prefix_valid_unknown_user_before_authentication() {
        let f = prepared(DEBIAN);
        let p = event(
            &f,
            "2024-01-21 15:00:02.001 UTC [5120] [unknown]@[unknown] LOG:  connection received: host=10.0.0.5 port=51234",
        );
        assert_eq!(p.field(keys::USER), None);
        assert_eq!(p.field(keys::DATABASE), None);
        // The message names the client.
        assert_eq!(p.field(keys::CLIENT), Some("10.0.0.5"));
        let p = event(
            &f,
            "2024-01-21 15:00:02.004 UTC [5120] app@appdb LOG:  connection authorized: user=app database=appdb application_name=api",
        );
        assert_eq!(p.field(keys::APPLICATION), Some("api"));
        assert_eq!(p.field(keys::USER), Some("app"));
    }

    #[test]
    fn debian_prefix_valid_connection_storm_messages() {
        let f = prepared(DEBIAN);
        // src/backend/storage/lmgr/proc.c InitProcess(); src/backend/utils/init/postinit.c
        // (the PostgreSQL 16+ wording, then the older one).
        for (line, msg) in [
            (
                "2024-01-21 15:00:03.210 UTC [5301] app@appdb FATAL:  sorry, too many clients already",
                "sorry, too many clients already",
            ),
            (
                "2024-01-21 15:00:03.214 UTC [5302] app@appdb FATAL:  remaining connection slots are reserved for roles with the SUPERUSER attribute",
                "remaining connection slots are reserved for roles with the SUPERUSER attribute",
            ),
            (
                "2024-01-21 15:00:03.220 UTC [5303] app@appdb FATAL:  remaining connection slots are reserved for non-replication superuser connections",
                "remaining connection slots are reserved for non-replication superuser connections",
            ),
        ] {
            let p = event(&f, line);
            assert_eq!(p.level, Some(Level::Fatal));
            assert_eq!(p.message, msg);
        }
    }

    // --- '%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ' (pgBadger's recommendation) -------
    // From pgBadger's t/fixtures/light.postgres.log; the auth failure follows
    // src/backend/libpq/auth.c auth_failed() and its "Connection matched ..." detail.
    const PGBADGER: &[&str] = &[
        "2017-09-06 08:40:10 UTC [20]: [1-1] user=,db=,app=,client= LOG:  database system was shut down at 2017-09-06 08:40:08 UTC",
        "2017-09-06 08:41:41 UTC [36]: [121-1] user=postgres,db=postgres,app=pgbench,client=172.23.0.1 LOG:  duration: 2.280 ms  statement: END;",
        "2024-01-21 15:00:02 UTC [5233]: [2-1] user=app,db=appdb,app=PostgreSQL JDBC Driver,client=10.0.0.7 FATAL:  password authentication failed for user \"app\"",
        "2024-01-21 15:00:02 UTC [5233]: [3-1] user=app,db=appdb,app=PostgreSQL JDBC Driver,client=10.0.0.7 DETAIL:  Connection matched pg_hba.conf line 99: \"host    all             all             0.0.0.0/0               md5\"",
    ];

    #[test]
    fn pgbadger_prefix_valid_key_values_and_line_number() {
        assert_eq!(outcomes(PGBADGER), "EEEC");
        let f = prepared(PGBADGER);
        let p = event(&f, PGBADGER[1]);
        assert_eq!(utc(&p), ymd_hms(2017, 9, 6, 8, 41, 41));
        assert_eq!(p.field(keys::PID), Some("36"));
        assert_eq!(p.field("session_line"), Some("121"));
        assert_eq!(p.field(keys::USER), Some("postgres"));
        assert_eq!(p.field(keys::DATABASE), Some("postgres"));
        assert_eq!(p.field(keys::APPLICATION), Some("pgbench"));
        assert_eq!(p.field(keys::CLIENT), Some("172.23.0.1"));
        assert_eq!(p.field(keys::QUERY_TIME), Some("0.00228"));
        assert_eq!(p.message, "duration: 2.280 ms  statement: END;");
    }

    #[test]
    fn pgbadger_prefix_valid_empty_values_are_left_out() {
        let f = prepared(PGBADGER);
        let p = event(&f, PGBADGER[0]);
        assert_eq!(p.field(keys::PID), Some("20"));
        assert_eq!(p.field(keys::USER), None);
        assert_eq!(p.field(keys::APPLICATION), None);
        assert_eq!(p.field(keys::CLIENT), None);
    }

    #[test]
    fn pgbadger_prefix_valid_application_name_with_spaces() {
        let f = prepared(PGBADGER);
        let p = event(&f, PGBADGER[2]);
        assert_eq!(p.level, Some(Level::Fatal));
        assert_eq!(p.field(keys::APPLICATION), Some("PostgreSQL JDBC Driver"));
        assert_eq!(p.field(keys::CLIENT), Some("10.0.0.7"));
        assert_eq!(p.message, "password authentication failed for user \"app\"");
    }

    // --- '%t:%r:%u@%d:[%p]:' (Amazon RDS) -----------------------------------------------------
    // From pgBadger's t/fixtures/rds.log.
    const RDS: &[&str] = &[
        "2020-03-11 20:40:43 CET::@:[12760]:LOG:  listening on IPv4 address \"0.0.0.0\", port 5432",
        "2020-03-11 20:40:44 CET:[local]:postgres@template1:[12774]:LOG:  duration: 0.027 ms  statement: ",
        "2020-03-11 20:40:50 CET:192.168.1.201(50906):gilles@pgbench:[12795]:FATAL:  no pg_hba.conf entry for host \"192.168.1.201\", user \"gilles\", database \"pgbench\", SSL on",
        "2020-03-11 20:41:56 CET:192.168.1.201(50914):gilles@pgbench:[14382]:LOG:  duration: 10.810 ms  statement: vacuum pgbench_branches",
    ];

    #[test]
    fn rds_prefix_valid_colon_separated_fields() {
        assert_eq!(outcomes(RDS), "EEEE");
        let f = prepared(RDS);
        let p = event(&f, RDS[2]);
        assert_eq!(utc(&p), ymd_hms(2020, 3, 11, 19, 40, 50));
        assert_eq!(p.field(keys::CLIENT), Some("192.168.1.201"));
        assert_eq!(p.field(keys::USER), Some("gilles"));
        assert_eq!(p.field(keys::DATABASE), Some("pgbench"));
        assert_eq!(p.field(keys::PID), Some("12795"));
        assert_eq!(p.level, Some(Level::Fatal));
        let p = event(&f, RDS[1]);
        assert_eq!(p.field(keys::CLIENT), Some("[local]"));
        assert_eq!(p.field(keys::QUERY_TIME), Some("0.000027"));
        let p = event(&f, RDS[0]);
        assert_eq!(p.field(keys::USER), None);
        assert_eq!(p.field(keys::PID), Some("12760"));
    }

    #[test]
    fn rds_prefix_valid_ipv6_client() {
        let f = prepared(RDS);
        let p = event(
            &f,
            "2020-03-11 20:41:56 CET:::1(50914):gilles@pgbench:[14382]:ERROR:  canceling statement due to statement timeout",
        );
        assert_eq!(p.field(keys::CLIENT), Some("::1"));
        assert_eq!(p.field(keys::USER), Some("gilles"));
        assert_eq!(p.level, Some(Level::Error));
    }

    // --- '%m:%r:%u@%d:[%p]:' ------------------------------------------------------------------
    const MILLIS_COLON: &[&str] = &[
        "2024-01-21 15:00:02.123 UTC:10.0.0.5(51234):app@appdb:[12345]:ERROR:  canceling statement due to statement timeout",
        "2024-01-21 15:00:02.123 UTC:10.0.0.5(51234):app@appdb:[12345]:STATEMENT:  SELECT pg_sleep(10);",
        "2024-01-21 15:00:05.001 UTC::@:[812]:LOG:  checkpoint starting: time",
    ];

    #[test]
    fn millis_colon_prefix_valid_statement_continues() {
        assert_eq!(outcomes(MILLIS_COLON), "ECE");
        let f = prepared(MILLIS_COLON);
        let p = event(&f, MILLIS_COLON[0]);
        assert_eq!(p.field(keys::CLIENT), Some("10.0.0.5"));
        assert_eq!(p.field(keys::PID), Some("12345"));
        assert_eq!(p.message, "canceling statement due to statement timeout");
        let p = event(&f, MILLIS_COLON[2]);
        assert_eq!(p.message, "checkpoint starting: time");
        assert_eq!(p.field(keys::PID), Some("812"));
    }

    // --- '%t [%p]: [%l-1] db=%d,user=%u ' (Cloud SQL's '[%p]: [%l-1] db=%d,user=%u' plus %t) -----
    const DB_USER: &[&str] = &[
        "2024-01-21 15:00:02 UTC [24667]: [1-1] db=[unknown],user=[unknown] LOG:  connection received: host=127.0.0.1 port=59760",
        "2024-01-21 15:00:02 UTC [24667]: [2-1] db=cloudsqladmin,user=cloudsqladmin LOG:  connection authorized: user=cloudsqladmin database=cloudsqladmin",
        "2024-01-21 15:00:03 UTC [24701]: [5-1] db=appdb,user=app WARNING:  there is no transaction in progress",
        "2024-01-21 15:00:04 UTC [24702]: [7-1] db=appdb,user=app ERROR:  relation \"orders\" does not exist at character 15",
        "2024-01-21 15:00:04 UTC [24702]: [8-1] db=appdb,user=app STATEMENT:  select * from orders;",
    ];

    #[test]
    fn db_user_prefix_valid_unknown_values_and_warning() {
        assert_eq!(outcomes(DB_USER), "EEEEC");
        let f = prepared(DB_USER);
        let p = event(&f, DB_USER[0]);
        assert_eq!(p.field(keys::USER), None);
        assert_eq!(p.field(keys::DATABASE), None);
        assert_eq!(p.field(keys::CLIENT), Some("127.0.0.1"));
        assert_eq!(p.field("session_line"), Some("1"));
        let p = event(&f, DB_USER[2]);
        assert_eq!(p.level, Some(Level::Warn));
        assert_eq!(p.field(keys::DATABASE), Some("appdb"));
        assert_eq!(p.field(keys::USER), Some("app"));
        assert_eq!(p.field(keys::PID), Some("24701"));
    }

    // --- '< %m > ' ----------------------------------------------------------------------------
    const ANGLE: &[&str] = &[
        "< 2024-01-21 15:00:02.123 UTC > LOG:  process 4882 still waiting for ShareLock on transaction 259635360 after 1000.119 ms",
        "< 2024-01-21 15:00:02.123 UTC > DETAIL:  Process holding the lock: 4821. Wait queue: 4886, 4882.",
        "< 2024-01-21 15:00:02.123 UTC > CONTEXT:  while locking tuple (1508245,182) in relation \"orders\"",
        "< 2024-01-21 15:00:02.124 UTC > STATEMENT:  UPDATE orders SET state = 'paid' WHERE id = 42",
    ];

    #[test]
    fn angle_prefix_valid_constant_lead() {
        assert_eq!(outcomes(ANGLE), "ECCC");
        let f = prepared(ANGLE);
        assert_eq!(
            f.shape(),
            &PrefixShape::Lead {
                lead: "< ".to_string(),
                zoned: true
            }
        );
        let p = event(&f, ANGLE[0]);
        assert_eq!(ms(utc(&p), ymd_hms(2024, 1, 21, 15, 0, 2)), 123);
        assert!(
            p.message
                .starts_with("process 4882 still waiting for ShareLock")
        );
        // "after 1000.119 ms" is a lock wait, not a statement duration.
        assert_eq!(p.field(keys::QUERY_TIME), None);
    }

    // --- '%m [%p-%l] %q%u@%d ' ----------------------------------------------------------------
    const PID_LINE: &[&str] = &[
        "2024-01-21 15:00:02.123 UTC [1234-1] LOG:  checkpoint starting: time",
        "2024-01-21 15:00:09.871 UTC [5210-3] app@appdb ERROR:  duplicate key value violates unique constraint \"users_email_key\"",
        "2024-01-21 15:00:09.871 UTC [5210-4] app@appdb DETAIL:  Key (email)=(a@example.com) already exists.",
        "2024-01-21 15:00:09.871 UTC [5210-5] app@appdb STATEMENT:  INSERT INTO users (email) VALUES ('a@example.com')",
    ];

    #[test]
    fn pid_line_prefix_valid_pid_and_line_in_one_bracket() {
        assert_eq!(outcomes(PID_LINE), "EECC");
        let f = prepared(PID_LINE);
        let p = event(&f, PID_LINE[1]);
        assert_eq!(p.field(keys::PID), Some("5210"));
        assert_eq!(p.field("session_line"), Some("3"));
        assert_eq!(p.field(keys::USER), Some("app"));
        assert_eq!(p.field(keys::DATABASE), Some("appdb"));
    }

    // --- '%m [%p] [queryid=%Q] %q%u@%d ' ------------------------------------------------------
    // From pgBadger's t/fixtures/queryid.log: a multi-line statement, tab-indented.
    const QUERYID: &[&str] = &[
        "2022-02-17 14:45:13.727 UTC [691] [queryid=4266247047529477710] postgres@stackoverflow LOG:  duration: 25.450 ms  statement: SELECT n.nspname as \"Schema\",",
        "\t  c.relname as \"Name\",",
        "\tFROM pg_catalog.pg_class c",
        "\tORDER BY 1,2;",
        "2022-02-17 14:45:44.989 UTC [691] [queryid=7831118945884805370] postgres@stackoverflow ERROR:  canceling statement due to user request",
        "2022-02-17 14:45:44.989 UTC [691] [queryid=7831118945884805370] postgres@stackoverflow STATEMENT:  explain (analyze,buffers) SELECT",
        "\t  avg(viewcount),",
        "\tFROM posts_toast;",
    ];

    #[test]
    fn queryid_prefix_valid_multiline_statement() {
        assert_eq!(outcomes(QUERYID), "ENNNECNN");
        let f = prepared(QUERYID);
        let p = event(&f, QUERYID[0]);
        assert_eq!(p.field("queryid"), Some("4266247047529477710"));
        assert_eq!(p.field(keys::USER), Some("postgres"));
        assert_eq!(p.field(keys::DATABASE), Some("stackoverflow"));
        assert_eq!(p.field(keys::QUERY_TIME), Some("0.02545"));
    }

    // --- other prefixes -----------------------------------------------------------------------

    #[test]
    fn epoch_prefix_valid_n_escape() {
        // '%n [%p] '
        let lines = [
            "1705849202.123 [4242] LOG:  database system is ready to accept connections",
            "1705849203.500 [4250] ERROR:  canceling statement due to statement timeout",
        ];
        assert_eq!(outcomes(&lines), "EE");
        let f = prepared(&lines);
        let p = event(&f, lines[0]);
        assert_eq!(ms(utc(&p), ymd_hms(2024, 1, 21, 15, 0, 2)), 123);
        assert_eq!(p.field(keys::PID), Some("4242"));
    }

    #[test]
    fn t_only_prefix_valid_seconds_and_zone() {
        // '%t ' (a common choice before '%m [%p] ' became the default).
        let lines = [
            "2024-01-21 16:00:02 CET LOG:  database system is ready to accept connections",
            "2024-01-21 16:00:09 CET ERROR:  canceling statement due to statement timeout",
            "2024-01-21 16:00:09 CET STATEMENT:  SELECT pg_sleep(10);",
        ];
        assert_eq!(outcomes(&lines), "EEC");
        let f = prepared(&lines);
        let p = event(&f, lines[1]);
        assert_eq!(utc(&p), ymd_hms(2024, 1, 21, 15, 0, 9));
        assert_eq!(p.field(keys::PID), None);
    }

    #[test]
    fn numeric_zone_prefix_valid_offset_without_abbreviation() {
        // %Z prints "-03" for America/Sao_Paulo, which has no abbreviation.
        let lines = ["2024-01-21 12:00:02.123 -03 [77] LOG:  checkpoint starting: time"];
        let f = prepared(&lines);
        let p = event(&f, lines[0]);
        assert_eq!(ms(utc(&p), ymd_hms(2024, 1, 21, 15, 0, 2)), 123);
        assert_eq!(p.field(keys::PID), Some("77"));
    }

    #[test]
    fn unknown_zone_prefix_valid_time_stays_local() {
        let lines = ["2024-01-21 18:00:02 EAT [77] LOG:  checkpoint starting: time"];
        let f = prepared(&lines);
        let p = event(&f, lines[0]);
        assert!(matches!(p.time, Some(RawTime::Local(_))));
        assert_eq!(p.field(keys::PID), Some("77"));
    }

    #[test]
    fn empty_prefix_valid_events_without_time() {
        // log_line_prefix = '' (the default before PostgreSQL 10).
        let lines = [
            "LOG:  database system is ready to accept connections",
            "ERROR:  canceling statement due to statement timeout",
            "STATEMENT:  SELECT pg_sleep(10);",
        ];
        assert_eq!(outcomes(&lines), "EEC");
        let f = prepared(&lines);
        assert_eq!(f.shape(), &PrefixShape::NoTime);
        let p = event(&f, lines[1]);
        assert_eq!(p.time, None);
        assert_eq!(p.level, Some(Level::Error));
    }

    #[test]
    fn verbose_line_valid_sqlstate_before_message() {
        // log_error_verbosity = verbose adds the SQLSTATE and a LOCATION line.
        let lines = [
            "2024-01-21 15:00:02.123 UTC [12345] ERROR:  57014: canceling statement due to statement timeout",
            "2024-01-21 15:00:02.123 UTC [12345] LOCATION:  ProcessInterrupts, postgres.c:3373",
            "2024-01-21 15:00:03.000 UTC [812] LOG:  00000: checkpoint starting: time",
        ];
        assert_eq!(outcomes(&lines), "ECE");
        let f = prepared(&lines);
        let p = event(&f, lines[0]);
        assert_eq!(p.field(keys::ERROR_CODE), Some("57014"));
        assert_eq!(p.message, "canceling statement due to statement timeout");
        let p = event(&f, lines[2]);
        assert_eq!(p.field(keys::ERROR_CODE), None);
        assert_eq!(p.message, "checkpoint starting: time");
    }

    #[test]
    fn sqlstate_prefix_valid_key_value_and_bare_code() {
        let f = prepared(&[]);
        let p = event(
            &f,
            "2024-01-21 15:00:02.123 UTC [4849] sqlstate=40P01 ERROR:  deadlock detected",
        );
        assert_eq!(p.field(keys::ERROR_CODE), Some("40P01"));
        let p = event(
            &f,
            "2024-01-21 15:00:02.123 UTC [4849] 40P01 ERROR:  deadlock detected",
        );
        assert_eq!(p.field(keys::ERROR_CODE), Some("40P01"));
    }

    #[test]
    fn session_id_prefix_valid_c_escape() {
        let f = prepared(&[]);
        let p = event(
            &f,
            "2024-01-21 15:00:02.123 UTC [12345] 65ad3c2a.3039 LOG:  disconnection: session time: 0:00:01.234 user=app database=appdb host=10.0.0.5 port=51234",
        );
        assert_eq!(p.field("session_id"), Some("65ad3c2a.3039"));
        assert_eq!(p.field(keys::USER), Some("app"));
        assert_eq!(p.field(keys::CLIENT), Some("10.0.0.5"));
    }

    #[test]
    fn levels_valid_every_severity() {
        let f = prepared(&[]);
        for (word, level) in [
            ("LOG", Level::Info),
            ("INFO", Level::Info),
            ("NOTICE", Level::Notice),
            ("WARNING", Level::Warn),
            ("ERROR", Level::Error),
            ("FATAL", Level::Fatal),
            ("PANIC", Level::Fatal),
            ("DEBUG", Level::Debug),
            ("DEBUG2", Level::Debug),
        ] {
            let line = format!("2024-01-21 15:00:02.123 UTC [1] {word}:  x");
            assert_eq!(event(&f, &line).level, Some(level), "{word}");
        }
    }

    #[test]
    fn duration_valid_decimal_shift() {
        assert_eq!(
            duration_seconds("duration: 2001.123 ms  statement: SELECT 1").as_deref(),
            Some("2.001123")
        );
        assert_eq!(
            duration_seconds("duration: 0.027 ms  statement: ").as_deref(),
            Some("0.000027")
        );
        assert_eq!(
            duration_seconds("duration: 1000.000 ms").as_deref(),
            Some("1")
        );
        assert_eq!(
            duration_seconds("duration: 11215.838 ms  execute <unnamed>: SELECT").as_deref(),
            Some("11.215838")
        );
        assert_eq!(duration_seconds("duration: abc ms"), None);
        assert_eq!(duration_seconds("checkpoint starting: time"), None);
    }

    // --- invalid lines and neighbouring formats ----------------------------------------------

    #[test]
    fn prefix_invalid_app_log_quoting_a_libpq_error() {
        // A Python app logging psycopg2's message (libpq prints "ERROR:  " too).
        let f = prepared(DEFAULT_PG10);
        assert_eq!(
            f.parse("2024-01-21 15:00:02,123 ERROR app.db: query failed: ERROR:  canceling statement due to statement timeout"),
            LineParse::NoMatch
        );
        // Unprepared, the comma time is not PostgreSQL's either.
        assert_eq!(
            PostgresStderr::default().parse("2024-01-21 15:00:02,123 ERROR app.db: query failed: ERROR:  canceling statement due to statement timeout"),
            LineParse::NoMatch
        );
    }

    #[test]
    fn prefix_invalid_lead_does_not_fit() {
        let f = prepared(ANGLE);
        assert_eq!(
            f.parse("2024-01-21 15:00:02.123 UTC [1] LOG:  checkpoint starting: time"),
            LineParse::NoMatch
        );
    }

    #[test]
    fn line_invalid_no_marker_or_one_space() {
        let f = prepared(DEFAULT_PG10);
        assert_eq!(
            f.parse("2024-01-21 15:00:02.123 UTC [1] LOG: one space"),
            LineParse::NoMatch
        );
        assert_eq!(
            f.parse("2024-01-21 15:00:02.123 UTC [1] CATALOG:  x"),
            LineParse::NoMatch
        );
        assert_eq!(
            f.parse("pg_ctl: could not start server"),
            LineParse::NoMatch
        );
        assert_eq!(f.parse(""), LineParse::NoMatch);
        assert_eq!(f.parse("\t"), LineParse::NoMatch);
        assert_eq!(f.parse("ERROR:"), LineParse::NoMatch);
    }

    #[test]
    fn neighbours_invalid_other_formats() {
        let f = prepared(DEFAULT_PG10);
        let unprepared = PostgresStderr::default();
        for line in [
            // logback (Spring Boot default layout)
            "2024-01-21 15:00:02.123 ERROR 1 --- [nio-8080-exec-1] o.h.engine.jdbc.spi.SqlExceptionHelper   : ERROR: canceling statement due to statement timeout",
            // syslog with PostgreSQL as the sender (pgBadger t/fixtures/pg-syslog.1)
            "Feb 11 13:15:39 test-pc postgres[10808]: [1-1] db=,user=,app=,client= LOG:  listening on IPv4 address \"127.0.0.1\", port 5432",
            // nginx error log
            "2024/01/21 15:00:02 [error] 1234#1234: *5 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.1, server: api, request: \"GET /v1/orders HTTP/1.1\", upstream: \"http://10.0.0.9:8080/v1/orders\", host: \"api\"",
            // csvlog
            "2024-01-21 15:00:02.123 UTC,\"app\",\"appdb\",12345,\"10.0.0.5:51234\",65ad3c2a.3039,3,\"SELECT\",2024-01-21 15:00:01 UTC,3/42,0,ERROR,57014,\"canceling statement due to statement timeout\",,,,,,\"SELECT pg_sleep(10);\",,,\"psql\",\"client backend\",,0",
            // jsonlog
            "{\"timestamp\":\"2024-01-21 15:00:02.123 UTC\",\"pid\":12345,\"error_severity\":\"ERROR\",\"message\":\"x\"}",
        ] {
            assert_eq!(f.parse(line), LineParse::NoMatch, "{line}");
            assert_eq!(unprepared.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn garbage_invalid_never_panics() {
        let f = prepared(DEBIAN);
        for line in [
            "[",
            "[]@",
            "2024-01-21 15:00:02.123 UTC [ LOG:  x",
            "2024-01-21 15:00:02.123 UTC (((( LOG:  x",
            "2024-01-21 15:00:02.123 UTC =@=@[ LOG:  x",
            "2024-01-21 15:00:02.123 UTC x(1) LOG:  x",
            "2024-01-21 15:00:02.123 UTC é@ü LOG:  é",
            "2024-01-21 15:00:02.123 UTC [1] LOG:",
            "9999-99-99 99:99:99.999 UTC [1] LOG:  x",
        ] {
            let _ = f.parse(line);
            let _ = PostgresStderr::default().parse(line);
        }
    }

    // --- sniffing ------------------------------------------------------------------------------

    #[test]
    fn sniff_valid_picks_postgres_stderr() {
        for sample in [DEFAULT_PG10, RDS, &PGBADGER[..2]] {
            assert_eq!(
                super::super::sniff(sample).format.name(),
                PostgresStderr::NAME,
                "{sample:?}"
            );
        }
    }

    #[test]
    fn sniff_valid_picks_postgres_stderr_with_follow_up_lines() {
        assert_eq!(
            super::super::sniff(DEBIAN).format.name(),
            PostgresStderr::NAME
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_line_invalid_never_panics(
            i in 0usize..4,
            tail in "[-0-9A-Z a-z:.,@=()\\[\\]<>|\t\"é]{0,80}(LOG|ERROR|DETAIL)?(:  )?\\PC{0,40}",
        ) {
            let heads = ["", "2024-01-21 15:00:02.123 UTC ", "< 2024-01-21 15:00:02 CET > ", "1705849202.123 "];
            let line = format!("{}{tail}", heads[i]);
            let _ = PostgresStderr::default().parse(&line);
            let _ = prepared(DEBIAN).parse(&line);
            let _ = prepared(&[line.as_str()]).parse(&line);
        }
    }
}
