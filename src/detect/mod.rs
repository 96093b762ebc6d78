//! Detection: what changed, and when. Aggregates every event into counts per time bucket,
//! service, level, signature and template (keeping counts plus bounded evidence samples, never
//! the raw lines), finds the incident window, and measures each candidate against its baseline.
//!
//! ```text
//!  Event ─▶ Aggregator (one per input; signature match, masked template key, 10 s buckets,
//!           access-log status/latency, inferred changes, bounded evidence)
//!        ─merge─▶ Aggregate ─▶ EventTable (polars: counts per bucket × service × level ×
//!                               category × signature × template, changes joined as-of)
//!                            ─▶ window::detect ─▶ Window (incident + baseline)
//! ```
//!
//! Key types: [`Aggregator`] (the [`EventSink`]), [`Aggregate`] (all inputs merged),
//! [`SeriesKey`], [`Sample`], [`window::Window`].

pub mod caps;
pub mod clocks;
pub mod impact;
#[cfg(feature = "polars")]
pub mod table;
pub mod window;

use crate::event::{Event, Level, Timestamp, keys};
use crate::ingest::EventSink;
use crate::patterns::SignatureSet;
use crate::templates::mask::{Masked, key_display, mask_message};
use crate::timeline::changes::{Change, infer_from_message};
use std::collections::BTreeMap;

/// The hash map of the aggregation: FxHash instead of SipHash (keys are our own service and
/// template strings, hashed once per event; flooding resistance buys nothing here).
pub type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;
use std::sync::Arc;

/// Width of the finest time bucket kept while reading (coarser ones are sums of these).
pub const BASE_BUCKET_NANOS: i64 = 10 * Timestamp::NANOS_PER_SEC;
/// Evidence kept per series: the first few occurrences, then the earliest of each block.
pub const MAX_SAMPLES_PER_SERIES: usize = 24;
/// Blocks of time of which the earliest occurrence is kept as evidence.
pub const SAMPLE_BLOCK_NANOS: i64 = 5 * 60 * Timestamp::NANOS_PER_SEC;
/// Distinct template keys kept per input before new ones are folded into one overflow key.
pub const MAX_KEYS_PER_INPUT: usize = 50_000;
/// Distinct templates without a signature kept over all inputs (see [`Aggregate::absorb`]).
pub const MAX_KEYS_TOTAL: usize = 100_000;
/// Inferred change events kept per input.
pub const MAX_INFERRED_CHANGES: usize = 200;
/// Evidence text is cut to this many bytes.
pub const MAX_SAMPLE_BYTES: usize = 400;

/// What a count is about: a service, a level class, and either a signature or a template.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeriesKey {
    pub service: Arc<str>,
    /// `None` = the line had no level.
    pub level: Option<Level>,
    /// Index into the signature set, if a signature matched.
    pub signature: Option<u32>,
    /// Masked template key (see [`crate::templates::mask`]).
    pub template: Arc<str>,
}

/// One evidence line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sample {
    pub time: Timestamp,
    /// The time the underlying condition began, when the line says so (a pool timeout after
    /// 30000 ms began 30 s earlier); else `time`.
    pub began: Timestamp,
    pub input: u32,
    pub line: u64,
    pub text: String,
}

/// Per-bucket access-log figures of one service.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HttpBucket {
    pub requests: u64,
    pub errors_5xx: u64,
    pub errors_4xx: u64,
    /// Requests logged with the client's address: what a proxy or load balancer logs, and an
    /// application behind one usually does not.
    pub with_client: u64,
}

impl HttpBucket {
    fn add(&mut self, other: &HttpBucket) {
        self.requests += other.requests;
        self.errors_5xx += other.errors_5xx;
        self.errors_4xx += other.errors_4xx;
        self.with_client += other.with_client;
    }
}

/// The first occurrences always kept as evidence, whatever their block.
const FIRST_SAMPLES: usize = 3;

fn sample_block(time: Timestamp) -> i64 {
    time.0.div_euclid(SAMPLE_BLOCK_NANOS)
}

fn sample_order(s: &Sample) -> (Timestamp, u32, u64) {
    (s.time, s.input, s.line)
}

/// Keeps, of `samples`, the evidence of a series: the first [`FIRST_SAMPLES`] occurrences and
/// the earliest occurrence of each of the first blocks of [`SAMPLE_BLOCK_NANOS`], up to
/// [`MAX_SAMPLES_PER_SERIES`] in all; sorted by time. Returns the number of blocks kept.
///
/// The choice depends only on the set of samples, not on the order they came in, and
/// `select(A ∪ B) = select(select(A) ∪ select(B))`: so evidence kept while reading, then merged
/// across inputs in whatever order threads finish, is the same as if every occurrence had been
/// kept and chosen from at the end.
fn select_samples(samples: &mut Vec<Sample>) -> u32 {
    samples.sort_by_key(sample_order);
    samples.dedup_by_key(|s| sample_order(s));
    let max_blocks = MAX_SAMPLES_PER_SERIES - FIRST_SAMPLES;
    let mut blocks = 0usize;
    let mut prev_block = None;
    let mut i = 0usize;
    samples.retain(|s| {
        let b = sample_block(s.time);
        let first_of_block = prev_block != Some(b);
        prev_block = Some(b);
        if first_of_block {
            blocks += 1;
        }
        let keep = i < FIRST_SAMPLES || (first_of_block && blocks <= max_blocks);
        i += 1;
        keep
    });
    blocks.min(max_blocks) as u32
}

/// Counts and evidence of one series.
#[derive(Clone, Debug, Default)]
pub struct Series {
    /// Base bucket index → count.
    pub counts: BTreeMap<i64, u64>,
    /// Earliest `began` time per base bucket (pool timeouts began before they were logged).
    pub began: BTreeMap<i64, Timestamp>,
    /// Evidence, sorted by time (see [`select_samples`]).
    pub samples: Vec<Sample>,
    pub total: u64,
    /// Distinct sample blocks among the kept samples, up to the cap.
    sample_blocks: u32,
    /// Evidence of the latest period, for nightly scans (see [`RecentEvidence`]); empty when
    /// the aggregator was not asked for it.
    pub recent: Vec<Sample>,
}

/// Which recent evidence a series keeps besides its earliest (`culprit scan` reports on the
/// last period of the logs, which is known only once every input is read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecentEvidence {
    /// The earliest [`RECENT_PER_HOUR`] occurrences of each hour and its latest one, for the
    /// latest [`RECENT_HOURS`] hours: whatever 24-hour period ends at the last event, a series
    /// with occurrences in it has some of them kept (the period usually starts within an hour,
    /// whose earliest occurrences may precede it; its latest one does not).
    LatestHours,
    /// The earliest [`RECENT_PER_HOUR`] occurrences: the period starts at a known time (events
    /// before it are not aggregated).
    Earliest,
}

/// Recent samples kept per hour (and in all, for [`RecentEvidence::Earliest`]).
pub const RECENT_PER_HOUR: usize = 3;
/// Hours of recent samples kept by [`RecentEvidence::LatestHours`].
pub const RECENT_HOURS: usize = 25;
const HOUR_NANOS: i64 = 3600 * Timestamp::NANOS_PER_SEC;

impl RecentEvidence {
    /// Keeps, of `samples`, the ones this policy keeps; sorted by time. Like
    /// [`select_samples`], the choice depends only on the set, and merging selections
    /// gives the selection of the union.
    fn select(self, samples: &mut Vec<Sample>) {
        samples.sort_by_key(sample_order);
        samples.dedup_by_key(|s| sample_order(s));
        match self {
            RecentEvidence::Earliest => samples.truncate(RECENT_PER_HOUR),
            RecentEvidence::LatestHours => {
                let hour = |s: &Sample| s.time.0.div_euclid(HOUR_NANOS);
                let mut hours: Vec<i64> = samples.iter().map(hour).collect();
                hours.dedup();
                let from = hours
                    .len()
                    .checked_sub(RECENT_HOURS)
                    .and_then(|k| hours.get(k).copied())
                    .unwrap_or(i64::MIN);
                // Position within its hour, and whether it is the hour's last.
                let n = samples.len();
                let mut keep = vec![false; n];
                let mut in_hour = 0usize;
                for i in 0..n {
                    let h = hour(&samples[i]);
                    if i > 0 && hour(&samples[i - 1]) != h {
                        in_hour = 0;
                    }
                    in_hour += 1;
                    let last_of_hour = samples.get(i + 1).is_none_or(|next| hour(next) != h);
                    keep[i] = h >= from && (in_hour <= RECENT_PER_HOUR || last_of_hour);
                }
                let mut k = keep.into_iter();
                samples.retain(|_| k.next().unwrap_or(false));
            }
        }
    }

    /// What to do with an occurrence later than every kept sample (the common case, decided
    /// without building the sample).
    fn on_later(self, kept: &[Sample], time: Timestamp) -> Later {
        match self {
            RecentEvidence::Earliest if kept.len() < RECENT_PER_HOUR => Later::Push,
            RecentEvidence::Earliest => Later::Skip,
            RecentEvidence::LatestHours => {
                let h = time.0.div_euclid(HOUR_NANOS);
                let same_hour = kept
                    .iter()
                    .rev()
                    .take(RECENT_PER_HOUR + 1)
                    .filter(|s| s.time.0.div_euclid(HOUR_NANOS) == h)
                    .count();
                match same_hour {
                    0 => Later::PushHour,
                    n if n <= RECENT_PER_HOUR => Later::Push,
                    // The hour's earliest and a later one: this one is the hour's latest now.
                    _ => Later::ReplaceLast,
                }
            }
        }
    }
}

/// See [`RecentEvidence::on_later`].
enum Later {
    Skip,
    Push,
    /// Push, and the oldest hour may have to go.
    PushHour,
    ReplaceLast,
}

impl Series {
    fn add(
        &mut self,
        bucket: i64,
        event: &Event,
        began: Timestamp,
        recent: Option<RecentEvidence>,
    ) {
        if let Some(policy) = recent {
            let later = self
                .recent
                .last()
                .is_none_or(|l| (event.time, event.input, event.line) > sample_order(l));
            if !later {
                self.recent.push(sample_of(event, began));
                policy.select(&mut self.recent);
            } else {
                match policy.on_later(&self.recent, event.time) {
                    Later::Skip => {}
                    Later::Push => self.recent.push(sample_of(event, began)),
                    Later::PushHour => {
                        self.recent.push(sample_of(event, began));
                        policy.select(&mut self.recent);
                    }
                    Later::ReplaceLast => {
                        if let Some(last) = self.recent.last_mut() {
                            set_sample(last, event, began);
                        }
                    }
                }
            }
        }
        *self.counts.entry(bucket).or_insert(0) += 1;
        self.total += 1;
        let slot = self.began.entry(bucket).or_insert(began);
        if began < *slot {
            *slot = began;
        }
        let key = (event.time, event.input, event.line);
        match self.samples.last() {
            // In time order, the common case: decided without building the sample.
            Some(last) if key > sample_order(last) => {
                let new_block = sample_block(event.time) != sample_block(last.time);
                let room = (self.sample_blocks as usize) < MAX_SAMPLES_PER_SERIES - FIRST_SAMPLES;
                if self.samples.len() < FIRST_SAMPLES || (new_block && room) {
                    self.samples.push(sample_of(event, began));
                    if new_block {
                        self.sample_blocks += 1;
                    }
                }
            }
            _ => {
                // First sample, or one out of time order: choose again.
                self.samples.push(sample_of(event, began));
                self.sample_blocks = select_samples(&mut self.samples);
            }
        }
    }

    fn merge(&mut self, other: Series, recent: Option<RecentEvidence>) {
        if let Some(policy) = recent {
            self.recent.extend(other.recent);
            policy.select(&mut self.recent);
        }
        for (b, n) in other.counts {
            *self.counts.entry(b).or_insert(0) += n;
        }
        for (b, t) in other.began {
            let slot = self.began.entry(b).or_insert(t);
            if t < *slot {
                *slot = t;
            }
        }
        self.total += other.total;
        self.samples.extend(other.samples);
        self.sample_blocks = select_samples(&mut self.samples);
    }
}

/// Appends `text` cut at [`MAX_SAMPLE_BYTES`] (with `…` when cut) to `dst`.
fn push_clipped(dst: &mut String, text: &str) {
    let cut = crate::ingest::reader::utf8_floor(text.as_bytes(), MAX_SAMPLE_BYTES);
    dst.push_str(&text[..cut]);
    if cut < text.len() {
        dst.push('…');
    }
}

/// Overwrites `s` with `event`, reusing its text's allocation.
fn set_sample(s: &mut Sample, event: &Event, began: Timestamp) {
    s.time = event.time;
    s.began = began;
    s.input = event.input;
    s.line = event.line;
    s.text.clear();
    push_clipped(&mut s.text, &event.message);
}

fn sample_of(event: &Event, began: Timestamp) -> Sample {
    let mut text = String::with_capacity(event.message.len().min(MAX_SAMPLE_BYTES + 3));
    push_clipped(&mut text, &event.message);
    Sample {
        time: event.time,
        began,
        input: event.input,
        line: event.line,
        text,
    }
}

/// The [`EventSink`] that aggregates one input.
pub struct Aggregator {
    signatures: &'static SignatureSet,
    masked: Masked,
    keys: FastMap<String, Arc<str>>,
    pub series: FastMap<SeriesKey, Series>,
    /// Service → base bucket → events of any kind (volume, for silence detection).
    pub volume: FastMap<Arc<str>, BTreeMap<i64, u64>>,
    /// Service → base bucket → access-log figures.
    pub http: FastMap<Arc<str>, BTreeMap<i64, HttpBucket>>,
    /// Service → last event seen (time, input, line, text), for silence evidence.
    pub last_event: FastMap<Arc<str>, Sample>,
    pub inferred: Vec<Change>,
    /// Service → sampled request/trace ids, for clock-offset estimation.
    pub anchors: FastMap<Arc<str>, clocks::AnchorSet>,
    /// Service → clients and latency per minute, from access-log lines.
    pub impact: FastMap<Arc<str>, impact::ImpactAcc>,
    /// Field name → whether it names an error field (see `is_error_key`).
    error_keys: std::cell::RefCell<Vec<(Arc<str>, bool)>>,
    source: Arc<str>,
    /// Notable events counted under the overflow key (template key cap reached).
    pub keys_overflow: u64,
    /// Change-like lines not turned into inferred changes (cap reached).
    pub inferred_dropped: u64,
    /// Recent evidence to keep per series besides the earliest (`culprit scan`).
    pub recent: Option<RecentEvidence>,
    /// Events of one service in one bucket not yet added to `volume` (see [`Aggregator::flush`]).
    volume_cache: Option<(Arc<str>, i64, u64)>,
}

/// The template key of the series that counts templates beyond a key cap together.
pub const OVERFLOW_KEY: &str = "<other templates: key cap reached>";

impl Aggregator {
    pub fn new(signatures: &'static SignatureSet, source: &str) -> Aggregator {
        Aggregator {
            signatures,
            masked: Masked::new(),
            keys: FastMap::default(),
            series: FastMap::default(),
            volume: FastMap::default(),
            http: FastMap::default(),
            last_event: FastMap::default(),
            inferred: Vec::new(),
            anchors: FastMap::default(),
            impact: FastMap::default(),
            error_keys: std::cell::RefCell::new(Vec::new()),
            source: Arc::from(source),
            keys_overflow: 0,
            inferred_dropped: 0,
            recent: None,
            volume_cache: None,
        }
    }

    /// Whether a field name says it holds an error (`err`, `error.message`, `exception`, …).
    /// Field names are interned per chunk, so the answer is cached by name, with the latest
    /// `Arc` kept for a pointer-equality fast path (holding it keeps the address from being
    /// reused by another name).
    fn is_error_key(&self, key: &Arc<str>) -> bool {
        let mut cache = self.error_keys.borrow_mut();
        if let Some(&(_, yes)) = cache.iter().find(|(k, _)| Arc::ptr_eq(k, key)) {
            return yes;
        }
        if let Some(slot) = cache.iter_mut().find(|(k, _)| **k == **key) {
            slot.0 = key.clone();
            return slot.1;
        }
        let lower = key.to_ascii_lowercase();
        let yes = ["err", "exception", "stack", "reason", "cause"]
            .iter()
            .any(|w| lower.contains(w));
        // Names are few; a pathological input with many distinct names just stops caching.
        if cache.len() < 256 {
            cache.push((key.clone(), yes));
        }
        yes
    }

    /// Adds the cached volume count to `volume`. Called at the end of each input (and by
    /// [`Aggregate::absorb`]): read `volume` only after it.
    pub fn flush(&mut self) {
        if let Some((svc, b, n)) = self.volume_cache.take() {
            *self.volume.entry(svc).or_default().entry(b).or_insert(0) += n;
        }
    }

    fn intern_key(&mut self) -> Arc<str> {
        if let Some(k) = self.keys.get(self.masked.key.as_str()) {
            return k.clone();
        }
        if self.keys.len() >= MAX_KEYS_PER_INPUT {
            self.keys_overflow += 1;
            return Arc::from(OVERFLOW_KEY);
        }
        let k: Arc<str> = Arc::from(self.masked.key.as_str());
        self.keys.insert(self.masked.key.clone(), k.clone());
        k
    }

    /// Matches the message, the first lines of the body and its `Caused by:` lines (the
    /// exception a stack trace reports), and error-ish structured fields (`err.message`,
    /// `error.code`, …). Of all matches the most specific wins; on a tie the deepest (the
    /// root cause of a wrapped exception). Returns the signature index and the time the
    /// condition began.
    fn classify(&self, event: &Event) -> Option<(u32, Timestamp)> {
        let mut texts: Vec<&str> = vec![&event.message];
        if !event.body.is_empty() {
            let body: Vec<&str> = event.body.lines().take(400).collect();
            for (i, line) in body.iter().enumerate() {
                let t = line.trim_start();
                // The head of a Java stack trace and its causes; the tail of a Python
                // traceback (the exception line comes last).
                if i < 3 || i + 2 >= body.len() || t.starts_with("Caused by:") {
                    texts.push(line);
                }
            }
        }
        let mut joined_fields = String::new();
        for (k, v) in event.fields.0.iter() {
            if self.is_error_key(k) {
                joined_fields.push_str(v);
                joined_fields.push(' ');
            }
        }
        if !joined_fields.is_empty() {
            texts.push(&joined_fields);
        }
        let mut best: Option<(crate::patterns::Match<'_, '_>, usize)> = None;
        for (depth, text) in texts.iter().enumerate() {
            if let Some(m) = self.signatures.first_match(text) {
                let better = best
                    .as_ref()
                    .is_none_or(|(b, _)| m.signature.specificity >= b.signature.specificity);
                if better {
                    best = Some((m, depth));
                }
            }
        }
        let (m, _) = best?;
        let index = u32::try_from(m.index).ok()?;
        let waited = ["timeout_ms", "waited_ms", "elapsed_ms"]
            .iter()
            .find_map(|k| m.capture(k))
            .and_then(|v| v.parse::<i64>().ok())
            .map_or(0, |ms| ms.clamp(0, 3_600_000) * 1_000_000);
        Some((index, Timestamp(event.time.0 - waited)))
    }
}

fn bucket_of(t: Timestamp) -> i64 {
    t.0.div_euclid(BASE_BUCKET_NANOS)
}

impl EventSink for Aggregator {
    fn accept(&mut self, event: Event) {
        let bucket = bucket_of(event.time);
        // Volume: consecutive events of one service in one bucket (most of them) are counted
        // in the cache and reach the map once.
        match &mut self.volume_cache {
            Some((svc, b, n)) if *b == bucket && **svc == *event.service => *n += 1,
            _ => {
                self.flush();
                self.volume_cache = Some((event.service.clone(), bucket, 1));
            }
        }
        // The fields this needs, in one pass.
        let (mut status, mut latency, mut request_id, mut trace_id, mut user, mut client) =
            (None, None, None, None, None, None);
        for (k, v) in event.fields.0.iter() {
            match &**k {
                // The first of a repeated key wins, as with `Fields::get`.
                keys::HTTP_STATUS if status.is_none() => status = v.parse::<u16>().ok(),
                keys::HTTP_LATENCY if latency.is_none() => {
                    latency = v.parse::<f64>().ok().filter(|l| l.is_finite() && *l >= 0.0)
                }
                keys::REQUEST_ID if request_id.is_none() => request_id = Some(v.as_str()),
                keys::TRACE_ID if trace_id.is_none() => trace_id = Some(v.as_str()),
                keys::USER if user.is_none() => user = Some(v.as_str()),
                keys::CLIENT if client.is_none() => client = Some(v.as_str()),
                _ => {}
            }
        }
        if let Some(id) = request_id.or(trace_id) {
            // A proxy logs when the request ends; the application sees it start.
            let started = match (status, latency) {
                (Some(_), Some(l)) => event.time.0.saturating_sub((l * 1e9) as i64),
                _ => event.time.0,
            };
            let set = match self.anchors.get_mut(&event.service) {
                Some(set) => set,
                None => self.anchors.entry(event.service.clone()).or_default(),
            };
            // The edge (the reference clock) is what logs requests with the client's address:
            // a proxy. An application's request log (status, no client) is corrected like any
            // other application.
            set.edge |= status.is_some() && client.is_some();
            set.add(id, started);
        }
        if let Some(status) = status {
            let impact = match self.impact.get_mut(&event.service) {
                Some(i) => i,
                None => self.impact.entry(event.service.clone()).or_default(),
            };
            impact.add(event.time, status, latency, user, client);
            let buckets = match self.http.get_mut(&event.service) {
                Some(b) => b,
                None => self.http.entry(event.service.clone()).or_default(),
            };
            let h = buckets.entry(bucket).or_default();
            h.requests += 1;
            if client.is_some() {
                h.with_client += 1;
            }
            match status {
                500..=599 => h.errors_5xx += 1,
                400..=499 => h.errors_4xx += 1,
                _ => {}
            }
        }
        if let Some((kind, version, description)) = infer_from_message(&event.message) {
            if self.inferred.len() >= MAX_INFERRED_CHANGES {
                self.inferred_dropped += 1;
            } else {
                self.inferred.push(Change {
                    time: event.time,
                    service: Some(event.service.to_string()),
                    version,
                    kind,
                    description: Some(description),
                    source: format!("{}:{}", self.source, event.line),
                    inferred: true,
                });
            }
        }
        // Only what could matter is counted per template: warnings and worse, signature
        // matches, and access-log errors. Info traffic is counted as volume only.
        // Access-log lines are counted in `http`; only their signature matches go further, and
        // a request that succeeded (status below 400) is no failure signal whatever its URL or
        // user agent says, so it is not matched at all.
        let is_access = status.is_some();
        let classified = if status.is_some_and(|s| s < 400) {
            None
        } else {
            self.classify(&event)
        };
        let is_notable =
            classified.is_some() || (!is_access && event.level.is_some_and(|l| l >= Level::Warn));
        if is_notable {
            mask_message(&event.message, &mut self.masked);
            let template = self.intern_key();
            let (signature, began) = match classified {
                Some((i, began)) => (Some(i), began),
                None => (None, event.time),
            };
            let key = SeriesKey {
                service: event.service.clone(),
                level: event.level,
                signature,
                template,
            };
            self.series
                .entry(key)
                .or_default()
                .add(bucket, &event, began, self.recent);
        }
        // The last event per service (silence evidence), updated in place: no allocation per
        // event once the service is known.
        match self.last_event.get_mut(&event.service) {
            Some(last) => set_sample(last, &event, event.time),
            None => {
                let sample = sample_of(&event, event.time);
                self.last_event.insert(event.service, sample);
            }
        }
    }

    fn end_of_input(&mut self) {
        self.flush();
    }
}

/// All inputs' aggregates merged.
pub struct Aggregate {
    pub series: FastMap<SeriesKey, Series>,
    pub volume: FastMap<Arc<str>, BTreeMap<i64, u64>>,
    pub http: FastMap<Arc<str>, BTreeMap<i64, HttpBucket>>,
    pub last_event: FastMap<Arc<str>, Sample>,
    pub inferred: Vec<Change>,
    pub anchors: FastMap<Arc<str>, clocks::AnchorSet>,
    pub impact: FastMap<Arc<str>, impact::ImpactAcc>,
    /// Caps reached while aggregating (see [`caps`]).
    pub caps: caps::Caps,
    /// Earliest and latest event time.
    pub span: Option<(Timestamp, Timestamp)>,
    /// The recent evidence the parts kept (see [`Aggregator::recent`]).
    pub recent: Option<RecentEvidence>,
    /// Template keys without a signature are kept when their hash is at most this (see
    /// [`Aggregate::absorb`]).
    key_threshold: u64,
    /// Series without a signature, apart from the overflow ones.
    free_keys: usize,
    /// Events moved into the overflow series by the total key cap.
    keys_folded: u64,
    /// The total key cap ([`MAX_KEYS_TOTAL`]; smaller in tests).
    key_cap: usize,
}

impl Default for Aggregate {
    fn default() -> Self {
        Aggregate {
            series: FastMap::default(),
            volume: FastMap::default(),
            http: FastMap::default(),
            last_event: FastMap::default(),
            inferred: Vec::new(),
            anchors: FastMap::default(),
            impact: FastMap::default(),
            caps: caps::Caps::default(),
            span: None,
            recent: None,
            key_threshold: u64::MAX,
            free_keys: 0,
            keys_folded: 0,
            key_cap: MAX_KEYS_TOTAL,
        }
    }
}

/// A 64-bit hash that is the same on every run and machine, with well-spread bits (FNV-1a,
/// then the MurmurHash3 finaliser): for samples and caps chosen by hash (request ids, template
/// keys, history records, HyperLogLog), which must not depend on a random seed.
pub fn stable_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Whether a series counts against the total key cap: a template without a signature, other
/// than the overflow itself (signature series are bounded by the library's size).
fn is_free(k: &SeriesKey) -> bool {
    k.signature.is_none() && &*k.template != OVERFLOW_KEY
}

impl Aggregate {
    /// Merges per-input aggregators.
    pub fn merge(parts: Vec<Aggregator>) -> Aggregate {
        let mut all = Aggregate::default();
        for part in parts {
            all.absorb(part);
        }
        all.finish();
        all
    }

    /// Adds one input's aggregator. The result does not depend on the order inputs are added
    /// in (every part is a sum, a minimum or maximum, or an order-free selection), so inputs
    /// can be folded in as threads finish them; call [`Aggregate::finish`] after the last.
    pub fn absorb(&mut self, mut part: Aggregator) {
        part.flush();
        self.caps.hit(
            "template_keys_per_input",
            MAX_KEYS_PER_INPUT as u64,
            part.keys_overflow,
            Some(&part.source),
            "further message templates of that input were counted together as one",
        );
        self.caps.hit(
            "inferred_changes_per_input",
            MAX_INFERRED_CHANGES as u64,
            part.inferred_dropped,
            Some(&part.source),
            "further deploy and restart lines were not turned into change events",
        );
        self.recent = self.recent.or(part.recent);
        for (k, s) in part.series {
            self.add_series(k, s);
        }
        self.enforce_key_cap();
        self.add_buckets(part.volume, part.http, 0);
        for (svc, s) in part.last_event {
            match self.last_event.get(&svc) {
                Some(prev) if (prev.time, prev.input, prev.line) >= (s.time, s.input, s.line) => {}
                _ => {
                    self.last_event.insert(svc, s);
                }
            }
        }
        self.inferred.extend(part.inferred);
        for (svc, a) in part.anchors {
            self.anchors.entry(svc).or_default().merge(a);
        }
        for (svc, i) in part.impact {
            self.impact.entry(svc).or_default().merge(i);
        }
    }

    /// Adds volume and access-log counts per bucket, moved by `delta_buckets`.
    fn add_buckets(
        &mut self,
        volume: FastMap<Arc<str>, BTreeMap<i64, u64>>,
        http: FastMap<Arc<str>, BTreeMap<i64, HttpBucket>>,
        delta_buckets: i64,
    ) {
        for (svc, buckets) in volume {
            let slot = self.volume.entry(svc).or_default();
            for (b, n) in buckets {
                *slot.entry(b + delta_buckets).or_insert(0) += n;
            }
        }
        for (svc, buckets) in http {
            let slot = self.http.entry(svc).or_default();
            for (b, h) in buckets {
                slot.entry(b + delta_buckets).or_default().add(&h);
            }
        }
    }

    /// Adds one series, folded into its overflow series when the total key cap excludes it.
    fn add_series(&mut self, k: SeriesKey, s: Series) {
        let k = if is_free(&k) && stable_hash(&k.template) > self.key_threshold {
            self.keys_folded = self.keys_folded.saturating_add(s.total);
            SeriesKey {
                template: Arc::from(OVERFLOW_KEY),
                ..k
            }
        } else {
            k
        };
        match self.series.get_mut(&k) {
            Some(existing) => existing.merge(s, self.recent),
            None => {
                self.free_keys += usize::from(is_free(&k));
                self.series.insert(k, s);
            }
        }
    }

    /// Keeps at most [`MAX_KEYS_TOTAL`] templates without a signature over all inputs: those
    /// whose key hashes lowest (halving the threshold until they fit), the others counted in
    /// their service's overflow series. Which keys are kept depends only on the set of keys
    /// seen, not on the order inputs are merged in (the threshold only goes down, and a key
    /// above it is folded whenever it comes).
    fn enforce_key_cap(&mut self) {
        if self.free_keys <= self.key_cap {
            return;
        }
        while self.free_keys > self.key_cap && self.key_threshold > 0 {
            self.key_threshold /= 2;
            let t = self.key_threshold;
            self.free_keys = self
                .series
                .keys()
                .filter(|k| is_free(k) && stable_hash(&k.template) <= t)
                .count();
        }
        self.fold_above_threshold();
    }

    /// Moves every series without a signature whose key hashes above the threshold into its
    /// overflow series, and counts the ones left.
    fn fold_above_threshold(&mut self) {
        let t = self.key_threshold;
        let out: Vec<SeriesKey> = self
            .series
            .keys()
            .filter(|k| is_free(k) && stable_hash(&k.template) > t)
            .cloned()
            .collect();
        for k in out {
            if let Some(s) = self.series.remove(&k) {
                self.keys_folded = self.keys_folded.saturating_add(s.total);
                let into = SeriesKey {
                    template: Arc::from(OVERFLOW_KEY),
                    ..k
                };
                match self.series.get_mut(&into) {
                    Some(existing) => existing.merge(s, self.recent),
                    None => {
                        self.series.insert(into, s);
                    }
                }
            }
        }
        self.free_keys = self.series.keys().filter(|k| is_free(k)).count();
    }

    /// Orders what [`Aggregate::absorb`] collected and computes the span.
    pub fn finish(&mut self) {
        self.caps.hit(
            "template_keys_total",
            self.key_cap as u64,
            self.keys_folded,
            None,
            "further message templates without a signature were counted together per service",
        );
        self.keys_folded = 0;
        sort_changes(&mut self.inferred);
        self.recompute_span();
    }
}

/// Inferred changes by time, then by the line they came from (unique), so that their order
/// does not depend on the order inputs were merged in.
fn sort_changes(changes: &mut [Change]) {
    changes.sort_by(|a, b| (a.time, &a.source).cmp(&(b.time, &b.source)));
}

impl Aggregate {
    /// Adds another run's aggregate (e.g. `--baseline-logs`, the logs of a known-good
    /// period) moved in time by `delta_buckets` base buckets, with its input indices offset by
    /// `input_offset`. Its inferred changes are dropped: they belong to another period.
    pub fn absorb_shifted(&mut self, other: Aggregate, delta_buckets: i64, input_offset: u32) {
        // One threshold for both, so that a template is folded on both sides or neither (a
        // template kept in one and folded in the other would look new or gone).
        if other.key_threshold < self.key_threshold {
            self.key_threshold = other.key_threshold;
            self.fold_above_threshold();
        }
        let delta_nanos = delta_buckets.saturating_mul(BASE_BUCKET_NANOS);
        let shift_sample = |s: &mut Sample| {
            s.time = Timestamp(s.time.0.saturating_add(delta_nanos));
            s.began = Timestamp(s.began.0.saturating_add(delta_nanos));
            s.input = s.input.saturating_add(input_offset);
        };
        for (k, mut series) in other.series {
            let mut shifted = Series {
                total: series.total,
                ..Series::default()
            };
            for (b, n) in std::mem::take(&mut series.counts) {
                shifted.counts.insert(b + delta_buckets, n);
            }
            for (b, t) in std::mem::take(&mut series.began) {
                shifted.began.insert(
                    b + delta_buckets,
                    Timestamp(t.0.saturating_add(delta_nanos)),
                );
            }
            shifted.samples = series.samples;
            shifted.samples.iter_mut().for_each(shift_sample);
            self.add_series(k, shifted);
        }
        self.enforce_key_cap();
        self.add_buckets(other.volume, other.http, delta_buckets);
        for (svc, mut s) in other.last_event {
            shift_sample(&mut s);
            self.last_event.entry(svc).or_insert(s);
        }
        for (svc, mut i) in other.impact {
            i.shift((delta_nanos as f64 / 60e9).round() as i64);
            self.impact.entry(svc).or_default().merge(i);
        }
        self.caps.merge(other.caps);
        if let Some((lo, hi)) = other.span {
            let (lo, hi) = (
                Timestamp(lo.0.saturating_add(delta_nanos)),
                Timestamp(hi.0.saturating_add(delta_nanos)),
            );
            self.span = Some(match self.span {
                Some((a, b)) => (a.min(lo), b.max(hi)),
                None => (lo, hi),
            });
        }
    }
}

impl Aggregate {
    /// Moves everything `service` logged by `nanos` (a clock correction): sample times
    /// exactly, bucket counts by the nearest whole base bucket.
    pub fn shift_service(&mut self, service: &str, nanos: i64) {
        let delta = (nanos as f64 / BASE_BUCKET_NANOS as f64).round() as i64;
        let shift_map = |m: &mut BTreeMap<i64, u64>| {
            *m = std::mem::take(m)
                .into_iter()
                .map(|(b, n)| (b + delta, n))
                .collect();
        };
        let shift_sample = |s: &mut Sample| {
            s.time = Timestamp(s.time.0.saturating_add(nanos));
            s.began = Timestamp(s.began.0.saturating_add(nanos));
        };
        for (k, series) in self.series.iter_mut() {
            if &*k.service != service {
                continue;
            }
            shift_map(&mut series.counts);
            series.began = std::mem::take(&mut series.began)
                .into_iter()
                .map(|(b, t)| (b + delta, Timestamp(t.0.saturating_add(nanos))))
                .collect();
            series.samples.iter_mut().for_each(shift_sample);
            series.recent.iter_mut().for_each(shift_sample);
        }
        if let Some(v) = self.volume.get_mut(service) {
            shift_map(v);
        }
        if let Some(h) = self.http.get_mut(service) {
            *h = std::mem::take(h)
                .into_iter()
                .map(|(b, x)| (b + delta, x))
                .collect();
        }
        if let Some(s) = self.last_event.get_mut(service) {
            shift_sample(s);
        }
        if let Some(i) = self.impact.get_mut(service) {
            i.shift((nanos as f64 / 60e9).round() as i64);
        }
        for c in self.inferred.iter_mut() {
            if c.service.as_deref() == Some(service) {
                c.time = Timestamp(c.time.0.saturating_add(nanos));
            }
        }
        sort_changes(&mut self.inferred);
        self.recompute_span();
    }

    fn recompute_span(&mut self) {
        let mut lo: Option<i64> = None;
        let mut hi: Option<i64> = None;
        for buckets in self.volume.values() {
            if let (Some((&first, _)), Some((&last, _))) =
                (buckets.first_key_value(), buckets.last_key_value())
            {
                lo = Some(lo.map_or(first, |l| l.min(first)));
                hi = Some(hi.map_or(last, |h| h.max(last)));
            }
        }
        self.span = match (lo, hi) {
            (Some(lo), Some(hi)) => Some((
                Timestamp(lo.saturating_mul(BASE_BUCKET_NANOS)),
                Timestamp(hi.saturating_add(1).saturating_mul(BASE_BUCKET_NANOS)),
            )),
            _ => None,
        };
    }
}

/// A template key written for people (`<*>` for variables).
pub fn template_text(key: &str) -> String {
    key_display(key)
}

#[cfg(test)]
mod tests;
