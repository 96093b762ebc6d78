//! mysql_error: the MySQL and MariaDB error log (`log_error`), every header generation still in
//! the wild, with crash reports and InnoDB monitor dumps kept as the body of their event.
//!
//! Header shapes, oldest first (each cited at its parser below):
//!
//! | server | header |
//! |---|---|
//! | MySQL ≤ 5.5, MariaDB ≤ 10.0 | `240121 15:00:02 [ERROR] msg` (hour space-padded: `240121  9:05:01`) |
//! | MySQL 5.6 | `2024-01-21 15:00:02 12345 [Note] msg` (the number is the process id) |
//! | MariaDB ≥ 10.1 | `2024-01-21 15:00:02 12 [Warning] msg` (hour space-padded: `2024-01-21  9:05:01`) |
//! | MySQL 5.7 | `2024-01-21T15:00:02.123456Z 12 [Note] msg` (`+01:00` with `log_timestamps=SYSTEM`) |
//! | MySQL 8.x | `2024-01-21T15:00:02.123456Z 12 [ERROR] [MY-010584] [Repl] msg` |
//!
//! plus the lines other writers put into the same file: `mysqld_safe`, InnoDB's own
//! `ut_print_timestamp` lines (5.5/5.6) including the time-stamped head line of monitor and
//! deadlock dumps, the crash header of the signal handler, and the Docker image entrypoint.
//! Everything else (crash report, stack trace, the body of a monitor dump, MariaDB's second
//! `Version: ...` line) continues the previous event.
//!
//! Fields: [`keys::THREAD`] (the number after the time: the connection/thread id, or the process
//! id on MySQL 5.6), [`keys::ERROR_CODE`] (`MY-010584`), `subsystem` (`Server`, `InnoDB`, `Repl`)
//! and [`keys::LOGGER`] for `mysqld_safe`/entrypoint lines. Levels: `ERROR` → error,
//! `Warning` → warn, `Note` → info, `System` → info (MySQL 8 logs start/stop at this priority
//! whatever the verbosity; it is not a problem sign), and a `got signal N` crash header → fatal.

use super::{Format, LineParse, Parsed};
use crate::event::{Level, keys};
use crate::time::RawTime;
use crate::time::parse::{parse_iso8601, parse_two_digit_year};

#[derive(Debug, Default)]
pub struct MysqlError;

impl MysqlError {
    pub const NAME: &'static str = "mysql_error";
}

/// Which timestamp shape started the line: it decides which prefixes may follow.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stamp {
    /// `2024-01-21...` (MySQL 5.6+, MariaDB 10.1+, the entrypoint).
    FourDigitYear,
    /// `240121 15:00:02` (MySQL ≤ 5.5, MariaDB ≤ 10.0, `mysqld_safe`).
    TwoDigitYear,
}

/// The timestamp at the start of a header line.
///
/// MariaDB ≥ 10.1 `print_buffer_to_file` (sql/log.cc, MariaDB/server) prints
/// `"%d-%02d-%02d %2d:%02d:%02d %lu [%s] %.*s%.*s\n"`: the hour is padded with a space, not a
/// zero (`2021-12-31  2:18:02 38 [Warning] ...`), a shape `parse_iso8601` does not read. Such a
/// stamp is copied into a 19-byte stack buffer with the pad replaced by `0`.
fn leading_time(b: &[u8]) -> Option<(RawTime, usize, Stamp)> {
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if digits(0..4) && b.get(4) == Some(&b'-') {
        let padded_hour = b.get(10) == Some(&b' ')
            && b.get(11) == Some(&b' ')
            && b.get(12).is_some_and(u8::is_ascii_digit)
            && b.get(13) == Some(&b':');
        if padded_hour {
            let mut buf = [0u8; 19];
            buf.copy_from_slice(b.get(..19)?);
            buf[11] = b'0';
            let (raw, used) = parse_iso8601(&buf)?;
            return (used == 19).then_some((raw, 19, Stamp::FourDigitYear));
        }
        let (raw, used) = parse_iso8601(b)?;
        return Some((raw, used, Stamp::FourDigitYear));
    }
    if digits(0..6) && b.get(6) == Some(&b' ') {
        let (raw, used) = parse_two_digit_year(b)?;
        return Some((raw, used, Stamp::TwoDigitYear));
    }
    None
}

/// The label in `[...]` and its level. MySQL's labels come from `log_label_from_prio`
/// (`ERROR`, `Warning`, `Note`, `System`) and, before 8.0, from the ternary in
/// `print_buffer_to_file` (`ERROR`, `Warning`, `Note`); `Warn` is the Docker entrypoint's.
/// Exact case on purpose: `[error]` (nginx) or `[WARNING]` (Python) are other formats.
fn label_level(label: &str) -> Option<Level> {
    match label {
        "ERROR" => Some(Level::Error),
        "Warning" | "Warn" => Some(Level::Warn),
        "Note" | "System" => Some(Level::Info),
        _ => None,
    }
}

/// `[Label] ` at the start of `s`: the level and the rest after one space.
fn bracket_label(s: &str) -> Option<(Level, &str)> {
    let (label, rest) = bracket_token(s, 8)?;
    Some((label_level(label)?, rest))
}

/// A leading `[...]` token of at most `max` bytes followed by a space or the end: its content and
/// the rest of the line.
fn bracket_token(s: &str, max: usize) -> Option<(&str, &str)> {
    let inner = s.strip_prefix('[')?;
    let close = inner
        .as_bytes()
        .iter()
        .take(max + 1)
        .position(|&c| c == b']')?;
    let rest = &inner[close + 1..];
    let rest = match rest.strip_prefix(' ') {
        Some(r) => r,
        None if rest.is_empty() => rest,
        None => return None,
    };
    Some((&inner[..close], rest))
}

/// Leading decimal digits (1 to 20) and the rest after them.
fn leading_number(s: &str) -> Option<(&str, &str)> {
    let n = s.bytes().take(21).take_while(u8::is_ascii_digit).count();
    (1..=20).contains(&n).then(|| s.split_at(n))
}

/// An InnoDB thread id as `ut_print_timestamp` prints it: `%lx` in MySQL 5.6
/// (`7f3a2c1f8700`), `%#zx` in 5.7+ (`0x7f3a2c1f8700`). A run of plain decimal digits is not
/// taken for one (it is a MariaDB/5.6 thread or process id). Returns the id, the rest, and
/// whether it had the `0x` prefix.
fn hex_thread(s: &str) -> Option<(&str, &str, bool)> {
    let body = s.strip_prefix("0x").unwrap_or(s);
    let prefixed = body.len() != s.len();
    let n = body.bytes().take_while(u8::is_ascii_hexdigit).count();
    let has_letter = body.bytes().take(n).any(|c| c.is_ascii_alphabetic());
    if n < 6 || !(prefixed || has_letter) {
        return None;
    }
    let (id, rest) = s.split_at(n + (s.len() - body.len()));
    Some((id, rest, prefixed))
}

/// InnoDB's own stderr lines in MySQL 5.5/5.6: `ut_print_timestamp()` then `  InnoDB: ...`
/// (storage/innobase/ut/ut0ut.cc prints `"%d-%02d-%02d %02d:%02d:%02d %lx"` in 5.6 and
/// `"%02d%02d%02d %2d:%02d:%02d"` in 5.5). The level is only in the words that follow.
fn innodb_level(msg: &str) -> Option<Level> {
    let after = msg.strip_prefix("InnoDB: ")?;
    if after.starts_with("Error") || after.starts_with("ERROR") {
        Some(Level::Error)
    } else if after.starts_with("Warning") || after.starts_with("WARNING") {
        Some(Level::Warn)
    } else {
        None
    }
}

/// The crash header of `handle_fatal_signal` (sql/signal_handler.cc): MySQL 8 writes
/// `"%s-%s-%sT%s:%s:%sZ UTC - mysqld got " SIGNAL_FMT " ;\n"`, MySQL 5.5–5.7 only the time of
/// day `"%s:%s:%s UTC - mysqld got " SIGNAL_FMT " ;\n"`, and MariaDB writes
/// `"%02d%02d%02d %2d:%02d:%02d "` then `"[ERROR] mysqld got " SIGNAL_FMT " ;\n"`.
fn is_signal_message(msg: &str) -> bool {
    msg.contains(" got signal ") && msg.trim_end().ends_with(';')
}

/// MySQL 5.5–5.7 crash header `15:00:02 UTC - mysqld got signal 11 ;`: no date, so the event
/// inherits the previous event's time.
fn time_of_day_crash(line: &str) -> Option<LineParse<'_>> {
    let b = line.as_bytes();
    let hms = b.len() > 8
        && [0, 1, 3, 4, 6, 7].iter().all(|&i| b[i].is_ascii_digit())
        && b[2] == b':'
        && b[5] == b':';
    if !hms {
        return None;
    }
    let msg = line[8..].strip_prefix(" UTC - ")?;
    is_signal_message(msg).then(|| LineParse::Event(Parsed::new(None, Some(Level::Fatal), msg)))
}

/// After `[Label] `: MySQL 8's `[MY-010584] [Repl] ` (log_sink_trad.cc writes
/// `"%.*s %u [%.*s] [MY-%06u] [%.*s] %.*s"`, the subsystem cut to 12 bytes; 8.0.4–8.0.x
/// pre-GA builds lack the subsystem), then the message.
fn finish_labelled<'a>(
    time: Option<RawTime>,
    mut level: Level,
    thread: Option<&'a str>,
    rest: &'a str,
) -> LineParse<'a> {
    let mut error_code = None;
    let mut subsystem = None;
    let mut msg = rest;
    if msg.starts_with("[MY-") {
        if let Some((code, after)) = bracket_token(msg, 16) {
            error_code = Some(code);
            msg = after;
            if let Some((sub, after)) = bracket_token(msg, 12) {
                if sub
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
                {
                    subsystem = Some(sub);
                    msg = after;
                }
            }
        }
    }
    if is_signal_message(msg) {
        level = Level::Fatal;
    }
    let mut parsed = Parsed::new(time, Some(level), msg);
    if let Some(t) = thread {
        parsed.push_field(keys::THREAD, t);
    }
    if let Some(code) = error_code {
        parsed.push_field(keys::ERROR_CODE, code);
    }
    if let Some(sub) = subsystem {
        parsed.push_field("subsystem", sub);
    }
    LineParse::Event(parsed)
}

/// Fixed lines of the crash report that follows a `got signal` header, from
/// `print_fatal_signal` / `handle_fatal_signal` (MySQL sql/signal_handler.cc, MariaDB
/// sql/signal_handler.cc), plus InnoDB's untimed `InnoDB: ...` lines (5.5/5.6) and MariaDB's
/// `Version: '...'` second line of `ER_STARTUP`. Claiming them (rather than leaving them
/// unrecognised) keeps a crash-heavy excerpt from being sniffed as another format.
const CONTINUATION_PREFIXES: [&str; 27] = [
    "Most likely, you have hit a bug",
    "This could be because you hit a bug",
    "or one of the libraries it was linked against",
    "or misconfigured. This error can also be caused",
    "Sorry, we probably made a mistake",
    "Your assistance in bug reporting",
    "To report this bug, see",
    "We will try our best to scrape up",
    "Attempting to collect some information",
    "Attempting backtrace.",
    "BuildID[sha1]=",
    "Thread pointer: 0x",
    "stack_bottom = ",
    "Trying to get some variables.",
    "Some pointers may be invalid",
    "Query (",
    "Connection ID (thread ID): ",
    "The manual page at ",
    "information that should help you find out",
    "key_buffer_size=",
    "read_buffer_size=",
    "max_used_connections=",
    "max_threads=",
    "thread_count=",
    "Server version: ",
    "InnoDB: ",
    "Version: '",
];

/// A crash-report line: a fixed line, or a stack frame as glibc `backtrace_symbols_fd` prints
/// it (`/usr/sbin/mysqld(my_print_stacktrace(...)+0x41) [0x55d1c1a0f5b1]`, MariaDB
/// `mysys/stacktrace.cc:212(my_print_stacktrace)[0x55d1c1a0f5b1]`).
fn is_continuation(line: &str) -> bool {
    CONTINUATION_PREFIXES.iter().any(|p| line.starts_with(p))
        || (line.ends_with(']') && line.contains("[0x") && line.contains('('))
}

impl Format for MysqlError {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        let b = line.as_bytes();
        if !b.first().is_some_and(u8::is_ascii_digit) {
            return if is_continuation(line) {
                LineParse::Continuation
            } else {
                LineParse::NoMatch
            };
        }
        let Some((raw, used, stamp)) = leading_time(b) else {
            return time_of_day_crash(line).unwrap_or(LineParse::NoMatch);
        };
        let time = Some(raw);
        // `used` ends on an ASCII byte of the timestamp, so it is a char boundary.
        let Some(after) = line.get(used..) else {
            return LineParse::NoMatch;
        };
        let Some(rest) = after.strip_prefix(' ') else {
            return LineParse::NoMatch;
        };

        // MySQL 8 crash header: `2024-01-21T15:00:02Z UTC - mysqld got signal 11 ;`.
        if let Some(msg) = rest.strip_prefix("UTC - ") {
            if is_signal_message(msg) {
                return LineParse::Event(Parsed::new(time, Some(Level::Fatal), msg));
            }
            return LineParse::NoMatch;
        }

        // `<time> <thread> [Label] ...`: MySQL 5.6+, MariaDB 10.1+ (sql/log.cc
        // `print_buffer_to_file`: 5.7 `"%s %u [%s] %.*s\n"`, 5.6
        // `"%d-%02d-%02d %02d:%02d:%02d %lu [%s] %.*s\n"`).
        if let Some((thread, after_thread)) = leading_number(rest) {
            if let Some((level, msg)) = after_thread.strip_prefix(' ').and_then(bracket_label) {
                return finish_labelled(time, level, Some(thread), msg);
            }
        }

        // `<time> [Label] ...` without a thread: MySQL ≤ 5.5 / MariaDB ≤ 10.0
        // (`"%02d%02d%02d %2d:%02d:%02d [%s] %s\n"`), and the Docker image entrypoint
        // (docker-library/mysql docker-entrypoint.sh `mysql_log`:
        // `printf '%s [%s] [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$type" "$text"`).
        if let Some((level, msg)) = bracket_label(rest) {
            if stamp == Stamp::TwoDigitYear {
                return finish_labelled(time, level, None, msg);
            }
            if let Some(text) = msg.strip_prefix("[Entrypoint]: ") {
                let mut parsed = Parsed::new(time, Some(level), text);
                parsed.push_field(keys::LOGGER, "Entrypoint");
                return LineParse::Event(parsed);
            }
            return LineParse::NoMatch;
        }

        // mysqld_safe `log_generic`: ``msg="`date +'%y%m%d %H:%M:%S'` mysqld_safe $*"`` (5.5/5.6,
        // MariaDB), `2021-02-03T21:11:29.746364Z mysqld_safe Logging to ...` in 5.7.
        if let Some(msg) = rest.strip_prefix("mysqld_safe ") {
            let mut parsed = Parsed::new(time, None, msg);
            parsed.push_field(keys::LOGGER, "mysqld_safe");
            return LineParse::Event(parsed);
        }

        // InnoDB writing to stderr itself: 5.5 `240121 15:00:02  InnoDB: ...`, 5.6
        // `2024-01-21 15:00:02 7f3a2c1f8700 InnoDB: ...`. Any other line that starts with a
        // time and an InnoDB thread id heads InnoDB monitor or deadlock output
        // (srv0srv.cc `srv_printf_innodb_monitor`: `ut_print_timestamp(file)` then
        // `" INNODB MONITOR OUTPUT\n"`): an event of its own, the dump as its body. (As a
        // continuation it would lose sniffing to `generic`, which counts it as an event.)
        let (thread, tail, prefixed) = match hex_thread(rest) {
            Some((t, tail, prefixed)) => (Some(t), tail, prefixed),
            None => (None, rest, false),
        };
        let msg = tail.trim_start_matches(' ');
        if msg.starts_with("InnoDB: ") {
            let mut parsed = Parsed::new(time, innodb_level(msg), msg);
            if let Some(t) = thread {
                parsed.push_field(keys::THREAD, t);
            }
            return LineParse::Event(parsed);
        }
        // Without the `0x` a hex word could be a host name (journalctl), so the bare 5.6 form
        // also needs ut_print_timestamp's exact `YYYY-MM-DD HH:MM:SS` (19 bytes).
        let monitor_stamp = prefixed || (stamp == Stamp::FourDigitYear && used == 19);
        if let Some(t) = thread {
            if monitor_stamp && (tail.is_empty() || tail.starts_with(' ')) {
                let mut parsed = Parsed::new(time, None, msg);
                parsed.push_field(keys::THREAD, t);
                return LineParse::Event(parsed);
            }
        }
        LineParse::NoMatch
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::ymd_hms;

    fn event(line: &str) -> Parsed<'_> {
        match MysqlError.parse(line) {
            LineParse::Event(p) => p,
            other => panic!("expected an event for {line:?}, got {other:?}"),
        }
    }

    fn utc(p: &Parsed<'_>) -> i64 {
        match p.time {
            Some(RawTime::Utc(ts)) => ts.0,
            ref other => panic!("expected a UTC time, got {other:?}"),
        }
    }

    fn local(p: &Parsed<'_>) -> String {
        match p.time {
            Some(RawTime::Local(t)) => t.to_string(),
            ref other => panic!("expected a local time, got {other:?}"),
        }
    }

    #[test]
    fn mysql8_line_valid_code_subsystem_thread() {
        let p = event(
            "2024-01-21T15:00:02.123456Z 12 [ERROR] [MY-010584] [Repl] Slave I/O for channel '': error connecting to master 'repl@10.0.0.4:3306' - retry-time: 60 retries: 1 message: Can't connect to MySQL server on '10.0.0.4:3306' (111), Error_code: MY-002003",
        );
        assert_eq!(utc(&p), ymd_hms(2024, 1, 21, 15, 0, 2).0 + 123_456_000);
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.field(keys::THREAD), Some("12"));
        assert_eq!(p.field(keys::ERROR_CODE), Some("MY-010584"));
        assert_eq!(p.field("subsystem"), Some("Repl"));
        assert!(
            p.message
                .starts_with("Slave I/O for channel '': error connecting")
        );
    }

    #[test]
    fn mysql8_line_valid_system_ready_for_connections() {
        let p = event(
            "2024-01-21T15:00:02.123456Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.0.36'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL.",
        );
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(p.field(keys::THREAD), Some("0"));
        assert_eq!(p.field(keys::ERROR_CODE), Some("MY-010931"));
        assert_eq!(p.field("subsystem"), Some("Server"));
        assert!(
            p.message
                .starts_with("/usr/sbin/mysqld: ready for connections.")
        );
    }

    #[test]
    fn mysql8_line_valid_warning_unresolved_ip() {
        let p = event(
            "2024-01-21T15:00:02.123456Z 25 [Warning] [MY-010055] [Server] IP address '10.0.0.5' could not be resolved: Name or service not known",
        );
        assert_eq!(p.level, Some(Level::Warn));
        assert_eq!(p.field(keys::ERROR_CODE), Some("MY-010055"));
        assert_eq!(
            p.message,
            "IP address '10.0.0.5' could not be resolved: Name or service not known"
        );
    }

    #[test]
    fn mysql8_line_valid_aborted_connection_note() {
        // Shape from docker/MySqlConnector issue reports (mysql-net/MySqlConnector#1448).
        let p = event(
            "2024-02-11T02:20:03.555182Z 129 [Note] [MY-010914] [Server] Aborted connection 129 to db: 'mysql' user: 'MyDatabase' host: 'localhost' (Got an error reading communication packets).",
        );
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(p.field(keys::THREAD), Some("129"));
        assert!(
            p.message
                .starts_with("Aborted connection 129 to db: 'mysql'")
        );
    }

    #[test]
    fn mysql8_line_valid_system_timestamps_offset() {
        // log_timestamps=SYSTEM: make_iso8601_timestamp appends "%c%02d:%02d".
        let p = event(
            "2024-01-21T16:00:02.123456+01:00 0 [System] [MY-013172] [Server] Received SHUTDOWN from user <via user signal>. Shutting down mysqld (Version: 8.0.36).",
        );
        assert_eq!(utc(&p), ymd_hms(2024, 1, 21, 15, 0, 2).0 + 123_456_000);
    }

    #[test]
    fn mysql8_line_valid_early_build_without_subsystem() {
        let p = event(
            "2017-12-14T17:42:53.746748Z 0 [Warning] [MY-010068] CA certificate /var/mysql/sslinfo/cacert.pem is self signed.",
        );
        assert_eq!(p.field(keys::ERROR_CODE), Some("MY-010068"));
        assert_eq!(p.field("subsystem"), None);
        assert_eq!(
            p.message,
            "CA certificate /var/mysql/sslinfo/cacert.pem is self signed."
        );
    }

    #[test]
    fn mysql57_line_valid_innodb_note_and_aborted_warning() {
        let p = event(
            "2024-01-21T15:00:02.123456Z 0 [Note] InnoDB: Buffer pool(s) load completed at 240121 15:00:02",
        );
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(p.field(keys::ERROR_CODE), None);
        assert_eq!(
            p.message,
            "InnoDB: Buffer pool(s) load completed at 240121 15:00:02"
        );
        let p = event(
            "2024-01-21T15:00:02.123456Z 12 [Warning] Aborted connection 12 to db: 'app' user: 'app' host: '10.0.0.5' (Got an error reading communication packets)",
        );
        assert_eq!(p.level, Some(Level::Warn));
        assert_eq!(p.field(keys::THREAD), Some("12"));
    }

    #[test]
    fn mysql57_line_valid_slave_io_error_without_code() {
        // From bitpoke/mysql-operator#158.
        let p = event(
            "2018-11-22T13:41:52.305689Z 13 [ERROR] Slave I/O for channel '': error connecting to master 'repl_lJARV@ain-production-cluster-mysql-2.ain-production-cluster-mysql-:3306' - retry-time: 10  retries: 1, Error_code: 2005",
        );
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.field(keys::ERROR_CODE), None);
    }

    #[test]
    fn mysql56_line_valid_process_id_local_time() {
        let p = event(
            "2018-09-12 17:50:33 52377 [ERROR] Fatal error: Illegal or unknown default time zone 'UTC'",
        );
        assert_eq!(local(&p), "2018-09-12 17:50:33");
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.field(keys::THREAD), Some("52377"));
    }

    #[test]
    fn mariadb10_line_valid_space_padded_hour() {
        let p = event(
            "2021-12-31  2:18:02 38 [Warning] Aborted connection 38 to db: 'DB' user: 'USER' host: 'IP' (Got an error reading communication packets)",
        );
        assert_eq!(local(&p), "2021-12-31 02:18:02");
        assert_eq!(p.level, Some(Level::Warn));
        assert_eq!(p.field(keys::THREAD), Some("38"));
        let p = event(
            "2024-01-21 15:00:02 0 [Note] InnoDB: Buffer pool(s) load completed at 240121 15:00:02",
        );
        assert_eq!(local(&p), "2024-01-21 15:00:02");
        assert_eq!(p.level, Some(Level::Info));
    }

    #[test]
    fn mariadb10_line_valid_timeout_warning_and_pthread_id() {
        let p = event(
            "2024-01-21 15:00:02 12 [Warning] Aborted connection 12 to db: 'app' user: 'app' host: '10.0.0.5' (Got timeout reading communication packets)",
        );
        assert!(
            p.message
                .ends_with("(Got timeout reading communication packets)")
        );
        // MariaDB 10.1 printed the pthread id.
        let p = event("2016-10-13 19:00:17 140594337638336 [Note] mysqld: ready for connections.");
        assert_eq!(p.field(keys::THREAD), Some("140594337638336"));
    }

    #[test]
    fn mysql55_line_valid_two_digit_year_no_thread() {
        let p = event(
            "130928 22:56:26 [Warning] Aborted connection 2 to db: 'nss' user: 'v533405' host: 'localhost' (Got an error reading communication packets)",
        );
        assert_eq!(local(&p), "2013-09-28 22:56:26");
        assert_eq!(p.level, Some(Level::Warn));
        assert_eq!(p.field(keys::THREAD), None);
        let p = event(
            "161109  9:25:42 [Note] WSREP: Read nil XID from storage engines, skipping position init",
        );
        assert_eq!(local(&p), "2016-11-09 09:25:42");
    }

    #[test]
    fn mariadb_crash_header_valid_is_fatal() {
        let p = event("240121 15:00:02 [ERROR] mysqld got signal 11 ;");
        assert_eq!(p.level, Some(Level::Fatal));
        assert_eq!(p.message, "mysqld got signal 11 ;");
    }

    #[test]
    fn mysql8_crash_header_valid_utc_is_fatal() {
        let p = event("2024-01-21T15:00:02Z UTC - mysqld got signal 11 ;");
        assert_eq!(utc(&p), ymd_hms(2024, 1, 21, 15, 0, 2).0);
        assert_eq!(p.level, Some(Level::Fatal));
        assert_eq!(p.message, "mysqld got signal 11 ;");
    }

    #[test]
    fn mysql57_crash_header_valid_time_of_day_inherits() {
        let p = event("15:00:02 UTC - mysqld got signal 11 ;");
        assert_eq!(p.time, None);
        assert_eq!(p.level, Some(Level::Fatal));
    }

    #[test]
    fn crash_report_lines_valid_continue() {
        for line in [
            "Most likely, you have hit a bug, but this error can also be caused by malfunctioning hardware.",
            "BuildID[sha1]=2a7c4e1d9f3b6a8c0e2d4f6a8b0c2e4d6f8a0b2c",
            "Thread pointer: 0x7f3a0c000b70",
            "stack_bottom = 7f3a2c1f7e80 thread_stack 0x100000",
            "/usr/sbin/mysqld(my_print_stacktrace(unsigned char const*, unsigned long)+0x41) [0x55d1c1a0f5b1]",
            "mysys/stacktrace.cc:212(my_print_stacktrace)[0x55d1c1a0f5b1]",
            "Query (7f3a0c02a9a8): SELECT * FROM orders WHERE customer_id = 42",
            "Connection ID (thread ID): 12",
            "Version: '10.1.18-MariaDB-1~jessie'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  mariadb.org binary distribution",
            "InnoDB: Database was not shut down normally!",
        ] {
            assert_eq!(MysqlError.parse(line), LineParse::Continuation, "{line}");
        }
    }

    #[test]
    fn untimed_free_text_invalid_not_claimed() {
        for line in [
            "where mysqld died. If you see no messages after this, something went",
            "=====================================",
            "Per second averages calculated from the last 20 seconds",
        ] {
            assert_eq!(MysqlError.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn innodb_monitor_line_valid_event_with_thread() {
        let p = event("2024-01-21 15:00:02 0x7f3a2c1f8700 INNODB MONITOR OUTPUT");
        assert_eq!(local(&p), "2024-01-21 15:00:02");
        assert_eq!(p.level, None);
        assert_eq!(p.message, "INNODB MONITOR OUTPUT");
        assert_eq!(p.field(keys::THREAD), Some("0x7f3a2c1f8700"));
        // The deadlock section's own stamp line, and MySQL 5.6's id without `0x`.
        assert_eq!(event("2024-01-21 15:00:02 0x7f3a2c1f8700").message, "");
        assert_eq!(
            event("2014-01-21 15:00:02 7f3a2c1f8700 INNODB MONITOR OUTPUT").field(keys::THREAD),
            Some("7f3a2c1f8700")
        );
    }

    #[test]
    fn hex_word_invalid_host_name_after_zoned_stamp() {
        // journalctl -o short-iso with a host that happens to be hex.
        assert_eq!(
            MysqlError.parse("2024-01-21T15:00:02+0100 cafe0123 app[1]: x"),
            LineParse::NoMatch
        );
    }

    #[test]
    fn innodb_stderr_line_valid_mysql55_and_56() {
        let p = event(
            "130928 22:56:26  InnoDB: Error: log file ./ib_logfile0 is of different size 0 5242880 bytes",
        );
        assert_eq!(p.level, Some(Level::Error));
        assert!(p.message.starts_with("InnoDB: Error: log file"));
        let p = event("2014-01-21 15:00:02 7f3a2c1f8700 InnoDB: Warning: a long semaphore wait:");
        assert_eq!(p.level, Some(Level::Warn));
        assert_eq!(p.field(keys::THREAD), Some("7f3a2c1f8700"));
    }

    #[test]
    fn mysqld_safe_line_valid_both_stamps() {
        let p = event(
            "161109 14:28:22 mysqld_safe Starting mysqld daemon with databases from /var/lib/mysql",
        );
        assert_eq!(p.level, None);
        assert_eq!(p.field(keys::LOGGER), Some("mysqld_safe"));
        assert_eq!(
            p.message,
            "Starting mysqld daemon with databases from /var/lib/mysql"
        );
        let p = event(
            "2021-02-03T21:11:29.746364Z mysqld_safe Logging to '/var/snap/nextcloud/26051/mysql/../logs/mysql_errors.log'.",
        );
        assert!(matches!(p.time, Some(RawTime::Utc(_))));
    }

    #[test]
    fn entrypoint_line_valid_rfc3339_seconds() {
        let p = event(
            "2022-12-28 19:14:21+00:00 [Note] [Entrypoint]: Entrypoint script for MySQL Server 8.0.31-1.el8 started.",
        );
        assert_eq!(utc(&p), ymd_hms(2022, 12, 28, 19, 14, 21).0);
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(p.field(keys::LOGGER), Some("Entrypoint"));
        assert_eq!(
            p.message,
            "Entrypoint script for MySQL Server 8.0.31-1.el8 started."
        );
    }

    #[test]
    fn header_invalid_unknown_label_or_broken_stamp() {
        for line in [
            "2024-01-21T15:00:02.123456Z 12 [Debug] not a MySQL label",
            "2024-01-21T15:00:02.123456Z 12 [ERROR]x",
            "2024-13-21T15:00:02.123456Z 12 [ERROR] month 13",
            "2024-01-21T15:00:02.123456Z",
            "2024-01-21T15:00:02.123456Z [ERROR] no thread on a 5.7 stamp",
            "15:00:02 UTC - something else entirely",
            "2024-01-21  9:0",
            "",
            "1",
        ] {
            assert_eq!(MysqlError.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn neighbouring_formats_invalid_not_claimed() {
        for line in [
            "2024-01-21T15:00:02.123Z INFO started",
            "2024-01-21 15:00:02,123 ERROR [main] c.e.App - boom",
            "2024-01-21 15:00:02,123 [ERROR] app: boom",
            "2024/01/21 15:00:02 [error] 1234#1234: *5 connect() failed (111: Connection refused) while connecting to upstream",
            "2024-01-21 15:00:02.123 UTC [1234] LOG:  database system is ready to accept connections",
            "2024-01-21T15:00:02+0100 db1 mysqld[1234]: ready",
            "Jan 21 15:00:02 db1 mysqld[1234]: ready",
            "I0121 15:00:02.123456       1 controller.go:123] Starting controller",
            "E, [2024-01-21T15:00:02.123456 #1234] ERROR -- : boom",
            "# Time: 2024-01-21T15:00:02.123456Z",
            "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 terminating",
            "10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] \"GET / HTTP/1.1\" 200 612",
        ] {
            assert_eq!(MysqlError.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn garbage_bytes_invalid_never_panic() {
        for line in [
            "2024-01-21  9:05:01é",
            "240121 ",
            "2024-01-21T15:00:02Z é",
            "99:99:99 UTC - x got signal ;",
            "0x",
        ] {
            let _ = MysqlError.parse(line);
        }
    }

    #[test]
    fn sniff_valid_picks_mysql_error() {
        let sample = [
            "2024-01-21T15:00:00.100000Z 0 [System] [MY-010116] [Server] /usr/sbin/mysqld (mysqld 8.0.36) starting as process 1",
            "2024-01-21T15:00:00.200000Z 1 [System] [MY-013576] [InnoDB] InnoDB initialization has started.",
            "2024-01-21T15:00:01.300000Z 0 [Warning] [MY-010068] [Server] CA certificate ca.pem is self signed.",
            "2024-01-21T15:00:02.123456Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.0.36'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL.",
            "2024-01-21T15:00:09.000001Z 12 [ERROR] [MY-010584] [Repl] Slave I/O for channel '': error connecting to master 'repl@10.0.0.4:3306' - retry-time: 60 retries: 1 message: Can't connect to MySQL server on '10.0.0.4:3306' (111), Error_code: MY-002003",
        ];
        assert_eq!(super::super::sniff(&sample).format.name(), MysqlError::NAME);
    }
}
