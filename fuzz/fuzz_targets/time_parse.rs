//! Timestamp parsing: every shape parser on the raw bytes (and on every suffix start up to a
//! few bytes in, since formats call them at offsets), `find_timestamp`, epoch parsers, and the
//! user-facing instant/duration/zone parsers. Parsed times are resolved as the pipeline does.
#![no_main]

use culprit::time::parse as tp;
use culprit::time::{RawTime, TimeContext, YearAnchor, Zone};
use libfuzzer_sys::fuzz_target;

fn resolve(raw: RawTime, used: usize, len: usize) {
    assert!(used <= len, "parser used {used} of {len} bytes");
    let ctx = TimeContext {
        zone: Zone::Utc,
        year_anchor: Some(YearAnchor {
            year: 2024,
            month: 12,
            day: 31,
        }),
        offset_nanos: -3_600_000_000_000,
    };
    let _ = ctx.resolve(raw);
}

fuzz_target!(|data: &[u8]| {
    let shapes: [fn(&[u8]) -> Option<(RawTime, usize)>; 8] = [
        tp::parse_iso8601,
        tp::parse_syslog,
        tp::parse_clf,
        tp::parse_ctime,
        tp::parse_two_digit_year,
        tp::parse_compact,
        tp::parse_day_first,
        tp::parse_any,
    ];
    for start in 0..data.len().min(4) {
        let b = &data[start..];
        for shape in shapes {
            if let Some((raw, used)) = shape(b) {
                resolve(raw, used, b.len());
            }
        }
    }
    if data.len() >= 8 {
        let mut f = [0u8; 8];
        f.copy_from_slice(&data[..8]);
        let _ = tp::parse_epoch_f64(f64::from_le_bytes(f));
    }
    let text = String::from_utf8_lossy(data);
    if let Some((raw, range)) = tp::find_timestamp(&text) {
        assert!(range.start <= range.end && range.end <= text.len());
        assert!(
            text.get(range.clone()).is_some(),
            "range {range:?} not on char boundaries"
        );
        resolve(raw, 0, 0);
    }
    let _ = tp::parse_epoch_str(&text);
    let _ = tp::parse_offset_str(&text);
    let _ = culprit::time::parse_duration_nanos(&text);
    if let Ok(zone) = Zone::parse(&text) {
        let _ = zone.name();
    }
    let _ = culprit::time::zones::abbreviation_offset(&text);
    let paris = Zone::parse("Europe/Paris").unwrap_or(Zone::Utc);
    for zone in [Zone::Utc, paris] {
        let _ = culprit::time::parse_user_instant(&text, &zone);
    }
});
