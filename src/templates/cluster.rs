//! Clustering the distinct masked keys into templates, deterministically.
//!
//! Key function: [`cluster`], which returns each template's text and the keys it covers.
//!
//! Masking already grouped every message whose variables are numbers, addresses, ids and the
//! like. What is left are variables written as plain words (user names, host names without a
//! digit) and genuinely different messages that differ in one word (`cupsd startup succeeded`
//! vs `cupsd shutdown succeeded`, `… from NEW to UNASSIGNED` vs `… from UNASSIGNED to
//! ASSIGNED`). Keys are first grouped by (number of positions, first position) as in Drain (a
//! first position holding a variable counts by its shape, so `<*>` and `<*>,<*>` start the same
//! group); each group is then split top-down, IPLoM-style, on the position that looks most like
//! template text (fewest distinct values), until every position still differing looks like a
//! variable ([`position_is_variable`]):
//! * `key=value` with the same key and different values;
//! * a mix of masked values and words, when the words are the masked shape with an empty value
//!   (`()` beside `(<*>)`) or occur less often than the masked values (a host name without a
//!   digit among IP addresses);
//! * masked values of one shape, lists counting as one value (`<*>` and `<*>,<*>`);
//! * at least [`MIN_WORD_VALUES`] different words, unless they are all vocabulary: upper-case
//!   constants or capitalised words (`LOOKING`, `FOLLOWING`; `Started`, `Paused` are states,
//!   not data);
//! * and only while the differing positions are no more than the constant words, so that two
//!   unrelated messages of the same length are split apart rather than merged.
//!
//! The first position is generalised only when it holds variables, or when at least
//! [`MIN_WORD_VALUES`] otherwise identical long sentences (at least [`MIN_TAIL_WORDS`] constant
//! words) start with different lower-case names (`com.apple.CacheDelete.daily:` …). Otherwise,
//! like Drain, we trust that a message's first word is template text.
//!
//! Everything here depends only on the set of keys and their counts, and every choice is ordered
//! (by position, by value), so the result does not depend on input order or thread count. Groups
//! are processed in parallel with rayon.

use super::mask::{SEP, VAR, WEAK};
use super::table::{KeyTable, WeakSlot};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// Distinct words at one position from which it counts as a variable.
pub const MIN_WORD_VALUES: usize = 3;

/// Whether a position value holds a variable marker.
fn has_marker(v: &str) -> bool {
    v.contains([VAR, WEAK])
}

/// The text of a value around its variables, with list separators dropped: `<*>` and
/// `<*>,<*>` (one address or a list of them) have the same shape.
fn skeleton(v: &str) -> String {
    v.chars()
        .filter(|&c| !matches!(c, VAR | WEAK | ',' | ';' | '|'))
        .collect()
}

/// A first position reduced to its shape when it holds a variable, so that `<*>` and
/// `<*>,<*>` start the same group.
fn root_word(v: &str) -> std::borrow::Cow<'_, str> {
    if has_marker(v) {
        std::borrow::Cow::Owned(format!("{VAR}{}", skeleton(v)))
    } else {
        std::borrow::Cow::Borrowed(v)
    }
}

/// Whether a value holds template words (`lock=<*>,` does, `<*>]` does not).
fn has_letters(v: &str) -> bool {
    v.bytes().any(|b| b.is_ascii_alphabetic())
}

/// `uid=` of `uid=0`: the key of a `key=value` token (up to and including the first `=`).
fn kv_key(v: &str) -> Option<&str> {
    match v.find('=') {
        Some(i) if i > 0 => Some(&v[..=i]),
        _ => None,
    }
}

/// Vocabulary rather than data: upper-case constants (`LOOKING`, `SCREEN_ON`,
/// `FAIL_CONTAINER_CLEANUP`) and capitalised words (`Started`, `Paused`). Variables written as
/// words (user, host and file names) are lower-case in practice.
fn is_vocabulary_word(v: &str) -> bool {
    let s = v.trim_start_matches(|c: char| c.is_ascii_punctuation() && c != '_');
    s.len() >= 2 && s.as_bytes()[0].is_ascii_uppercase() && !s.bytes().any(|b| b.is_ascii_digit())
}

/// Whether the values seen at one position (value, messages) make it a variable.
pub fn position_is_variable(vals: &[(&str, u64)]) -> bool {
    if let Some(k) = vals.first().and_then(|(v, _)| kv_key(v)) {
        if vals.iter().all(|(v, _)| kv_key(v) == Some(k)) {
            let mut sub: BTreeMap<&str, u64> = BTreeMap::new();
            for (v, n) in vals {
                *sub.entry(&v[k.len()..]).or_default() += n;
            }
            if sub.len() == 1 {
                return true;
            }
            let sub: Vec<(&str, u64)> = sub.into_iter().collect();
            return values_are_variable(&sub, true);
        }
    }
    values_are_variable(vals, false)
}

fn values_are_variable(vals: &[(&str, u64)], is_value_of_key: bool) -> bool {
    type Values<'v, 's> = Vec<&'v (&'s str, u64)>;
    let (masked, words): (Values<'_, '_>, Values<'_, '_>) =
        vals.iter().partition(|(v, _)| has_marker(v));
    if words.is_empty() {
        let mut shapes: Vec<String> = masked.iter().map(|(v, _)| skeleton(v)).collect();
        shapes.sort();
        shapes.dedup();
        return shapes.len() == 1 || shapes.len() >= MIN_WORD_VALUES;
    }
    if !masked.is_empty() {
        let shapes: Vec<String> = masked.iter().map(|(v, _)| skeleton(v)).collect();
        if words.iter().all(|(w, _)| shapes.iter().any(|s| s == w)) {
            return true;
        }
        let masked_n: u64 = masked.iter().map(|(_, n)| n).sum();
        let words_n: u64 = words.iter().map(|(_, n)| n).sum();
        if masked_n >= words_n {
            return true;
        }
    } else if is_value_of_key {
        return true;
    }
    if words.iter().all(|(w, _)| is_vocabulary_word(w)) {
        return false;
    }
    words.len() + usize::from(!masked.is_empty()) >= MIN_WORD_VALUES
}

struct Keys<'a> {
    tokens: Vec<Vec<&'a str>>,
    counts: Vec<u64>,
}

fn split(ids: Vec<u32>, keys: &Keys<'_>, out: &mut Vec<Vec<u32>>) {
    let Some(&first) = ids.first() else {
        return;
    };
    let toks = |id: u32| keys.tokens.get(id as usize).map_or(&[][..], Vec::as_slice);
    let width = toks(first).len();
    let mut varying: Vec<(usize, Vec<(&str, u64)>)> = Vec::new();
    for p in 0..width {
        let v0 = toks(first).get(p).copied().unwrap_or("");
        if ids
            .iter()
            .all(|&i| toks(i).get(p).copied().unwrap_or("") == v0)
        {
            continue;
        }
        let mut m: HashMap<&str, u64> = HashMap::new();
        for &i in &ids {
            *m.entry(toks(i).get(p).copied().unwrap_or("")).or_default() +=
                keys.counts.get(i as usize).copied().unwrap_or(0);
        }
        let mut v: Vec<(&str, u64)> = m.into_iter().collect();
        v.sort_unstable();
        varying.push((p, v));
    }
    if varying.is_empty() {
        out.push(ids);
        return;
    }
    // Generalise only while the differing positions are no more than the constant words:
    // `[instance: <*>] Terminating instance` and `[instance: <*>] Instance destroyed` share
    // two positions, one of them a variable, which is not enough to call them one template.
    let words = (0..width)
        .filter(|&p| {
            let v0 = toks(first).get(p).copied().unwrap_or("");
            has_letters(v0) && !varying.iter().any(|(q, _)| *q == p)
        })
        .count();
    let minority = varying.len() <= words;
    let best = varying
        .iter()
        .filter(|(p, vals)| {
            let movable = *p != 0 || vals.iter().all(|(v, _)| has_marker(v));
            !(minority && movable && position_is_variable(vals))
        })
        .map(|(p, vals)| (vals.len(), *p))
        .min();
    let Some((_, p)) = best else {
        out.push(ids);
        return;
    };
    let mut parts: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for id in ids {
        parts
            .entry(toks(id).get(p).copied().unwrap_or(""))
            .or_default()
            .push(id);
    }
    for (_, sub) in parts {
        split(sub, keys, out);
    }
}

/// The longest common prefix and suffix of `vals` that end (start) on punctuation:
/// `(` and `)` of `(cyrus)` / `(news)`, `user=` of `user=root` / `user=guest`, `<*>(` of
/// `<*>(veth0)` / `<*>(<*>)`. Ending on punctuation keeps two variables from touching.
fn common_affixes<'a>(vals: &[&'a str]) -> (&'a str, &'a str) {
    let Some(&v0) = vals.first() else {
        return ("", "");
    };
    let mut pre = v0.len();
    for v in &vals[1..] {
        pre = pre.min(
            v0.bytes()
                .zip(v.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    let b0 = v0.as_bytes();
    while pre > 0 && !(b0[pre - 1].is_ascii_punctuation()) {
        pre -= 1;
    }
    let mut suf = v0.len() - pre;
    for v in &vals[1..] {
        let rest = &v.as_bytes()[pre.min(v.len())..];
        suf = suf.min(
            b0[pre..]
                .iter()
                .rev()
                .zip(rest.iter().rev())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    let mut start = v0.len() - suf;
    while start < v0.len() && !b0[start].is_ascii_punctuation() {
        start += 1;
    }
    (&v0[..pre], &v0[start..])
}

fn push_display(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            VAR | WEAK => out.push_str("<*>"),
            c => out.push(c),
        }
    }
}

/// Writes the template of one group of keys.
fn render(ids: &[u32], keys: &Keys<'_>, table: &KeyTable) -> String {
    let toks = |id: u32| keys.tokens.get(id as usize).map_or(&[][..], Vec::as_slice);
    let Some(&first) = ids.first() else {
        return String::new();
    };
    let width = toks(first).len();
    let mut out = String::new();
    for p in 0..width {
        if p > 0 {
            out.push(' ');
        }
        let v0 = toks(first).get(p).copied().unwrap_or("");
        let same = ids
            .iter()
            .all(|&i| toks(i).get(p).copied().unwrap_or("") == v0);
        if !same {
            let mut vals: Vec<&str> = ids
                .iter()
                .map(|&i| toks(i).get(p).copied().unwrap_or(""))
                .collect();
            vals.sort_unstable();
            vals.dedup();
            let (pre, suf) = common_affixes(&vals);
            push_display(&mut out, pre);
            out.push_str("<*>");
            push_display(&mut out, suf);
            continue;
        }
        if !v0.contains(WEAK) {
            push_display(&mut out, v0);
            continue;
        }
        // Weak variables: their text when every message of the template had the same text.
        let mut slot = 0usize;
        for c in v0.chars() {
            if c != WEAK {
                push_display(&mut out, c.encode_utf8(&mut [0u8; 4]));
                continue;
            }
            let mut text: Option<&str> = None;
            let mut constant = true;
            for &id in ids {
                let before: usize = toks(id)
                    .get(..p)
                    .unwrap_or(&[])
                    .iter()
                    .map(|t| t.matches(WEAK).count())
                    .sum();
                let value = table.stats(id).and_then(|s| s.weak.get(before + slot));
                match (value, text) {
                    (Some(WeakSlot::Const(v)), None) => text = Some(v),
                    (Some(WeakSlot::Const(v)), Some(t)) if **v == *t => {}
                    _ => {
                        constant = false;
                        break;
                    }
                }
            }
            match (constant, text) {
                (true, Some(t)) => push_display(&mut out, t),
                _ => out.push_str("<*>"),
            }
            slot += 1;
        }
    }
    out
}

/// Clusters every key of `table`: returns (template text, key ids), sorted by template text,
/// with no two entries sharing a text.
pub fn cluster(table: &KeyTable) -> Vec<(String, Vec<u32>)> {
    let ids: Vec<u32> = table.ids().collect();
    let keys = Keys {
        tokens: ids
            .iter()
            .map(|&i| table.key(i).split(SEP).collect())
            .collect(),
        counts: ids
            .iter()
            .map(|&i| table.stats(i).map_or(0, |s| s.count))
            .collect(),
    };
    let mut roots: BTreeMap<(usize, std::borrow::Cow<'_, str>), Vec<u32>> = BTreeMap::new();
    for &i in &ids {
        let t = &keys.tokens[i as usize];
        roots
            .entry((t.len(), root_word(t.first().copied().unwrap_or(""))))
            .or_default()
            .push(i);
    }
    let roots: Vec<Vec<u32>> = roots
        .into_values()
        .map(|mut g| {
            // Insertion order depends on thread timing; key text does not.
            g.sort_unstable_by(|&a, &b| table.key(a).cmp(table.key(b)));
            g
        })
        .collect();
    let rendered: Vec<Vec<(String, Vec<u32>)>> = roots
        .into_par_iter()
        .map(|g| {
            let mut groups = Vec::new();
            split(g, &keys, &mut groups);
            groups
                .into_iter()
                .map(|g| (render(&g, &keys, table), g))
                .collect()
        })
        .collect();
    let groups = merge_first_words(rendered.into_iter().flatten().collect(), &keys, table);
    let mut by_text: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (text, g) in groups {
        by_text.entry(text).or_default().extend(g);
    }
    by_text.into_iter().collect()
}

/// Constant words after the first position a sentence needs before its first word may vary.
pub const MIN_TAIL_WORDS: usize = 4;

/// The first position is trusted to be template text, except for one case: at least
/// [`MIN_WORD_VALUES`] templates that are the same long sentence (at least [`MIN_TAIL_WORDS`]
/// constant words) behind different lower-case names, such as job names in front of a
/// scheduler message (`com.apple.CacheDelete.daily: scheduler_evaluate_activity told me …`).
fn merge_first_words(
    groups: Vec<(String, Vec<u32>)>,
    keys: &Keys<'_>,
    table: &KeyTable,
) -> Vec<(String, Vec<u32>)> {
    let mut by_tail: BTreeMap<(usize, String), Vec<usize>> = BTreeMap::new();
    for (gi, (text, ids)) in groups.iter().enumerate() {
        let width = ids
            .first()
            .and_then(|&i| keys.tokens.get(i as usize))
            .map_or(0, Vec::len);
        let Some((head, tail)) = text.split_once(' ') else {
            continue;
        };
        let tail_words = tail
            .split(' ')
            .filter(|w| *w != "<*>" && has_letters(w))
            .count();
        let head_is_name =
            !head.contains("<*>") && head.bytes().next().is_some_and(|b| b.is_ascii_lowercase());
        if head_is_name && tail_words >= MIN_TAIL_WORDS {
            by_tail
                .entry((width, tail.to_string()))
                .or_default()
                .push(gi);
        }
    }
    let mut merged_into: Vec<Option<usize>> = vec![None; groups.len()];
    for members in by_tail.values() {
        if members.len() >= MIN_WORD_VALUES {
            for &m in members {
                merged_into[m] = members.first().copied();
            }
        }
    }
    let mut out: Vec<(String, Vec<u32>)> = Vec::with_capacity(groups.len());
    let mut pooled: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
    for (gi, (text, ids)) in groups.into_iter().enumerate() {
        match merged_into[gi] {
            Some(target) => pooled.entry(target).or_default().extend(ids),
            None => out.push((text, ids)),
        }
    }
    for (_, mut ids) in pooled {
        ids.sort_unstable_by(|&a, &b| table.key(a).cmp(table.key(b)));
        out.push((render(&ids, keys, table), ids));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kv_values_valid_are_variable() {
        assert!(position_is_variable(&[
            ("user=root", 369),
            ("user=uucp", 5)
        ]));
        assert!(!position_is_variable(&[("startup", 6), ("shutdown", 6)]));
    }

    #[test]
    fn words_valid_variable_from_three_values() {
        assert!(position_is_variable(&[
            ("cyrus", 43),
            ("news", 43),
            ("test", 36)
        ]));
        assert!(!position_is_variable(&[("creating", 4), ("removing", 4)]));
    }

    #[test]
    fn vocabulary_words_invalid_never_variable_by_count() {
        assert!(!position_is_variable(&[
            ("LOOKING", 5),
            ("FOLLOWING", 3),
            ("LEADING", 1)
        ]));
        assert!(!position_is_variable(&[
            ("Paused", 22),
            ("Resumed", 44),
            ("Started", 22),
            ("Stopped", 21)
        ]));
    }

    #[test]
    fn address_lists_valid_same_shape_as_one_address() {
        assert!(position_is_variable(&[
            ("\u{1}", 809),
            ("\u{1},\u{1}", 208)
        ]));
        assert_eq!(root_word("\u{1},\u{1}"), root_word("\u{1}"));
    }

    #[test]
    fn mixed_values_valid_empty_or_rare_words() {
        let var = "(\u{1})";
        assert!(position_is_variable(&[("()", 617), (var, 292)]));
        assert!(position_is_variable(&[
            ("\u{1}", 83),
            ("ns.example.com", 2)
        ]));
        assert!(!position_is_variable(&[
            ("tty=NODEVssh", 117),
            ("tty=:\u{1}", 1)
        ]));
    }

    #[test]
    fn affixes_valid_stop_on_punctuation() {
        assert_eq!(common_affixes(&["(cyrus)", "(news)"]), ("(", ")"));
        assert_eq!(common_affixes(&["user=guest", "user=root"]), ("user=", ""));
        assert_eq!(common_affixes(&["abc", "abd"]), ("", ""));
        assert_eq!(common_affixes(&["()", "(\u{1})"]), ("(", ")"));
        assert_eq!(common_affixes(&["a\u{1}:x", "b\u{1}:x"]), ("", ":x"));
        assert_eq!(
            common_affixes(&["\u{1}(\u{2})", "\u{1}(\u{1})"]),
            ("\u{1}(", ")")
        );
        assert_eq!(common_affixes(&["\u{1}a", "\u{1}b"]), ("", ""));
    }
}
