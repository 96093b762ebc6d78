//! Zone abbreviations that logs print after a timestamp (PostgreSQL `%m` → `... UTC`, Java
//! `zzz`, `date(1)` output), mapped to fixed UTC offsets.
//!
//! Abbreviations are ambiguous in the wild (`CST` is US Central and China Standard, `IST` is
//! India and Ireland). We take the reading most common in server logs and document it here:
//! `CST` = US Central (−6), `IST` = India (+5:30), `BST` = British Summer (+1). Use `--tz` or a
//! numeric offset in the logs when that is wrong.

/// Offset in seconds east of UTC for a zone abbreviation, case-sensitive as logs print them.
pub fn abbreviation_offset(abbr: &str) -> Option<i32> {
    const H: i32 = 3600;
    Some(match abbr {
        "UTC" | "GMT" | "Z" | "UT" | "WET" | "Etc/UTC" => 0,
        "CET" | "WEST" | "BST" | "MET" => H,
        "CEST" | "EET" | "MEST" | "SAST" => 2 * H,
        "EEST" | "MSK" | "AST3" => 3 * H,
        "IST" => 5 * H + 1800,
        "ICT" | "WIB" => 7 * H,
        "SGT" | "HKT" | "AWST" | "PHT" => 8 * H,
        "JST" | "KST" => 9 * H,
        "ACST" => 9 * H + 1800,
        "AEST" => 10 * H,
        "ACDT" => 10 * H + 1800,
        "AEDT" => 11 * H,
        "NZST" => 12 * H,
        "NZDT" => 13 * H,
        "HST" => -10 * H,
        "AKST" => -9 * H,
        "AKDT" | "PST" => -8 * H,
        "PDT" | "MST" => -7 * H,
        "MDT" | "CST" => -6 * H,
        "CDT" | "EST" => -5 * H,
        "EDT" | "AST" => -4 * H,
        "ADT" => -3 * H,
        "NST" => -3 * H - 1800,
        "NDT" => -2 * H - 1800,
        "BRT" | "ART" => -3 * H,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviation_valid_common() {
        assert_eq!(abbreviation_offset("UTC"), Some(0));
        assert_eq!(abbreviation_offset("CET"), Some(3600));
        assert_eq!(abbreviation_offset("PST"), Some(-8 * 3600));
        assert_eq!(abbreviation_offset("IST"), Some(5 * 3600 + 1800));
    }

    #[test]
    fn abbreviation_invalid_words() {
        assert_eq!(abbreviation_offset("LOG"), None);
        assert_eq!(abbreviation_offset("utc"), None);
    }
}
