//! json_lines: one JSON object per line, as written by the structured loggers and shippers that
//! print JSON: zap, pino, bunyan, logrus `JSONFormatter`, structlog `JSONRenderer`, Elastic
//! ECS loggers (dotted `log.level` or nested `{"log":{"level":…}}`), Docker's `json-file`
//! driver, CloudWatch Logs events, Serilog compact JSON (CLEF), GELF and `journalctl -o json`.
//!
//! The object is walked once with a borrowing serde visitor ([`Collector`]): no `Value` tree is
//! built, strings without escapes stay borrowed from the line, nested objects are flattened to
//! dotted keys (`request.method`, `log.level`) up to [`MAX_DEPTH`], arrays are skipped. Keys
//! play roles by name (time, level, message, service; see [`role`]); everything else scalar
//! becomes a field, under its canonical key ([`canonical_key`]) where one is obvious, up to
//! [`MAX_FIELDS`] per line.
//!
//! Docker `json-file` records wrap a whole line of another format in `log`: the JSON `time` is
//! kept, the level comes from the inner text when the JSON has none, the trailing `\n` is cut,
//! an inner JSON object is parsed in turn, and indented or `Caused by:` content (a stack trace
//! printed line by line) continues the previous record.
//!
//! [`canonical_key`] and [`latency_seconds`] are shared with the logfmt format.

use super::shared::{find_level_word, level_word_at};
use super::{Format, LineParse, Parsed};
use crate::event::{Level, Timestamp, keys};
use crate::time::RawTime;
use crate::time::parse::{find_timestamp, parse_epoch_f64, parse_epoch_str, parse_iso8601};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// Fields kept per line; the rest are dropped (a metricbeat snapshot has hundreds).
pub const MAX_FIELDS: usize = 32;
/// Nesting depth flattened into dotted keys (`kubernetes.labels.app` is depth 2).
pub const MAX_DEPTH: u8 = 3;

#[derive(Debug, Default)]
pub struct JsonLines;

impl JsonLines {
    pub const NAME: &'static str = "json_lines";
}

impl Format for JsonLines {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        parse_record(line, false)
    }

    fn multiline(&self) -> bool {
        false
    }
}

/// Parses one JSON line. `nested` is set for a JSON object found inside another record's
/// message (Docker `log`, CloudWatch `message`), which is not unwrapped again.
fn parse_record(line: &str, nested: bool) -> LineParse<'_> {
    // A UTF-8 byte-order mark may precede the first line of a file written on Windows.
    let trimmed = line.trim().trim_start_matches('\u{feff}');
    // Cheap rejection before serde: an object starts with `{` and a complete one ends with `}`.
    if !trimmed.starts_with('{') || !trimmed.ends_with('}') {
        return LineParse::NoMatch;
    }
    let mut out = Collector::default();
    let mut de = serde_json::Deserializer::from_str(trimmed);
    if de.deserialize_map(Root { out: &mut out }).is_err() || de.end().is_err() {
        return LineParse::NoMatch;
    }
    out.finish(nested)
}

/// What a key means in a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// Lower rank wins when a record has several candidates.
    Time(u8),
    Level(u8),
    Message(u8),
    Service(u8),
    /// bunyan/pino logger name: the service only when the record is bunyan/pino-shaped.
    Name,
    /// Docker `json-file` stream (`stdout`/`stderr`).
    Stream,
    /// bunyan's record version `v`: marks the record as bunyan, otherwise useless.
    BunyanVersion,
    /// `hostname`, written by bunyan and pino (and kept as the `host` field).
    Hostname,
    Other,
}

/// Key aliases by producer:
/// * time: `ts` (zap), `time` (pino, bunyan, logrus, slog, Docker), `timestamp` (structlog,
///   CloudWatch `FilteredLogEvent`, GELF), `@timestamp` (Logstash/ECS), `@t` (Serilog CLEF),
///   `__REALTIME_TIMESTAMP` (journald), `asctime` (python-json-logger), `t`/`date`/`datetime`;
/// * level: `level` (most), `log.level` (ECS), `lvl`, `severity` (Google Cloud Logging),
///   `levelname` (python-json-logger), `@l` (CLEF), `PRIORITY` (journald);
/// * message: `msg`, `message`, `@m`, `MESSAGE`, `short_message` (GELF), `textPayload`, `log`
///   (Docker), `event` (structlog), `@mt` (CLEF template);
/// * service: `service`, `service.name` (ECS), `app`, `application`, `SYSLOG_IDENTIFIER`,
///   CloudWatch `logGroup`/`logGroupName`, and bunyan/pino `name`.
fn role(key: &str, depth: u8) -> Role {
    if depth > 0 {
        // Nested ECS objects flatten to the same dotted keys as ECS's own dotted style.
        return match key {
            "log.level" => Role::Level(0),
            "service.name" => Role::Service(0),
            _ => Role::Other,
        };
    }
    match key {
        "@timestamp" => Role::Time(0),
        "ts" | "time" | "timestamp" | "@t" | "__REALTIME_TIMESTAMP" => Role::Time(1),
        "asctime" | "datetime" | "date" | "t" => Role::Time(2),
        "level" | "log.level" | "@l" => Role::Level(0),
        "lvl" | "severity" | "levelname" | "loglevel" | "log_level" | "level_name" | "PRIORITY" => {
            Role::Level(1)
        }
        "msg" | "message" | "@m" | "MESSAGE" | "short_message" | "textPayload" => Role::Message(0),
        "log" => Role::Message(1),
        "event" => Role::Message(2),
        "@mt" => Role::Message(3),
        "service" | "service.name" | "service_name" | "serviceName" => Role::Service(0),
        "app" | "application" | "SYSLOG_IDENTIFIER" => Role::Service(1),
        "logGroup" | "logGroupName" => Role::Service(2),
        "name" => Role::Name,
        "stream" => Role::Stream,
        "v" => Role::BunyanVersion,
        "hostname" => Role::Hostname,
        _ => Role::Other,
    }
}

/// A scalar JSON value.
#[derive(Debug)]
enum Scalar<'a> {
    Str(Cow<'a, str>),
    U64(u64),
    I64(i64),
    F64(f64),
    Bool(bool),
    Null,
}

/// The best message candidate so far, with the key it came from (Docker's is `log`).
#[derive(Debug)]
struct Message<'a> {
    rank: u8,
    key: Cow<'a, str>,
    text: Cow<'a, str>,
}

/// Everything learned from one record while serde walks it.
#[derive(Debug, Default)]
struct Collector<'a> {
    time: Option<(u8, RawTime)>,
    level: Option<(u8, Level)>,
    message: Option<Message<'a>>,
    service: Option<(u8, Cow<'a, str>)>,
    name: Option<Cow<'a, str>>,
    bunyan_like: bool,
    saw_stream: bool,
    clef: bool,
    fields: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> Collector<'a> {
    fn fields_full(&self) -> bool {
        self.fields.len() >= MAX_FIELDS
    }

    fn scalar(&mut self, key: Cow<'a, str>, depth: u8, value: Scalar<'a>) {
        match role(&key, depth) {
            Role::Time(rank) => {
                if self.time.is_none_or(|(r, _)| rank < r) {
                    if let Some(t) = time_of(&value) {
                        self.time = Some((rank, t));
                        if key == "@t" {
                            self.clef = true;
                        }
                        return;
                    }
                }
            }
            Role::Level(rank) => {
                if key == "@l" {
                    self.clef = true;
                }
                if self.level.is_none_or(|(r, _)| rank < r) {
                    if let Some(l) = level_of(&value) {
                        self.level = Some((rank, l));
                        return;
                    }
                }
            }
            Role::Message(rank) => {
                if self.message.as_ref().is_none_or(|m| rank < m.rank) {
                    if let Scalar::Str(text) = value {
                        // A weaker candidate that lost its place is kept as a field.
                        if let Some(old) = self.message.take() {
                            self.push_str_field(old.key, old.text);
                        }
                        self.message = Some(Message { rank, key, text });
                        return;
                    }
                }
            }
            Role::Service(rank) => {
                if self.service.as_ref().is_none_or(|(r, _)| rank < *r) {
                    match value {
                        Scalar::Str(s) if !s.trim().is_empty() && rank < 2 => {
                            self.service = Some((rank, s));
                            return;
                        }
                        // A CloudWatch log group (`/aws/lambda/checkout`) names the function
                        // in its last part; the group itself stays a field.
                        Scalar::Str(ref s) if !s.trim().is_empty() => {
                            let name = match *s {
                                Cow::Borrowed(b) => Cow::Borrowed(last_path_part(b)),
                                Cow::Owned(ref o) => Cow::Owned(last_path_part(o).to_string()),
                            };
                            self.service = Some((rank, name));
                            self.push_field(key, value);
                            return;
                        }
                        _ => {}
                    }
                }
            }
            Role::Name => {
                if let Scalar::Str(s) = value {
                    if self.name.is_none() {
                        self.name = Some(s);
                        return;
                    }
                    self.push_str_field(key, s);
                    return;
                }
            }
            Role::Stream => self.saw_stream = true,
            Role::BunyanVersion => {
                self.bunyan_like = true;
                return;
            }
            Role::Hostname => self.bunyan_like = true,
            Role::Other => {}
        }
        self.push_field(key, value);
    }

    fn push_field(&mut self, key: Cow<'a, str>, value: Scalar<'a>) {
        if self.fields_full() {
            return;
        }
        let text: Cow<'a, str> = match value {
            Scalar::Str(s) => s,
            Scalar::U64(n) => Cow::Owned(n.to_string()),
            Scalar::I64(n) => Cow::Owned(n.to_string()),
            Scalar::F64(v) => Cow::Owned(v.to_string()),
            Scalar::Bool(b) => Cow::Borrowed(if b { "true" } else { "false" }),
            Scalar::Null => return,
        };
        self.push_str_field(key, text);
    }

    fn push_str_field(&mut self, key: Cow<'a, str>, value: Cow<'a, str>) {
        push_canonical(&mut self.fields, key, value);
    }

    fn finish(self, nested: bool) -> LineParse<'a> {
        let Collector {
            time,
            level,
            message,
            service,
            name,
            bunyan_like,
            saw_stream,
            clef,
            mut fields,
        } = self;
        if time.is_none() && level.is_none() && message.is_none() {
            // An object with no time, level or message is data, not a log record.
            return LineParse::NoMatch;
        }
        let mut time = time.map(|(_, t)| t);
        let mut level = level.map(|(_, l)| l);
        let (message, from_docker_log) = match message {
            Some(m) => {
                let docker = m.key == "log" && saw_stream;
                (trim_newline(m.text), docker)
            }
            None => (Cow::Borrowed(""), false),
        };
        let mut service = service.map(|(_, s)| s);
        match name {
            Some(n) if bunyan_like && service.is_none() => service = Some(n),
            Some(n) => push_canonical(&mut fields, Cow::Borrowed("name"), n),
            None => {}
        }
        if from_docker_log && !nested && is_continuation_text(&message) {
            return LineParse::Continuation;
        }
        let mut message = message;
        // A JSON record inside the message (an app logging JSON under Docker or to
        // CloudWatch): its level, message and fields are the record's.
        if !nested && level.is_none() && message.trim_start().starts_with('{') {
            if let LineParse::Event(inner) = parse_record(&message, true) {
                let inner = owned(inner);
                level = inner.level;
                time = time.or(inner.time);
                if service.is_none() {
                    service = inner.service;
                }
                for (k, v) in inner.fields {
                    push_canonical(&mut fields, k, v);
                }
                message = inner.message;
            }
        }
        if level.is_none() && (from_docker_log || starts_with_timestamp(&message)) {
            level = level_from_text(&message);
        }
        if level.is_none() && clef {
            // CLEF leaves `@l` out for Information events.
            level = Some(Level::Info);
        }
        if message.is_empty() {
            if let Some(err) = ["error", "err", "error.message", "err.message"]
                .iter()
                .find_map(|k| {
                    fields
                        .iter()
                        .find(|(fk, _)| fk == k)
                        .map(|(_, v)| v.clone())
                })
            {
                message = err;
            }
        }
        LineParse::Event(Parsed {
            time,
            level,
            message,
            service,
            fields,
        })
    }
}

fn last_path_part(s: &str) -> &str {
    let t = s.trim_end_matches('/');
    t.rsplit('/').next().filter(|p| !p.is_empty()).unwrap_or(t)
}

/// Pushes a field under its canonical key where one is obvious, without duplicating a
/// canonical key already set, skipping empty and `-` values, and stopping at [`MAX_FIELDS`].
pub(crate) fn push_canonical<'a>(
    fields: &mut Vec<(Cow<'a, str>, Cow<'a, str>)>,
    key: Cow<'a, str>,
    value: Cow<'a, str>,
) {
    if fields.len() >= MAX_FIELDS || value.is_empty() || value == "-" {
        return;
    }
    let (key, value) = if let Some(secs) = latency_seconds(&key, &value) {
        (Cow::Borrowed(keys::HTTP_LATENCY), Cow::Owned(secs))
    } else {
        match canonical_key(&key, &value) {
            Some(canon) => (Cow::Borrowed(canon), value),
            None => (key, value),
        }
    };
    if fields.iter().any(|(k, _)| *k == key) {
        return;
    }
    fields.push((key, value));
}

/// The canonical key for a JSON or logfmt key, when the meaning is obvious. `status` only
/// counts as an HTTP status when it is a number from 100 to 599.
pub(crate) fn canonical_key(key: &str, value: &str) -> Option<&'static str> {
    let canon = match key {
        "status"
        | "status_code"
        | "statusCode"
        | "http.status"
        | "http.status_code"
        | "http_status"
        | "http.response.status_code"
        | "res.statusCode"
        | "response.status" => {
            let ok =
                value.len() == 3 && value.parse::<u16>().is_ok_and(|n| (100..=599).contains(&n));
            return ok.then_some(keys::HTTP_STATUS);
        }
        "method"
        | "http.method"
        | "http_method"
        | "http.request.method"
        | "req.method"
        | "request.method" => keys::HTTP_METHOD,
        "path" | "url" | "uri" | "request_uri" | "http.path" | "http.url" | "url.path"
        | "url.original" | "req.url" | "request.uri" | "request.url" | "request.path" => {
            keys::HTTP_PATH
        }
        "request.proto" | "http.version" | "http.protocol" => keys::HTTP_PROTOCOL,
        "bytes" | "bytes_sent" | "body_bytes_sent" | "http.response.body.bytes" => keys::HTTP_BYTES,
        "user_agent" | "userAgent" | "http.user_agent" | "user_agent.original" => {
            keys::HTTP_USER_AGENT
        }
        "referer" | "referrer" | "http.referer" | "http.request.referrer" => keys::HTTP_REFERER,
        "remote_addr" | "remote_ip" | "remoteAddress" | "client_ip" | "clientIp" | "ip"
        | "client.ip" | "client.address" | "source.ip" | "source.address" | "req.remoteAddress"
        | "request.remote_ip" | "request.client_ip" | "fwd" => keys::CLIENT,
        "upstream" | "upstream_addr" => keys::UPSTREAM,
        "request_id" | "req_id" | "requestId" | "requestID" | "reqId" | "x_request_id"
        | "http.request.id" | "req.id" => keys::REQUEST_ID,
        "trace_id" | "traceId" | "traceID" | "trace.id" | "dd.trace_id" => keys::TRACE_ID,
        "pid" | "process.pid" | "_PID" => keys::PID,
        "host" | "hostname" | "host.name" | "host.hostname" | "_HOSTNAME" => keys::HOST,
        "logger" | "logger_name" | "loggerName" | "log.logger" | "logger.name" => keys::LOGGER,
        "thread" | "thread_name" | "threadName" | "process.thread.name" => keys::THREAD,
        "stream" => keys::STREAM,
        "error_code" | "errorCode" | "error.code" => keys::ERROR_CODE,
        // Heroku router error codes (`code=H12`): a letter and two digits.
        "code" if is_heroku_code(value) => keys::ERROR_CODE,
        "user" | "user_id" | "userId" | "username" | "user.name" | "user.id" => keys::USER,
        "database" | "db.name" => keys::DATABASE,
        "kubernetes.pod_name" | "k8s.pod.name" => keys::POD,
        "kubernetes.namespace_name" | "k8s.namespace.name" => keys::NAMESPACE,
        "kubernetes.container_name" | "k8s.container.name" => keys::CONTAINER,
        _ => return None,
    };
    Some(canon)
}

fn is_heroku_code(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 3 && b[0].is_ascii_uppercase() && b[1].is_ascii_digit() && b[2].is_ascii_digit()
}

/// Seconds per unit of a latency key's bare numbers, or `None` if the key is not a latency.
/// zap's production config encodes durations as float seconds (`SecondsDurationEncoder`);
/// pino-http's `responseTime` is in milliseconds; ECS `event.duration` in nanoseconds.
fn latency_unit(key: &str) -> Option<f64> {
    Some(match key {
        "duration" | "latency" | "elapsed" | "took" | "request_time" | "response_time"
        | "duration_s" | "latency_s" | "elapsed_s" => 1.0,
        "duration_ms" | "latency_ms" | "elapsed_ms" | "took_ms" | "durationMs" | "latencyMs"
        | "elapsedMs" | "responseTime" | "response_time_ms" | "processing_time_ms" => 1e-3,
        "duration_us" | "latency_us" => 1e-6,
        "duration_ns" | "latency_ns" | "event.duration" => 1e-9,
        // Heroku router: `service=30001ms`, the time the dyno took. Only a duration with a unit
        // counts (a bare `service=api` is a service name).
        "service" => 0.0,
        _ => return None,
    })
}

/// A latency field converted to seconds (as `http.latency_s` wants), from a bare number in the
/// key's unit or a Go-style duration string (`2.3ms`, `1m2.5s`, `355.088µs`).
pub(crate) fn latency_seconds(key: &str, value: &str) -> Option<String> {
    let unit = latency_unit(key)?;
    let v = value.trim();
    let secs = match v.parse::<f64>() {
        Ok(n) if unit > 0.0 => n * unit,
        Ok(_) => return None,
        Err(_) => parse_go_duration(v)?,
    };
    if !secs.is_finite() || secs < 0.0 {
        return None;
    }
    let s = format!("{secs:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    Some(if s.is_empty() {
        "0".to_string()
    } else {
        s.to_string()
    })
}

/// Go `time.Duration.String()` output: `1h2m3.5s`, `2.3ms`, `355.088µs`, `30001ms`.
fn parse_go_duration(s: &str) -> Option<f64> {
    let mut rest = s;
    let mut total = 0.0;
    let mut any = false;
    while !rest.is_empty() {
        let num_len = rest
            .bytes()
            .take_while(|c| c.is_ascii_digit() || *c == b'.')
            .count();
        if num_len == 0 {
            return None;
        }
        let n: f64 = rest.get(..num_len)?.parse().ok()?;
        rest = rest.get(num_len..)?;
        let (scale, unit_len) = if rest.starts_with("ns") {
            (1e-9, 2)
        } else if rest.starts_with("us") {
            (1e-6, 2)
        } else if rest.starts_with("µs") || rest.starts_with("μs") {
            (1e-6, "µs".len())
        } else if rest.starts_with("ms") {
            (1e-3, 2)
        } else if rest.starts_with('s') {
            (1.0, 1)
        } else if rest.starts_with('m') {
            (60.0, 1)
        } else if rest.starts_with('h') {
            (3600.0, 1)
        } else {
            return None;
        };
        total += n * scale;
        rest = rest.get(unit_len..)?;
        any = true;
    }
    any.then_some(total)
}

/// A time value: an RFC 3339 / ISO 8601 string (and the other shapes the time module knows),
/// or an epoch number in s, ms, µs or ns.
fn time_of(value: &Scalar<'_>) -> Option<RawTime> {
    match value {
        Scalar::Str(s) => parse_time_str(s),
        Scalar::U64(n) => epoch_u64(*n).map(RawTime::Utc),
        Scalar::I64(n) => u64::try_from(*n).ok().and_then(epoch_u64).map(RawTime::Utc),
        // A float epoch (zap `ts`) carries about 0.2 µs of binary noise at today's
        // magnitudes: rounding to whole microseconds gives back the printed digits.
        Scalar::F64(v) => parse_epoch_f64(*v).map(|t| RawTime::Utc(round_micros(t))),
        _ => None,
    }
}

/// A time given as a string: ISO 8601 first (the common case), then an epoch number, then any
/// other shape near the start (`21/Jan/2024:15:00:02 +0000`, `Sun Jan 21 15:00:02 2024`).
pub(crate) fn parse_time_str(s: &str) -> Option<RawTime> {
    let t = s.trim();
    let b = t.as_bytes();
    if b.first().is_some_and(u8::is_ascii_digit) {
        if let Some((raw, _)) = parse_iso8601(b) {
            return Some(raw);
        }
        if b.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
            return parse_epoch_str(t).map(RawTime::Utc);
        }
    }
    find_timestamp(t).map(|(raw, _)| raw)
}

fn round_micros(t: Timestamp) -> Timestamp {
    Timestamp(
        t.0.saturating_add(500)
            .div_euclid(1_000)
            .saturating_mul(1_000),
    )
}

/// An integer epoch through [`parse_epoch_str`] (which guesses the unit from the magnitude),
/// via a stack buffer rather than an allocation.
fn epoch_u64(n: u64) -> Option<Timestamp> {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut v = n;
    loop {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            *slot = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 || i == 0 {
            break;
        }
    }
    parse_epoch_str(std::str::from_utf8(buf.get(i..)?).ok()?)
}

fn level_of(value: &Scalar<'_>) -> Option<Level> {
    match value {
        Scalar::Str(s) => level_from_word(s),
        Scalar::U64(n) => i64::try_from(*n).ok().and_then(numeric_level),
        Scalar::I64(n) => numeric_level(*n),
        Scalar::F64(v) if v.fract() == 0.0 && v.abs() < 1e6 => numeric_level(*v as i64),
        _ => None,
    }
}

/// Numeric levels: 0–7 are syslog severities (GELF, journald `PRIORITY`), 10–60 bunyan/pino.
fn numeric_level(n: i64) -> Option<Level> {
    match n {
        0..=7 => Some(Level::from_syslog_severity(n as u8)),
        10..=60 => Level::from_bunyan_number(n),
        _ => None,
    }
}

/// A level word as JSON/logfmt loggers print it. Beyond [`Level::parse`]: zap's `dpanic`
/// (logged as an error in production), slog's offsets from a named level (`WARN+2`,
/// `DEBUG-4`), and numbers given as strings (`"30"`, journald `"3"`).
pub(crate) fn level_from_word(s: &str) -> Option<Level> {
    let t = s.trim();
    if let Some(l) = Level::parse(t) {
        return Some(l);
    }
    if t.eq_ignore_ascii_case("dpanic") {
        return Some(Level::Error);
    }
    if !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit()) && t.len() <= 3 {
        return t.parse().ok().and_then(numeric_level);
    }
    if let Some(pos) = t.find(['+', '-']) {
        let (base, offset) = t.split_at(pos);
        if offset.len() > 1 && offset.bytes().skip(1).all(|c| c.is_ascii_digit()) {
            return Level::parse(base);
        }
    }
    None
}

fn starts_with_timestamp(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && find_timestamp(s).is_some_and(|(_, r)| r.start == 0)
}

/// The level of a line of another format carried as a message (Docker `log`, a CloudWatch
/// Lambda line): a level word among the first words after a leading timestamp, or the first
/// two words when there is no timestamp.
pub(crate) fn level_from_text(text: &str) -> Option<Level> {
    if let Some((_, range)) = find_timestamp(text) {
        if range.start <= 1 {
            let rest = text.get(range.end..)?;
            return find_level_word(rest, 5).map(|(l, _, _)| l);
        }
    }
    find_level_word(text, 2).map(|(l, _, _)| l)
}

/// A line that continues the previous record when a container prints a stack trace line by
/// line: indented frames (`\tat …`, `  File "…"`), `Caused by: …`, Python's traceback header
/// and chaining lines.
pub(crate) fn is_continuation_text(text: &str) -> bool {
    if text.trim().is_empty() {
        return true;
    }
    text.starts_with([' ', '\t'])
        || text.starts_with("Caused by: ")
        || text.starts_with("Suppressed: ")
        || text.starts_with("Traceback (most recent call last):")
        || text.starts_with("During handling of the above exception")
        || text.starts_with("The above exception was the direct cause")
}

/// A leading level word only (the conservative guess for a bare line).
pub(crate) fn leading_level(text: &str) -> Option<Level> {
    level_word_at(text).map(|(l, _)| l)
}

fn trim_newline(m: Cow<'_, str>) -> Cow<'_, str> {
    match m {
        Cow::Borrowed(b) => Cow::Borrowed(b.trim_end_matches(['\n', '\r'])),
        Cow::Owned(mut o) => {
            let keep = o.trim_end_matches(['\n', '\r']).len();
            o.truncate(keep);
            Cow::Owned(o)
        }
    }
}

fn own(c: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(c.into_owned())
}

/// Detaches a [`Parsed`] from the buffer it borrows (an unescaped inner JSON string).
fn owned(p: Parsed<'_>) -> Parsed<'static> {
    Parsed {
        time: p.time,
        level: p.level,
        message: own(p.message),
        service: p.service.map(own),
        fields: p
            .fields
            .into_iter()
            .map(|(k, v)| (own(k), own(v)))
            .collect(),
    }
}

/// The top-level object.
struct Root<'c, 'a> {
    out: &'c mut Collector<'a>,
}

impl<'a> Visitor<'a> for Root<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<(), A::Error> {
        let out = self.out;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if out.fields_full() && role(&key, 0) == Role::Other && !has_nested_roles(&key) {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            map.next_value_seed(ValueSeed {
                out: &mut *out,
                key,
                depth: 0,
            })?;
        }
        Ok(())
    }
}

/// Top-level keys whose nested object holds a role (`{"log":{"level":…}}`,
/// `{"service":{"name":…}}`, `{"error":{"message":…}}`).
fn has_nested_roles(key: &str) -> bool {
    matches!(key, "log" | "service" | "error" | "err")
}

/// Keys borrow from the line when they have no escapes.
struct KeySeed;

impl<'a> DeserializeSeed<'a> for KeySeed {
    type Value = Cow<'a, str>;

    fn deserialize<D: Deserializer<'a>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(KeySeed)
    }
}

impl<'a> Visitor<'a> for KeySeed {
    type Value = Cow<'a, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E>(self, v: &'a str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// One value under `key` (already dotted for nested objects) at nesting `depth`.
struct ValueSeed<'c, 'a> {
    out: &'c mut Collector<'a>,
    key: Cow<'a, str>,
    depth: u8,
}

impl<'a> DeserializeSeed<'a> for ValueSeed<'_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'a>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'a> ValueSeed<'_, 'a> {
    fn put(self, value: Scalar<'a>) {
        self.out.scalar(self.key, self.depth, value);
    }
}

impl<'a> Visitor<'a> for ValueSeed<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.put(Scalar::Bool(v));
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.put(Scalar::I64(v));
        Ok(())
    }

    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.put(Scalar::U64(v));
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.put(Scalar::F64(v));
        Ok(())
    }

    fn visit_borrowed_str<E>(self, v: &'a str) -> Result<(), E> {
        self.put(Scalar::Str(Cow::Borrowed(v)));
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.put(Scalar::Str(Cow::Owned(v.to_owned())));
        Ok(())
    }

    fn visit_string<E>(self, v: String) -> Result<(), E> {
        self.put(Scalar::Str(Cow::Owned(v)));
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.put(Scalar::Null);
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        self.put(Scalar::Null);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'a>>(self, mut seq: A) -> Result<(), A::Error> {
        // Arrays (headers, tags, stack frames as lists) are not fields.
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<(), A::Error> {
        let ValueSeed { out, key, depth } = self;
        let deeper = depth + 1;
        while let Some(child) = map.next_key_seed(KeySeed)? {
            if deeper > MAX_DEPTH || (out.fields_full() && !has_nested_roles(&key)) {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let full = Cow::Owned(format!("{key}.{child}"));
            map.next_value_seed(ValueSeed {
                out: &mut *out,
                key: full,
                depth: deeper,
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::ymd_hms;

    fn event(line: &str) -> Parsed<'_> {
        match JsonLines.parse(line) {
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

    // zap production encoder, as printed by Jaeger all-in-one 1.55.
    #[test]
    fn zap_line_valid_float_epoch_seconds() {
        let p = event(
            r#"{"level":"info","ts":1711686382.7595186,"caller":"grpc@v1.62.0/clientconn.go:532","msg":"[core][Channel #1] Channel Connectivity change to READY","system":"grpc","grpc_log":true}"#,
        );
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(utc(&p), at(2024, 3, 29, 4, 26, 22, 759_519_000));
        assert_eq!(
            p.message,
            "[core][Channel #1] Channel Connectivity change to READY"
        );
        assert_eq!(p.field("caller"), Some("grpc@v1.62.0/clientconn.go:532"));
        assert_eq!(p.field("grpc_log"), Some("true"));
    }

    // zap as used by operator-sdk / controller-runtime: `logger` is a field, not the service.
    #[test]
    fn zap_line_valid_logger_is_a_field() {
        let p = event(
            r#"{"level":"info","ts":1595899073.9861593,"logger":"cmd","msg":"Version","Go Version":"go1.13.12","GOOS":"linux","GOARCH":"amd64","ansible-operator":"v0.19.0+git"}"#,
        );
        assert_eq!(p.service, None);
        assert_eq!(p.field(keys::LOGGER), Some("cmd"));
        assert_eq!(p.field("Go Version"), Some("go1.13.12"));
    }

    #[test]
    fn zap_line_valid_dpanic_level_and_seconds_duration() {
        let p = event(
            r#"{"level":"dpanic","ts":1705849202.123,"caller":"api/handler.go:88","msg":"unexpected nil session","latency":0.250301}"#,
        );
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(utc(&p), at(2024, 1, 21, 15, 0, 2, 123_000_000));
        assert_eq!(p.field(keys::HTTP_LATENCY), Some("0.250301"));
    }

    // Caddy's access log is zap JSON with the request nested.
    #[test]
    fn caddy_access_valid_nested_request_flattened() {
        let p = event(
            r#"{"level":"info","ts":1646861401.5241024,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"127.0.0.1","remote_port":"41342","client_ip":"127.0.0.1","proto":"HTTP/2.0","method":"GET","host":"localhost","uri":"/","headers":{"User-Agent":["curl/7.82.0"],"Accept":["*/*"]}},"bytes_read":0,"user_id":"","duration":0.000929675,"size":1090000000,"status":200}"#,
        );
        assert_eq!(p.field(keys::HTTP_METHOD), Some("GET"));
        assert_eq!(p.field(keys::HTTP_PATH), Some("/"));
        assert_eq!(p.field(keys::HTTP_PROTOCOL), Some("HTTP/2.0"));
        assert_eq!(p.field(keys::CLIENT), Some("127.0.0.1"));
        assert_eq!(p.field(keys::HTTP_STATUS), Some("200"));
        assert_eq!(p.field(keys::HTTP_LATENCY), Some("0.00093"));
        assert_eq!(p.field("request.headers.User-Agent"), None);
    }

    // pino default output (as seen in a Heroku app log).
    #[test]
    fn pino_line_valid_epoch_millis_numeric_level() {
        let p = event(
            r#"{"level":30,"time":1680816057540,"pid":20,"hostname":"c3a624ba-d308-4253-ae50-634ff7c76442","msg":"Starting function w/ args: /app/proxy/../node_modules/@heroku/sf-fx-runtime-nodejs/bin/cli.js serve /app/proxy/.. -p 8080"}"#,
        );
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(utc(&p), at(2023, 4, 6, 21, 20, 57, 540_000_000));
        assert_eq!(p.field(keys::PID), Some("20"));
        assert_eq!(
            p.field(keys::HOST),
            Some("c3a624ba-d308-4253-ae50-634ff7c76442")
        );
    }

    // pino-http: `req`/`res` objects, `responseTime` in milliseconds.
    #[test]
    fn pino_http_valid_req_res_objects() {
        let p = event(
            r#"{"level":30,"time":1752247565657,"pid":16521,"hostname":"5018543-bi97187","reqId":"req-1pd","req":{"method":"GET","url":"/api/telemetry/delta?since=1752247542401","host":"fleetmonitor.ru","remoteAddress":"127.0.0.1","remotePort":44088},"res":{"statusCode":200},"responseTime":0.5452889949083328,"msg":"request completed"}"#,
        );
        assert_eq!(p.field(keys::REQUEST_ID), Some("req-1pd"));
        assert_eq!(p.field(keys::HTTP_METHOD), Some("GET"));
        assert_eq!(
            p.field(keys::HTTP_PATH),
            Some("/api/telemetry/delta?since=1752247542401")
        );
        assert_eq!(p.field(keys::CLIENT), Some("127.0.0.1"));
        assert_eq!(p.field(keys::HTTP_STATUS), Some("200"));
        assert_eq!(p.field(keys::HTTP_LATENCY), Some("0.000545"));
    }

    #[test]
    fn pino_line_valid_name_is_service() {
        let p = event(
            r#"{"level":50,"time":1705849202123,"pid":1,"hostname":"api-7d9f","name":"checkout","msg":"payment provider timeout","err":{"type":"Error","message":"ETIMEDOUT","stack":"Error: ETIMEDOUT\n    at Timeout._onTimeout (/app/pay.js:12:11)"}}"#,
        );
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.service.as_deref(), Some("checkout"));
        assert_eq!(p.field("err.message"), Some("ETIMEDOUT"));
        assert!(
            p.field("err.stack")
                .is_some_and(|s| s.contains("pay.js:12"))
        );
    }

    // bunyan, as printed by an Express app (yuriatgoogle/stack-doctor).
    #[test]
    fn bunyan_line_valid_iso_time_name_is_service() {
        let p = event(
            r#"{"name":"node-error-reporting","hostname":"ygrinshteyn-macbookpro1.roam.corp.google.com","pid":5539,"level":50,"msg":"Bunyan error logged","time":"2019-11-15T17:19:58.001Z","v":0}"#,
        );
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.service.as_deref(), Some("node-error-reporting"));
        assert_eq!(utc(&p), at(2019, 11, 15, 17, 19, 58, 1_000_000));
        assert_eq!(p.field("v"), None);
    }

    #[test]
    fn name_invalid_as_service_without_bunyan_markers() {
        let p = event(
            r#"{"time":"2024-01-21T15:00:02Z","level":"info","name":"orders-sync","msg":"done"}"#,
        );
        assert_eq!(p.service, None);
        assert_eq!(p.field("name"), Some("orders-sync"));
    }

    // logrus JSONFormatter (Traefik 1.x output): `warning`, RFC 3339 seconds.
    #[test]
    fn logrus_json_valid_warning_level() {
        let p = event(
            r#"{"level":"warning","msg":"Endpoints not available for jenkins/jenkins","time":"2018-10-24T18:33:11Z"}"#,
        );
        assert_eq!(p.level, Some(Level::Warn));
        assert_eq!(utc(&p), ymd_hms(2018, 10, 24, 18, 33, 11));
    }

    #[test]
    fn logrus_json_valid_offset_time_and_extra_fields() {
        let p = event(
            r#"{"level":"warning","msg":"The group's number increased tremendously!","number":122,"omg":true,"time":"2020-10-09T19:16:01+08:00"}"#,
        );
        assert_eq!(utc(&p), ymd_hms(2020, 10, 9, 11, 16, 1));
        assert_eq!(p.field("number"), Some("122"));
        assert_eq!(p.field("omg"), Some("true"));
    }

    // Old logrus printed Go's time.String(): `2014-03-10 19:57:38.562264131 -0400 EDT`.
    #[test]
    fn logrus_json_valid_go_time_string() {
        let p = event(
            r#"{"animal":"walrus","level":"info","msg":"A group of walrus emerges from the ocean","size":10,"time":"2014-03-10 19:57:38.562264131 -0400 EDT"}"#,
        );
        assert_eq!(utc(&p), at(2014, 3, 10, 23, 57, 38, 562_264_131));
    }

    // structlog JSONRenderer with TimeStamper(fmt="iso", utc=True).
    #[test]
    fn structlog_line_valid_event_is_message() {
        let p = event(
            r#"{"user_id": "guest_76ae34e375a1", "error": "Error 8 connecting to redis:6379. nodename nor servname provided, or not known.", "event": "ws_unexpected_error", "level": "error", "timestamp": "2026-04-20T12:37:38.572227Z"}"#,
        );
        assert_eq!(p.message, "ws_unexpected_error");
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(utc(&p), at(2026, 4, 20, 12, 37, 38, 572_227_000));
        assert_eq!(p.field(keys::USER), Some("guest_76ae34e375a1"));
        assert!(p.field("error").is_some_and(|e| e.contains("redis:6379")));
    }

    #[test]
    fn structlog_line_valid_app_is_service_local_time() {
        let p = event(
            r#"{"app": "SOCIAL_MEDIA_SERVICE", "event": "Retrying in 1 second.", "level": "error", "timestamp": "2024-02-09 10:59:58"}"#,
        );
        assert_eq!(p.service.as_deref(), Some("SOCIAL_MEDIA_SERVICE"));
        assert!(matches!(p.time, Some(RawTime::Local(_))));
    }

    // Filebeat's own log (ECS, dotted keys).
    #[test]
    fn ecs_line_valid_dotted_keys() {
        let p = event(
            r#"{"log.level":"error","@timestamp":"2023-06-27T07:56:13.488Z","log.logger":"esclientleg","log.origin":{"file.name":"transport/logging.go","file.line":38},"message":"Error dialing x509: certificate signed by unknown authority","service.name":"filebeat","network":"tcp","address":"search:9200","ecs.version":"1.6.0"}"#,
        );
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.service.as_deref(), Some("filebeat"));
        assert_eq!(utc(&p), at(2023, 6, 27, 7, 56, 13, 488_000_000));
        assert_eq!(p.field(keys::LOGGER), Some("esclientleg"));
        assert_eq!(p.field("log.origin.file.line"), Some("38"));
        assert_eq!(p.field("ecs.version"), Some("1.6.0"));
    }

    // APM Server request log: ECS HTTP keys and `event.duration` in nanoseconds.
    #[test]
    fn ecs_line_valid_http_keys_and_nanosecond_duration() {
        let p = event(
            r#"{"log.level":"info","@timestamp":"2022-12-01T18:27:47.818Z","log.logger":"request","message":"request accepted","service.name":"apm-server","url.original":"/intake/v2/events","http.request.method":"POST","user_agent.original":"apm-agent-python/6.13.2 (Flask SQLite REST App)","source.address":"172.18.0.6","http.request.body.bytes":478,"http.request.id":"f272c310-13e3-4ea8-8137-a0bd590279e4","event.duration":228619,"http.response.status_code":202,"ecs.version":"1.6.0"}"#,
        );
        assert_eq!(p.field(keys::HTTP_PATH), Some("/intake/v2/events"));
        assert_eq!(p.field(keys::HTTP_METHOD), Some("POST"));
        assert_eq!(p.field(keys::HTTP_STATUS), Some("202"));
        assert_eq!(
            p.field(keys::REQUEST_ID),
            Some("f272c310-13e3-4ea8-8137-a0bd590279e4")
        );
        assert_eq!(p.field(keys::CLIENT), Some("172.18.0.6"));
        assert_eq!(p.field(keys::HTTP_LATENCY), Some("0.000229"));
    }

    // ecs-logging-python nests `log`; the brief's nested `service` shape too.
    #[test]
    fn ecs_line_valid_nested_log_level_and_service_name() {
        let p = event(
            r#"{"@timestamp":"2020-03-20T16:16:37.187Z","log":{"level":"error","logger":"app.db"},"message":"pool exhausted","service":{"name":"api"},"ecs.version":"1.6.0"}"#,
        );
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.service.as_deref(), Some("api"));
        assert_eq!(p.field(keys::LOGGER), Some("app.db"));
        assert_eq!(p.message, "pool exhausted");
    }

    // Docker json-file: the JSON time is kept, the level comes from the wrapped line.
    #[test]
    fn docker_json_file_valid_level_from_inner_text() {
        let p = event(
            r#"{"log":"2018-05-23 02:13:14,783 - watchdog - ERROR - container_status_not_ready{pod=\"node-exporter-xmvbz\", container=\"gpu-exporter\"} 1\n","stream":"stderr","time":"2018-05-23T02:13:14.7838574Z"}"#,
        );
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(utc(&p), at(2018, 5, 23, 2, 13, 14, 783_857_400));
        assert!(p.message.ends_with("gpu-exporter\"} 1"));
        assert_eq!(p.field(keys::STREAM), Some("stderr"));
    }

    #[test]
    fn docker_json_file_valid_nginx_error_inner_level() {
        let p = event(
            r#"{"log":"2023/12/25 10:00:00 [error] 29#29: *1 connect() failed\n","stream":"stderr","time":"2023-12-25T10:00:00.000000000Z"}"#,
        );
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(
            p.message,
            "2023/12/25 10:00:00 [error] 29#29: *1 connect() failed"
        );
    }

    #[test]
    fn docker_json_file_valid_plain_line_no_level() {
        let p = event(
            r#"{"log":"VM settings:\n","stream":"stderr","time":"2024-02-14T06:11:01.863689738Z"}"#,
        );
        assert_eq!(p.level, None);
        assert_eq!(p.message, "VM settings:");
        assert_eq!(utc(&p), at(2024, 2, 14, 6, 11, 1, 863_689_738));
    }

    // Indented JVM output and Python traceback frames printed line by line continue the record.
    #[test]
    fn docker_json_file_valid_indented_content_continues() {
        for line in [
            r#"{"log":"    Max. Heap Size (Estimated): 48.32G\n","stream":"stderr","time":"2024-02-14T06:11:01.864559753Z"}"#,
            r#"{"log":"  File \"example.py\", line 31, in \u003cmodule\u003e\n","stream":"stderr","time":"2020-08-24T14:06:44.052057884Z"}"#,
            r#"{"log":"Traceback (most recent call last):\n","stream":"stderr","time":"2020-08-24T14:06:44.05205322Z"}"#,
            r#"{"log":"\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:197)\n","stream":"stdout","time":"2024-01-21T15:00:02.123456789Z"}"#,
        ] {
            assert_eq!(JsonLines.parse(line), LineParse::Continuation, "{line}");
        }
    }

    // An app logging JSON under Docker: the inner record's level, message and fields win.
    #[test]
    fn docker_json_file_valid_inner_json_record() {
        let p = event(
            r#"{"log":"{\"level\":\"error\",\"ts\":1705849202.1,\"caller\":\"db/pool.go:41\",\"msg\":\"dial tcp 10.0.0.5:5432: connect: connection refused\"}\n","stream":"stderr","time":"2024-01-21T15:00:02.123456789Z"}"#,
        );
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(
            p.message,
            "dial tcp 10.0.0.5:5432: connect: connection refused"
        );
        assert_eq!(utc(&p), at(2024, 1, 21, 15, 0, 2, 123_456_789));
        assert_eq!(p.field("caller"), Some("db/pool.go:41"));
        assert_eq!(p.field(keys::STREAM), Some("stderr"));
    }

    // fluent-bit/fluentd enrich Docker records with Kubernetes metadata.
    #[test]
    fn docker_json_file_valid_kubernetes_metadata() {
        let p = event(
            r#"{"log":"Server listening on :8080\n","stream":"stdout","time":"2024-01-21T15:00:02.1Z","kubernetes":{"pod_name":"api-7d9f8-x2x1","namespace_name":"shop","container_name":"api","labels":{"app":"api"}}}"#,
        );
        assert_eq!(p.field(keys::POD), Some("api-7d9f8-x2x1"));
        assert_eq!(p.field(keys::NAMESPACE), Some("shop"));
        assert_eq!(p.field(keys::CONTAINER), Some("api"));
    }

    // CloudWatch Logs FilteredLogEvent (filter-log-events `events[]`, one per line).
    #[test]
    fn cloudwatch_event_valid_millis_timestamp() {
        let p = event(
            r#"{"logStreamName":"2024/01/21/[$LATEST]3f1c0b3e9b8a4c55","timestamp":1705849202123,"message":"2024-01-21T15:00:02.123Z\t8f5b2c1e-4d2a-4d7e-9a55-2b7c0b1f6e01\tERROR\tInvoke Error \t{\"errorType\":\"Error\",\"errorMessage\":\"connect ECONNREFUSED 10.0.0.5:5432\"}\n","ingestionTime":1705849203456,"eventId":"38034120583935390829823411672372108822534567890123456789"}"#,
        );
        assert_eq!(utc(&p), at(2024, 1, 21, 15, 0, 2, 123_000_000));
        assert_eq!(p.level, Some(Level::Error));
        assert!(p.message.contains("Invoke Error"));
        assert_eq!(p.field("ingestionTime"), Some("1705849203456"));
        assert!(p.field("logStreamName").is_some());
    }

    #[test]
    fn cloudwatch_event_valid_log_group_names_service() {
        let p = event(
            r#"{"logGroupName":"/aws/lambda/checkout","logStreamName":"2024/01/21/[$LATEST]3f1c","timestamp":1705849202123,"message":"START RequestId: 8f5b2c1e Version: $LATEST\n"}"#,
        );
        assert_eq!(p.service.as_deref(), Some("checkout"));
        assert_eq!(p.level, None);
        assert_eq!(p.message, "START RequestId: 8f5b2c1e Version: $LATEST");
    }

    #[test]
    fn cloudwatch_event_valid_lambda_json_message() {
        let p = event(
            r#"{"timestamp":1705849202123,"message":"{\"timestamp\":\"2024-01-21T15:00:02.123Z\",\"level\":\"ERROR\",\"requestId\":\"79b4f56e\",\"message\":\"payment failed\"}"}"#,
        );
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.message, "payment failed");
        assert_eq!(p.field(keys::REQUEST_ID), Some("79b4f56e"));
    }

    // slog JSONHandler (Go docs example).
    #[test]
    fn slog_json_valid_nanos_offset() {
        let p = event(
            r#"{"time":"2022-11-08T15:28:26.000000000-05:00","level":"INFO","msg":"hello","count":3}"#,
        );
        assert_eq!(utc(&p), ymd_hms(2022, 11, 8, 20, 28, 26));
        assert_eq!(p.field("count"), Some("3"));
    }

    #[test]
    fn slog_json_valid_level_offsets() {
        let p = event(r#"{"time":"2024-01-21T15:00:02Z","level":"WARN+2","msg":"x"}"#);
        assert_eq!(p.level, Some(Level::Warn));
        let p = event(r#"{"time":"2024-01-21T15:00:02Z","level":"DEBUG-4","msg":"x"}"#);
        assert_eq!(p.level, Some(Level::Debug));
    }

    // Serilog compact JSON (CLEF): `@l` is omitted for Information.
    #[test]
    fn clef_line_valid_defaults_to_information() {
        let p = event(
            r#"{"@t":"2024-01-21T15:00:02.1234567Z","@mt":"Processed {@Position} in {Elapsed:000} ms.","Position":{"Latitude":25,"Longitude":134},"Elapsed":34}"#,
        );
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(p.message, "Processed {@Position} in {Elapsed:000} ms.");
        assert_eq!(utc(&p), at(2024, 1, 21, 15, 0, 2, 123_456_700));
        let p = event(r#"{"@t":"2024-01-21T15:00:02Z","@m":"Disk full","@l":"Error"}"#);
        assert_eq!(p.level, Some(Level::Error));
    }

    // GELF 1.1 (spec example): syslog level numbers, `short_message`.
    #[test]
    fn gelf_line_valid_syslog_level_number() {
        let p = event(
            r#"{"version":"1.1","host":"example.org","short_message":"A short message that helps you identify what is going on","full_message":"Backtrace here\n\nmore stuff","timestamp":1385053862.3072,"level":1,"_user_id":9001,"_some_info":"foo"}"#,
        );
        assert_eq!(p.level, Some(Level::Fatal));
        assert_eq!(
            p.message,
            "A short message that helps you identify what is going on"
        );
        assert_eq!(utc(&p), at(2013, 11, 21, 17, 11, 2, 307_200_000));
        assert_eq!(p.field(keys::HOST), Some("example.org"));
    }

    // journalctl -o json: microsecond epoch as a string, PRIORITY as a string.
    #[test]
    fn journald_json_valid_realtime_priority_identifier() {
        let p = event(
            r#"{"__CURSOR":"s=739ad463348b4ceca5a9e69c95a3c93f;i=4ece7","__REALTIME_TIMESTAMP":"1705849202123456","__MONOTONIC_TIMESTAMP":"2614306","PRIORITY":"3","SYSLOG_IDENTIFIER":"kubelet","_PID":"915","_HOSTNAME":"node-1","MESSAGE":"Failed to pull image"}"#,
        );
        assert_eq!(utc(&p), at(2024, 1, 21, 15, 0, 2, 123_456_000));
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.service.as_deref(), Some("kubelet"));
        assert_eq!(p.field(keys::PID), Some("915"));
    }

    #[test]
    fn time_aliases_valid_every_key() {
        for line in [
            r#"{"ts":1705849202,"msg":"x"}"#,
            r#"{"time":1705849202,"msg":"x"}"#,
            r#"{"@timestamp":"2024-01-21T15:00:02Z","msg":"x"}"#,
            r#"{"timestamp":"2024-01-21T15:00:02Z","msg":"x"}"#,
            r#"{"t":"2024-01-21T15:00:02Z","msg":"x"}"#,
            r#"{"date":"2024-01-21T15:00:02+00:00","msg":"x"}"#,
            r#"{"asctime":"2024-01-21T15:00:02Z","msg":"x"}"#,
        ] {
            assert_eq!(utc(&event(line)), ymd_hms(2024, 1, 21, 15, 0, 2), "{line}");
        }
    }

    #[test]
    fn epoch_units_valid_seconds_millis_micros_nanos() {
        let want = at(2024, 1, 21, 15, 0, 2, 123_000_000);
        for line in [
            r#"{"ts":1705849202.123,"msg":"x"}"#,
            r#"{"ts":1705849202123,"msg":"x"}"#,
            r#"{"ts":1705849202123000,"msg":"x"}"#,
            r#"{"ts":1705849202123000000,"msg":"x"}"#,
            r#"{"ts":"1705849202.123","msg":"x"}"#,
            r#"{"ts":"1705849202123","msg":"x"}"#,
        ] {
            assert_eq!(utc(&event(line)), want, "{line}");
        }
        // Nanoseconds survive exactly as an integer.
        let p = event(r#"{"ts":1705849202123456789,"msg":"x"}"#);
        assert_eq!(utc(&p), at(2024, 1, 21, 15, 0, 2, 123_456_789));
    }

    #[test]
    fn time_invalid_absent_or_implausible() {
        let p = event(r#"{"level":"info","msg":"no clock here"}"#);
        assert_eq!(p.time, None);
        // A small number is not a time: kept as a field.
        let p = event(r#"{"t":42,"msg":"x"}"#);
        assert_eq!(p.time, None);
        assert_eq!(p.field("t"), Some("42"));
    }

    #[test]
    fn level_aliases_valid_every_key() {
        for (line, want) in [
            (r#"{"lvl":"eror","msg":"x"}"#, Level::Error),
            (r#"{"severity":"WARNING","msg":"x"}"#, Level::Warn),
            (r#"{"log.level":"ERROR","msg":"x"}"#, Level::Error),
            (r#"{"log":{"level":"warn"},"msg":"x"}"#, Level::Warn),
            (r#"{"levelname":"CRITICAL","msg":"x"}"#, Level::Fatal),
            (r#"{"level":60,"msg":"x"}"#, Level::Fatal),
            (r#"{"level":20,"msg":"x"}"#, Level::Debug),
            (r#"{"level":"30","msg":"x"}"#, Level::Info),
        ] {
            assert_eq!(event(line).level, Some(want), "{line}");
        }
    }

    #[test]
    fn level_invalid_unknown_word_kept_as_field() {
        let p = event(r#"{"severity":"DEFAULT","message":"x","time":"2024-01-21T15:00:02Z"}"#);
        assert_eq!(p.level, None);
        assert_eq!(p.field("severity"), Some("DEFAULT"));
    }

    #[test]
    fn message_aliases_valid_every_key() {
        for line in [
            r#"{"msg":"boom"}"#,
            r#"{"message":"boom"}"#,
            r#"{"log":"boom\n"}"#,
            r#"{"event":"boom"}"#,
        ] {
            assert_eq!(event(line).message, "boom", "{line}");
        }
    }

    #[test]
    fn message_valid_error_field_when_no_message() {
        let p = event(r#"{"level":"error","ts":1705849202.1,"error":"opening storage failed"}"#);
        assert_eq!(p.message, "opening storage failed");
    }

    #[test]
    fn service_aliases_valid_every_key() {
        for line in [
            r#"{"msg":"x","service":"api"}"#,
            r#"{"msg":"x","service.name":"api"}"#,
            r#"{"msg":"x","service":{"name":"api"}}"#,
            r#"{"msg":"x","app":"api"}"#,
            r#"{"msg":"x","name":"api","hostname":"h","pid":1}"#,
        ] {
            assert_eq!(event(line).service.as_deref(), Some("api"), "{line}");
        }
    }

    #[test]
    fn escaped_strings_valid_unescaped() {
        let p = event(r#"{"msg":"say \"hi\"\tnow \u00e9","level":"info"}"#);
        assert_eq!(p.message, "say \"hi\"\tnow é");
    }

    #[test]
    fn fields_valid_capped() {
        let mut line = String::from(r#"{"msg":"wide""#);
        for i in 0..100 {
            line.push_str(&format!(r#","k{i}":{i}"#));
        }
        line.push('}');
        let p = event(&line);
        assert_eq!(p.fields.len(), MAX_FIELDS);
    }

    #[test]
    fn status_invalid_non_http_value_kept_as_written() {
        let p = event(r#"{"msg":"x","status":"running"}"#);
        assert_eq!(p.field(keys::HTTP_STATUS), None);
        assert_eq!(p.field("status"), Some("running"));
    }

    #[test]
    fn latency_valid_go_duration_strings() {
        assert_eq!(
            latency_seconds("duration", "12ms").as_deref(),
            Some("0.012")
        );
        assert_eq!(
            latency_seconds("latency", "1m2.5s").as_deref(),
            Some("62.5")
        );
        assert_eq!(
            latency_seconds("took", "355.088µs").as_deref(),
            Some("0.000355")
        );
        assert_eq!(
            latency_seconds("service", "30001ms").as_deref(),
            Some("30.001")
        );
        assert_eq!(latency_seconds("service", "api"), None);
        assert_eq!(latency_seconds("duration", "soon"), None);
    }

    #[test]
    fn bom_valid_first_line() {
        let p =
            event("\u{feff}{\"time\":\"2024-01-21T15:00:02Z\",\"level\":\"info\",\"msg\":\"x\"}");
        assert_eq!(p.message, "x");
    }

    #[test]
    fn plain_text_invalid() {
        assert_eq!(
            JsonLines.parse("Starting server on :8080"),
            LineParse::NoMatch
        );
        assert_eq!(JsonLines.parse(""), LineParse::NoMatch);
    }

    #[test]
    fn json_array_invalid() {
        assert_eq!(
            JsonLines.parse(r#"[{"msg":"x","level":"info"}]"#),
            LineParse::NoMatch
        );
    }

    #[test]
    fn truncated_json_invalid() {
        assert_eq!(
            JsonLines.parse(r#"{"level":"info","ts":1705849202.1,"msg":"cut her"#),
            LineParse::NoMatch
        );
        assert_eq!(
            JsonLines.parse(r#"{"level":"info","msg":"x"} trailing}"#),
            LineParse::NoMatch
        );
        assert_eq!(JsonLines.parse(r#"{"msg":"x",}"#), LineParse::NoMatch);
    }

    #[test]
    fn data_object_invalid_without_time_level_or_message() {
        assert_eq!(JsonLines.parse("{}"), LineParse::NoMatch);
        assert_eq!(JsonLines.parse(r#"{"a":1,"b":[1,2]}"#), LineParse::NoMatch);
    }

    #[test]
    fn garbage_invalid_never_panics() {
        for line in [
            "{",
            "}",
            "{\"",
            "{\"msg\":\"\\ud800\"}",
            "{\"ts\":1e400}",
            "{\"ts\":-1,\"msg\":\"x\"}",
            "{\"level\":-5,\"msg\":\"x\"}",
            "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":1}}}},\"msg\":\"deep\"}",
            "{\"msg\":\"x\",\"level\":1.5}",
        ] {
            let _ = JsonLines.parse(line);
        }
    }

    #[test]
    fn neighbouring_formats_invalid() {
        for line in [
            r#"10.0.0.1 - - [21/Jan/2024:15:00:02 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.5.0""#,
            "Jan 21 15:00:02 web-1 sshd[1234]: Accepted publickey for deploy from 10.0.0.9 port 52114 ssh2",
            "2024-01-21 15:00:02.123 ERROR 1 --- [nio-8080-exec-1] c.e.shop.OrderController : boom",
            "time=2024-01-21T15:00:02.123Z level=error msg=\"connection refused\"",
            "2024-01-21T15:00:02.123456789Z stdout F {\"level\":\"info\",\"msg\":\"x\"}",
        ] {
            assert_eq!(JsonLines.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn sniff_valid_picks_json_lines_for_zap() {
        let sample = [
            r#"{"level":"info","ts":1656445785.538227,"caller":"grpc/main.go:52","msg":"Starting gRPC Server with SSL","port":442}"#,
            r#"{"level":"debug","ts":1656445789.0697753,"caller":"grpc/main.go:40","msg":"Got gRPC Request","uri":"/gendocu.rpc_invoker.v1.RpcInvoker/InvokeMethod"}"#,
            r#"{"level":"info","ts":1656445789.071215,"caller":"apiinfo/file.go:63","msg":"API Information provider ignore the build id, as you provided API specification file","file_path":"/app/app_spec.yaml"}"#,
            r#"{"level":"debug","ts":1656445789.0717459,"caller":"rpcinvoker/service.go:81","msg":"fetching the protoset"}"#,
            r#"{"level":"error","ts":1656445789.0718,"caller":"rpcinvoker/service.go:90","msg":"protoset fetch failed","error":"context deadline exceeded"}"#,
        ];
        let sniffed = crate::ingest::formats::sniff(&sample);
        assert_eq!(sniffed.format.name(), JsonLines::NAME);
        assert_eq!(sniffed.score, 5);
    }
}
