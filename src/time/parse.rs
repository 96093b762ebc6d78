//! Fast timestamp shape parsers.
//!
//! Each parser reads a timestamp at the *start* of a byte slice and returns the [`RawTime`] and
//! the number of bytes it used, or `None`. They work on bytes by position (no regex, no
//! allocation) because they run once per line on every input. [`find_timestamp`] tries them all
//! at the first few word starts of a line, for the generic fallback format.
//!
//! Shapes (with the software that prints them):
//! * ISO 8601 / RFC 3339 and its relatives: `2024-01-21T15:00:02.123456789Z`,
//!   `2024-01-21 15:00:02,123` (log4j/logback/Python), `2024-01-21 15:00:02.123 UTC`
//!   (PostgreSQL `%m`), `2024/01/21 15:00:02` (nginx error log), `2024-01-21T15:00:02+0100`;
//! * syslog RFC 3164 `Jan  5 14:03:01` (no year);
//! * common log format `21/Jan/2024:15:00:02 +0000` (nginx/Apache access);
//! * ctime `Sun Jan 21 15:00:02 2024` / `Sun Jan 21 15:00:02.123456 2024` (Apache error log);
//! * two-digit years `24/01/21 15:00:02` (Spark/log4j `yy/MM/dd`), `240121 15:00:02` (MySQL 5.5),
//!   `240121 150002` (HDFS);
//! * compact `20240121-15:00:02:123` (Android-style), `20240121T150002Z`;
//! * day-first `21 Jan 2024 15:00:02,123` (log4j `DATE`), `21-Jan-2024 15:00:02.123` (Tomcat);
//! * epoch numbers in seconds, ms, µs or ns ([`parse_epoch_str`]).

use super::{RawTime, naive_from_parts, naive_time, zones};
use crate::event::Timestamp;
use chrono::NaiveDateTime;

#[inline]
fn digit(b: &[u8], i: usize) -> Option<u32> {
    match b.get(i) {
        Some(c @ b'0'..=b'9') => Some(u32::from(c - b'0')),
        _ => None,
    }
}

#[inline]
fn num2(b: &[u8], i: usize) -> Option<u32> {
    Some(digit(b, i)? * 10 + digit(b, i + 1)?)
}

#[inline]
fn num4(b: &[u8], i: usize) -> Option<u32> {
    Some(num2(b, i)? * 100 + num2(b, i + 2)?)
}

/// A one- or two-digit number (space-padded days in syslog are handled by the caller).
#[inline]
fn num1or2(b: &[u8], i: usize) -> Option<(u32, usize)> {
    let d0 = digit(b, i)?;
    match digit(b, i + 1) {
        Some(d1) => Some((d0 * 10 + d1, 2)),
        None => Some((d0, 1)),
    }
}

/// Reads `.fff…` or `,fff…` (any precision; digits beyond nanoseconds are ignored).
#[inline]
fn fraction(b: &[u8], i: usize) -> (u32, usize) {
    match b.get(i) {
        Some(b'.') | Some(b',') => {}
        _ => return (0, 0),
    }
    let mut nanos: u32 = 0;
    let mut n = 0usize;
    let mut j = i + 1;
    while let Some(d) = digit(b, j) {
        if n < 9 {
            nanos = nanos * 10 + d;
        }
        n += 1;
        j += 1;
    }
    if n == 0 {
        return (0, 0);
    }
    for _ in n..9 {
        nanos *= 10;
    }
    (nanos, j - i)
}

/// `HH:MM:SS` plus an optional fraction. Returns (h, m, s, nanos, used).
#[inline]
fn hms(b: &[u8], i: usize) -> Option<(u32, u32, u32, u32, usize)> {
    let h = num2(b, i)?;
    if b.get(i + 2) != Some(&b':') {
        return None;
    }
    let m = num2(b, i + 3)?;
    if b.get(i + 5) != Some(&b':') {
        return None;
    }
    let s = num2(b, i + 6)?;
    let (nanos, used) = fraction(b, i + 8);
    Some((h, m, s, nanos, 8 + used))
}

const MONTHS: [&[u8; 3]; 12] = [
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];

/// Three-letter English month name, any case.
#[inline]
fn month_abbr(b: &[u8], i: usize) -> Option<u32> {
    let s = b.get(i..i + 3)?;
    let lower = [
        s[0].to_ascii_lowercase(),
        s[1].to_ascii_lowercase(),
        s[2].to_ascii_lowercase(),
    ];
    MONTHS
        .iter()
        .position(|m| **m == lower)
        .map(|p| p as u32 + 1)
}

#[inline]
fn weekday_abbr(b: &[u8], i: usize) -> bool {
    const DAYS: [&[u8; 3]; 7] = [b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun"];
    match b.get(i..i + 3) {
        Some(s) => {
            let lower = [
                s[0].to_ascii_lowercase(),
                s[1].to_ascii_lowercase(),
                s[2].to_ascii_lowercase(),
            ];
            DAYS.iter().any(|d| **d == lower)
        }
        None => false,
    }
}

/// A numeric offset `Z`, `+HH:MM`, `+HHMM` or `+HH` at `i`. Returns (seconds east, used).
#[inline]
fn numeric_offset(b: &[u8], i: usize) -> Option<(i32, usize)> {
    match b.get(i)? {
        b'Z' | b'z' => {
            // Not when it starts a word (e.g. "Zookeeper").
            if b.get(i + 1).is_some_and(|c| c.is_ascii_alphanumeric()) {
                return None;
            }
            Some((0, 1))
        }
        sign @ (b'+' | b'-') => {
            let sign = if *sign == b'-' { -1 } else { 1 };
            let hh = num2(b, i + 1)? as i32;
            let (mm, used) = if b.get(i + 3) == Some(&b':') {
                (num2(b, i + 4)? as i32, 6)
            } else if let Some(mm) = num2(b, i + 3) {
                if digit(b, i + 5).is_some() {
                    return None;
                }
                (mm as i32, 5)
            } else {
                (0, 3)
            };
            if hh > 18 || mm > 59 {
                return None;
            }
            Some((sign * (hh * 3600 + mm * 60), used))
        }
        _ => None,
    }
}

/// Parses an offset given alone (`+02:00`, `-0500`, `Z`), for `--tz`.
pub fn parse_offset_str(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    let (secs, used) = numeric_offset(b, 0)?;
    (used == b.len()).then_some(secs)
}

/// After a timestamp: an optional zone, either glued (`Z`, `+01:00`) or after one space (`UTC`,
/// `CET`, `+0000`). Returns (offset seconds, used).
#[inline]
fn zone_after(b: &[u8], i: usize) -> Option<(i32, usize)> {
    if let Some(z) = numeric_offset(b, i) {
        return Some(z);
    }
    if b.get(i) != Some(&b' ') {
        return None;
    }
    if let Some((secs, used)) = numeric_offset(b, i + 1) {
        // " Z" alone is too weak a signal; require a sign after a space.
        if b[i + 1] == b'+' || b[i + 1] == b'-' {
            return Some((secs, used + 1));
        }
        return None;
    }
    let start = i + 1;
    let mut j = start;
    while j < b.len() && j - start < 5 && b[j].is_ascii_uppercase() {
        j += 1;
    }
    if j - start < 2 || b.get(j).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let abbr = std::str::from_utf8(&b[start..j]).ok()?;
    let secs = zones::abbreviation_offset(abbr)?;
    Some((secs, j - i))
}

fn finish(naive: NaiveDateTime, offset: Option<i32>) -> Option<RawTime> {
    match offset {
        None => Some(RawTime::Local(naive)),
        Some(secs) => {
            let utc = naive - chrono::Duration::seconds(i64::from(secs));
            Timestamp::from_datetime(&utc.and_utc()).map(RawTime::Utc)
        }
    }
}

/// `YYYY-MM-DD[T ]HH:MM:SS[.frac][zone]`, also with `/` as the date separator. The zone may be
/// `Z`, a numeric offset, or a known abbreviation after a space.
pub fn parse_iso8601(b: &[u8]) -> Option<(RawTime, usize)> {
    let year = num4(b, 0)? as i32;
    let sep = *b.get(4)?;
    if sep != b'-' && sep != b'/' {
        return None;
    }
    let month = num2(b, 5)?;
    if *b.get(7)? != sep {
        return None;
    }
    let day = num2(b, 8)?;
    match b.get(10)? {
        b'T' | b' ' | b't' | b'_' => {}
        _ => return None,
    }
    let (h, m, s, nanos, used) = hms(b, 11)?;
    let naive = naive_from_parts(year, month, day, h, m, s, nanos)?;
    let mut end = 11 + used;
    let offset = zone_after(b, end).map(|(secs, zused)| {
        end += zused;
        secs
    });
    Some((finish(naive, offset)?, end))
}

/// RFC 3164 syslog `Mmm dd HH:MM:SS` (day space-padded), optionally `Mmm dd yyyy HH:MM:SS` or
/// `Mmm dd HH:MM:SS yyyy`. Without a year it is [`RawTime::NoYear`].
pub fn parse_syslog(b: &[u8]) -> Option<(RawTime, usize)> {
    let month = month_abbr(b, 0)?;
    if b.get(3) != Some(&b' ') {
        return None;
    }
    let mut i = 4;
    if b.get(i) == Some(&b' ') {
        i += 1;
    }
    let (day, used) = num1or2(b, i)?;
    i += used;
    if b.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    // Optional year before the time.
    let mut year = None;
    if let Some(y) = num4(b, i) {
        if b.get(i + 4) == Some(&b' ') {
            year = Some(y as i32);
            i += 5;
        }
    }
    let (h, m, s, nanos, used) = hms(b, i)?;
    i += used;
    if year.is_none() {
        if let Some(y) = num4(b, i + 1) {
            if b.get(i) == Some(&b' ') && !b.get(i + 5).is_some_and(|c| c.is_ascii_digit()) {
                year = Some(y as i32);
                i += 5;
            }
        }
    }
    match year {
        Some(y) => {
            let naive = naive_from_parts(y, month, day, h, m, s, nanos)?;
            let offset = zone_after(b, i).map(|(secs, zused)| {
                i += zused;
                secs
            });
            Some((finish(naive, offset)?, i))
        }
        None => {
            if !(1..=31).contains(&day) || !(1..=12).contains(&month) {
                return None;
            }
            let time = naive_time(h, m, s, nanos)?;
            Some((RawTime::NoYear { month, day, time }, i))
        }
    }
}

/// Common log format time `21/Jan/2024:15:00:02 +0000` (nginx `$time_local`, Apache `%t`
/// without the brackets).
pub fn parse_clf(b: &[u8]) -> Option<(RawTime, usize)> {
    let day = num2(b, 0)?;
    if b.get(2) != Some(&b'/') {
        return None;
    }
    let month = month_abbr(b, 3)?;
    if b.get(6) != Some(&b'/') {
        return None;
    }
    let year = num4(b, 7)? as i32;
    if b.get(11) != Some(&b':') {
        return None;
    }
    let (h, m, s, nanos, used) = hms(b, 12)?;
    let naive = naive_from_parts(year, month, day, h, m, s, nanos)?;
    let mut end = 12 + used;
    let offset = zone_after(b, end).map(|(secs, zused)| {
        end += zused;
        secs
    });
    Some((finish(naive, offset)?, end))
}

/// ctime shape `Sun Jan 21 15:00:02 2024`, with an optional fraction (Apache 2.4 error log:
/// `Sun Jan 21 15:00:02.123456 2024`).
pub fn parse_ctime(b: &[u8]) -> Option<(RawTime, usize)> {
    if !weekday_abbr(b, 0) || b.get(3) != Some(&b' ') {
        return None;
    }
    let (raw, used) = parse_syslog(&b[4..])?;
    match raw {
        RawTime::NoYear { .. } => None,
        other => Some((other, used + 4)),
    }
}

/// Two-digit-year shapes: `yy/MM/dd HH:MM:SS` (Spark), `yyMMdd HH:MM:SS` (MySQL 5.5 error log),
/// `yyMMdd HHMMSS` (HDFS). Years 00–68 are 20xx, 69–99 are 19xx (POSIX `%y`).
pub fn parse_two_digit_year(b: &[u8]) -> Option<(RawTime, usize)> {
    let yy = num2(b, 0)? as i32;
    let year = if yy < 69 { 2000 + yy } else { 1900 + yy };
    let (month, day, mut i) = if b.get(2) == Some(&b'/') || b.get(2) == Some(&b'-') {
        let sep = b[2];
        let month = num2(b, 3)?;
        if b.get(5) != Some(&sep) {
            return None;
        }
        (month, num2(b, 6)?, 8)
    } else {
        (num2(b, 2)?, num2(b, 4)?, 6)
    };
    if b.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    // MySQL 5.5 pads single-digit hours with a space: "240121  9:05:01".
    if b.get(i) == Some(&b' ') {
        i += 1;
    }
    let (h, m, s, nanos, used) = if let Some(t) = hms(b, i) {
        t
    } else if digit(b, i).is_some() && b.get(i + 1) == Some(&b':') {
        // Single-digit hour.
        let h = digit(b, i)?;
        let m = num2(b, i + 2)?;
        if b.get(i + 4) != Some(&b':') {
            return None;
        }
        let s = num2(b, i + 5)?;
        (h, m, s, 0, 7)
    } else {
        // HHMMSS, not followed by another digit.
        let h = num2(b, i)?;
        let m = num2(b, i + 2)?;
        let s = num2(b, i + 4)?;
        if digit(b, i + 6).is_some() {
            return None;
        }
        (h, m, s, 0, 6)
    };
    let naive = naive_from_parts(year, month, day, h, m, s, nanos)?;
    Some((RawTime::Local(naive), i + used))
}

/// Compact shapes: `20240121-15:00:02:123` (millis after a colon), `20240121T150002[Z]`,
/// `20240121 15:00:02`.
pub fn parse_compact(b: &[u8]) -> Option<(RawTime, usize)> {
    let year = num4(b, 0)? as i32;
    let month = num2(b, 4)?;
    let day = num2(b, 6)?;
    let sep = *b.get(8)?;
    if sep != b'-' && sep != b'T' && sep != b' ' {
        return None;
    }
    let (h, m, s, mut nanos, mut used) = if let Some(t) = hms(b, 9) {
        t
    } else if let Some(t) = loose_colon_hms(b, 9) {
        t
    } else {
        let h = num2(b, 9)?;
        let m = num2(b, 11)?;
        let s = num2(b, 13)?;
        if digit(b, 15).is_some() {
            return None;
        }
        let (nanos, fused) = fraction(b, 15);
        (h, m, s, nanos, 6 + fused)
    };
    // "H:m:s:SSS": milliseconds (1–3 digits, as printed without padding) after a colon.
    if nanos == 0 && b.get(9 + used) == Some(&b':') {
        let start = 9 + used + 1;
        let mut ms = 0u32;
        let mut n = 0;
        while let Some(d) = digit(b, start + n) {
            if n == 3 {
                return None;
            }
            ms = ms * 10 + d;
            n += 1;
        }
        if n > 0 {
            nanos = ms * 1_000_000;
            used += 1 + n;
        }
    }
    let naive = naive_from_parts(year, month, day, h, m, s, nanos)?;
    let mut end = 9 + used;
    let offset = zone_after(b, end).map(|(secs, zused)| {
        end += zused;
        secs
    });
    Some((finish(naive, offset)?, end))
}

/// `H:M:S` with one- or two-digit parts, as loggers print with unpadded format strings
/// (Android-style `20171223-22:16:0:119`). Returns (h, m, s, 0, used).
fn loose_colon_hms(b: &[u8], i: usize) -> Option<(u32, u32, u32, u32, usize)> {
    let (h, hu) = num1or2(b, i)?;
    if b.get(i + hu) != Some(&b':') {
        return None;
    }
    let (m, mu) = num1or2(b, i + hu + 1)?;
    if b.get(i + hu + 1 + mu) != Some(&b':') {
        return None;
    }
    let (s, su) = num1or2(b, i + hu + mu + 2)?;
    Some((h, m, s, 0, hu + mu + su + 2))
}

/// Day-first shapes: `21 Jan 2024 15:00:02,123` (log4j `DATE`), `21-Jan-2024 15:00:02.123`
/// (Tomcat), `21.01.2024 15:00:02`.
pub fn parse_day_first(b: &[u8]) -> Option<(RawTime, usize)> {
    let (day, dused) = num1or2(b, 0)?;
    let sep = *b.get(dused)?;
    if sep != b' ' && sep != b'-' && sep != b'.' {
        return None;
    }
    let mut i = dused + 1;
    let month = if let Some(m) = month_abbr(b, i) {
        i += 3;
        m
    } else if sep == b'.' {
        let m = num2(b, i)?;
        i += 2;
        m
    } else {
        return None;
    };
    if b.get(i) != Some(&sep) {
        return None;
    }
    let year = num4(b, i + 1)? as i32;
    i += 5;
    if b.get(i) != Some(&b' ') && b.get(i) != Some(&b':') {
        return None;
    }
    let (h, m, s, nanos, used) = hms(b, i + 1)?;
    let naive = naive_from_parts(year, month, day, h, m, s, nanos)?;
    let mut end = i + 1 + used;
    let offset = zone_after(b, end).map(|(secs, zused)| {
        end += zused;
        secs
    });
    Some((finish(naive, offset)?, end))
}

/// An epoch number, its unit guessed from its magnitude: seconds (optionally with a fraction),
/// milliseconds, microseconds or nanoseconds. Values before 1971 or after 2200 are rejected so
/// that a pid or a byte count is never taken for a time... except exact 0-ish values are still
/// rejected too: an unset clock is not a timestamp we can place.
pub fn parse_epoch_str(s: &str) -> Option<Timestamp> {
    let (int_part, frac_part) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    if int_part.is_empty() || int_part.len() > 19 || !int_part.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n: i64 = int_part.parse().ok()?;
    let frac_nanos = match frac_part {
        Some(f) if !f.is_empty() && f.bytes().all(|c| c.is_ascii_digit()) => {
            let (nanos, _) = fraction(format!(".{f}").as_bytes(), 0);
            Some(nanos)
        }
        Some(_) => return None,
        None => None,
    };
    parse_epoch_parts(n, frac_nanos)
}

/// An epoch number given as a float (JSON numbers).
pub fn parse_epoch_f64(v: f64) -> Option<Timestamp> {
    if !v.is_finite() || v <= 0.0 {
        return None;
    }
    let int = v.trunc();
    if int > 9.2e18 {
        return None;
    }
    let frac = ((v - int) * 1e9).round().clamp(0.0, 999_999_999.0) as u32;
    parse_epoch_parts(int as i64, (frac > 0).then_some(frac))
}

fn parse_epoch_parts(n: i64, frac_nanos: Option<u32>) -> Option<Timestamp> {
    // Plausible window: 1971-01-01 .. 2200-01-01.
    const LO: i64 = 31_536_000;
    const HI: i64 = 7_258_118_400;
    let ts = if (LO..HI).contains(&n) {
        Timestamp::from_secs_nanos(n, frac_nanos.unwrap_or(0))?
    } else if (LO * 1_000..HI * 1_000).contains(&n) {
        // `frac_nanos` is the fraction of one unit in 1e-9 units: of a millisecond here.
        let extra = frac_nanos.map_or(0, |f| i64::from(f) / 1_000);
        Timestamp(n.checked_mul(1_000_000)? + extra)
    } else if (LO * 1_000_000..HI * 1_000_000).contains(&n) {
        let extra = frac_nanos.map_or(0, |f| i64::from(f) / 1_000_000);
        Timestamp(n.checked_mul(1_000)? + extra)
    } else if (LO * 1_000_000_000..HI * 1_000_000_000).contains(&n) {
        Timestamp(n)
    } else {
        return None;
    };
    Some(ts)
}

/// Tries every shape at `b`.
pub fn parse_any(b: &[u8]) -> Option<(RawTime, usize)> {
    let first = *b.first()?;
    if first.is_ascii_digit() {
        if let Some(r) = parse_iso8601(b) {
            return Some(r);
        }
        if let Some(r) = parse_clf(b) {
            return Some(r);
        }
        if let Some(r) = parse_compact(b) {
            return Some(r);
        }
        if let Some(r) = parse_day_first(b) {
            return Some(r);
        }
        if let Some(r) = parse_two_digit_year(b) {
            return Some(r);
        }
        None
    } else if first.is_ascii_alphabetic() {
        parse_ctime(b).or_else(|| parse_syslog(b))
    } else {
        None
    }
}

/// Looks for a timestamp at the start of a line or at one of its first word starts (within the
/// first 64 bytes), skipping brackets. Returns the time and the byte range it covers.
pub fn find_timestamp(line: &str) -> Option<(RawTime, std::ops::Range<usize>)> {
    let b = line.as_bytes();
    let limit = b.len().min(64);
    let mut i = 0;
    while i < limit {
        let c = b[i];
        let at_word_start = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if at_word_start && c.is_ascii_alphanumeric() {
            if let Some((raw, used)) = parse_any(&b[i..]) {
                // A timestamp must end at a word boundary.
                let end = i + used;
                if !b.get(end).is_some_and(|c| c.is_ascii_alphanumeric()) {
                    return Some((raw, i..end));
                }
            }
            // Skip to the end of this word.
            while i < limit && b[i].is_ascii_alphanumeric() {
                i += 1;
            }
            continue;
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::ymd_hms;

    fn utc(r: Option<(RawTime, usize)>) -> (Timestamp, usize) {
        match r {
            Some((RawTime::Utc(ts), used)) => (ts, used),
            other => panic!("expected a UTC time, got {other:?}"),
        }
    }

    fn local(r: Option<(RawTime, usize)>) -> (NaiveDateTime, usize) {
        match r {
            Some((RawTime::Local(t), used)) => (t, used),
            other => panic!("expected a local time, got {other:?}"),
        }
    }

    #[test]
    fn iso8601_valid_rfc3339_nanos_z() {
        let (ts, used) = utc(parse_iso8601(b"2024-01-21T15:00:02.123456789Z stdout F x"));
        assert_eq!(ts.0, ymd_hms(2024, 1, 21, 15, 0, 2).0 + 123_456_789);
        assert_eq!(used, 30);
    }

    #[test]
    fn iso8601_valid_offsets() {
        let (ts, _) = utc(parse_iso8601(b"2024-01-21T16:00:02+01:00"));
        assert_eq!(ts, ymd_hms(2024, 1, 21, 15, 0, 2));
        let (ts, _) = utc(parse_iso8601(b"2024-01-21T10:00:02-0500 "));
        assert_eq!(ts, ymd_hms(2024, 1, 21, 15, 0, 2));
    }

    #[test]
    fn iso8601_valid_postgres_zone_abbreviation() {
        let (ts, used) = utc(parse_iso8601(b"2024-01-21 16:00:02.123 CET [42] LOG:  x"));
        assert_eq!(ts.0, ymd_hms(2024, 1, 21, 15, 0, 2).0 + 123_000_000);
        assert_eq!(used, 27);
        let (ts, _) = utc(parse_iso8601(b"2024-01-21 15:00:02 UTC [42]: [1-1]"));
        assert_eq!(ts, ymd_hms(2024, 1, 21, 15, 0, 2));
    }

    #[test]
    fn iso8601_valid_local_comma_millis() {
        let (t, used) = local(parse_iso8601(b"2024-01-21 15:00:02,123 INFO x"));
        assert_eq!(t.to_string(), "2024-01-21 15:00:02.123");
        assert_eq!(used, 23);
    }

    #[test]
    fn iso8601_valid_nginx_error_slashes() {
        let (t, _) = local(parse_iso8601(b"2024/01/21 15:00:02 [error] 1#1: x"));
        assert_eq!(t.to_string(), "2024-01-21 15:00:02");
    }

    #[test]
    fn iso8601_invalid_not_a_level_word_zone() {
        // "INFO" after the time is not a zone.
        let (_, used) = local(parse_iso8601(b"2024-01-21 15:00:02 INFO x"));
        assert_eq!(used, 19);
    }

    #[test]
    fn iso8601_invalid_month_13_and_absurd_year() {
        assert!(parse_iso8601(b"2024-13-21 15:00:02").is_none());
        assert!(parse_iso8601(b"9999-01-01T00:00:00Z").is_none());
    }

    #[test]
    fn syslog_valid_space_padded_day() {
        match parse_syslog(b"Jan  5 14:03:01 host sshd[1]: x") {
            Some((RawTime::NoYear { month, day, time }, used)) => {
                assert_eq!((month, day), (1, 5));
                assert_eq!(time.to_string(), "14:03:01");
                assert_eq!(used, 15);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn syslog_invalid_not_a_month() {
        assert!(parse_syslog(b"Foo  5 14:03:01").is_none());
    }

    #[test]
    fn clf_valid_offset() {
        let (ts, used) = utc(parse_clf(b"21/Jan/2024:16:00:02 +0100] \"GET"));
        assert_eq!(ts, ymd_hms(2024, 1, 21, 15, 0, 2));
        assert_eq!(used, 26);
    }

    #[test]
    fn ctime_valid_apache_22_and_24() {
        let (t, _) = local(parse_ctime(b"Sun Dec 04 04:47:44 2005] [notice]"));
        assert_eq!(t.to_string(), "2005-12-04 04:47:44");
        let (t, _) = local(parse_ctime(
            b"Wed Oct 11 14:32:52.123456 2000] [core:error]",
        ));
        assert_eq!(t.to_string(), "2000-10-11 14:32:52.123456");
    }

    #[test]
    fn two_digit_year_valid_spark_hdfs_mysql55() {
        let (t, _) = local(parse_two_digit_year(b"17/06/09 20:10:40 INFO x"));
        assert_eq!(t.to_string(), "2017-06-09 20:10:40");
        let (t, _) = local(parse_two_digit_year(b"081109 203615 148 INFO"));
        assert_eq!(t.to_string(), "2008-11-09 20:36:15");
        let (t, _) = local(parse_two_digit_year(b"240121  9:05:01 [ERROR] x"));
        assert_eq!(t.to_string(), "2024-01-21 09:05:01");
        let (t, _) = local(parse_two_digit_year(b"991231 23:59:59 x"));
        assert_eq!(t.to_string(), "1999-12-31 23:59:59");
    }

    #[test]
    fn compact_valid_android_millis_after_colon() {
        let (t, used) = local(parse_compact(b"20171223-22:15:29:606|Step_LSC|x"));
        assert_eq!(t.to_string(), "2017-12-23 22:15:29.606");
        assert_eq!(used, 21);
    }

    #[test]
    fn compact_valid_unpadded_parts_and_short_millis() {
        let (t, used) = local(parse_compact(b"20171223-22:16:0:119|Step_LSC"));
        assert_eq!(t.to_string(), "2017-12-23 22:16:00.119");
        assert_eq!(used, 20);
        let (t, _) = local(parse_compact(b"20171224-0:3:5:9|x"));
        assert_eq!(t.to_string(), "2017-12-24 00:03:05.009");
    }

    #[test]
    fn day_first_valid_log4j_and_tomcat() {
        let (t, _) = local(parse_day_first(b"21 Jan 2024 15:00:02,123 ERROR"));
        assert_eq!(t.to_string(), "2024-01-21 15:00:02.123");
        let (t, _) = local(parse_day_first(b"21-Jan-2024 15:00:02.123 SEVERE"));
        assert_eq!(t.to_string(), "2024-01-21 15:00:02.123");
    }

    #[test]
    fn epoch_valid_units_by_magnitude() {
        let want = ymd_hms(2024, 1, 21, 15, 0, 2);
        assert_eq!(parse_epoch_str("1705849202"), Some(want));
        assert_eq!(parse_epoch_str("1705849202000"), Some(want));
        assert_eq!(parse_epoch_str("1705849202000000"), Some(want));
        assert_eq!(parse_epoch_str("1705849202000000000"), Some(want));
        assert_eq!(
            parse_epoch_str("1705849202.5").map(|t| t.0 - want.0),
            Some(500_000_000)
        );
        assert_eq!(
            parse_epoch_f64(1705849202.25).map(|t| t.0 - want.0),
            Some(250_000_000)
        );
        assert_eq!(
            parse_epoch_str("1705849202123.456").map(|t| t.0 - want.0),
            Some(123_456_000)
        );
        assert_eq!(
            parse_epoch_str("1705849202123456.5").map(|t| t.0 - want.0),
            Some(123_456_500)
        );
    }

    #[test]
    fn epoch_invalid_nanoseconds_after_2200() {
        // 9.2e18 ns is in 2261: as absurd as year 9999 in a date, not a real time.
        assert_eq!(parse_epoch_str("9200000000000000000"), None);
        assert_eq!(parse_epoch_f64(9.0e18), None);
        // 2199-12-31T23:59:59Z in nanoseconds is still taken.
        assert_eq!(
            parse_epoch_str("7258118399000000000"),
            Some(ymd_hms(2199, 12, 31, 23, 59, 59))
        );
    }

    #[test]
    fn epoch_invalid_small_numbers_and_junk() {
        assert_eq!(parse_epoch_str("148"), None);
        assert_eq!(parse_epoch_str("0"), None);
        assert_eq!(parse_epoch_str("12ab"), None);
    }

    #[test]
    fn find_timestamp_valid_after_brackets_and_words() {
        let (raw, range) = find_timestamp("[Sun Dec 04 04:47:44 2005] [notice] x").unwrap();
        assert_eq!(range, 1..25);
        assert!(matches!(raw, RawTime::Local(_)));
        let (_, range) = find_timestamp("myapp | 2024-01-21T15:00:02Z | hello").unwrap();
        assert_eq!(range.start, 8);
    }

    #[test]
    fn find_timestamp_invalid_plain_text() {
        assert!(find_timestamp("hello world 12 apples").is_none());
        assert!(find_timestamp("").is_none());
    }
}
