//! The template miner: masking of every line, mining (with default limits and with tiny limits
//! that force key coarsening), and assignment of messages to the mined templates.
#![no_main]

use culprit::templates::{self, Limits, mask};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.split('\n').take(256).collect();
    let mut masked = mask::Masked::new();
    for line in &lines {
        mask::mask_message(line, &mut masked);
        let _ = masked.display();
        let _ = mask::key_display(&masked.key);
        for w in masked.weak_values() {
            let _ = w.len();
        }
        for word in line.split_ascii_whitespace() {
            let _ = mask::classify_atom(word);
        }
    }
    for limits in [
        Limits::default(),
        Limits {
            max_keys: 4,
            max_key_bytes: 256,
        },
    ] {
        let set = templates::mine_messages(lines.iter().copied(), limits);
        for t in &set.templates {
            assert_eq!(t.id, templates::template_id(&t.text));
        }
        let _ = set.cap_note();
        let _ = templates::assign_messages(&lines, limits);
    }
});
