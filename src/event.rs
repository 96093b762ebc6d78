//! The event model: the one type every stage after ingestion speaks.
//!
//! An [`Event`] is one logical log record: a header line that a format recognised, plus any
//! continuation lines (stack traces, PostgreSQL `DETAIL:` lines, a slow-query body) that belong
//! to it. Its time is always a UTC instant ([`Timestamp`], nanoseconds since the Unix epoch), its
//! level is normalised to [`Level`], and the structured fields a format knows are kept in
//! [`Fields`] under the canonical keys listed in [`keys`].

use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// A UTC instant in nanoseconds since 1970-01-01T00:00:00Z.
///
/// `i64` nanoseconds cover 1677-09-21 to 2262-04-11, which is wider than any log we accept as
/// real (see `time::is_plausible`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const NANOS_PER_SEC: i64 = 1_000_000_000;

    pub fn from_secs_nanos(secs: i64, nanos: u32) -> Option<Timestamp> {
        secs.checked_mul(Self::NANOS_PER_SEC)
            .and_then(|n| n.checked_add(i64::from(nanos)))
            .map(Timestamp)
    }

    pub fn from_datetime(dt: &chrono::DateTime<chrono::Utc>) -> Option<Timestamp> {
        dt.timestamp_nanos_opt().map(Timestamp)
    }

    pub fn to_datetime(self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp_nanos(self.0)
    }

    /// RFC 3339 in UTC with the precision the value needs (seconds, ms, µs or ns), e.g.
    /// `2024-01-21T15:00:02.123Z`.
    pub fn to_rfc3339(self) -> String {
        let dt = self.to_datetime();
        let nanos = self.0.rem_euclid(Self::NANOS_PER_SEC);
        let format = if nanos == 0 {
            chrono::SecondsFormat::Secs
        } else if nanos % 1_000_000 == 0 {
            chrono::SecondsFormat::Millis
        } else if nanos % 1_000 == 0 {
            chrono::SecondsFormat::Micros
        } else {
            chrono::SecondsFormat::Nanos
        };
        dt.to_rfc3339_opts(format, true)
    }

    pub fn checked_add_nanos(self, nanos: i64) -> Option<Timestamp> {
        self.0.checked_add(nanos).map(Timestamp)
    }
}

/// Serialises as an RFC 3339 UTC string, the form every JSON output uses.
impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

/// Normalised severity. Ordered from least to most severe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Trace,
    Debug,
    Info,
    Notice,
    Warn,
    Error,
    Fatal,
}

impl Level {
    pub const ALL: [Level; 7] = [
        Level::Trace,
        Level::Debug,
        Level::Info,
        Level::Notice,
        Level::Warn,
        Level::Error,
        Level::Fatal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Notice => "notice",
            Level::Warn => "warn",
            Level::Error => "error",
            Level::Fatal => "fatal",
        }
    }

    /// Maps the level words and numbers real software prints to a [`Level`].
    ///
    /// Case-insensitive. Covers log4j/logback (`WARN`), Python (`WARNING`, `CRITICAL`), syslog
    /// keywords (`err`, `crit`, `alert`, `emerg`), PostgreSQL (`LOG`, `DETAIL`-free severities
    /// `PANIC`, `FATAL`, `DEBUG1`..`DEBUG5`), MySQL (`[Warning]`, `[ERROR]`, `[System]`, `[Note]`),
    /// klog letters (`I`, `W`, `E`, `F`), Rails letters, .NET (`Information`, `Critical`),
    /// bunyan/pino numbers (10..60) and syslog severity numbers are handled by
    /// [`Level::from_bunyan_number`] and [`Level::from_syslog_severity`].
    pub fn parse(word: &str) -> Option<Level> {
        let w = word
            .trim()
            .trim_matches(|c| c == '[' || c == ']' || c == ':');
        if w.is_empty() || w.len() > 16 {
            return None;
        }
        let mut buf = [0u8; 16];
        let lower = &mut buf[..w.len()];
        lower.copy_from_slice(w.as_bytes());
        lower.make_ascii_lowercase();
        let level = match &*lower {
            b"trace" | b"trc" | b"finest" | b"finer" | b"verbose" | b"t" | b"v" => Level::Trace,
            b"debug" | b"dbg" | b"debug1" | b"debug2" | b"debug3" | b"debug4" | b"debug5"
            | b"fine" | b"config" | b"d" => Level::Debug,
            b"info" | b"inf" | b"information" | b"informational" | b"log" | b"note" | b"i"
            | b"system" | b"statement" => Level::Info,
            b"notice" | b"n" => Level::Notice,
            b"warn" | b"warning" | b"wrn" | b"w" => Level::Warn,
            b"error" | b"err" | b"eror" | b"e" | b"severe" => Level::Error,
            b"fatal" | b"crit" | b"critical" | b"alert" | b"emerg" | b"emergency" | b"panic"
            | b"f" => Level::Fatal,
            _ => return None,
        };
        Some(level)
    }

    /// bunyan/pino numeric levels: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal.
    pub fn from_bunyan_number(n: i64) -> Option<Level> {
        Some(match n {
            ..=10 => Level::Trace,
            11..=20 => Level::Debug,
            21..=30 => Level::Info,
            31..=40 => Level::Warn,
            41..=50 => Level::Error,
            _ => Level::Fatal,
        })
    }

    /// Syslog severity (RFC 5424 §6.2.1): 0 emerg .. 7 debug.
    pub fn from_syslog_severity(sev: u8) -> Level {
        match sev {
            0..=2 => Level::Fatal,
            3 => Level::Error,
            4 => Level::Warn,
            5 => Level::Notice,
            6 => Level::Info,
            _ => Level::Debug,
        }
    }

    /// Access logs: 5xx is an error, 4xx a warning, everything else info.
    pub fn from_http_status(status: u16) -> Level {
        match status {
            500..=599 => Level::Error,
            400..=499 => Level::Warn,
            _ => Level::Info,
        }
    }

    pub fn is_error_or_worse(self) -> bool {
        self >= Level::Error
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Level::parse(s).ok_or_else(|| {
            format!(
                "unknown level {s:?} (expected trace, debug, info, notice, warn, error or fatal)"
            )
        })
    }
}

/// Canonical field keys. Formats store what they know under these names so that later stages
/// (impact figures, clock alignment, ranking) need not know where a value came from.
pub mod keys {
    pub const HTTP_METHOD: &str = "http.method";
    pub const HTTP_PATH: &str = "http.path";
    pub const HTTP_PROTOCOL: &str = "http.protocol";
    pub const HTTP_STATUS: &str = "http.status";
    /// Request latency in seconds, as a decimal string (nginx `$request_time` style).
    pub const HTTP_LATENCY: &str = "http.latency_s";
    pub const HTTP_BYTES: &str = "http.bytes";
    pub const HTTP_REFERER: &str = "http.referer";
    pub const HTTP_USER_AGENT: &str = "http.user_agent";
    pub const CLIENT: &str = "client";
    pub const UPSTREAM: &str = "upstream";
    pub const USER: &str = "user";
    pub const DATABASE: &str = "database";
    pub const APPLICATION: &str = "application";
    pub const PID: &str = "pid";
    pub const THREAD: &str = "thread";
    pub const LOGGER: &str = "logger";
    pub const REQUEST_ID: &str = "request_id";
    pub const TRACE_ID: &str = "trace_id";
    pub const HOST: &str = "host";
    pub const STREAM: &str = "stream";
    pub const POD: &str = "k8s.pod";
    pub const CONTAINER: &str = "k8s.container";
    pub const NAMESPACE: &str = "k8s.namespace";
    /// SQL state / error code (PostgreSQL `%e`, MySQL `MY-010123`).
    pub const ERROR_CODE: &str = "error_code";
    /// Query duration in seconds (MySQL slow log `Query_time`, PostgreSQL `duration:`).
    pub const QUERY_TIME: &str = "query_time_s";
}

/// Structured fields: a small ordered list of (key, value). Keys are canonical ([`keys`]) where
/// one exists; other keys from JSON/logfmt are kept as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields(pub Vec<(Arc<str>, String)>);

impl Fields {
    pub fn new() -> Fields {
        Fields(Vec::new())
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| &**k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn insert(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        if let Some(slot) = self.0.iter_mut().find(|(k, _)| &**k == key) {
            slot.1 = value;
        } else {
            self.0.push((Arc::from(key), value));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (&**k, v.as_str()))
    }
}

/// One logical log record on the UTC timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub time: Timestamp,
    pub service: Arc<str>,
    /// Index of the input this event came from (into the run's list of inputs).
    pub input: u32,
    /// 1-based line number of the header line in its input.
    pub line: u64,
    /// 1-based line number of the last continuation line (== `line` when there is none).
    pub end_line: u64,
    pub level: Option<Level>,
    /// The header line's message (without timestamp/level prefix).
    pub message: String,
    /// Continuation lines (stack trace, DETAIL, query body), joined with `\n`; empty if none.
    /// Capped: see `ingest::MAX_CONTINUATION_BYTES`.
    pub body: String,
    pub fields: Fields,
    pub format: &'static str,
}

impl Event {
    /// Message and body as one text, the way a person reads the record.
    pub fn full_text(&self) -> std::borrow::Cow<'_, str> {
        if self.body.is_empty() {
            std::borrow::Cow::Borrowed(&self.message)
        } else {
            std::borrow::Cow::Owned(format!("{}\n{}", self.message, self.body))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_parse_valid_common_words() {
        assert_eq!(Level::parse("WARNING"), Some(Level::Warn));
        assert_eq!(Level::parse("[Warning]"), Some(Level::Warn));
        assert_eq!(Level::parse("CRITICAL"), Some(Level::Fatal));
        assert_eq!(Level::parse("LOG"), Some(Level::Info));
        assert_eq!(Level::parse("err"), Some(Level::Error));
        assert_eq!(Level::parse("DEBUG3"), Some(Level::Debug));
        assert_eq!(Level::parse("Information"), Some(Level::Info));
        assert_eq!(Level::parse("E"), Some(Level::Error));
    }

    #[test]
    fn level_parse_invalid_words() {
        assert_eq!(Level::parse("hello"), None);
        assert_eq!(Level::parse(""), None);
        assert_eq!(Level::parse("averyveryverylongword"), None);
    }

    #[test]
    fn level_numbers_valid() {
        assert_eq!(Level::from_bunyan_number(30), Some(Level::Info));
        assert_eq!(Level::from_bunyan_number(50), Some(Level::Error));
        assert_eq!(Level::from_syslog_severity(3), Level::Error);
        assert_eq!(Level::from_http_status(503), Level::Error);
        assert_eq!(Level::from_http_status(404), Level::Warn);
        assert_eq!(Level::from_http_status(200), Level::Info);
    }

    #[test]
    fn timestamp_rfc3339_precision_follows_value() {
        assert_eq!(Timestamp(0).to_rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(
            Timestamp(1_705_849_202_123_000_000).to_rfc3339(),
            "2024-01-21T15:00:02.123Z"
        );
        assert_eq!(
            Timestamp(1_705_849_202_123_456_789).to_rfc3339(),
            "2024-01-21T15:00:02.123456789Z"
        );
    }
}
