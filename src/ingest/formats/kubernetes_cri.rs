//! kubernetes_cri: the container log files containerd and CRI-O write for the kubelet under
//! `/var/log/pods/<namespace>_<pod>_<uid>/<container>/0.log` (symlinked from
//! `/var/log/containers/<pod>_<namespace>_<container>-<id>.log`):
//!
//! ```text
//! 2016-10-06T00:17:09.669794202Z stdout F The content of the log entry 1
//! 2016-10-06T00:17:09.669794202Z stdout P First line of log entry 2
//! ```
//!
//! i.e. `<RFC 3339 nano time> <stdout|stderr> <tags> <content>`, the tags being `F` (full
//! line) or `P` (partial: the runtime split a line longer than its limit, 16 KiB by default in
//! containerd, and the next record continues it), possibly followed by `:`-separated tags the
//! kubelet ignores. Spec: kubernetes/community `contributors/design-proposals/node/
//! kubelet-cri-logging.md`; reader: kubernetes/kubernetes `pkg/kubelet/kuberuntime/logs/
//! logs.go` (`parseCRILog`).
//!
//! The content is whatever the container printed, so [`KubernetesCri`] wraps an inner
//! [`Format`]: [`Format::prepare`] strips the prefixes of the sample and sniffs the contents;
//! [`Format::parse`] reads the prefix and hands the content to that inner format. The CRI time
//! is authoritative (UTC, nanoseconds, written by the runtime when the line was read), the
//! inner format supplies level, message, service and fields, and its continuation lines (stack
//! traces) stay continuations.

use super::json_lines::{is_continuation_text, leading_level};
use super::{Format, LineParse, Parsed};
use crate::event::keys;
use crate::time::RawTime;
use crate::time::parse::parse_iso8601;

#[derive(Debug, Default)]
pub struct KubernetesCri {
    /// The format of the container's own output, learned in [`Format::prepare`]. `None` when
    /// the contents carry no recognisable format (bare `println!` output): then every line is
    /// its own event at its CRI time.
    inner: Option<Box<dyn Format>>,
}

impl KubernetesCri {
    pub const NAME: &'static str = "kubernetes_cri";
}

/// A CRI log line split into its parts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CriLine<'a> {
    pub time: RawTime,
    pub stream: &'a str,
    /// `P`: the runtime split a long line and the next record continues it.
    pub partial: bool,
    pub content: &'a str,
}

/// Reads the CRI prefix the way the kubelet's `parseCRILog` does: a timestamp up to the first
/// space, `stdout` or `stderr`, a tag field whose first `:`-separated tag is `F` or `P`, then
/// one space and the content (empty content may lose its space when a line is trimmed).
pub fn split_cri(line: &str) -> Option<CriLine<'_>> {
    let b = line.as_bytes();
    if !b.first()?.is_ascii_digit() {
        return None;
    }
    let (time, used) = parse_iso8601(b)?;
    // RFC 3339 always has a zone (containerd writes `Z`, CRI-O a numeric offset).
    if !matches!(time, RawTime::Utc(_)) {
        return None;
    }
    let rest = line.get(used..)?.strip_prefix(' ')?;
    let (stream, rest) = if let Some(r) = rest.strip_prefix("stdout ") {
        ("stdout", r)
    } else if let Some(r) = rest.strip_prefix("stderr ") {
        ("stderr", r)
    } else {
        return None;
    };
    let (tags, content) = rest.split_once(' ').unwrap_or((rest, ""));
    let partial = match tags.split(':').next() {
        Some("F") => false,
        Some("P") => true,
        _ => return None,
    };
    Some(CriLine {
        time,
        stream,
        partial,
        content,
    })
}

impl KubernetesCri {
    /// A content line no inner format claims: a stack-trace-like line continues the previous
    /// event, anything else is an event of its own (the runtime read it as one line), with a
    /// level only when it starts with a level word (`panic: …`, `ERROR …`).
    fn bare<'a>(cri: &CriLine<'a>) -> LineParse<'a> {
        if is_continuation_text(cri.content) {
            return LineParse::Continuation;
        }
        let mut p = Parsed::new(Some(cri.time), leading_level(cri.content), cri.content);
        p.fields.push((keys::STREAM.into(), cri.stream.into()));
        LineParse::Event(p)
    }
}

impl Format for KubernetesCri {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        let Some(cri) = split_cri(line) else {
            return LineParse::NoMatch;
        };
        let Some(inner) = &self.inner else {
            return Self::bare(&cri);
        };
        match inner.parse(cri.content) {
            LineParse::Event(mut p) => {
                p.time = Some(cri.time);
                p.fields.push((keys::STREAM.into(), cri.stream.into()));
                LineParse::Event(p)
            }
            LineParse::Continuation => LineParse::Continuation,
            LineParse::NoMatch if inner.multiline() => LineParse::Continuation,
            LineParse::NoMatch => Self::bare(&cri),
        }
    }

    /// Learns the inner format from the contents of the sample's CRI lines. The inner sniff
    /// sees contents only, which never carry a CRI prefix, so it cannot pick this format again
    /// (and its own `KubernetesCri::prepare` returns at once: no recursion).
    fn prepare(&mut self, sample: &[&str]) {
        let contents: Vec<&str> = sample
            .iter()
            .filter_map(|l| split_cri(l))
            .map(|c| c.content)
            .filter(|c| !c.trim().is_empty())
            .collect();
        self.inner = None;
        if contents.is_empty() {
            return;
        }
        let sniffed = super::sniff(&contents);
        if sniffed.score > 0 && sniffed.format.name() != Self::NAME {
            self.inner = Some(sniffed.format);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Level, Timestamp};
    use crate::ingest::formats::{generic::Generic, json_lines::JsonLines, logfmt::Logfmt};
    use crate::time::ymd_hms;

    fn with_inner(inner: Option<Box<dyn Format>>) -> KubernetesCri {
        KubernetesCri { inner }
    }

    fn event<'a>(f: &KubernetesCri, line: &'a str) -> Parsed<'a> {
        match f.parse(line) {
            LineParse::Event(p) => p,
            other => panic!("expected an event for {line:?}, got {other:?}"),
        }
    }

    fn utc(p: &Parsed<'_>) -> Timestamp {
        match p.time {
            Some(RawTime::Utc(t)) => t,
            other => panic!("expected a UTC time, got {other:?}"),
        }
    }

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: i64) -> Timestamp {
        Timestamp(ymd_hms(y, mo, d, h, mi, s).0 + nanos)
    }

    // The design proposal's example lines.
    #[test]
    fn prefix_valid_spec_examples() {
        let c = split_cri("2016-10-06T00:17:09.669794202Z stdout F The content of the log entry 1")
            .unwrap();
        assert_eq!(c.time, RawTime::Utc(at(2016, 10, 6, 0, 17, 9, 669_794_202)));
        assert_eq!(
            (c.stream, c.partial, c.content),
            ("stdout", false, "The content of the log entry 1")
        );
        let c =
            split_cri("2016-10-06T00:17:10.113242941Z stderr P First line of log entry 2").unwrap();
        assert_eq!((c.stream, c.partial), ("stderr", true));
    }

    // CRI-O writes the node's local offset instead of `Z`.
    #[test]
    fn prefix_valid_crio_offset_time() {
        let c = split_cri("2024-01-21T16:00:02.123456789+01:00 stdout F hello").unwrap();
        assert_eq!(c.time, RawTime::Utc(at(2024, 1, 21, 15, 0, 2, 123_456_789)));
    }

    // Empty content (VictoriaLogs' test corpus keeps the trailing space; a trimmed copy lacks it).
    #[test]
    fn prefix_valid_empty_content_and_extra_tags() {
        assert_eq!(
            split_cri("2025-10-16T15:37:36Z stderr F ").unwrap().content,
            ""
        );
        assert_eq!(
            split_cri("2025-10-16T15:37:36Z stderr F").unwrap().content,
            ""
        );
        assert!(split_cri("2025-10-16T15:37:36Z stderr F:x2 content").is_some());
    }

    #[test]
    fn prefix_invalid_shapes() {
        for line in [
            "2019-01-01 T01:00:00.000000001Z stderr testgood",
            "2019-01-01T01:00:00.000000001Z testgood",
            "2019-01-01T01:00:00.000000001Z stdin F x",
            "2019-01-01T01:00:00.000000001Z stdout X x",
            "2019-01-01 01:00:00 stdout F no zone",
            "stdout F 2019-01-01T01:00:00Z",
            "",
        ] {
            assert_eq!(split_cri(line), None, "{line}");
            assert_eq!(with_inner(None).parse(line), LineParse::NoMatch, "{line}");
        }
    }

    // Bare container output: every line is an event at its CRI time.
    #[test]
    fn bare_content_valid_event_per_line() {
        let f = with_inner(None);
        let p = event(
            &f,
            "2024-01-21T15:00:02.123456789Z stdout F Server listening on port 3000",
        );
        assert_eq!(p.message, "Server listening on port 3000");
        assert_eq!(p.level, None);
        assert_eq!(p.field(keys::STREAM), Some("stdout"));
        assert_eq!(utc(&p), at(2024, 1, 21, 15, 0, 2, 123_456_789));
        let p = event(
            &f,
            "2024-01-21T15:00:02.2Z stderr F panic: runtime error: invalid memory address or nil pointer dereference",
        );
        assert_eq!(p.level, Some(Level::Fatal));
        assert_eq!(
            f.parse("2024-01-21T15:00:02.3Z stderr F \t/app/main.go:42 +0x1d"),
            LineParse::Continuation
        );
    }

    // Inner JSON: level/message/fields from the JSON, time from CRI.
    #[test]
    fn inner_json_valid_cri_time_wins() {
        let f = with_inner(Some(Box::new(JsonLines)));
        let p = event(
            &f,
            r#"2024-01-21T15:00:02.123456789Z stderr F {"level":"error","ts":1705849100.5,"caller":"db/pool.go:41","msg":"dial tcp 10.0.0.5:5432: connect: connection refused","service":"api"}"#,
        );
        assert_eq!(utc(&p), at(2024, 1, 21, 15, 0, 2, 123_456_789));
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(
            p.message,
            "dial tcp 10.0.0.5:5432: connect: connection refused"
        );
        assert_eq!(p.service.as_deref(), Some("api"));
        assert_eq!(p.field("caller"), Some("db/pool.go:41"));
        assert_eq!(p.field(keys::STREAM), Some("stderr"));
    }

    // A one-record-per-line inner format that does not recognise a line: an event of its own.
    #[test]
    fn inner_json_valid_plain_line_is_bare_event() {
        let f = with_inner(Some(Box::new(JsonLines)));
        let p = event(&f, "2024-01-21T15:00:02.5Z stderr F goroutine 1 [running]:");
        assert_eq!(p.message, "goroutine 1 [running]:");
        assert_eq!(p.level, None);
    }

    // A multi-line inner format: unrecognised lines (stack frames) continue the event.
    #[test]
    fn inner_generic_valid_stack_trace_continues() {
        let f = with_inner(Some(Box::new(Generic)));
        let p = event(
            &f,
            "2024-01-21T15:00:02.123456789Z stdout F 2024-01-21 15:00:02.120 ERROR 1 --- [nio-8080-exec-1] c.e.shop.OrderController : Request processing failed",
        );
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(utc(&p), at(2024, 1, 21, 15, 0, 2, 123_456_789));
        for line in [
            "2024-01-21T15:00:02.123460000Z stdout F java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.",
            "2024-01-21T15:00:02.123470000Z stdout F \tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)",
        ] {
            assert_eq!(f.parse(line), LineParse::Continuation, "{line}");
        }
    }

    #[test]
    fn inner_logfmt_valid() {
        let f = with_inner(Some(Box::new(Logfmt)));
        let p = event(
            &f,
            r#"2024-10-27T05:19:13.045000000Z stderr F ts=2024-10-27T05:19:13.044Z caller=main.go:1441 level=info msg="updated GOGC" old=100 new=75"#,
        );
        assert_eq!(p.message, "updated GOGC");
        assert_eq!(utc(&p), at(2024, 10, 27, 5, 19, 13, 45_000_000));
    }

    #[test]
    fn prepare_valid_learns_json_inner() {
        let sample = [
            r#"2024-01-21T15:00:00.001Z stdout F {"level":"info","ts":1705849200.001,"msg":"starting"}"#,
            r#"2024-01-21T15:00:01.001Z stdout F {"level":"info","ts":1705849201.001,"msg":"ready"}"#,
        ];
        let mut f = KubernetesCri::default();
        f.prepare(&sample);
        assert_eq!(f.inner.as_ref().map(|i| i.name()), Some(JsonLines::NAME));
    }

    #[test]
    fn prepare_valid_plain_contents_give_no_inner() {
        let sample = [
            "2024-01-21T15:00:00.001Z stdout F Listening on :8080",
            "2024-01-21T15:00:01.001Z stdout F GET /health 200",
        ];
        let mut f = KubernetesCri::default();
        f.prepare(&sample);
        assert!(f.inner.is_none());
        let p = event(&f, sample[1]);
        assert_eq!(p.message, "GET /health 200");
    }

    #[test]
    fn prepare_invalid_non_cri_sample_keeps_nothing() {
        let mut f = KubernetesCri::default();
        f.prepare(&["Jan 21 15:00:02 web-1 sshd[1234]: Accepted publickey for deploy"]);
        assert!(f.inner.is_none());
    }

    #[test]
    fn neighbouring_formats_invalid() {
        let f = with_inner(Some(Box::new(Generic)));
        for line in [
            r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.5.0""#,
            "Jan 21 15:00:02 web-1 sshd[1234]: Accepted publickey for deploy from 10.0.0.9 port 52114 ssh2",
            "2024-01-21 15:00:02.123 ERROR 1 --- [nio-8080-exec-1] c.e.shop.OrderController : boom",
            "2024-01-21T15:00:02.123+01:00 host-1 kubelet[915]: E0121 pod_workers.go:1298] Error syncing pod",
            r#"{"log":"hello\n","stream":"stdout","time":"2024-01-21T15:00:02.123456789Z"}"#,
            "time=2024-01-21T15:00:02.123Z level=error msg=\"connection refused\"",
        ] {
            assert_eq!(f.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn garbage_invalid_never_panics() {
        let f = with_inner(Some(Box::new(JsonLines)));
        for line in [
            "2024-01-21T15:00:02Z",
            "2024-01-21T15:00:02Z ",
            "2024-01-21T15:00:02Z stdout",
            "2024-01-21T15:00:02Z stdout ",
            "2024-01-21T15:00:02Z stdout P {\"level\":\"info\",\"msg\":\"trunc",
            "9999-99-99T99:99:99Z stdout F x",
        ] {
            let _ = f.parse(line);
        }
    }

    #[test]
    fn sniff_valid_picks_cri_wrapping_json() {
        let sample = [
            r#"2024-01-21T15:00:00.001234567Z stdout F {"level":"info","ts":1705849200.001,"caller":"main.go:31","msg":"server starting","addr":":8080"}"#,
            r#"2024-01-21T15:00:01.120000001Z stdout F {"level":"info","ts":1705849201.12,"caller":"db/pool.go:20","msg":"connected to database"}"#,
            r#"2024-01-21T15:00:02.123456789Z stderr F {"level":"warn","ts":1705849202.1,"caller":"db/pool.go:41","msg":"slow query","duration":1.2}"#,
            r#"2024-01-21T15:00:02.500000000Z stderr F {"level":"error","ts":1705849202.5,"caller":"db/pool.go:41","msg":"connection refused"}"#,
            r#"2024-01-21T15:00:03.000000000Z stdout F {"level":"info","ts":1705849203,"caller":"main.go:60","msg":"retrying","attempt":2}"#,
        ];
        let sniffed = crate::ingest::formats::sniff(&sample);
        assert_eq!(sniffed.format.name(), KubernetesCri::NAME);
        assert_eq!(sniffed.score, 5);
    }

    #[test]
    fn sniff_valid_picks_cri_wrapping_timestamped_text() {
        let sample = [
            "2024-01-21T15:00:00.001Z stdout F 2024-01-21 15:00:00,001 INFO  [main] Starting service",
            "2024-01-21T15:00:01.001Z stdout F 2024-01-21 15:00:01,001 INFO  [main] Listening on 8080",
            "2024-01-21T15:00:02.001Z stderr F 2024-01-21 15:00:02,001 ERROR [pool-1] Connection refused",
            "2024-01-21T15:00:03.001Z stdout F 2024-01-21 15:00:03,001 WARN  [pool-1] Retrying in 5s",
            "2024-01-21T15:00:04.001Z stdout F 2024-01-21 15:00:04,001 INFO  [pool-1] Reconnected",
        ];
        let sniffed = crate::ingest::formats::sniff(&sample);
        assert_eq!(sniffed.format.name(), KubernetesCri::NAME);
        match sniffed.format.parse(sample[2]) {
            LineParse::Event(p) => {
                assert_eq!(p.level, Some(Level::Error));
                assert_eq!(utc(&p), at(2024, 1, 21, 15, 0, 2, 1_000_000));
            }
            other => panic!("{other:?}"),
        }
    }

    // Sniffing counts only timestamped events; a CRI file with a stack trace loses to generic
    // (which reads every CRI line as an event) until sniffing also credits Continuation lines.
    #[test]
    fn sniff_valid_picks_cri_with_stack_trace() {
        let sample = [
            "2024-01-21T15:00:02.100Z stdout F 2024-01-21 15:00:02.100 ERROR 1 --- [main] c.e.App : boom",
            "2024-01-21T15:00:02.101Z stdout F java.lang.IllegalStateException: boom",
            "2024-01-21T15:00:02.102Z stdout F \tat com.example.App.run(App.java:10)",
            "2024-01-21T15:00:02.103Z stdout F \tat com.example.App.main(App.java:5)",
            "2024-01-21T15:00:03.100Z stdout F 2024-01-21 15:00:03.100 INFO 1 --- [main] c.e.App : recovered",
        ];
        let sniffed = crate::ingest::formats::sniff(&sample);
        assert_eq!(sniffed.format.name(), KubernetesCri::NAME);
    }
}
