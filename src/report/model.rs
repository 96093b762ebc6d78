//! The analysis report: the one type every writer renders, and the JSON contract of
//! `culprit analyze --format json`.
//!
//! # JSON contract, `schema_version` 1
//!
//! ```text
//! {
//!   "schema_version": 1,
//!   "tool": {"name": "culprit", "version": "0.1.0"},
//!   "window": {"start", "end", "baseline_start", "baseline_end", "detected": "auto"|"user",
//!              "resolution_s", "score"} | null when no incident was found,
//!   "inputs": [{"path", "format", "service", "lines", "parsed", "unparsed", "first", "last"}],
//!   "deploys": [{"time", "service", "version", "kind", "description", "source", "inferred"}],
//!   "causes": [Finding], "symptoms": [Finding], "background": [Finding],
//!   "notes": [string]
//! }
//! Finding = {"rank", "category", "service", "score" (0..1), "confidence" ("high"|"medium"|"low"),
//!            "onset", "signature", "template", "baseline_count", "window_count",
//!            "explains": [{"category", "service"}], "change": Change | null,
//!            "evidence": [{"path", "line", "time", "text"}], "why",
//!            "kind", "title", "explained_by", "novel", "shape", "log10_p", "factors",
//!            "remediation"}
//! ```
//!
//! Times are RFC 3339 UTC strings. `causes` is ordered best first; `rank` is 1-based within
//! its list. For every input, `parsed + unparsed == lines` (`parsed` = event lines plus
//! continuation lines). `category` is a taxonomy id (`patterns/README.md`) or one of the
//! analysis-only values `unclassified` (an anomalous template without a signature) and
//! `silence` (a service that stopped logging).
//!
//! Bump `SCHEMA_VERSION` when a field is removed, renamed or changes meaning; adding a field
//! does not bump it.

use crate::event::Timestamp;
use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub window: Option<WindowInfo>,
    pub inputs: Vec<InputInfo>,
    pub deploys: Vec<ChangeInfo>,
    pub causes: Vec<Finding>,
    pub symptoms: Vec<Finding>,
    pub background: Vec<Finding>,
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "culprit",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct WindowInfo {
    pub start: Timestamp,
    pub end: Timestamp,
    pub baseline_start: Timestamp,
    pub baseline_end: Timestamp,
    /// `auto` or `user`.
    pub detected: &'static str,
    pub resolution_s: i64,
    pub score: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct InputInfo {
    pub path: String,
    pub format: String,
    pub service: String,
    pub lines: u64,
    pub parsed: u64,
    pub unparsed: u64,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ChangeInfo {
    pub time: Timestamp,
    pub service: Option<String>,
    pub version: Option<String>,
    pub kind: &'static str,
    pub description: Option<String>,
    pub source: String,
    pub inferred: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Evidence {
    pub path: String,
    pub line: u64,
    pub time: Timestamp,
    pub text: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Ref {
    pub category: String,
    pub service: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub rank: usize,
    pub category: String,
    pub service: String,
    pub score: f64,
    pub confidence: &'static str,
    pub onset: Option<Timestamp>,
    pub signature: Option<String>,
    pub template: Option<String>,
    pub baseline_count: u64,
    pub window_count: u64,
    pub explains: Vec<Ref>,
    pub change: Option<ChangeInfo>,
    pub evidence: Vec<Evidence>,
    pub why: String,
    pub kind: &'static str,
    pub title: Option<String>,
    pub explained_by: Option<Ref>,
    pub novel: bool,
    pub shape: &'static str,
    pub log10_p: f64,
    pub factors: crate::rank::Factors,
    pub remediation: Option<String>,
}
