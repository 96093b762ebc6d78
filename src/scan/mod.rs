//! Nightly scans: `culprit scan` compares a period of logs (by default the last 24 hours present
//! in the data) with the history kept in a state file, reports what is new or getting worse,
//! then adds the period to the history.
//!
//! ```text
//!  inputs ─identity (first 4 KiB, decompressed)─▶ cutoff per input (state.files)
//!         ─ingest (ScanSink per input: Aggregator of all events + Aggregator of uncounted ones)
//!         ─▶ Aggregate (period counts, evidence)  ─compare with─▶ State (history) ─▶ ScanReport
//!         ─▶ uncounted events, per UTC day ─▶ State (+ prune) ─▶ saved atomically
//! ```
//!
//! Key types: [`ScanOptions`], [`ScanReport`] (also the JSON contract), [`FailOn`];
//! [`state::State`] (the history file), [`identity`] (rotation-proof file identities),
//! [`report`] (text and Markdown writers).
//!
//! What is reported (only once there is history before the period; the first night only
//! starts it):
//! * **new templates**: notable templates (warnings and worse, and lines a failure signature
//!   matches; info traffic is not fingerprinted) whose id is not in the service's history, or
//!   was first seen inside this period (so that running the same night twice reports the same);
//! * **rising** signatures and categories, per service: today's count `k` against the mean `m`
//!   of the baseline days (history days the period does not cover for 12 h or more, the last
//!   [`BASELINE_MAX_DAYS`]), scaled to the period's length, with a half-count prior so that
//!   a never-seen signature has a small but non-zero mean: rising when `k ≥`
//!   [`MIN_RISING_COUNT`], `k ≥ 2·m` and `P(X ≥ k | Poisson(m)) ≤ 10^`[`RISING_LOG10_P`]. Also
//!   rising: a strict increase over the last two baseline days and today (`a < b < k`, with
//!   `k ≥` [`MIN_MONOTONE_COUNT`] and `k ≥ 2·a`) — a pool timing out a little more night after
//!   night. A category is listed only when none of its signatures in that service is;
//! * **newly erroring services**: errors in the period, none on any baseline day;
//! * **silent services**: logged on one of the last [`SILENT_RECENT_DAYS`] baseline days (at
//!   least [`SILENT_MIN_VOLUME`] events over the baseline), nothing in the period;
//! * a **watch list**: every finding ranked by a score, with evidence lines.
//!
//! JSON contract (`--format json`, `schema_version` 1; fields are only ever added):
//! ```text
//! { "schema_version": 1,
//!   "period": {"start": RFC3339, "end": RFC3339, "hours": f64} | null,
//!   "state": {"path", "created": RFC3339, "nights": n (days of history before this run),
//!             "history_start": "YYYY-MM-DD"|null, "history_end": …, "baseline_days": n,
//!             "started": bool (no history before: nothing reported as new/rising)},
//!   "new_templates": [{"service", "id", "level"|null, "template", "signature"|null,
//!                      "category"|null, "count", "first_seen", "evidence": [Evidence]}],
//!   "rising": [{"service", "kind": "signature"|"category", "id", "title"|null, "count",
//!               "baseline_mean", "log10_p", "monotone": [a, b, k]|null, "why",
//!               "evidence": [Evidence]}],
//!   "new_erroring_services": [{"service", "errors", "evidence": [Evidence]}],
//!   "silent_services": [{"service", "baseline_daily_mean" (over the baseline days it logged),
//!                        "last_day": "YYYY-MM-DD"|null,
//!                        "last_event": Evidence|null}],
//!   "watch": [{"rank", "kind", "service", "title", "score", "evidence": [Evidence]}],
//!   "notes": [string],
//!   "exit_code": 0 | 2 | 3 }
//! Evidence = {"path", "line", "time": RFC3339, "text"}
//! ```
//! `kind` in `watch` is one of `new_template`, `rising`, `new_erroring_service`,
//! `silent_service`. Exit codes: 0 nothing at or above `--fail-on`; 3 findings at or above
//! it; 2 usage or input error (an input could not be read completely).

pub mod identity;
pub mod report;
pub mod state;

use crate::detect::{
    Aggregate, Aggregator, BASE_BUCKET_NANOS, RecentEvidence, Sample, SeriesKey, template_text,
};
use crate::event::{Event, Level, Timestamp};
use crate::ingest::input::Input;
use crate::ingest::{self, EventSink, IngestOptions, InputReport};
use crate::patterns::SignatureSet;
use crate::rank::stats::log10_poisson_sf;
use serde::Serialize;
use state::{Day, DayCounts, FileRecord, SignatureRecord, State, TemplateRecord};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Version of the JSON output.
pub const SCHEMA_VERSION: u32 = 1;
/// Default period: the last 24 hours present in the data.
pub const DEFAULT_PERIOD_NANOS: i64 = 86_400 * Timestamp::NANOS_PER_SEC;
/// Baseline days used at most (the most recent).
pub const BASELINE_MAX_DAYS: usize = 28;
/// A signature or category needs this many events in the period to be rising.
pub const MIN_RISING_COUNT: u64 = 5;
/// … and this many to be rising by a night-after-night increase alone.
pub const MIN_MONOTONE_COUNT: u64 = 10;
/// Poisson significance (log10 p) for rising.
pub const RISING_LOG10_P: f64 = -3.0;
/// A service is silent if it logged on one of this many last baseline days …
pub const SILENT_RECENT_DAYS: usize = 3;
/// … with at least this many events over the baseline.
pub const SILENT_MIN_VOLUME: u64 = 10;
/// Evidence lines per finding.
pub const EVIDENCE_PER_FINDING: usize = 3;

const HALF_DAY: i64 = DEFAULT_PERIOD_NANOS / 2;

/// The `--fail-on` threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// New error or warning templates, newly erroring services.
    NewErrors,
    /// Also rising signatures or categories and silent services.
    Rising,
    /// Anything reported.
    Any,
}

/// What to scan and how.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub ingest: IngestOptions,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// Now (state timestamps).
    pub now: Timestamp,
    /// Watch-list length (0 = all).
    pub top: usize,
    pub fail_on: FailOn,
    /// The state file's path as shown in the report.
    pub state_path: String,
}

/// One evidence line.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Evidence {
    pub path: String,
    pub line: u64,
    pub time: Timestamp,
    pub text: String,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Period {
    pub start: Timestamp,
    pub end: Timestamp,
    pub hours: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct StateInfo {
    pub path: String,
    pub created: Timestamp,
    /// Days of history before this run.
    pub nights: usize,
    pub history_start: Option<Day>,
    pub history_end: Option<Day>,
    pub baseline_days: usize,
    /// No history before this period: nothing was reported as new, rising or silent.
    pub started: bool,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct NewTemplate {
    pub service: String,
    pub id: String,
    pub level: Option<&'static str>,
    pub template: String,
    pub signature: Option<String>,
    pub category: Option<String>,
    pub count: u64,
    pub first_seen: Timestamp,
    pub evidence: Vec<Evidence>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Rising {
    pub service: String,
    /// `signature` or `category`.
    pub kind: &'static str,
    pub id: String,
    pub title: Option<String>,
    pub count: u64,
    /// Mean per period-length of the baseline days.
    pub baseline_mean: f64,
    pub log10_p: f64,
    /// The last two baseline days and the period, when they rise strictly.
    pub monotone: Option<[u64; 3]>,
    pub why: String,
    pub evidence: Vec<Evidence>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ErroringService {
    pub service: String,
    pub errors: u64,
    pub evidence: Vec<Evidence>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SilentService {
    pub service: String,
    pub baseline_daily_mean: f64,
    pub last_day: Option<Day>,
    pub last_event: Option<Evidence>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct WatchItem {
    pub rank: usize,
    pub kind: &'static str,
    pub service: String,
    pub title: String,
    pub score: f64,
    pub evidence: Vec<Evidence>,
}

/// The result of a scan (the JSON output as is).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ScanReport {
    pub schema_version: u32,
    pub period: Option<Period>,
    pub state: StateInfo,
    pub new_templates: Vec<NewTemplate>,
    pub rising: Vec<Rising>,
    pub new_erroring_services: Vec<ErroringService>,
    pub silent_services: Vec<SilentService>,
    pub watch: Vec<WatchItem>,
    pub notes: Vec<String>,
    /// Memory caps the run reached (see `detect::caps`).
    pub caps: Vec<crate::detect::caps::CapHit>,
    pub exit_code: u8,
}

impl ScanReport {
    /// Whether anything at or above `fail_on` was found.
    pub fn fails(&self, fail_on: FailOn) -> bool {
        let new_errors = self.new_templates.iter().any(|t| {
            t.level
                .and_then(Level::parse)
                .is_some_and(|l| l >= Level::Warn)
        }) || !self.new_erroring_services.is_empty();
        let rising = !self.rising.is_empty() || !self.silent_services.is_empty();
        match fail_on {
            FailOn::NewErrors => new_errors,
            FailOn::Rising => new_errors || rising,
            FailOn::Any => new_errors || rising || !self.new_templates.is_empty(),
        }
    }
}

/// The sink of one input: every event (for the period's report) and, separately when the
/// file was partly counted before, the events after the counted time (for the history).
struct ScanSink {
    all: Aggregator,
    fresh: Option<Aggregator>,
    cutoff: Option<Timestamp>,
    since: Option<Timestamp>,
    until: Option<Timestamp>,
    fresh_last: Option<Timestamp>,
}

impl EventSink for ScanSink {
    fn accept(&mut self, event: Event) {
        if self.since.is_some_and(|s| event.time < s) || self.until.is_some_and(|u| event.time >= u)
        {
            return;
        }
        let fresh = self.cutoff.is_none_or(|c| event.time > c);
        if fresh {
            self.fresh_last = Some(self.fresh_last.map_or(event.time, |l| l.max(event.time)));
            if let Some(f) = self.fresh.as_mut() {
                f.accept(event.clone());
            }
        }
        self.all.accept(event);
    }

    fn end_of_input(&mut self) {
        self.all.end_of_input();
        if let Some(f) = self.fresh.as_mut() {
            f.end_of_input();
        }
    }
}

/// What the inputs add up to, folded in as each input is read.
struct ScanFold {
    /// What this run adds to the history.
    delta: State,
    /// Template text and id per masked key (a cache).
    names: HashMap<Arc<str>, (String, String)>,
    /// Input index, the identity it matched, its new identity and record.
    file_updates: Vec<(usize, Option<String>, String, FileRecord)>,
    agg: Aggregate,
    /// Per service: template records are kept in `delta` while the hash of their id is at
    /// most this (see [`cap_delta_templates`]).
    thresholds: HashMap<String, u64>,
    /// Events of the template records dropped by that cap.
    delta_dropped: u64,
}

/// Template records one run adds to a service's history at most, before the state's own
/// recency cap ([`state::MAX_TEMPLATES_PER_SERVICE`]) applies on saving.
const MAX_DELTA_TEMPLATES: usize = 4 * state::MAX_TEMPLATES_PER_SERVICE;

/// Bounds what one run adds to each service's templates: beyond [`MAX_DELTA_TEMPLATES`], the
/// records whose id hashes highest are dropped (the threshold halves until they fit, and only
/// goes down, so which records stay does not depend on the order inputs are folded in).
/// Counts per day of errors, signatures and categories are kept apart and are not affected.
fn cap_delta_templates(
    delta: &mut State,
    prior: &State,
    thresholds: &mut HashMap<String, u64>,
    dropped: &mut u64,
) {
    for (name, svc) in delta.services.iter_mut() {
        // Templates the history knows are always updated (else they would age out and come
        // back as new); the cap is on new ones.
        let known = |id: &str| {
            prior
                .services
                .get(name)
                .is_some_and(|h| h.templates.contains_key(id))
        };
        let t = thresholds.entry(name.clone()).or_insert(u64::MAX);
        let over = |t: u64, svc: &state::ServiceHistory| {
            svc.templates
                .keys()
                .filter(|id| !known(id) && crate::detect::stable_hash(id) <= t)
                .count()
                > MAX_DELTA_TEMPLATES
        };
        if *t == u64::MAX && svc.templates.len() <= MAX_DELTA_TEMPLATES {
            continue;
        }
        while *t > 0 && over(*t, svc) {
            *t /= 2;
        }
        let limit = *t;
        svc.templates.retain(|id, rec| {
            let keep = known(id) || crate::detect::stable_hash(id) <= limit;
            if !keep {
                *dropped = dropped
                    .saturating_add(rec.days.values().fold(0u64, |a, n| a.saturating_add(*n)));
            }
            keep
        });
    }
}

/// Per-input identity bookkeeping.
struct Ident {
    head_key: Option<String>,
    matched: Option<String>,
    cutoff: Option<Timestamp>,
}

/// Runs a scan: reads the inputs, compares the period with `prior` (the loaded history, or
/// `None` for a new one), and returns the report, the updated state and the per-input reports.
pub fn scan(
    inputs: &[Input],
    prior: Option<State>,
    signatures: &'static SignatureSet,
    opts: &ScanOptions,
) -> (ScanReport, State, Vec<InputReport>) {
    let prior = prior.unwrap_or_else(|| State::new(opts.now));
    // Identities, and the cutoff of each input. Two inputs with the same content in one run
    // (a copy beside the original) count once.
    let mut seen_keys: HashMap<String, usize> = HashMap::new();
    let idents: Vec<Ident> = inputs
        .iter()
        .enumerate()
        .map(|(i, inp)| {
            let head = identity::read_head(&inp.source).filter(|h| !h.is_empty());
            let head_key = head.as_deref().map(identity::key);
            let matched = head
                .as_deref()
                .and_then(|h| identity::find(&prior.files, h));
            let mut cutoff = matched
                .as_ref()
                .and_then(|k| prior.files.get(k))
                .map(|f| f.counted_until);
            if let Some(k) = &head_key {
                if seen_keys.contains_key(k) {
                    cutoff = Some(Timestamp(i64::MAX));
                } else {
                    seen_keys.insert(k.clone(), i);
                }
            }
            Ident {
                head_key,
                matched,
                cutoff,
            }
        })
        .collect();
    let recent = if opts.since.is_some() {
        RecentEvidence::Earliest
    } else {
        RecentEvidence::LatestHours
    };
    // Each input is folded in as soon as it is read: what it adds to the history, and its
    // aggregate. Memory does not grow with the number of inputs.
    let (reports, acc) = ingest::ingest_fold(
        inputs,
        &opts.ingest,
        |i| {
            let source = inputs.get(i).map_or("", |inp| inp.display.as_str());
            let cutoff = idents.get(i).and_then(|id| id.cutoff);
            let mut all = Aggregator::new(signatures, source);
            all.recent = Some(recent);
            ScanSink {
                all,
                fresh: cutoff.map(|_| Aggregator::new(signatures, source)),
                cutoff,
                since: opts.since,
                until: opts.until,
                fresh_last: None,
            }
        },
        ScanFold {
            delta: State::new(opts.now),
            names: HashMap::new(),
            file_updates: Vec::new(),
            agg: Aggregate::default(),
            thresholds: HashMap::new(),
            delta_dropped: 0,
        },
        |acc, i, mut sink| {
            sink.all.flush();
            if let Some(f) = sink.fresh.as_mut() {
                f.flush();
            }
            let src = sink.fresh.as_ref().unwrap_or(&sink.all);
            add_to_history(&mut acc.delta, src, signatures, &mut acc.names);
            cap_delta_templates(
                &mut acc.delta,
                &prior,
                &mut acc.thresholds,
                &mut acc.delta_dropped,
            );
            if let (Some(ident), Some(input)) = (idents.get(i), inputs.get(i)) {
                let until = match (ident.cutoff, sink.fresh_last) {
                    (Some(c), Some(f)) => Some(c.max(f)),
                    (c, f) => c.or(f),
                };
                if let (Some(key), Some(until)) = (&ident.head_key, until) {
                    if until.0 != i64::MAX {
                        acc.file_updates.push((
                            i,
                            ident.matched.clone(),
                            key.clone(),
                            FileRecord {
                                path: input.display.clone(),
                                counted_until: until,
                            },
                        ));
                    }
                }
            }
            acc.agg.absorb(sink.all);
        },
    );
    let ScanFold {
        delta,
        mut names,
        mut file_updates,
        mut agg,
        delta_dropped,
        ..
    } = acc;
    agg.finish();
    // Inputs finish in any order; the state is updated in input order.
    file_updates.sort_by_key(|u| u.0);
    let span_end = agg
        .volume
        .values()
        .filter_map(|b| b.last_key_value().map(|(k, _)| *k))
        .max()
        .map(|b| Timestamp(b.saturating_add(1).saturating_mul(BASE_BUCKET_NANOS)));
    let period = period_of(opts, span_end);
    // Evidence of the period: its earliest occurrences, from the recent samples every series
    // kept (a series' earliest samples may come from rotated files of past days).
    let mut samples: HashMap<SeriesKey, Vec<Sample>> = HashMap::new();
    if let Ok((start, end)) = period {
        for (key, series) in &agg.series {
            let in_period: Vec<Sample> = series
                .recent
                .iter()
                .filter(|s| s.time >= start && s.time < end)
                .take(EVIDENCE_PER_FINDING)
                .cloned()
                .collect();
            if !in_period.is_empty() {
                samples.insert(key.clone(), in_period);
            }
        }
    }
    let mut report = compare(
        &agg, period, &samples, &prior, &reports, signatures, opts, &mut names,
    );

    // The updated state.
    let scans = prior.scans;
    let mut next = State::merge(vec![prior, delta], opts.now);
    next.scans = scans.saturating_add(1);
    next.updated = opts.now;
    for (_, old, key, rec) in file_updates {
        if let Some(old) = old.filter(|o| *o != key) {
            next.files.remove(&old);
        }
        match next.files.get(&key) {
            Some(e) if e.counted_until >= rec.counted_until => {}
            _ => {
                next.files.insert(key, rec);
            }
        }
    }
    report.notes.extend(next.prune());
    if report.state.started && report.period.is_some() {
        report.notes.push(
            "no history before this period: starting history; nothing is reported as new, rising or silent until there is history"
                .to_string(),
        );
    }
    let mut caps = agg.caps.clone();
    caps.merge(crate::detect::caps::from_reports(
        &reports,
        opts.ingest.max_line_bytes,
    ));
    caps.hit(
        "history_templates_per_run",
        MAX_DELTA_TEMPLATES as u64,
        delta_dropped,
        None,
        "further new templates of a service were not added to the history this run",
    );
    report.caps = caps.list();
    report
        .notes
        .extend(report.caps.iter().map(|c| c.sentence()));
    if inputs
        .iter()
        .any(|i| matches!(i.source, crate::ingest::input::Source::Stdin))
    {
        report.notes.push(
            "standard input has no file identity: its events are added to the history on every run"
                .to_string(),
        );
    }
    report.exit_code = if report.fails(opts.fail_on) { 3 } else { 0 };
    (report, next, reports)
}

/// Template text and id of a masked key, cached per key.
fn names_of<'a>(
    names: &'a mut HashMap<Arc<str>, (String, String)>,
    key: &Arc<str>,
) -> &'a (String, String) {
    names.entry(key.clone()).or_insert_with(|| {
        let text = template_text(key);
        let id = crate::templates::template_id(&text);
        (text, id)
    })
}

fn day_of_bucket(b: i64) -> Day {
    Day::of(Timestamp(b.saturating_mul(BASE_BUCKET_NANOS)))
}

fn add_to_history(
    delta: &mut State,
    src: &Aggregator,
    signatures: &SignatureSet,
    names: &mut HashMap<Arc<str>, (String, String)>,
) {
    for (service, buckets) in &src.volume {
        let svc = delta.services.entry(service.to_string()).or_default();
        for (&b, &n) in buckets {
            *svc.volume.entry(day_of_bucket(b)).or_insert(0) += n;
        }
    }
    for (key, series) in &src.series {
        let (text, id) = names_of(names, &key.template).clone();
        let mut days = DayCounts::new();
        for (&b, &n) in &series.counts {
            *days.entry(day_of_bucket(b)).or_insert(0) += n;
        }
        let Some((&first_b, _)) = series.counts.first_key_value() else {
            continue;
        };
        let last_b = series.counts.last_key_value().map_or(first_b, |(b, _)| *b);
        let first_seen = series
            .samples
            .iter()
            .map(|s| s.time)
            .min()
            .unwrap_or(Timestamp(first_b.saturating_mul(BASE_BUCKET_NANOS)));
        let last_seen = series
            .samples
            .iter()
            .map(|s| s.time)
            .max()
            .unwrap_or(first_seen)
            .max(Timestamp(last_b.saturating_mul(BASE_BUCKET_NANOS)));
        let sig = key
            .signature
            .and_then(|i| signatures.signatures().get(i as usize));
        let svc = delta.services.entry(key.service.to_string()).or_default();
        if key.level.is_some_and(|l| l >= Level::Error) {
            state::add_days(&mut svc.errors, &days);
        }
        if let Some(sig) = sig {
            let rec = svc
                .signatures
                .entry(sig.id.clone())
                .or_insert_with(|| SignatureRecord {
                    category: sig.category.as_str().to_string(),
                    days: DayCounts::new(),
                });
            state::add_days(&mut rec.days, &days);
            state::add_days(
                svc.categories
                    .entry(sig.category.as_str().to_string())
                    .or_default(),
                &days,
            );
        }
        let cut = crate::ingest::reader::utf8_floor(text.as_bytes(), state::MAX_TEMPLATE_TEXT);
        let rec = TemplateRecord {
            level: key.level.map(|l| l.as_str().to_string()),
            signature: sig.map(|s| s.id.clone()),
            text: text.get(..cut).unwrap_or("").to_string(),
            first_seen,
            last_seen,
            days,
        };
        match svc.templates.get_mut(&id) {
            Some(e) => state::merge_template(e, &rec),
            None => {
                svc.templates.insert(id, rec);
            }
        }
    }
}

/// Period counts and evidence of one finding.
#[derive(Default)]
struct Tally {
    count: u64,
    samples: Vec<Sample>,
}

impl Tally {
    fn add(&mut self, n: u64, samples: &[Sample], start: Timestamp, end: Timestamp) {
        self.count += n;
        self.samples.extend(
            samples
                .iter()
                .filter(|s| s.time >= start && s.time < end)
                .cloned(),
        );
    }

    fn evidence(&mut self, reports: &[InputReport]) -> Vec<Evidence> {
        self.samples.sort_by_key(|s| (s.time, s.input, s.line));
        self.samples
            .iter()
            .take(EVIDENCE_PER_FINDING)
            .map(|s| evidence_of(s, reports))
            .collect()
    }
}

fn evidence_of(s: &Sample, reports: &[InputReport]) -> Evidence {
    Evidence {
        path: reports
            .get(s.input as usize)
            .map_or_else(String::new, |r| r.path.clone()),
        line: s.line,
        time: s.time,
        text: s.text.clone(),
    }
}

#[derive(Default)]
struct TemplateTally {
    level: Option<Level>,
    signature: Option<u32>,
    text: String,
    tally: Tally,
}

/// Whether a count is rising against its baseline; returns (log10 p, monotone triple, mean).
pub fn rising_test(
    k: u64,
    baseline: &[u64],
    period_days: f64,
) -> Option<(f64, Option<[u64; 3]>, f64)> {
    if baseline.is_empty() {
        return None;
    }
    let n = baseline.len() as f64;
    // Counts come from the state file, which may be corrupt or hand-edited: never overflow.
    let sum: u64 = baseline.iter().fold(0, |a, &b| a.saturating_add(b));
    let mean = (sum as f64 / n) * period_days;
    let mu = ((sum as f64 + 0.5) / n) * period_days;
    let log10_p = log10_poisson_sf(k, mu);
    let poisson = k >= MIN_RISING_COUNT && (k as f64) >= 2.0 * mean && log10_p <= RISING_LOG10_P;
    let monotone = match baseline {
        [.., a, b] if period_days >= 0.8 && a < b && *b < k => {
            (k >= MIN_MONOTONE_COUNT && k >= 2 * a).then_some([*a, *b, k])
        }
        _ => None,
    };
    (poisson || monotone.is_some()).then_some((log10_p, monotone, mean))
}

/// The scanned period: `--since`/`--until`, else the 24 hours ending at the last event.
fn period_of(
    opts: &ScanOptions,
    span_end: Option<Timestamp>,
) -> Result<(Timestamp, Timestamp), &'static str> {
    let end = opts
        .until
        .or(span_end)
        .ok_or("no timestamped events in the inputs: nothing to compare")?;
    let start = opts
        .since
        .unwrap_or(Timestamp(end.0.saturating_sub(DEFAULT_PERIOD_NANOS)));
    if end <= start {
        return Err("the period is empty (--until is not after --since)");
    }
    Ok((start, end))
}

#[allow(clippy::too_many_arguments)]
fn compare(
    agg: &Aggregate,
    period: Result<(Timestamp, Timestamp), &'static str>,
    samples: &HashMap<SeriesKey, Vec<Sample>>,
    prior: &State,
    reports: &[InputReport],
    signatures: &SignatureSet,
    opts: &ScanOptions,
    names: &mut HashMap<Arc<str>, (String, String)>,
) -> ScanReport {
    let hist_days = prior.days();
    let mut report = ScanReport {
        schema_version: SCHEMA_VERSION,
        period: None,
        state: StateInfo {
            path: opts.state_path.clone(),
            created: prior.created,
            nights: hist_days.len(),
            history_start: hist_days.first().copied(),
            history_end: hist_days.last().copied(),
            baseline_days: 0,
            started: true,
        },
        new_templates: Vec::new(),
        rising: Vec::new(),
        new_erroring_services: Vec::new(),
        silent_services: Vec::new(),
        watch: Vec::new(),
        notes: Vec::new(),
        caps: Vec::new(),
        exit_code: 0,
    };
    let (start, end) = match period {
        Ok(p) => p,
        Err(why) => {
            report.notes.push(why.to_string());
            return report;
        }
    };
    let period_days = (end.0 - start.0) as f64 / DEFAULT_PERIOD_NANOS as f64;
    report.period = Some(Period {
        start,
        end,
        hours: ((end.0 - start.0) as f64 / 3.6e12 * 100.0).round() / 100.0,
    });
    let (start_b, end_b) = (
        start.0.div_euclid(BASE_BUCKET_NANOS),
        (end.0 + BASE_BUCKET_NANOS - 1).div_euclid(BASE_BUCKET_NANOS),
    );
    let overlap = |d: Day| {
        d.end()
            .0
            .min(end.0)
            .saturating_sub(d.start().0.max(start.0))
            .max(0)
    };
    let mut baseline: Vec<Day> = hist_days
        .iter()
        .copied()
        .filter(|d| d.start() < end && overlap(*d) < HALF_DAY)
        .collect();
    if baseline.len() > BASELINE_MAX_DAYS {
        baseline.drain(..baseline.len() - BASELINE_MAX_DAYS);
    }
    report.state.baseline_days = baseline.len();
    report.state.started = baseline.is_empty();

    // The period, tallied.
    let mut templates: BTreeMap<(String, String), TemplateTally> = BTreeMap::new();
    let mut sigs: BTreeMap<(String, u32), Tally> = BTreeMap::new();
    let mut cats: BTreeMap<(String, &'static str), Tally> = BTreeMap::new();
    let mut errors: BTreeMap<String, Tally> = BTreeMap::new();
    for (key, series) in &agg.series {
        let n: u64 = series.counts.range(start_b..end_b).map(|(_, c)| c).sum();
        if n == 0 {
            continue;
        }
        let (text, id) = names_of(names, &key.template).clone();
        let service = key.service.to_string();
        let smp: &[Sample] = samples.get(key).map_or(&[], Vec::as_slice);
        let t = templates.entry((service.clone(), id)).or_default();
        t.level = t.level.max(key.level);
        t.signature = t.signature.or(key.signature);
        t.text = text;
        t.tally.add(n, smp, start, end);
        if let Some(si) = key.signature {
            sigs.entry((service.clone(), si))
                .or_default()
                .add(n, smp, start, end);
            if let Some(sig) = signatures.signatures().get(si as usize) {
                cats.entry((service.clone(), sig.category.as_str()))
                    .or_default()
                    .add(n, smp, start, end);
            }
        }
        if key.level.is_some_and(|l| l >= Level::Error) {
            errors.entry(service).or_default().add(n, smp, start, end);
        }
    }
    if baseline.is_empty() {
        return report;
    }
    let hist = |svc: &str| prior.services.get(svc);
    let on_baseline = |m: Option<&DayCounts>| -> Vec<u64> {
        baseline
            .iter()
            .map(|d| m.and_then(|m| m.get(d)).copied().unwrap_or(0))
            .collect()
    };

    // (a) new templates. The series that counts templates beyond a key cap together is no
    // template of its own.
    let overflow_id = crate::templates::template_id(&template_text(crate::detect::OVERFLOW_KEY));
    for ((service, id), t) in templates.iter_mut() {
        let known = hist(service)
            .and_then(|h| h.templates.get(id))
            .is_some_and(|r| r.first_seen < start);
        if known || *id == overflow_id {
            continue;
        }
        let sig = t
            .signature
            .and_then(|i| signatures.signatures().get(i as usize));
        let evidence = t.tally.evidence(reports);
        report.new_templates.push(NewTemplate {
            service: service.clone(),
            id: id.clone(),
            level: t.level.map(Level::as_str),
            template: t.text.clone(),
            signature: sig.map(|s| s.id.clone()),
            category: sig.map(|s| s.category.as_str().to_string()),
            count: t.tally.count,
            first_seen: evidence.first().map_or(start, |e| e.time),
            evidence,
        });
    }
    report.new_templates.sort_by(|a, b| {
        let rank = |l: Option<&str>| state::level_rank(l);
        rank(b.level)
            .cmp(&rank(a.level))
            .then(b.count.cmp(&a.count))
            .then(a.service.cmp(&b.service))
            .then(a.id.cmp(&b.id))
    });

    // (b) rising signatures, then categories none of whose signatures rose.
    let mut rising_cats: std::collections::HashSet<(String, &'static str)> = Default::default();
    for ((service, si), tally) in sigs.iter_mut() {
        let Some(sig) = signatures.signatures().get(*si as usize) else {
            continue;
        };
        let base = on_baseline(
            hist(service)
                .and_then(|h| h.signatures.get(&sig.id))
                .map(|r| &r.days),
        );
        if let Some((log10_p, monotone, mean)) = rising_test(tally.count, &base, period_days) {
            rising_cats.insert((service.clone(), sig.category.as_str()));
            report.rising.push(Rising {
                service: service.clone(),
                kind: "signature",
                id: sig.id.clone(),
                title: Some(sig.title.clone()),
                count: tally.count,
                baseline_mean: round2(mean),
                log10_p: round2(log10_p),
                monotone,
                why: why_rising(tally.count, mean, base.len(), log10_p, monotone),
                evidence: tally.evidence(reports),
            });
        }
    }
    for ((service, cat), tally) in cats.iter_mut() {
        if rising_cats.contains(&(service.clone(), *cat)) {
            continue;
        }
        let base = on_baseline(hist(service).and_then(|h| h.categories.get(*cat)));
        if let Some((log10_p, monotone, mean)) = rising_test(tally.count, &base, period_days) {
            report.rising.push(Rising {
                service: service.clone(),
                kind: "category",
                id: cat.to_string(),
                title: None,
                count: tally.count,
                baseline_mean: round2(mean),
                log10_p: round2(log10_p),
                monotone,
                why: why_rising(tally.count, mean, base.len(), log10_p, monotone),
                evidence: tally.evidence(reports),
            });
        }
    }
    report
        .rising
        .sort_by(|a, b| a.log10_p.total_cmp(&b.log10_p).then(a.id.cmp(&b.id)));

    // (c) newly erroring services.
    for (service, tally) in errors.iter_mut() {
        let before: u64 = on_baseline(hist(service).map(|h| &h.errors))
            .iter()
            .fold(0, |a, &b| a.saturating_add(b));
        if before == 0 {
            report.new_erroring_services.push(ErroringService {
                service: service.clone(),
                errors: tally.count,
                evidence: tally.evidence(reports),
            });
        }
    }

    // (d) silent services.
    for (service, h) in &prior.services {
        let base = on_baseline(Some(&h.volume));
        let recent = base.iter().rev().take(SILENT_RECENT_DAYS).any(|&n| n > 0);
        let total: u64 = base.iter().fold(0, |a, &b| a.saturating_add(b));
        let active = base.iter().filter(|&&n| n > 0).count().max(1);
        if !recent || total < SILENT_MIN_VOLUME {
            continue;
        }
        let now: u64 = agg
            .volume
            .get(service.as_str())
            .map_or(0, |b| b.range(start_b..end_b).map(|(_, n)| n).sum());
        if now > 0 {
            continue;
        }
        report.silent_services.push(SilentService {
            service: service.clone(),
            baseline_daily_mean: round2(total as f64 / active as f64),
            last_day: h.volume.keys().next_back().copied(),
            last_event: agg
                .last_event
                .get(service.as_str())
                .map(|s| evidence_of(s, reports)),
        });
    }

    report.watch = watch_list(&report, opts.top);
    report
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn why_rising(k: u64, mean: f64, days: usize, log10_p: f64, monotone: Option<[u64; 3]>) -> String {
    let p = if log10_p > -2.0 {
        format!("p = {:.2}", 10f64.powf(log10_p))
    } else {
        format!("p < 1e{:.0}", log10_p.ceil())
    };
    let mut why = format!(
        "{k} in this period vs {:.1} on average over {days} day{} ({p})",
        mean,
        if days == 1 { "" } else { "s" },
    );
    if let Some([a, b, c]) = monotone {
        why.push_str(&format!("; up three nights in a row: {a} → {b} → {c}"));
    }
    why
}

fn watch_list(r: &ScanReport, top: usize) -> Vec<WatchItem> {
    let mut items: Vec<WatchItem> = Vec::new();
    for t in &r.new_templates {
        let level = t.level.and_then(Level::parse);
        let base = match level {
            Some(l) if l >= Level::Error => 3.0,
            Some(Level::Warn) => 2.0,
            _ => 1.0,
        };
        items.push(WatchItem {
            rank: 0,
            kind: "new_template",
            service: t.service.clone(),
            title: format!(
                "new {} template: {}",
                t.level.unwrap_or("notable"),
                t.template
            ),
            score: base + (1.0 + t.count as f64).log10(),
            evidence: t.evidence.clone(),
        });
    }
    for x in &r.rising {
        items.push(WatchItem {
            rank: 0,
            kind: "rising",
            service: x.service.clone(),
            title: format!("rising {} {}: {}", x.kind, x.id, x.why),
            score: 2.0
                + (-x.log10_p).clamp(0.0, 50.0) / 10.0
                + if x.monotone.is_some() { 0.5 } else { 0.0 },
            evidence: x.evidence.clone(),
        });
    }
    for s in &r.new_erroring_services {
        items.push(WatchItem {
            rank: 0,
            kind: "new_erroring_service",
            service: s.service.clone(),
            title: format!("{} errors; none on the baseline days", s.errors),
            score: 2.5 + (1.0 + s.errors as f64).log10(),
            evidence: s.evidence.clone(),
        });
    }
    for s in &r.silent_services {
        items.push(WatchItem {
            rank: 0,
            kind: "silent_service",
            service: s.service.clone(),
            title: format!(
                "silent: nothing in this period (usually {:.0} events a day)",
                s.baseline_daily_mean
            ),
            score: 2.0 + (1.0 + s.baseline_daily_mean).log10() / 2.0,
            evidence: s.last_event.iter().cloned().collect(),
        });
    }
    items.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.service.cmp(&b.service))
            .then(a.title.cmp(&b.title))
    });
    if top > 0 {
        items.truncate(top);
    }
    for (i, it) in items.iter_mut().enumerate() {
        it.rank = i + 1;
        it.score = round2(it.score);
    }
    items
}

#[cfg(test)]
mod tests {

    /// A delta with templates `ids` in service `api`, each counted `n` times on one day.
    fn delta_with(ids: std::ops::Range<u32>, n: u64) -> State {
        let mut d = State::new(Timestamp(0));
        let svc = d.services.entry("api".to_string()).or_default();
        for i in ids {
            let mut days = DayCounts::new();
            days.insert(Day::of(Timestamp(0)), n);
            svc.templates.insert(
                format!("{i:016x}"),
                TemplateRecord {
                    level: Some("error".to_string()),
                    signature: None,
                    text: format!("template {i}"),
                    first_seen: Timestamp(0),
                    last_seen: Timestamp(0),
                    days,
                },
            );
        }
        d
    }

    #[test]
    fn delta_cap_valid_same_records_whatever_the_fold_order() {
        // Two inputs of 22,000 templates each, each over the cap alone, 11,000 shared; and a
        // prior history that knows templates 40,000 to 40,999 (never dropped).
        let prior = {
            let mut p = delta_with(40_000..41_000, 1);
            p.created = Timestamp(0);
            p
        };
        let fold = |first: std::ops::Range<u32>, second: std::ops::Range<u32>| {
            let (mut acc, mut t, mut dropped) = (State::new(Timestamp(0)), HashMap::new(), 0u64);
            for part in [first, second] {
                acc = State::merge(vec![acc, delta_with(part, 2)], Timestamp(0));
                cap_delta_templates(&mut acc, &prior, &mut t, &mut dropped);
            }
            let kept: Vec<(String, u64)> = acc.services["api"]
                .templates
                .iter()
                .map(|(id, r)| (id.clone(), r.days.values().sum()))
                .collect();
            (kept, dropped)
        };
        let (a, dropped_a) = fold(0..22_000, 11_000..33_000);
        let (b, dropped_b) = fold(11_000..33_000, 0..22_000);
        assert_eq!(a, b);
        assert_eq!(dropped_a, dropped_b);
        assert!(a.len() <= MAX_DELTA_TEMPLATES && a.len() >= MAX_DELTA_TEMPLATES / 2);
        // Every event is either kept or counted as dropped; shared templates are whole.
        let kept: u64 = a.iter().map(|(_, n)| n).sum();
        assert_eq!(kept + dropped_a, 44_000 * 2);
        assert!(a.iter().all(|(id, n)| {
            let i = u32::from_str_radix(id, 16).unwrap_or(0);
            *n == if (11_000..22_000).contains(&i) { 4 } else { 2 }
        }));
        // Known templates are kept whatever their hash.
        let (c, _) = fold(35_000..58_000, 0..1);
        assert!((40_000..41_000).all(|i| c.iter().any(|(id, _)| *id == format!("{i:016x}"))));
    }
    use super::*;

    #[test]
    fn rising_valid_poisson_jump_from_quiet_history() {
        // 12 tonight after 1 a night: p ≈ 1e-9.
        let (p, mono, mean) = rising_test(12, &[1, 1, 1, 1], 1.0).unwrap();
        assert!(p < -6.0, "{p}");
        assert_eq!(mono, None);
        assert!((mean - 1.0).abs() < 1e-9);
    }

    #[test]
    fn rising_invalid_usual_noise() {
        assert!(rising_test(14, &[12, 15, 11, 13], 1.0).is_none());
        // Significant but below the minimum count.
        assert!(rising_test(4, &[0, 0, 0, 0], 1.0).is_none());
        // No history.
        assert!(rising_test(100, &[], 1.0).is_none());
    }

    #[test]
    fn rising_valid_monotone_three_nights() {
        // Not significant by Poisson against a noisy history, but up three nights running.
        let (_, mono, _) = rising_test(150, &[120, 100, 140, 40, 120], 1.0).unwrap();
        assert_eq!(mono, Some([40, 120, 150]));
        let r = rising_test(60, &[50, 20, 40, 40, 45, 50], 1.0);
        assert!(r.is_none(), "{r:?}");
    }

    #[test]
    fn rising_valid_scaled_to_short_period() {
        // 6 in one hour against 24 a day (1 an hour) is rising; 6 in a day is not.
        assert!(rising_test(6, &[24, 24, 24], 1.0 / 24.0).is_some());
        assert!(rising_test(6, &[24, 24, 24], 1.0).is_none());
    }

    #[test]
    fn why_rising_valid_text() {
        let why = why_rising(150, 9.33, 6, -120.73, Some([12, 40, 150]));
        assert_eq!(
            why,
            "150 in this period vs 9.3 on average over 6 days (p < 1e-120); up three nights in a row: 12 → 40 → 150"
        );
        assert!(why_rising(5, 4.0, 1, -0.5, None).contains("(p = 0.32)"));
    }

    #[test]
    fn fails_valid_thresholds() {
        let mut r = ScanReport {
            schema_version: 1,
            period: None,
            state: StateInfo {
                path: String::new(),
                created: Timestamp(0),
                nights: 0,
                history_start: None,
                history_end: None,
                baseline_days: 0,
                started: false,
            },
            new_templates: Vec::new(),
            rising: Vec::new(),
            new_erroring_services: Vec::new(),
            silent_services: Vec::new(),
            watch: Vec::new(),
            notes: Vec::new(),
            caps: Vec::new(),
            exit_code: 0,
        };
        assert!(!r.fails(FailOn::Any));
        r.silent_services.push(SilentService {
            service: "worker".into(),
            baseline_daily_mean: 10.0,
            last_day: None,
            last_event: None,
        });
        assert!(!r.fails(FailOn::NewErrors));
        assert!(r.fails(FailOn::Rising));
        r.silent_services.clear();
        r.new_templates.push(NewTemplate {
            service: "a".into(),
            id: "x".into(),
            level: None,
            template: "t".into(),
            signature: Some("s".into()),
            category: None,
            count: 1,
            first_seen: Timestamp(0),
            evidence: Vec::new(),
        });
        assert!(!r.fails(FailOn::Rising));
        assert!(r.fails(FailOn::Any));
        r.new_templates[0].level = Some("warn");
        assert!(r.fails(FailOn::NewErrors));
    }
}
