//! syslog_rfc3164: BSD syslog as rsyslog, syslog-ng and sysklogd write it to `/var/log/syslog`,
//! `/var/log/messages`, `auth.log`, `kern.log`:
//!
//! ```text
//! [<PRI>]Mmm dd HH:MM:SS HOST TAG[PID]: MESSAGE
//! [<PRI>]YYYY-MM-DDTHH:MM:SS.ffffff+01:00 HOST TAG[PID]: MESSAGE
//! ```
//!
//! The first shape is RFC 3164 §4.1.2 (day space-padded, no year: [`RawTime::NoYear`]) and
//! rsyslog's `RSYSLOG_TraditionalFileFormat`; the second is rsyslog's `RSYSLOG_FileFormat`
//! (RFC 3339 high-precision time, what recent Debian and Ubuntu releases write to
//! `/var/log/syslog`). The optional `<PRI>` is how the line looks on the wire or through
//! `RSYSLOG_ForwardFormat`.
//!
//! The service is the tag without its pid (`sshd`, `CRON`, `sshd(pam_unix)`, `kernel`); fields
//! are `host`, `pid`, and for kernel lines forwarded by imklog the monotonic stamp as
//! `kernel.monotonic`. Level: from `<PRI>` when present, else from a level word that opens the
//! message (`error: …` from sshd, `FATAL:` from PostgreSQL), else none.
//!
//! Who owns which shape, since several formats print `time host tag: msg`:
//! * `Mmm dd HH:MM:SS` without fraction is ours (journalctl's default `-o short` output is the
//!   same shape and lands here too); with a microsecond fraction it is `journalctl -o
//!   short-precise` and [`super::journalctl`] claims it first (registry order), though we also
//!   parse it so that `--input-format syslog_rfc3164` works on it.
//! * RFC 3339 lines with a numeric offset are byte-for-byte `journalctl -o short-iso[-precise]`
//!   output too; both formats parse them identically, and sniffing names them `journalctl`
//!   (earlier in the registry). A `Z` offset or a fraction that is not six digits is only ours.
//!
//! The header helpers ([`split_header`], [`pri_prefix`], [`syslog_event`]) are shared with
//! [`super::journalctl`] so the two formats cannot drift apart on the same line.

use super::shared::level_word_at;
use super::{Format, LineParse, Parsed};
use crate::event::{Level, Timestamp, keys};
use crate::time::{RawTime, naive_from_parts, parse_iso8601, parse_syslog, zones};
use chrono::Timelike;
use std::borrow::Cow;

#[derive(Debug, Default)]
pub struct SyslogRfc3164;

impl SyslogRfc3164 {
    pub const NAME: &'static str = "syslog_rfc3164";
}

/// Longest tag we accept. RFC 3164 §4.1.3 says 32, but rsyslog and journald pass longer ones
/// (`systemd-networkd-wait-online[712]:`), so only absurd lengths are rejected.
const MAX_TAG: usize = 128;
/// Longest `[pid]` content.
const MAX_PID: usize = 32;
/// RFC 1035 name length; also bounds IPv6 literals.
const MAX_HOST: usize = 255;

/// A `<PRI>` prefix (RFC 3164 §4.1.1, RFC 5424 §6.2.1): 1–3 digits, at most 191. Returns the
/// priority value and the bytes used.
pub(super) fn pri_prefix(b: &[u8]) -> Option<(u8, usize)> {
    if b.first() != Some(&b'<') {
        return None;
    }
    let mut value: u32 = 0;
    let mut i = 1;
    while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
        if i > 3 {
            return None;
        }
        value = value * 10 + u32::from(c - b'0');
        i += 1;
    }
    if i == 1 || b.get(i) != Some(&b'>') || value > 191 {
        return None;
    }
    Some((value as u8, i + 1))
}

/// What follows the timestamp of a BSD-style line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Header<'a> {
    pub host: Option<&'a str>,
    /// The program tag without its pid (`sshd`, `kernel`, `postfix/smtpd`).
    pub tag: Option<&'a str>,
    pub pid: Option<&'a str>,
    pub message: &'a str,
}

/// A tag at the start of `s`: `TAG[PID]:` or `TAG:`. Returns (tag, pid, rest after the colon).
/// The tag ends at the first space, `[` or `:`, the way rsyslog's parser (and journald's
/// `syslog_parse_identifier`) splits it.
fn tag_at(s: &str) -> Option<(&str, Option<&str>, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b' ' || c == b'[' || c == b':' || c < 0x20 || c == 0x7f || i > MAX_TAG {
            break;
        }
        i += 1;
    }
    if i == 0 || i > MAX_TAG {
        return None;
    }
    let tag = s.get(..i)?;
    match b.get(i) {
        Some(b':') => Some((tag, None, s.get(i + 1..)?)),
        Some(b'[') => {
            let inner_start = i + 1;
            let mut j = inner_start;
            while let Some(&c) = b.get(j) {
                if c == b']' || c == b' ' || j - inner_start > MAX_PID {
                    break;
                }
                j += 1;
            }
            if j == inner_start || b.get(j) != Some(&b']') || b.get(j + 1) != Some(&b':') {
                return None;
            }
            Some((tag, Some(s.get(inner_start..j)?), s.get(j + 2..)?))
        }
        _ => None,
    }
}

/// Host names as syslog daemons print them: DNS names, IPv4/IPv6 literals, and syslog-ng's
/// chained `relay/host` form.
fn is_host(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_HOST
        && s.bytes().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b':' | b'/' | b'@' | b'%')
        })
}

/// Splits `HOST TAG[PID]: MESSAGE` (leading spaces allowed). With `require_tag`, a line whose
/// tag cannot be found is rejected; otherwise the text after the host is the message (RFC 3164
/// §5.4 `Use the BFG!`, sysklogd's `syslogd 1.4.1: restart.`).
///
/// A first word that is itself `tag:` or `tag[pid]:` followed by a space means the host was
/// left out (`journalctl --no-hostname`, and senders rsyslog accepts without a HOSTNAME).
pub(super) fn split_header(s: &str, require_tag: bool) -> Option<Header<'_>> {
    let s = s.trim_start_matches(' ');
    if let Some((tag, pid, rest)) = tag_at(s) {
        if rest.is_empty() || rest.starts_with(' ') {
            return Some(Header {
                host: None,
                tag: Some(tag),
                pid,
                message: trim_message(rest),
            });
        }
    }
    let (host, rest) = match s.find(' ') {
        Some(end) => (s.get(..end)?, s.get(end..)?.trim_start_matches(' ')),
        None => (s, ""),
    };
    if !is_host(host) {
        return None;
    }
    match tag_at(rest) {
        Some((tag, pid, message)) => Some(Header {
            host: Some(host),
            tag: Some(tag),
            pid,
            message: trim_message(message),
        }),
        None if require_tag => None,
        None => Some(Header {
            host: Some(host),
            tag: None,
            pid: None,
            message: trim_message(rest),
        }),
    }
}

/// rsyslog's `sp-if-no-1st-sp` and journald's `": "` put one space after the tag; kernel lines
/// indent continuation data further. Leading blanks carry no meaning for matching.
fn trim_message(s: &str) -> &str {
    s.trim_start_matches([' ', '\t'])
}

/// A level word opening a message, taken only when the software clearly meant it as a level:
/// bracketed (`[error]`), followed by a colon (`error:` from OpenSSH's `log.c`, `FATAL:` from
/// PostgreSQL), or all capitals (`WARN `). A capitalised first word of prose (`System is going
/// down`, `Config reloaded`) is not a level.
fn leading_level(message: &str) -> Option<Level> {
    let (level, used) = level_word_at(message)?;
    let b = message.as_bytes();
    if matches!(b.first(), Some(b'[' | b'<')) {
        return Some(level);
    }
    let word_end = b
        .iter()
        .position(|c| !c.is_ascii_alphanumeric())
        .unwrap_or(b.len())
        .min(used);
    let word = message.get(..word_end)?;
    if b.get(word_end) == Some(&b':')
        || (word.len() >= 3 && !word.bytes().any(|c| c.is_ascii_lowercase()))
    {
        Some(level)
    } else {
        None
    }
}

/// PostgreSQL logging to syslog prefixes its lines with a counter (`write_syslog` in
/// `src/backend/utils/error/elog.c`): `[SEQ] ` or, for split multi-line messages, `[SEQ-CHUNK] `,
/// e.g. `postgres[123]: [3-1] FATAL:  sorry, too many clients already`. The level word follows.
fn skip_postgres_sequence(message: &str) -> &str {
    let b = message.as_bytes();
    if b.first() != Some(&b'[') {
        return message;
    }
    let mut i = 1;
    let mut dash = false;
    while let Some(&c) = b.get(i) {
        match c {
            b'0'..=b'9' => {}
            b'-' if !dash && i > 1 => dash = true,
            b']' if b.get(i - 1).is_some_and(u8::is_ascii_digit) => {
                return message
                    .get(i + 1..)
                    .map_or(message, |r| r.trim_start_matches(' '));
            }
            _ => return message,
        }
        i += 1;
    }
    message
}

/// Level of a syslog message without `<PRI>`: the kernel's own level for the messages listed in
/// [`super::kernel::known_message_level`], else a leading level word.
pub(super) fn message_level(tag: Option<&str>, message: &str) -> Option<Level> {
    if tag == Some("kernel") {
        if let Some(level) = super::kernel::known_message_level(message) {
            return Some(level);
        }
    }
    leading_level(skip_postgres_sequence(message))
}

/// Builds the event for a parsed syslog-style header. `severity` is the level from `<PRI>`.
pub(super) fn syslog_event<'a>(
    time: RawTime,
    header: Header<'a>,
    severity: Option<Level>,
) -> Parsed<'a> {
    let mut message = header.message;
    let mut monotonic = None;
    // rsyslog's imklog (and sysklogd's klogd) keep the kernel's `[ 12345.678901] ` uptime stamp
    // in front of kernel messages.
    if header.tag == Some("kernel") {
        if let Some((stamp, rest)) = super::kernel::monotonic_prefix(message) {
            monotonic = Some(stamp);
            message = rest;
        }
    }
    let level = severity.or_else(|| message_level(header.tag, message));
    let mut parsed = Parsed::new(Some(time), level, message);
    parsed.service = header.tag.map(Cow::Borrowed);
    if let Some(host) = header.host {
        parsed.push_field(keys::HOST, host);
    }
    if let Some(pid) = header.pid {
        parsed.push_field(keys::PID, pid);
    }
    if let Some(stamp) = monotonic {
        parsed.push_field("kernel.monotonic", stamp);
    }
    parsed
}

/// RFC 3164 §5.4's relayed example `Aug 24 05:34:00 CST 1987 mymachine …`: some old relays put
/// a zone abbreviation and a year after the time. Returns the absolute time and the bytes used
/// after `i` when that is what follows.
fn zone_and_year(b: &[u8], i: usize, raw: RawTime) -> Option<(RawTime, usize)> {
    let RawTime::NoYear { month, day, time } = raw else {
        return None;
    };
    let rest = b.get(i..)?;
    if rest.first() != Some(&b' ') {
        return None;
    }
    let abbr_len = rest
        .get(1..)?
        .iter()
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    let abbr = std::str::from_utf8(rest.get(1..1 + abbr_len)?).ok()?;
    let offset = zones::abbreviation_offset(abbr)?;
    let after = 1 + abbr_len;
    if rest.get(after) != Some(&b' ') {
        return None;
    }
    let year_bytes = rest.get(after + 1..after + 5)?;
    if !year_bytes.iter().all(u8::is_ascii_digit) || rest.get(after + 5) != Some(&b' ') {
        return None;
    }
    let year: i32 = std::str::from_utf8(year_bytes).ok()?.parse().ok()?;
    let naive = naive_from_parts(
        year,
        month,
        day,
        time.hour(),
        time.minute(),
        time.second(),
        time.nanosecond(),
    )?;
    let utc = naive - chrono::Duration::seconds(i64::from(offset));
    let ts = Timestamp::from_datetime(&utc.and_utc())?;
    Some((RawTime::Utc(ts), after + 5))
}

impl Format for SyslogRfc3164 {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    // Grammar: RFC 3164 §4.1 (https://www.rfc-editor.org/rfc/rfc3164#section-4.1) and rsyslog's
    // predefined templates RSYSLOG_TraditionalFileFormat / RSYSLOG_FileFormat /
    // RSYSLOG_TraditionalForwardFormat
    // (https://www.rsyslog.com/doc/reference/templates/templates-reserved-names.html):
    // `%TIMESTAMP% %HOSTNAME% %syslogtag%%msg:::sp-if-no-1st-sp%%msg%`.
    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        let b = line.as_bytes();
        let (severity, start) = match pri_prefix(b) {
            Some((pri, used)) => (Some(Level::from_syslog_severity(pri % 8)), used),
            None => (None, 0),
        };
        let Some(body) = b.get(start..) else {
            return LineParse::NoMatch;
        };
        let (time, used, iso) = match body.first() {
            Some(c) if c.is_ascii_alphabetic() => match parse_syslog(body) {
                Some((raw, used)) => match zone_and_year(body, used, raw) {
                    Some((abs, extra)) => (abs, used + extra, false),
                    None => (raw, used, false),
                },
                None => return LineParse::NoMatch,
            },
            Some(c) if c.is_ascii_digit() => match parse_iso8601(body) {
                // RFC 3339 only: a `T`, an offset and no `,` fraction, as rsyslog's
                // `date-rfc3339` prints it. A `,` fraction is `dmesg --time-format iso`, whose
                // messages often look like `host tag:` (`usb 1-1: new … USB device`).
                Some((raw @ RawTime::Utc(_), used))
                    if body.get(10) == Some(&b'T') && body.get(19) != Some(&b',') =>
                {
                    (raw, used, true)
                }
                _ => return LineParse::NoMatch,
            },
            _ => return LineParse::NoMatch,
        };
        if body.get(used) != Some(&b' ') {
            return LineParse::NoMatch;
        }
        let Some(rest) = line.get(start + used..) else {
            return LineParse::NoMatch;
        };
        let Some(header) = split_header(rest, iso) else {
            return LineParse::NoMatch;
        };
        // An ISO-stamped application log (`2024-01-21T15:00:02Z main ERROR: boom`) has the shape of
        // `time host tag:`; real syslog hosts and program names are not level words.
        if iso
            && (header.host.is_some_and(|h| Level::parse(h).is_some())
                || (header.pid.is_none() && header.tag.is_some_and(|t| Level::parse(t).is_some())))
        {
            return LineParse::NoMatch;
        }
        LineParse::Event(syslog_event(time, header, severity))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::ymd_hms;

    fn event(line: &str) -> Parsed<'_> {
        match SyslogRfc3164.parse(line) {
            LineParse::Event(p) => p,
            other => panic!("expected an event for {line:?}, got {other:?}"),
        }
    }

    fn no_year(p: &Parsed<'_>) -> (u32, u32, String) {
        match p.time {
            Some(RawTime::NoYear { month, day, time }) => (month, day, time.to_string()),
            other => panic!("expected a year-less time, got {other:?}"),
        }
    }

    // Loghub OpenSSH_2k.log, line 1.
    #[test]
    fn bsd_line_valid_openssh_loghub() {
        let p = event(
            "Dec 10 06:55:46 LabSZ sshd[24200]: reverse mapping checking getaddrinfo for ns.marryaldkfaczcz.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!",
        );
        assert_eq!(no_year(&p), (12, 10, "06:55:46".to_string()));
        assert_eq!(p.service.as_deref(), Some("sshd"));
        assert_eq!(p.field(keys::HOST), Some("LabSZ"));
        assert_eq!(p.field(keys::PID), Some("24200"));
        assert!(p.message.starts_with("reverse mapping checking"));
        assert_eq!(p.level, None);
    }

    #[test]
    fn bsd_line_valid_space_padded_day() {
        let p = event(
            "Jan  5 14:03:01 web-1 sshd[24200]: Failed password for root from 10.0.0.1 port 22 ssh2",
        );
        assert_eq!(no_year(&p), (1, 5, "14:03:01".to_string()));
        assert_eq!(
            p.message,
            "Failed password for root from 10.0.0.1 port 22 ssh2"
        );
    }

    // Loghub Linux_2k.log: the tag carries the PAM module in parentheses.
    #[test]
    fn bsd_line_valid_tag_with_parentheses() {
        let p = event(
            "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 ",
        );
        assert_eq!(p.service.as_deref(), Some("sshd(pam_unix)"));
        assert_eq!(p.field(keys::PID), Some("19939"));
        assert_eq!(p.field(keys::HOST), Some("combo"));
    }

    // Loghub Linux_2k.log: kernel lines have no pid and indented continuation data.
    #[test]
    fn bsd_line_valid_tag_without_pid() {
        let p = event(
            "Jul 27 14:41:57 combo kernel:  BIOS-e820: 0000000000000000 - 00000000000a0000 (usable)",
        );
        assert_eq!(p.service.as_deref(), Some("kernel"));
        assert_eq!(p.field(keys::PID), None);
        assert_eq!(
            p.message,
            "BIOS-e820: 0000000000000000 - 00000000000a0000 (usable)"
        );
    }

    // Loghub Linux_2k.log: sysklogd's own restart notice has no tag at all.
    #[test]
    fn bsd_line_valid_untagged_sysklogd_restart() {
        let p = event("Jun 19 04:09:11 combo syslogd 1.4.1: restart.");
        assert_eq!(p.service, None);
        assert_eq!(p.field(keys::HOST), Some("combo"));
        assert_eq!(p.message, "syslogd 1.4.1: restart.");
    }

    // RFC 3164 §5.4 example 1.
    #[test]
    fn pri_line_valid_rfc3164_example_su() {
        let p =
            event("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8");
        assert_eq!(no_year(&p), (10, 11, "22:14:15".to_string()));
        // 34 = facility 4 (auth) * 8 + severity 2 (crit).
        assert_eq!(p.level, Some(Level::Fatal));
        assert_eq!(p.service.as_deref(), Some("su"));
        assert_eq!(p.field(keys::HOST), Some("mymachine"));
        assert_eq!(p.message, "'su root' failed for lonvick on /dev/pts/8");
    }

    // RFC 3164 §5.4 example 2: an IP as host, no tag.
    #[test]
    fn pri_line_valid_rfc3164_example_no_tag() {
        let p = event("<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!");
        assert_eq!(p.level, Some(Level::Notice));
        assert_eq!(p.service, None);
        assert_eq!(p.field(keys::HOST), Some("10.0.0.99"));
        assert_eq!(p.message, "Use the BFG!");
    }

    // RFC 3164 §5.4 example 3: a relay that added a zone and a year after the time.
    #[test]
    fn pri_line_valid_rfc3164_example_zone_and_year() {
        let p = event(
            "<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: %% It's time to make the do-nuts.  %%  Ingredients: Mix=OK, Jeff= OK, Bread=Needs work, Tasted=nice.",
        );
        // CST is read as US Central (-6), see time::zones.
        assert_eq!(p.time, Some(RawTime::Utc(ymd_hms(1987, 8, 24, 11, 34, 0))));
        assert_eq!(p.service.as_deref(), Some("myproc"));
        assert_eq!(p.field(keys::PID), Some("10"));
        assert_eq!(p.field(keys::HOST), Some("mymachine"));
        assert_eq!(p.level, Some(Level::Notice));
    }

    // RFC 3164 §5.4 example 4 has the year first: a relay must treat it as header-less.
    #[test]
    fn pri_line_invalid_rfc3164_example_year_first() {
        let line = "<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!";
        assert_eq!(SyslogRfc3164.parse(line), LineParse::NoMatch);
    }

    // rsyslog RSYSLOG_FileFormat (recent Debian/Ubuntu /var/log/syslog).
    #[test]
    fn rfc3339_line_valid_rsyslog_file_format() {
        let p = event(
            "2024-01-21T15:00:02.123456+01:00 web-1 systemd[1]: Started Session 1 of User root.",
        );
        assert_eq!(
            p.time,
            Some(RawTime::Utc(Timestamp(
                ymd_hms(2024, 1, 21, 14, 0, 2).0 + 123_456_000
            )))
        );
        assert_eq!(p.service.as_deref(), Some("systemd"));
        assert_eq!(p.field(keys::PID), Some("1"));
        assert_eq!(p.message, "Started Session 1 of User root.");
    }

    #[test]
    fn rfc3339_line_invalid_without_tag() {
        assert_eq!(
            SyslogRfc3164.parse("2024-01-21T15:00:02.123456+01:00 web-1 just words here"),
            LineParse::NoMatch
        );
    }

    #[test]
    fn rfc3339_line_invalid_local_time_without_offset() {
        assert_eq!(
            SyslogRfc3164.parse("2024-01-21T15:00:02.123456 web-1 app[12]: msg"),
            LineParse::NoMatch
        );
    }

    // RSYSLOG_TraditionalForwardFormat / RSYSLOG_ForwardFormat on the wire.
    #[test]
    fn pri_line_valid_rfc3339_forward_format() {
        let p = event(
            "<86>2024-01-21T15:00:02.123456+00:00 web-1 sshd[24200]: pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)",
        );
        // 86 = authpriv (10) * 8 + info (6).
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(p.service.as_deref(), Some("sshd"));
    }

    // Ubuntu kern.log through rsyslog imklog; message text from mm/oom_kill.c.
    #[test]
    fn kernel_line_valid_monotonic_stamp_stripped() {
        let p = event(
            "Jan 21 15:00:02 web-1 kernel: [12345.678901] Out of memory: Killed process 1234 (java) total-vm:8243560kB, anon-rss:6120644kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:12536kB oom_score_adj:0",
        );
        assert_eq!(p.field("kernel.monotonic"), Some("12345.678901"));
        assert!(
            p.message
                .starts_with("Out of memory: Killed process 1234 (java)")
        );
        // pr_err in the kernel.
        assert_eq!(p.level, Some(Level::Error));
    }

    #[test]
    fn kernel_line_valid_padded_monotonic_stamp() {
        let p = event(
            "Jan 21 15:00:02 web-1 kernel: [    3.123456] EXT4-fs (sda1): mounted filesystem with ordered data mode. Opts: (null)",
        );
        assert_eq!(p.field("kernel.monotonic"), Some("3.123456"));
        assert!(p.message.starts_with("EXT4-fs (sda1): mounted"));
        assert_eq!(p.level, None);
    }

    // PostgreSQL through syslog: `[line-part]` counter, then the severity and two spaces.
    #[test]
    fn postgres_line_valid_level_after_sequence_number() {
        let p = event(
            "Jan 21 15:00:02 db-1 postgres[4242]: [3-1] FATAL:  sorry, too many clients already",
        );
        assert_eq!(p.message, "[3-1] FATAL:  sorry, too many clients already");
        assert_eq!(p.level, Some(Level::Fatal));
        assert_eq!(p.service.as_deref(), Some("postgres"));
    }

    #[test]
    fn postgres_line_valid_level_after_plain_sequence_number() {
        let p = event("Jan 21 15:00:02 db-1 postgres[4242]: [7] LOG:  checkpoint starting: time");
        assert_eq!(p.level, Some(Level::Info));
        let p = event("Jan 21 15:00:02 db-1 app[1]: [client 10.0.0.1] ERROR: x");
        assert_eq!(p.level, None);
    }

    // OpenSSH's log.c prefixes error-level messages with "error: ".
    #[test]
    fn openssh_line_valid_error_prefix_level() {
        let p = event(
            "Dec 10 07:02:47 LabSZ sshd[24203]: error: Received disconnect from 103.99.0.122: 14: No more user authentication methods available. [preauth]",
        );
        assert_eq!(p.level, Some(Level::Error));
    }

    #[test]
    fn message_level_invalid_capitalised_prose() {
        let p = event("Jan 21 15:00:02 web-1 systemd-logind[812]: System is powering down.");
        assert_eq!(p.level, None);
        let p = event("Jan 21 15:00:02 web-1 app[1]: Error connecting to 10.0.0.5");
        assert_eq!(p.level, None);
    }

    // journalctl --no-hostname / senders without HOSTNAME.
    #[test]
    fn bsd_line_valid_without_hostname() {
        let p = event(
            "Jan 21 15:00:02 sshd[1234]: Accepted publickey for deploy from 10.0.0.7 port 50122 ssh2: ED25519 SHA256:abc",
        );
        assert_eq!(p.field(keys::HOST), None);
        assert_eq!(p.service.as_deref(), Some("sshd"));
        assert!(p.message.starts_with("Accepted publickey"));
    }

    #[test]
    fn bsd_line_valid_ipv6_host() {
        let p =
            event("Jan 21 15:00:02 fe80::1 sshd[1234]: Connection closed by 10.0.0.7 port 50122");
        assert_eq!(p.field(keys::HOST), Some("fe80::1"));
        assert_eq!(p.service.as_deref(), Some("sshd"));
    }

    #[test]
    fn bsd_line_invalid_bad_date_and_junk() {
        for line in [
            "Foo 10 06:55:46 LabSZ sshd[24200]: x",
            "Dec 32 06:55:46 LabSZ sshd[24200]: x",
            "Dec 10 06:55 LabSZ sshd[24200]: x",
            "Dec 10 06:55:46",
            "Dec 10 06:55:46 [main] x",
            "<999>Dec 10 06:55:46 LabSZ sshd[24200]: x",
            "<34",
            "",
            "\u{FEFF}",
            "Use the BFG!",
        ] {
            assert_eq!(SyslogRfc3164.parse(line), LineParse::NoMatch, "{line:?}");
        }
    }

    #[test]
    fn neighbour_lines_invalid_logback_and_nginx() {
        for line in [
            "2024-01-21 15:00:02.123  INFO 4242 --- [           main] c.e.demo.DemoApplication                 : Started DemoApplication in 3.2 seconds (JVM running for 3.9)",
            "2024-01-21 15:00:02,123 ERROR [http-nio-8080-exec-1] c.e.Api - boom",
            "10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] \"GET /api/orders HTTP/1.1\" 502 157 \"-\" \"curl/8.5.0\"",
            "2024/01/21 15:00:02 [error] 1234#1234: *5 connect() failed (111: Connection refused) while connecting to upstream",
            "2024-01-21T15:00:02.123456789Z stdout F hello",
            "2024-01-21T15:00:02.123Z ERROR main: boom",
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 - msg",
            "[Sun Jan 21 15:00:02 2024] Out of memory: Killed process 1234 (java)",
            "2024-01-21T15:00:02,123456+00:00 usb 1-1: new high-speed USB device number 2 using xhci_hcd",
        ] {
            assert_eq!(SyslogRfc3164.parse(line), LineParse::NoMatch, "{line:?}");
        }
    }

    #[test]
    fn parser_invalid_never_panics_on_prefixes() {
        let line = "<34>Oct 11 22:14:15 mymachine su[12]: [3-1] x é";
        for end in 0..=line.len() {
            if let Some(prefix) = line.get(..end) {
                let _ = SyslogRfc3164.parse(prefix);
            }
        }
    }

    #[test]
    fn sniff_picks_syslog_rfc3164_for_auth_log() {
        let sample = [
            "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186",
            "Dec 10 06:55:46 LabSZ sshd[24200]: input_userauth_request: invalid user webmaster [preauth]",
            "Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): check pass; user unknown",
            "Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2",
        ];
        assert_eq!(
            super::super::sniff(&sample).format.name(),
            SyslogRfc3164::NAME
        );
    }
}
