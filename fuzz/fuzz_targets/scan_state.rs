//! The scan state loader: parse, then what a scan does with a loaded state (prune, merge with
//! another host's state, save-format round trip).
#![no_main]

use culprit::event::Timestamp;
use culprit::scan::state::State;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(mut state) = State::parse(text, Path::new("state.json")) else {
        return;
    };
    let _ = state.days();
    let now = Timestamp(1_716_000_000 * Timestamp::NANOS_PER_SEC);
    let mut merged = State::merge(vec![state.clone(), state.clone()], now);
    let _ = merged.prune();
    let _ = state.prune();
    // `State::save` writes `serde_json::to_writer`; this is the same serialisation in memory.
    if let Ok(json) = serde_json::to_string(&state) {
        let again = State::parse(&json, Path::new("state.json"));
        assert!(
            again.is_ok(),
            "a saved state does not load again: {again:?}\n{json}"
        );
    }
});
