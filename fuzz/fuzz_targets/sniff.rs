//! Format sniffing: every registry entry prepares on and scores a sample of lines, the winner
//! parses them all. Also `make_named` with a name taken from the first line.
#![no_main]

use culprit::ingest::formats::{self, LineParse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.split('\n').collect();
    let sample = &lines[..lines.len().min(200)];
    let sniffed = formats::sniff(sample);
    assert!(sniffed.score <= 2 * sniffed.sample_len);
    for line in &lines {
        let _ = matches!(sniffed.format.parse(line), LineParse::Event(_));
    }
    if let Some(first) = lines.first() {
        let _ = formats::make_named(first, sample);
        let _ = culprit::ingest::validate_format_name(first);
    }
});
