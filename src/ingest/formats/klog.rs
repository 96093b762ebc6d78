//! klog: the Go klog/glog text header that Kubernetes components (kubelet, kube-apiserver,
//! controllers, CoreDNS plugins, ...) and glog users print:
//!
//! ```text
//! I0121 15:00:02.123456       1 controller.go:123] Starting controller
//! E0121 15:00:02.123456    4321 reflector.go:138] k8s.io/client-go/informers/factory.go:134: Failed to watch *v1.Pod: ...
//! ```
//!
//! `L` is the severity letter (`I`nfo, `W`arning, `E`rror, `F`atal), then month and day (no
//! year: the time is [`RawTime::NoYear`], read in `--tz`, default UTC, which is what klog prints
//! in containers), the time with microseconds, the space-padded "threadid", and `file:line]`.
//! Structured klog messages (`"Starting controller" name="foo"`) are kept as the message as
//! written. Lines without the header (a multi-line message, a Go panic's goroutine dump after an
//! `F` line) continue the previous event.
//!
//! Fields: [`keys::PID`] (Go klog prints `os.Getpid()` in the "threadid" column — its source
//! says `// TODO: should be TID`; C++ glog prints the thread id there) and `caller`
//! (`controller.go:123`).

use super::{Format, LineParse, Parsed};
use crate::event::{Level, keys};
use crate::time::{RawTime, naive_time};

#[derive(Debug, Default)]
pub struct Klog;

impl Klog {
    pub const NAME: &'static str = "klog";
}

#[inline]
fn two_digits(b: &[u8], i: usize) -> Option<u32> {
    match (b.get(i), b.get(i + 1)) {
        (Some(a @ b'0'..=b'9'), Some(c @ b'0'..=b'9')) => {
            Some(u32::from(a - b'0') * 10 + u32::from(c - b'0'))
        }
        _ => None,
    }
}

/// `Lmmdd hh:mm:ss.uuuuuu` (21 bytes) as `buffer.FormatHeader` writes it
/// (k8s.io/klog/v2 internal/buffer/buffer.go): severity char, `twoDigits` month and day, a
/// space, `twoDigits` hour/minute/second, `.`, `nDigits(6, ...)` microseconds.
fn header_time(b: &[u8]) -> Option<(Level, RawTime)> {
    let level = match b.first()? {
        b'I' => Level::Info,
        b'W' => Level::Warn,
        b'E' => Level::Error,
        b'F' => Level::Fatal,
        _ => return None,
    };
    let month = two_digits(b, 1)?;
    let day = two_digits(b, 3)?;
    if b.get(5) != Some(&b' ')
        || b.get(8) != Some(&b':')
        || b.get(11) != Some(&b':')
        || b.get(14) != Some(&b'.')
    {
        return None;
    }
    let (h, m, s) = (two_digits(b, 6)?, two_digits(b, 9)?, two_digits(b, 12)?);
    let micros = b.get(15..21)?;
    if !micros.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let micros = micros
        .iter()
        .fold(0u32, |acc, &c| acc * 10 + u32::from(c - b'0'));
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let time = naive_time(h, m, s, micros * 1_000)?;
    Some((level, RawTime::NoYear { month, day, time }))
}

/// Lines of a Go goroutine dump, which klog writes after an `F` line (`logging.flushAndExit`
/// dumps all stacks) and the Go runtime prints on a panic: `goroutine 1 [running]:`, frames'
/// tab-indented `\t/path/file.go:123 +0x4a5` lines, `created by ...`, `panic: ...`.
fn is_goroutine_dump_line(line: &str) -> bool {
    if line.starts_with('\t') || line.starts_with("created by ") || line.starts_with("panic: ") {
        return true;
    }
    line.strip_prefix("goroutine ").is_some_and(|r| {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        n > 0 && r[n..].starts_with(" [")
    })
}

impl Format for Klog {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        let b = line.as_bytes();
        let Some((level, time)) = header_time(b) else {
            return if is_goroutine_dump_line(line) {
                LineParse::Continuation
            } else {
                LineParse::NoMatch
            };
        };
        // Then `' '`, the id right-aligned in 7 columns (`nDigits(7, 22, Pid, ' ')`; C++ glog
        // pads to 5), `' '`, and `file:line] ` (`someDigits` line number, then `]` and a space).
        // Bytes 0..21 are ASCII, so 21 is a char boundary.
        let Some(rest) = line.get(21..).and_then(|r| r.strip_prefix(' ')) else {
            return LineParse::NoMatch;
        };
        let rest = rest.trim_start_matches(' ');
        let id_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        if id_len == 0 {
            return LineParse::NoMatch;
        }
        let (id, rest) = rest.split_at(id_len);
        let Some(rest) = rest.strip_prefix(' ') else {
            return LineParse::NoMatch;
        };
        let Some(close) = rest.find(']') else {
            return LineParse::NoMatch;
        };
        let caller = &rest[..close];
        let well_formed = caller.rsplit_once(':').is_some_and(|(file, n)| {
            !file.is_empty() && !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit())
        }) && !caller.contains(' ');
        if !well_formed {
            return LineParse::NoMatch;
        }
        let after = &rest[close + 1..];
        let message = match after.strip_prefix(' ') {
            Some(m) => m,
            None if after.is_empty() => after,
            None => return LineParse::NoMatch,
        };
        let parsed = Parsed::new(Some(time), Some(level), message)
            .with(keys::PID, id)
            .with("caller", caller);
        LineParse::Event(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    fn event(line: &str) -> Parsed<'_> {
        match Klog.parse(line) {
            LineParse::Event(p) => p,
            other => panic!("expected an event for {line:?}, got {other:?}"),
        }
    }

    #[test]
    fn info_line_valid_padded_pid_caller() {
        let p = event("I0121 15:00:02.123456       1 controller.go:123] Starting controller");
        assert_eq!(
            p.time,
            Some(RawTime::NoYear {
                month: 1,
                day: 21,
                time: NaiveTime::from_hms_micro_opt(15, 0, 2, 123_456).unwrap()
            })
        );
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(p.field(keys::PID), Some("1"));
        assert_eq!(p.field("caller"), Some("controller.go:123"));
        assert_eq!(p.message, "Starting controller");
    }

    #[test]
    fn error_line_valid_reflector_watch_failure() {
        let p = event(
            "E0121 15:00:02.123456    4321 reflector.go:138] k8s.io/client-go/informers/factory.go:134: Failed to watch *v1.Pod: failed to list *v1.Pod: Get \"https://10.96.0.1:443/api/v1/pods?limit=500\": dial tcp 10.96.0.1:443: connect: connection refused",
        );
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.field(keys::PID), Some("4321"));
        assert_eq!(p.field("caller"), Some("reflector.go:138"));
        assert!(
            p.message
                .starts_with("k8s.io/client-go/informers/factory.go:134: Failed to watch")
        );
    }

    #[test]
    fn warning_and_fatal_letters_valid() {
        assert_eq!(event("W0121 15:00:02.000001       1 warnings.go:70] v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice").level, Some(Level::Warn));
        assert_eq!(event("F0121 15:00:02.999999       1 server.go:258] failed to run Kubelet: running with swap on is not supported").level, Some(Level::Fatal));
    }

    #[test]
    fn structured_line_valid_message_as_written() {
        let p = event(
            "I0121 15:00:02.123456       1 controller.go:123] \"Starting controller\" name=\"foo\"",
        );
        assert_eq!(p.message, "\"Starting controller\" name=\"foo\"");
    }

    #[test]
    fn glog_cpp_line_valid_five_column_thread() {
        let p = event("I0121 15:00:02.123456  1234 main.cc:42] Serving on port 8080");
        assert_eq!(p.field(keys::PID), Some("1234"));
        assert_eq!(p.field("caller"), Some("main.cc:42"));
    }

    #[test]
    fn header_only_line_valid_empty_message() {
        let p = event("I0121 15:00:02.123456       1 trace.go:236]");
        assert_eq!(p.message, "");
    }

    #[test]
    fn header_invalid_broken_parts() {
        for line in [
            "X0121 15:00:02.123456       1 controller.go:123] bad letter",
            "I1321 15:00:02.123456       1 controller.go:123] month 13",
            "I0100 15:00:02.123456       1 controller.go:123] day 0",
            "I0121 25:00:02.123456       1 controller.go:123] hour 25",
            "I0121 15:00:02.12345        1 controller.go:123] five fraction digits",
            "I0121 15:00:02.123456 controller.go:123] no pid",
            "I0121 15:00:02.123456       1 controller.go] no line number",
            "I0121 15:00:02.123456       1 controller.go:12x] bad line number",
            "I0121 15:00:02.123456       1 controller.go:123]no space",
            "I0121 15:00:02.123456       1 controller go:123] space in file",
            "I0121 15:00:02.123456       1 controller.go:123 no bracket",
            "I0121",
            "",
            "Ié121 15:00:02.123456       1 x.go:1] y",
        ] {
            assert_eq!(Klog.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn goroutine_dump_lines_valid_continue() {
        for line in [
            "goroutine 1 [running]:",
            "\t/workspace/src/k8s.io/kubernetes/cmd/kubelet/app/server.go:258 +0x4a5",
            "created by k8s.io/klog/v2.init.0 in goroutine 1",
            "panic: runtime error: invalid memory address or nil pointer dereference",
        ] {
            assert_eq!(Klog.parse(line), LineParse::Continuation, "{line}");
        }
    }

    #[test]
    fn headerless_lines_invalid_not_claimed() {
        for line in [
            "k8s.io/kubernetes/cmd/kubelet/app.NewKubeletCommand.func1(0xc000a1c000, {0xc0000ce010, 0x5, 0x5})",
            "Log file created at: 2024/01/21 15:00:02",
            "goroutine leak suspected",
        ] {
            assert_eq!(Klog.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn neighbouring_formats_invalid_not_claimed() {
        for line in [
            "Jan 21 15:00:02 node1 kubelet[1234]: I0121 15:00:02.123456    1234 kubelet.go:2100] SyncLoop",
            "Feb  1 15:00:02 node1 sshd[123]: Accepted publickey for root",
            "I, [2024-01-21T15:00:02.123456 #1234]  INFO -- : Started GET \"/login\" for 10.0.0.1",
            "INFO:root:started",
            "2024-01-21T15:00:02.123456Z 12 [ERROR] [MY-010584] [Repl] Slave I/O for channel",
            "2024-01-21T15:00:02.123456789Z stderr F I0121 15:00:02.123456       1 controller.go:123] x",
            "E0121 is not a header",
        ] {
            assert_eq!(Klog.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn sniff_valid_picks_klog() {
        let sample = [
            "I0121 15:00:00.000100       1 serving.go:380] Generated self-signed cert in-memory",
            "I0121 15:00:00.500000       1 controllermanager.go:189] \"Starting\" version=\"v1.29.1\"",
            "I0121 15:00:01.123456       1 leaderelection.go:250] attempting to acquire leader lease kube-system/kube-controller-manager...",
            "E0121 15:00:02.123456       1 leaderelection.go:332] error retrieving resource lock kube-system/kube-controller-manager: Get \"https://10.0.0.10:6443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager?timeout=5s\": context deadline exceeded",
            "goroutine 1 [running]:",
        ];
        assert_eq!(super::super::sniff(&sample).format.name(), Klog::NAME);
    }
}
