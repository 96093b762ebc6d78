//! postgres_csv: PostgreSQL's csvlog (`log_destination = 'csvlog'`, files `*.csv`).
//!
//! One record per report, its columns fixed by the server version (documented in "Using
//! CSV-Format Log Output", runtime-config-logging; written by `write_csvlog()` in
//! src/backend/utils/error/csvlog.c, elog.c before PostgreSQL 15):
//!
//! ```text
//!  0 log_time            7 command_tag            14 detail           21 location
//!  1 user_name           8 session_start_time     15 hint             22 application_name
//!  2 database_name       9 virtual_transaction_id 16 internal_query   23 backend_type (13+)
//!  3 process_id         10 transaction_id         17 internal_query_pos 24 leader_pid (14+)
//!  4 connection_from    11 error_severity         18 context          25 query_id (14+)
//!  5 session_id         12 sql_state_code         19 query
//!  6 session_line_num   13 message                20 query_pos
//! ```
//!
//! Text columns are quoted with `"` and inner quotes doubled (`appendCSVLiteral()`); they may
//! hold newlines (a multi-line query, a message with a DETAIL list), so a record can span
//! lines. [`PostgresCsv::parse`] is stateless: a line that starts with a csvlog timestamp and
//! whose first thirteen columns (up to `sql_state_code`) are well-formed starts a record and is
//! parsed as far as it goes; any other line continues the record before it. The splitter is
//! [`CsvFields`], a hand-written iterator that borrows unless a field has doubled quotes.

use super::postgres_stderr::{Severity, duration_seconds, is_sqlstate, pg_time, severity_word};
use super::{Format, LineParse, Parsed};
use crate::event::{Level, keys};
use std::borrow::Cow;

#[derive(Debug, Default)]
pub struct PostgresCsv;

impl PostgresCsv {
    pub const NAME: &'static str = "postgres_csv";
}

/// One CSV field: its text (quotes removed, doubled quotes undone) and whether it ended on this
/// line (`false` for a quoted field whose closing quote is on a later line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvField<'a> {
    pub text: Cow<'a, str>,
    pub closed: bool,
}

/// Splits one line of PostgreSQL CSV (quote and escape both `"`, as `COPY ... CSV` and csvlog
/// use) into fields. After an unterminated quoted field it stops.
#[derive(Clone, Debug)]
pub struct CsvFields<'a> {
    line: &'a str,
    pos: usize,
    done: bool,
}

impl<'a> CsvFields<'a> {
    pub fn new(line: &'a str) -> Self {
        CsvFields {
            line,
            pos: 0,
            done: false,
        }
    }
}

impl<'a> Iterator for CsvFields<'a> {
    type Item = CsvField<'a>;

    fn next(&mut self) -> Option<CsvField<'a>> {
        if self.done {
            return None;
        }
        let s = self.line;
        let b = s.as_bytes();
        let start = self.pos;
        if b.get(start) == Some(&b'"') {
            let mut i = start + 1;
            let mut doubled = false;
            loop {
                match memchr::memchr(b'"', &b[i.min(b.len())..]) {
                    None => {
                        // The closing quote is on a later line.
                        self.done = true;
                        let raw = &s[(start + 1).min(s.len())..];
                        return Some(CsvField {
                            text: unquote(raw, doubled),
                            closed: false,
                        });
                    }
                    Some(k) => {
                        let q = i + k;
                        if b.get(q + 1) == Some(&b'"') {
                            doubled = true;
                            i = q + 2;
                            continue;
                        }
                        let raw = &s[start + 1..q];
                        // After the closing quote: a comma, or the end of the record.
                        match b.get(q + 1) {
                            Some(b',') => self.pos = q + 2,
                            _ => self.done = true,
                        }
                        return Some(CsvField {
                            text: unquote(raw, doubled),
                            closed: true,
                        });
                    }
                }
            }
        }
        match memchr::memchr(b',', &b[start.min(b.len())..]) {
            Some(k) => {
                self.pos = start + k + 1;
                Some(CsvField {
                    text: Cow::Borrowed(&s[start..start + k]),
                    closed: true,
                })
            }
            None => {
                self.done = true;
                Some(CsvField {
                    text: Cow::Borrowed(&s[start.min(s.len())..]),
                    closed: true,
                })
            }
        }
    }
}

fn unquote(raw: &str, doubled: bool) -> Cow<'_, str> {
    if doubled {
        Cow::Owned(raw.replace("\"\"", "\""))
    } else {
        Cow::Borrowed(raw)
    }
}

/// `host:port` as csvlog prints `connection_from` (`[local]` for a Unix socket, no port).
fn client_host(s: &str) -> &str {
    match s.rsplit_once(':') {
        Some((host, port))
            if !host.is_empty() && !port.is_empty() && port.bytes().all(|c| c.is_ascii_digit()) =>
        {
            host
        }
        _ => s,
    }
}

impl Format for PostgresCsv {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    /// One record per report, but its quoted fields can span lines; see the module docs.
    fn multiline(&self) -> bool {
        false
    }

    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        // A record starts with log_time (`%Y-%m-%d %H:%M:%S.mmm %Z`, unquoted as csvlog.c
        // writes it; quoted as some re-exports have it) and a comma.
        let b = line.as_bytes();
        let quoted = b.first() == Some(&b'"');
        let at = usize::from(quoted);
        let Some((raw, used, _)) = pg_time(&b[at..]) else {
            return LineParse::Continuation;
        };
        let mut end = at + used;
        if quoted {
            if b.get(end) != Some(&b'"') {
                return LineParse::Continuation;
            }
            end += 1;
        }
        if b.get(end) != Some(&b',') {
            return LineParse::Continuation;
        }
        let mut fields = CsvFields::new(&line[end + 1..]);
        // Columns 1..=12 never hold a newline; all of them must be on this line.
        let mut head: [Option<Cow<'a, str>>; 12] = Default::default();
        for slot in head.iter_mut() {
            match fields.next() {
                Some(CsvField { text, closed: true }) => *slot = Some(text),
                _ => return LineParse::NoMatch,
            }
        }
        let [
            user,
            database,
            pid,
            client,
            session_id,
            session_line,
            command_tag,
            _start,
            _vxid,
            _xid,
            severity,
            sql_state,
        ] = head;
        let severity = severity.unwrap_or_default();
        let level = match severity_word(severity.as_bytes()) {
            Some(Severity::Event(level)) => Some(level),
            Some(Severity::Continuation) => return LineParse::NoMatch,
            // A server with a translated lc_messages writes e.g. `FEHLER`: still a record, its
            // level unknown unless the word is one we know anyway.
            None if (2..=16).contains(&severity.chars().count())
                && severity.chars().all(char::is_alphabetic) =>
            {
                Level::parse(&severity)
            }
            None => return LineParse::NoMatch,
        };
        let pid = pid.unwrap_or_default();
        if !pid.bytes().all(|c| c.is_ascii_digit()) {
            return LineParse::NoMatch;
        }
        let message = fields.next().map(|f| f.text).unwrap_or_default();
        let mut parsed = Parsed::new(Some(raw), level, message);
        parsed.push_field(keys::PID, pid);
        if let Some(u) = user {
            parsed.push_field(keys::USER, u);
        }
        if let Some(d) = database {
            parsed.push_field(keys::DATABASE, d);
        }
        if let Some(c) = client {
            let host = match c {
                Cow::Borrowed(s) => Cow::Borrowed(client_host(s)),
                Cow::Owned(s) => Cow::Owned(client_host(&s).to_string()),
            };
            parsed.push_field(keys::CLIENT, host);
        }
        if let Some(code) = sql_state {
            if is_sqlstate(&code) && code != "00000" {
                parsed.push_field(keys::ERROR_CODE, code);
            }
        }
        if let Some(s) = session_id {
            parsed.push_field("session_id", s);
        }
        if let Some(s) = session_line {
            parsed.push_field("session_line", s);
        }
        if let Some(t) = command_tag {
            parsed.push_field("command_tag", t);
        }
        // Columns after the message, as far as this line has them.
        for (index, field) in (14..).zip(fields) {
            let key = match index {
                14 => "detail",
                15 => "hint",
                16 => "internal_query",
                18 => "context",
                19 => "statement",
                22 => keys::APPLICATION,
                23 => "backend_type",
                24 => "leader_pid",
                25 if field.text != "0" => "query_id",
                _ => continue,
            };
            parsed.push_field(key, field.text);
        }
        if let Some(secs) = duration_seconds(&parsed.message) {
            parsed
                .fields
                .push((Cow::Borrowed(keys::QUERY_TIME), Cow::Owned(secs)));
        }
        LineParse::Event(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{RawTime, ymd_hms};

    fn event(line: &str) -> Parsed<'_> {
        match PostgresCsv.parse(line) {
            LineParse::Event(p) => p,
            other => panic!("expected an event for {line:?}, got {other:?}"),
        }
    }

    // PostgreSQL 14+ (26 columns): a statement timeout.
    const TIMEOUT: &str = "2024-01-21 15:00:02.123 UTC,\"app\",\"appdb\",12345,\"10.0.0.5:51234\",65ad3c2a.3039,3,\"SELECT\",2024-01-21 15:00:01 UTC,3/42,0,ERROR,57014,\"canceling statement due to statement timeout\",,,,,,\"SELECT pg_sleep(10);\",,,\"psql\",\"client backend\",,0";

    #[test]
    fn pg14_record_valid_statement_timeout() {
        let p = event(TIMEOUT);
        match p.time {
            Some(RawTime::Utc(ts)) => {
                assert_eq!(ts.0, ymd_hms(2024, 1, 21, 15, 0, 2).0 + 123_000_000)
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.message, "canceling statement due to statement timeout");
        assert_eq!(p.field(keys::PID), Some("12345"));
        assert_eq!(p.field(keys::USER), Some("app"));
        assert_eq!(p.field(keys::DATABASE), Some("appdb"));
        assert_eq!(p.field(keys::CLIENT), Some("10.0.0.5"));
        assert_eq!(p.field(keys::ERROR_CODE), Some("57014"));
        assert_eq!(p.field(keys::APPLICATION), Some("psql"));
        assert_eq!(p.field("statement"), Some("SELECT pg_sleep(10);"));
        assert_eq!(p.field("backend_type"), Some("client backend"));
        assert_eq!(p.field("session_id"), Some("65ad3c2a.3039"));
        assert_eq!(p.field("command_tag"), Some("SELECT"));
        assert_eq!(p.field("query_id"), None);
    }

    #[test]
    fn pg13_record_valid_deadlock_detail_hint_context() {
        // 24 columns (backend_type, no leader_pid/query_id). The detail holds newlines, so the
        // record goes on over the next lines.
        let lines = [
            "2024-01-21 15:00:02.123 UTC,\"app\",\"appdb\",4849,\"10.0.0.5:51234\",65ad3c2a.12f1,5,\"UPDATE\",2024-01-21 14:59:58 UTC,3/1202,259635360,ERROR,40P01,\"deadlock detected\",\"Process 4849 waits for ShareLock on transaction 259635360; blocked by process 4821.",
            "Process 4821 waits for ShareLock on transaction 259635221; blocked by process 4849.",
            "Process 4849: UPDATE accounts SET balance = balance - 100 WHERE id = 1;",
            "Process 4821: UPDATE accounts SET balance = balance + 100 WHERE id = 2;\",\"See server log for query details.\",,,\"while updating tuple (0,1) in relation \"\"accounts\"\"\",\"UPDATE accounts SET balance = balance - 100 WHERE id = 1;\",,,\"psql\",\"client backend\"",
        ];
        let p = event(lines[0]);
        assert_eq!(p.message, "deadlock detected");
        assert_eq!(p.field(keys::ERROR_CODE), Some("40P01"));
        assert_eq!(
            p.field("detail"),
            Some(
                "Process 4849 waits for ShareLock on transaction 259635360; blocked by process 4821."
            )
        );
        for line in &lines[1..] {
            assert_eq!(PostgresCsv.parse(line), LineParse::Continuation, "{line}");
        }
    }

    #[test]
    fn record_valid_message_with_doubled_quotes_and_hint() {
        let line = "2024-01-21 15:00:04.010 UTC,\"app\",\"appdb\",24702,\"10.0.0.5:51240\",65ad3c2c.5e7e,7,\"SELECT\",2024-01-21 15:00:03 UTC,4/17,0,ERROR,42P01,\"relation \"\"orders\"\" does not exist\",,,,,,\"select * from orders;\",15,,\"api\",\"client backend\",,0";
        let p = event(line);
        assert_eq!(p.message, "relation \"orders\" does not exist");
        assert_eq!(p.field(keys::ERROR_CODE), Some("42P01"));
        assert_eq!(p.field("statement"), Some("select * from orders;"));
        assert_eq!(p.field(keys::APPLICATION), Some("api"));
    }

    #[test]
    fn record_valid_multiline_query_is_cut_on_first_line() {
        let lines = [
            "2024-01-21 15:00:05.500 UTC,\"app\",\"appdb\",5210,\"10.0.0.5:51300\",65ad3c2d.145a,12,\"SELECT\",2024-01-21 15:00:01 UTC,5/88,0,LOG,00000,\"duration: 2001.123 ms  statement: SELECT id,",
            "       total",
            "  FROM orders",
            " WHERE state = 'open'\",,,,,,,,,\"api\",\"client backend\",,0",
        ];
        let p = event(lines[0]);
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(p.message, "duration: 2001.123 ms  statement: SELECT id,");
        assert_eq!(p.field(keys::QUERY_TIME), Some("2.001123"));
        assert_eq!(p.field(keys::ERROR_CODE), None);
        for line in &lines[1..] {
            assert_eq!(PostgresCsv.parse(line), LineParse::Continuation);
        }
    }

    #[test]
    fn postmaster_record_valid_empty_session_columns() {
        // Background processes have no user, database or client; PostgreSQL 12 has 23 columns.
        let p = event(
            "2024-01-21 15:00:05.001 UTC,,,812,,65ad3c20.32c,1,,2024-01-21 14:00:00 UTC,,0,LOG,00000,\"checkpoint starting: time\",,,,,,,,,\"\"",
        );
        assert_eq!(p.message, "checkpoint starting: time");
        assert_eq!(p.field(keys::PID), Some("812"));
        assert_eq!(p.field(keys::USER), None);
        assert_eq!(p.field(keys::CLIENT), None);
        assert_eq!(p.field(keys::APPLICATION), None);
    }

    #[test]
    fn record_valid_fatal_too_many_clients_local_socket() {
        let p = event(
            "2024-01-21 15:00:03.210 CET,\"app\",\"appdb\",5301,\"[local]\",65ad3c2b.14b5,1,\"startup\",2024-01-21 15:00:03 CET,,0,FATAL,53300,\"sorry, too many clients already\",,,,,,,,,\"\",\"client backend\",,0",
        );
        assert_eq!(p.level, Some(Level::Fatal));
        assert_eq!(p.message, "sorry, too many clients already");
        assert_eq!(p.field(keys::CLIENT), Some("[local]"));
        assert_eq!(p.field(keys::ERROR_CODE), Some("53300"));
    }

    #[test]
    fn quoted_time_record_valid_reexported_csvlog() {
        // pgBadger's t/fixtures/remote_watch.csv: log_time in quotes, 25 columns.
        let lines = [
            "\"2026-05-16 05:12:50.269 UTC\",\"example_user\",\"example_db\",1001,\"192.0.2.10:54321\",00000001.000003e9,2,\"SELECT\",\"2026-05-16 05:00:00 UTC\",1/1,0,ERROR,42703,\"first error line",
            "second \"\"quoted\"\" error line\",,\"error hint\",,,,,,,\"example app\",\"client backend\",0",
        ];
        let p = event(lines[0]);
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.message, "first error line");
        assert_eq!(p.field(keys::ERROR_CODE), Some("42703"));
        assert_eq!(p.field(keys::CLIENT), Some("192.0.2.10"));
        assert_eq!(PostgresCsv.parse(lines[1]), LineParse::Continuation);
    }

    #[test]
    fn splitter_valid_quotes_commas_and_empty_fields() {
        let got: Vec<(String, bool)> = CsvFields::new("a,\"b,c\",,\"d\"\"e\",\"open")
            .map(|f| (f.text.into_owned(), f.closed))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a".to_string(), true),
                ("b,c".to_string(), true),
                (String::new(), true),
                ("d\"e".to_string(), true),
                ("open".to_string(), false),
            ]
        );
        let got: Vec<String> = CsvFields::new("x,").map(|f| f.text.into_owned()).collect();
        assert_eq!(got, vec!["x".to_string(), String::new()]);
        assert_eq!(
            CsvFields::new("\"").map(|f| f.closed).collect::<Vec<_>>(),
            vec![false]
        );
    }

    #[test]
    fn record_invalid_bad_columns() {
        // Not a severity.
        assert_eq!(
            PostgresCsv.parse("2024-01-21 15:00:02.123 UTC,\"app\",\"appdb\",12345,\"10.0.0.5:51234\",65ad3c2a.3039,3,\"SELECT\",2024-01-21 15:00:01 UTC,3/42,0,ERR0R!,57014,\"x\""),
            LineParse::NoMatch
        );
        // Too few columns.
        assert_eq!(
            PostgresCsv.parse("2024-01-21 15:00:02.123 UTC,\"app\",\"appdb\""),
            LineParse::NoMatch
        );
        // Not a pid.
        assert_eq!(
            PostgresCsv.parse("2024-01-21 15:00:02.123 UTC,\"app\",\"appdb\",abc,\"10.0.0.5:51234\",65ad3c2a.3039,3,\"SELECT\",2024-01-21 15:00:01 UTC,3/42,0,ERROR,57014,\"x\""),
            LineParse::NoMatch
        );
        // The user name's quote never closes on this line.
        assert_eq!(
            PostgresCsv.parse("2024-01-21 15:00:02.123 UTC,\"app"),
            LineParse::NoMatch
        );
    }

    #[test]
    fn neighbours_invalid_not_a_record_start() {
        for line in [
            // stderr log
            "2024-01-21 15:00:02.123 UTC [12345] app@appdb ERROR:  canceling statement due to statement timeout",
            // logback
            "2024-01-21 15:00:02.123 ERROR 1 --- [nio-8080-exec-1] o.h.engine.jdbc.spi.SqlExceptionHelper   : ERROR: canceling statement due to statement timeout",
            // syslog
            "Jan 21 15:00:02 db1 postgres[12345]: [3-1] LOG:  checkpoint starting: time",
            // nginx error log
            "2024/01/21 15:00:02 [error] 1234#1234: *5 connect() failed (111: Connection refused) while connecting to upstream",
            // jsonlog
            "{\"timestamp\":\"2024-01-21 15:00:02.123 UTC\",\"pid\":12345,\"error_severity\":\"ERROR\",\"message\":\"x\"}",
        ] {
            assert!(
                !matches!(PostgresCsv.parse(line), LineParse::Event(_)),
                "{line}"
            );
        }
    }

    #[test]
    fn garbage_invalid_never_panics() {
        for line in [
            "",
            "\"",
            "2024-01-21 15:00:02.123 UTC,",
            "2024-01-21 15:00:02.123 UTC,\"",
            "2024-01-21 15:00:02.123 UTC,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,",
            "2024-01-21 15:00:02.123 UTC,\"é\",\"ü\",1,,,,,,,,LOG,00000,\"ö",
        ] {
            let _ = PostgresCsv.parse(line);
        }
    }

    #[test]
    fn sniff_valid_picks_postgres_csv() {
        let sample = [
            "2024-01-21 15:00:01.001 UTC,,,812,,65ad3c20.32c,1,,2024-01-21 14:00:00 UTC,,0,LOG,00000,\"checkpoint starting: time\",,,,,,,,,\"\",\"checkpointer\",,0",
            TIMEOUT,
            "2024-01-21 15:00:03.210 UTC,\"app\",\"appdb\",5301,\"10.0.0.6:40112\",65ad3c2b.14b5,1,\"startup\",2024-01-21 15:00:03 UTC,,0,FATAL,53300,\"sorry, too many clients already\",,,,,,,,,\"\",\"client backend\",,0",
        ];
        assert_eq!(
            super::super::sniff(&sample).format.name(),
            PostgresCsv::NAME
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_line_invalid_never_panics(
            i in 0usize..3,
            tail in "[-0-9A-Za-z :.,\"/é]{0,160}",
        ) {
            let heads = ["", "2024-01-21 15:00:02.123 UTC,", "\"2024-01-21 15:00:02.123 UTC\",\"app\",\"appdb\",1,,65ad3c2a.3039,1,,2024-01-21 15:00:01 UTC,,0,"];
            let line = format!("{}{tail}", heads[i]);
            let _ = PostgresCsv.parse(&line);
            let _ = CsvFields::new(&line).count();
        }
    }
}
