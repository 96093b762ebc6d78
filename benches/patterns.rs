//! Matching speed of the signature library on a realistic mix (99% benign lines, 1% known
//! failures), one thread. Run: `cargo bench --bench patterns`. Target: at least 2 M lines/s.
//!
//! Without criterion, the same measurement is the ignored test
//! `cargo test --release --lib patterns::tests::matching_throughput -- --ignored --nocapture`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use culprit::patterns::{SignatureSet, bench_lines};
use std::hint::black_box;

fn matching(c: &mut Criterion) {
    let set = SignatureSet::embedded();
    let lines = bench_lines(100_000);
    let mut group = c.benchmark_group("patterns");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("first_match_mixed_100k_lines", |b| {
        b.iter(|| {
            let mut hits = 0usize;
            for line in &lines {
                if set.first_match(black_box(line)).is_some() {
                    hits += 1;
                }
            }
            black_box(hits)
        });
    });
    group.bench_function("is_match_mixed_100k_lines", |b| {
        b.iter(|| lines.iter().filter(|l| set.is_match(black_box(l))).count());
    });
    group.finish();

    // Parsing, compiling and validating the whole library (what start-up pays once).
    c.bench_function("patterns/parse_and_check_embedded_library", |b| {
        b.iter(|| culprit::patterns::check_embedded().signatures);
    });
}

criterion_group!(benches, matching);
criterion_main!(benches);
