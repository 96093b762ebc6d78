//! Log formats: one module per format as it is known in the wild, a small [`Format`] trait, the
//! registry and sniffing.
//!
//! # How to add a format
//! 1. Create `src/ingest/formats/<name>.rs` with a struct implementing [`Format`]: `name`,
//!    `parse` (one line → [`LineParse`]), and, if needed, `multiline` and `prepare`. Put a spec
//!    or source link above its regex or hand parser, realistic example lines in its tests, and a
//!    test per quirk (`<variant>_<valid|invalid>_<detail>`).
//! 2. Add one line to [`REGISTRY`] below (order = tie-break priority when sniffing: specific
//!    formats before general ones; `generic` last).
//! 3. `cargo test formats::` runs its tests, and `registry_names_are_unique_and_documented`
//!    checks the registry against the README's format table.
//!
//! Sniffing ([`sniff`]) gives every registered format the first lines of an input, lets it
//! learn what it can from them ([`Format::prepare`], e.g. PostgreSQL's `log_line_prefix`), and
//! picks the format that turns most lines into timestamped events.

pub mod apache_access;
pub mod apache_error;
pub mod generic;
pub mod java_logback;
pub mod journalctl;
pub mod json_lines;
pub mod kernel;
pub mod klog;
pub mod kubernetes_cri;
pub mod logfmt;
pub mod mysql_error;
pub mod mysql_slow;
pub mod nginx_access;
pub mod nginx_error;
pub mod postgres_csv;
pub mod postgres_json;
pub mod postgres_stderr;
pub mod python_logging;
pub mod rails;
pub mod shared;
pub mod syslog_rfc3164;
pub mod syslog_rfc5424;

use crate::event::Level;
use crate::time::RawTime;
use std::borrow::Cow;

/// What a format made of one header line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parsed<'a> {
    /// The line's timestamp; `None` means "inherit the previous event's time" (e.g. a MySQL
    /// slow-log entry without a `# Time:` line).
    pub time: Option<RawTime>,
    pub level: Option<Level>,
    /// The message without the timestamp/level/prefix.
    pub message: Cow<'a, str>,
    /// Service named by the line itself (JSON `service`, syslog app-name, Kubernetes container).
    pub service: Option<Cow<'a, str>>,
    /// Structured fields, canonical keys from [`crate::event::keys`] where one exists.
    pub fields: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> Parsed<'a> {
    pub fn new(
        time: Option<RawTime>,
        level: Option<Level>,
        message: impl Into<Cow<'a, str>>,
    ) -> Self {
        Parsed {
            time,
            level,
            message: message.into(),
            service: None,
            fields: Vec::new(),
        }
    }

    /// Adds a field (builder style).
    pub fn with(mut self, key: &'static str, value: impl Into<Cow<'a, str>>) -> Self {
        self.fields.push((Cow::Borrowed(key), value.into()));
        self
    }

    /// Adds a field unless the value is empty or `-` (the access-log "no value").
    pub fn push_field(&mut self, key: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) {
        let value = value.into();
        if !value.is_empty() && value != "-" {
            self.fields.push((key.into(), value));
        }
    }

    pub fn field(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_ref())
    }
}

/// The outcome of parsing one line.
#[derive(Clone, Debug, PartialEq)]
pub enum LineParse<'a> {
    /// A header line: starts a new event.
    Event(Parsed<'a>),
    /// A line this format knows belongs to the previous event (stack frame, `DETAIL:`).
    Continuation,
    /// Not this format's line. In a [`Format::multiline`] format it continues the previous
    /// event (if any); otherwise it is counted as unparsed.
    NoMatch,
}

/// One log format. Implementations are cheap to construct and hold only what
/// [`Format::prepare`] learned from one input.
pub trait Format: Send + Sync + std::fmt::Debug {
    /// The name users pass to `--input-format`, as the format is known in the wild.
    fn name(&self) -> &'static str;

    /// Parses one line (without its line terminator).
    fn parse<'a>(&self, line: &'a str) -> LineParse<'a>;

    /// Whether lines this format does not recognise continue the previous event (stack traces,
    /// tracebacks, multi-line messages). `false` for one-record-per-line formats (access logs,
    /// JSON lines), where such a line is unparsed.
    fn multiline(&self) -> bool {
        true
    }

    /// Learns per-input settings from the first lines of an input (e.g. which
    /// `log_line_prefix` a PostgreSQL server uses). Called once before sniff scoring.
    fn prepare(&mut self, _sample: &[&str]) {}
}

/// A registry entry: the name, a one-line description for `--help`/README, and a constructor.
pub struct FormatEntry {
    pub name: &'static str,
    pub description: &'static str,
    pub make: fn() -> Box<dyn Format>,
}

macro_rules! registry {
    ($( $module:ident :: $ty:ident => $desc:expr ),* $(,)?) => {
        /// Every format, in sniffing priority order.
        pub static REGISTRY: &[FormatEntry] = &[
            $( FormatEntry {
                name: $module::$ty::NAME,
                description: $desc,
                make: || Box::new($module::$ty::default()),
            }, )*
        ];
    };
}

registry! {
    kubernetes_cri::KubernetesCri => "Kubernetes container runtime (CRI) log prefix `<RFC3339Nano> stdout|stderr F|P`, wrapping any other format",
    postgres_csv::PostgresCsv => "PostgreSQL csvlog (log_destination = 'csvlog')",
    postgres_json::PostgresJson => "PostgreSQL jsonlog (PostgreSQL 15+, log_destination = 'jsonlog')",
    json_lines::JsonLines => "JSON lines: zap, pino, bunyan, logrus, structlog, Logstash/ECS, Docker json-file, CloudWatch exports",
    nginx_access::NginxAccess => "nginx access log: combined, and combined with extra trailing fields ($request_time, $upstream_response_time, ...)",
    apache_access::ApacheAccess => "Apache httpd access log: common and combined",
    nginx_error::NginxError => "nginx error log (`YYYY/MM/DD HH:MM:SS [level] pid#tid: *cid message`)",
    apache_error::ApacheError => "Apache httpd error log, 2.2 and 2.4 styles",
    postgres_stderr::PostgresStderr => "PostgreSQL stderr log with any common log_line_prefix (%m, %t, %p, %l, %u, %d, %a, %h, ...)",
    mysql_slow::MysqlSlow => "MySQL/MariaDB slow query log (multi-line entries)",
    mysql_error::MysqlError => "MySQL 5.7/8.x and MariaDB error log",
    syslog_rfc5424::SyslogRfc5424 => "syslog RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`)",
    journalctl::Journalctl => "journalctl -o short-iso / short-precise output",
    syslog_rfc3164::SyslogRfc3164 => "syslog RFC 3164 / BSD (`Mmm dd HH:MM:SS host app[pid]: msg`, no year)",
    kernel::Kernel => "Linux kernel messages: dmesg -T (`[Sun Jan 21 15:00:02 2024] msg`) and dmesg --time-format iso",
    klog::Klog => "Go klog/glog (`Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg`)",
    java_logback::JavaLogback => "Java logback, log4j, log4j2 and Spring Boot default layouts, with stack traces",
    python_logging::PythonLogging => "Python logging common formats, with tracebacks",
    rails::Rails => "Ruby on Rails / Ruby Logger (`I, [2024-01-21T15:00:02.123456 #1234]  INFO -- : msg`)",
    logfmt::Logfmt => "logfmt (`time=... level=... msg=...`)",
    generic::Generic => "generic fallback: a recognisable timestamp at or near the start of the line, optional level",
}

/// Looks a format up by name.
pub fn find_format(name: &str) -> Option<&'static FormatEntry> {
    REGISTRY.iter().find(|e| e.name == name)
}

/// Every format name, for "did you mean" and `--help`.
pub fn format_names() -> Vec<&'static str> {
    REGISTRY.iter().map(|e| e.name).collect()
}

/// The result of sniffing one input.
#[derive(Debug)]
pub struct Sniffed {
    pub format: Box<dyn Format>,
    /// Sample lines that became timestamped events, out of `sample_len` non-empty lines.
    pub score: usize,
    pub sample_len: usize,
}

/// Scores one (prepared) format on a sample: the number of lines it explains, i.e. lines that
/// become events with a timestamp, plus lines it explicitly claims as continuations
/// ([`LineParse::Continuation`]: stack frames, `DETAIL:` lines) once it has produced at least
/// one timestamped event. Lines a format merely does not recognise count for nothing, so a
/// format that understands a file's multi-line records beats one that only sees timestamps.
pub fn score(format: &dyn Format, sample: &[&str]) -> usize {
    let mut events = 0;
    let mut continuations = 0;
    for line in sample {
        match format.parse(line) {
            LineParse::Event(Parsed { time: Some(_), .. }) => events += 1,
            LineParse::Continuation => continuations += 1,
            _ => {}
        }
    }
    if events == 0 {
        0
    } else {
        events + continuations
    }
}

/// Picks the format that turns most of `sample` into timestamped events; ties go to the earlier
/// (more specific) registry entry. Returns the generic fallback when nothing scores.
pub fn sniff(sample: &[&str]) -> Sniffed {
    let sample: Vec<&str> = sample
        .iter()
        .copied()
        .filter(|l| !l.trim().is_empty())
        .collect();
    let mut best: Option<Sniffed> = None;
    for entry in REGISTRY {
        let mut format = (entry.make)();
        format.prepare(&sample);
        let s = score(format.as_ref(), &sample);
        if s > 0 && best.as_ref().is_none_or(|b| s > b.score) {
            best = Some(Sniffed {
                format,
                score: s,
                sample_len: sample.len(),
            });
        }
    }
    best.unwrap_or_else(|| {
        let mut format: Box<dyn Format> = Box::new(generic::Generic);
        format.prepare(&sample);
        Sniffed {
            format,
            score: 0,
            sample_len: sample.len(),
        }
    })
}

/// Builds the named format and prepares it on `sample` (for `--input-format NAME`).
pub fn make_named(name: &str, sample: &[&str]) -> Option<Box<dyn Format>> {
    let entry = find_format(name)?;
    let mut format = (entry.make)();
    format.prepare(sample);
    Some(format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_names_are_unique_and_documented() {
        let mut names = format_names();
        let len = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), len, "duplicate format name in REGISTRY");
        let readme = include_str!("../../../README.md");
        for entry in REGISTRY {
            assert!(
                readme.contains(&format!("`{}`", entry.name)),
                "format {} is not listed in README.md",
                entry.name
            );
            assert!(!entry.description.is_empty());
        }
    }

    #[test]
    fn generic_is_the_last_resort() {
        assert_eq!(REGISTRY.last().map(|e| e.name), Some("generic"));
    }
}
