//! The deploy/change-file loader (JSON lines, JSON array, CSV), and change recognition in log
//! messages.
#![no_main]

use culprit::time::Zone;
use culprit::timeline::changes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let paris = Zone::parse("Europe/Paris").unwrap_or(Zone::Utc);
    for zone in [Zone::Utc, paris] {
        match changes::parse_changes(&text, "deploys.fuzz", &zone) {
            Ok(list) => {
                for c in list {
                    let _ = (c.time, c.kind.as_str(), c.source.len());
                }
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
    for line in text.lines().take(64) {
        let _ = changes::infer_from_message(line);
        let _ = changes::ChangeKind::parse(line);
    }
});
