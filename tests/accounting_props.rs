//! Property tests for the ingest invariants: every line is accounted for exactly once
//! (events + continuation + unparsed == lines), whatever the bytes, the chunk size or the line
//! cap; and the merged timeline is in time order.

use culprit::ingest::input::{Input, Source};
use culprit::ingest::{Collect, CountOnly, IngestOptions, ingest_one};
use culprit::timeline::{Filter, MergedTimeline, RunSink};
use proptest::prelude::*;

fn write_input(bytes: &[u8]) -> (tempfile::TempDir, Input) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("prop.log");
    std::fs::write(&path, bytes).expect("write");
    let input = Input {
        source: Source::File(path.clone()),
        display: path.display().to_string(),
        service: "prop".to_string(),
    };
    (dir, input)
}

/// Lines that look like real logs, mixed with junk, so that every path of the pipeline runs.
fn line_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        (0u32..86_400, 0u32..1000).prop_map(|(s, ms)| format!(
            "2024-01-21 {:02}:{:02}:{:02}.{ms:03} ERROR c.e.App - boom {s}",
            s / 3600,
            (s / 60) % 60,
            s % 60
        )
        .into_bytes()),
        (0u32..86_400).prop_map(|s| format!(
            "Jan 21 {:02}:{:02}:{:02} host sshd[12]: Accepted publickey",
            s / 3600,
            (s / 60) % 60,
            s % 60
        )
        .into_bytes()),
        Just(b"\tat com.example.Foo.bar(Foo.java:12)".to_vec()),
        Just(b"{\"level\":\"error\",\"ts\":1705849202.5,\"msg\":\"x\"}".to_vec()),
        Just(Vec::new()),
        prop::collection::vec(
            any::<u8>().prop_filter("no newline", |b| *b != b'\n'),
            0..200
        ),
    ]
}

fn file_strategy() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec(line_strategy(), 0..120),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(lines, crlf, trailing)| {
            let sep: &[u8] = if crlf { b"\r\n" } else { b"\n" };
            let mut out = lines.join(sep);
            if trailing && !out.is_empty() {
                out.extend_from_slice(sep);
            }
            out
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn every_line_is_accounted_for(bytes in file_strategy(), chunk in 4096usize..20_000, cap in 64usize..400) {
        let (_dir, input) = write_input(&bytes);
        let opts = IngestOptions { chunk_bytes: chunk, max_line_bytes: cap, ..IngestOptions::default() };
        let report = ingest_one(0, &input, &opts, &mut CountOnly);
        if report.skipped.is_none() {
            let expected_lines = if bytes.is_empty() { 0 } else {
                let n = bytes.iter().filter(|b| **b == b'\n').count() as u64;
                if bytes.last() == Some(&b'\n') { n } else { n + 1 }
            };
            prop_assert_eq!(report.lines, expected_lines);
            prop_assert!(report.is_balanced(), "unbalanced: {:?}", report);
        }
    }

    #[test]
    fn counting_and_collecting_agree(bytes in file_strategy(), chunk in 4096usize..20_000) {
        let (_dir, input) = write_input(&bytes);
        let opts = IngestOptions { chunk_bytes: chunk, ..IngestOptions::default() };
        let counted = ingest_one(0, &input, &opts, &mut CountOnly);
        let mut sink = Collect::default();
        let collected = ingest_one(0, &input, &opts, &mut sink);
        prop_assert_eq!(&counted, &collected);
        prop_assert_eq!(sink.0.len() as u64, collected.events);
    }

    #[test]
    fn merged_timeline_is_in_time_order(a in file_strategy(), b in file_strategy()) {
        let (_d1, i1) = write_input(&a);
        let (_d2, i2) = write_input(&b);
        let opts = IngestOptions { year: Some(2024), ..IngestOptions::default() };
        let mut s1 = RunSink::with_run_size(Filter::default(), 7);
        let mut s2 = RunSink::with_run_size(Filter::default(), 7);
        let r1 = ingest_one(0, &i1, &opts, &mut s1);
        let r2 = ingest_one(1, &i2, &opts, &mut s2);
        let events: Vec<_> = MergedTimeline::new(vec![s1, s2]).collect();
        prop_assert_eq!(events.len() as u64, r1.events + r2.events);
        for w in events.windows(2) {
            prop_assert!((w[0].time, w[0].input, w[0].line) <= (w[1].time, w[1].input, w[1].line));
        }
    }
}
