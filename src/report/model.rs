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
//!              "resolution_s", "score", "peak"} | null when no incident was found,
//!   "inputs": [{"path", "format", "service", "lines", "parsed", "unparsed", "first", "last"}],
//!   "deploys": [{"time", "service", "version", "kind", "description", "source", "inferred"}],
//!   "causes": [Finding], "symptoms": [Finding], "background": [Finding],
//!   "notes": [string],
//!   "chart": Chart | null, "impact": Impact | null,
//!   "clocks": [{"service", "reference", "correction_s", "anchors", "spread_s", "applied"}]
//! }
//!   (clock corrections estimated from request ids shared with a proxy; `correction_s` has
//!   the sign of `--clock-offset`: what was added to the service's times when `applied`)
//! Chart = {"start", "resolution_s", "series": [{"service", "counts": [n per bucket]}]}
//!   (trouble — warnings, errors, signature hits, 5xx responses — per bucket and service over
//!   the whole data, for timeline charts; at most 8 services, the rest summed as `other`)
//! Impact = {"services", "requests", "errors_5xx", "error_share", "baseline_error_share",
//!           "clients", "clients_with_error", "client_error_share", "client_key",
//!           "latency_ms": {"p50", "p95", "p99"} | null, "baseline_latency_ms": … | null,
//!           "per_minute": [{"time", "requests", "errors_5xx", "p95_ms"}]}
//!   (from access logs in the window; null when there are none; see README "Impact figures")
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

pub use crate::detect::caps::CapHit;

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
    /// Trouble per bucket and service over the whole data, for timeline charts.
    pub chart: Option<Chart>,
    /// User-facing impact from access logs in the window.
    pub impact: Option<Impact>,
    /// Clock corrections estimated from shared request ids.
    pub clocks: Vec<ClockInfo>,
    /// Memory caps the run reached: what the report shows in less detail (see `detect::caps`).
    pub caps: Vec<CapHit>,
}

/// An estimated clock correction (see `detect::clocks`).
#[derive(Clone, Debug, Serialize)]
pub struct ClockInfo {
    pub service: String,
    pub reference: String,
    /// Seconds added to the service's times (when `applied`).
    pub correction_s: f64,
    pub anchors: usize,
    pub spread_s: f64,
    pub applied: bool,
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
    /// The bucket with the most trouble inside the window (its start).
    pub peak: Option<Timestamp>,
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

/// Trouble per bucket and service, dense from `start` every `resolution_s` seconds.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Chart {
    pub start: Timestamp,
    pub resolution_s: i64,
    pub series: Vec<ChartSeries>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ChartSeries {
    pub service: String,
    pub counts: Vec<u64>,
}

/// Latency percentiles in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Latency {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

/// Requests and errors per minute in the window.
#[derive(Clone, Debug, Serialize)]
pub struct ImpactMinute {
    pub time: Timestamp,
    pub requests: u64,
    pub errors_5xx: u64,
    pub p95_ms: Option<f64>,
}

/// What users saw, from access logs inside the window.
#[derive(Clone, Debug, Serialize)]
pub struct Impact {
    /// Services whose access logs were counted: the edge (see `analyze::edge_services`).
    pub services: Vec<String>,
    /// Services that log requests too but sit behind the edge (no client address, or request
    /// ids mostly seen by a busier service): not counted, so no request counts twice.
    pub behind_edge: Vec<String>,
    pub requests: u64,
    pub errors_5xx: u64,
    /// `errors_5xx / requests` in the window.
    pub error_share: f64,
    /// The same share in the baseline (None without baseline requests).
    pub baseline_error_share: Option<f64>,
    /// Distinct clients with at least one request in the window.
    pub clients: u64,
    /// Distinct clients with at least one 5xx response in the window.
    pub clients_with_error: u64,
    pub client_error_share: f64,
    /// What identifies a client: `user` (authenticated user id) or `address`.
    pub client_key: &'static str,
    /// `clients` and `clients_with_error` are HyperLogLog estimates (more distinct clients than
    /// are counted exactly), not exact counts.
    pub clients_estimated: bool,
    pub latency_ms: Option<Latency>,
    pub baseline_latency_ms: Option<Latency>,
    pub per_minute: Vec<ImpactMinute>,
}
