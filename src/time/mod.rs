//! Time: turning the timestamps logs print into UTC instants.
//!
//! Formats call the fast shape parsers in [`parse`] and get a [`RawTime`]: either an absolute
//! instant (the line carried an offset, a zone abbreviation or an epoch number), a wall-clock time
//! with no zone, or a wall-clock time without a year (syslog RFC 3164). A per-input
//! [`TimeContext`] resolves the last two with the assumed zone (`--tz`, default UTC) and the
//! inferred year. Resolution is stateless per line, so chunks of one file can be parsed in
//! parallel:
//!
//! * the zone: local times are read in `--tz` (default UTC); a DST overlap takes the earlier
//!   instant, a time in a DST gap is moved forward by the gap;
//! * the year of a year-less time: the input's *reference year* is `--year`, else the year that
//!   puts the input's first year-less timestamp at or before its modification time (a log is
//!   written before it is last modified). Every later line whose month/day falls before the first
//!   line's month/day belongs to the following year, which rolls New Year over correctly for any
//!   input spanning less than a year.

pub mod parse;
pub mod zones;

use crate::event::Timestamp;
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike};

pub use parse::{find_timestamp, parse_clf, parse_epoch_str, parse_iso8601, parse_syslog};

/// A timestamp as read from a line, before the input's zone and year are applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawTime {
    /// An absolute instant: the line carried an offset, a zone or an epoch number.
    Utc(Timestamp),
    /// Wall-clock date and time with no zone: read in the input's zone (`--tz`).
    Local(NaiveDateTime),
    /// Wall-clock time without a year (`Jan  5 14:03:01`, `01-05 14:03:01`).
    NoYear {
        month: u32,
        day: u32,
        time: NaiveTime,
    },
}

/// Earliest and latest years accepted as real. Anything outside (epoch 0 from an unset clock is
/// inside on purpose; year 9999 is not) is treated as "no timestamp".
pub const MIN_PLAUSIBLE_YEAR: i32 = 1970;
pub const MAX_PLAUSIBLE_YEAR: i32 = 2200;

pub fn is_plausible_year(year: i32) -> bool {
    (MIN_PLAUSIBLE_YEAR..=MAX_PLAUSIBLE_YEAR).contains(&year)
}

/// The zone that local times are read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zone {
    Utc,
    Named(chrono_tz::Tz),
    Fixed(chrono::FixedOffset),
}

impl Zone {
    /// Parses `UTC`, an IANA name (`Europe/Paris`), or a fixed offset (`+02:00`, `-0500`).
    pub fn parse(s: &str) -> Result<Zone, String> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("utc") || t.eq_ignore_ascii_case("z") || t == "Etc/UTC" {
            return Ok(Zone::Utc);
        }
        if let Some(secs) = parse::parse_offset_str(t) {
            return chrono::FixedOffset::east_opt(secs)
                .map(Zone::Fixed)
                .ok_or_else(|| format!("offset out of range: {t:?}"));
        }
        t.parse::<chrono_tz::Tz>().map(Zone::Named).map_err(|_| {
            format!("unknown time zone {t:?} (use an IANA name such as Europe/Paris, UTC, or an offset such as +02:00)")
        })
    }

    pub fn name(&self) -> String {
        match self {
            Zone::Utc => "UTC".to_string(),
            Zone::Named(tz) => tz.name().to_string(),
            Zone::Fixed(off) => off.to_string(),
        }
    }

    /// Reads a wall-clock time in this zone. DST overlap: the earlier instant; DST gap: the
    /// wall time is moved forward by the gap (as most logging libraries' clocks would have it).
    pub fn to_utc(&self, local: &NaiveDateTime) -> Option<Timestamp> {
        let dt = match self {
            Zone::Utc => return Timestamp::from_datetime(&local.and_utc()),
            Zone::Fixed(off) => off.from_local_datetime(local).earliest()?.to_utc(),
            Zone::Named(tz) => match tz.from_local_datetime(local) {
                chrono::LocalResult::Single(t) => t.to_utc(),
                chrono::LocalResult::Ambiguous(a, b) => a.min(b).to_utc(),
                chrono::LocalResult::None => {
                    // In a DST gap: read the wall time with the offset in force just before the
                    // gap, which moves it forward by the gap's length (02:30 → 03:30).
                    use chrono::Offset;
                    let before = tz
                        .from_local_datetime(&(*local - chrono::Duration::hours(3)))
                        .earliest()?;
                    let offset = before.offset().fix().local_minus_utc();
                    (*local - chrono::Duration::seconds(i64::from(offset))).and_utc()
                }
            },
        };
        Timestamp::from_datetime(&dt)
    }
}

/// Per-input context to resolve [`RawTime`] into UTC.
#[derive(Clone, Debug)]
pub struct TimeContext {
    pub zone: Zone,
    /// The year of the input's first year-less timestamp, and its (month, day).
    pub year_anchor: Option<YearAnchor>,
    /// Known clock error of this input's source, added to every instant (nanoseconds).
    pub offset_nanos: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YearAnchor {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl YearAnchor {
    /// The anchor for an input whose first year-less timestamp is `first` (month, day):
    /// `year` if given (`--year`), else the year that puts `first` at or before `modified`
    /// (for Feb 29: the last leap year that does).
    pub fn infer(first: (u32, u32), year: Option<i32>, modified: NaiveDate) -> YearAnchor {
        let year = year.unwrap_or_else(|| {
            let mut year = if (first.0, first.1) <= (modified.month(), modified.day()) {
                modified.year()
            } else {
                modified.year() - 1
            };
            // At most 8 years back (1900 → 1896 skips one leap year); an impossible date
            // (Feb 30) keeps the year above and is rejected line by line.
            for back in 0..8 {
                if NaiveDate::from_ymd_opt(year - back, first.0, first.1).is_some() {
                    year -= back;
                    break;
                }
            }
            year
        });
        YearAnchor {
            year,
            month: first.0,
            day: first.1,
        }
    }
}

impl TimeContext {
    pub fn utc() -> TimeContext {
        TimeContext {
            zone: Zone::Utc,
            year_anchor: None,
            offset_nanos: 0,
        }
    }

    pub fn resolve(&self, raw: RawTime) -> Option<Timestamp> {
        let ts = match raw {
            RawTime::Utc(ts) => ts,
            RawTime::Local(local) => {
                if !is_plausible_year(local.year()) {
                    return None;
                }
                self.zone.to_utc(&local)?
            }
            RawTime::NoYear { month, day, time } => {
                let anchor = self.year_anchor?;
                let year = if (month, day) < (anchor.month, anchor.day) {
                    anchor.year + 1
                } else {
                    anchor.year
                };
                // Feb 29 in a non-leap year: the line cannot be from that year; try the next
                // leap-compatible reading rather than dropping the time.
                let date = NaiveDate::from_ymd_opt(year, month, day)
                    .or_else(|| NaiveDate::from_ymd_opt(year + 1, month, day))?;
                self.zone.to_utc(&date.and_time(time))?
            }
        };
        if self.offset_nanos == 0 {
            Some(ts)
        } else {
            ts.checked_add_nanos(self.offset_nanos)
        }
    }
}

/// Builds a `NaiveDateTime` from parts, rejecting impossible values. A leap second (`:60`) is
/// kept as the last nanosecond-precision instant of second 59 plus the fraction, as chrono does.
pub fn naive_from_parts(
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    min: u32,
    sec: u32,
    nanos: u32,
) -> Option<NaiveDateTime> {
    if !is_plausible_year(year) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let time = naive_time(hour, min, sec, nanos)?;
    Some(date.and_time(time))
}

/// A time of day; `sec == 60` (leap second) is accepted.
pub fn naive_time(hour: u32, min: u32, sec: u32, nanos: u32) -> Option<NaiveTime> {
    if sec == 60 {
        // chrono represents a leap second as second 59 with nanos >= 1e9.
        return NaiveTime::from_hms_nano_opt(hour, min, 59, 1_000_000_000 + nanos.min(999_999_999));
    }
    NaiveTime::from_hms_nano_opt(hour, min, sec, nanos)
}

/// UTC midnight of the given date, handy in tests.
pub fn ymd_hms(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Timestamp {
    let dt = NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|date| date.and_hms_opt(h, mi, s))
        .expect("valid date in ymd_hms");
    Timestamp::from_datetime(&dt.and_utc()).expect("date in range")
}

/// Seconds of a duration such as `+2s`, `-1500ms`, `90m`, `1h30m`, `-0.5s`. Used by
/// `--clock-offset`, `--baseline` and friends.
pub fn parse_duration_nanos(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let (sign, rest) = match t.as_bytes().first() {
        Some(b'-') => (-1i64, &t[1..]),
        Some(b'+') => (1, &t[1..]),
        _ => (1, t),
    };
    if rest.is_empty() {
        return Err(format!("empty duration {s:?}"));
    }
    let mut total: f64 = 0.0;
    let mut num = String::new();
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i] as char;
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            i += 1;
            continue;
        }
        let start = i;
        // A unit runs to the next number: `µs` is not ASCII, and stops only at an ASCII byte,
        // so `rest[start..i]` stays on character boundaries.
        while i < bytes.len() && !(bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        let unit = &rest[start..i];
        if num.is_empty() || unit.is_empty() {
            return Err(format!(
                "invalid duration {s:?} (expected e.g. 30s, 1500ms, 2h, 1h30m, -2.5s)"
            ));
        }
        let value: f64 = num
            .parse()
            .map_err(|_| format!("invalid number in duration {s:?}"))?;
        let scale = match unit {
            "ns" => 1e0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" | "sec" => 1e9,
            "m" | "min" => 60e9,
            "h" => 3600e9,
            "d" => 86400e9,
            _ => {
                return Err(format!(
                    "unknown unit {unit:?} in duration {s:?} (use ns, us, ms, s, m, h or d)"
                ));
            }
        };
        total += value * scale;
        num.clear();
    }
    if !num.is_empty() {
        return Err(format!(
            "duration {s:?} lacks a unit (e.g. {num}s or {num}ms)"
        ));
    }
    if !total.is_finite() || total.abs() > 1e18 {
        return Err(format!("duration {s:?} is out of range"));
    }
    Ok(sign * total.round() as i64)
}

/// Parses a user-given instant (`--since`, `--until`, `--window`): RFC 3339, `YYYY-MM-DD HH:MM[:SS]`
/// or a date, read in `zone` when it carries no offset.
pub fn parse_user_instant(s: &str, zone: &Zone) -> Result<Timestamp, String> {
    let t = s.trim();
    if let Some((raw, used)) = parse_iso8601(t.as_bytes()) {
        if used == t.len() {
            let ctx = TimeContext {
                zone: *zone,
                year_anchor: None,
                offset_nanos: 0,
            };
            if let Some(ts) = ctx.resolve(raw) {
                return Ok(ts);
            }
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        if let Some(ts) = zone.to_utc(&date.and_time(NaiveTime::MIN)) {
            return Ok(ts);
        }
    }
    if let Ok(dt) = NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M") {
        if let Some(ts) = zone.to_utc(&dt) {
            return Ok(ts);
        }
    }
    Err(format!(
        "invalid time {s:?} (expected RFC 3339 such as 2024-01-21T15:00:00Z, or YYYY-MM-DD[ HH:MM[:SS]])"
    ))
}

/// Hour/minute/second of a timestamp for compact display.
pub fn format_hms(ts: Timestamp) -> String {
    let dt = ts.to_datetime();
    format!("{:02}:{:02}:{:02}", dt.hour(), dt.minute(), dt.second())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nt(h: u32, m: u32, s: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, s).unwrap()
    }

    #[test]
    fn no_year_valid_rolls_over_new_year() {
        let modified = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
        let anchor = YearAnchor::infer((12, 31), None, modified);
        assert_eq!(anchor.year, 2023);
        let ctx = TimeContext {
            zone: Zone::Utc,
            year_anchor: Some(anchor),
            offset_nanos: 0,
        };
        let dec = ctx.resolve(RawTime::NoYear {
            month: 12,
            day: 31,
            time: nt(23, 59, 59),
        });
        let jan = ctx.resolve(RawTime::NoYear {
            month: 1,
            day: 1,
            time: nt(0, 0, 1),
        });
        assert_eq!(dec, Some(ymd_hms(2023, 12, 31, 23, 59, 59)));
        assert_eq!(jan, Some(ymd_hms(2024, 1, 1, 0, 0, 1)));
    }

    #[test]
    fn no_year_valid_feb_29_anchor_is_a_leap_year() {
        // A log that starts on Feb 29, last modified in March of the next (non-leap) year.
        let modified = NaiveDate::from_ymd_opt(2025, 3, 5).unwrap();
        assert_eq!(YearAnchor::infer((2, 29), None, modified).year, 2024);
        // Modified on Feb 29 itself, and before it in a leap year.
        let modified = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(YearAnchor::infer((2, 29), None, modified).year, 2024);
        let modified = NaiveDate::from_ymd_opt(2024, 2, 10).unwrap();
        assert_eq!(YearAnchor::infer((2, 29), None, modified).year, 2020);
        // --year is taken as given.
        assert_eq!(YearAnchor::infer((2, 29), Some(2023), modified).year, 2023);
    }

    #[test]
    fn no_year_valid_explicit_year_wins() {
        let modified = NaiveDate::from_ymd_opt(2030, 6, 1).unwrap();
        let anchor = YearAnchor::infer((3, 4), Some(2021), modified);
        assert_eq!(anchor.year, 2021);
    }

    #[test]
    fn local_valid_dst_overlap_takes_earlier_and_gap_moves_forward() {
        let zone = Zone::parse("Europe/Paris").unwrap();
        // 2024-10-27 02:30 happens twice in Paris; the first is 00:30Z.
        let overlap = naive_from_parts(2024, 10, 27, 2, 30, 0, 0).unwrap();
        assert_eq!(zone.to_utc(&overlap), Some(ymd_hms(2024, 10, 27, 0, 30, 0)));
        // 2024-03-31 02:30 does not exist in Paris; read as 03:30 CEST = 01:30Z.
        let gap = naive_from_parts(2024, 3, 31, 2, 30, 0, 0).unwrap();
        assert_eq!(zone.to_utc(&gap), Some(ymd_hms(2024, 3, 31, 1, 30, 0)));
    }

    #[test]
    fn zone_parse_invalid_names_the_value() {
        let err = Zone::parse("Mars/Olympus").unwrap_err();
        assert!(err.contains("Mars/Olympus"));
        assert_eq!(Zone::parse("+02:00").unwrap().name(), "+02:00");
    }

    #[test]
    fn duration_valid_and_invalid() {
        assert_eq!(parse_duration_nanos("+2s"), Ok(2_000_000_000));
        assert_eq!(parse_duration_nanos("-1500ms"), Ok(-1_500_000_000));
        assert_eq!(parse_duration_nanos("1h30m"), Ok(5_400_000_000_000));
        assert!(parse_duration_nanos("12").is_err());
        assert!(parse_duration_nanos("5 parsecs").is_err());
    }

    #[test]
    fn duration_valid_micro_sign_unit() {
        assert_eq!(parse_duration_nanos("500µs"), Ok(500_000));
        assert_eq!(parse_duration_nanos("-1s500µs"), Ok(-1_000_500_000));
        assert!(parse_duration_nanos("5 s").is_err());
        assert!(parse_duration_nanos("5é").is_err());
    }

    #[test]
    fn plausible_year_rejects_absurd() {
        assert!(naive_from_parts(9999, 1, 1, 0, 0, 0, 0).is_none());
        assert!(naive_from_parts(2038, 1, 19, 3, 14, 8, 0).is_some());
    }

    #[test]
    fn leap_second_valid() {
        let t = naive_from_parts(2016, 12, 31, 23, 59, 60, 0).unwrap();
        let ts = Zone::Utc.to_utc(&t).unwrap();
        assert!(ts > ymd_hms(2016, 12, 31, 23, 59, 59));
        assert!(ts < ymd_hms(2017, 1, 1, 0, 0, 0) || ts == ymd_hms(2017, 1, 1, 0, 0, 0));
    }

    #[test]
    fn user_instant_valid_forms() {
        let z = Zone::Utc;
        assert_eq!(
            parse_user_instant("2024-01-21T15:00:00Z", &z),
            Ok(ymd_hms(2024, 1, 21, 15, 0, 0))
        );
        assert_eq!(
            parse_user_instant("2024-01-21 15:00", &z),
            Ok(ymd_hms(2024, 1, 21, 15, 0, 0))
        );
        assert_eq!(
            parse_user_instant("2024-01-21", &z),
            Ok(ymd_hms(2024, 1, 21, 0, 0, 0))
        );
        assert!(parse_user_instant("yesterday", &z).is_err());
    }

    #[test]
    fn extremes_valid_epoch_0_2038_and_2106_and_2200() {
        let iso =
            |s: &str| parse_iso8601(s.as_bytes()).and_then(|(r, _)| TimeContext::utc().resolve(r));
        assert_eq!(iso("1970-01-01T00:00:00Z"), Some(Timestamp(0)));
        assert_eq!(
            iso("2038-01-19T03:14:08Z"),
            Some(Timestamp(2_147_483_648 * 1_000_000_000))
        );
        assert_eq!(
            iso("2106-02-07T06:28:16Z"),
            Some(Timestamp(4_294_967_296 * 1_000_000_000))
        );
        assert!(iso("2200-12-31T23:59:59Z").is_some());
        for absurd in [
            "2201-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "0000-01-01T00:00:00Z",
            "1900-01-01T00:00:00Z",
        ] {
            assert_eq!(iso(absurd), None, "{absurd}");
        }
    }

    #[test]
    fn leap_second_valid_23_59_60_orders_between_its_neighbours() {
        let iso =
            |s: &str| parse_iso8601(s.as_bytes()).and_then(|(r, _)| TimeContext::utc().resolve(r));
        let leap = iso("2016-12-31T23:59:60Z").unwrap();
        assert!(iso("2016-12-31T23:59:59.999Z").unwrap() < leap);
        assert!(leap <= iso("2017-01-01T00:00:00Z").unwrap());
        assert!(iso("2016-12-31T23:59:61Z").is_none());
    }

    #[test]
    fn two_digit_years_valid_posix_pivot() {
        let year = |s: &str| match parse::parse_two_digit_year(s.as_bytes()) {
            Some((RawTime::Local(t), _)) => Some(t.year()),
            _ => None,
        };
        assert_eq!(year("99/12/31 23:59:59"), Some(1999));
        assert_eq!(year("00/01/01 00:00:00"), Some(2000));
        assert_eq!(year("68/01/01 00:00:00"), Some(2068));
        assert_eq!(year("70/01/01 00:00:00"), Some(1970));
        // POSIX `%y` reads 69 as 1969, before the plausible range: not a real timestamp.
        assert_eq!(year("69/12/31 23:59:59"), None);
    }

    #[test]
    fn dst_valid_new_york_gap_and_overlap() {
        let zone = Zone::parse("America/New_York").unwrap();
        // 2024-03-10 02:30 does not exist in New York: read as 03:30 EDT = 07:30Z.
        let gap = naive_from_parts(2024, 3, 10, 2, 30, 0, 0).unwrap();
        assert_eq!(zone.to_utc(&gap), Some(ymd_hms(2024, 3, 10, 7, 30, 0)));
        // 2024-11-03 01:30 happens twice: the earlier is 01:30 EDT = 05:30Z.
        let overlap = naive_from_parts(2024, 11, 3, 1, 30, 0, 0).unwrap();
        assert_eq!(zone.to_utc(&overlap), Some(ymd_hms(2024, 11, 3, 5, 30, 0)));
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let gap = naive_from_parts(2024, 3, 31, 2, 30, 0, 0).unwrap();
        assert_eq!(berlin.to_utc(&gap), Some(ymd_hms(2024, 3, 31, 1, 30, 0)));
        let overlap = naive_from_parts(2024, 10, 27, 2, 30, 0, 0).unwrap();
        assert_eq!(
            berlin.to_utc(&overlap),
            Some(ymd_hms(2024, 10, 27, 0, 30, 0))
        );
    }
}
