//! syslog_rfc5424: the IETF syslog protocol (RFC 5424 §6), as rsyslog writes it with
//! `RSYSLOG_SyslogProtocol23Format`, syslog-ng with `flags(syslog-protocol)`, and as network
//! captures of UDP/TCP syslog show it:
//!
//! ```text
//! <165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3"] msg
//! <PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [BOM][MSG]
//! ```
//!
//! Also accepted: no `<PRI>` (the line then must start with the VERSION, `1 2003-…`, as custom
//! templates that drop `%PRI%` write it), and RFC 6587 octet counting (`123 <165>1 …`) as kept by
//! TCP captures. Every header field may be the NILVALUE `-`; a `-` timestamp gives `time: None`.
//!
//! Service: APP-NAME. Fields: `host`, `pid` (PROCID), `msgid`, and structured-data parameters as
//! `sd.<SD-ID>.<PARAM-NAME>` (unescaped, at most [`MAX_SD_PARAMS`]). Level: the `<PRI>`
//! severity; without `<PRI>`, a level word opening the message (as in syslog_rfc3164).

use super::syslog_rfc3164::{message_level, pri_prefix};
use super::{Format, LineParse, Parsed};
use crate::event::{Level, keys};
use crate::time::parse_iso8601;
use std::borrow::Cow;

#[derive(Debug, Default)]
pub struct SyslogRfc5424;

impl SyslogRfc5424 {
    pub const NAME: &'static str = "syslog_rfc5424";
}

/// Structured-data parameters kept as fields per event; the rest are parsed (to find the
/// message) but dropped, so one chatty sender cannot blow up the field table.
pub const MAX_SD_PARAMS: usize = 16;

/// RFC 5424 §6: field length limits.
const MAX_HOSTNAME: usize = 255;
const MAX_APP_NAME: usize = 48;
const MAX_PROCID: usize = 128;
const MAX_MSGID: usize = 32;
const MAX_SD_NAME: usize = 32;

/// A header field (`1*N PRINTUSASCII` or `-`) at `i`, followed by one space. Returns the field
/// (None for NILVALUE) and the index after the space.
fn header_field(line: &str, i: usize, max: usize) -> Option<(Option<&str>, usize)> {
    let b = line.as_bytes();
    let len = b
        .get(i..)?
        .iter()
        .take(max + 1)
        .take_while(|&&c| (33..=126).contains(&c))
        .count();
    if len == 0 || len > max || b.get(i + len) != Some(&b' ') {
        return None;
    }
    let value = line.get(i..i + len)?;
    Some(((value != "-").then_some(value), i + len + 1))
}

/// An SD-NAME (SD-ID or PARAM-NAME): printable ASCII except `=`, space, `]` and `"`.
fn sd_name(line: &str, i: usize) -> Option<(&str, usize)> {
    let b = line.as_bytes();
    let len = b
        .get(i..)?
        .iter()
        .take(MAX_SD_NAME + 1)
        .take_while(|&&c| (33..=126).contains(&c) && !matches!(c, b'=' | b']' | b'"'))
        .count();
    if len == 0 || len > MAX_SD_NAME {
        return None;
    }
    Some((line.get(i..i + len)?, i + len))
}

/// A PARAM-VALUE after its opening quote at `i`. RFC 5424 §6.3.3: only `\"`, `\\` and `\]` are
/// escapes; any other backslash is kept as written. Returns the value and the index after the
/// closing quote.
fn param_value(line: &str, i: usize) -> Option<(Cow<'_, str>, usize)> {
    let b = line.as_bytes();
    let mut j = i;
    let mut escaped = false;
    loop {
        match b.get(j)? {
            b'"' => break,
            b'\\' => {
                escaped = true;
                j += if matches!(b.get(j + 1), Some(b'"' | b'\\' | b']')) {
                    2
                } else {
                    1
                };
            }
            _ => j += 1,
        }
    }
    let raw = line.get(i..j)?;
    let value = if escaped {
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(&next @ ('"' | '\\' | ']')) = chars.peek() {
                    out.push(next);
                    chars.next();
                    continue;
                }
            }
            out.push(c);
        }
        Cow::Owned(out)
    } else {
        Cow::Borrowed(raw)
    };
    Some((value, j + 1))
}

/// STRUCTURED-DATA at `i` (`-` or one or more `[SD-ID *(SP PARAM="VALUE")]`), storing params into
/// `parsed`. Returns the index after it.
fn structured_data<'a>(line: &'a str, mut i: usize, parsed: &mut Parsed<'a>) -> Option<usize> {
    let b = line.as_bytes();
    match b.get(i) {
        Some(b'-') => return Some(i + 1),
        Some(b'[') => {}
        _ => return None,
    }
    let mut kept = 0;
    while b.get(i) == Some(&b'[') {
        let (id, after_id) = sd_name(line, i + 1)?;
        i = after_id;
        loop {
            match b.get(i)? {
                b']' => {
                    i += 1;
                    break;
                }
                b' ' => {
                    let (name, after_name) = sd_name(line, i + 1)?;
                    if b.get(after_name) != Some(&b'=') || b.get(after_name + 1) != Some(&b'"') {
                        return None;
                    }
                    let (value, after_value) = param_value(line, after_name + 2)?;
                    i = after_value;
                    if kept < MAX_SD_PARAMS {
                        parsed
                            .fields
                            .push((Cow::Owned(format!("sd.{id}.{name}")), value));
                        kept += 1;
                    }
                }
                _ => return None,
            }
        }
    }
    Some(i)
}

impl Format for SyslogRfc5424 {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    // Grammar: RFC 5424 §6 (https://www.rfc-editor.org/rfc/rfc5424#section-6); octet counting:
    // RFC 6587 §3.4.1; rsyslog's template: `"<%PRI%>1 %TIMESTAMP:::date-rfc3339% %HOSTNAME%
    // %APP-NAME% %PROCID% %MSGID% %STRUCTURED-DATA% %msg%\n"` (runtime/rsconf.c).
    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        let b = line.as_bytes();
        let mut i = 0;
        // Octet counting: `MSG-LEN SP` right before `<PRI>`.
        let count_len = b.iter().take(7).take_while(|c| c.is_ascii_digit()).count();
        if count_len > 0 && b.get(count_len) == Some(&b' ') && b.get(count_len + 1) == Some(&b'<') {
            i = count_len + 1;
        }
        let severity = match b.get(i..).and_then(pri_prefix) {
            Some((pri, used)) => {
                i += used;
                Some(Level::from_syslog_severity(pri % 8))
            }
            None => None,
        };
        // VERSION = NONZERO-DIGIT 0*2DIGIT, then SP.
        let version_len = b.get(i..).map_or(0, |r| {
            r.iter().take(4).take_while(|c| c.is_ascii_digit()).count()
        });
        if !(1..=3).contains(&version_len)
            || b.get(i) == Some(&b'0')
            || b.get(i + version_len) != Some(&b' ')
        {
            return LineParse::NoMatch;
        }
        i += version_len + 1;

        // TIMESTAMP = NILVALUE / FULL-DATE "T" FULL-TIME.
        let time = if b.get(i) == Some(&b'-') && b.get(i + 1) == Some(&b' ') {
            i += 2;
            None
        } else {
            let Some(ts_bytes) = b.get(i..) else {
                return LineParse::NoMatch;
            };
            match parse_iso8601(ts_bytes) {
                Some((raw, used))
                    if ts_bytes.get(10) == Some(&b'T') && ts_bytes.get(used) == Some(&b' ') =>
                {
                    i += used + 1;
                    Some(raw)
                }
                _ => return LineParse::NoMatch,
            }
        };

        let mut fields = [None; 4];
        for (slot, max) in
            fields
                .iter_mut()
                .zip([MAX_HOSTNAME, MAX_APP_NAME, MAX_PROCID, MAX_MSGID])
        {
            let Some((value, next)) = header_field(line, i, max) else {
                return LineParse::NoMatch;
            };
            *slot = value;
            i = next;
        }
        let [host, app, procid, msgid] = fields;

        let mut parsed = Parsed::new(time, None, "");
        if let Some(host) = host {
            parsed.push_field(keys::HOST, host);
        }
        if let Some(pid) = procid {
            parsed.push_field(keys::PID, pid);
        }
        if let Some(msgid) = msgid {
            parsed.push_field("msgid", msgid);
        }
        let Some(after_sd) = structured_data(line, i, &mut parsed) else {
            return LineParse::NoMatch;
        };
        let message = match b.get(after_sd) {
            None => "",
            // rsyslog's %msg% keeps the space that followed the tag, hence the trim; the BOM
            // marks MSG-UTF8 (§6.4).
            Some(b' ') => line
                .get(after_sd + 1..)
                .unwrap_or("")
                .trim_start_matches('\u{FEFF}')
                .trim_start_matches(' '),
            Some(_) => return LineParse::NoMatch,
        };
        parsed.message = Cow::Borrowed(message);
        parsed.level = severity.or_else(|| message_level(app, message));
        parsed.service = app.map(Cow::Borrowed);
        LineParse::Event(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Timestamp;
    use crate::time::{RawTime, ymd_hms};

    fn event(line: &str) -> Parsed<'_> {
        match SyslogRfc5424.parse(line) {
            LineParse::Event(p) => p,
            other => panic!("expected an event for {line:?}, got {other:?}"),
        }
    }

    // RFC 5424 §6.5 example 1 (BOM before the message).
    #[test]
    fn rfc_example_valid_no_structured_data() {
        let p = event(
            "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \u{FEFF}'su root' failed for lonvick on /dev/pts/8",
        );
        assert_eq!(
            p.time,
            Some(RawTime::Utc(Timestamp(
                ymd_hms(2003, 10, 11, 22, 14, 15).0 + 3_000_000
            )))
        );
        assert_eq!(p.level, Some(Level::Fatal));
        assert_eq!(p.service.as_deref(), Some("su"));
        assert_eq!(p.field(keys::HOST), Some("mymachine.example.com"));
        assert_eq!(p.field(keys::PID), None);
        assert_eq!(p.field("msgid"), Some("ID47"));
        assert_eq!(p.message, "'su root' failed for lonvick on /dev/pts/8");
    }

    // RFC 5424 §6.5 example 2: offset, microseconds, PROCID, no MSGID.
    #[test]
    fn rfc_example_valid_offset_and_procid() {
        let p = event(
            "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
        );
        assert_eq!(
            p.time,
            Some(RawTime::Utc(Timestamp(
                ymd_hms(2003, 8, 24, 12, 14, 15).0 + 3_000
            )))
        );
        assert_eq!(p.level, Some(Level::Notice));
        assert_eq!(p.service.as_deref(), Some("myproc"));
        assert_eq!(p.field(keys::PID), Some("8710"));
        assert_eq!(p.field("msgid"), None);
        assert_eq!(p.message, "%% It's time to make the do-nuts.");
    }

    // RFC 5424 §6.5 example 3.
    #[test]
    fn rfc_example_valid_structured_data_params() {
        let p = event(
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] \u{FEFF}An application event log entry...",
        );
        assert_eq!(p.field("sd.exampleSDID@32473.iut"), Some("3"));
        assert_eq!(
            p.field("sd.exampleSDID@32473.eventSource"),
            Some("Application")
        );
        assert_eq!(p.field("sd.exampleSDID@32473.eventID"), Some("1011"));
        assert_eq!(p.service.as_deref(), Some("evntslog"));
        assert_eq!(p.message, "An application event log entry...");
    }

    // RFC 5424 §6.5 example 4: two SD elements and no MSG.
    #[test]
    fn rfc_example_valid_two_elements_no_message() {
        let p = event(
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]",
        );
        assert_eq!(p.field("sd.examplePriority@32473.class"), Some("high"));
        assert_eq!(p.message, "");
    }

    // RFC 5424 §6.3.5 example 5 style: an SD element without params, and §6.3.3 escapes.
    #[test]
    fn structured_data_valid_escapes_and_empty_element() {
        let p = event(
            r#"<30>1 2024-01-21T15:00:02.123456+00:00 web-1 app 4242 - [origin][meta note="a \"quoted\" \] \\ c:\x"] started"#,
        );
        assert_eq!(p.field("sd.meta.note"), Some(r#"a "quoted" ] \ c:\x"#));
        assert_eq!(p.message, "started");
        assert_eq!(p.level, Some(Level::Info));
    }

    #[test]
    fn structured_data_valid_capped_params() {
        let params: String = (0..20).map(|n| format!(" p{n}=\"{n}\"")).collect();
        let line = format!("<14>1 2024-01-21T15:00:02Z web-1 app - - [x@1{params}] msg");
        let p = event(&line);
        assert_eq!(
            p.fields
                .iter()
                .filter(|(k, _)| k.starts_with("sd."))
                .count(),
            MAX_SD_PARAMS
        );
        assert_eq!(p.message, "msg");
    }

    #[test]
    fn nil_timestamp_valid_inherits_time() {
        let p = event("<13>1 - - - - - - message without time or host");
        assert_eq!(p.time, None);
        assert_eq!(p.service, None);
        assert!(p.fields.is_empty());
        assert_eq!(p.message, "message without time or host");
    }

    // RSYSLOG_SyslogProtocol23Format: rsyslog's %msg% keeps the space after the tag.
    #[test]
    fn rsyslog_protocol23_line_valid_leading_space_trimmed() {
        let p = event(
            "<30>1 2024-01-21T15:00:02.123456+01:00 web-1 systemd 1 - -  nginx.service: Main process exited, code=exited, status=1/FAILURE",
        );
        assert_eq!(
            p.message,
            "nginx.service: Main process exited, code=exited, status=1/FAILURE"
        );
        assert_eq!(p.field(keys::PID), Some("1"));
    }

    #[test]
    fn versioned_line_valid_without_pri() {
        let p = event(
            "1 2024-01-21T15:00:02.123456+00:00 db-1 postgres 4242 - - [3-1] FATAL:  sorry, too many clients already",
        );
        assert!(matches!(p.time, Some(RawTime::Utc(_))));
        assert_eq!(p.level, Some(Level::Fatal));
        assert_eq!(p.service.as_deref(), Some("postgres"));
    }

    #[test]
    fn octet_counted_line_valid() {
        let p = event("76 <13>1 2024-01-21T15:00:02Z web-1 app 12 - - connection reset by peer");
        assert_eq!(p.level, Some(Level::Notice));
        assert_eq!(p.message, "connection reset by peer");
    }

    #[test]
    fn lines_invalid_bad_header() {
        for line in [
            "",
            "<34>",
            "<34>0 2003-10-11T22:14:15.003Z host su - ID47 - x",
            "<192>1 2003-10-11T22:14:15.003Z host su - ID47 - x",
            "<34>1 2003-10-11 22:14:15.003Z host su - ID47 - x",
            "<34>1 2003-10-11T22:14:15.003Z host su - ID47",
            "<34>1 2003-10-11T22:14:15.003Z host su - ID47 -x",
            "<34>1 2003-10-11T22:14:15.003Z host su - ID47 [unterminated a=\"1\"",
            "<34>1 2003-10-11T22:14:15.003Z host su - ID47 [a b=1]",
            "<34>1 2003-10-11T22:14:15.003Z host thisappnameiswaytoolongforrfc5424whichcapsitat48chars - - - x",
            // RFC 5424 §6.3.5 example 4 (invalid): a space after `[`.
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [ exampleSDID@32473 iut=\"3\"] x",
        ] {
            assert_eq!(SyslogRfc5424.parse(line), LineParse::NoMatch, "{line:?}");
        }
        let line = r#"12 <165>1 2003-10-11T22:14:15.003Z h a p m [id@1 k="v\"é\]"][x] é"#;
        for end in 0..=line.len() {
            if let Some(prefix) = line.get(..end) {
                let _ = SyslogRfc5424.parse(prefix);
            }
        }
    }

    #[test]
    fn neighbour_lines_invalid_bsd_syslog_and_others() {
        for line in [
            "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
            "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186",
            "2024-01-21T15:00:02.123456+00:00 web-1 sshd[1234]: Accepted publickey for deploy",
            "1705849202.123456 web-1 sshd[1234]: Connection closed",
            "10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] \"GET / HTTP/1.1\" 200 612 \"-\" \"curl/8.5.0\"",
        ] {
            assert_eq!(SyslogRfc5424.parse(line), LineParse::NoMatch, "{line:?}");
        }
    }

    #[test]
    fn sniff_picks_syslog_rfc5424() {
        let sample = [
            "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \u{FEFF}'su root' failed for lonvick on /dev/pts/8",
            "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] \u{FEFF}An application event log entry...",
        ];
        assert_eq!(
            super::super::sniff(&sample).format.name(),
            SyslogRfc5424::NAME
        );
    }
}
