//! The caps that bound memory, and the record of the ones a run reached.
//!
//! Memory is bounded by what the analysis keeps, never by input size: counts per time bucket,
//! and, for everything that could grow with the input, a cap. When a cap is reached the run
//! goes on with less detail (counting is never affected) and the report says so, in its
//! notes and in the JSON `caps` list, so that nobody reads a truncated picture as a complete
//! one.
//!
//! | id | limit | what happens beyond it |
//! |---|---|---|
//! | `template_keys_per_input` | [`super::MAX_KEYS_PER_INPUT`] | further templates of that input are counted together as one |
//! | `template_keys_total` | [`super::MAX_KEYS_TOTAL`] | templates without a signature beyond it (those whose key hashes highest, whatever the order inputs are merged in) are counted together per service |
//! | `inferred_changes_per_input` | [`super::MAX_INFERRED_CHANGES`] | further deploy/restart lines are not turned into change events |
//! | `line_bytes` | `--max-line-bytes` | the line is cut at the cap (and still counted) |
//! | `continuation_bytes_per_event` | [`crate::ingest::MAX_CONTINUATION_BYTES`] | the rest of a stack trace is counted, not stored or matched |
//! | `exact_clients` | [`super::impact::EXACT_LIMIT`] (a minute, or the window's union) | distinct clients are estimated (HyperLogLog, about 1.6 % error) |
//!
//! `culprit scan` adds `history_templates_per_run` (see `scan::MAX_DELTA_TEMPLATES`).
//!
//! Always applied, never reported (they are samples by design, and reports say how many lines
//! they quote): evidence lines per series ([`super::MAX_SAMPLES_PER_SERIES`]), request ids per
//! service for clock estimation ([`super::clocks::MAX_ANCHORS`]).
//!
//! Key types: [`Caps`] (mergeable, order-free), [`CapHit`] (one reached cap, for reports).

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Inputs named per cap at most (the first in path order).
const MAX_NAMED_INPUTS: usize = 8;

/// A cap that was reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CapHit {
    /// Stable id (see the module table).
    pub cap: &'static str,
    pub limit: u64,
    /// How many items went beyond it (events, lines, changes, minutes).
    pub beyond: u64,
    /// Inputs where it was reached (the first few in path order), when it is per input.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<String>,
    /// What it means for the report.
    pub effect: &'static str,
}

impl CapHit {
    /// One sentence for the notes of a report.
    pub fn sentence(&self) -> String {
        let mut s = format!(
            "cap reached: {} (limit {}, {} beyond): {}",
            self.cap, self.limit, self.beyond, self.effect
        );
        if !self.inputs.is_empty() {
            s.push_str("; in ");
            s.push_str(&self.inputs.join(", "));
        }
        s
    }
}

#[derive(Clone, Debug, Default)]
struct Acc {
    limit: u64,
    beyond: u64,
    inputs: BTreeSet<String>,
    effect: &'static str,
}

/// Caps reached, by id. Merging is a sum and a union, so the result does not depend on the
/// order inputs are merged in.
#[derive(Clone, Debug, Default)]
pub struct Caps(BTreeMap<&'static str, Acc>);

impl Caps {
    /// Records that `cap` (limit `limit`) was passed by `beyond` items, in `input` if named.
    pub fn hit(
        &mut self,
        cap: &'static str,
        limit: u64,
        beyond: u64,
        input: Option<&str>,
        effect: &'static str,
    ) {
        if beyond == 0 {
            return;
        }
        let acc = self.0.entry(cap).or_insert_with(|| Acc {
            limit,
            effect,
            ..Acc::default()
        });
        acc.limit = acc.limit.max(limit);
        acc.beyond = acc.beyond.saturating_add(beyond);
        if let Some(i) = input {
            acc.inputs.insert(i.to_string());
            trim(&mut acc.inputs);
        }
    }

    pub fn merge(&mut self, other: Caps) {
        for (cap, o) in other.0 {
            let acc = self.0.entry(cap).or_insert_with(|| Acc {
                limit: o.limit,
                effect: o.effect,
                ..Acc::default()
            });
            acc.limit = acc.limit.max(o.limit);
            acc.beyond = acc.beyond.saturating_add(o.beyond);
            acc.inputs.extend(o.inputs);
            trim(&mut acc.inputs);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The caps reached, by id.
    pub fn list(&self) -> Vec<CapHit> {
        self.0
            .iter()
            .map(|(cap, a)| CapHit {
                cap,
                limit: a.limit,
                beyond: a.beyond,
                inputs: a.inputs.iter().cloned().collect(),
                effect: a.effect,
            })
            .collect()
    }
}

fn trim(inputs: &mut BTreeSet<String>) {
    while inputs.len() > MAX_NAMED_INPUTS {
        inputs.pop_last();
    }
}

/// The caps of reading, from the per-input reports.
pub fn from_reports(reports: &[crate::ingest::InputReport], max_line_bytes: usize) -> Caps {
    let mut caps = Caps::default();
    for r in reports {
        caps.hit(
            "line_bytes",
            max_line_bytes as u64,
            r.cut,
            Some(&r.path),
            "longer lines were cut at the cap (still counted; raise --max-line-bytes to keep them)",
        );
        caps.hit(
            "continuation_bytes_per_event",
            crate::ingest::MAX_CONTINUATION_BYTES as u64,
            r.continuation_cut,
            Some(&r.path),
            "the rest of very long stack traces was counted, not stored or matched",
        );
    }
    caps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_valid_order_free_and_names_first_inputs() {
        let part = |name: &str, n: u64| {
            let mut c = Caps::default();
            c.hit("line_bytes", 1024, n, Some(name), "cut");
            c
        };
        let names: Vec<String> = (0..12).map(|i| format!("logs/app-{i:02}.log")).collect();
        let mut forward = Caps::default();
        for (i, n) in names.iter().enumerate() {
            forward.merge(part(n, i as u64 + 1));
        }
        let mut backward = Caps::default();
        for (i, n) in names.iter().enumerate().rev() {
            backward.merge(part(n, i as u64 + 1));
        }
        assert_eq!(forward.list(), backward.list());
        let hit = &forward.list()[0];
        assert_eq!(hit.beyond, (1..=12).sum::<u64>());
        assert_eq!(hit.inputs.len(), MAX_NAMED_INPUTS);
        assert_eq!(hit.inputs[0], "logs/app-00.log");
    }

    #[test]
    fn hit_valid_zero_is_not_a_hit() {
        let mut c = Caps::default();
        c.hit("line_bytes", 1024, 0, Some("a.log"), "cut");
        assert!(c.is_empty());
    }
}
