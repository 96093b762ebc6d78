//! The incident window: the span where trouble (warnings, errors, failure signatures, 5xx
//! responses) rises significantly above the rest of the data.
//!
//! Method: counts per bucket (resolution chosen from the span, ~150–400 buckets) are
//! square-rooted (which makes Poisson counts' variance roughly constant), then every segment
//! `[s, e)` is scored with the two-sample mean-shift statistic
//! `(mean_in − mean_out) · sqrt(n_in · n_out / n) / σ`, where σ is estimated from the median
//! absolute first difference — a level shift changes only two differences, so σ stays that of
//! the background noise even when the incident covers most of the data (which breaks
//! median/MAD-of-levels detectors). The best segment with a higher inside mean wins; a short
//! burst scores far below a sustained shift, which is what makes the method robust to bursty
//! backgrounds. Below [`MIN_SCORE`] there is no incident.

use crate::event::Timestamp;

/// Candidate bucket widths, in seconds.
const RESOLUTIONS: [i64; 11] = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600];
/// Aim for at most this many buckets over the data's span.
const MAX_BUCKETS: i64 = 400;
/// Minimum mean-shift score for a window to count as an incident.
pub const MIN_SCORE: f64 = 6.0;

/// Picks a bucket width (nanoseconds) for a span.
pub fn resolution_for(span_nanos: i64) -> i64 {
    let secs = span_nanos / Timestamp::NANOS_PER_SEC;
    for r in RESOLUTIONS {
        if secs / r <= MAX_BUCKETS {
            return r * Timestamp::NANOS_PER_SEC;
        }
    }
    RESOLUTIONS[RESOLUTIONS.len() - 1] * Timestamp::NANOS_PER_SEC
}

/// A detected or given incident window, with its baseline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub start: Timestamp,
    pub end: Timestamp,
    pub baseline_start: Timestamp,
    pub baseline_end: Timestamp,
    /// The mean-shift score of the window (0 when the user gave it).
    pub score: f64,
    /// Bucket width used for the series, nanoseconds.
    pub resolution: i64,
}

impl Window {
    pub fn duration_nanos(&self) -> i64 {
        (self.end.0 - self.start.0).max(1)
    }

    pub fn baseline_nanos(&self) -> i64 {
        (self.baseline_end.0 - self.baseline_start.0).max(0)
    }

    pub fn contains(&self, t: Timestamp) -> bool {
        t >= self.start && t < self.end
    }

    pub fn in_baseline(&self, t: Timestamp) -> bool {
        t >= self.baseline_start && t < self.baseline_end
    }
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The best segment `[s, e)` of `counts` and its score, or `None` for fewer than 4 buckets.
pub fn best_segment(counts: &[f64]) -> Option<(usize, usize, f64)> {
    let n = counts.len();
    if n < 4 {
        return None;
    }
    let x: Vec<f64> = counts.iter().map(|c| c.max(0.0).sqrt()).collect();
    let mut diffs: Vec<f64> = x.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    // MAD of differences → σ of one value: |d| median of N(0, 2σ²) is 0.6745·√2·σ.
    let sigma = (median(&mut diffs) / (0.6745 * std::f64::consts::SQRT_2)).max(0.25);
    let mut prefix = vec![0.0; n + 1];
    for i in 0..n {
        prefix[i + 1] = prefix[i] + x[i];
    }
    let total = prefix[n];
    let nf = n as f64;
    let mut best: Option<(usize, usize, f64)> = None;
    for s in 0..n {
        for e in (s + 1)..=n {
            let n_in = (e - s) as f64;
            let n_out = nf - n_in;
            if n_out < 1.0 {
                continue;
            }
            let sum_in = prefix[e] - prefix[s];
            let mean_in = sum_in / n_in;
            let mean_out = (total - sum_in) / n_out;
            if mean_in <= mean_out {
                continue;
            }
            let score = (mean_in - mean_out) * (n_in * n_out / nf).sqrt() / sigma;
            if best.is_none_or(|(_, _, b)| score > b) {
                best = Some((s, e, score));
            }
        }
    }
    best
}

/// Detects the window in a series of per-bucket trouble counts starting at `origin`.
/// `baseline` caps how far back the baseline reaches (`--baseline`), if given.
pub fn detect(
    counts: &[f64],
    origin: Timestamp,
    resolution: i64,
    span_start: Timestamp,
    baseline: Option<i64>,
) -> Option<Window> {
    let (s, e, score) = best_segment(counts)?;
    if score < MIN_SCORE {
        return None;
    }
    let start = Timestamp(origin.0 + s as i64 * resolution);
    let end = Timestamp(origin.0 + e as i64 * resolution);
    Some(with_baseline(
        start, end, span_start, baseline, score, resolution,
    ))
}

/// A window with its baseline: the period before it, reaching back `baseline` (default: to
/// the start of the data).
pub fn with_baseline(
    start: Timestamp,
    end: Timestamp,
    span_start: Timestamp,
    baseline: Option<i64>,
    score: f64,
    resolution: i64,
) -> Window {
    let baseline_start = match baseline {
        Some(d) => Timestamp(start.0.saturating_sub(d)).max(span_start.min(start)),
        None => span_start.min(start),
    };
    Window {
        start,
        end,
        baseline_start,
        baseline_end: start,
        score,
        resolution,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noisy(n: usize, level: f64, seed: u64) -> Vec<f64> {
        // Deterministic pseudo-noise around `level`.
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let u = ((s >> 33) as f64) / ((1u64 << 31) as f64);
                (level + (u - 0.5) * 2.0 * level.sqrt()).max(0.0).round()
            })
            .collect()
    }

    #[test]
    fn segment_valid_incident_covering_most_of_the_data() {
        let mut v = noisy(120, 5.0, 1);
        v.extend(noisy(230, 26.0, 2));
        v.extend(noisy(40, 5.0, 3));
        let (s, e, score) = best_segment(&v).unwrap();
        assert!((118..=122).contains(&s), "{s}");
        assert!((348..=352).contains(&e), "{e}");
        assert!(score > MIN_SCORE);
    }

    #[test]
    fn segment_valid_sustained_shift_beats_bigger_single_burst() {
        let mut v = noisy(300, 4.0, 7);
        v[40] = 80.0; // a cron job's burst in the background
        for x in v.iter_mut().skip(200).take(40) {
            *x += 12.0;
        }
        let (s, e, _) = best_segment(&v).unwrap();
        assert!(
            (198..=202).contains(&s) && (238..=242).contains(&e),
            "{s}..{e}"
        );
    }

    #[test]
    fn segment_invalid_flat_noise_scores_below_threshold() {
        let v = noisy(300, 6.0, 11);
        let (_, _, score) = best_segment(&v).unwrap();
        assert!(score < MIN_SCORE, "{score}");
    }

    #[test]
    fn resolution_valid_scales_with_span() {
        assert_eq!(
            resolution_for(3_600 * Timestamp::NANOS_PER_SEC),
            10 * Timestamp::NANOS_PER_SEC
        );
        assert_eq!(
            resolution_for(6 * 3_600 * Timestamp::NANOS_PER_SEC),
            60 * Timestamp::NANOS_PER_SEC
        );
        assert_eq!(
            resolution_for(7 * 86_400 * Timestamp::NANOS_PER_SEC),
            1800 * Timestamp::NANOS_PER_SEC
        );
    }
}
