//! Clock offsets between sources, estimated from shared anchors: the same request or trace id
//! logged by the edge proxy and by the application behind it.
//!
//! A request the proxy logs at `t_end` with latency `L` (nginx `$request_time`, Apache `%D`)
//! started at `t_end − L`; the application's first line about the same id is logged at or
//! just after that start. So `t_app_first − (t_end − L)` is the application's clock error
//! plus a few milliseconds of processing. The median of that difference over every shared id
//! is the estimate; its median absolute deviation says how well the anchors agree. The proxy
//! is the reference (its clock is the one users' requests are measured against); services
//! that share no ids with a proxy keep their clocks.
//!
//! Memory stays bounded however many requests there are: each service keeps only the ids whose
//! hash falls below a threshold, halving the threshold whenever more than [`MAX_ANCHORS`] are
//! kept (a "bottom-k" hash sample). Since every service samples by the same hash, the ids kept
//! by the proxy and by the application are the same ones, and pairs survive the sampling.
//!
//! Key types: [`AnchorSet`] (per service, filled while reading), [`ClockEstimate`].

use crate::event::Timestamp;
use std::collections::HashMap;
use std::sync::Arc;

/// Ids kept per service before the hash threshold is halved.
pub const MAX_ANCHORS: usize = 4096;
/// Shared ids needed before an offset is estimated.
pub const MIN_SHARED: usize = 20;
/// Larger estimates are not applied: a clock a day off is a wrong year or zone, or ids that
/// are reused across days, not drift — and moving data by years would leave the valid range.
pub const MAX_OFFSET_NANOS: i64 = 24 * 3600 * Timestamp::NANOS_PER_SEC;
/// Offsets smaller than this are within the logs' time resolution (nginx logs whole seconds)
/// and are not corrected.
pub const MIN_OFFSET_NANOS: i64 = 2 * Timestamp::NANOS_PER_SEC;

/// The sampled ids of one service, with the earliest time each was seen.
#[derive(Clone, Debug)]
pub struct AnchorSet {
    threshold: u64,
    ids: HashMap<u64, i64>,
    /// Whether the anchors come from access-log lines (a proxy or load balancer).
    pub edge: bool,
}

impl Default for AnchorSet {
    fn default() -> Self {
        AnchorSet {
            threshold: u64::MAX,
            ids: HashMap::new(),
            edge: false,
        }
    }
}

impl AnchorSet {
    /// Records `id` seen at `time` (for a proxy line: the request's start).
    pub fn add(&mut self, id: &str, time: i64) {
        // Ids that are too short or constant (`-`) cannot pair requests.
        if id.len() < 6 || id.bytes().all(|b| b == b'-' || b == b'0') {
            return;
        }
        let h = super::stable_hash(id);
        if h > self.threshold {
            return;
        }
        let slot = self.ids.entry(h).or_insert(time);
        if time < *slot {
            *slot = time;
        }
        if self.ids.len() > MAX_ANCHORS {
            self.threshold /= 2;
            let t = self.threshold;
            self.ids.retain(|&k, _| k <= t);
        }
    }

    /// Adds another set of the same service.
    pub fn merge(&mut self, other: AnchorSet) {
        self.edge |= other.edge;
        self.threshold = self.threshold.min(other.threshold);
        for (k, t) in other.ids {
            let slot = self.ids.entry(k).or_insert(t);
            if t < *slot {
                *slot = t;
            }
        }
        let t = self.threshold;
        self.ids.retain(|&k, _| k <= t);
        while self.ids.len() > MAX_ANCHORS {
            self.threshold /= 2;
            let t = self.threshold;
            self.ids.retain(|&k, _| k <= t);
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// The share of `other`'s sampled ids that this set saw too: high when both services log
    /// the same requests (a load balancer and the proxy behind it). `None` with fewer than
    /// [`MIN_SHARED`] ids to compare. Both samples keep the ids whose hash is under their
    /// threshold, so below the lower threshold they are comparable id for id.
    pub fn covers(&self, other: &AnchorSet) -> Option<f64> {
        let t = self.threshold.min(other.threshold);
        let theirs: Vec<&u64> = other.ids.keys().filter(|&&k| k <= t).collect();
        if theirs.len() < MIN_SHARED {
            return None;
        }
        let seen = theirs.iter().filter(|k| self.ids.contains_key(k)).count();
        Some(seen as f64 / theirs.len() as f64)
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// An estimated clock correction for one service.
#[derive(Clone, Debug, PartialEq)]
pub struct ClockEstimate {
    pub service: String,
    /// The proxy whose clock is the reference.
    pub reference: String,
    /// What to add to the service's times (the same sign as `--clock-offset`).
    pub correction_nanos: i64,
    /// Shared ids the estimate rests on.
    pub anchors: usize,
    /// Median absolute deviation of the per-id differences.
    pub spread_nanos: i64,
    /// Whether the correction was applied (large enough and consistent).
    pub applied: bool,
}

fn median(v: &mut [i64]) -> i64 {
    v.sort_unstable();
    let n = v.len();
    if n == 0 {
        0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        // Average without overflow.
        v[n / 2 - 1] / 2 + v[n / 2] / 2
    }
}

/// Estimates a correction for every non-edge service that shares at least [`MIN_SHARED`]
/// ids with an edge service, except those in `fixed` (given with `--clock-offset`). Sorted by
/// service name.
pub fn estimate(
    sets: &super::FastMap<Arc<str>, AnchorSet>,
    fixed: &[String],
) -> Vec<ClockEstimate> {
    let mut edges: Vec<(&Arc<str>, &AnchorSet)> = sets
        .iter()
        .filter(|(_, s)| s.edge && !s.is_empty())
        .collect();
    edges.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    let mut services: Vec<(&Arc<str>, &AnchorSet)> = sets
        .iter()
        .filter(|(name, s)| !s.edge && !s.is_empty() && !fixed.iter().any(|f| f == &***name))
        .collect();
    services.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = Vec::new();
    for (name, set) in services {
        // The edge sharing the most ids is the reference.
        let mut best: Option<(&Arc<str>, Vec<i64>)> = None;
        for (edge_name, edge) in &edges {
            let limit = set.threshold.min(edge.threshold);
            let diffs: Vec<i64> = set
                .ids
                .iter()
                .filter(|(k, _)| **k <= limit)
                .filter_map(|(k, t)| edge.ids.get(k).map(|e| t.saturating_sub(*e)))
                .collect();
            if diffs.len() >= MIN_SHARED && best.as_ref().is_none_or(|(_, d)| diffs.len() > d.len())
            {
                best = Some((edge_name, diffs));
            }
        }
        let Some((reference, mut diffs)) = best else {
            continue;
        };
        let offset = median(&mut diffs);
        let mut dev: Vec<i64> = diffs
            .iter()
            .map(|d| d.saturating_sub(offset).saturating_abs())
            .collect();
        let spread = median(&mut dev);
        let consistent = spread <= (offset.saturating_abs() / 4).max(Timestamp::NANOS_PER_SEC);
        out.push(ClockEstimate {
            service: name.to_string(),
            reference: reference.to_string(),
            correction_nanos: offset.saturating_neg(),
            anchors: diffs.len(),
            spread_nanos: spread,
            applied: consistent
                && offset.saturating_abs() >= MIN_OFFSET_NANOS
                && offset.saturating_abs() <= MAX_OFFSET_NANOS,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = Timestamp::NANOS_PER_SEC;

    fn sets(pairs: &[(&str, &str, i64, bool)]) -> crate::detect::FastMap<Arc<str>, AnchorSet> {
        let mut m: crate::detect::FastMap<Arc<str>, AnchorSet> = Default::default();
        for (svc, id, t, edge) in pairs {
            let s = m.entry(Arc::from(*svc)).or_default();
            s.edge |= edge;
            s.add(id, *t);
        }
        m
    }

    #[test]
    fn estimate_valid_app_clock_two_minutes_behind() {
        let mut v = Vec::new();
        let ids: Vec<String> = (1..=50).map(|i| format!("{i:032x}")).collect();
        for (i, id) in ids.iter().enumerate() {
            let start = 1_000 * S + i as i64 * 7 * S;
            v.push(("lb", id.as_str(), start, true));
            // The app's clock is 120 s behind, and it logs 3 ms after the request starts.
            v.push(("app", id.as_str(), start - 120 * S + 3_000_000, false));
        }
        let est = estimate(&sets(&v), &[]);
        assert_eq!(est.len(), 1);
        let e = &est[0];
        assert_eq!((e.service.as_str(), e.reference.as_str()), ("app", "lb"));
        assert!((e.correction_nanos - 120 * S).abs() < S / 10, "{e:?}");
        assert!(e.applied);
        assert_eq!(e.anchors, 50);
    }

    #[test]
    fn estimate_valid_small_offset_is_not_applied() {
        let mut v = Vec::new();
        let ids: Vec<String> = (0..40).map(|i| format!("req-{i:08}")).collect();
        for (i, id) in ids.iter().enumerate() {
            let start = i as i64 * S;
            v.push(("lb", id.as_str(), start, true));
            v.push(("app", id.as_str(), start + 400_000_000, false));
        }
        let est = estimate(&sets(&v), &[]);
        assert_eq!(est.len(), 1);
        assert!(!est[0].applied);
    }

    #[test]
    fn estimate_invalid_too_few_shared_ids_or_fixed_service() {
        let v = [
            ("lb", "abcdef01", 0, true),
            ("app", "abcdef01", 500 * S, false),
        ];
        assert!(estimate(&sets(&v), &[]).is_empty());
        let mut v = Vec::new();
        let ids: Vec<String> = (0..40).map(|i| format!("req-{i:08}")).collect();
        for id in &ids {
            v.push(("lb", id.as_str(), 0, true));
            v.push(("app", id.as_str(), 60 * S, false));
        }
        assert!(estimate(&sets(&v), &["app".to_string()]).is_empty());
    }

    #[test]
    fn anchors_valid_sampling_keeps_the_same_ids_in_both_services() {
        let mut lb = AnchorSet {
            edge: true,
            ..AnchorSet::default()
        };
        let mut app = AnchorSet::default();
        for i in 0..50_000i64 {
            let id = format!("{i:016x}");
            lb.add(&id, i * S);
            app.add(&id, i * S + 5 * S);
        }
        assert!(lb.len() <= MAX_ANCHORS && app.len() <= MAX_ANCHORS);
        let m: crate::detect::FastMap<Arc<str>, AnchorSet> =
            [(Arc::from("lb"), lb), (Arc::from("app"), app)]
                .into_iter()
                .collect();
        let est = estimate(&m, &[]);
        assert_eq!(est.len(), 1);
        assert!(est[0].anchors > 1000, "{:?}", est[0]);
        assert_eq!(est[0].correction_nanos, -5 * S);
    }

    #[test]
    fn estimate_invalid_centuries_apart_is_not_applied() {
        let mut v = Vec::new();
        let ids: Vec<String> = (1..=40).map(|i| format!("req-{i:08}")).collect();
        let year = 365 * 24 * 3600 * S;
        for id in &ids {
            v.push(("lb", id.as_str(), 230 * year, true));
            v.push(("app", id.as_str(), 0, false));
        }
        let est = estimate(&sets(&v), &[]);
        assert_eq!(est.len(), 1);
        assert!(!est[0].applied, "{:?}", est[0]);
    }

    #[test]
    fn anchors_invalid_placeholder_ids_are_ignored() {
        let mut a = AnchorSet::default();
        a.add("-", 0);
        a.add("000000", 0);
        a.add("abc", 0);
        assert!(a.is_empty());
    }

    #[test]
    fn merge_valid_keeps_earliest_time_and_lowest_threshold() {
        let mut a = AnchorSet::default();
        a.add("request-1", 10);
        let mut b = AnchorSet::default();
        b.add("request-1", 5);
        b.edge = true;
        a.merge(b);
        assert_eq!(a.len(), 1);
        assert!(a.edge);
        assert_eq!(a.ids.values().copied().collect::<Vec<_>>(), vec![5]);
    }
}
