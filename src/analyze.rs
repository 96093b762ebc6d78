//! `analyze` as a library: inputs and change events in, a [`Report`] out.
//!
//! ```text
//!  inputs ─ingest (Aggregator per input)─▶ Aggregate ─▶ EventTable (polars)
//!        ─▶ trouble per bucket ─▶ window (auto, or --window) ─▶ hypotheses ─▶ rank ─▶ Report
//! ```

use crate::detect::clocks::ClockEstimate;
#[cfg(feature = "polars")]
use crate::detect::table;
use crate::detect::window::{self, Window};
use crate::detect::{Aggregate, Aggregator};
use crate::event::Timestamp;
use crate::ingest::input::Input;
use crate::ingest::{self, IngestOptions, InputReport};
use crate::patterns::SignatureSet;
use crate::rank::{self, Hypothesis, Kind, Ranked};
use crate::report::model::{
    CapHit, ChangeInfo, Chart, ChartSeries, ClockInfo, Evidence, Finding, Impact, ImpactMinute,
    InputInfo, Latency, Ref, Report, SCHEMA_VERSION, Tool, WindowInfo,
};
use crate::time::format_hms;
use crate::timeline::changes::Change;

/// What to analyse and how.
#[derive(Clone, Debug, Default)]
pub struct AnalyzeOptions {
    pub ingest: IngestOptions,
    /// `--window START..END`.
    pub window: Option<(Timestamp, Timestamp)>,
    /// `--since` / `--until`: events outside are not read into the analysis.
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    /// `--baseline DURATION`: how far back before the window the baseline reaches.
    pub baseline: Option<i64>,
    /// `--top N`: causes listed.
    pub top: usize,
    /// `--baseline-logs`: logs of a known-good period used as the baseline, placed just
    /// before the analysed logs.
    pub baseline_inputs: Vec<Input>,
    /// `--no-clock-estimate`: keep every clock as logged (apart from `--clock-offset`).
    pub no_clock_estimate: bool,
}

/// The analysis' result: the report, and the raw pieces for other writers.
pub struct Analysis {
    pub report: Report,
    pub window: Option<Window>,
    pub ranked: Option<Ranked>,
}

/// A minimum baseline before we trust "new" and "rising".
const MIN_BASELINE_NANOS: i64 = 30 * 60 * Timestamp::NANOS_PER_SEC;

/// Runs the whole analysis.
pub fn analyze(
    inputs: &[Input],
    changes: Vec<Change>,
    signatures: &'static SignatureSet,
    opts: &AnalyzeOptions,
) -> (Analysis, Vec<InputReport>) {
    let (mut reports, agg) = ingest::ingest_fold(
        inputs,
        &opts.ingest,
        |i| {
            let source = inputs.get(i).map_or("", |inp| inp.display.as_str());
            FilteredAggregator {
                inner: Aggregator::new(signatures, source),
                since: opts.since,
                until: opts.until,
            }
        },
        (Aggregate::default(), std::collections::BTreeSet::new()),
        |(all, offset_by_host), i, part| {
            // `--clock-offset HOST=…` moves every program logging into that host's file (see
            // `ingest`): those programs' clocks are set by the user, not estimated.
            let host_offset = inputs.get(i).is_some_and(|inp| {
                opts.ingest
                    .clock_offsets
                    .iter()
                    .any(|(s, _)| *s == inp.service)
            });
            if host_offset {
                offset_by_host.extend(part.inner.volume.keys().map(|s| s.to_string()));
            }
            all.absorb(part.inner)
        },
    );
    let (mut agg, offset_by_host) = agg;
    agg.finish();
    let clocks = if opts.no_clock_estimate {
        Vec::new()
    } else {
        correct_clocks(&mut agg, opts, offset_by_host)
    };
    let changes = merge_inferred(changes, &agg.inferred);
    let mut baseline_note = None;
    if !opts.baseline_inputs.is_empty() {
        let base = &opts.baseline_inputs;
        let (base_reports, mut base_agg) = ingest::ingest_fold(
            base,
            &opts.ingest,
            |i| {
                Aggregator::new(
                    signatures,
                    base.get(i).map_or("", |inp| inp.display.as_str()),
                )
            },
            Aggregate::default(),
            |all, _, part| all.absorb(part),
        );
        base_agg.finish();
        if let (Some((_, base_end)), Some((main_start, _))) = (base_agg.span, agg.span) {
            // Place the baseline so that it ends where the analysed logs begin.
            let delta = main_start.0.div_euclid(crate::detect::BASE_BUCKET_NANOS)
                - base_end.0.div_euclid(crate::detect::BASE_BUCKET_NANOS);
            let offset = u32::try_from(reports.len()).unwrap_or(u32::MAX);
            agg.absorb_shifted(base_agg, delta, offset);
            // Reports what the merge folded under the total key cap.
            agg.finish();
            baseline_note = Some(format!(
                "baseline taken from {} --baseline-logs input(s), placed just before the analysed logs",
                base_reports.len()
            ));
        }
        reports.extend(base_reports);
    }
    let mut analysis = analyze_aggregate(&agg, &reports, changes, signatures, opts);
    if let Some(note) = baseline_note {
        analysis.report.notes.push(note);
    }
    for c in &clocks {
        if c.applied {
            analysis.report.notes.push(format!(
                "{}'s clock was {} {} {} (median over {} shared request ids); its times were corrected by {:+.1}s",
                c.service,
                human_duration(c.correction_nanos.saturating_abs()),
                if c.correction_nanos > 0 { "behind" } else { "ahead of" },
                c.reference,
                c.anchors,
                c.correction_nanos as f64 / 1e9,
            ));
        }
    }
    analysis.report.clocks = clocks
        .iter()
        .map(|c| ClockInfo {
            service: c.service.clone(),
            reference: c.reference.clone(),
            correction_s: (c.correction_nanos as f64 / 1e6).round() / 1e3,
            anchors: c.anchors,
            spread_s: (c.spread_nanos as f64 / 1e6).round() / 1e3,
            applied: c.applied,
        })
        .collect();
    (analysis, reports)
}

/// Estimates clock offsets from request ids shared by proxies and applications, and moves
/// the services whose clocks are off (see [`crate::detect::clocks`]). Services given with
/// `--clock-offset`, and the programs logging into an input whose host was given
/// (`offset_by_host`), are left as the user set them.
fn correct_clocks(
    agg: &mut Aggregate,
    opts: &AnalyzeOptions,
    offset_by_host: std::collections::BTreeSet<String>,
) -> Vec<ClockEstimate> {
    let fixed: Vec<String> = opts
        .ingest
        .clock_offsets
        .iter()
        .map(|(s, _)| s.clone())
        .chain(offset_by_host)
        .collect();
    let estimates = crate::detect::clocks::estimate(&agg.anchors, &fixed);
    for e in estimates.iter().filter(|e| e.applied) {
        agg.shift_service(&e.service, e.correction_nanos);
    }
    estimates
}

/// Adds the changes seen in logs to the declared ones. A start-up banner whose version is the
/// one the service already ran (declared or seen before) is a restart, not a change, and is
/// dropped; so is an inferred change within two minutes of a declared one of the same kind and
/// service (the same change, seen twice).
pub fn merge_inferred(declared: Vec<Change>, inferred: &[Change]) -> Vec<Change> {
    use std::collections::HashMap;
    let mut all = declared;
    let mut events: Vec<&Change> = all.iter().chain(inferred.iter()).collect();
    events.sort_by(|a, b| (a.time, &a.source).cmp(&(b.time, &b.source)));
    let mut version: HashMap<Option<String>, Option<String>> = HashMap::new();
    let mut keep: Vec<Change> = Vec::new();
    const TWO_MIN: i64 = 120 * Timestamp::NANOS_PER_SEC;
    for c in events {
        let prev = version.get(&c.service).cloned().flatten();
        if c.inferred {
            let same_version = c.version.is_some() && prev == c.version;
            let duplicate = all.iter().any(|d| {
                !d.inferred
                    && d.kind == c.kind
                    && d.service == c.service
                    && (d.time.0 - c.time.0).abs() <= TWO_MIN
            });
            if !same_version && !duplicate {
                keep.push(c.clone());
            }
        }
        if c.version.is_some() {
            version.insert(c.service.clone(), c.version.clone());
        }
    }
    all.extend(keep);
    all.sort_by(|a, b| (a.time, &a.source).cmp(&(b.time, &b.source)));
    all
}

/// Feeds only events inside `--since`/`--until` to the aggregator.
struct FilteredAggregator {
    inner: Aggregator,
    since: Option<Timestamp>,
    until: Option<Timestamp>,
}

impl ingest::EventSink for FilteredAggregator {
    fn accept(&mut self, event: crate::event::Event) {
        if self.since.is_some_and(|s| event.time < s) || self.until.is_some_and(|u| event.time >= u)
        {
            return;
        }
        self.inner.accept(event);
    }

    fn end_of_input(&mut self) {
        self.inner.end_of_input();
    }
}

fn change_info(c: &Change) -> ChangeInfo {
    ChangeInfo {
        time: c.time,
        service: c.service.clone(),
        version: c.version.clone(),
        kind: c.kind.as_str(),
        description: c.description.clone(),
        source: c.source.clone(),
        inferred: c.inferred,
    }
}

/// Analysis of an already aggregated run.
pub fn analyze_aggregate(
    agg: &Aggregate,
    reports: &[InputReport],
    changes: Vec<Change>,
    signatures: &SignatureSet,
    opts: &AnalyzeOptions,
) -> Analysis {
    let mut notes = Vec::new();
    let inputs: Vec<InputInfo> = reports
        .iter()
        .map(|r| InputInfo {
            path: r.path.clone(),
            format: r.format.clone(),
            service: r.service.clone(),
            lines: r.lines,
            parsed: r.events + r.continuation,
            unparsed: r.unparsed,
            first: r.first,
            last: r.last,
        })
        .collect();
    let zone_note = format!(
        "timestamps without a zone were read as {}",
        opts.ingest.zone.name()
    );
    notes.push(zone_note);
    for r in reports {
        if let (Some(source), Some(year)) = (&r.year_source, r.year_anchor) {
            notes.push(format!(
                "{}: year-less timestamps start in {year} (from {source})",
                r.path
            ));
        }
    }
    let mut caps = agg.caps.clone();
    caps.merge(crate::detect::caps::from_reports(
        reports,
        opts.ingest.max_line_bytes,
    ));
    let caps_list = caps.list();
    notes.extend(caps_list.iter().map(CapHit::sentence));
    let empty = |notes: Vec<String>, window: Option<Window>| Analysis {
        report: Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool::default(),
            window: window.map(|w| window_info(&w, opts.window.is_some())),
            inputs: inputs.clone(),
            deploys: changes.iter().map(change_info).collect(),
            causes: Vec::new(),
            symptoms: Vec::new(),
            background: Vec::new(),
            notes,
            chart: None,
            impact: None,
            clocks: Vec::new(),
            caps: caps_list.clone(),
        },
        window,
        ranked: None,
    };
    let Some((span_start, span_end)) = agg.span else {
        notes.push("no timestamped events in the inputs".to_string());
        return empty(notes, None);
    };
    let resolution = window::resolution_for(span_end.0 - span_start.0);
    let origin = span_start.0.div_euclid(resolution) * resolution;
    let chart = chart_of(agg, origin, span_end.0, resolution);
    let window = match opts.window {
        Some((start, end)) => Some(window::with_baseline(
            start,
            end,
            span_start,
            opts.baseline,
            0.0,
            resolution,
        )),
        None => {
            #[cfg(feature = "polars")]
            let counts = {
                let table = table::build(agg, signatures, &changes, resolution);
                let mut counts = match &table {
                    Ok(t) => {
                        table::trouble_series(t, origin, span_end.0, resolution).unwrap_or_default()
                    }
                    Err(e) => {
                        notes.push(format!("event table: {e}"));
                        Vec::new()
                    }
                };
                // Access-log 5xx responses count as trouble too.
                for buckets in agg.http.values() {
                    for (b, h) in buckets {
                        let i = (b * crate::detect::BASE_BUCKET_NANOS - origin) / resolution;
                        if let Some(slot) = usize::try_from(i).ok().and_then(|i| counts.get_mut(i))
                        {
                            *slot += h.errors_5xx as f64;
                        }
                    }
                }
                counts
            };
            // Without polars: the same sums, from the chart's per-service series.
            #[cfg(not(feature = "polars"))]
            let counts: Vec<f64> = {
                let len = chart
                    .series
                    .iter()
                    .map(|s| s.counts.len())
                    .max()
                    .unwrap_or(0);
                (0..len)
                    .map(|i| {
                        chart
                            .series
                            .iter()
                            .filter_map(|s| s.counts.get(i))
                            .sum::<u64>() as f64
                    })
                    .collect()
            };
            window::detect(
                &counts,
                Timestamp(origin),
                resolution,
                span_start,
                opts.baseline,
            )
        }
    };
    let Some(window) = window else {
        notes.push(
            "no incident found: warnings, errors, failure signatures and 5xx responses stay at their usual level across the data"
                .to_string(),
        );
        return empty(notes, None);
    };
    if window.baseline_nanos() < MIN_BASELINE_NANOS {
        notes.push(format!(
            "the baseline before the window is only {} long: too short to judge what is new or rising with confidence",
            human_duration(window.baseline_nanos())
        ));
    }
    let hypotheses = rank::build_hypotheses(agg, signatures, &window);
    let ranked = rank::rank(hypotheses, signatures, &changes, &window);
    let finding = |i: usize, rank_in_list: usize, ranked: &Ranked| -> Finding {
        let h = &ranked.hypotheses[i];
        let next = ranked
            .causes
            .iter()
            .find(|&&c| c != i && ranked.hypotheses[c].score <= h.score)
            .map_or(0.0, |&c| ranked.hypotheses[c].score);
        to_finding(h, rank_in_list, h.score - next, ranked, reports)
    };
    let top = if opts.top == 0 { usize::MAX } else { opts.top };
    let causes: Vec<Finding> = ranked
        .causes
        .iter()
        .take(top)
        .enumerate()
        .map(|(k, &i)| finding(i, k + 1, &ranked))
        .collect();
    let symptoms: Vec<Finding> = ranked
        .symptoms
        .iter()
        .enumerate()
        .map(|(k, &i)| finding(i, k + 1, &ranked))
        .collect();
    let background: Vec<Finding> = ranked
        .background
        .iter()
        .enumerate()
        .map(|(k, &i)| finding(i, k + 1, &ranked))
        .collect();
    let mut info = window_info(&window, opts.window.is_some());
    info.peak = peak_of(&chart, &window);
    let impact = impact_of(agg, &window);
    let mut caps_list = caps_list;
    if let Some(i) = impact.as_ref().filter(|i| i.clients_estimated) {
        let hit = CapHit {
            cap: "exact_clients",
            limit: crate::detect::impact::EXACT_LIMIT as u64,
            beyond: i
                .clients
                .saturating_sub(crate::detect::impact::EXACT_LIMIT as u64)
                .max(1),
            inputs: Vec::new(),
            effect: "distinct clients in the window are HyperLogLog estimates (about 1.6 % error)",
        };
        notes.push(hit.sentence());
        caps_list.push(hit);
    }
    let report = Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool::default(),
        window: Some(info),
        inputs,
        deploys: changes.iter().map(change_info).collect(),
        causes,
        symptoms,
        background,
        notes,
        chart: Some(chart),
        impact,
        clocks: Vec::new(),
        caps: caps_list,
    };
    Analysis {
        report,
        window: Some(window),
        ranked: Some(ranked),
    }
}

fn window_info(w: &Window, user: bool) -> WindowInfo {
    WindowInfo {
        start: w.start,
        end: w.end,
        baseline_start: w.baseline_start,
        baseline_end: w.baseline_end,
        detected: if user { "user" } else { "auto" },
        resolution_s: w.resolution / Timestamp::NANOS_PER_SEC,
        score: (w.score * 100.0).round() / 100.0,
        peak: None,
    }
}

/// Impact figures from access logs in the window (see README "Impact figures").
/// The services whose access logs measure user impact: the edge. A request passes through
/// several tiers that may each log it (a load balancer, nginx, the application's own request
/// log); counting every tier would count it several times. Proxies log the client's address
/// and applications behind them usually do not: a service without client addresses is behind
/// the ones with them when its sampled request ids are mostly seen by one of them, or when it
/// served no more requests than they did together (a service busier than every proxy given
/// is not behind them: its own proxy's logs are missing, and it counts). Among the services
/// with client addresses, one whose request ids are mostly seen by a busier one is behind it.
/// Returns the edge, and the services left out.
fn edge_services(agg: &Aggregate) -> (Vec<&str>, Vec<&str>) {
    let totals: Vec<(&str, u64, u64)> = {
        let mut t: Vec<(&str, u64, u64)> = agg
            .http
            .iter()
            .map(|(svc, buckets)| {
                let (n, c) = buckets
                    .values()
                    .fold((0, 0), |(n, c), h| (n + h.requests, c + h.with_client));
                (&**svc, n, c)
            })
            .filter(|&(_, n, _)| n > 0)
            .collect();
        t.sort_unstable();
        t
    };
    let proxies: Vec<(&str, u64)> = totals
        .iter()
        .filter(|&&(_, _, c)| c > 0)
        .map(|&(svc, n, _)| (svc, n))
        .collect();
    let proxied: u64 = proxies.iter().map(|&(_, n)| n).sum();
    // Whether `outer` saw most of `inner`'s sampled request ids: the same requests.
    let covers = |outer: &str, inner: &str| match (agg.anchors.get(outer), agg.anchors.get(inner)) {
        (Some(o), Some(i)) => o.covers(i).is_some_and(|share| share >= 0.5),
        _ => false,
    };
    let seen_by_proxy = |svc: &str| proxies.iter().any(|&(p, _)| covers(p, svc));
    let mut edge: Vec<(&str, u64)> = Vec::new();
    let mut behind: Vec<&str> = Vec::new();
    for &(svc, n, c) in &totals {
        let is_behind = !proxies.is_empty()
            && c == 0
            && (seen_by_proxy(svc) || n.saturating_mul(20) <= proxied.saturating_mul(21));
        if is_behind {
            behind.push(svc);
        } else {
            edge.push((svc, n));
        }
    }
    let covered = |inner: &str, n_inner: u64| {
        edge.iter().any(|&(outer, n_outer)| {
            outer != inner && (n_outer, outer) > (n_inner, inner) && covers(outer, inner)
        })
    };
    let downstream: Vec<&str> = edge
        .iter()
        .filter(|&&(svc, n)| covered(svc, n))
        .map(|&(svc, _)| svc)
        .collect();
    edge.retain(|(svc, _)| !downstream.contains(svc));
    behind.extend(downstream);
    behind.sort_unstable();
    (edge.into_iter().map(|(svc, _)| svc).collect(), behind)
}

fn impact_of(agg: &Aggregate, w: &Window) -> Option<Impact> {
    use crate::detect::BASE_BUCKET_NANOS;
    let (edge, behind) = edge_services(agg);
    let in_range = |b: i64, a: Timestamp, z: Timestamp| {
        let t = b * BASE_BUCKET_NANOS;
        t >= a.0 && t < z.0
    };
    let mut services: Vec<String> = Vec::new();
    let (mut requests, mut errors, mut base_requests, mut base_errors) = (0u64, 0u64, 0u64, 0u64);
    // Minute start → (requests, errors).
    let mut per_minute: std::collections::BTreeMap<i64, (u64, u64)> = Default::default();
    const MINUTE: i64 = 60 * Timestamp::NANOS_PER_SEC;
    for (service, buckets) in &agg.http {
        if !edge.contains(&&**service) {
            continue;
        }
        let mut seen = false;
        for (&b, h) in buckets {
            if in_range(b, w.start, w.end) {
                seen |= h.requests > 0;
                requests += h.requests;
                errors += h.errors_5xx;
                let m = (b * BASE_BUCKET_NANOS).div_euclid(MINUTE) * MINUTE;
                let slot = per_minute.entry(m).or_insert((0, 0));
                slot.0 += h.requests;
                slot.1 += h.errors_5xx;
            } else if in_range(b, w.baseline_start, w.baseline_end) {
                base_requests += h.requests;
                base_errors += h.errors_5xx;
            }
        }
        if seen {
            services.push(service.to_string());
        }
    }
    if requests == 0 {
        return None;
    }
    services.sort();
    let share = |e: u64, n: u64| {
        if n == 0 {
            0.0
        } else {
            (e as f64 / n as f64 * 10_000.0).round() / 10_000.0
        }
    };
    let mut acc = crate::detect::impact::ImpactAcc::default();
    for svc in &edge {
        if let Some(i) = agg.impact.get(*svc) {
            acc.merge(i.clone());
        }
    }
    let window = acc.over(w.start, w.end);
    let baseline = acc.over(w.baseline_start, w.baseline_end);
    let latency = |h: &crate::detect::impact::LatencyHist| -> Option<Latency> {
        Some(Latency {
            p50: h.quantile(0.50)?,
            p95: h.quantile(0.95)?,
            p99: h.quantile(0.99)?,
        })
    };
    let clients_estimated = !window.clients.is_exact() || !window.clients_with_error.is_exact();
    let clients = window.clients.count();
    let clients_with_error = window.clients_with_error.count().min(clients);
    Some(Impact {
        services,
        behind_edge: behind.iter().map(|s| s.to_string()).collect(),
        requests,
        errors_5xx: errors,
        error_share: share(errors, requests),
        baseline_error_share: (base_requests > 0).then(|| share(base_errors, base_requests)),
        clients,
        clients_with_error,
        client_error_share: share(clients_with_error, clients),
        client_key: acc.client_key(),
        clients_estimated,
        latency_ms: latency(&window.latency),
        baseline_latency_ms: if w.baseline_nanos() > 0 {
            latency(&baseline.latency)
        } else {
            None
        },
        per_minute: per_minute
            .into_iter()
            .map(|(m, (n, e))| ImpactMinute {
                time: Timestamp(m),
                requests: n,
                errors_5xx: e,
                p95_ms: acc
                    .minute(Timestamp(m))
                    .and_then(|x| x.latency.quantile(0.95)),
            })
            .collect(),
    })
}

/// Services drawn separately in the chart; the rest are summed as `other`.
const CHART_MAX_SERVICES: usize = 8;

/// Trouble (notable events and 5xx responses) per bucket and service, dense from `origin`.
fn chart_of(agg: &Aggregate, origin: i64, end: i64, resolution: i64) -> Chart {
    use std::collections::BTreeMap;
    let n = usize::try_from((end - origin) / resolution).unwrap_or(0) + 1;
    let mut per_service: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    fn add<'a>(
        map: &mut BTreeMap<&'a str, Vec<u64>>,
        service: &'a str,
        slot: i64,
        count: u64,
        n: usize,
    ) {
        if let Ok(i) = usize::try_from(slot) {
            let row = map.entry(service).or_insert_with(|| vec![0; n]);
            if let Some(c) = row.get_mut(i) {
                *c += count;
            }
        }
    }
    let slot = |b: i64| (b * crate::detect::BASE_BUCKET_NANOS - origin).div_euclid(resolution);
    for (key, series) in &agg.series {
        for (&b, &c) in &series.counts {
            add(&mut per_service, &key.service, slot(b), c, n);
        }
    }
    for (service, buckets) in &agg.http {
        for (&b, h) in buckets {
            if h.errors_5xx > 0 {
                add(&mut per_service, service, slot(b), h.errors_5xx, n);
            }
        }
    }
    let mut rows: Vec<(&str, Vec<u64>)> = per_service.into_iter().collect();
    // Loudest first; ties by name, so the order is deterministic.
    rows.sort_by(|a, b| {
        let (ta, tb): (u64, u64) = (a.1.iter().sum(), b.1.iter().sum());
        tb.cmp(&ta).then(a.0.cmp(b.0))
    });
    let mut series: Vec<ChartSeries> = Vec::new();
    let mut other: Option<Vec<u64>> = None;
    for (k, (service, counts)) in rows.into_iter().enumerate() {
        if k < CHART_MAX_SERVICES {
            series.push(ChartSeries {
                service: service.to_string(),
                counts,
            });
        } else {
            let o = other.get_or_insert_with(|| vec![0; n]);
            for (slot, c) in o.iter_mut().zip(counts) {
                *slot += c;
            }
        }
    }
    if let Some(counts) = other {
        series.push(ChartSeries {
            service: "other".to_string(),
            counts,
        });
    }
    Chart {
        start: Timestamp(origin),
        resolution_s: resolution / Timestamp::NANOS_PER_SEC,
        series,
    }
}

/// The start of the chart bucket with the most trouble inside the window.
fn peak_of(chart: &Chart, w: &Window) -> Option<Timestamp> {
    let res = chart.resolution_s * Timestamp::NANOS_PER_SEC;
    let len = chart.series.iter().map(|s| s.counts.len()).max()?;
    let mut best: Option<(u64, usize)> = None;
    for i in 0..len {
        let t = chart.start.0 + i as i64 * res;
        if t + res <= w.start.0 || t >= w.end.0 {
            continue;
        }
        let total: u64 = chart.series.iter().filter_map(|s| s.counts.get(i)).sum();
        if total > 0 && best.is_none_or(|(b, _)| total > b) {
            best = Some((total, i));
        }
    }
    best.map(|(_, i)| Timestamp(chart.start.0 + i as i64 * res))
}

fn to_finding(
    h: &Hypothesis,
    rank_in_list: usize,
    lead: f64,
    ranked: &Ranked,
    reports: &[InputReport],
) -> Finding {
    let path_of = |input: u32| {
        reports
            .get(input as usize)
            .map_or_else(String::new, |r| r.path.clone())
    };
    let r = |j: usize| Ref {
        category: ranked.hypotheses[j].category.clone(),
        service: ranked.hypotheses[j].service.clone(),
    };
    let mut why = h.reasons.join("; ");
    if !why.is_empty() {
        why.push('.');
    }
    Finding {
        rank: rank_in_list,
        category: h.category.clone(),
        service: h.service.clone(),
        score: (h.score * 1000.0).round() / 1000.0,
        confidence: rank::confidence(h.score, lead),
        onset: h.onset,
        signature: h.signature.clone(),
        template: h.template.clone(),
        baseline_count: h.baseline_count,
        window_count: h.window_count,
        explains: h.explains.iter().map(|&j| r(j)).collect(),
        change: h.change.as_ref().map(change_info),
        evidence: h
            .evidence
            .iter()
            .map(|s| Evidence {
                path: path_of(s.input),
                line: s.line,
                time: s.time,
                text: s.text.clone(),
            })
            .collect(),
        why,
        kind: match h.kind {
            Kind::Signature => "signature",
            Kind::Template => "template",
            Kind::Http => "http",
            Kind::Silence => "silence",
        },
        title: h.signature_title.clone(),
        explained_by: h.explained_by.map(r),
        novel: h.novel,
        shape: match h.shape {
            rank::Shape::Step => "step",
            rank::Shape::Burst => "burst",
            rank::Shape::Ramp => "ramp",
            rank::Shape::None => "none",
        },
        log10_p: (h.log10_p * 10.0).round() / 10.0,
        factors: round_factors(h.factors),
        remediation: h.remediation.clone(),
    }
}

fn round_factors(f: rank::Factors) -> rank::Factors {
    let r = |x: f64| (x * 1000.0).round() / 1000.0;
    rank::Factors {
        strength: r(f.strength),
        precedence: r(f.precedence),
        explanation: r(f.explanation),
        corroboration: r(f.corroboration),
        change: r(f.change),
        specificity: r(f.specificity),
        role: r(f.role),
        background: r(f.background),
        explained: r(f.explained),
    }
}

/// `3h27m`, `45m`, `50s`.
pub fn human_duration(nanos: i64) -> String {
    let secs = nanos / Timestamp::NANOS_PER_SEC;
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    if h > 0 {
        format!("{h}h{m:02}m")
    } else if m > 0 {
        format!("{m}m{s:02}s")
    } else {
        format!("{s}s")
    }
}

/// `13:05:03` for times in the window's day, for compact text.
pub fn short_time(t: Timestamp) -> String {
    format_hms(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Aggregator;
    use crate::event::{Event, Fields, Level, keys};
    use crate::ingest::EventSink;
    use std::sync::Arc;

    /// An access-log request of `service`: 503 when `failed`.
    fn request(service: &str, id: u32, failed: bool) -> Event {
        let mut fields = Fields::new();
        fields.insert(keys::HTTP_STATUS, if failed { "503" } else { "200" });
        fields.insert(keys::CLIENT, format!("203.0.113.{}", id % 200));
        fields.insert(keys::REQUEST_ID, format!("{id:032x}"));
        Event {
            time: Timestamp(
                1_710_248_400 * Timestamp::NANOS_PER_SEC + i64::from(id) * 1_000_000_000,
            ),
            service: Arc::from(service),
            input: 0,
            line: u64::from(id) + 1,
            end_line: u64::from(id) + 1,
            level: Some(Level::Info),
            message: format!("GET /login {}", if failed { 503 } else { 200 }),
            body: String::new(),
            fields,
            format: "nginx_access",
        }
    }

    #[test]
    fn edge_valid_proxy_behind_a_load_balancer_is_not_counted_twice() {
        // A load balancer logs 300 requests; nginx behind it logs the 200 routed to it, with
        // the same request ids (both log client addresses). An unrelated second edge (its
        // own ids) is counted.
        let signatures = SignatureSet::embedded();
        let mut lb = Aggregator::new(signatures, "lb/access.log");
        let mut nginx = Aggregator::new(signatures, "web/access.log");
        let mut admin = Aggregator::new(signatures, "admin/access.log");
        for id in 0..300 {
            lb.accept(request("lb", id, id % 3 == 0));
            if id % 3 != 2 {
                nginx.accept(request("web", id, id % 3 == 0));
            }
        }
        for id in 1000..1050 {
            admin.accept(request("admin", id, false));
        }
        let agg = Aggregate::merge(vec![lb, nginx, admin]);
        let (edge, behind) = edge_services(&agg);
        assert_eq!(edge, ["admin", "lb"]);
        assert_eq!(behind, ["web"]);
    }

    #[test]
    fn edge_valid_busier_application_without_its_proxy_counts() {
        // An admin proxy (50 requests) and an application whose own proxy's logs were not
        // given (400 requests, no client addresses): the application is not behind the admin
        // proxy and counts.
        let signatures = SignatureSet::embedded();
        let mut admin = Aggregator::new(signatures, "admin/access.log");
        let mut app = Aggregator::new(signatures, "shop/app.log");
        for id in 0..50 {
            admin.accept(request("admin", id, false));
        }
        for id in 0..400 {
            let mut e = request("shop", id + 9000, false);
            e.fields = {
                let mut f = Fields::new();
                f.insert(keys::HTTP_STATUS, "200");
                f
            };
            app.accept(e);
        }
        let agg = Aggregate::merge(vec![admin, app]);
        assert_eq!(edge_services(&agg), (vec!["admin", "shop"], vec![]));
    }

    #[test]
    fn edge_valid_applications_without_client_addresses_are_behind_the_proxy() {
        let signatures = SignatureSet::embedded();
        let mut proxy = Aggregator::new(signatures, "gateway/access.log");
        let mut app = Aggregator::new(signatures, "checkout-api/app.log");
        for id in 0..100 {
            proxy.accept(request("gateway", id, false));
            let mut e = request("checkout-api", id + 5000, false);
            e.fields = {
                let mut f = Fields::new();
                f.insert(keys::HTTP_STATUS, "201");
                f
            };
            app.accept(e);
        }
        let agg = Aggregate::merge(vec![proxy, app]);
        assert_eq!(edge_services(&agg), (vec!["gateway"], vec!["checkout-api"]));
    }
}
