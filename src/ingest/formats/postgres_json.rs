//! postgres_json: PostgreSQL's jsonlog (PostgreSQL 15+, `log_destination = 'jsonlog'`, files
//! `*.json`).
//!
//! One JSON object per line, written by `write_jsonlog()` in
//! src/backend/utils/error/jsonlog.c and documented in "Using JSON-Format Log Output"
//! (runtime-config-logging). Keys are left out when their value is NULL, so only `timestamp`,
//! `session_id`, `line_num`, `txid`, `message`, `backend_type` and `query_id` are always there;
//! `error_severity` is present for every report and is what tells this format from other JSON
//! lines: a line without it is [`LineParse::NoMatch`] so that `json_lines` takes it. Numbers
//! (`pid`, `remote_port`, `line_num`, `txid`, `query_id`, `leader_pid`) are unquoted JSON numbers;
//! [`JsonRecord`] also accepts them as strings in case a log shipper re-encoded the line.
//!
//! Newlines inside the message, detail or statement are JSON-escaped, so a record never spans
//! lines (`multiline` is false). The message is kept whole, newlines included.

use super::postgres_stderr::{Severity, duration_seconds, is_sqlstate, pg_time, severity_word};
use super::{Format, LineParse, Parsed};
use crate::event::{Level, keys};
use serde::Deserialize;
use std::borrow::Cow;

#[derive(Debug, Default)]
pub struct PostgresJson;

impl PostgresJson {
    pub const NAME: &'static str = "postgres_json";
}

/// The jsonlog keys we use (jsonlog.c `appendJSONKeyValue(&buf, "<key>", ...)`). Unknown keys
/// (`ps`, `session_start`, `vxid`, `txid`, `internal_position`, `cursor_position`,
/// `func_name`, `file_name`, `file_line_num`) are skipped by serde.
#[derive(Debug, Default, Deserialize)]
pub struct JsonRecord<'a> {
    #[serde(borrow, default)]
    pub timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub user: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub dbname: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "scalar")]
    pub pid: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub remote_host: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub session_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "scalar")]
    pub line_num: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub ps: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub error_severity: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub state_code: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub message: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub detail: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub hint: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub internal_query: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub context: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub statement: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub application_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub backend_type: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "scalar")]
    pub leader_pid: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "scalar")]
    pub query_id: Option<Cow<'a, str>>,
}

/// A JSON number or string, as text (numbers are formatted, strings borrowed when unescaped).
fn scalar<'de, D>(deserializer: D) -> Result<Option<Cow<'de, str>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Option<Cow<'de, str>>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a number or a string")
        }
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_string())))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_string())))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_string())))
        }
        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed(v)))
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_string())))
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed(if v { "true" } else { "false" })))
        }
    }
    deserializer.deserialize_any(Visitor)
}

/// `"error_severity"` as it appears in a jsonlog line; cheap pre-check before JSON parsing.
static SEVERITY_KEY: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\"error_severity\""));

impl Format for PostgresJson {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn multiline(&self) -> bool {
        false
    }

    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        let trimmed = line.trim_start();
        if !trimmed.starts_with('{') || SEVERITY_KEY.find(trimmed.as_bytes()).is_none() {
            return LineParse::NoMatch;
        }
        let Ok(record) = serde_json::from_str::<JsonRecord<'a>>(trimmed.trim_end()) else {
            return LineParse::NoMatch;
        };
        // The key may have been inside a nested object (e.g. CloudNativePG's `record`).
        let Some(severity) = record.error_severity else {
            return LineParse::NoMatch;
        };
        let level = match severity_word(severity.as_bytes()) {
            Some(Severity::Event(level)) => Some(level),
            _ => Level::parse(&severity),
        };
        let time = record
            .timestamp
            .as_deref()
            .and_then(|t| pg_time(t.as_bytes()))
            .map(|(raw, _, _)| raw);
        let message = record.message.unwrap_or_default();
        let query_time = duration_seconds(&message);
        let mut parsed = Parsed::new(time, level, message);
        let optional = [
            (keys::PID, record.pid),
            (keys::USER, record.user),
            (keys::DATABASE, record.dbname),
            (keys::APPLICATION, record.application_name),
            (keys::CLIENT, record.remote_host),
            (
                keys::ERROR_CODE,
                record
                    .state_code
                    .filter(|c| is_sqlstate(c) && *c != "00000"),
            ),
            ("session_id", record.session_id),
            ("session_line", record.line_num),
            ("command_tag", record.ps),
            ("detail", record.detail),
            ("hint", record.hint),
            ("internal_query", record.internal_query),
            ("context", record.context),
            ("statement", record.statement),
            ("backend_type", record.backend_type),
            ("leader_pid", record.leader_pid),
            ("query_id", record.query_id.filter(|q| *q != "0")),
        ];
        for (key, value) in optional {
            if let Some(v) = value {
                parsed.push_field(key, v);
            }
        }
        if let Some(secs) = query_time {
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
        match PostgresJson.parse(line) {
            LineParse::Event(p) => p,
            other => panic!("expected an event for {line:?}, got {other:?}"),
        }
    }

    const TIMEOUT: &str = r#"{"timestamp":"2024-01-21 15:00:02.123 UTC","user":"app","dbname":"appdb","pid":12345,"remote_host":"10.0.0.5","remote_port":51234,"session_id":"65ad3c2a.3039","line_num":3,"ps":"SELECT","session_start":"2024-01-21 15:00:01 UTC","vxid":"3/42","txid":0,"error_severity":"ERROR","state_code":"57014","message":"canceling statement due to statement timeout","statement":"SELECT pg_sleep(10);","application_name":"psql","backend_type":"client backend","query_id":0}"#;

    #[test]
    fn record_valid_statement_timeout() {
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
        assert_eq!(p.field(keys::APPLICATION), Some("psql"));
        assert_eq!(p.field(keys::ERROR_CODE), Some("57014"));
        assert_eq!(p.field("statement"), Some("SELECT pg_sleep(10);"));
        assert_eq!(p.field("session_line"), Some("3"));
        assert_eq!(p.field("query_id"), None);
        assert_eq!(p.service, None);
    }

    #[test]
    fn record_valid_autovacuum_multiline_message() {
        // pgBadger's t/fixtures/pg_vacuums.json (PostgreSQL 15+), first record.
        let line = r#"{"timestamp":"2024-06-27 00:00:07.369 CEST","pid":58151,"session_id":"667c8f67.e327","line_num":1,"session_start":"2024-06-27 00:00:07 CEST","vxid":"21/52610848","txid":3949960645,"error_severity":"LOG","message":"automatic analyze of table \"testdb.sales.tab_shop_stats\"\nI/O timings: read: 0.000 ms, write: 0.000 ms\navg read rate: 0.000 MB/s, avg write rate: 1.157 MB/s\nbuffer usage: 424 hits, 0 misses, 4 dirtied\nsystem usage: CPU: user: 0.02 s, system: 0.00 s, elapsed: 0.02 s","backend_type":"autovacuum worker","query_id":0}"#;
        let p = event(line);
        match p.time {
            // CEST is UTC+2.
            Some(RawTime::Utc(ts)) => {
                assert_eq!(ts.0, ymd_hms(2024, 6, 26, 22, 0, 7).0 + 369_000_000)
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(p.level, Some(Level::Info));
        assert!(p.message.starts_with(
            "automatic analyze of table \"testdb.sales.tab_shop_stats\"\nI/O timings"
        ));
        assert_eq!(p.field("backend_type"), Some("autovacuum worker"));
        assert_eq!(p.field(keys::USER), None);
    }

    #[test]
    fn record_valid_deadlock_detail_hint_context() {
        let line = r#"{"timestamp":"2024-01-21 15:00:02.123 UTC","user":"app","dbname":"appdb","pid":4849,"remote_host":"10.0.0.5","remote_port":51234,"session_id":"65ad3c2a.12f1","line_num":5,"ps":"UPDATE","session_start":"2024-01-21 14:59:58 UTC","vxid":"3/1202","txid":259635360,"error_severity":"ERROR","state_code":"40P01","message":"deadlock detected","detail":"Process 4849 waits for ShareLock on transaction 259635360; blocked by process 4821.\nProcess 4821 waits for ShareLock on transaction 259635221; blocked by process 4849.\nProcess 4849: UPDATE accounts SET balance = balance - 100 WHERE id = 1;\nProcess 4821: UPDATE accounts SET balance = balance + 100 WHERE id = 2;","hint":"See server log for query details.","context":"while updating tuple (0,1) in relation \"accounts\"","statement":"UPDATE accounts SET balance = balance - 100 WHERE id = 1;","application_name":"psql","backend_type":"client backend","query_id":-8112313845396740087}"#;
        let p = event(line);
        assert_eq!(p.message, "deadlock detected");
        assert_eq!(p.field(keys::ERROR_CODE), Some("40P01"));
        assert_eq!(p.field("hint"), Some("See server log for query details."));
        assert_eq!(
            p.field("context"),
            Some("while updating tuple (0,1) in relation \"accounts\"")
        );
        assert!(
            p.field("detail")
                .is_some_and(|d| d.contains("\nProcess 4821 waits"))
        );
        assert_eq!(p.field("query_id"), Some("-8112313845396740087"));
    }

    #[test]
    fn record_valid_duration_and_numbers_as_strings() {
        let line = r#"{"timestamp":"2024-01-21 15:00:05.500 UTC","user":"app","dbname":"appdb","pid":"5210","session_id":"65ad3c2d.145a","line_num":"12","error_severity":"LOG","state_code":"00000","message":"duration: 2001.123 ms  statement: SELECT 1","backend_type":"client backend","query_id":"0"}"#;
        let p = event(line);
        assert_eq!(p.field(keys::PID), Some("5210"));
        assert_eq!(p.field(keys::QUERY_TIME), Some("2.001123"));
        assert_eq!(p.field(keys::ERROR_CODE), None);
    }

    #[test]
    fn record_invalid_generic_json_without_error_severity() {
        for line in [
            // zap
            r#"{"level":"error","ts":1705849202.123,"caller":"db/pool.go:88","msg":"query failed","error":"ERROR: canceling statement due to statement timeout (SQLSTATE 57014)"}"#,
            // Docker json-file
            r#"{"log":"2024-01-21 15:00:02.123 UTC [1] LOG:  checkpoint starting: time\n","stream":"stderr","time":"2024-01-21T15:00:02.123456789Z"}"#,
            // pino with a timestamp key
            r#"{"timestamp":"2024-01-21T15:00:02.123Z","level":50,"msg":"boom"}"#,
            // CloudNativePG wraps a csvlog record: error_severity is nested, not ours.
            r#"{"level":"info","ts":1669575482.0968924,"logger":"postgres","msg":"record","logging_pod":"myapp-pg-cluster-1","record":{"log_time":"2022-11-27 18:58:02.096 UTC","error_severity":"LOG","message":"disconnection"}}"#,
        ] {
            assert_eq!(PostgresJson.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn neighbours_invalid_other_formats() {
        for line in [
            "2024-01-21 15:00:02.123 UTC [12345] app@appdb ERROR:  canceling statement due to statement timeout",
            "2024-01-21 15:00:02.123 ERROR 1 --- [main] c.e.App : error_severity",
            "Jan 21 15:00:02 db1 postgres[12345]: [3-1] LOG:  checkpoint starting: time",
            "2024/01/21 15:00:02 [error] 1234#1234: *5 connect() failed (111: Connection refused) while connecting to upstream",
            "{\"error_severity\": broken",
            "[{\"error_severity\":\"ERROR\"}]",
            "",
        ] {
            assert_eq!(PostgresJson.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn sniff_valid_picks_postgres_json() {
        let sample = [
            r#"{"timestamp":"2024-01-21 15:00:01.001 UTC","pid":812,"session_id":"65ad3c20.32c","line_num":1,"session_start":"2024-01-21 14:00:00 UTC","txid":0,"error_severity":"LOG","message":"checkpoint starting: time","backend_type":"checkpointer","query_id":0}"#,
            TIMEOUT,
            r#"{"timestamp":"2024-01-21 15:00:03.210 UTC","user":"app","dbname":"appdb","pid":5301,"remote_host":"10.0.0.6","remote_port":40112,"session_id":"65ad3c2b.14b5","line_num":1,"ps":"startup","session_start":"2024-01-21 15:00:03 UTC","txid":0,"error_severity":"FATAL","state_code":"53300","message":"sorry, too many clients already","backend_type":"client backend","query_id":0}"#,
        ];
        assert_eq!(
            super::super::sniff(&sample).format.name(),
            PostgresJson::NAME
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_line_invalid_never_panics(tail in "\\PC{0,120}") {
            let line = format!("{{\"error_severity\":\"ERROR\",{tail}");
            let _ = PostgresJson.parse(&line);
            let line = format!("{{\"timestamp\":{tail},\"error_severity\":\"LOG\"}}");
            let _ = PostgresJson.parse(&line);
        }
    }
}
