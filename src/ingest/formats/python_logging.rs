//! python_logging: the text layouts of Python's `logging` module as applications, frameworks
//! and servers configure it, with tracebacks attached.
//!
//! [`PythonLogging`] reads header lines by their first byte:
//!
//! * a digit: `%(asctime)s` first (`2024-01-21 15:00:02,123`, logging's default
//!   `default_time_format = '%Y-%m-%d %H:%M:%S'` + `default_msec_format = '%s,%03d'`), then
//!   separators (` - `, ` | `, spaces), at most one logger name, `[pid]`/`[thread]` brackets, and
//!   the level: `%(asctime)s - %(name)s - %(levelname)s - %(message)s`,
//!   `%(asctime)s - %(levelname)s - %(message)s`, `%(asctime)s %(levelname)s %(name)s: %(message)s`,
//!   `%(asctime)s [%(process)d] [%(levelname)s] %(message)s`;
//! * `[`: a bracketed asctime: Flask's `[%(asctime)s] %(levelname)s in %(module)s: %(message)s`,
//!   gunicorn's `[2024-01-21 15:00:02 +0000] [1234] [ERROR] …`, Celery's
//!   `[%(asctime)s: %(levelname)s/%(processName)s] %(message)s`;
//! * an upper-case level word: logging's `BASIC_FORMAT` `%(levelname)s:%(name)s:%(message)s`,
//!   uvicorn's `%(levelprefix)s %(message)s` (`INFO:     127.0.0.1:51234 - "GET / HTTP/1.1" 200
//!   OK`), and Django's documented `{levelname} {asctime} {module} {process:d} {thread:d}
//!   {message}`.
//!
//! `BASIC_FORMAT` and uvicorn lines carry no time: they are events with `time: None` and inherit
//! the previous event's time (and do not count when sniffing).
//!
//! Tracebacks (`Traceback (most recent call last):`, indented frames and code lines, the final
//! `psycopg2.OperationalError: …`, the chained-exception separators) are continuations via
//! [`shared::is_python_traceback_line`]; any other unrecognised line is `NoMatch` and, the format
//! being multi-line, continues the previous event too.
//!
//! Levels are the five `logging` prints (`DEBUG`, `INFO`, `WARNING`, `ERROR`, `CRITICAL`), upper
//! case only, which keeps nginx (`[error]`) and MySQL (`[Warning]`) out.
//!
//! Overlap with `java_logback`: layouts that are also valid log4j layouts (`%(asctime)s
//! %(levelname)s %(name)s: %(message)s` with `INFO`/`ERROR`/`DEBUG` lines, or `%(asctime)s -
//! %(levelname)s - %(message)s`) parse in both with the same time, level, logger and message;
//! `java_logback` comes first in the registry and wins such ties. `java_logback` rejects the
//! name-before-level layout and `WARNING`/`CRITICAL` lines, so real Python files, which have
//! those, go to this format.
//!
//! Fields: `logger` (`%(name)s`), `pid` (`%(process)d`), `thread` (`%(thread)d`,
//! `[%(threadName)s]`), `module` (Flask, Django), `process_name` (Celery's
//! `%(processName)s`), and for uvicorn access lines `client` and the `http.*` request fields.

use super::shared::is_python_traceback_line;
use super::{Format, LineParse, Parsed};
use crate::event::{Level, keys};
use crate::time::RawTime;
use crate::time::parse::parse_iso8601;

#[derive(Debug, Default)]
pub struct PythonLogging;

impl PythonLogging {
    pub const NAME: &'static str = "python_logging";
}

/// `logging`'s level names (`logging._levelToName`), upper case as `%(levelname)s` prints them.
fn python_level(word: &str) -> Option<Level> {
    Some(match word {
        "DEBUG" => Level::Debug,
        "INFO" => Level::Info,
        "WARNING" => Level::Warn,
        "ERROR" => Level::Error,
        "CRITICAL" => Level::Fatal,
        _ => return None,
    })
}

#[inline]
fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    i
}

#[inline]
fn token_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i] != b' ' {
        i += 1;
    }
    i
}

#[inline]
fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

/// A logger name as `logging.getLogger(__name__)` makes them: `app.db`, `__main__`,
/// `uvicorn.error`, `gunicorn.error`, `celery.app.trace`.
fn is_logger_name(s: &str) -> bool {
    s.as_bytes()
        .first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// `asctime` in logging's default shape or a `datefmt` of the ISO family; `/` dates are
/// nginx's, not Python's.
fn asctime(b: &[u8]) -> Option<(RawTime, usize)> {
    if b.get(4) != Some(&b'-') {
        return None;
    }
    parse_iso8601(b)
}

#[derive(Debug, Default)]
struct Fields<'a> {
    logger: Option<&'a str>,
    pid: Option<&'a str>,
    thread: Option<&'a str>,
    module: Option<&'a str>,
    process_name: Option<&'a str>,
}

impl<'a> Fields<'a> {
    fn into_parsed(self, time: Option<RawTime>, level: Level, message: &'a str) -> Parsed<'a> {
        let mut p = Parsed::new(time, Some(level), message.trim_end());
        if let Some(v) = self.logger {
            p.push_field(keys::LOGGER, v);
        }
        if let Some(v) = self.pid {
            p.push_field(keys::PID, v);
        }
        if let Some(v) = self.thread {
            p.push_field(keys::THREAD, v);
        }
        if let Some(v) = self.module {
            p.push_field("module", v);
        }
        if let Some(v) = self.process_name {
            p.push_field("process_name", v);
        }
        p
    }
}

/// One separator between header parts: `-` or `|` standing alone.
#[inline]
fn is_separator(tok: &str) -> bool {
    tok == "-" || tok == "|"
}

/// Everything after a timestamp: the header parts up to the level, then an optional logger
/// name (`name: ` or `name - `) or Flask's `in module: `, then the message.
fn parse_after_time(rest: &str) -> Option<(Level, Fields<'_>, &str)> {
    let b = rest.as_bytes();
    let mut f = Fields::default();
    let mut i = 0;
    let mut level = None;
    for _ in 0..8 {
        i = skip_spaces(b, i);
        if i >= b.len() {
            return None;
        }
        if b[i] == b'[' {
            // `[%(process)d]`, `[%(levelname)s]`, `[%(threadName)s]`.
            let close = i + rest.get(i..)?.find(']')?;
            let inner = rest.get(i + 1..close)?;
            if !matches!(b.get(close + 1), None | Some(b' ')) {
                return None;
            }
            i = close + 1;
            if let Some(l) = python_level(inner) {
                level = Some(l);
                break;
            } else if digits(inner) && f.pid.is_none() {
                f.pid = Some(inner);
            } else if !inner.is_empty() && f.thread.is_none() {
                f.thread = Some(inner);
            } else {
                return None;
            }
            continue;
        }
        let end = token_end(b, i);
        let tok = &rest[i..end];
        i = end;
        if is_separator(tok) {
            continue;
        }
        if let Some(l) = python_level(tok) {
            level = Some(l);
            break;
        }
        // One name may come before the level (`%(asctime)s - %(name)s - %(levelname)s`); a
        // second word means this is prose or another format's header.
        if f.logger.is_none() && is_logger_name(tok) {
            f.logger = Some(tok);
            continue;
        }
        return None;
    }
    let level = level?;
    // After the level: one separator, then Flask's `in module:` or a logger name.
    i = skip_spaces(b, i);
    if matches!(b.get(i), Some(b'-') | Some(b'|')) && matches!(b.get(i + 1), None | Some(b' ')) {
        i = skip_spaces(b, i + 1);
    }
    let tail = rest.get(i..)?;
    // Flask: `%(levelname)s in %(module)s: %(message)s`.
    if let Some(after_in) = tail.strip_prefix("in ") {
        if let Some((module, message)) = after_in.split_once(": ") {
            if is_logger_name(module) {
                f.module = Some(module);
                return Some((level, f, message));
            }
        }
    }
    if f.logger.is_none() {
        // `%(levelname)s %(name)s: %(message)s` or `… %(name)s - %(message)s`. Logger names
        // are module paths, lower case by convention (PEP 8); a capitalised first word is the
        // message itself (`ERROR Connection refused: …`).
        let tb = tail.as_bytes();
        let end = token_end(tb, 0);
        let tok = &tail[..end];
        let lower = tb
            .first()
            .is_some_and(|c| c.is_ascii_lowercase() || *c == b'_');
        if lower {
            if let Some(name) = tok.strip_suffix(':').filter(|n| is_logger_name(n)) {
                f.logger = Some(name);
                return Some((level, f, tail.get(end..)?.trim_start_matches(' ')));
            }
            let k = skip_spaces(tb, end);
            if is_logger_name(tok)
                && matches!(tb.get(k), Some(b'-') | Some(b'|'))
                && matches!(tb.get(k + 1), None | Some(b' '))
            {
                f.logger = Some(tok);
                return Some((level, f, tail.get(k + 1..)?.trim_start_matches(' ')));
            }
        }
    }
    Some((level, f, tail))
}

/// Lines that start with a digit: `%(asctime)s …`.
fn parse_time_first(line: &str) -> Option<Parsed<'_>> {
    let b = line.as_bytes();
    let (raw, used) = asctime(b)?;
    if b.get(used) != Some(&b' ') {
        return None;
    }
    let (level, f, message) = parse_after_time(line.get(used..)?)?;
    Some(f.into_parsed(Some(raw), level, message))
}

/// Lines that start with `[asctime`.
fn parse_bracketed_time(line: &str) -> Option<Parsed<'_>> {
    let b = line.as_bytes();
    let (raw, used) = asctime(b.get(1..)?)?;
    let i = 1 + used;
    match b.get(i)? {
        // Flask `[%(asctime)s] %(levelname)s in %(module)s: %(message)s` (flask.palletsprojects.com
        // "Logging" → "Basic Configuration"); gunicorn `%(asctime)s [%(process)d]
        // [%(levelname)s] %(message)s` with datefmt `[%Y-%m-%d %H:%M:%S %z]`
        // (gunicorn/glogging.py CONFIG_DEFAULTS "generic").
        b']' => {
            if b.get(i + 1) != Some(&b' ') {
                return None;
            }
            let (level, f, message) = parse_after_time(line.get(i + 1..)?)?;
            Some(f.into_parsed(Some(raw), level, message))
        }
        // Celery `[%(asctime)s: %(levelname)s/%(processName)s] %(message)s`
        // (DEFAULT_PROCESS_LOG_FMT in celery/app/defaults.py; DEFAULT_TASK_LOG_FMT adds
        // `%(task_name)s[%(task_id)s]: ` before the message, kept as message text).
        b':' => {
            let inner_start = i + 2;
            if b.get(i + 1) != Some(&b' ') {
                return None;
            }
            let close = inner_start + line.get(inner_start..)?.find(']')?;
            let inner = line.get(inner_start..close)?;
            let (word, process) = match inner.split_once('/') {
                Some((w, p)) => (w, Some(p)),
                None => (inner, None),
            };
            let level = python_level(word)?;
            let message = line.get(close + 1..)?.strip_prefix(' ').unwrap_or("");
            let f = Fields {
                process_name: process,
                ..Fields::default()
            };
            Some(f.into_parsed(Some(raw), level, message))
        }
        _ => None,
    }
}

/// uvicorn access lines: `%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s`
/// (uvicorn/config.py LOGGING_CONFIG "access"), e.g. `127.0.0.1:51234 - "GET / HTTP/1.1" 200`
/// (`200 OK` when colours are off: the status phrase is appended by `AccessFormatter`).
fn uvicorn_access<'a>(p: &mut Parsed<'a>, message: &'a str) {
    let Some((client, rest)) = message.split_once(" - \"") else {
        return;
    };
    let Some((request, after)) = rest.split_once("\" ") else {
        return;
    };
    let status = after.split(' ').next().unwrap_or("");
    if status.len() != 3 || !digits(status) || client.contains(' ') {
        return;
    }
    let mut parts = request.splitn(3, ' ');
    let (Some(method), Some(path), Some(protocol)) = (parts.next(), parts.next(), parts.next())
    else {
        return;
    };
    p.push_field(keys::CLIENT, client);
    p.push_field(keys::HTTP_METHOD, method);
    p.push_field(keys::HTTP_PATH, path);
    p.push_field(keys::HTTP_PROTOCOL, protocol);
    p.push_field(keys::HTTP_STATUS, status);
}

/// Lines that start with the level word.
fn parse_level_first(line: &str) -> Option<Parsed<'_>> {
    let b = line.as_bytes();
    let word_end = b
        .iter()
        .position(|c| !c.is_ascii_uppercase())
        .unwrap_or(b.len());
    let word = line.get(..word_end)?;
    let level = python_level(word)?;
    match b.get(word_end)? {
        b':' => {
            let after = line.get(word_end + 1..)?;
            // uvicorn: `levelname + ":" + " " * (8 - len(levelname))`, then the format's own
            // space (uvicorn/logging.py ColourizedFormatter.formatMessage).
            let pad = 9 - word.len();
            let spaces = after.bytes().take_while(|c| *c == b' ').count();
            if spaces == pad && after.len() > pad {
                let message = after.get(pad..)?.trim_end();
                let mut p = Parsed::new(None, Some(level), message);
                uvicorn_access(&mut p, message);
                return Some(p);
            }
            // logging.BASIC_FORMAT = "%(levelname)s:%(name)s:%(message)s" (Lib/logging/__init__.py).
            let (name, message) = after.split_once(':')?;
            if !is_logger_name(name) {
                return None;
            }
            Some(Parsed::new(None, Some(level), message.trim_end()).with(keys::LOGGER, name))
        }
        // Django's documented "verbose" formatter (docs.djangoproject.com, topics/logging):
        // `{levelname} {asctime} {module} {process:d} {thread:d} {message}`.
        b' ' => {
            let rest = line.get(word_end + 1..)?;
            let rb = rest.as_bytes();
            let (raw, used) = asctime(rb)?;
            if rb.get(used) != Some(&b' ') {
                return None;
            }
            let after = rest.get(used + 1..)?;
            let mut words = after.splitn(4, ' ');
            let mut f = Fields::default();
            let message = match (words.next(), words.next(), words.next(), words.next()) {
                (Some(module), Some(pid), Some(thread), message)
                    if is_logger_name(module) && digits(pid) && digits(thread) =>
                {
                    f.module = Some(module);
                    f.pid = Some(pid);
                    f.thread = Some(thread);
                    message.unwrap_or("")
                }
                _ => after,
            };
            Some(f.into_parsed(Some(raw), level, message))
        }
        _ => None,
    }
}

impl Format for PythonLogging {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        let Some(&first) = line.as_bytes().first() else {
            return LineParse::NoMatch;
        };
        let parsed = match first {
            b'0'..=b'9' => parse_time_first(line),
            b'[' => parse_bracketed_time(line),
            b'A'..=b'Z' => parse_level_first(line),
            _ => None,
        };
        match parsed {
            Some(p) => LineParse::Event(p),
            None if is_python_traceback_line(line) => LineParse::Continuation,
            None => LineParse::NoMatch,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::ymd_hms;

    fn event(line: &str) -> Parsed<'_> {
        match PythonLogging.parse(line) {
            LineParse::Event(p) => p,
            other => panic!("expected an event for {line:?}, got {other:?}"),
        }
    }

    fn local(p: &Parsed<'_>) -> String {
        match p.time {
            Some(RawTime::Local(t)) => t.to_string(),
            other => panic!("expected a local time, got {other:?}"),
        }
    }

    fn sniffed(sample: &[&str]) -> &'static str {
        crate::ingest::formats::sniff(sample).format.name()
    }

    const NAME_LEVEL: &str = "2024-01-21 15:00:02,123 - app.db - ERROR - connection to server at \"db\" (10.0.0.5), port 5432 failed: FATAL:  sorry, too many clients already";
    const TRACEBACK: [&str; 7] = [
        "Traceback (most recent call last):",
        "  File \"/app/app/db.py\", line 12, in connect",
        "    conn = psycopg2.connect(dsn)",
        "  File \"/usr/local/lib/python3.11/site-packages/psycopg2/__init__.py\", line 122, in connect",
        "    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)",
        "psycopg2.OperationalError: connection to server at \"db\" (10.0.0.5), port 5432 failed: FATAL:  sorry, too many clients already",
        "During handling of the above exception, another exception occurred:",
    ];
    const FLASK: &str = "[2024-01-21 15:00:02,123] ERROR in app: Exception on /orders [GET]";
    const GUNICORN_KILL: &str = "[2024-01-21 15:00:02 +0000] [1234] [ERROR] Worker (pid:5678) was sent SIGKILL! Perhaps out of memory?";
    const GUNICORN_TIMEOUT: &str =
        "[2024-01-21 15:00:01 +0000] [1234] [CRITICAL] WORKER TIMEOUT (pid:5678)";
    const CELERY: &str = "[2024-01-21 15:00:02,123: ERROR/ForkPoolWorker-1] Task app.tasks.sync_orders[5f3c9a1e-2b7d-4c8e-9f10-3a4b5c6d7e8f] raised unexpected: OperationalError('connection to server at \"db\" (10.0.0.5), port 5432 failed: FATAL:  sorry, too many clients already\\n')";
    const DJANGO: &str = "ERROR 2024-01-21 15:00:02,123 log 1234 140245138241344 Internal Server Error: /api/orders/";

    #[test]
    fn name_level_line_valid_dash_separated() {
        let p = event(NAME_LEVEL);
        assert_eq!(local(&p), "2024-01-21 15:00:02.123");
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.field(keys::LOGGER), Some("app.db"));
        assert_eq!(
            p.message,
            "connection to server at \"db\" (10.0.0.5), port 5432 failed: FATAL:  sorry, too many clients already"
        );
    }

    #[test]
    fn level_only_line_valid_dash_separated() {
        // `%(asctime)s - %(levelname)s - %(message)s`.
        let p = event("2024-01-21 15:00:02,123 - WARNING - Retrying in 5 seconds");
        assert_eq!(p.level, Some(Level::Warn));
        assert_eq!(p.field(keys::LOGGER), None);
        assert_eq!(p.message, "Retrying in 5 seconds");
    }

    #[test]
    fn level_name_colon_line_valid() {
        // `%(asctime)s %(levelname)s %(name)s: %(message)s`.
        let p = event(
            "2024-01-21 15:00:02,123 WARNING app.cache: Redis unavailable, falling back to database",
        );
        assert_eq!(p.level, Some(Level::Warn));
        assert_eq!(p.field(keys::LOGGER), Some("app.cache"));
        assert_eq!(p.message, "Redis unavailable, falling back to database");
    }

    #[test]
    fn level_padded_line_valid_capitalised_message_is_not_a_logger() {
        // `%(asctime)s %(levelname)-8s %(message)s`.
        let p =
            event("2024-01-21 15:00:02,123 CRITICAL Connection pool exhausted: 20 of 20 in use");
        assert_eq!(p.level, Some(Level::Fatal));
        assert_eq!(p.field(keys::LOGGER), None);
        assert_eq!(p.message, "Connection pool exhausted: 20 of 20 in use");
    }

    #[test]
    fn thread_name_bracket_line_valid() {
        // `%(asctime)s [%(threadName)s] %(levelname)s %(name)s: %(message)s`.
        let p =
            event("2024-01-21 15:00:02,123 [MainThread] INFO __main__: Listening on 0.0.0.0:8000");
        assert_eq!(p.field(keys::THREAD), Some("MainThread"));
        assert_eq!(p.field(keys::LOGGER), Some("__main__"));
        assert_eq!(p.message, "Listening on 0.0.0.0:8000");
    }

    #[test]
    fn basic_format_line_valid_no_time() {
        // logging.BASIC_FORMAT.
        let p = event("WARNING:root:Retrying in 5 seconds");
        assert_eq!(p.time, None);
        assert_eq!(p.level, Some(Level::Warn));
        assert_eq!(p.field(keys::LOGGER), Some("root"));
        assert_eq!(p.message, "Retrying in 5 seconds");
        let p = event("ERROR:app.db:connection refused: is the server running on host \"db\"?");
        assert_eq!(p.field(keys::LOGGER), Some("app.db"));
        assert_eq!(
            p.message,
            "connection refused: is the server running on host \"db\"?"
        );
    }

    #[test]
    fn flask_line_valid_module() {
        let p = event(FLASK);
        assert_eq!(local(&p), "2024-01-21 15:00:02.123");
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.field("module"), Some("app"));
        assert_eq!(p.message, "Exception on /orders [GET]");
    }

    #[test]
    fn gunicorn_lines_valid_offset_pid_bracketed_level() {
        let p = event(GUNICORN_KILL);
        match p.time {
            Some(RawTime::Utc(t)) => assert_eq!(t, ymd_hms(2024, 1, 21, 15, 0, 2)),
            other => panic!("{other:?}"),
        }
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.field(keys::PID), Some("1234"));
        assert_eq!(
            p.message,
            "Worker (pid:5678) was sent SIGKILL! Perhaps out of memory?"
        );
        let p = event(GUNICORN_TIMEOUT);
        assert_eq!(p.level, Some(Level::Fatal));
        assert_eq!(p.message, "WORKER TIMEOUT (pid:5678)");
    }

    #[test]
    fn celery_line_valid_level_and_process_name() {
        let p = event(CELERY);
        assert_eq!(local(&p), "2024-01-21 15:00:02.123");
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.field("process_name"), Some("ForkPoolWorker-1"));
        assert!(p.message.starts_with("Task app.tasks.sync_orders[5f3c9a1e"));
        let p =
            event("[2024-01-21 15:00:00,001: INFO/MainProcess] Connected to redis://redis:6379/0");
        assert_eq!(p.field("process_name"), Some("MainProcess"));
        assert_eq!(p.message, "Connected to redis://redis:6379/0");
    }

    #[test]
    fn celery_line_invalid_unknown_level() {
        assert_eq!(
            PythonLogging.parse("[2024-01-21 15:00:00,001: NOTICE/MainProcess] x"),
            LineParse::NoMatch
        );
    }

    #[test]
    fn django_verbose_line_valid_module_pid_thread() {
        let p = event(DJANGO);
        assert_eq!(local(&p), "2024-01-21 15:00:02.123");
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.field("module"), Some("log"));
        assert_eq!(p.field(keys::PID), Some("1234"));
        assert_eq!(p.field(keys::THREAD), Some("140245138241344"));
        assert_eq!(p.message, "Internal Server Error: /api/orders/");
    }

    #[test]
    fn uvicorn_lines_valid_padded_prefix_no_time() {
        let p = event("INFO:     127.0.0.1:51234 - \"GET / HTTP/1.1\" 200 OK");
        assert_eq!(p.time, None);
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(p.message, "127.0.0.1:51234 - \"GET / HTTP/1.1\" 200 OK");
        assert_eq!(p.field(keys::CLIENT), Some("127.0.0.1:51234"));
        assert_eq!(p.field(keys::HTTP_METHOD), Some("GET"));
        assert_eq!(p.field(keys::HTTP_PATH), Some("/"));
        assert_eq!(p.field(keys::HTTP_STATUS), Some("200"));
        let p = event("ERROR:    Exception in ASGI application");
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.message, "Exception in ASGI application");
        assert!(p.fields.is_empty());
        let p = event("WARNING:  Invalid HTTP request received.");
        assert_eq!(p.level, Some(Level::Warn));
        assert_eq!(p.message, "Invalid HTTP request received.");
    }

    #[test]
    fn traceback_valid_lines_are_continuations() {
        for line in TRACEBACK {
            assert_eq!(PythonLogging.parse(line), LineParse::Continuation, "{line}");
        }
        assert_eq!(
            PythonLogging
                .parse("The above exception was the direct cause of the following exception:"),
            LineParse::Continuation
        );
        assert_eq!(PythonLogging.parse(""), LineParse::NoMatch);
    }

    #[test]
    fn header_invalid_missing_level_or_two_names() {
        for line in [
            "2024-01-21 15:00:02,123 Starting worker",
            "2024-01-21 15:00:02,123 web-1 app ERROR boom",
            "2024-01-21 15:00:02,123",
            "2024-01-21 15:00:02,123 - app.db - error - lower-case level",
            "[2024-01-21 15:00:02,123]ERROR in app: glued",
            "INFO",
            "NOTICE:root:not a python level",
            "2024/01/21 15:00:02 ERROR slashes are not asctime",
        ] {
            assert_eq!(PythonLogging.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn neighbour_formats_invalid_no_match() {
        for line in [
            "Jan 21 15:00:02 web-1 sshd[2345]: Failed password for invalid user admin from 203.0.113.7 port 51234 ssh2",
            "203.0.113.7 - - [21/Jan/2024:15:00:02 +0000] \"GET /api/orders HTTP/1.1\" 502 157 \"-\" \"curl/8.4.0\"",
            "{\"level\":\"error\",\"ts\":1705849202.123,\"caller\":\"api/handler.go:42\",\"msg\":\"upstream timeout\"}",
            "2024/01/21 15:00:02 [error] 31#31: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 172.18.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://172.18.0.3:8080/\", host: \"localhost\"",
            "2024-01-21 15:00:02.123 UTC [42] FATAL:  sorry, too many clients already",
            "2024-01-21 15:00:02.123 UTC [42] ERROR:  relation \"orders\" does not exist at character 15",
            "2024-01-21T15:00:02.123456Z 0 [ERROR] [MY-012592] [InnoDB] Operating system error number 2 in a file operation.",
            "2024-01-21 15:00:02 0 [ERROR] InnoDB: Unable to lock ./ibdata1 error: 11",
            "E0121 15:00:02.123456       1 reflector.go:138] k8s.io/client-go/informers/factory.go:134: Failed to watch *v1.Pod: the server could not find the requested resource",
            "E, [2024-01-21T15:00:02.123456 #1234] ERROR -- : PG::ConnectionBad: could not connect to server",
            "2024-01-21T15:00:02.123456789Z stdout F ERROR boom",
            "2024-01-21T15:00:02+0000 web-1 app[812]: ERROR boom",
            "time=\"2024-01-21T15:00:02Z\" level=error msg=\"upstream timeout\"",
            "[Sun Jan 21 15:00:02.123456 2024] [proxy:error] [pid 1234] (111)Connection refused: AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed",
            "Jan 21, 2024 3:00:02 PM org.apache.catalina.startup.Catalina start",
        ] {
            assert_eq!(PythonLogging.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn garbage_invalid_never_panics() {
        for line in [
            "[",
            "[2024-01-21 15:00:02",
            "[2024-01-21 15:00:02,1: ",
            "[2024-01-21 15:00:02,1: INFO",
            "ERROR:",
            "ERROR ",
            "CRITICAL:",
            "é",
            "2024-01-21 15:00:02 [é",
        ] {
            let _ = PythonLogging.parse(line);
        }
    }

    #[test]
    fn name_level_sniff_valid_picks_python_logging() {
        let mut sample = vec![
            "2024-01-21 15:00:01,877 - app.api - INFO - GET /api/orders 200 12ms",
            NAME_LEVEL,
        ];
        sample.extend(TRACEBACK);
        assert_eq!(sniffed(&sample), PythonLogging::NAME);
    }

    #[test]
    fn level_name_colon_sniff_valid_picks_python_logging() {
        // Also a valid log4j shape; the WARNING line is what only Python prints.
        let sample = [
            "2024-01-21 15:00:01,877 INFO app.api: GET /api/orders 200 12ms",
            "2024-01-21 15:00:02,123 WARNING app.cache: Redis unavailable, falling back to database",
            "2024-01-21 15:00:02,456 ERROR app.db: connection refused",
        ];
        assert_eq!(sniffed(&sample), PythonLogging::NAME);
    }

    #[test]
    fn log4j_compatible_layouts_valid_parse_the_same_in_java_logback() {
        // These Python layouts are also log4j layouts; java_logback wins the sniffing tie, which
        // is harmless only because both read them the same way.
        use crate::ingest::formats::java_logback::JavaLogback;
        for line in [
            "2024-01-21 15:00:02,456 ERROR app.db: connection refused",
            "2024-01-21 15:00:02,123 - INFO - Starting worker",
        ] {
            let py = event(line);
            let LineParse::Event(java) = JavaLogback.parse(line) else {
                panic!("java_logback should read {line:?}");
            };
            assert_eq!(
                (py.time, py.level, &py.message),
                (java.time, java.level, &java.message)
            );
            assert_eq!(py.field(keys::LOGGER), java.field(keys::LOGGER));
        }
    }

    #[test]
    fn server_layouts_sniff_valid_pick_python_logging() {
        assert_eq!(
            sniffed(&[FLASK, TRACEBACK[0], TRACEBACK[1], FLASK]),
            PythonLogging::NAME
        );
        assert_eq!(
            sniffed(&[GUNICORN_TIMEOUT, GUNICORN_KILL]),
            PythonLogging::NAME
        );
        assert_eq!(
            sniffed(&[CELERY, TRACEBACK[0], TRACEBACK[5], CELERY]),
            PythonLogging::NAME
        );
        assert_eq!(
            sniffed(&[DJANGO, TRACEBACK[0], DJANGO]),
            PythonLogging::NAME
        );
    }
}
