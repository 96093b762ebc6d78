//! Ingestion: reads inputs (files, directories, gzip/zstd, stdin), recognises each input's
//! format, and turns lines into [`Event`]s on the UTC timeline, with exact per-input accounting.
//!
//! ```text
//!  paths ─discover─▶ [Input] ──par_iter (rayon)──▶ per input:
//!     open (gz/zst by magic) ─▶ ChunkReader ─▶ chunks of whole lines (bounded batch)
//!        first chunk ─▶ sniff format, infer year anchor
//!        batch ──par_iter──▶ parse_chunk (lossy UTF-8, cap, format.parse, time resolve)
//!              ──in order──▶ stitch (continuations across chunk edges, inherited times)
//!                   ─▶ EventSink (one per input)  +  InputReport (accounting)
//! ```
//!
//! Accounting invariant, per input: `events + continuation + unparsed == lines`. Every line read
//! is exactly one of those; nothing is dropped silently. Binary inputs are skipped as a whole
//! and reported.

pub mod formats;
pub mod input;
pub mod reader;

use crate::event::{Event, Fields, Level, Timestamp};
use crate::time::{RawTime, TimeContext, YearAnchor, Zone};
use formats::{Format, LineParse, Parsed};
use input::{Input, Source};
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

/// Continuation text kept per event (stack traces beyond this are counted, not stored).
pub const MAX_CONTINUATION_BYTES: usize = 64 * 1024;
/// Default cap on one line's length (`--max-line-bytes`).
pub const DEFAULT_MAX_LINE_BYTES: usize = 1024 * 1024;
/// Bytes per parse chunk.
pub const DEFAULT_CHUNK_BYTES: usize = 2 * 1024 * 1024;
/// Lines given to sniffing.
pub const SNIFF_LINES: usize = 200;

/// How to read inputs.
#[derive(Clone, Debug)]
pub struct IngestOptions {
    /// Force a format by name (`--input-format`); `None` sniffs each input.
    pub input_format: Option<String>,
    /// Zone for timestamps without one (`--tz`).
    pub zone: Zone,
    /// Year for year-less timestamps (`--year`); else inferred per input.
    pub year: Option<i32>,
    pub max_line_bytes: usize,
    pub chunk_bytes: usize,
    /// Known clock errors per service (`--clock-offset SERVICE=±DURATION`), in nanoseconds,
    /// added to that service's times.
    pub clock_offsets: Vec<(String, i64)>,
    /// Treat every line as a bare message with no header (`templates --raw`).
    pub raw: bool,
    /// The instant year-less times are anchored to for stdin (default: now).
    pub now: Option<chrono::NaiveDate>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            input_format: None,
            zone: Zone::Utc,
            year: None,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            chunk_bytes: DEFAULT_CHUNK_BYTES,
            clock_offsets: Vec::new(),
            raw: false,
            now: None,
        }
    }
}

/// Per-input accounting, reported by `timeline --stats` and every report's appendix.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct InputReport {
    pub path: String,
    pub format: String,
    pub service: String,
    /// Lines read (after decompression).
    pub lines: u64,
    /// Lines that started an event.
    pub events: u64,
    /// Lines attached to the event before them (stack traces, DETAIL lines, …).
    pub continuation: u64,
    /// Lines that are neither (no recognisable header, nothing before them to attach to).
    pub unparsed: u64,
    /// Lines with invalid UTF-8, decoded lossily.
    pub lossy: u64,
    /// Lines longer than the cap, cut.
    pub cut: u64,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    /// Events whose time is earlier than the event before them in the same input.
    pub backwards: u64,
    /// A read error that ended this input early (lines before it are counted).
    pub error: Option<String>,
    /// Why the whole input was skipped (binary, UTF-16), if it was.
    pub skipped: Option<String>,
    /// For inputs with year-less timestamps: the year given to the first of them and where it
    /// came from (`--year`, `other inputs`, `modification time`).
    pub year_source: Option<String>,
    #[serde(skip)]
    pub year_anchor: Option<i32>,
}

impl InputReport {
    /// The accounting invariant.
    pub fn is_balanced(&self) -> bool {
        self.events + self.continuation + self.unparsed == self.lines
    }
}

/// Receives one input's events, in that input's line order.
pub trait EventSink: Send {
    /// `false` for sinks that only need the accounting: events are then never built.
    const NEEDS_EVENTS: bool = true;
    fn accept(&mut self, event: Event);
}

/// A sink that keeps nothing (for `--stats`).
#[derive(Debug, Default)]
pub struct CountOnly;

impl EventSink for CountOnly {
    const NEEDS_EVENTS: bool = false;
    fn accept(&mut self, _event: Event) {}
}

/// A sink that keeps every event (small inputs, tests).
#[derive(Debug, Default)]
pub struct Collect(pub Vec<Event>);

impl EventSink for Collect {
    fn accept(&mut self, event: Event) {
        self.0.push(event);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("unknown input format {name:?}{suggestion}")]
    UnknownFormat { name: String, suggestion: String },
}

/// Checks `--input-format` before any input is read.
pub fn validate_format_name(name: &str) -> Result<(), IngestError> {
    if formats::find_format(name).is_some() {
        return Ok(());
    }
    let suggestion = crate::suggest::did_you_mean(name, formats::format_names())
        .map(|s| format!("; did you mean {s:?}?"))
        .unwrap_or_else(|| format!("; known formats: {}", formats::format_names().join(", ")));
    Err(IngestError::UnknownFormat {
        name: name.to_string(),
        suggestion,
    })
}

/// Reads every input in parallel. Returns, in input order, each input's report and its sink.
///
/// Year-less inputs (syslog RFC 3164, klog) whose year came from their modification time are
/// checked against the inputs that carry years: when they would land more than a few days
/// away from every other input (a copied file has a new mtime), they are read again with the
/// year that puts them beside the others, and the report says so.
pub fn ingest<S, F>(inputs: &[Input], opts: &IngestOptions, make_sink: F) -> Vec<(InputReport, S)>
where
    S: EventSink,
    F: Fn(usize) -> S + Sync,
{
    let mut results: Vec<(InputReport, S)> = inputs
        .par_iter()
        .enumerate()
        .map(|(i, input)| {
            let mut sink = make_sink(i);
            let report = ingest_one(i, input, opts, &mut sink);
            (report, sink)
        })
        .collect();
    if opts.year.is_some() {
        return results;
    }
    // The span of inputs whose timestamps carry a year.
    let dated = results
        .iter()
        .filter(|(r, _)| r.year_source.is_none() && r.events > 0)
        .filter_map(|(r, _)| Some((r.first?, r.last?)));
    let Some((lo, hi)) = dated.fold(None, |acc: Option<(Timestamp, Timestamp)>, (f, l)| {
        Some(acc.map_or((f, l), |(a, b)| (a.min(f), b.max(l))))
    }) else {
        return results;
    };
    const SLACK: i64 = 3 * 86_400 * Timestamp::NANOS_PER_SEC;
    const YEAR: f64 = 365.2425 * 86_400.0 * 1e9;
    let redo: Vec<(usize, i32)> = results
        .iter()
        .enumerate()
        .filter_map(|(i, (r, _))| {
            let anchor = r.year_anchor?;
            let (first, last) = (r.first?, r.last?);
            if r.year_source.as_deref() != Some("modification time") {
                return None;
            }
            if last.0 >= lo.0 - SLACK && first.0 <= hi.0 + SLACK {
                return None;
            }
            let delta = ((lo.0 - first.0) as f64 / YEAR).round() as i32;
            (delta != 0).then_some((i, anchor + delta))
        })
        .collect();
    for (i, year) in redo {
        let mut sink = make_sink(i);
        let retry = IngestOptions {
            year: Some(year),
            ..opts.clone()
        };
        let mut report = ingest_one(i, &inputs[i], &retry, &mut sink);
        report.year_source = Some("other inputs".to_string());
        results[i] = (report, sink);
    }
    results
}

/// What one input needs to parse a chunk; shared read-only by chunk workers.
struct InputCtx {
    index: u32,
    format: Box<dyn Format>,
    fallback: Option<formats::generic::Generic>,
    time: TimeContext,
    service: Arc<str>,
    cap: usize,
    clock_offsets: Vec<(String, i64)>,
    raw: bool,
}

/// An event being built inside a chunk. Times are resolved; `None` = inherit.
struct Pending {
    time: Option<Timestamp>,
    event: Option<Event>,
    /// Continuation lines attached to this event within its chunk.
    cont: u64,
}

/// One parsed chunk.
#[derive(Default)]
struct ChunkOut {
    lines: u64,
    lossy: u64,
    cut: u64,
    /// Non-header lines before this chunk's first event: continuation of the previous chunk's
    /// last event if there is one, else unparsed.
    lead_lines: u64,
    lead_body: String,
    events: Vec<Pending>,
    continuation: u64,
    unparsed: u64,
}

fn decode(line: &[u8]) -> (Cow<'_, str>, bool) {
    match std::str::from_utf8(line) {
        Ok(s) => (Cow::Borrowed(s), false),
        Err(_) => (String::from_utf8_lossy(line), true),
    }
}

fn append_body(body: &mut String, line: &str) {
    if body.len() >= MAX_CONTINUATION_BYTES {
        return;
    }
    if !body.is_empty() {
        body.push('\n');
    }
    let room = MAX_CONTINUATION_BYTES - body.len();
    if line.len() <= room {
        body.push_str(line);
    } else {
        let cut = reader::utf8_floor(line.as_bytes(), room);
        body.push_str(&line[..cut]);
    }
}

/// Interns field keys and services within one chunk so equal keys share one allocation.
#[derive(Default)]
struct Interner(HashMap<String, Arc<str>>);

impl Interner {
    fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.0.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.0.insert(s.to_string(), a.clone());
        a
    }
}

impl InputCtx {
    fn resolve(&self, raw: Option<RawTime>, service: &str) -> Option<Timestamp> {
        let ts = self.time.resolve(raw?)?;
        let extra = self
            .clock_offsets
            .iter()
            .find(|(s, _)| s == service)
            .map_or(0, |(_, n)| *n);
        if extra == 0 {
            Some(ts)
        } else {
            ts.checked_add_nanos(extra)
        }
    }

    fn classify<'a>(&self, text: &'a str) -> (LineParse<'a>, &'static str) {
        if self.raw {
            return (LineParse::Event(Parsed::new(None, None, text)), "raw");
        }
        match self.format.parse(text) {
            LineParse::NoMatch => {
                // A stray line that starts with a timestamp still lands on the timeline.
                if let Some(g) = &self.fallback {
                    if let LineParse::Event(p) = g.parse(text) {
                        if text.as_bytes().first().is_some_and(|c| c.is_ascii_digit()) {
                            return (LineParse::Event(p), formats::generic::Generic::NAME);
                        }
                    }
                }
                (LineParse::NoMatch, self.format.name())
            }
            other => (other, self.format.name()),
        }
    }

    fn parse_chunk(&self, chunk: &reader::Chunk, build: bool) -> ChunkOut {
        let mut out = ChunkOut {
            cut: chunk.cut,
            ..ChunkOut::default()
        };
        let mut interner = Interner::default();
        let multiline = self.format.multiline() && !self.raw;
        for (offset, bytes) in reader::lines(&chunk.data).enumerate() {
            out.lines += 1;
            let (mut text, lossy) = decode(bytes);
            if lossy {
                out.lossy += 1;
            }
            if text.len() > self.cap {
                let keep = reader::utf8_floor(text.as_bytes(), self.cap);
                text = Cow::Owned(text[..keep].to_string());
                out.cut += 1;
            }
            let (parsed, format_name) = if text.trim().is_empty() && !self.raw {
                (LineParse::Continuation, "")
            } else {
                self.classify(&text)
            };
            let continues = match parsed {
                LineParse::Event(p) => {
                    let service: Cow<'_, str> = match &p.service {
                        Some(s) if !s.is_empty() => Cow::Borrowed(s.as_ref()),
                        _ => Cow::Borrowed(&*self.service),
                    };
                    let time = self.resolve(p.time, &service);
                    let event = if build {
                        let mut fields = Fields(Vec::with_capacity(p.fields.len()));
                        for (k, v) in &p.fields {
                            fields.0.push((interner.get(k), v.to_string()));
                        }
                        let service = if *service == *self.service {
                            self.service.clone()
                        } else {
                            interner.get(&service)
                        };
                        Some(Event {
                            time: time.unwrap_or_default(),
                            service,
                            input: self.index,
                            line: offset as u64,
                            end_line: offset as u64,
                            level: p.level,
                            message: p.message.into_owned(),
                            body: String::new(),
                            fields,
                            format: format_name,
                        })
                    } else {
                        None
                    };
                    out.events.push(Pending {
                        time,
                        event,
                        cont: 0,
                    });
                    false
                }
                LineParse::Continuation => true,
                LineParse::NoMatch if multiline => true,
                LineParse::NoMatch => {
                    out.unparsed += 1;
                    false
                }
            };
            if continues {
                match out.events.last_mut() {
                    Some(last) => {
                        out.continuation += 1;
                        last.cont += 1;
                        if let Some(ev) = &mut last.event {
                            ev.end_line = offset as u64;
                            if !text.trim().is_empty() {
                                append_body(&mut ev.body, &text);
                            }
                        }
                    }
                    None => {
                        out.lead_lines += 1;
                        if build && !text.trim().is_empty() {
                            append_body(&mut out.lead_body, &text);
                        }
                    }
                }
            }
        }
        out
    }
}

/// Per-input stitching state across chunks.
struct Stitch {
    report: InputReport,
    /// 1-based number of the first line of the next chunk.
    next_line: u64,
    last_time: Option<Timestamp>,
    /// The last event of the previous chunk, held back to receive continuation lines.
    held: Option<Event>,
    any_event: bool,
    /// `templates --raw`: every line is an event, with or without a time.
    raw: bool,
}

impl Stitch {
    fn absorb<S: EventSink>(&mut self, out: ChunkOut, sink: &mut S) {
        let base = self.next_line;
        self.next_line += out.lines;
        let r = &mut self.report;
        r.lines += out.lines;
        r.lossy += out.lossy;
        r.cut += out.cut;
        r.continuation += out.continuation;
        r.unparsed += out.unparsed;
        if self.any_event {
            r.continuation += out.lead_lines;
            if let Some(held) = &mut self.held {
                if !out.lead_body.is_empty() {
                    append_body(&mut held.body, &out.lead_body);
                }
                if out.lead_lines > 0 {
                    held.end_line = base + out.lead_lines - 1;
                }
            }
        } else {
            r.unparsed += out.lead_lines;
        }
        for pending in out.events {
            let time = match pending.time.or(self.last_time) {
                Some(t) => t,
                None if self.raw => Timestamp::default(),
                None => {
                    // No time of its own and none to inherit: not placeable.
                    self.report.unparsed += 1;
                    // Its continuation lines stay counted as continuation of nothing: move
                    // them to unparsed too so the invariant holds and nothing is mislabelled.
                    self.report.continuation -= pending.cont;
                    self.report.unparsed += pending.cont;
                    continue;
                }
            };
            let r = &mut self.report;
            r.events += 1;
            self.any_event = true;
            if let Some(prev) = self.last_time {
                if time < prev {
                    r.backwards += 1;
                }
            }
            self.last_time = Some(time);
            r.first = Some(r.first.map_or(time, |f| f.min(time)));
            r.last = Some(r.last.map_or(time, |l| l.max(time)));
            if let Some(mut ev) = pending.event {
                ev.time = time;
                ev.line += base;
                ev.end_line += base;
                if let Some(prev) = self.held.replace(ev) {
                    sink.accept(prev);
                }
            }
        }
    }

    fn finish<S: EventSink>(mut self, sink: &mut S) -> InputReport {
        if let Some(prev) = self.held.take() {
            sink.accept(prev);
        }
        self.report
    }
}

/// Reads one input into its sink.
pub fn ingest_one<S: EventSink>(
    index: usize,
    input: &Input,
    opts: &IngestOptions,
    sink: &mut S,
) -> InputReport {
    let mut report = InputReport {
        path: input.display.clone(),
        service: input.service.clone(),
        ..InputReport::default()
    };
    let stream = match reader::open(&input.source) {
        Ok(s) => s,
        Err(e) => {
            report.error = Some(format!("{}: cannot open: {e}", input.display));
            return report;
        }
    };
    let mut chunks = reader::ChunkReader::new(stream, opts.chunk_bytes, opts.max_line_bytes);
    let first = match chunks.next_chunk() {
        Ok(Some(c)) => c,
        Ok(None) => {
            report.format = "empty".to_string();
            return report;
        }
        Err(e) => {
            report.error = Some(format!("{}: read error: {e}", input.display));
            return report;
        }
    };
    if let Some(why) = binary_reason(&first.data) {
        report.skipped = Some(why.to_string());
        report.format = "binary".to_string();
        return report;
    }
    // Sniff on the first lines.
    let sample_owned: Vec<Cow<'_, str>> = reader::lines(&first.data)
        .take(SNIFF_LINES)
        .map(|l| decode(l).0)
        .collect();
    let sample: Vec<&str> = sample_owned.iter().map(|c| c.as_ref()).collect();
    let format: Box<dyn Format> = match (&opts.input_format, opts.raw) {
        (_, true) => Box::new(formats::generic::Generic),
        (Some(name), false) => match formats::make_named(name, &sample) {
            Some(f) => f,
            None => {
                report.error = Some(format!("unknown input format {name:?}"));
                return report;
            }
        },
        (None, false) => formats::sniff(&sample).format,
    };
    report.format = if opts.raw {
        "raw".to_string()
    } else {
        format.name().to_string()
    };
    let (anchor, year_source) = year_anchor(format.as_ref(), &sample, input, opts);
    if let Some(source) = year_source {
        report.year_source = Some(source.to_string());
        report.year_anchor = anchor.map(|a| a.year);
    }
    let time = TimeContext {
        zone: opts.zone,
        year_anchor: anchor,
        offset_nanos: 0,
    };
    drop(sample);
    drop(sample_owned);
    let is_generic = format.name() == formats::generic::Generic::NAME;
    let ctx = InputCtx {
        index: u32::try_from(index).unwrap_or(u32::MAX),
        fallback: (!is_generic).then_some(formats::generic::Generic),
        format,
        time,
        service: Arc::from(input.service.as_str()),
        cap: opts.max_line_bytes,
        clock_offsets: opts.clock_offsets.clone(),
        raw: opts.raw,
    };
    let mut stitch = Stitch {
        report,
        next_line: 1,
        last_time: None,
        held: None,
        any_event: false,
        raw: opts.raw,
    };
    let batch_len = (rayon::current_num_threads() * 2).max(2);
    let mut batch = vec![first];
    let mut done = false;
    while !done {
        while batch.len() < batch_len {
            match chunks.next_chunk() {
                Ok(Some(c)) => batch.push(c),
                Ok(None) => {
                    done = true;
                    break;
                }
                Err(e) => {
                    stitch.report.error = Some(format!(
                        "{}: read error after line {}: {e}",
                        input.display,
                        stitch.next_line - 1 + batch_lines_hint(&batch)
                    ));
                    done = true;
                    break;
                }
            }
        }
        let outs: Vec<ChunkOut> = batch
            .par_iter()
            .map(|c| ctx.parse_chunk(c, S::NEEDS_EVENTS))
            .collect();
        for out in outs {
            stitch.absorb(out, sink);
        }
        batch.clear();
    }
    stitch.finish(sink)
}

fn batch_lines_hint(batch: &[reader::Chunk]) -> u64 {
    batch
        .iter()
        .map(|c| reader::lines(&c.data).count() as u64)
        .sum()
}

/// Why the first bytes of an input say it is not a text log, if they do.
///
/// A few NUL bytes do not make a log binary (a crashed process or a preallocated file leaves
/// runs of them; those lines are counted as unparsed). An input is binary when it starts with a
/// known binary signature, or when at least 30% of its first 8 KiB are control bytes other than
/// tab, newline, carriage return, form feed and escape.
fn binary_reason(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Some("UTF-16 text is not supported; convert it with `iconv -f UTF-16 -t UTF-8`");
    }
    const MAGIC: [&[u8]; 7] = [
        b"\x7fELF",
        b"\x89PNG",
        b"PK\x03\x04",
        b"%PDF",
        b"\xFD7zXZ",
        b"BZh",
        b"SQLite format 3\0",
    ];
    if MAGIC.iter().any(|m| head.starts_with(m)) {
        return Some("binary file (known binary signature)");
    }
    let probe = &head[..head.len().min(8192)];
    if probe.is_empty() {
        return None;
    }
    let control = probe
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    if control * 10 >= probe.len() * 3 {
        return Some("binary file (mostly control bytes in its first 8 KiB)");
    }
    None
}

/// The year anchor for year-less timestamps: the first year-less time in the sample, anchored
/// to `--year` or the input's modification date. Also says where the year came from when the
/// input has year-less timestamps.
fn year_anchor(
    format: &dyn Format,
    sample: &[&str],
    input: &Input,
    opts: &IngestOptions,
) -> (Option<YearAnchor>, Option<&'static str>) {
    let modified = match &input.source {
        Source::File(p) => std::fs::metadata(p)
            .and_then(|m| m.modified())
            .ok()
            .map(|t| chrono::DateTime::<chrono::Utc>::from(t).date_naive()),
        Source::Stdin => None,
    };
    let source = match (opts.year, modified) {
        (Some(_), _) => "--year",
        (None, Some(_)) => "modification time",
        (None, None) => "current date",
    };
    let modified = modified
        .or(opts.now)
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    let first_no_year = sample.iter().find_map(|line| match format.parse(line) {
        LineParse::Event(Parsed {
            time: Some(RawTime::NoYear { month, day, .. }),
            ..
        }) => Some((month, day)),
        _ => None,
    });
    use chrono::Datelike;
    match first_no_year {
        Some(first) => (
            Some(YearAnchor::infer(first, opts.year, modified)),
            Some(source),
        ),
        // No year-less time in the sample: later ones take the most recent year that does not
        // put them after the modification date.
        None => (
            Some(match opts.year {
                Some(year) => YearAnchor {
                    year,
                    month: 1,
                    day: 1,
                },
                None => YearAnchor {
                    year: modified.year() - 1,
                    month: modified.month(),
                    day: modified.day() + 1,
                },
            }),
            None,
        ),
    }
}

/// Level counts helper used by several commands.
pub fn level_or_unknown(level: Option<Level>) -> &'static str {
    level.map_or("-", Level::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_text(text: &str, opts: &IngestOptions) -> (InputReport, Vec<Event>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        std::fs::write(&path, text).unwrap();
        let input = Input {
            source: Source::File(path.clone()),
            display: path.display().to_string(),
            service: "app".into(),
        };
        let mut sink = Collect::default();
        let report = ingest_one(0, &input, opts, &mut sink);
        (report, sink.0)
    }

    #[test]
    fn generic_lines_valid_continuations_attach_and_balance() {
        let text = "preamble line\n2024-01-21 15:00:02,123 ERROR boom\n\tat a.b(C.java:1)\n\tat d.e(F.java:2)\n2024-01-21 15:00:03,000 INFO ok\n";
        let (r, events) = run_text(text, &IngestOptions::default());
        assert_eq!(r.lines, 5);
        assert_eq!((r.events, r.continuation, r.unparsed), (2, 2, 1));
        assert!(r.is_balanced());
        assert_eq!(events[0].line, 2);
        assert_eq!(events[0].end_line, 4);
        assert!(events[0].body.contains("F.java:2"));
    }

    #[test]
    fn small_chunks_valid_same_result_as_one_chunk() {
        let mut text = String::new();
        for i in 0..500 {
            text.push_str(&format!(
                "2024-01-21 15:{:02}:{:02} WARN event {i}\n  detail {i}\n",
                i / 60,
                i % 60
            ));
        }
        let big = run_text(&text, &IngestOptions::default());
        let small = run_text(
            &text,
            &IngestOptions {
                chunk_bytes: 4096,
                ..IngestOptions::default()
            },
        );
        let (mut big_report, mut small_report) = (big.0.clone(), small.0.clone());
        big_report.path.clear();
        small_report.path.clear();
        assert_eq!(big_report, small_report);
        assert_eq!(big.1, small.1);
        assert_eq!(big.0.events, 500);
        assert!(big.0.is_balanced());
        assert_eq!(big.0.continuation, 500);
    }

    #[test]
    fn binary_input_invalid_is_skipped_and_reported() {
        let (r, events) = run_text("\0\0\0ELF", &IngestOptions::default());
        assert!(r.skipped.is_some());
        assert!(events.is_empty());
    }

    #[test]
    fn lossy_and_cut_lines_are_counted() {
        let mut text = b"2024-01-21 15:00:02 INFO caf\xe9\n".to_vec();
        text.extend_from_slice(b"2024-01-21 15:00:03 INFO ");
        text.extend(std::iter::repeat_n(b'x', 5000));
        text.push(b'\n');
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.log");
        std::fs::write(&path, &text).unwrap();
        let input = Input {
            source: Source::File(path.clone()),
            display: "x.log".into(),
            service: "x".into(),
        };
        let opts = IngestOptions {
            max_line_bytes: 1000,
            ..IngestOptions::default()
        };
        let r = ingest_one(0, &input, &opts, &mut CountOnly);
        assert_eq!((r.lines, r.lossy, r.cut, r.events), (2, 1, 1, 2));
    }
}
