//! Benchmarks of template mining on one thread: masking alone, masking plus counting into the
//! key table (the per-line work while reading), and the whole mining including clustering.
//!
//! The corpus is generated from the message formats of real software (cited per line) with
//! varying values, 20 000 messages. Run: `cargo bench --bench templates`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use culprit::templates::mask::{Masked, mask_message};
use culprit::templates::mine_messages;
use culprit::templates::table::{KeyTable, Limits, Observation};
use std::hint::black_box;
use std::sync::Arc;

fn corpus() -> Vec<String> {
    let users = [
        "root", "admin", "oracle", "test", "guest", "postgres", "ubuntu",
    ];
    (0..20_000u64)
        .map(|i| {
            let ip = format!("{}.{}.{}.{}", 10 + i % 200, i % 251, (i * 7) % 253, (i * 13) % 254);
            match i % 8 {
                // OpenSSH auth.c: "%s %s%s%s for %s%.100s from %.200s port %d ssh2".
                0 => format!("Failed password for {} from {ip} port {} ssh2", users[(i % 7) as usize], 30_000 + i % 30_000),
                // HDFS DataXceiver: "Receiving block " + block + " src: " + remote + " dest: " + local.
                1 => format!("Receiving block blk_{} src: /{ip}:{} dest: /{ip}:50010", 1_000_000_007u64.wrapping_mul(i), 40_000 + i % 9_999),
                // Spark Executor: s"Running $taskName (TID $taskId)".
                2 => format!("Running task {}.0 in stage {}.0 (TID {})", i % 200, i % 31, i),
                // ZooKeeper NIOServerCnxnFactory: "Accepted socket connection from " + address.
                3 => format!("Accepted socket connection from /{ip}:{}", 1024 + i % 60_000),
                // Linux-PAM pam_unix: "session opened for user %s by %s(uid=%lu)".
                4 => format!("pam_unix(sshd:session): session opened for user {} by (uid={})", users[(i % 7) as usize], i % 1000),
                // Spark MemoryStore: "Block %s stored as bytes in memory (estimated size %s, free %s)".
                5 => format!("Block broadcast_{}_piece0 stored as bytes in memory (estimated size {}.{} KB, free {}.{} MB)", i % 50, i % 900, i % 10, i % 300, i % 10),
                // nginx ngx_http_upstream: "upstream timed out (110: Connection timed out) while …".
                6 => format!("upstream timed out (110: Connection timed out) while reading response header from upstream, client: {ip}, server: shop, request: \"GET /api/v1/items/{} HTTP/1.1\", host: \"shop\"", i),
                // ZooKeeper SessionTrackerImpl: "Expiring session 0x…, timeout of …ms exceeded".
                _ => format!("Expiring session 0x{:x}, timeout of {}ms exceeded", 0x014e_d931_11f2_0005u64 + i, 10_000 + (i % 3) * 10_000),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let lines = corpus();
    let mut g = c.benchmark_group("templates");
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.bench_function("mask", |b| {
        let mut m = Masked::new();
        b.iter(|| {
            for l in &lines {
                mask_message(l, &mut m);
                black_box(m.key.len());
            }
        })
    });
    g.bench_function("mask_and_count", |b| {
        let source: Arc<str> = Arc::from("bench.log");
        b.iter(|| {
            let mut table = KeyTable::new(Limits::default());
            let mut m = Masked::new();
            for (i, l) in lines.iter().enumerate() {
                mask_message(l, &mut m);
                table.add(
                    &m,
                    &Observation {
                        time: i as i64,
                        service: &source,
                        source: &source,
                        line: i as u64 + 1,
                        text: l,
                    },
                );
            }
            black_box(table.len())
        })
    });
    g.bench_function("mine", |b| {
        b.iter(|| {
            black_box(
                mine_messages(lines.iter().map(String::as_str), Limits::default())
                    .templates
                    .len(),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
