//! Every format parser: the first input byte picks a registry entry, the rest is split into
//! lines; the format is prepared on the first 200 lines (as the pipeline does) and then parses
//! every line. Lines are decoded lossily, as `ingest` does.
#![no_main]

use culprit::ingest::formats::{LineParse, REGISTRY};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let entry = &REGISTRY[usize::from(pick) % REGISTRY.len()];
    let text = String::from_utf8_lossy(rest);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut format = (entry.make)();
    let sample = &lines[..lines.len().min(200)];
    format.prepare(sample);
    let _ = format.multiline();
    for line in &lines {
        if let LineParse::Event(p) = format.parse(line) {
            // Touch everything a caller reads.
            let _ = (
                p.time,
                p.level,
                p.message.len(),
                p.service.as_ref().map(|s| s.len()),
            );
            for (k, v) in &p.fields {
                let _ = (k.len(), v.len());
            }
        }
    }
});
