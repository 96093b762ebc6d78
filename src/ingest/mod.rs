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
use std::sync::Arc;

/// Continuation text kept per event (stack traces beyond this are counted, not stored).
pub const MAX_CONTINUATION_BYTES: usize = 64 * 1024;
/// Default cap on one line's length (`--max-line-bytes`).
pub const DEFAULT_MAX_LINE_BYTES: usize = 1024 * 1024;
/// Bytes per parse chunk.
pub const DEFAULT_CHUNK_BYTES: usize = 2 * 1024 * 1024;
/// Lines given to sniffing.
pub const SNIFF_LINES: usize = 200;
/// Bytes of lines given to sniffing at most (the line that reaches it is the last one).
pub const SNIFF_BYTES: usize = 2 * 1024 * 1024;

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
    /// The span of the other inputs whose timestamps carry a year: year-less times in an input
    /// without a modification time (stdin) are put beside it. Set by [`ingest`].
    pub dated_span: Option<(Timestamp, Timestamp)>,
    /// Bytes read so far (after decompression), for a progress display; `None` counts nothing.
    pub progress: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
}

/// Adds the bytes read through it to a shared counter.
struct Counting<R> {
    inner: R,
    counter: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: std::io::Read> std::io::Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
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
            dated_span: None,
            progress: None,
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
    /// Continuation lines (stack traces) counted but not stored, or stored in part, because
    /// their event's text reached [`MAX_CONTINUATION_BYTES`].
    pub continuation_cut: u64,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    /// Events whose time is earlier than the event before them in the same input.
    pub backwards: u64,
    /// A read error that ended this input early (lines before it are counted).
    pub error: Option<String>,
    /// Why the whole input was skipped (binary), if it was.
    pub skipped: Option<String>,
    /// The encoding the input was transcoded from (`UTF-16LE`, `UTF-16BE`), if not UTF-8.
    pub encoding: Option<String>,
    /// The input ends its lines with a lone `\r` (classic Mac OS), read as line ends.
    pub cr_only: bool,
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
    /// Called once after the input's last event (not for inputs that could not be read).
    fn end_of_input(&mut self) {}
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
/// Every sink is held until the end: use [`ingest_fold`] when the sinks can be combined, so
/// that memory does not grow with the number of inputs.
pub fn ingest<S, F>(inputs: &[Input], opts: &IngestOptions, make_sink: F) -> Vec<(InputReport, S)>
where
    S: EventSink,
    F: Fn(usize) -> S + Sync,
{
    let slots: Vec<Option<S>> = std::iter::repeat_with(|| None).take(inputs.len()).collect();
    let (reports, sinks) = ingest_fold(inputs, opts, make_sink, slots, |slots, i, sink| {
        if let Some(slot) = slots.get_mut(i) {
            *slot = Some(sink);
        }
    });
    reports
        .into_iter()
        .zip(sinks)
        .filter_map(|(r, s)| Some((r, s?)))
        .collect()
}

/// Reads every input in parallel and folds each input's sink into `acc` as soon as that input
/// is done (`fold(acc, input_index, sink)`, called under a lock, one input at a time). Returns
/// the per-input reports in input order, and the accumulator.
///
/// Peak memory is the accumulator plus one sink per worker thread, whatever the number of
/// inputs. The order in which sinks reach `fold` depends on thread timing: for a result that
/// does not depend on it, `fold` must be commutative (a sum, a minimum, a set union, a
/// selection that depends only on the set of items).
///
/// Year-less inputs (syslog RFC 3164, klog) whose year came from their modification time are
/// checked against the inputs that carry years: when they would land more than a few days
/// away from every other input (a copied file has a new mtime), they are read again with the
/// year that puts them beside the others, and the report says so. Their sinks are therefore
/// held until every input is read, and folded last. Standard input has no modification time
/// and cannot be read twice: it is read after the files, its year-less times put beside them
/// from the start.
pub fn ingest_fold<S, A, F, G>(
    inputs: &[Input],
    opts: &IngestOptions,
    make_sink: F,
    acc: A,
    fold: G,
) -> (Vec<InputReport>, A)
where
    S: EventSink,
    A: Send,
    F: Fn(usize) -> S + Sync,
    G: Fn(&mut A, usize, S) + Sync,
{
    let acc = std::sync::Mutex::new(acc);
    let fold_now = |i: usize, sink: S| {
        let mut guard = acc
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        fold(&mut guard, i, sink);
    };
    // Held: the sinks that a second read with another year may replace.
    let may_be_read_again =
        |r: &InputReport| opts.year.is_none() && r.year_source.as_deref() == Some(YEAR_FROM_MTIME);
    let mut results: Vec<Option<(InputReport, Option<S>)>> = inputs
        .par_iter()
        .enumerate()
        .map(|(i, input)| {
            (input.source != Source::Stdin).then(|| {
                let mut sink = make_sink(i);
                let report = ingest_one(i, input, opts, &mut sink);
                if may_be_read_again(&report) {
                    (report, Some(sink))
                } else {
                    fold_now(i, sink);
                    (report, None)
                }
            })
        })
        .collect();
    let span = if opts.year.is_some() {
        None
    } else {
        dated_span(results.iter().flatten().map(|(r, _)| r))
    };
    let stdin_opts = IngestOptions {
        dated_span: span,
        ..opts.clone()
    };
    for (i, input) in inputs.iter().enumerate() {
        if let Some(slot @ None) = results.get_mut(i) {
            let mut sink = make_sink(i);
            let report = ingest_one(i, input, &stdin_opts, &mut sink);
            fold_now(i, sink);
            *slot = Some((report, None));
        }
    }
    let span = if opts.year.is_some() {
        None
    } else {
        dated_span(results.iter().flatten().map(|(r, _)| r))
    };
    for (i, result) in results.iter_mut().enumerate() {
        let Some((report, held)) = result else {
            continue;
        };
        let Some(sink) = held.take() else {
            continue;
        };
        let shift = match (span, report.year_anchor, report.first, report.last) {
            (Some((lo, hi)), Some(anchor), Some(first), Some(last)) => {
                Some((anchor, year_shift(first, last, lo, hi))).filter(|(_, d)| *d != 0)
            }
            _ => None,
        };
        let Some((anchor, delta)) = shift else {
            fold_now(i, sink);
            continue;
        };
        let Some(input) = inputs.get(i) else {
            continue;
        };
        drop(sink);
        let mut sink = make_sink(i);
        let retry = IngestOptions {
            year: Some(anchor + delta),
            ..opts.clone()
        };
        let mut again = ingest_one(i, input, &retry, &mut sink);
        again.year_source = Some("other inputs".to_string());
        *report = again;
        fold_now(i, sink);
    }
    let reports = results.into_iter().flatten().map(|(r, _)| r).collect();
    let acc = acc
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    (reports, acc)
}

/// `InputReport::year_source` of an input whose year came from its file's modification time.
const YEAR_FROM_MTIME: &str = "modification time";

/// The span of the inputs whose timestamps carry a year.
fn dated_span<'a>(
    reports: impl Iterator<Item = &'a InputReport>,
) -> Option<(Timestamp, Timestamp)> {
    reports
        .filter(|r| r.year_source.is_none() && r.events > 0)
        .filter_map(|r| Some((r.first?, r.last?)))
        .fold(None, |acc: Option<(Timestamp, Timestamp)>, (f, l)| {
            Some(acc.map_or((f, l), |(a, b)| (a.min(f), b.max(l))))
        })
}

/// Whole years to add to year-less times spanning `first..=last` so that they land beside the
/// dated inputs' span `lo..=hi`; 0 when they are already within a few days of it.
fn year_shift(first: Timestamp, last: Timestamp, lo: Timestamp, hi: Timestamp) -> i32 {
    const SLACK: i64 = 3 * 86_400 * Timestamp::NANOS_PER_SEC;
    const YEAR: f64 = 365.2425 * 86_400.0 * 1e9;
    if last.0 >= lo.0.saturating_sub(SLACK) && first.0 <= hi.0.saturating_add(SLACK) {
        return 0;
    }
    ((lo.0 - first.0) as f64 / YEAR).round() as i32
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
    /// 0-based offset of the last of them (unparsed lines may come between them).
    lead_last: u64,
    lead_body: String,
    /// Lead lines whose text did not fit in `lead_body`.
    lead_cut: u64,
    /// Continuation lines whose text did not fit in their event's body.
    body_cut: u64,
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

/// The part of a line kept under the cap (`--max-line-bytes`) and whether it was cut. The cap
/// counts input bytes, before lossy decoding (which turns one invalid byte into three), and the
/// cut falls where [`reader::ChunkReader`] cuts a long line that straddles two chunks, so the
/// result does not depend on where chunks end.
fn cap_line(line: &[u8], cap: usize) -> (&[u8], bool) {
    if line.len() <= cap {
        return (line, false);
    }
    let head = &line[..reader::utf8_floor(line, cap)];
    // The reader ends a cut head with `\n`, and `reader::lines` then drops a `\r` before it.
    (head.strip_suffix(b"\r").unwrap_or(head), true)
}

/// Appends a continuation line to an event's text; `false` when the line was not stored, or
/// only in part ([`MAX_CONTINUATION_BYTES`] reached).
fn append_body(body: &mut String, line: &str) -> bool {
    if body.len() >= MAX_CONTINUATION_BYTES {
        return false;
    }
    if !body.is_empty() {
        body.push('\n');
    }
    let room = MAX_CONTINUATION_BYTES.saturating_sub(body.len());
    if line.len() <= room {
        body.push_str(line);
        true
    } else {
        let cut = reader::utf8_floor(line.as_bytes(), room);
        body.push_str(&line[..cut]);
        false
    }
}

/// Interns field keys and services within one chunk so equal keys share one allocation
/// (FxHash: one lookup per field per line, on our own short keys).
#[derive(Default)]
struct Interner(rustc_hash::FxHashMap<String, Arc<str>>);

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
    /// Resolves a line's time and applies `--clock-offset`: the offset named after the line's
    /// own service, else the one named after the input's service (a host's clock is wrong for
    /// every program logging into its syslog file, whose lines carry `sshd`, `CRON`, …).
    fn resolve(&self, raw: Option<RawTime>, service: &str) -> Option<Timestamp> {
        let ts = self.time.resolve(raw?)?;
        let offset_of = |name: &str| self.clock_offsets.iter().find(|(s, _)| s == name);
        let extra = offset_of(service)
            .or_else(|| offset_of(&self.service))
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
                // Checked on the first byte before parsing: stack frames and other
                // continuation lines (most NoMatch lines) never start with a digit.
                if let Some(g) = &self.fallback {
                    if text.as_bytes().first().is_some_and(|c| c.is_ascii_digit()) {
                        if let LineParse::Event(p) = g.parse(text) {
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
        // Sized for ~100-byte lines up front: growing a Vec of events by doubling moved each
        // one twice on average (memmove was 5 % of `analyze`).
        let mut out = ChunkOut {
            cut: chunk.cut,
            events: if build {
                Vec::with_capacity(chunk.data.len() / 100 + 16)
            } else {
                Vec::new()
            },
            ..ChunkOut::default()
        };
        let mut interner = Interner::default();
        let multiline = self.format.multiline() && !self.raw;
        for (offset, bytes) in reader::lines(&chunk.data).enumerate() {
            out.lines += 1;
            let (bytes, cut) = cap_line(bytes, self.cap);
            if cut {
                out.cut += 1;
            }
            let (text, lossy) = decode(bytes);
            if lossy {
                out.lossy += 1;
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
                            if !text.trim().is_empty() && !append_body(&mut ev.body, &text) {
                                out.body_cut += 1;
                            }
                        }
                    }
                    None => {
                        out.lead_lines += 1;
                        out.lead_last = offset as u64;
                        if build
                            && !text.trim().is_empty()
                            && !append_body(&mut out.lead_body, &text)
                        {
                            out.lead_cut += 1;
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
        r.continuation_cut += out.body_cut;
        r.continuation += out.continuation;
        r.unparsed += out.unparsed;
        if self.any_event {
            r.continuation += out.lead_lines;
            if let Some(held) = &mut self.held {
                r.continuation_cut += out.lead_cut;
                let lines: Vec<&str> = out
                    .lead_body
                    .split('\n')
                    .filter(|l| !l.is_empty())
                    .collect();
                for (k, line) in lines.iter().enumerate() {
                    // The lead's last line, when the lead itself was cut, is counted already.
                    let counted = out.lead_cut > 0 && k + 1 == lines.len();
                    if !append_body(&mut held.body, line) && !counted {
                        r.continuation_cut += 1;
                    }
                }
                if out.lead_lines > 0 {
                    held.end_line = base + out.lead_last;
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
        sink.end_of_input();
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
    let stream = match reader::open_with_encoding(&input.source) {
        Ok((s, encoding)) => {
            if encoding != reader::Encoding::Utf8 {
                report.encoding = Some(encoding.name().to_string());
            }
            s
        }
        Err(e) => {
            report.error = Some(format!("{}: cannot open: {e}", input.display));
            return report;
        }
    };
    let stream: Box<dyn std::io::Read + Send> = match &opts.progress {
        Some(counter) => Box::new(Counting {
            inner: stream,
            counter: counter.clone(),
        }),
        None => stream,
    };
    let mut chunks =
        reader::ChunkReader::new(stream, opts.chunk_bytes, opts.max_line_bytes).detect_cr_only();
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
    report.cr_only = chunks.is_cr_only();
    // Read ahead until the sample is whole, so that it never depends on where chunks end.
    let cap = opts.max_line_bytes.max(reader::MIN_LINE_CAP);
    let mut head = vec![first];
    let mut read_error: Option<std::io::Error> = None;
    let mut done = false;
    while !done && !sample_lines(&head, cap).1 {
        match chunks.next_chunk() {
            Ok(Some(c)) => head.push(c),
            Ok(None) => done = true,
            Err(e) => {
                read_error = Some(e);
                done = true;
            }
        }
    }
    let (sample_bytes, _) = sample_lines(&head, cap);
    if let Some(why) = binary_reason(&sample_bytes) {
        report.skipped = Some(why.to_string());
        report.format = "binary".to_string();
        return report;
    }
    // Sniff on the first lines.
    let sample_owned: Vec<Cow<'_, str>> = sample_bytes.iter().map(|l| decode(l).0).collect();
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
    drop(sample_bytes);
    let is_generic = format.name() == formats::generic::Generic::NAME;
    let ctx = InputCtx {
        index: u32::try_from(index).unwrap_or(u32::MAX),
        fallback: (!is_generic).then_some(formats::generic::Generic),
        format,
        time,
        service: Arc::from(input.service.as_str()),
        cap,
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
    let mut batch = head;
    loop {
        while !done && batch.len() < batch_len {
            match chunks.next_chunk() {
                Ok(Some(c)) => batch.push(c),
                Ok(None) => done = true,
                Err(e) => {
                    read_error = Some(e);
                    done = true;
                }
            }
        }
        if let Some(e) = read_error.take() {
            stitch.report.error = Some(format!(
                "{}: read error after line {}: {e}",
                input.display,
                stitch.next_line - 1 + batch_lines_hint(&batch)
            ));
        }
        let outs: Vec<ChunkOut> = batch
            .par_iter()
            .map(|c| ctx.parse_chunk(c, S::NEEDS_EVENTS))
            .collect();
        for out in outs {
            stitch.absorb(out, sink);
        }
        batch.clear();
        if done {
            break;
        }
    }
    stitch.finish(sink)
}

fn batch_lines_hint(batch: &[reader::Chunk]) -> u64 {
    batch
        .iter()
        .map(|c| reader::lines(&c.data).count() as u64)
        .sum()
}

/// The first lines of an input (cut at `cap`, without terminators) that sniffing and the binary
/// check look at: [`SNIFF_LINES`] lines, fewer when they reach [`SNIFF_BYTES`]. Also says
/// whether `head` held enough lines to make the sample whole (else more should be read, if
/// there are more). Lines, not chunks, bound it, so the sample is the same whatever the chunk
/// size or the sizes of the reads that filled the chunks.
fn sample_lines(head: &[reader::Chunk], cap: usize) -> (Vec<&[u8]>, bool) {
    let mut lines = Vec::new();
    let mut bytes = 0usize;
    for line in head.iter().flat_map(|c| reader::lines(&c.data)) {
        if lines.len() >= SNIFF_LINES || bytes >= SNIFF_BYTES {
            break;
        }
        let line = cap_line(line, cap).0;
        bytes += line.len() + 1;
        lines.push(line);
    }
    let whole = lines.len() >= SNIFF_LINES || bytes >= SNIFF_BYTES;
    (lines, whole)
}

/// Why the first lines of an input say it is not a text log, if they do.
///
/// A few NUL bytes do not make a log binary (a crashed process or a preallocated file leaves
/// runs of them; those lines are counted as unparsed). An input is binary when it starts with a
/// known binary signature, or when at least 30% of its first 8 KiB of text are control bytes
/// other than tab, newline, carriage return, form feed and escape. A leading run of NUL bytes is
/// not looked at: `logrotate copytruncate` leaves one (the writer keeps its file offset, so the
/// truncated file restarts with a hole that reads as NULs) in front of a log that is all text.
fn binary_reason(sample: &[&[u8]]) -> Option<&'static str> {
    let head = sample.first().copied().unwrap_or_default();
    // UTF-16 with a BOM is transcoded by the reader; without one (ASCII text whose every
    // other byte is NUL) it is not guessed, but named, with the command that converts it.
    let ascii_units = |nul_at: usize| {
        head.len() >= 8
            && head
                .chunks_exact(2)
                .all(|p| p[nul_at] == 0 && p[1 - nul_at] != 0)
    };
    if ascii_units(1) {
        return Some(
            "looks like UTF-16LE text without a byte order mark; convert it with `iconv -f UTF-16LE -t UTF-8`",
        );
    }
    if ascii_units(0) {
        return Some(
            "looks like UTF-16BE text without a byte order mark; convert it with `iconv -f UTF-16BE -t UTF-8`",
        );
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
    let probe = sample
        .iter()
        .flat_map(|line| line.iter().chain(std::iter::once(&b'\n')))
        .skip_while(|&&b| b == 0)
        .take(8192);
    let probe: Vec<u8> = probe.copied().collect();
    let len = probe.len();
    let control = probe
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    if len == 0 {
        return None;
    }
    if control * 10 >= len * 3 {
        return Some("binary file (mostly control bytes in its first 8 KiB)");
    }
    // Random-looking bytes (an encrypted or compressed blob without a known signature) have
    // ~11% control bytes and are mostly invalid UTF-8. Text in a legacy encoding (Latin-1,
    // GBK, Shift-JIS) is invalid UTF-8 too but has almost no control bytes, so both are asked
    // for, and only on a probe long enough to judge.
    if len >= 1024 && control * 20 >= len {
        let invalid: usize = probe.utf8_chunks().map(|c| c.invalid().len()).sum();
        if (control + invalid) * 10 >= len * 3 {
            return Some("binary file (control bytes and invalid UTF-8 in its first 8 KiB)");
        }
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
    let source = match (opts.year, modified, opts.dated_span) {
        (Some(_), _, _) => "--year",
        (None, Some(_), _) => YEAR_FROM_MTIME,
        (None, None, Some(_)) => "other inputs",
        (None, None, None) => "current date",
    };
    let input_modified = modified;
    let modified = modified
        .or(opts.now)
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    use chrono::{Datelike, NaiveDate};
    // A date that exists in no year (`Feb 30`, from a garbled line) anchors nothing: it would
    // push every later line of that month into the next year.
    let first_no_year = sample.iter().find_map(|line| match format.parse(line) {
        LineParse::Event(Parsed {
            time: Some(RawTime::NoYear { month, day, .. }),
            ..
        }) if NaiveDate::from_ymd_opt(2000, month, day).is_some() => Some((month, day)),
        _ => None,
    });
    match first_no_year {
        Some(first) => {
            let mut anchor = YearAnchor::infer(first, opts.year, modified);
            if let (None, None, Some((lo, hi))) = (opts.year, &input_modified, opts.dated_span) {
                let at = NaiveDate::from_ymd_opt(anchor.year, anchor.month, anchor.day)
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .and_then(|t| Timestamp::from_datetime(&t.and_utc()));
                if let Some(at) = at {
                    anchor.year += year_shift(at, at, lo, hi);
                }
            }
            (Some(anchor), Some(source))
        }
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
        // The first bytes of an x86-64 ELF executable (e_ident, then e_type = ET_EXEC).
        let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0\x01\0\0\0";
        let (r, events) = run_bytes(elf, &IngestOptions::default());
        assert!(r.skipped.is_some());
        assert!(events.is_empty());
    }

    fn run_bytes(bytes: &[u8], opts: &IngestOptions) -> (InputReport, Vec<Event>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        std::fs::write(&path, bytes).unwrap();
        let input = Input {
            source: Source::File(path.clone()),
            display: path.display().to_string(),
            service: "app".into(),
        };
        let mut sink = Collect::default();
        let report = ingest_one(0, &input, opts, &mut sink);
        (report, sink.0)
    }

    /// Files are read 64 KiB at a time after the 4 bytes `reader::open` reads to detect
    /// compression: with the smallest chunk size, the first chunk of a file ends at the last
    /// `\n` of its first `READ` bytes.
    const READ: usize = 4 + 64 * 1024;

    /// Copies of `line`, the last one padded with spaces so that the result is `total` bytes
    /// and ends with `\n`.
    fn filler(line: &str, total: usize) -> Vec<u8> {
        let mut out = Vec::new();
        while total - out.len() >= 2 * (line.len() + 1) {
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
        let pad = total - out.len() - line.len() - 1;
        out.extend_from_slice(line.as_bytes());
        out.extend(std::iter::repeat_n(b' ', pad));
        out.push(b'\n');
        assert_eq!(out.len(), total);
        out
    }

    /// Reads `bytes` with the smallest chunks and with one chunk; asserts that both give the
    /// same report and events, and returns them.
    fn run_both_chunkings(bytes: &[u8], opts: &IngestOptions) -> (InputReport, Vec<Event>) {
        let small = IngestOptions {
            chunk_bytes: 4096,
            ..opts.clone()
        };
        let big = IngestOptions {
            chunk_bytes: 1 << 26,
            ..opts.clone()
        };
        let (mut rs, es) = run_bytes(bytes, &small);
        let (mut rb, eb) = run_bytes(bytes, &big);
        rs.path.clear();
        rb.path.clear();
        assert_eq!(rs, rb, "reports differ with the chunk size");
        assert_eq!(es.len(), eb.len());
        for (a, b) in es.iter().zip(&eb) {
            assert_eq!(a, b, "events differ with the chunk size");
        }
        assert!(rb.is_balanced(), "{rb:?}");
        (rb, eb)
    }

    // Python logging `%(asctime)s - %(name)s - %(levelname)s - %(message)s`, the layout of the
    // logging cookbook (https://docs.python.org/3/howto/logging-cookbook.html).
    const PY_LINE: &str = "2024-01-21 15:00:02,123 - app - ERROR - payment failed";

    #[test]
    fn lossy_line_valid_under_cap_is_not_cut() {
        // 30 invalid bytes decode to 90 bytes of U+FFFD; the line itself is under the cap.
        let mut text = b"2024-01-21 15:00:02 INFO ".to_vec();
        text.extend(std::iter::repeat_n(0xFF, 30));
        text.push(b'\n');
        let opts = IngestOptions {
            max_line_bytes: 64,
            ..IngestOptions::default()
        };
        let (r, events) = run_bytes(&text, &opts);
        assert_eq!((r.lines, r.lossy, r.cut), (1, 1, 0));
        assert_eq!(
            events[0]
                .message
                .chars()
                .filter(|c| *c == '\u{FFFD}')
                .count(),
            30
        );
    }

    #[test]
    fn lossy_long_line_at_chunk_edge_valid_cut_once() {
        // The invalid line starts 1200 bytes before the end of the first read, so the reader
        // cuts it at the 1024-byte cap; it must not be cut (and counted) again once decoded.
        let mut text = filler(PY_LINE, READ - 1200);
        text.extend(std::iter::repeat_n(0xFF, 3000));
        text.push(b'\n');
        text.extend_from_slice(PY_LINE.as_bytes());
        text.push(b'\n');
        let opts = IngestOptions {
            max_line_bytes: 1024,
            ..IngestOptions::default()
        };
        let (r, _) = run_both_chunkings(&text, &opts);
        assert_eq!((r.lossy, r.cut), (1, 1));
    }

    #[test]
    fn copytruncate_nul_prefix_valid_is_read_not_skipped() {
        // After `logrotate copytruncate`, a writer without O_APPEND goes on at its old offset:
        // the file starts with a hole that reads as NUL bytes, then the log.
        // Lines from Loghub's OpenSSH sample (https://github.com/logpai/loghub, OpenSSH).
        let mut text = vec![0u8; 16 * 1024];
        for _ in 0..50 {
            text.extend_from_slice(
                b"Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\n",
            );
        }
        let opts = IngestOptions {
            year: Some(2024),
            ..IngestOptions::default()
        };
        let (r, events) = run_bytes(&text, &opts);
        assert_eq!(r.skipped, None);
        assert_eq!(r.lines, 50);
        // The first line is the NUL run glued to the first record: unparsed.
        assert_eq!((r.events, r.unparsed), (49, 1));
        assert!(r.is_balanced());
        assert_eq!(events.len(), 49);
    }

    #[test]
    fn nul_heavy_binary_invalid_still_skipped() {
        // lastlog(8)-like: a sparse run of NULs, then fixed-size records that are mostly NULs.
        let mut bin = vec![0u8; 4096];
        for _ in 0..40 {
            bin.extend_from_slice(&[0x5f, 0x3a, 0x12, 0x65]);
            bin.extend_from_slice(b"pts/0");
            bin.extend(std::iter::repeat_n(0u8, 27));
            bin.extend_from_slice(b"10.0.0.1");
            bin.extend(std::iter::repeat_n(0u8, 248));
        }
        let (r, events) = run_bytes(&bin, &IngestOptions::default());
        assert!(r.skipped.is_some(), "{r:?}");
        assert!(events.is_empty());
    }

    #[test]
    fn unparsed_then_blank_lead_lines_valid_end_line_as_in_one_chunk() {
        // zap production JSON (https://github.com/uber-go/zap, NewProductionEncoderConfig):
        // a one-record-per-line format, so "not json" is unparsed and the blank line after it
        // continues the last event.
        let zap = r#"{"level":"info","ts":1705849202.5,"caller":"main.go:12","msg":"listening"}"#;
        let mut text = filler(zap, READ);
        text.extend_from_slice(b"not json\n\n");
        text.extend_from_slice(zap.as_bytes());
        text.push(b'\n');
        let (r, events) = run_both_chunkings(&text, &IngestOptions::default());
        assert_eq!(r.format, "json_lines");
        let n = events.len();
        assert_eq!(events[n - 2].end_line, events[n - 1].line - 1);
    }

    #[test]
    fn sniff_sample_valid_same_for_any_chunk_size() {
        // Ten long lines without a time fill the first read; the 190 syslog lines after them
        // are in the sample only if the sample does not stop at the first chunk.
        let long = "x".repeat(7000);
        let mut text = Vec::new();
        for _ in 0..10 {
            text.extend_from_slice(long.as_bytes());
            text.push(b'\n');
        }
        for _ in 0..190 {
            text.extend_from_slice(
                b"Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\n",
            );
        }
        let opts = IngestOptions {
            year: Some(2024),
            ..IngestOptions::default()
        };
        let (r, _) = run_both_chunkings(&text, &opts);
        assert_eq!(r.format, "syslog_rfc3164");
    }

    #[test]
    fn timeless_event_first_in_chunk_valid_inherits_previous_chunk_time() {
        // logging.BASIC_FORMAT "%(levelname)s:%(name)s:%(message)s" carries no time.
        let mut text = filler(PY_LINE, READ);
        text.extend_from_slice(b"WARNING:root:disk almost full\n");
        text.extend_from_slice(b"2024-01-21 15:00:03,000 - app - INFO - recovered\n");
        let (r, events) = run_both_chunkings(&text, &IngestOptions::default());
        assert_eq!(r.format, "python_logging");
        assert_eq!((r.backwards, r.unparsed), (0, 0));
        let n = events.len();
        assert_eq!(events[n - 2].message, "disk almost full");
        assert_eq!(events[n - 2].time, events[n - 3].time);
    }

    #[test]
    fn traceback_first_in_chunk_valid_continues_previous_chunk_event() {
        // A Python traceback (format of traceback.print_exc) starting a chunk.
        let mut text = filler(PY_LINE, READ);
        text.extend_from_slice(
            b"Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\n    pay()\nValueError: card declined\n",
        );
        text.extend_from_slice(b"2024-01-21 15:00:03,000 - app - INFO - recovered\n");
        let (r, events) = run_both_chunkings(&text, &IngestOptions::default());
        assert_eq!(r.continuation, 4);
        let n = events.len();
        assert!(events[n - 2].body.ends_with("ValueError: card declined"));
        assert_eq!(events[n - 2].end_line, events[n - 1].line - 1);
    }

    #[test]
    fn crlf_line_of_cap_bytes_valid_not_cut_at_any_chunk_edge() {
        // A CRLF line of exactly the cap whose `\r` is the last byte of the first read.
        let line = format!("{PY_LINE} {}", "y".repeat(1000 - PY_LINE.len() - 1));
        let mut text = filler(PY_LINE, READ - line.len() - 1);
        for _ in 0..3 {
            text.extend_from_slice(line.as_bytes());
            text.extend_from_slice(b"\r\n");
        }
        let opts = IngestOptions {
            max_line_bytes: 1000,
            ..IngestOptions::default()
        };
        let (r, events) = run_both_chunkings(&text, &opts);
        assert_eq!(r.cut, 0);
        assert!(events.last().unwrap().message.ends_with('y'));
    }

    #[test]
    fn last_line_of_cap_bytes_with_cr_valid_not_cut() {
        let line = format!("{PY_LINE} {}", "y".repeat(100 - PY_LINE.len() - 1));
        let text = format!("{line}\r\n{line}\r");
        let opts = IngestOptions {
            max_line_bytes: 100,
            ..IngestOptions::default()
        };
        let (r, _) = run_both_chunkings(text.as_bytes(), &opts);
        assert_eq!((r.lines, r.cut), (2, 0));
    }

    #[test]
    fn clock_offset_valid_input_service_shifts_its_programs() {
        // A host's clock is wrong for all of its syslog: lines carry `sshd` as their service.
        let text =
            "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\n";
        let base = IngestOptions {
            year: Some(2024),
            ..IngestOptions::default()
        };
        let (_, plain) = run_text(text, &base);
        assert_eq!(&*plain[0].service, "sshd");
        let by_input = IngestOptions {
            clock_offsets: vec![("app".into(), 2_000_000_000)],
            ..base.clone()
        };
        let (_, shifted) = run_text(text, &by_input);
        assert_eq!(shifted[0].time.0 - plain[0].time.0, 2_000_000_000);
        // The line's own service wins over the input's.
        let both = IngestOptions {
            clock_offsets: vec![
                ("app".into(), 2_000_000_000),
                ("sshd".into(), -1_000_000_000),
            ],
            ..base
        };
        let (_, shifted) = run_text(text, &both);
        assert_eq!(shifted[0].time.0 - plain[0].time.0, -1_000_000_000);
    }

    #[test]
    fn truncated_gzip_invalid_counts_lines_before_and_names_file() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for i in 0..20_000 {
            writeln!(
                enc,
                "2024-01-21 15:00:02,123 - app - ERROR - payment {i} failed"
            )
            .unwrap();
        }
        let gz = enc.finish().unwrap();
        let (r, events) = run_bytes(&gz[..gz.len() / 2], &IngestOptions::default());
        let err = r.error.clone().unwrap();
        assert!(err.contains("app.log") && err.contains(&format!("after line {}", r.lines)));
        assert!(r.lines > 1000 && r.lines < 20_000, "{r:?}");
        assert!(r.is_balanced());
        assert_eq!(events.len() as u64, r.events);
    }

    #[test]
    fn end_of_input_valid_called_once_after_last_event() {
        struct Ends(Vec<&'static str>);
        impl EventSink for Ends {
            fn accept(&mut self, _event: Event) {
                self.0.push("event");
            }
            fn end_of_input(&mut self) {
                self.0.push("end");
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        std::fs::write(&path, format!("{PY_LINE}\n{PY_LINE}\n")).unwrap();
        let input = Input {
            source: Source::File(path),
            display: "app.log".into(),
            service: "app".into(),
        };
        let mut sink = Ends(Vec::new());
        ingest_one(0, &input, &IngestOptions::default(), &mut sink);
        assert_eq!(sink.0, vec!["event", "event", "end"]);
    }

    #[test]
    fn truncated_zstd_invalid_counts_lines_before_and_names_file() {
        let mut text = String::new();
        for i in 0..20_000 {
            text.push_str(&format!("{PY_LINE} {i}\n"));
        }
        let zst = zstd::encode_all(text.as_bytes(), 1).unwrap();
        let (r, _) = run_bytes(&zst[..zst.len() / 2], &IngestOptions::default());
        let err = r.error.clone().unwrap();
        assert!(err.contains("app.log") && err.contains(&format!("after line {}", r.lines)));
        assert!(r.lines > 1000 && r.lines < 20_000, "{r:?}");
        assert!(r.is_balanced());
    }

    #[test]
    fn empty_and_blank_inputs_valid_balanced() {
        let (r, _) = run_bytes(b"", &IngestOptions::default());
        assert_eq!((r.format.as_str(), r.lines), ("empty", 0));
        let (r, events) = run_bytes(b"\n\n\r\n  \n\t", &IngestOptions::default());
        assert_eq!((r.lines, r.unparsed, r.events), (5, 5, 0));
        assert!(events.is_empty());
    }

    #[test]
    fn syslog_impossible_first_date_invalid_does_not_anchor_the_year() {
        // Loghub OpenSSH lines; the first one's date is garbled into one no year has.
        let text = "Feb 30 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\nFeb 28 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2\n";
        let opts = IngestOptions {
            year: Some(2023),
            ..IngestOptions::default()
        };
        let (r, events) = run_text(text, &opts);
        assert_eq!((r.events, r.unparsed), (1, 1));
        assert_eq!(events[0].time, crate::time::ymd_hms(2023, 2, 28, 6, 55, 48));
    }

    #[test]
    fn syslog_feb_29_valid_year_from_mtime_is_a_leap_year() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("syslog");
        std::fs::write(
            &path,
            "Feb 29 23:59:58 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186\nMar  1 00:00:01 LabSZ sshd[24200]: Received disconnect from 173.234.31.186\n",
        )
        .unwrap();
        // Modified a year later, in a non-leap year.
        let mtime = chrono::NaiveDate::from_ymd_opt(2025, 3, 5)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
            .and_utc();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(mtime.into())
            .unwrap();
        let input = Input {
            source: Source::File(path.clone()),
            display: "syslog".into(),
            service: "syslog".into(),
        };
        let mut sink = Collect::default();
        let r = ingest_one(0, &input, &IngestOptions::default(), &mut sink);
        assert_eq!(r.year_anchor, Some(2024));
        assert_eq!(r.events, 2);
        assert_eq!(
            sink.0[0].time,
            crate::time::ymd_hms(2024, 2, 29, 23, 59, 58)
        );
        assert_eq!(sink.0[1].time, crate::time::ymd_hms(2024, 3, 1, 0, 0, 1));
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

    #[test]
    fn random_blob_invalid_skipped_as_binary() {
        // Noise with no known signature (an encrypted backup), same bytes every run.
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let blob: Vec<u8> = (0..8192)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 24) as u8
            })
            .collect();
        let (r, _) = run_bytes(&blob, &IngestOptions::default());
        assert!(r.skipped.is_some(), "{r:?}");
    }

    #[test]
    fn legacy_encoding_log_valid_read_lossy_not_skipped() {
        // GBK-encoded Chinese messages ("数据库连接失败", database connection failed): invalid
        // UTF-8 but no control bytes, a real log to read lossily.
        let mut text = Vec::new();
        for i in 0..100 {
            text.extend_from_slice(format!("2024-01-21 15:00:{:02} ERROR ", i % 60).as_bytes());
            text.extend_from_slice(b"\xca\xfd\xbe\xdd\xbf\xe2\xc1\xac\xbd\xd3\xca\xa7\xb0\xdc\n");
        }
        let (r, _) = run_bytes(&text, &IngestOptions::default());
        assert_eq!(r.skipped, None);
        assert_eq!((r.events, r.lossy), (100, 100));
    }

    #[test]
    fn utf16_without_bom_invalid_skipped_with_iconv_hint() {
        let text: Vec<u8> = "2024-01-21 15:00:02 ERROR f\u{fc}r\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let (r, _) = run_bytes(&text, &IngestOptions::default());
        assert!(
            r.skipped.as_deref().is_some_and(|w| w.contains("UTF-16LE")),
            "{r:?}"
        );
    }

    #[test]
    fn utf16_with_bom_valid_transcoded_and_balanced() {
        let mut text = vec![0xFF, 0xFE];
        text.extend(
            "2024-01-21 15:00:02 ERROR f\u{fc}r\r\n2024-01-21 15:00:03 INFO ok\r\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        let (r, events) = run_bytes(&text, &IngestOptions::default());
        assert_eq!(r.encoding.as_deref(), Some("UTF-16LE"));
        assert_eq!((r.lines, r.events, r.lossy), (2, 2, 0));
        assert_eq!(events[0].message, "f\u{fc}r");
    }
}
