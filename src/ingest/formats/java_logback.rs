//! java_logback: the text layouts Java applications write through logback, log4j 1.x, log4j2,
//! Spring Boot and java.util.logging (JUL/Tomcat JULI), with their stack traces attached.
//!
//! Instead of one regex per layout, [`JavaLogback`] reads a header line generically, because the
//! layouts are all permutations of the same few conversion words:
//!
//! 1. a timestamp at the start of the line: `2024-01-21 15:00:02,123` (logback/log4j `%d`,
//!    `%d{ISO8601}`), `2024-01-21T15:00:02.123Z` (Spring Boot 3), `17/06/09 20:10:40` (Spark's
//!    `%d{yy/MM/dd HH:mm:ss}`), `21-Jan-2024 15:00:02.123` (Tomcat `OneLineFormatter`),
//!    `21 Jan 2024 15:00:02,123` (log4j `%d{DATE}`), or a time of day only, `15:00:02.123`
//!    (logback's and log4j2's `%d{HH:mm:ss.SSS}`);
//! 2. then, in any order, a level word (`%p`, `%-5level`, Boot's right-aligned `%5p`), a pid
//!    (Boot), the `---` marker (Boot), `[thread]` brackets (padded, with spaces, nested
//!    brackets: `[QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774]`) and a lone
//!    `-` (Zookeeper's `%d - %-5p`);
//! 3. then the logger (`%c`, `%logger{36}`, `%c{1}:%L`, Tomcat's `Class.method`), then the
//!    message after ` : ` (Boot), ` - ` (logback/log4j), `: ` (`%c: %m`, Hadoop/Spark), a
//!    `[File.java:12]` bracket (`[%file:%line]`), or directly after a dotted logger (Tomcat).
//!
//! Continuation lines: everything [`shared::is_java_stack_line`] accepts (`\tat …`,
//! `Caused by: …`, `\t... 12 more`, `java.sql.SQLTransientConnectionException: …`). Other
//! lines are `NoMatch` and, the format being multi-line, continue the previous event.
//!
//! Decisions a reader should know:
//! * time-only layouts (`%d{HH:mm:ss.SSS}`) carry no date: such lines are events with
//!   `time: None` (they inherit the previous event's time, and have none at the start of an
//!   input). They do not count when sniffing, so a time-only file must be named with
//!   `--input-format java_logback`;
//! * JUL's two-line `SimpleFormatter` record (`Jan 21, 2024 3:00:02 PM Class method` then
//!   `INFO: message`) is read statelessly as two events: the first carries the time and the
//!   source (logger), no level; the second carries the level and the message with `time: None`
//!   (it inherits the first line's time). Stack traces follow the second line and attach to it,
//!   so the event that matters (level, message, trace) is complete;
//! * a level must come before the logger. That is what tells Python's
//!   `%(asctime)s - %(name)s - %(levelname)s - %(message)s` apart (`NoMatch` here, so
//!   `python_logging` wins those files). Python layouts that are also valid log4j layouts
//!   (`%(asctime)s %(levelname)s %(name)s: %(message)s` ≡ log4j `%d %p %c: %m`) parse here with
//!   the same time, level, logger and message; ties go to this format. JUL-only level words
//!   (`WARNING`, `SEVERE`, `FINE`, …) are only taken when a `[thread]` follows, as in Tomcat's
//!   layout, so Python's `WARNING app: msg` lines are not claimed;
//! * level words are the upper-case ones Java frameworks print; bracketed levels (`[ERROR]`)
//!   are not read as levels, which keeps MySQL and nginx error logs out.
//!
//! Fields: `thread`, `logger`, `pid`, `application` (Spring Boot 3.2+ `[app]`), `trace_id`
//! (Spring Boot 3.2+ correlation `[traceId-spanId]`).

use super::shared::is_java_stack_line;
use super::{Format, LineParse, Parsed};
use crate::event::{Level, keys};
use crate::time::parse::{parse_day_first, parse_iso8601, parse_two_digit_year};
use crate::time::{RawTime, naive_from_parts};

#[derive(Debug, Default)]
pub struct JavaLogback;

impl JavaLogback {
    pub const NAME: &'static str = "java_logback";
}

/// At most this many header tokens are read between the timestamp and the logger.
const MAX_TOKENS: usize = 12;
/// Brackets remembered per line (Boot 3.4 has up to four: app, group, thread, correlation).
const MAX_BRACKETS: usize = 6;

/// The level words Java frameworks print, and whether the word is JUL-only.
///
/// logback/log4j/log4j2: TRACE DEBUG INFO WARN ERROR FATAL (`ch.qos.logback.classic.Level`,
/// `org.apache.logging.log4j.Level`); JUL: SEVERE WARNING INFO CONFIG FINE FINER FINEST
/// (`java.util.logging.Level`), printed by Tomcat's `OneLineFormatter`.
fn java_level(word: &str) -> Option<(Level, bool)> {
    Some(match word {
        "TRACE" => (Level::Trace, false),
        "DEBUG" => (Level::Debug, false),
        "INFO" => (Level::Info, false),
        "WARN" => (Level::Warn, false),
        "ERROR" => (Level::Error, false),
        "FATAL" => (Level::Fatal, false),
        "SEVERE" => (Level::Error, true),
        "WARNING" => (Level::Warn, true),
        "CONFIG" | "FINE" => (Level::Debug, true),
        "FINER" | "FINEST" => (Level::Trace, true),
        _ => return None,
    })
}

#[inline]
fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    i
}

#[inline]
fn token_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i] != b' ' {
        i += 1;
    }
    i
}

#[inline]
fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

/// `[ … ]` starting at `start` (which holds `[`), nested brackets included. Returns the inner
/// text and the index just after the closing bracket.
///
/// Thread names may hold brackets (Zookeeper's `QuorumPeer[myid=1]/…`), and Spring Boot's
/// console layout `[%15.15t]` cuts long names from the left, which can cut one bracket of a
/// pair away; when the nesting never closes, the first `] ` ends the bracket instead.
fn bracket_at(s: &str, start: usize) -> Option<(&str, usize)> {
    let b = s.as_bytes();
    let mut depth = 0usize;
    for (k, &c) in b.iter().enumerate().skip(start) {
        match c {
            b'[' => depth += 1,
            b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some((s.get(start + 1..k)?, k + 1));
                }
            }
            _ => {}
        }
    }
    let rel = s.get(start..)?.find("] ")?;
    Some((s.get(start + 1..start + rel)?, start + rel + 1))
}

/// `HH:mm:ss` with an optional `.SSS`/`,SSS` fraction (logback `%d{HH:mm:ss.SSS}`, log4j
/// `%d{ABSOLUTE}` = `HH:mm:ss,SSS`). Returns the bytes used. No date, hence no [`RawTime`].
fn time_of_day(b: &[u8]) -> Option<usize> {
    let two = |i: usize| -> Option<u32> {
        let (x, y) = (*b.get(i)?, *b.get(i + 1)?);
        (x.is_ascii_digit() && y.is_ascii_digit())
            .then(|| u32::from(x - b'0') * 10 + u32::from(y - b'0'))
    };
    let (h, m, s) = (two(0)?, two(3)?, two(6)?);
    if b.get(2) != Some(&b':') || b.get(5) != Some(&b':') || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let mut used = 8;
    if matches!(b.get(8), Some(b'.') | Some(b',')) && b.get(9).is_some_and(u8::is_ascii_digit) {
        used = 9;
        while b.get(used).is_some_and(u8::is_ascii_digit) {
            used += 1;
        }
    }
    Some(used)
}

/// JUL `SimpleFormatter`'s default date, `Jan 21, 2024 3:00:02 PM`: `%1$tb %1$td, %1$tY
/// %1$tl:%1$tM:%1$tS %1$Tp` (`DEFAULT_FORMAT` in OpenJDK's
/// `jdk/internal/logger/SimpleConsoleLogger.java`, also `sun.util.logging.LoggingSupport`).
/// English month names and AM/PM only (the JVM prints them in its default locale).
fn jul_time(b: &[u8]) -> Option<(RawTime, usize)> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let month = MONTHS.iter().position(|m| b.get(..3) == Some(&m[..]))? as u32 + 1;
    if b.get(3) != Some(&b' ') {
        return None;
    }
    let mut i = 4;
    let number = |i: &mut usize, max_len: usize| -> Option<u32> {
        let start = *i;
        let mut n = 0u32;
        while *i - start < max_len {
            match b.get(*i) {
                Some(c) if c.is_ascii_digit() => n = n * 10 + u32::from(c - b'0'),
                _ => break,
            }
            *i += 1;
        }
        (*i > start).then_some(n)
    };
    let day = number(&mut i, 2)?;
    if b.get(i..i + 2) != Some(b", ") {
        return None;
    }
    i += 2;
    let year_start = i;
    let year = number(&mut i, 4)?;
    if i - year_start != 4 || b.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    let hour12 = number(&mut i, 2)?;
    if b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    let minute_start = i;
    let minute = number(&mut i, 2)?;
    if i - minute_start != 2 || b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    let second_start = i;
    let second = number(&mut i, 2)?;
    if i - second_start != 2 || b.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    let pm = match b.get(i..i + 2)? {
        b"AM" => false,
        b"PM" => true,
        _ => return None,
    };
    i += 2;
    if !(1..=12).contains(&hour12) {
        return None;
    }
    let hour = (hour12 % 12) + if pm { 12 } else { 0 };
    let naive = naive_from_parts(year as i32, month, day, hour, minute, second, 0)?;
    Some((RawTime::Local(naive), i))
}

/// What a header line says after its timestamp.
#[derive(Debug, Default)]
struct Head<'a> {
    level: Option<Level>,
    pid: Option<&'a str>,
    thread: Option<&'a str>,
    application: Option<&'a str>,
    trace_id: Option<&'a str>,
    logger: Option<&'a str>,
    message: &'a str,
}

/// `[%file:%line]` as logback prints it: `[DemoApplication.java:42]`.
fn is_file_line(inner: &str) -> bool {
    inner
        .rsplit_once(':')
        .is_some_and(|(file, line)| !file.is_empty() && !file.contains(' ') && digits(line))
}

/// Spring Boot 3.2+ correlation bracket: `[traceId-spanId]`, or all blanks when no span is
/// active (`CorrelationIdFormatter` pads to a fixed width).
fn is_correlation(inner: &str) -> bool {
    let t = inner.trim();
    t.is_empty() || (t.contains('-') && t.bytes().all(|c| c.is_ascii_hexdigit() || c == b'-'))
}

/// Spring Cloud Sleuth's `[service1,2485ec27856c56f4,2485ec27856c56f4,true]`: the
/// application and trace id, each possibly empty (`[service1,,]` outside a span).
fn sleuth_ids(inner: &str) -> Option<(Option<&str>, Option<&str>)> {
    let mut parts = inner.split(',');
    let (app, trace, _span) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.clone().count() > 1 || app.contains(' ') {
        return None;
    }
    let hex = |s: &str| s.bytes().all(|c| c.is_ascii_hexdigit());
    if !hex(trace) {
        return None;
    }
    Some((
        (!app.is_empty()).then_some(app),
        (!trace.is_empty()).then_some(trace),
    ))
}

/// Zookeeper's `[%t:%C{1}@%L]`: splits `QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774`
/// into the thread and the class.
fn split_thread_class(inner: &str) -> Option<(&str, &str)> {
    let (thread, class_line) = inner.rsplit_once(':')?;
    let (class, line) = class_line.split_once('@')?;
    let ident = !class.is_empty()
        && class
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'$');
    (ident && digits(line) && !thread.is_empty()).then_some((thread, class))
}

/// The logger token at `rest[i..end]` and where the message starts, or `None` when no
/// separator follows it (the line is then some other format's).
fn logger_and_message(rest: &str, i: usize, end: usize) -> Option<(&str, usize)> {
    let b = rest.as_bytes();
    let tok = rest.get(i..end)?;
    let first = *tok.as_bytes().first()?;
    if !(first.is_ascii_alphanumeric() || first == b'_' || first == b'$' || first == b'.') {
        return None;
    }
    // `%c: %m` (Hadoop, Spark): the colon is glued to the logger.
    if tok.len() > 1 && tok.ends_with(':') {
        return Some((&tok[..tok.len() - 1], end));
    }
    // `%c{1}:%L` (log4j's `%-5p [%t] %c{1}:%L - %m`).
    let (logger, has_line) = match tok.rsplit_once(':') {
        Some((l, n)) if !l.is_empty() && digits(n) => (l, true),
        _ => (tok, false),
    };
    let k = skip_spaces(b, end);
    let dotted = logger.contains('.') && !has_line;
    match b.get(k) {
        // ` - ` (logback/log4j) and ` : ` (Spring Boot), possibly before an empty message.
        Some(b'-') | Some(b':') if matches!(b.get(k + 1), None | Some(b' ')) => {
            Some((logger, k + 1))
        }
        // logback `%logger{10} [%file:%line] %msg`.
        Some(b'[') => match bracket_at(rest, k) {
            Some((inner, after)) if is_file_line(inner) => Some((logger, after)),
            _ if dotted => Some((logger, k)),
            _ => None,
        },
        // Tomcat `OneLineFormatter`: `Class.method message`, no separator.
        Some(_) if dotted => Some((logger, k)),
        None if dotted => Some((logger, k)),
        _ => None,
    }
}

/// Reads everything after the timestamp (see the module doc for the grammar).
fn parse_tail(rest: &str) -> Option<Head<'_>> {
    let b = rest.as_bytes();
    let mut i = 0;
    let mut level = None;
    let mut pid = None;
    let mut boot_at = None;
    let mut brackets = [""; MAX_BRACKETS];
    let mut n = 0;
    let mut logger = None;
    let mut message_at = None;
    for _ in 0..MAX_TOKENS {
        i = skip_spaces(b, i);
        if i >= b.len() {
            break;
        }
        if b[i] == b'[' {
            let (inner, after) = bracket_at(rest, i)?;
            if !matches!(b.get(after), None | Some(b' ')) {
                return None;
            }
            if n < MAX_BRACKETS {
                brackets[n] = inner;
                n += 1;
            }
            i = after;
            continue;
        }
        let end = token_end(b, i);
        let tok = &rest[i..end];
        if tok == "---" {
            // Spring Boot: `%5p ${PID} --- [app] [thread] logger : msg`.
            boot_at = Some(n);
            i = end;
            continue;
        }
        if tok == "-" {
            i = end;
            if level.is_some() {
                // `%-5p [%t] - %m` (Zookeeper), `%p - %m`: no logger.
                message_at = Some(i);
                break;
            }
            // Zookeeper puts one before the level: `%d{ISO8601} - %-5p`.
            continue;
        }
        if level.is_none() {
            if let Some((lvl, jul_only)) = java_level(tok) {
                // JUL words only in Tomcat's `LEVEL [thread]` shape, see the module doc.
                if jul_only && b.get(skip_spaces(b, end)) != Some(&b'[') {
                    return None;
                }
                level = Some(lvl);
                i = end;
                continue;
            }
        }
        if pid.is_none() && tok.len() <= 10 && digits(tok) {
            pid = Some(tok);
            i = end;
            continue;
        }
        // Anything else is the logger, and a level must have come first: Python's
        // `%(asctime)s - %(name)s - %(levelname)s` and other formats stop here.
        level?;
        let (lg, at) = logger_and_message(rest, i, end)?;
        logger = Some(lg);
        message_at = Some(at);
        break;
    }
    let level = level?;
    let message_at = match message_at {
        Some(at) => at,
        // `LEVEL [thread]` and nothing else: an empty message.
        None if i >= b.len() && n > 0 => b.len(),
        None => return None,
    };
    // Trailing blanks are padding some appenders leave (Hadoop's `ERROR IN CONTACTING RM. `).
    let message = rest.get(message_at..)?.trim_start_matches(' ').trim_end();
    let mut head = Head {
        level: Some(level),
        pid,
        logger,
        message,
        ..Head::default()
    };
    let brackets = &brackets[..n];
    if let Some(at) = boot_at {
        // After `---`: `[app] [group] [thread] [correlation]`, each but the thread optional.
        let mut list = brackets.get(at..).unwrap_or(&[]);
        if let [rest @ .., last] = list {
            if !rest.is_empty() && is_correlation(last) {
                let t = last.trim();
                head.trace_id = t.split('-').next().filter(|s| !s.is_empty());
                list = rest;
            }
        }
        head.thread = list.last().map(|t| t.trim());
        if list.len() >= 2 {
            head.application = list.first().map(|a| a.trim());
        }
        // Boot 2 + Spring Cloud Sleuth put `[app,traceId,spanId(,exportable)]` into
        // LOG_LEVEL_PATTERN, before the pid (Sleuth reference, "Log correlation").
        if let Some(sleuth) = brackets
            .get(..at)
            .unwrap_or(&[])
            .iter()
            .find_map(|b| sleuth_ids(b))
        {
            head.application = head.application.or(sleuth.0);
            head.trace_id = head.trace_id.or(sleuth.1);
        }
    } else if let Some((thread, class)) = brackets.iter().find_map(|b| split_thread_class(b)) {
        head.thread = Some(thread);
        if head.logger.is_none() {
            head.logger = Some(class);
        }
    } else {
        head.thread = brackets.first().map(|t| t.trim());
    }
    Some(head)
}

/// A timestamped (or time-of-day) header line.
fn parse_header(line: &str) -> Option<Parsed<'_>> {
    let b = line.as_bytes();
    let (time, used) = if b.get(2) == Some(&b':') {
        (None, time_of_day(b)?)
    } else {
        let (raw, used) = parse_iso8601(b)
            .or_else(|| parse_two_digit_year(b))
            .or_else(|| parse_day_first(b))?;
        (Some(raw), used)
    };
    if b.get(used) != Some(&b' ') {
        return None;
    }
    let head = parse_tail(line.get(used..)?)?;
    let mut parsed = Parsed::new(time, head.level, head.message);
    if let Some(t) = head.thread {
        parsed.push_field(keys::THREAD, t);
    }
    if let Some(l) = head.logger {
        parsed.push_field(keys::LOGGER, l);
    }
    if let Some(p) = head.pid {
        parsed.push_field(keys::PID, p);
    }
    if let Some(a) = head.application {
        parsed.push_field(keys::APPLICATION, a);
    }
    if let Some(t) = head.trace_id {
        parsed.push_field(keys::TRACE_ID, t);
    }
    Some(parsed)
}

/// First line of a JUL `SimpleFormatter` record: `Jan 21, 2024 3:00:02 PM <source>`, where the
/// source (`%2$s`) is `class method`, or the logger name when the caller is unknown.
fn parse_jul_source(line: &str) -> Option<Parsed<'_>> {
    let (raw, used) = jul_time(line.as_bytes())?;
    let source = line.get(used..)?.strip_prefix(' ')?.trim_end();
    let logger = source.split(' ').next().filter(|s| !s.is_empty())?;
    Some(Parsed::new(Some(raw), None, source).with(keys::LOGGER, logger))
}

/// Second line of a JUL `SimpleFormatter` record: `%4$s: %5$s`, e.g. `INFO: Server startup in
/// 1234 ms`. Only the `java.util.logging.Level` names count.
fn parse_jul_level(line: &str) -> Option<Parsed<'_>> {
    let colon = line.bytes().take(8).position(|c| c == b':')?;
    let word = line.get(..colon)?;
    let message = line.get(colon + 1..)?.strip_prefix(' ')?;
    let level = match word {
        "SEVERE" => Level::Error,
        "WARNING" => Level::Warn,
        "INFO" => Level::Info,
        "CONFIG" | "FINE" => Level::Debug,
        "FINER" | "FINEST" => Level::Trace,
        _ => return None,
    };
    Some(Parsed::new(None, Some(level), message.trim_end()))
}

impl Format for JavaLogback {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        let Some(&first) = line.as_bytes().first() else {
            return LineParse::NoMatch;
        };
        // Stack frames (`\tat …`, `\t... 12 more`) and wrapped message lines.
        if first == b'\t' || first == b' ' {
            return LineParse::Continuation;
        }
        let parsed = if first.is_ascii_digit() {
            parse_header(line)
        } else if first.is_ascii_uppercase() {
            parse_jul_source(line).or_else(|| parse_jul_level(line))
        } else {
            None
        };
        match parsed {
            Some(p) => LineParse::Event(p),
            None if is_java_stack_line(line) => LineParse::Continuation,
            None => LineParse::NoMatch,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::ymd_hms;

    fn event(line: &str) -> Parsed<'_> {
        match JavaLogback.parse(line) {
            LineParse::Event(p) => p,
            other => panic!("expected an event for {line:?}, got {other:?}"),
        }
    }

    fn local(p: &Parsed<'_>) -> String {
        match p.time {
            Some(RawTime::Local(t)) => t.to_string(),
            other => panic!("expected a local time, got {other:?}"),
        }
    }

    fn utc(p: &Parsed<'_>) -> crate::event::Timestamp {
        match p.time {
            Some(RawTime::Utc(t)) => t,
            other => panic!("expected a UTC time, got {other:?}"),
        }
    }

    fn sniffed(sample: &[&str]) -> &'static str {
        crate::ingest::formats::sniff(sample).format.name()
    }

    // Spring Boot 2.x / 3.0-3.1: FILE_LOG_PATTERN in spring-boot's
    // org/springframework/boot/logging/logback/defaults.xml (2.x), `%d{yyyy-MM-dd HH:mm:ss.SSS}
    // %5p ${PID:- } --- [%t] %-40.40logger{39} : %m%n`, console `[%15.15t]`.
    const BOOT2: &str = "2024-01-21 15:00:02.123  INFO 12345 --- [           main] c.e.demo.DemoApplication                 : Started DemoApplication in 3.2 seconds (JVM running for 3.8)";
    // Spring Boot 3.2+: `%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %5p ${PID} --- [app] [%15.15t]
    // ${LOG_CORRELATION_PATTERN}%-40.40logger{39} : %m%n`.
    const BOOT32: &str = "2024-01-21T15:00:02.123Z  INFO 12345 --- [demo] [           main] c.e.demo.DemoApplication                 : Started DemoApplication in 3.2 seconds (process running for 3.8)";
    const BOOT32_ERROR: &str = "2024-01-21T15:00:32.125Z ERROR 12345 --- [demo] [nio-8080-exec-1] o.h.engine.jdbc.spi.SqlExceptionHelper   : HikariPool-1 - Connection is not available, request timed out after 30000ms.";
    const BOOT32_SERVLET: &str = "2024-01-21T15:00:32.131Z ERROR 12345 --- [demo] [nio-8080-exec-1] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed: org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC Connection [HikariPool-1 - Connection is not available, request timed out after 30000ms.] [n/a]] with root cause";
    const ZOOKEEPER: &str = "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200";
    const HADOOP: &str = "2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster for application appattempt_1445144423722_0020_000001";
    const SPARK: &str = "17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers for [TERM, HUP, INT]";
    const TOMCAT: &str = "21-Jan-2024 15:00:02.123 SEVERE [http-nio-8080-exec-1] org.apache.catalina.core.StandardWrapperValve.invoke Servlet.service() for servlet [dispatcherServlet] threw exception";

    #[test]
    fn boot2_line_valid_padded_level_thread_and_logger() {
        let p = event(BOOT2);
        assert_eq!(local(&p), "2024-01-21 15:00:02.123");
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(
            p.message,
            "Started DemoApplication in 3.2 seconds (JVM running for 3.8)"
        );
        assert_eq!(p.field(keys::THREAD), Some("main"));
        assert_eq!(p.field(keys::LOGGER), Some("c.e.demo.DemoApplication"));
        assert_eq!(p.field(keys::PID), Some("12345"));
        assert_eq!(p.field(keys::APPLICATION), None);
    }

    #[test]
    fn boot2_line_valid_without_pid() {
        // `${PID:- }` when the PID system property is unset.
        let p = event(
            "2024-01-21 15:00:02.123  WARN   --- [           main] o.s.b.a.orm.jpa.DatabaseLookup           : Unable to determine jdbc url from datasource",
        );
        assert_eq!(p.level, Some(Level::Warn));
        assert_eq!(p.field(keys::PID), None);
        assert_eq!(
            p.field(keys::LOGGER),
            Some("o.s.b.a.orm.jpa.DatabaseLookup")
        );
        assert_eq!(p.message, "Unable to determine jdbc url from datasource");
    }

    #[test]
    fn boot32_line_valid_iso_offset_and_application() {
        let p = event(BOOT32);
        assert_eq!(utc(&p).0, ymd_hms(2024, 1, 21, 15, 0, 2).0 + 123_000_000);
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(p.field(keys::APPLICATION), Some("demo"));
        assert_eq!(p.field(keys::THREAD), Some("main"));
        assert_eq!(p.field(keys::LOGGER), Some("c.e.demo.DemoApplication"));
        assert_eq!(
            p.message,
            "Started DemoApplication in 3.2 seconds (process running for 3.8)"
        );
    }

    #[test]
    fn boot32_line_valid_error_with_truncated_thread() {
        let p = event(BOOT32_ERROR);
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.field(keys::THREAD), Some("nio-8080-exec-1"));
        assert_eq!(
            p.field(keys::LOGGER),
            Some("o.h.engine.jdbc.spi.SqlExceptionHelper")
        );
        assert_eq!(
            p.message,
            "HikariPool-1 - Connection is not available, request timed out after 30000ms."
        );
    }

    #[test]
    fn boot32_line_valid_logger_with_brackets() {
        let p = event(BOOT32_SERVLET);
        assert_eq!(
            p.field(keys::LOGGER),
            Some("o.a.c.c.C.[.[.[/].[dispatcherServlet]")
        );
        assert!(
            p.message
                .starts_with("Servlet.service() for servlet [dispatcherServlet]")
        );
        assert!(p.message.ends_with("with root cause"));
    }

    #[test]
    fn boot32_line_valid_logger_cut_from_the_left_and_plus_offset() {
        // `%-40.40logger{39}` keeps the last 40 characters of a longer name.
        let p = event(
            "2024-01-21T16:00:02.123+01:00  WARN 12345 --- [demo] [nio-8080-exec-2] .w.s.m.s.DefaultHandlerExceptionResolver : Resolved [org.springframework.web.HttpRequestMethodNotSupportedException: Request method 'POST' is not supported]",
        );
        assert_eq!(utc(&p).0, ymd_hms(2024, 1, 21, 15, 0, 2).0 + 123_000_000);
        assert_eq!(
            p.field(keys::LOGGER),
            Some(".w.s.m.s.DefaultHandlerExceptionResolver")
        );
        assert!(p.message.starts_with("Resolved [org.springframework"));
    }

    #[test]
    fn boot34_line_valid_correlation_bracket_is_trace_id() {
        // Boot 3.2+ with tracing: `[traceId-spanId] ` after the thread (CorrelationIdFormatter).
        let p = event(
            "2024-01-21T15:00:02.123Z  INFO 12345 --- [demo] [nio-8080-exec-3] [803b448a0489f84084905d3093480352-3425f23bb2432450] c.e.demo.OrderController                 : Order 42 created",
        );
        assert_eq!(p.field(keys::APPLICATION), Some("demo"));
        assert_eq!(p.field(keys::THREAD), Some("nio-8080-exec-3"));
        assert_eq!(
            p.field(keys::TRACE_ID),
            Some("803b448a0489f84084905d3093480352")
        );
        assert_eq!(p.field(keys::LOGGER), Some("c.e.demo.OrderController"));
        assert_eq!(p.message, "Order 42 created");
    }

    #[test]
    fn boot2_sleuth_line_valid_application_and_trace_from_level_pattern() {
        let p = event(
            "2016-02-26 11:15:47.561  INFO [service1,2485ec27856c56f4,2485ec27856c56f4,true] 68058 --- [nio-8081-exec-1] i.s.c.sleuth.docs.service1.Application   : Hello from service1. Calling service2",
        );
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(p.field(keys::APPLICATION), Some("service1"));
        assert_eq!(p.field(keys::TRACE_ID), Some("2485ec27856c56f4"));
        assert_eq!(p.field(keys::PID), Some("68058"));
        assert_eq!(p.field(keys::THREAD), Some("nio-8081-exec-1"));
        assert_eq!(p.message, "Hello from service1. Calling service2");
    }

    #[test]
    fn logback_time_only_valid_event_without_time() {
        // logback's documented `%d{HH:mm:ss.SSS} [%thread] %-5level %logger{36} - %msg%n`.
        let p = event(
            "15:00:02.123 [main] INFO  c.e.demo.DemoApplication - Started DemoApplication in 3.2 seconds",
        );
        assert_eq!(p.time, None);
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(p.field(keys::THREAD), Some("main"));
        assert_eq!(p.field(keys::LOGGER), Some("c.e.demo.DemoApplication"));
        assert_eq!(p.message, "Started DemoApplication in 3.2 seconds");
    }

    #[test]
    fn logback_dated_line_valid_thread_before_level() {
        let p = event(
            "2024-01-21 15:00:02.123 [http-nio-8080-exec-7] ERROR c.e.demo.web.OrderController - Order lookup failed for id=42",
        );
        assert_eq!(local(&p), "2024-01-21 15:00:02.123");
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.field(keys::THREAD), Some("http-nio-8080-exec-7"));
        assert_eq!(p.field(keys::LOGGER), Some("c.e.demo.web.OrderController"));
        assert_eq!(p.message, "Order lookup failed for id=42");
    }

    #[test]
    fn logback_date_file_line_valid_message_after_file_bracket() {
        // `%date %level [%thread] %logger{10} [%file:%line] %msg%n` (logback manual).
        let p = event(
            "2024-01-21 15:00:02,123 INFO [main] c.e.d.DemoApplication [DemoApplication.java:14] Started DemoApplication in 3.2 seconds",
        );
        assert_eq!(local(&p), "2024-01-21 15:00:02.123");
        assert_eq!(p.field(keys::LOGGER), Some("c.e.d.DemoApplication"));
        assert_eq!(p.message, "Started DemoApplication in 3.2 seconds");
    }

    #[test]
    fn log4j1_line_valid_thread_level_category() {
        // log4j 1.x `%d [%t] %-5p %c - %m%n`.
        let p = event(
            "2024-01-21 15:00:02,123 [main] ERROR com.example.dao.OrderDao - Could not get JDBC Connection",
        );
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.field(keys::THREAD), Some("main"));
        assert_eq!(p.field(keys::LOGGER), Some("com.example.dao.OrderDao"));
        assert_eq!(p.message, "Could not get JDBC Connection");
    }

    #[test]
    fn log4j1_iso8601_line_valid_class_and_line_number() {
        // log4j 1.x `%d{ISO8601} %-5p [%t] %c{1}:%L - %m%n`.
        let p = event(
            "2024-01-21 15:00:02,123 WARN  [http-nio-8080-exec-3] OrderDao:87 - Retrying after timeout",
        );
        assert_eq!(p.level, Some(Level::Warn));
        assert_eq!(p.field(keys::THREAD), Some("http-nio-8080-exec-3"));
        assert_eq!(p.field(keys::LOGGER), Some("OrderDao"));
        assert_eq!(p.message, "Retrying after timeout");
    }

    #[test]
    fn log4j2_default_line_valid_time_only() {
        // log4j2 DefaultConfiguration `%d{HH:mm:ss.SSS} [%t] %-5level %logger{36} - %msg%n`.
        let p =
            event("15:00:02.123 [main] ERROR com.example.App - Failed to start: port 8080 in use");
        assert_eq!(p.time, None);
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.field(keys::LOGGER), Some("com.example.App"));
        assert_eq!(p.message, "Failed to start: port 8080 in use");
    }

    #[test]
    fn log4j2_common_line_valid_level_before_thread() {
        // `%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%t] %c{1} - %msg%n`.
        let p = event("2024-01-21 15:00:02.123 INFO  [main] App - Starting App v1.4.2");
        assert_eq!(local(&p), "2024-01-21 15:00:02.123");
        assert_eq!(p.field(keys::LOGGER), Some("App"));
        assert_eq!(p.message, "Starting App v1.4.2");
    }

    #[test]
    fn zookeeper_line_valid_thread_and_class_split() {
        let p = event(ZOOKEEPER);
        assert_eq!(local(&p), "2015-07-29 17:41:44.747");
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(
            p.field(keys::THREAD),
            Some("QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181")
        );
        assert_eq!(p.field(keys::LOGGER), Some("FastLeaderElection"));
        assert_eq!(p.message, "Notification time out: 3200");
    }

    #[test]
    fn zookeeper_35_line_valid_myid_bracket_before_level() {
        // ZooKeeper 3.5+ `%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n`.
        let p = event(
            "2024-01-21 15:00:02,123 [myid:1] - WARN  [QuorumPeer[myid=1](plain=0.0.0.0:2181)(secure=disabled):Follower@131] - Exception when following the leader",
        );
        assert_eq!(p.level, Some(Level::Warn));
        assert_eq!(p.field(keys::LOGGER), Some("Follower"));
        assert_eq!(
            p.field(keys::THREAD),
            Some("QuorumPeer[myid=1](plain=0.0.0.0:2181)(secure=disabled)")
        );
        assert_eq!(p.message, "Exception when following the leader");
    }

    #[test]
    fn hadoop_line_valid_logger_with_glued_colon() {
        let p = event(HADOOP);
        assert_eq!(local(&p), "2015-10-18 18:01:47.978");
        assert_eq!(p.field(keys::THREAD), Some("main"));
        assert_eq!(
            p.field(keys::LOGGER),
            Some("org.apache.hadoop.mapreduce.v2.app.MRAppMaster")
        );
        assert_eq!(
            p.message,
            "Created MRAppMaster for application appattempt_1445144423722_0020_000001"
        );
    }

    #[test]
    fn spark_line_valid_two_digit_year() {
        let p = event(SPARK);
        assert_eq!(local(&p), "2017-06-09 20:10:40");
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(
            p.field(keys::LOGGER),
            Some("executor.CoarseGrainedExecutorBackend")
        );
        assert_eq!(p.field(keys::THREAD), None);
        assert_eq!(p.message, "Registered signal handlers for [TERM, HUP, INT]");
    }

    #[test]
    fn tomcat_oneline_valid_severe_source_without_separator() {
        let p = event(TOMCAT);
        assert_eq!(local(&p), "2024-01-21 15:00:02.123");
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.field(keys::THREAD), Some("http-nio-8080-exec-1"));
        assert_eq!(
            p.field(keys::LOGGER),
            Some("org.apache.catalina.core.StandardWrapperValve.invoke")
        );
        assert_eq!(
            p.message,
            "Servlet.service() for servlet [dispatcherServlet] threw exception"
        );
    }

    #[test]
    fn tomcat_oneline_valid_warning_level() {
        let p = event(
            "21-Jan-2024 15:00:07.456 WARNING [main] org.apache.catalina.startup.HostConfig.deployDescriptor A docBase [/opt/tomcat/webapps/app] inside the host appBase has been specified, and will be ignored",
        );
        assert_eq!(p.level, Some(Level::Warn));
        assert_eq!(
            p.field(keys::LOGGER),
            Some("org.apache.catalina.startup.HostConfig.deployDescriptor")
        );
    }

    #[test]
    fn jul_simpleformatter_valid_two_lines_two_events() {
        let first = event("Jan 21, 2024 3:00:02 PM org.apache.catalina.startup.Catalina start");
        assert_eq!(local(&first), "2024-01-21 15:00:02");
        assert_eq!(first.level, None);
        assert_eq!(
            first.field(keys::LOGGER),
            Some("org.apache.catalina.startup.Catalina")
        );
        assert_eq!(first.message, "org.apache.catalina.startup.Catalina start");
        let second = event("INFO: Server startup in 1234 ms");
        assert_eq!(second.time, None);
        assert_eq!(second.level, Some(Level::Info));
        assert_eq!(second.message, "Server startup in 1234 ms");
    }

    #[test]
    fn jul_simpleformatter_valid_midnight_and_severe() {
        let first = event(
            "Jan 05, 2024 12:00:01 AM org.apache.catalina.core.StandardContext startInternal",
        );
        assert_eq!(local(&first), "2024-01-05 00:00:01");
        let second = event(
            "SEVERE: One or more listeners failed to start. Full details will be found in the appropriate container log file",
        );
        assert_eq!(second.level, Some(Level::Error));
    }

    #[test]
    fn jul_simpleformatter_invalid_hour_13_and_lowercase_level() {
        assert_eq!(
            JavaLogback
                .parse("Jan 21, 2024 13:00:02 PM org.apache.catalina.startup.Catalina start"),
            LineParse::NoMatch
        );
        assert_eq!(
            JavaLogback.parse("info: Server startup in 1234 ms"),
            LineParse::NoMatch
        );
    }

    #[test]
    fn stack_trace_valid_lines_are_continuations() {
        for line in [
            "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.",
            "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696) ~[HikariCP-5.0.1.jar:na]",
            "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181) ~[HikariCP-5.0.1.jar:na]",
            "Caused by: org.postgresql.util.PSQLException: Connection to db:5432 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.",
            "\t... 86 common frames omitted",
            "\t... 12 more",
            "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space",
        ] {
            assert_eq!(JavaLogback.parse(line), LineParse::Continuation, "{line}");
        }
    }

    #[test]
    fn plain_lines_invalid_no_match_continue_the_event() {
        assert_eq!(JavaLogback.parse(""), LineParse::NoMatch);
        assert_eq!(
            JavaLogback.parse("Hibernate: select o1_0.id from orders o1_0"),
            LineParse::NoMatch
        );
        assert_eq!(
            JavaLogback.parse("  .   ____          _            __ _ _"),
            LineParse::Continuation
        );
    }

    #[test]
    fn header_invalid_level_missing_or_after_logger() {
        assert_eq!(
            JavaLogback.parse("2024-01-21 15:00:02,123 [main] c.e.demo.App - no level here"),
            LineParse::NoMatch
        );
        assert_eq!(
            JavaLogback.parse("2024-01-21 15:00:02,123 c.e.demo.App INFO - level after logger"),
            LineParse::NoMatch
        );
        assert_eq!(
            JavaLogback.parse("2024-01-21 15:00:02,123 INFO Starting server on port 8000"),
            LineParse::NoMatch
        );
        assert_eq!(
            JavaLogback.parse("2024-01-21 15:00:02,123"),
            LineParse::NoMatch
        );
        assert_eq!(
            JavaLogback.parse("99:00:02.123 [main] INFO  c.e.App - x"),
            LineParse::NoMatch
        );
    }

    #[test]
    fn header_invalid_python_layout_with_name_before_level() {
        assert_eq!(
            JavaLogback.parse("2024-01-21 15:00:02,123 - app.db - ERROR - connection to server at \"db\" (10.0.0.5), port 5432 failed"),
            LineParse::NoMatch
        );
        // JUL-only words without Tomcat's `[thread]`: Python's WARNING.
        assert_eq!(
            JavaLogback.parse("2024-01-21 15:00:02,123 WARNING app.db: pool exhausted"),
            LineParse::NoMatch
        );
    }

    #[test]
    fn neighbour_formats_invalid_no_match() {
        for line in [
            "Jan 21 15:00:02 web-1 sshd[2345]: Failed password for invalid user admin from 203.0.113.7 port 51234 ssh2",
            "203.0.113.7 - - [21/Jan/2024:15:00:02 +0000] \"GET /api/orders HTTP/1.1\" 502 157 \"-\" \"curl/8.4.0\"",
            "{\"level\":\"error\",\"ts\":1705849202.123,\"caller\":\"api/handler.go:42\",\"msg\":\"upstream timeout\"}",
            "2024/01/21 15:00:02 [error] 31#31: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 172.18.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://172.18.0.3:8080/\", host: \"localhost\"",
            "2024-01-21 15:00:02.123 UTC [42] FATAL:  sorry, too many clients already",
            "2024-01-21 15:00:02.123 UTC [42] ERROR:  relation \"orders\" does not exist at character 15",
            "2024-01-21T15:00:02.123456Z 0 [ERROR] [MY-012592] [InnoDB] Operating system error number 2 in a file operation.",
            "E0121 15:00:02.123456       1 reflector.go:138] k8s.io/client-go/informers/factory.go:134: Failed to watch *v1.Pod: the server could not find the requested resource",
            "E, [2024-01-21T15:00:02.123456 #1234] ERROR -- : PG::ConnectionBad: could not connect to server",
            "2024-01-21T15:00:02.123456789Z stdout F hello",
            "time=\"2024-01-21T15:00:02Z\" level=error msg=\"upstream timeout\"",
        ] {
            assert_eq!(JavaLogback.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn garbage_invalid_never_panics() {
        for line in [
            "[",
            "2024-01-21 15:00:02 [",
            "2024-01-21 15:00:02 INFO [a",
            "15:0",
            "Jan",
            "Jan 21, ",
            "INFO:",
            "é",
            "2024-01-21 15:00:02 INFO é:",
        ] {
            let _ = JavaLogback.parse(line);
        }
    }

    #[test]
    fn boot_sniff_valid_picks_java_logback() {
        let sample = [BOOT2, BOOT2, BOOT2];
        assert_eq!(sniffed(&sample), JavaLogback::NAME);
        let sample = [
            BOOT32,
            BOOT32_ERROR,
            BOOT32_SERVLET,
            "",
            "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.",
            "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696) ~[HikariCP-5.0.1.jar:na]",
        ];
        assert_eq!(sniffed(&sample), JavaLogback::NAME);
    }

    #[test]
    fn log4j_sniff_valid_picks_java_logback() {
        let sample = [
            "2024-01-21 15:00:02,123 [main] INFO  com.example.App - Starting App v1.4.2",
            "2024-01-21 15:00:02,456 [main] ERROR com.example.dao.OrderDao - Could not get JDBC Connection",
            "Caused by: java.net.ConnectException: Connection refused",
        ];
        assert_eq!(sniffed(&sample), JavaLogback::NAME);
        let sample = [
            "2024-01-21 15:00:02,123 WARN  [http-nio-8080-exec-3] OrderDao:87 - Retrying after timeout",
            "2024-01-21 15:00:02,123 INFO [main] c.e.d.DemoApplication [DemoApplication.java:14] Started DemoApplication in 3.2 seconds",
            "2024-01-21 15:00:02.123 INFO  [main] App - Starting App v1.4.2",
        ];
        assert_eq!(sniffed(&sample), JavaLogback::NAME);
    }

    #[test]
    fn loghub_layouts_sniff_valid_pick_java_logback() {
        assert_eq!(sniffed(&[ZOOKEEPER, ZOOKEEPER]), JavaLogback::NAME);
        assert_eq!(sniffed(&[HADOOP, HADOOP]), JavaLogback::NAME);
        assert_eq!(sniffed(&[SPARK, SPARK]), JavaLogback::NAME);
    }

    #[test]
    fn tomcat_sniff_valid_picks_java_logback() {
        let sample = [
            TOMCAT,
            "\tjava.lang.NullPointerException",
            "21-Jan-2024 15:00:07.456 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [1234] milliseconds",
        ];
        assert_eq!(sniffed(&sample), JavaLogback::NAME);
        let sample = [
            "Jan 21, 2024 3:00:02 PM org.apache.catalina.startup.Catalina start",
            "INFO: Server startup in 1234 ms",
            "Jan 21, 2024 3:00:09 PM org.apache.catalina.core.StandardWrapperValve invoke",
            "SEVERE: Servlet.service() for servlet [jsp] in context with path [] threw exception",
        ];
        assert_eq!(sniffed(&sample), JavaLogback::NAME);
    }
}
