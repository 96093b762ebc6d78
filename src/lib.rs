//! culprit reads the logs of an incident and tells you what most likely caused it, with the
//! evidence.
//!
//! ```text
//!  cli ─▶ ingest (discover ▸ open gz/zst ▸ chunk ▸ sniff format ▸ parse lines ▸ Event)
//!           │            uses time (zones, year inference) and event (Event, Level)
//!           ▼
//!        timeline (sorted runs ▸ k-way merge)  ─▶ report writers (text, jsonl, csv, parquet)
//! ```
//!
//! Imports go one way: `cli` → `report` → `timeline` → `ingest` → {`time`, `event`}.

pub mod analyze;
pub mod cli;
pub mod detect;
pub mod event;
pub mod ingest;
pub mod patterns;
pub mod rank;
pub mod report;
pub mod scan;
pub mod suggest;
pub mod templates;
pub mod time;
pub mod timeline;
