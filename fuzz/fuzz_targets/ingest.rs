//! The whole ingestion pipeline over one file: open (gzip/zstd by magic), chunking, binary
//! detection, sniffing, year inference, parsing, time resolution, continuation stitching and
//! the accounting invariant. Small chunks make chunk edges fall inside the input.
#![no_main]

use culprit::ingest::input::{Input, Source};
use culprit::ingest::{Collect, IngestOptions, ingest_one};
use libfuzzer_sys::fuzz_target;
use std::io::Write;
use std::sync::LazyLock;

static DIR: LazyLock<tempfile::TempDir> =
    LazyLock::new(|| tempfile::tempdir().expect("temporary directory for the fuzz input"));

fuzz_target!(|data: &[u8]| {
    let path = DIR.path().join("input.log");
    {
        let Ok(mut f) = std::fs::File::create(&path) else {
            return;
        };
        if f.write_all(data).is_err() {
            return;
        }
    }
    let input = Input {
        source: Source::File(path),
        display: "input.log".to_string(),
        service: "fuzz".to_string(),
    };
    let opts = IngestOptions {
        chunk_bytes: 256,
        max_line_bytes: 4096,
        year: None,
        ..IngestOptions::default()
    };
    let mut sink = Collect::default();
    let report = ingest_one(0, &input, &opts, &mut sink);
    assert!(
        report.is_balanced(),
        "accounting does not balance: {report:?}"
    );
    if report.skipped.is_none() && report.error.is_none() {
        let starts: u64 = sink.0.len() as u64;
        assert_eq!(starts, report.events, "{report:?}");
    }
});
