//! journalctl: the text output of `journalctl` in its short modes, as incident responders paste
//! it (`journalctl -u app -o short-iso > app.log`):
//!
//! ```text
//! Jan 21 15:00:02.123456 web-1 sshd[1234]: message           -o short-precise
//! 2024-01-21T15:00:02+00:00 web-1 sshd[1234]: message        -o short-iso (older systemd: +0000)
//! 2024-01-21T15:00:02.123456+00:00 web-1 sshd[1234]: message -o short-iso-precise
//! Sun 2024-01-21 15:00:02 UTC web-1 sshd[1234]: message      -o short-full (and -o with-unit)
//! 1705849202.123456 web-1 sshd[1234]: message                -o short-unix
//! ```
//!
//! Shapes are from systemd's `src/shared/logs-show.c` (`output_timestamp_realtime`,
//! `output_short`): the identifier is always followed by `": "`, the pid is optional, the host is
//! left out with `--no-hostname`, and later lines of a multi-line message are indented to the
//! message column (they continue the event). The marker lines journalctl prints between entries
//! (`-- Boot 7c1f… --`, `-- No entries --`, `-- Logs begin at …, end at … --`,
//! `-- Journal begins at …`, `--show-cursor`'s `-- cursor: …`) and `-x` catalog text (`-- ` or
//! `░░ ` prefixed) are continuations, not events.
//!
//! Ownership against [`super::syslog_rfc3164`]: plain `-o short` (`Jan 21 15:00:02 host tag:`) is
//! indistinguishable from rsyslog's traditional format and is left to syslog_rfc3164 (we return
//! `NoMatch`). Only the shapes journalctl alone prints with that exact precision are claimed;
//! short-iso also matches rsyslog's RFC 3339 file format, and there both formats produce the
//! same event (the header parsing is shared), with sniffing naming it `journalctl`.
//!
//! Service: the identifier without pid; fields `host`, `pid`. journalctl's short modes do not
//! print the priority, so the level comes from the message as in syslog_rfc3164.

use super::syslog_rfc3164::{split_header, syslog_event};
use super::{Format, LineParse};
use crate::time::{RawTime, parse_epoch_str, parse_iso8601, parse_syslog};

#[derive(Debug, Default)]
pub struct Journalctl;

impl Journalctl {
    pub const NAME: &'static str = "journalctl";
}

/// Marker and catalog lines (see the module doc).
fn is_marker(line: &str) -> bool {
    line.starts_with("-- ") || line.starts_with("░░")
}

fn is_weekday(b: &[u8]) -> bool {
    const DAYS: [&[u8; 3]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
    b.get(..3)
        .is_some_and(|w| DAYS.iter().any(|d| d.as_slice() == w))
}

/// `Mmm dd HH:MM:SS.uuuuuu` (`"%b %d %H:%M:%S"` + `".%06"`): exactly six fraction digits, which
/// is what separates short-precise from rsyslog's second-resolution stamps.
fn short_precise(b: &[u8]) -> Option<(RawTime, usize)> {
    let (raw, used) = parse_syslog(b)?;
    if !matches!(raw, RawTime::NoYear { .. }) || used < 7 || b.get(used - 7) != Some(&b'.') {
        return None;
    }
    if !b.get(used - 6..used)?.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some((raw, used))
}

/// `Sun 2024-01-21 15:00:02 UTC` (systemd `format_timestamp`, `"%a %Y-%m-%d %H:%M:%S %Z"`). A zone
/// abbreviation we do not know (glibc prints `+03` or a local name) leaves the time local, read
/// in `--tz`.
fn short_full(b: &[u8]) -> Option<(RawTime, usize)> {
    if !is_weekday(b) || b.get(3) != Some(&b' ') {
        return None;
    }
    let body = b.get(4..)?;
    let (raw, used) = parse_iso8601(body)?;
    if body.get(10) != Some(&b' ') || used < 19 || body.get(19) == Some(&b'.') {
        return None;
    }
    if used > 19 {
        return Some((raw, 4 + used));
    }
    // Zone token not understood: skip it.
    if body.get(19) != Some(&b' ') {
        return None;
    }
    let zone_len = body.get(20..)?.iter().take_while(|&&c| c != b' ').count();
    if zone_len == 0 || zone_len > 8 {
        return None;
    }
    Some((raw, 4 + 20 + zone_len))
}

/// `2024-01-21T15:00:02[.uuuuuu]+00:00` (or `+0000` from older systemd, which used strftime
/// `%z`). Only these exact lengths: no `Z`, no other precision.
fn short_iso(b: &[u8]) -> Option<(RawTime, usize)> {
    if b.get(10) != Some(&b'T') {
        return None;
    }
    let (raw, used) = parse_iso8601(b)?;
    if !matches!(raw, RawTime::Utc(_)) {
        return None;
    }
    let offset_at = match b.get(19) {
        Some(b'.') if b.get(20..26)?.iter().all(u8::is_ascii_digit) => 26,
        Some(b'+' | b'-') => 19,
        _ => return None,
    };
    // `+HHMM` (5 bytes) or `+HH:MM` (6 bytes).
    if !matches!(used.checked_sub(offset_at), Some(5 | 6))
        || !matches!(b.get(offset_at), Some(b'+' | b'-'))
    {
        return None;
    }
    Some((raw, used))
}

/// `1705849202.123456` (`"%10"PRI_TIME".%06"PRIu64`).
fn short_unix(b: &[u8]) -> Option<(RawTime, usize)> {
    let int_len = b.iter().take(20).take_while(|c| c.is_ascii_digit()).count();
    if int_len < 9 || b.get(int_len) != Some(&b'.') {
        return None;
    }
    let used = int_len + 7;
    if !b.get(int_len + 1..used)?.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let text = std::str::from_utf8(b.get(..used)?).ok()?;
    Some((RawTime::Utc(parse_epoch_str(text)?), used))
}

impl Format for Journalctl {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    // Shapes: systemd src/shared/logs-show.c, output_timestamp_realtime() and output_short()
    // (https://github.com/systemd/systemd/blob/main/src/shared/logs-show.c); markers:
    // src/journal/journalctl-show.c (`-- Boot %s --`).
    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        if is_marker(line) {
            return LineParse::Continuation;
        }
        let b = line.as_bytes();
        let stamp = match b.first() {
            Some(c) if c.is_ascii_alphabetic() => short_full(b).or_else(|| short_precise(b)),
            Some(c) if c.is_ascii_digit() => short_iso(b).or_else(|| short_unix(b)),
            _ => None,
        };
        let Some((time, used)) = stamp else {
            return LineParse::NoMatch;
        };
        if b.get(used) != Some(&b' ') {
            return LineParse::NoMatch;
        }
        let Some(header) = line.get(used..).and_then(|rest| split_header(rest, true)) else {
            return LineParse::NoMatch;
        };
        LineParse::Event(syslog_event(time, header, None))
    }
}

#[cfg(test)]
mod tests {
    use super::super::syslog_rfc3164::SyslogRfc3164;
    use super::super::{Format, Parsed};
    use super::*;
    use crate::event::{Level, Timestamp, keys};
    use crate::time::ymd_hms;

    fn event(line: &str) -> Parsed<'_> {
        match Journalctl.parse(line) {
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

    #[test]
    fn short_precise_line_valid_microseconds() {
        let p = event(
            "Jan 21 15:00:02.123456 web-1 sshd[1234]: Accepted publickey for deploy from 10.0.0.7 port 50122 ssh2: ED25519 SHA256:Vq4PH6bTzS6dGkVt8Rh5ZkH3q1kUZmP0S7xGZ3cZ0dA",
        );
        match p.time {
            Some(RawTime::NoYear { month, day, time }) => {
                assert_eq!((month, day), (1, 21));
                assert_eq!(time.to_string(), "15:00:02.123456");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(p.service.as_deref(), Some("sshd"));
        assert_eq!(p.field(keys::HOST), Some("web-1"));
        assert_eq!(p.field(keys::PID), Some("1234"));
        assert!(p.message.starts_with("Accepted publickey for deploy"));
    }

    // strftime `%d` zero-pads the day, unlike rsyslog's space padding.
    #[test]
    fn short_precise_line_valid_zero_padded_day() {
        let p = event(
            "Jan 05 03:04:05.000001 web-1 systemd[1]: nginx.service: Main process exited, code=exited, status=1/FAILURE",
        );
        assert!(matches!(p.time, Some(RawTime::NoYear { day: 5, .. })));
        assert_eq!(p.service.as_deref(), Some("systemd"));
        assert_eq!(
            p.message,
            "nginx.service: Main process exited, code=exited, status=1/FAILURE"
        );
    }

    #[test]
    fn short_precise_line_valid_no_hostname() {
        let p = event(
            "Jan 21 15:00:02.123456 systemd[1]: nginx.service: Failed with result 'exit-code'.",
        );
        assert_eq!(p.field(keys::HOST), None);
        assert_eq!(p.service.as_deref(), Some("systemd"));
        assert_eq!(p.message, "nginx.service: Failed with result 'exit-code'.");
    }

    #[test]
    fn short_iso_line_valid_new_and_old_offsets() {
        let want = ymd_hms(2024, 1, 21, 15, 0, 2);
        let p = event(
            "2024-01-21T16:00:02+01:00 web-1 systemd[1]: Failed to start nginx.service - A high performance web server and a reverse proxy server.",
        );
        assert_eq!(utc(&p), want);
        assert_eq!(p.service.as_deref(), Some("systemd"));
        let p = event(
            "2024-01-21T15:00:02+0000 web-1 sshd[1234]: Received disconnect from 10.0.0.7 port 50122:11: disconnected by user",
        );
        assert_eq!(utc(&p), want);
    }

    #[test]
    fn short_iso_precise_line_valid_kernel_identifier() {
        let p = event(
            "2024-01-21T15:00:02.123456+00:00 web-1 kernel: Out of memory: Killed process 1234 (java) total-vm:8243560kB, anon-rss:6120644kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:12536kB oom_score_adj:0",
        );
        assert_eq!(utc(&p).0, ymd_hms(2024, 1, 21, 15, 0, 2).0 + 123_456_000);
        assert_eq!(p.service.as_deref(), Some("kernel"));
        assert_eq!(p.field(keys::PID), None);
        assert_eq!(p.level, Some(Level::Error));
    }

    #[test]
    fn short_full_line_valid_known_and_unknown_zones() {
        let p = event(
            "Sun 2024-01-21 15:00:02 UTC web-1 sshd[1234]: Connection closed by 10.0.0.7 port 50122",
        );
        assert_eq!(utc(&p), ymd_hms(2024, 1, 21, 15, 0, 2));
        assert_eq!(p.field(keys::HOST), Some("web-1"));
        let p = event(
            "Sun 2024-01-21 16:00:02 CET web-1 sshd[1234]: Connection closed by 10.0.0.7 port 50122",
        );
        assert_eq!(utc(&p), ymd_hms(2024, 1, 21, 15, 0, 2));
        let p = event(
            "Sun 2024-01-21 18:00:02 +03 web-1 sshd[1234]: Connection closed by 10.0.0.7 port 50122",
        );
        assert_eq!(utc(&p), ymd_hms(2024, 1, 21, 15, 0, 2));
        let p = event(
            "Sun 2024-01-21 15:00:02 XYZT web-1 sshd[1234]: Connection closed by 10.0.0.7 port 50122",
        );
        assert!(matches!(p.time, Some(RawTime::Local(_))));
        assert_eq!(p.field(keys::HOST), Some("web-1"));
    }

    #[test]
    fn short_unix_line_valid_epoch_micros() {
        let p =
            event("1705849202.123456 web-1 sshd[1234]: Connection closed by 10.0.0.7 port 50122");
        assert_eq!(utc(&p).0, ymd_hms(2024, 1, 21, 15, 0, 2).0 + 123_456_000);
        assert_eq!(p.service.as_deref(), Some("sshd"));
    }

    #[test]
    fn marker_lines_valid_are_continuations() {
        for line in [
            "-- Boot 7c1f0a6b2c4d4e5f8a9b0c1d2e3f4a5b --",
            "-- No entries --",
            "-- Logs begin at Sun 2024-01-21 00:00:01 UTC, end at Sun 2024-01-21 15:10:00 UTC. --",
            "-- Journal begins at Sun 2024-01-21 00:00:01 UTC, ends at Sun 2024-01-21 15:10:00 UTC. --",
            "░░ Subject: A start job for unit nginx.service has failed",
        ] {
            assert_eq!(Journalctl.parse(line), LineParse::Continuation, "{line:?}");
        }
    }

    #[test]
    fn rsyslog_line_invalid_without_fraction() {
        for line in [
            "Jan 21 15:00:02 web-1 sshd[1234]: Accepted publickey for deploy from 10.0.0.7 port 50122 ssh2",
            "Jan  5 14:03:01 web-1 CRON[4242]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
            // Not six digits: not journalctl.
            "Jan 21 15:00:02.123 web-1 sshd[1234]: x",
            "2024-01-21T15:00:02.123Z web-1 sshd[1234]: x",
            "2024-01-21T15:00:02.123+00:00 web-1 sshd[1234]: x",
        ] {
            assert_eq!(Journalctl.parse(line), LineParse::NoMatch, "{line:?}");
        }
    }

    #[test]
    fn lines_invalid_neighbours_and_junk() {
        for line in [
            "",
            "    at com.example.App.main(App.java:12)",
            "2024-01-21 15:00:02,123 ERROR [main] c.e.App - boom",
            "2024-01-21T15:00:02.123456+00:00 web-1 no tag here",
            "[Sun Jan 21 15:00:02 2024] Out of memory: Killed process 1234 (java)",
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 - msg",
            "1705849202.123 squid TCP_MISS/200 1234 GET http://example.com/ - DIRECT/93.184.216.34 text/html",
        ] {
            assert_eq!(Journalctl.parse(line), LineParse::NoMatch, "{line:?}");
        }
        let line = "Sun 2024-01-21 15:00:02.123456 UTC web-1 sshd[1234]: é";
        for end in 0..=line.len() {
            if let Some(prefix) = line.get(..end) {
                let _ = Journalctl.parse(prefix);
            }
        }
    }

    // The rsyslog RFC 3339 file format and short-iso-precise are the same bytes: both formats
    // must make the same event of them, so the sniffing tie-break cannot change the result.
    #[test]
    fn short_iso_line_valid_same_event_as_syslog_rfc3164() {
        let line = "2024-01-21T15:00:02.123456+01:00 web-1 postgres[4242]: [3-1] FATAL:  sorry, too many clients already";
        let ours = event(line);
        assert_eq!(ours.level, Some(Level::Fatal));
        assert_eq!(SyslogRfc3164.parse(line), LineParse::Event(ours));
    }

    #[test]
    fn sniff_picks_journalctl_for_short_precise_and_short_iso() {
        // Without the `-- Logs begin at <time> … --` header of older systemd: generic finds the
        // time inside it and would outscore us by one line (see the lead's note on generic).
        let precise = [
            "-- Boot 7c1f0a6b2c4d4e5f8a9b0c1d2e3f4a5b --",
            "Jan 21 15:00:01.000123 web-1 systemd[1]: Starting nginx.service - A high performance web server and a reverse proxy server...",
            "Jan 21 15:00:01.104211 web-1 nginx[4242]: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)",
            "Jan 21 15:00:01.110954 web-1 systemd[1]: nginx.service: Control process exited, code=exited, status=1/FAILURE",
            "Jan 21 15:00:01.111002 web-1 systemd[1]: nginx.service: Failed with result 'exit-code'.",
        ];
        assert_eq!(
            super::super::sniff(&precise).format.name(),
            Journalctl::NAME
        );
        let iso = [
            "2024-01-21T15:00:01+0000 web-1 systemd[1]: Starting nginx.service - A high performance web server and a reverse proxy server...",
            "2024-01-21T15:00:01+0000 web-1 nginx[4242]: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)",
            "2024-01-21T15:00:01+0000 web-1 systemd[1]: nginx.service: Failed with result 'exit-code'.",
        ];
        assert_eq!(super::super::sniff(&iso).format.name(), Journalctl::NAME);
    }

    #[test]
    fn sniff_picks_syslog_rfc3164_for_plain_short_output() {
        let sample = [
            "Jan 21 15:00:01 web-1 systemd[1]: Starting nginx.service - A high performance web server and a reverse proxy server...",
            "Jan 21 15:00:01 web-1 nginx[4242]: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)",
            "Jan 21 15:00:01 web-1 systemd[1]: nginx.service: Failed with result 'exit-code'.",
        ];
        assert_eq!(
            super::super::sniff(&sample).format.name(),
            SyslogRfc3164::NAME
        );
    }
}
