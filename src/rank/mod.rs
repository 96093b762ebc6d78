//! Ranking: turns what changed in the incident window into hypotheses and orders them by
//! independent, explained factors.
//!
//! Hypotheses ([`build_hypotheses`]):
//! * each (category, service) whose failure signatures occur in the window;
//! * each anomalous template with no signature (new in the window, or sharply up), per service;
//!   exception-like ones are `code_error`, others `unclassified`;
//! * access-log 5xx responses per service (`upstream_error`, from status codes);
//! * services that fall silent in the window (`silence`).
//!
//! Each gets counts in baseline and window, a Poisson significance, novelty, shape, onset (the
//! first anomalous minute; for lines that report how long they waited — a pool timeout after
//! 30000 ms — the time the wait began) and evidence lines.
//!
//! Scoring ([`rank`]), each factor in 0..1 and stated in words:
//! (a) anomaly strength and significance; (b) temporal precedence, above all before what it can
//! cause; (c) explanatory power over the other hypotheses through the causal graph of
//! `patterns/categories.toml` (two hops); (d) corroboration from other services/sources in the
//! same or a directly linked category; (e) a change to the same service (or a migration, for
//! database categories) shortly before onset; (f) specificity of the signature; plus the
//! signature's role prior. (g) Background — as frequent before the window as in it — is
//! demoted, not hidden. Hypotheses explained by a higher-ranked cause become its symptoms.

pub mod stats;

use crate::detect::window::Window;
use crate::detect::{Aggregate, BASE_BUCKET_NANOS, Sample, Series, template_text};
use crate::event::{Level, Timestamp};
use crate::patterns::{Category, Role, SignatureSet, Specificity};
use crate::timeline::changes::{Change, ChangeKind};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Report-level categories beyond the signature taxonomy.
pub const UNCLASSIFIED: &str = "unclassified";
pub const SILENCE: &str = "silence";

/// Evidence lines kept per hypothesis.
pub const EVIDENCE_LINES: usize = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    Step,
    Burst,
    Ramp,
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Signature,
    Template,
    Http,
    Silence,
}

/// The factor scores behind a hypothesis' rank, each in 0..1.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Factors {
    pub strength: f64,
    pub precedence: f64,
    pub explanation: f64,
    pub corroboration: f64,
    pub change: f64,
    pub specificity: f64,
    pub role: f64,
    /// Multiplier applied for background (1 = not background).
    pub background: f64,
    /// How strongly an earlier hypothesis that can cause this one explains it (0 = nothing
    /// earlier explains it).
    pub explained: f64,
}

/// One candidate explanation of (part of) the incident.
#[derive(Clone, Debug)]
pub struct Hypothesis {
    pub kind: Kind,
    /// A taxonomy category id, or `unclassified` / `silence`.
    pub category: String,
    pub taxonomy: Option<Category>,
    pub service: String,
    pub signature: Option<String>,
    pub signature_title: Option<String>,
    pub template: Option<String>,
    pub baseline_count: u64,
    pub window_count: u64,
    /// Per minute.
    pub baseline_rate: f64,
    pub window_rate: f64,
    /// log10 of the Poisson p-value of the window count given the baseline rate.
    pub log10_p: f64,
    pub novel: bool,
    pub shape: Shape,
    pub onset: Option<Timestamp>,
    /// When the onset line was logged, if it differs from `onset` (waits that began earlier).
    pub onset_logged: Option<Timestamp>,
    pub evidence: Vec<Sample>,
    pub specificity: f64,
    pub role: Role,
    pub remediation: Option<String>,
    pub explanation_text: Option<String>,
    // Filled by `rank`.
    pub score: f64,
    pub factors: Factors,
    pub reasons: Vec<String>,
    /// Indices (into the final list) of hypotheses this one explains.
    pub explains: Vec<usize>,
    pub explained_by: Option<usize>,
    pub change: Option<Change>,
    pub is_background: bool,
}

impl Hypothesis {
    fn new(kind: Kind, category: String, taxonomy: Option<Category>, service: &str) -> Hypothesis {
        Hypothesis {
            kind,
            category,
            taxonomy,
            service: service.to_string(),
            signature: None,
            signature_title: None,
            template: None,
            baseline_count: 0,
            window_count: 0,
            baseline_rate: 0.0,
            window_rate: 0.0,
            log10_p: 0.0,
            novel: false,
            shape: Shape::None,
            onset: None,
            onset_logged: None,
            evidence: Vec::new(),
            specificity: 0.3,
            role: Role::Either,
            remediation: None,
            explanation_text: None,
            score: 0.0,
            factors: Factors::default(),
            reasons: Vec::new(),
            explains: Vec::new(),
            explained_by: None,
            change: None,
            is_background: false,
        }
    }

    /// A short label: `db_pool_exhaustion in auth-api`.
    pub fn label(&self) -> String {
        format!("{} in {}", self.category, self.service)
    }
}

/// Per-base-bucket counts and began-times of a group of series.
#[derive(Default)]
struct Merged {
    counts: BTreeMap<i64, u64>,
    began: BTreeMap<i64, Timestamp>,
    samples: Vec<Sample>,
}

impl Merged {
    fn add(&mut self, s: &Series) {
        for (b, n) in &s.counts {
            *self.counts.entry(*b).or_insert(0) += n;
        }
        for (b, t) in &s.began {
            let slot = self.began.entry(*b).or_insert(*t);
            if t < slot {
                *slot = *t;
            }
        }
        self.samples.extend(s.samples.iter().cloned());
    }

    fn add_counts(&mut self, counts: &BTreeMap<i64, u64>) {
        for (b, n) in counts {
            *self.counts.entry(*b).or_insert(0) += n;
        }
    }
}

fn count_in(counts: &BTreeMap<i64, u64>, from: Timestamp, to: Timestamp) -> u64 {
    let lo = from.0.div_euclid(BASE_BUCKET_NANOS);
    let hi = to.0.div_euclid(BASE_BUCKET_NANOS);
    counts.range(lo..hi).map(|(_, n)| n).sum()
}

fn minutes(nanos: i64) -> f64 {
    nanos as f64 / 60e9
}

/// Fills counts, rates, significance, novelty, shape, onset and evidence from merged series.
fn measure(h: &mut Hypothesis, m: &Merged, w: &Window) {
    h.baseline_count = count_in(&m.counts, w.baseline_start, w.baseline_end);
    h.window_count = count_in(&m.counts, w.start, w.end);
    let base_min = minutes(w.baseline_nanos());
    let win_min = minutes(w.duration_nanos());
    h.baseline_rate = if base_min > 0.0 {
        h.baseline_count as f64 / base_min
    } else {
        0.0
    };
    h.window_rate = h.window_count as f64 / win_min.max(1e-9);
    // Smoothed baseline: half an event over the baseline, so novelty is finite.
    let per_min = (h.baseline_count as f64 + 0.5) / base_min.max(1.0);
    let expected = per_min * win_min;
    h.log10_p = stats::log10_poisson_sf(h.window_count, expected);
    h.novel = h.baseline_count == 0 && h.window_count > 0;
    h.shape = shape_of(&m.counts, w);
    // Onset: the first minute, from a lead before the window, whose count is improbable
    // under the baseline rate (p < 0.001); the earliest `began` time in it.
    let lead = (w.duration_nanos() / 4).clamp(
        10 * 60 * Timestamp::NANOS_PER_SEC,
        2 * 3600 * Timestamp::NANOS_PER_SEC,
    );
    let from = Timestamp((w.start.0 - lead).max(w.baseline_start.0));
    let lo = from.0.div_euclid(BASE_BUCKET_NANOS);
    let hi = w.end.0.div_euclid(BASE_BUCKET_NANOS);
    let per_bucket = per_min * BASE_BUCKET_NANOS as f64 / 60e9;
    let buckets: Vec<(i64, u64)> = m.counts.range(lo..hi).map(|(b, n)| (*b, *n)).collect();
    for (i, (b, _)) in buckets.iter().enumerate() {
        // Count over the minute starting at this bucket.
        let in_minute: u64 = buckets[i..]
            .iter()
            .take_while(|(b2, _)| *b2 < b + 6)
            .map(|(_, n)| n)
            .sum();
        if stats::log10_poisson_sf(in_minute, per_bucket * 6.0) < -3.0 {
            let logged = Timestamp(b * BASE_BUCKET_NANOS);
            let logged_first = m
                .samples
                .iter()
                .filter(|s| s.time.0.div_euclid(BASE_BUCKET_NANOS) == *b)
                .map(|s| s.time)
                .min()
                .unwrap_or(logged);
            let began = m
                .began
                .get(b)
                .copied()
                .unwrap_or(logged_first)
                .min(logged_first);
            h.onset = Some(began);
            if began < logged_first {
                h.onset_logged = Some(logged_first);
            }
            break;
        }
    }
    // Evidence: samples around the onset first, then the earliest in the window.
    let mut samples: Vec<Sample> = m
        .samples
        .iter()
        .filter(|s| s.time >= from && s.time < w.end)
        .cloned()
        .collect();
    samples.sort_by_key(|s| (s.time, s.input, s.line));
    samples.dedup_by(|a, b| a.input == b.input && a.line == b.line);
    if let Some(onset) = h.onset {
        samples.sort_by_key(|s| ((s.time.0 - onset.0).abs(), s.input, s.line));
    }
    samples.truncate(EVIDENCE_LINES);
    samples.sort_by_key(|s| (s.time, s.input, s.line));
    h.evidence = samples;
}

fn shape_of(counts: &BTreeMap<i64, u64>, w: &Window) -> Shape {
    let res = w.resolution.max(BASE_BUCKET_NANOS);
    let n = ((w.end.0 - w.start.0) / res).max(1) as usize;
    let mut dense = vec![0.0; n];
    for (b, c) in
        counts.range(w.start.0.div_euclid(BASE_BUCKET_NANOS)..w.end.0.div_euclid(BASE_BUCKET_NANOS))
    {
        let i = ((b * BASE_BUCKET_NANOS - w.start.0) / res) as usize;
        if let Some(slot) = dense.get_mut(i) {
            *slot += *c as f64;
        }
    }
    let nonzero = dense.iter().filter(|v| **v > 0.0).count();
    if nonzero == 0 {
        return Shape::None;
    }
    if (nonzero as f64) < 0.2 * n as f64 {
        return Shape::Burst;
    }
    let third = (n / 3).max(1);
    let first: f64 = dense[..third].iter().sum::<f64>() / third as f64;
    let last: f64 = dense[n - third..].iter().sum::<f64>() / third as f64;
    if stats::slope(&dense) > 0.0 && last > 2.0 * first.max(0.5) {
        return Shape::Ramp;
    }
    Shape::Step
}

fn specificity_value(s: Specificity) -> f64 {
    match s {
        Specificity::High => 1.0,
        Specificity::Medium => 0.6,
        Specificity::Low => 0.3,
    }
}

fn is_exception_like(template: &str) -> bool {
    template.contains("Traceback")
        || template.starts_with("panic:")
        || template
            .split(|c: char| !c.is_alphanumeric() && c != '.' && c != '_' && c != '$')
            .any(|w| {
                let last = w.rsplit('.').next().unwrap_or(w);
                (last.ends_with("Exception") || last.ends_with("Error")) && last.len() > 5
            })
}

/// A (category, service) group: merged series, and the window count per signature index.
type SignatureGroup = (Merged, BTreeMap<u32, u64>);

/// Builds every hypothesis seen in (or just before) the window.
pub fn build_hypotheses(agg: &Aggregate, set: &SignatureSet, w: &Window) -> Vec<Hypothesis> {
    let mut out = Vec::new();
    // 1. Signatures, grouped by (category, service).
    let mut groups: BTreeMap<(Category, Arc<str>), SignatureGroup> = BTreeMap::new();
    // 2. Templates without a signature, per (template, service).
    let mut templates: BTreeMap<(Arc<str>, Arc<str>), Merged> = BTreeMap::new();
    let mut keys: Vec<_> = agg.series.keys().collect();
    keys.sort();
    for key in keys {
        let series = &agg.series[key];
        match key.signature {
            Some(i) => {
                let Some(sig) = set.signatures().get(i as usize) else {
                    continue;
                };
                let entry = groups
                    .entry((sig.category, key.service.clone()))
                    .or_default();
                entry.0.add(series);
                *entry.1.entry(i).or_insert(0) += count_in(&series.counts, w.start, w.end);
            }
            None if key.level.is_some_and(|l| l >= Level::Warn) => {
                templates
                    .entry((key.template.clone(), key.service.clone()))
                    .or_default()
                    .add(series);
            }
            None => {}
        }
    }
    for ((category, service), (merged, per_sig)) in &groups {
        let mut h = Hypothesis::new(
            Kind::Signature,
            category.as_str().to_string(),
            Some(*category),
            service,
        );
        // The signature that matters most in the window: most frequent, then most specific.
        let top = per_sig
            .iter()
            .filter_map(|(i, n)| set.signatures().get(*i as usize).map(|s| (s, *n)))
            .max_by(|(a, na), (b, nb)| {
                na.cmp(nb)
                    .then(
                        specificity_value(a.specificity)
                            .total_cmp(&specificity_value(b.specificity)),
                    )
                    .then(b.id.cmp(&a.id))
            });
        if let Some((sig, _)) = top {
            h.signature = Some(sig.id.to_string());
            h.signature_title = Some(sig.title.to_string());
            h.specificity = specificity_value(sig.specificity);
            h.role = sig.role;
            h.remediation = Some(sig.remediation.to_string());
            h.explanation_text = Some(sig.explanation.to_string());
        }
        measure(&mut h, merged, w);
        if h.window_count > 0 || h.onset.is_some() {
            out.push(h);
        }
    }
    for ((template, service), merged) in &templates {
        let text = template_text(template);
        let category = if is_exception_like(&text) {
            Category::CodeError.as_str().to_string()
        } else {
            UNCLASSIFIED.to_string()
        };
        let taxonomy = (category == Category::CodeError.as_str()).then_some(Category::CodeError);
        let mut h = Hypothesis::new(Kind::Template, category, taxonomy, service);
        h.template = Some(text);
        h.specificity = if taxonomy.is_some() { 0.4 } else { 0.25 };
        measure(&mut h, merged, w);
        // Only anomalous templates: new in the window, or sharply up.
        let sharply_up = h.log10_p < -6.0 && h.window_rate > 3.0 * h.baseline_rate;
        if (h.novel && h.window_count >= 3) || sharply_up {
            out.push(h);
        }
    }
    // 3. Access-log 5xx per service.
    let mut services: Vec<_> = agg.http.keys().collect();
    services.sort();
    for service in services {
        let buckets = &agg.http[service];
        let mut m = Merged::default();
        let errors: BTreeMap<i64, u64> = buckets
            .iter()
            .filter(|(_, h)| h.errors_5xx > 0)
            .map(|(b, h)| (*b, h.errors_5xx))
            .collect();
        m.add_counts(&errors);
        let mut h = Hypothesis::new(
            Kind::Http,
            Category::UpstreamError.as_str().to_string(),
            Some(Category::UpstreamError),
            service,
        );
        h.template = Some("HTTP 5xx responses".to_string());
        h.specificity = 0.3;
        h.role = Role::Symptom;
        measure(&mut h, &m, w);
        let requests = |from: Timestamp, to: Timestamp| -> u64 {
            buckets
                .range(from.0.div_euclid(BASE_BUCKET_NANOS)..to.0.div_euclid(BASE_BUCKET_NANOS))
                .map(|(_, b)| b.requests)
                .sum()
        };
        let win_req = requests(w.start, w.end).max(1);
        let base_req = requests(w.baseline_start, w.baseline_end).max(1);
        let share_w = h.window_count as f64 / win_req as f64;
        let share_b = h.baseline_count as f64 / base_req as f64;
        h.reasons.push(format!(
            "{:.1}% of {} requests failed with 5xx in the window, against {:.1}% before",
            share_w * 100.0,
            win_req,
            share_b * 100.0
        ));
        if h.window_count > 0 && h.log10_p < -3.0 {
            out.push(h);
        }
    }
    // 4. Services falling silent.
    let mut services: Vec<_> = agg.volume.keys().collect();
    services.sort();
    for service in services {
        let counts = &agg.volume[service];
        let base = count_in(counts, w.baseline_start, w.baseline_end);
        let base_min = minutes(w.baseline_nanos());
        if base_min <= 0.0 {
            continue;
        }
        let expected = base as f64 / base_min * minutes(w.duration_nanos());
        let got = count_in(counts, w.start, w.end);
        if expected >= 30.0 && (got as f64) < 0.1 * expected {
            let mut h = Hypothesis::new(Kind::Silence, SILENCE.to_string(), None, service);
            h.baseline_count = base;
            h.window_count = got;
            h.baseline_rate = base as f64 / base_min;
            h.window_rate = got as f64 / minutes(w.duration_nanos());
            h.specificity = 0.5;
            h.log10_p = -((expected - got as f64).powi(2) / expected.max(1.0)).min(300.0)
                / std::f64::consts::LN_10;
            // The last line before the silence.
            let last_before = counts
                .range(..w.end.0.div_euclid(BASE_BUCKET_NANOS))
                .next_back()
                .map(|(b, _)| Timestamp((b + 1) * BASE_BUCKET_NANOS));
            h.onset = last_before.map(|t| t.min(w.end));
            if let Some(s) = agg.last_event.get(service) {
                if s.time < w.end {
                    h.onset = Some(s.time);
                    h.evidence.push(s.clone());
                }
            }
            h.reasons.push(format!(
                "{service} logged {got} events in the window where {expected:.0} were expected"
            ));
            out.push(h);
        }
    }
    out
}

/// Categories reachable from `from` in one or two causal edges.
fn reachable(set: &SignatureSet, from: Category) -> BTreeSet<Category> {
    let mut out = BTreeSet::new();
    for c in set.causes(from) {
        out.insert(*c);
        for c2 in set.causes(*c) {
            out.insert(*c2);
        }
    }
    out.remove(&from);
    out
}

fn can_explain(set: &SignatureSet, cause: &Hypothesis, effect: &Hypothesis) -> bool {
    if std::ptr::eq(cause, effect) {
        return false;
    }
    let Some(c) = cause.taxonomy else {
        return false;
    };
    if cause.kind == Kind::Http {
        return false;
    }
    match (effect.taxonomy, effect.kind) {
        (_, Kind::Silence) => false,
        // Templates without a signature (unclassified, or exception-like `code_error`) say
        // little about their own cause: anything with causal edges can explain them.
        (_, Kind::Template) => !set.causes(c).is_empty(),
        (Some(e), _) if e != c => reachable(set, c).contains(&e),
        (Some(_), _) => false,
        (None, _) => !set.causes(c).is_empty(),
    }
}

/// Minutes between a change and an onset within which the change counts as "shortly before".
const CHANGE_HORIZON_MIN: f64 = 120.0;

fn change_for<'c>(h: &Hypothesis, changes: &'c [Change]) -> Option<(&'c Change, f64)> {
    let onset = h.onset?;
    let is_db = h.taxonomy.is_some_and(|c| c.as_str().starts_with("db_"));
    changes
        .iter()
        .filter(|c| c.kind != ChangeKind::Rollback && c.time <= onset)
        .filter(|c| {
            c.service.as_deref() == Some(h.service.as_str())
                || (is_db && c.kind == ChangeKind::Migration)
        })
        .map(|c| (c, minutes(onset.0 - c.time.0)))
        .filter(|(_, m)| *m <= CHANGE_HORIZON_MIN)
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// Orders hypotheses best first, assigns symptoms and background. Returns (causes, symptoms,
/// background) as indices into the returned vector, which is sorted by score.
pub fn rank(mut hs: Vec<Hypothesis>, set: &SignatureSet, changes: &[Change], w: &Window) -> Ranked {
    let n = hs.len();
    // Precompute explanation edges.
    let explains: Vec<Vec<usize>> = (0..n)
        .map(|i| {
            (0..n)
                .filter(|&j| j != i && can_explain(set, &hs[i], &hs[j]))
                .collect()
        })
        .collect();
    let strength_of = |h: &Hypothesis| -> f64 {
        let sig = (-h.log10_p / 20.0).clamp(0.0, 1.0);
        let ratio = if h.baseline_rate > 0.0 {
            h.window_rate / h.baseline_rate
        } else {
            50.0
        };
        let lift = (ratio.max(1.0).log10() / 1.7).clamp(0.0, 1.0);
        0.5 * sig + 0.5 * lift
    };
    let strengths: Vec<f64> = hs.iter().map(strength_of).collect();
    let onsets: Vec<Option<Timestamp>> = hs.iter().map(|h| h.onset).collect();
    let earliest = onsets.iter().flatten().min().copied();
    let latest = onsets.iter().flatten().max().copied();
    let tol = 60 * Timestamp::NANOS_PER_SEC;
    for i in 0..n {
        let h = &hs[i];
        let mut f = Factors {
            strength: strengths[i],
            specificity: h.specificity,
            role: match h.role {
                Role::Cause => 1.0,
                Role::Either => 0.5,
                Role::Symptom => 0.0,
            },
            background: 1.0,
            ..Factors::default()
        };
        let mut reasons: Vec<String> = Vec::new();
        // (a)
        if h.novel {
            reasons.push(format!(
                "new in the window: {} occurrences, none in the baseline",
                h.window_count
            ));
        } else if h.kind != Kind::Silence {
            reasons.push(format!(
                "{} in the window ({:.2}/min) against {} in the baseline ({:.2}/min)",
                h.window_count, h.window_rate, h.baseline_count, h.baseline_rate
            ));
        }
        // (b) precedence
        if let (Some(o), Some(e), Some(l)) = (h.onset, earliest, latest) {
            let span = (l.0 - e.0).max(1) as f64;
            let rel = 1.0 - (o.0 - e.0) as f64 / span;
            // Before what it can explain.
            let targets: Vec<usize> = explains[i]
                .iter()
                .copied()
                .filter(|&j| hs[j].onset.is_some())
                .collect();
            let before = targets
                .iter()
                .filter(|&&j| hs[j].onset.is_some_and(|oj| o.0 <= oj.0 + tol))
                .count();
            let before_share = if targets.is_empty() {
                0.5
            } else {
                before as f64 / targets.len() as f64
            };
            f.precedence = 0.5 * rel + 0.5 * before_share;
            if o == e {
                reasons.push(format!(
                    "earliest onset of all candidates ({})",
                    o.to_rfc3339()
                ));
            }
            if let Some(logged) = h.onset_logged {
                reasons.push(format!(
                    "first logged at {}, reporting a wait that began at {}",
                    logged.to_rfc3339(),
                    o.to_rfc3339()
                ));
            }
            if !targets.is_empty() && before > 0 {
                reasons.push(format!(
                    "began before {before} of the {} signals it can cause",
                    targets.len()
                ));
            }
        }
        // (c) explanation
        let explained: Vec<usize> = explains[i]
            .iter()
            .copied()
            .filter(|&j| match (h.onset, hs[j].onset) {
                (Some(a), Some(b)) => a.0 <= b.0 + tol,
                _ => false,
            })
            .collect();
        let weight: f64 = explained.iter().map(|&j| 0.3 + 0.7 * strengths[j]).sum();
        let other_services: BTreeSet<&str> = explained
            .iter()
            .map(|&j| hs[j].service.as_str())
            .filter(|s| *s != h.service)
            .collect();
        f.explanation =
            (weight / 3.0).min(1.0) * (0.7 + 0.3 * (other_services.len() as f64 / 2.0).min(1.0));
        if !explained.is_empty() {
            let names: Vec<String> = explained.iter().take(4).map(|&j| hs[j].label()).collect();
            reasons.push(format!(
                "can explain {} other signal(s): {}{}",
                explained.len(),
                names.join(", "),
                if explained.len() > 4 { ", …" } else { "" }
            ));
        }
        // (d) corroboration: the same or a directly linked category in other services.
        if let Some(c) = h.taxonomy {
            let linked: BTreeSet<&str> = hs
                .iter()
                .filter(|o| o.service != h.service)
                .filter(|o| {
                    o.taxonomy.is_some_and(|oc| {
                        oc == c || set.causes(c).contains(&oc) || set.causes(oc).contains(&c)
                    }) && o.kind != Kind::Http
                })
                .map(|o| o.service.as_str())
                .collect();
            f.corroboration = (linked.len() as f64 / 2.0).min(1.0);
            if !linked.is_empty() {
                let list: Vec<&str> = linked.into_iter().collect();
                reasons.push(format!(
                    "corroborated by related signals in {}",
                    list.join(", ")
                ));
            }
        }
        // (e) change proximity
        if let Some((c, mins)) = change_for(h, changes) {
            f.change = (-mins / 30.0).exp().max(0.15);
            reasons.push(format!(
                "{} {}{} {:.0} min before onset",
                c.kind.as_str(),
                c.service.as_deref().unwrap_or("(all)"),
                c.version
                    .as_deref()
                    .map(|v| format!(" {v}"))
                    .unwrap_or_default(),
                mins
            ));
        }
        // (g) background
        let ratio = if h.baseline_rate > 0.0 {
            h.window_rate / h.baseline_rate
        } else {
            f64::INFINITY
        };
        if h.kind != Kind::Silence && h.baseline_count > 0 && ratio < 2.0 && h.log10_p > -6.0 {
            f.background = 0.25;
            reasons.push(format!(
                "about as frequent before the window (×{ratio:.1}): background"
            ));
        }
        // Explained by an earlier signal that can cause it: a downstream symptom, whatever
        // its own role prior says (a pool exhausted by slow queries is not the cause).
        let explainer = (0..n)
            .filter(|&j| j != i && explains[j].contains(&i))
            .filter(|&j| match (hs[j].onset, h.onset) {
                // Clearly earlier; or at the same moment when the edge runs one way only
                // (a full disk takes the database down, not the other way round).
                (Some(a), Some(b)) => {
                    a.0 + tol < b.0 || (a.0 <= b.0 + tol && !explains[i].contains(&j))
                }
                _ => false,
            })
            .max_by(|&a, &b| strengths[a].total_cmp(&strengths[b]).then(b.cmp(&a)));
        if let Some(j) = explainer {
            f.explained = strengths[j];
            reasons.push(format!("{} began earlier and can cause it", hs[j].label()));
        }
        let score = f.background
            * (1.0 - 0.35 * f.explained)
            * (0.22 * f.strength
                + 0.18 * f.precedence
                + 0.22 * f.explanation
                + 0.08 * f.corroboration
                + 0.10 * f.change
                + 0.12 * f.specificity
                + 0.08 * f.role);
        let h = &mut hs[i];
        h.factors = f;
        h.score = score.clamp(0.0, 1.0);
        h.reasons = reasons
            .into_iter()
            .chain(std::mem::take(&mut h.reasons))
            .collect();
        h.change = change_for(h, changes).map(|(c, _)| c.clone());
        h.is_background = f.background < 1.0;
    }
    // Sort best first (ties: earlier onset, then label) and re-map indices.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        hs[b]
            .score
            .total_cmp(&hs[a].score)
            .then(hs[a].onset.cmp(&hs[b].onset))
            .then(hs[a].label().cmp(&hs[b].label()))
            .then(hs[a].template.cmp(&hs[b].template))
    });
    let position: Vec<usize> = {
        let mut p = vec![0; n];
        for (new, &old) in order.iter().enumerate() {
            p[old] = new;
        }
        p
    };
    let mut sorted: Vec<Hypothesis> = order.iter().map(|&i| hs[i].clone()).collect();
    for (new, &old) in order.iter().enumerate() {
        sorted[new].explains = explains[old].iter().map(|&j| position[j]).collect();
        sorted[new].explains.sort_unstable();
    }
    // Assign: background, symptoms of a higher-ranked cause, or causes.
    let mut causes = Vec::new();
    let mut symptoms = Vec::new();
    let mut background = Vec::new();
    for i in 0..n {
        if sorted[i].is_background {
            background.push(i);
            continue;
        }
        let by = causes.iter().copied().find(|&c: &usize| {
            sorted[c].explains.contains(&i)
                && match (sorted[c].onset, sorted[i].onset) {
                    (Some(a), Some(b)) => a.0 <= b.0 + tol,
                    _ => false,
                }
        });
        match by {
            Some(c) => {
                sorted[i].explained_by = Some(c);
                symptoms.push(i);
            }
            None => causes.push(i),
        }
    }
    // What each cause actually explains in this incident (its symptoms).
    for c in &causes {
        let mine: Vec<usize> = symptoms
            .iter()
            .copied()
            .filter(|&s| sorted[s].explained_by == Some(*c))
            .collect();
        sorted[*c].explains = mine;
    }
    for s in symptoms.iter().chain(background.iter()) {
        sorted[*s].explains.clear();
    }
    let _ = w;
    Ranked {
        hypotheses: sorted,
        causes,
        symptoms,
        background,
    }
}

/// The ranking result.
pub struct Ranked {
    /// All hypotheses, best score first.
    pub hypotheses: Vec<Hypothesis>,
    pub causes: Vec<usize>,
    pub symptoms: Vec<usize>,
    pub background: Vec<usize>,
}

/// Confidence words for a cause's score and its lead over the next.
pub fn confidence(score: f64, lead: f64) -> &'static str {
    if score >= 0.55 && lead >= 0.08 {
        "high"
    } else if score >= 0.4 {
        "medium"
    } else {
        "low"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exception_like_valid_and_invalid() {
        assert!(is_exception_like("java.lang.IllegalStateException: <*>"));
        assert!(is_exception_like(
            "TypeError: Cannot read properties of undefined"
        ));
        assert!(!is_exception_like("upstream request failed"));
        assert!(!is_exception_like("Error <*>"));
    }
}
