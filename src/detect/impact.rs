//! What users saw, from access logs: per minute, the distinct clients (and those that got a
//! 5xx) and a latency histogram, all mergeable, so the incident window can be chosen after
//! reading.
//!
//! - **Distinct clients** are counted exactly while a minute (or the union over the window) has
//!   at most [`EXACT_LIMIT`] clients, then with a HyperLogLog sketch of 2^[`HLL_BITS`]
//!   registers (standard error about 1.6 %). Clients are identified by the authenticated user
//!   when the line has one (`$remote_user`, `%u`), else by address.
//! - **Latency** goes into a log-scale histogram with [`SUB_BUCKETS`] buckets per power of
//!   two (bucket width ≤ 9 % of its value), so a percentile is off by at most that much.
//!
//! Memory: a minute costs at most 2 × 4 KiB of sketch plus a few hundred bytes of histogram,
//! whatever the traffic.
//!
//! Key types: [`ImpactAcc`] (per input, merged per run), [`ClientSketch`], [`LatencyHist`].

use crate::event::Timestamp;
use std::collections::{BTreeMap, HashSet};

/// Clients counted exactly before a sketch takes over.
pub const EXACT_LIMIT: usize = 512;
/// log2 of the number of HyperLogLog registers.
pub const HLL_BITS: u32 = 12;
const HLL_M: usize = 1 << HLL_BITS;
/// Histogram buckets per power of two.
pub const SUB_BUCKETS: u32 = 8;
const MINUTE: i64 = 60 * Timestamp::NANOS_PER_SEC;

/// A set of client hashes: exact while small, a HyperLogLog sketch beyond.
#[derive(Clone, Debug)]
pub enum ClientSketch {
    Exact(HashSet<u64>),
    Dense(Box<[u8]>),
}

impl Default for ClientSketch {
    fn default() -> Self {
        ClientSketch::Exact(HashSet::new())
    }
}

/// A 64-bit hash of a client id (HyperLogLog needs well-spread bits: [`super::stable_hash`]).
pub fn client_hash(id: &str) -> u64 {
    super::stable_hash(id)
}

fn dense_add(regs: &mut [u8], h: u64) {
    let idx = (h >> (64 - HLL_BITS)) as usize;
    let rest = (h << HLL_BITS) | (1 << (HLL_BITS - 1));
    let rank = (rest.leading_zeros() + 1) as u8;
    if let Some(r) = regs.get_mut(idx) {
        if rank > *r {
            *r = rank;
        }
    }
}

impl ClientSketch {
    pub fn insert(&mut self, h: u64) {
        match self {
            ClientSketch::Exact(set) => {
                set.insert(h);
                if set.len() > EXACT_LIMIT {
                    self.densify();
                }
            }
            ClientSketch::Dense(regs) => dense_add(regs, h),
        }
    }

    fn densify(&mut self) {
        if let ClientSketch::Exact(set) = self {
            let mut regs = vec![0u8; HLL_M].into_boxed_slice();
            for &h in set.iter() {
                dense_add(&mut regs, h);
            }
            *self = ClientSketch::Dense(regs);
        }
    }

    /// Adds every client of `other`.
    pub fn union(&mut self, other: &ClientSketch) {
        match (&mut *self, other) {
            (ClientSketch::Exact(a), ClientSketch::Exact(b)) => {
                a.extend(b.iter().copied());
                if a.len() > EXACT_LIMIT {
                    self.densify();
                }
            }
            (ClientSketch::Dense(a), ClientSketch::Exact(b)) => {
                for &h in b {
                    dense_add(a, h);
                }
            }
            (ClientSketch::Exact(_), ClientSketch::Dense(b)) => {
                self.densify();
                if let ClientSketch::Dense(a) = self {
                    a.iter_mut()
                        .zip(b.iter())
                        .for_each(|(x, y)| *x = (*x).max(*y));
                }
            }
            (ClientSketch::Dense(a), ClientSketch::Dense(b)) => {
                a.iter_mut()
                    .zip(b.iter())
                    .for_each(|(x, y)| *x = (*x).max(*y));
            }
        }
    }

    /// The number of distinct clients (exact, or the HyperLogLog estimate).
    pub fn count(&self) -> u64 {
        match self {
            ClientSketch::Exact(set) => set.len() as u64,
            ClientSketch::Dense(regs) => {
                let m = HLL_M as f64;
                let sum: f64 = regs.iter().map(|&r| 2f64.powi(-i32::from(r))).sum();
                let alpha = 0.7213 / (1.0 + 1.079 / m);
                let raw = alpha * m * m / sum;
                let zeros = regs.iter().filter(|&&r| r == 0).count();
                // Linear counting where the raw estimate is biased (small cardinalities).
                let est = if raw <= 2.5 * m && zeros > 0 {
                    m * (m / zeros as f64).ln()
                } else {
                    raw
                };
                est.round() as u64
            }
        }
    }

    pub fn is_exact(&self) -> bool {
        matches!(self, ClientSketch::Exact(_))
    }
}

/// A log-scale latency histogram (milliseconds).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LatencyHist {
    buckets: BTreeMap<u16, u64>,
    n: u64,
}

/// The bucket of a latency in ms: 0 for < 0.1 ms, then `SUB_BUCKETS` per doubling from 0.1 ms.
fn bucket_of(ms: f64) -> u16 {
    if ms.is_nan() || ms < 0.1 {
        return 0;
    }
    let x = (ms / 0.1).log2() * f64::from(SUB_BUCKETS);
    (x.floor() as i64 + 1).clamp(1, i64::from(u16::MAX)) as u16
}

/// The middle of a bucket, in ms (geometric middle of its bounds).
fn bucket_value(b: u16) -> f64 {
    if b == 0 {
        return 0.05;
    }
    let lo = 0.1 * 2f64.powf(f64::from(b - 1) / f64::from(SUB_BUCKETS));
    lo * 2f64.powf(0.5 / f64::from(SUB_BUCKETS))
}

impl LatencyHist {
    pub fn add_ms(&mut self, ms: f64) {
        if ms.is_finite() && ms >= 0.0 {
            *self.buckets.entry(bucket_of(ms)).or_insert(0) += 1;
            self.n += 1;
        }
    }

    pub fn merge(&mut self, other: &LatencyHist) {
        for (&b, &n) in &other.buckets {
            *self.buckets.entry(b).or_insert(0) += n;
        }
        self.n += other.n;
    }

    pub fn len(&self) -> u64 {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The `q` quantile (0..=1) in ms, rounded to 0.1 ms; `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.n == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.n as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (&b, &n) in &self.buckets {
            seen += n;
            if seen >= rank {
                return Some((bucket_value(b) * 10.0).round() / 10.0);
            }
        }
        None
    }
}

/// One minute of access-log figures.
#[derive(Clone, Debug, Default)]
pub struct Minute {
    pub clients: ClientSketch,
    pub clients_with_error: ClientSketch,
    pub latency: LatencyHist,
}

/// Impact figures of one input (or of a whole run, merged), per minute.
#[derive(Clone, Debug, Default)]
pub struct ImpactAcc {
    /// Minute index (`time / 60 s`) → figures.
    pub minutes: BTreeMap<i64, Minute>,
    /// Requests whose client was identified by user id, and by address.
    pub by_user: u64,
    pub by_address: u64,
}

impl ImpactAcc {
    /// Records one access-log request.
    pub fn add(
        &mut self,
        time: Timestamp,
        status: u16,
        latency_s: Option<f64>,
        user: Option<&str>,
        address: Option<&str>,
    ) {
        let m = self.minutes.entry(time.0.div_euclid(MINUTE)).or_default();
        let user = user.filter(|u| !u.is_empty() && *u != "-");
        let client = match (user, address) {
            (Some(u), _) => {
                self.by_user += 1;
                Some(client_hash(u))
            }
            (None, Some(a)) if !a.is_empty() && a != "-" => {
                self.by_address += 1;
                Some(client_hash(a))
            }
            _ => None,
        };
        if let Some(h) = client {
            m.clients.insert(h);
            if (500..=599).contains(&status) {
                m.clients_with_error.insert(h);
            }
        }
        if let Some(l) = latency_s {
            m.latency.add_ms(l * 1000.0);
        }
    }

    pub fn merge(&mut self, other: ImpactAcc) {
        self.by_user += other.by_user;
        self.by_address += other.by_address;
        for (k, m) in other.minutes {
            match self.minutes.get_mut(&k) {
                Some(mine) => {
                    mine.clients.union(&m.clients);
                    mine.clients_with_error.union(&m.clients_with_error);
                    mine.latency.merge(&m.latency);
                }
                None => {
                    self.minutes.insert(k, m);
                }
            }
        }
    }

    /// Moves every minute by `minutes`.
    pub fn shift(&mut self, minutes: i64) {
        self.minutes = std::mem::take(&mut self.minutes)
            .into_iter()
            .map(|(k, m)| (k + minutes, m))
            .collect();
    }

    /// The union of the minutes overlapping `[start, end)`.
    pub fn over(&self, start: Timestamp, end: Timestamp) -> Minute {
        let mut all = Minute::default();
        if end <= start {
            return all;
        }
        let (a, b) = (start.0.div_euclid(MINUTE), (end.0 - 1).div_euclid(MINUTE));
        for (_, m) in self.minutes.range(a..=b) {
            all.clients.union(&m.clients);
            all.clients_with_error.union(&m.clients_with_error);
            all.latency.merge(&m.latency);
        }
        all
    }

    /// The latency histogram of one minute.
    pub fn minute(&self, minute_start: Timestamp) -> Option<&Minute> {
        self.minutes.get(&minute_start.0.div_euclid(MINUTE))
    }

    /// `user` when most identified requests carried a user id, else `address`.
    pub fn client_key(&self) -> &'static str {
        if self.by_user > self.by_address {
            "user"
        } else {
            "address"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sketch_valid_exact_while_small() {
        let mut s = ClientSketch::default();
        for i in 0..300 {
            s.insert(client_hash(&format!("10.0.{}.{}", i / 256, i % 256)));
            s.insert(client_hash(&format!("10.0.{}.{}", i / 256, i % 256)));
        }
        assert!(s.is_exact());
        assert_eq!(s.count(), 300);
    }

    #[test]
    fn sketch_valid_estimate_within_five_percent() {
        for n in [2_000u64, 50_000, 400_000] {
            let mut s = ClientSketch::default();
            for i in 0..n {
                s.insert(client_hash(&format!("client-{i}")));
            }
            let c = s.count() as f64;
            let err = (c - n as f64).abs() / n as f64;
            assert!(err < 0.05, "n={n} estimate={c}");
        }
    }

    #[test]
    fn sketch_valid_union_of_exact_and_dense() {
        let mut a = ClientSketch::default();
        let mut b = ClientSketch::default();
        for i in 0..400 {
            a.insert(client_hash(&format!("a{i}")));
            b.insert(client_hash(&format!("b{i}")));
        }
        let mut both = a.clone();
        both.union(&b);
        let c = both.count() as f64;
        assert!((c - 800.0).abs() / 800.0 < 0.05, "{c}");
        // Union is idempotent.
        both.union(&a);
        assert_eq!(both.count() as f64, c);
    }

    #[test]
    fn hist_valid_quantiles_within_bucket_width() {
        let mut h = LatencyHist::default();
        for i in 1..=1000 {
            h.add_ms(f64::from(i));
        }
        let p50 = h.quantile(0.5).unwrap();
        let p99 = h.quantile(0.99).unwrap();
        assert!((p50 - 500.0).abs() / 500.0 < 0.09, "{p50}");
        assert!((p99 - 990.0).abs() / 990.0 < 0.09, "{p99}");
        assert_eq!(LatencyHist::default().quantile(0.5), None);
    }

    #[test]
    fn hist_invalid_values_are_ignored() {
        let mut h = LatencyHist::default();
        h.add_ms(f64::NAN);
        h.add_ms(-1.0);
        h.add_ms(f64::INFINITY);
        assert!(h.is_empty());
        h.add_ms(0.0);
        h.add_ms(1e12);
        assert_eq!(h.len(), 2);
    }

    #[test]
    fn impact_valid_clients_with_error_over_a_window() {
        let mut acc = ImpactAcc::default();
        let t = |s: i64| Timestamp(s * Timestamp::NANOS_PER_SEC);
        acc.add(t(0), 200, Some(0.01), None, Some("1.1.1.1"));
        acc.add(t(30), 502, Some(0.5), None, Some("1.1.1.1"));
        acc.add(t(70), 200, Some(0.02), None, Some("2.2.2.2"));
        acc.add(t(130), 503, None, Some("alice"), Some("3.3.3.3"));
        acc.add(t(140), 200, None, Some("-"), Some("-"));
        let w = acc.over(t(0), t(120));
        assert_eq!(w.clients.count(), 2);
        assert_eq!(w.clients_with_error.count(), 1);
        // An empty or reversed range is empty (a zero-length baseline).
        assert_eq!(acc.over(t(60), t(60)).clients.count(), 0);
        assert_eq!(acc.over(t(120), t(60)).clients.count(), 0);
        let all = acc.over(t(0), t(180));
        assert_eq!(all.clients.count(), 3);
        assert_eq!(all.clients_with_error.count(), 2);
        assert_eq!(acc.client_key(), "address");
    }
}
