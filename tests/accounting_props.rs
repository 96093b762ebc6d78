//! Property tests for the ingest invariants: every line is accounted for exactly once
//! (events + continuation + unparsed == lines), whatever the bytes, the chunk size or the line
//! cap; and the merged timeline is in time order.

use culprit::ingest::input::{Input, Source};
use culprit::ingest::{Collect, CountOnly, IngestOptions, ingest_one, reader};
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
        // Over-long lines, valid or not as UTF-8, so that cuts fall at chunk edges too.
        (1usize..3000, any::<bool>()).prop_map(|(n, lossy)| {
            let unit: &[u8] = if lossy {
                b"\xff\xc3\xa9x"
            } else {
                b"\xc3\xa9xy"
            };
            unit.iter().copied().cycle().take(n).collect()
        }),
        Just(b"\r".to_vec()),
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

/// Reads in pieces of at most `piece` bytes, as pipes and decompressors do.
struct Pieces<'a> {
    data: &'a [u8],
    piece: usize,
}

impl std::io::Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.piece.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// A line as the pipeline keeps it under the cap: its head on a UTF-8 boundary, without a
/// `\r` left at the end of the head.
fn capped(line: &[u8], cap: usize) -> (Vec<u8>, bool) {
    if line.len() <= cap {
        return (line.to_vec(), false);
    }
    let head = &line[..reader::utf8_floor(line, cap)];
    (head.strip_suffix(b"\r").unwrap_or(head).to_vec(), true)
}

/// Bytes rich in the characters that matter to the reader: `\n`, `\r`, multi-byte UTF-8 and
/// invalid bytes, and runs of about `cap` bytes, so that lines of exactly the cap (with their
/// `\r\n` split by a read) come up.
fn reader_bytes(cap: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just(b"\n".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b"\r".to_vec()),
            Just("é€😀".as_bytes().to_vec()),
            Just(b"\xff\xe2\x82".to_vec()),
            (1usize..300).prop_map(|n| vec![b'a'; n]),
            (0usize..4).prop_map(move |d| vec![b'b'; cap + d - 2]),
        ],
        0..200,
    )
    .prop_map(|parts| parts.concat())
}

/// A cap, bytes for it, and a read size.
fn reader_case() -> impl Strategy<Value = (usize, Vec<u8>, usize)> {
    (16usize..6000).prop_flat_map(|cap| (Just(cap), reader_bytes(cap), 1usize..7000))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn reader_lines_do_not_depend_on_read_sizes((cap, data, piece) in reader_case()) {
        let mut want = Vec::new();
        let mut want_cut = 0;
        for line in reader::lines(&data) {
            let (line, cut) = capped(line, cap);
            want.push(line);
            want_cut += u64::from(cut);
        }
        let mut chunks = reader::ChunkReader::new(Pieces { data: &data, piece }, 4096, cap);
        let mut got = Vec::new();
        let mut got_cut = 0;
        while let Some(chunk) = chunks.next_chunk().expect("no read error") {
            got_cut += chunk.cut;
            for line in reader::lines(&chunk.data) {
                let (line, cut) = capped(line, cap);
                got.push(line);
                got_cut += u64::from(cut);
            }
        }
        prop_assert_eq!(got, want);
        prop_assert_eq!(got_cut, want_cut);
    }

    #[test]
    fn every_line_is_accounted_for(bytes in file_strategy(), chunk in 4096usize..20_000, cap in 64usize..400) {
        let (_dir, input) = write_input(&bytes);
        let opts = IngestOptions { chunk_bytes: chunk, max_line_bytes: cap, ..IngestOptions::default() };
        let report = ingest_one(0, &input, &opts, &mut CountOnly);
        if report.skipped.is_none() {
            // A file the reader took as CR-only (old Mac line endings) ends lines at `\r` and
            // `\r\n`; every other file at `\n`.
            let term = if report.cr_only { b'\r' } else { b'\n' };
            let expected_lines = if bytes.is_empty() { 0 } else {
                let n = bytes.iter().filter(|b| **b == term).count() as u64;
                let ends = bytes.last() == Some(&term)
                    || (report.cr_only && bytes.ends_with(b"\r\n"));
                if ends { n } else { n + 1 }
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
    fn chunk_size_does_not_change_the_result(unit in file_strategy(), repeat in 1usize..40, chunk in 4096usize..9000, cap in 64usize..400) {
        // Files are read 64 KiB at a time: repeat the sample so that chunks really split it.
        let mut bytes = Vec::new();
        for _ in 0..repeat {
            bytes.extend_from_slice(&unit);
            bytes.push(b'\n');
        }
        let (_dir, input) = write_input(&bytes);
        let run = |chunk_bytes: usize| {
            let opts = IngestOptions { chunk_bytes, max_line_bytes: cap, year: Some(2024), ..IngestOptions::default() };
            let mut sink = Collect::default();
            let report = ingest_one(0, &input, &opts, &mut sink);
            (report, sink.0)
        };
        let (small, small_events) = run(chunk);
        let (big, big_events) = run(1 << 24);
        prop_assert_eq!(small, big);
        prop_assert_eq!(small_events.len(), big_events.len());
        for (a, b) in small_events.iter().zip(&big_events) {
            prop_assert_eq!(a, b);
        }
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
