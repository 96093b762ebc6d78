//! Tests of the aggregation's bounded evidence: whatever the order occurrences arrive in and
//! inputs are merged in, the evidence kept is the one chosen from every occurrence at once.

use super::*;
use crate::event::Fields;
use proptest::prelude::*;

fn event(secs: i64, input: u32, line: u64) -> Event {
    Event {
        time: Timestamp(secs * Timestamp::NANOS_PER_SEC),
        service: Arc::from("auth-api"),
        input,
        line,
        end_line: line,
        level: Some(Level::Error),
        message: format!("HikariPool-1 - Connection is not available (line {line})"),
        body: String::new(),
        fields: Fields::new(),
        format: "test",
    }
}

fn keys(samples: &[Sample]) -> Vec<(i64, u32, u64)> {
    samples
        .iter()
        .map(|s| (s.time.0, s.input, s.line))
        .collect()
}

/// Occurrences grouped by input (in line order), and the inputs' merge order.
fn scenario(max_secs: i64) -> impl Strategy<Value = (Vec<Vec<(i64, u64)>>, Vec<usize>)> {
    proptest::collection::vec(proptest::collection::vec(0..max_secs, 0..60), 1..6).prop_flat_map(
        |inputs| {
            let n = inputs.len();
            let with_lines: Vec<Vec<(i64, u64)>> = inputs
                .into_iter()
                .map(|times| times.into_iter().zip(1u64..).collect())
                .collect();
            (
                Just(with_lines),
                Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
            )
        },
    )
}

fn fold(
    inputs: &[Vec<(i64, u64)>],
    order: &[usize],
    recent: Option<RecentEvidence>,
) -> (Series, Vec<Sample>) {
    let mut merged: Option<Series> = None;
    let mut every = Vec::new();
    for &i in order {
        let mut part = Series::default();
        for &(secs, line) in &inputs[i] {
            let e = event(secs, i as u32, line);
            part.add(bucket_of(e.time), &e, e.time, recent);
            every.push(sample_of(&e, e.time));
        }
        match merged.as_mut() {
            Some(m) => m.merge(part, recent),
            None => merged = Some(part),
        }
    }
    (merged.unwrap_or_default(), every)
}

proptest! {
    #[test]
    fn samples_valid_independent_of_arrival_and_merge_order((inputs, order) in scenario(6 * 3600)) {
        let (merged, mut every) = fold(&inputs, &order, None);
        select_samples(&mut every);
        prop_assert_eq!(keys(&merged.samples), keys(&every));
        prop_assert!(merged.samples.len() <= MAX_SAMPLES_PER_SERIES);
        let total: usize = inputs.iter().map(Vec::len).sum();
        prop_assert_eq!(merged.total, total as u64);
    }

    #[test]
    fn recent_latest_hours_valid_independent_of_order((inputs, order) in scenario(60 * 3600)) {
        let policy = RecentEvidence::LatestHours;
        let (merged, mut every) = fold(&inputs, &order, Some(policy));
        policy.select(&mut every);
        prop_assert_eq!(keys(&merged.recent), keys(&every));
        prop_assert!(merged.recent.len() <= RECENT_HOURS * (RECENT_PER_HOUR + 1));
    }

    #[test]
    fn recent_earliest_valid_independent_of_order((inputs, order) in scenario(60 * 3600)) {
        let policy = RecentEvidence::Earliest;
        let (merged, mut every) = fold(&inputs, &order, Some(policy));
        policy.select(&mut every);
        prop_assert_eq!(keys(&merged.recent), keys(&every));
    }
}

#[test]
fn samples_valid_first_three_then_earliest_of_each_block() {
    let block = SAMPLE_BLOCK_NANOS / Timestamp::NANOS_PER_SEC;
    let mut s = Series::default();
    // Three in the first block, two in the second (out of order), one in the fourth.
    for (secs, line) in [
        (1, 1),
        (2, 2),
        (3, 3),
        (4, 4),
        (block + 9, 5),
        (block + 5, 6),
    ] {
        let e = event(secs, 0, line);
        s.add(bucket_of(e.time), &e, e.time, None);
    }
    let e = event(3 * block + 1, 0, 7);
    s.add(bucket_of(e.time), &e, e.time, None);
    let lines: Vec<u64> = s.samples.iter().map(|x| x.line).collect();
    assert_eq!(lines, vec![1, 2, 3, 6, 7]);
}

#[test]
fn samples_valid_capped_over_a_long_series() {
    let block = SAMPLE_BLOCK_NANOS / Timestamp::NANOS_PER_SEC;
    let mut s = Series::default();
    for k in 0..1000 {
        let e = event(k * block / 2, 0, k as u64 + 1);
        s.add(bucket_of(e.time), &e, e.time, None);
    }
    assert_eq!(s.total, 1000);
    // The first three (blocks 0, 0 and 1), then the earliest of blocks 2 to 20: the first
    // 21 blocks in all.
    let blocks = (MAX_SAMPLES_PER_SERIES - FIRST_SAMPLES) as i64;
    assert_eq!(s.samples.len(), 3 + (blocks as usize - 2));
    let last = s.samples.last().map(|x| x.time.0 / SAMPLE_BLOCK_NANOS);
    assert_eq!(last, Some(blocks - 1));
}

#[test]
fn recent_valid_keeps_the_latest_of_an_hour_the_period_starts_within() {
    // A nightly scan's period is the 24 hours before the last event: here it starts at 09:30,
    // after the first three occurrences of hour 09 but before the fourth.
    let policy = Some(RecentEvidence::LatestHours);
    let mut s = Series::default();
    let at = |h: i64, m: i64| h * 3600 + m * 60;
    for (line, secs) in [at(9, 5), at(9, 10), at(9, 15), at(9, 40), at(9, 45)]
        .into_iter()
        .enumerate()
    {
        let e = event(secs, 0, line as u64 + 1);
        s.add(bucket_of(e.time), &e, e.time, policy);
    }
    let period_start = Timestamp(at(9, 30) * Timestamp::NANOS_PER_SEC);
    let in_period: Vec<i64> = s
        .recent
        .iter()
        .filter(|x| x.time >= period_start)
        .map(|x| x.time.0 / Timestamp::NANOS_PER_SEC)
        .collect();
    assert_eq!(in_period, vec![at(9, 45)]);
    assert_eq!(s.recent.len(), RECENT_PER_HOUR + 1);
}

/// A letters-only word per number: distinct templates that no masking takes for a variable.
fn word(mut i: u32) -> String {
    i += 26 * 26 * 26;
    let mut w = Vec::new();
    while i > 0 {
        w.push(b'a' + (i % 26) as u8);
        i /= 26;
    }
    w.reverse();
    String::from_utf8(w).unwrap_or_default()
}

/// An aggregator whose only series are error templates `keys` of service `svc`, once each.
fn part_with_keys(svc: &str, keys: &[u32]) -> Aggregator {
    let mut a = Aggregator::new(crate::patterns::SignatureSet::embedded(), "test.log");
    for &k in keys {
        let mut e = event(i64::from(k), 0, u64::from(k) + 1);
        e.service = Arc::from(svc);
        e.message = format!("widget {} refused", word(k));
        a.accept(e);
    }
    a
}

proptest! {
    #[test]
    fn key_cap_valid_same_kept_keys_whatever_the_merge_order(
        parts in proptest::collection::vec(proptest::collection::vec(0u32..400, 0..80), 1..6),
        order_seed in any::<u64>(),
    ) {
        let run = |order: &[usize]| {
            let mut all = Aggregate { key_cap: 50, ..Aggregate::default() };
            for &i in order {
                all.absorb(part_with_keys("api", &parts[i]));
            }
            all.finish();
            let mut kept: Vec<(String, u64)> = all
                .series
                .iter()
                .map(|(k, s)| (k.template.to_string(), s.total))
                .collect();
            kept.sort();
            (kept, all.caps.list())
        };
        let forward: Vec<usize> = (0..parts.len()).collect();
        let mut shuffled = forward.clone();
        let n = shuffled.len();
        for i in (1..n).rev() {
            let j = (order_seed.rotate_left(i as u32) % (i as u64 + 1)) as usize;
            shuffled.swap(i, j);
        }
        let (a, caps_a) = run(&forward);
        let (b, caps_b) = run(&shuffled);
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(&caps_a, &caps_b);
        let free = a.iter().filter(|(t, _)| t != OVERFLOW_KEY).count();
        prop_assert!(free <= 50);
        let mut distinct: Vec<u32> = parts.iter().flatten().copied().collect();
        distinct.sort_unstable();
        distinct.dedup();
        // Over the cap, the cap is reported; under it, every key is kept.
        prop_assert_eq!(distinct.len() > 50, !caps_a.is_empty());
        if distinct.len() <= 50 {
            prop_assert_eq!(free, distinct.len());
        }
        let total: u64 = a.iter().map(|(_, n)| n).sum();
        let events: usize = parts.iter().map(Vec::len).sum();
        prop_assert_eq!(total, events as u64);
    }
}
