//! The signature-file loader: TOML text → validated signatures (the same path as
//! `--patterns DIR` and `culprit patterns check DIR`, through `SignatureSet::from_files`), and
//! the matcher built from what loaded. An input containing a line `%%` is split there into a
//! `categories.toml` (before) and a signature file (after).
#![no_main]

use culprit::patterns::SignatureSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let files: Vec<(&str, &str)> = match text.split_once("\n%%\n") {
        Some((cats, sigs)) => vec![("categories.toml", cats), ("fuzz.toml", sigs)],
        None => vec![("fuzz.toml", text)],
    };
    match SignatureSet::from_files(&files) {
        Ok(set) => {
            for line in text.lines() {
                for m in set.match_line(line) {
                    let _ = m.capture("x");
                }
            }
        }
        Err(errors) => {
            for e in errors {
                let _ = e.to_string();
            }
        }
    }
});
