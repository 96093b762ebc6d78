//! `culprit scan`: nightly comparison of a period of logs with the history in a state file
//! (see [`crate::scan`]).

use super::Outcome;
use super::common::{InputArgs, open_output, report_input_problems, since_until};
use crate::scan::state::{State, StateLock};
use crate::scan::{FailOn, ScanOptions, report};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Text,
    Md,
    Json,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// The history file (created if missing; updated after the scan; the previous one is kept
    /// as FILE.bak).
    #[arg(long, value_name = "FILE", required = true)]
    pub state: PathBuf,

    /// Start of the scanned period (default: 24 hours before its end).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// End of the scanned period (default: the last event in the data).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ScanFormat,

    /// Write to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with code 3 when findings reach this level.
    #[arg(long, value_enum, default_value = "new-errors")]
    pub fail_on: FailOn,

    /// Watch-list length (0 = all).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,

    /// Extra signature directory (adds signatures or overrides them by id). Repeatable.
    #[arg(long = "patterns", value_name = "DIR")]
    pub patterns: Vec<PathBuf>,
}

pub fn run(args: ScanArgs) -> anyhow::Result<Outcome> {
    let ingest = args.input.resolve()?;
    let zone = ingest.zone;
    let (since, until) = since_until(args.since.as_deref(), args.until.as_deref(), &zone)?;
    let signatures = super::common::load_signatures(&args.patterns)?;
    let found = crate::ingest::input::discover(&args.input.paths)?;
    let lock = StateLock::acquire(&args.state)?;
    if let Some(n) = &lock.notice {
        eprintln!("culprit: notice: {}", crate::report::escape::terminal(n));
    }
    let prior = State::load(&args.state)?;
    if prior.is_none() {
        eprintln!(
            "culprit: notice: no state at {}: starting history; nothing is reported as rising until there is history",
            crate::report::escape::terminal(&args.state.display().to_string())
        );
    }
    // Open the output first: a report that cannot be written must not advance the history.
    let mut out = open_output(args.output.as_deref())?;
    let now = crate::event::Timestamp::from_datetime(&chrono::Utc::now())
        .unwrap_or(crate::event::Timestamp(0));
    let opts = ScanOptions {
        ingest,
        since,
        until,
        now,
        top: args.top,
        fail_on: args.fail_on,
        state_path: args.state.display().to_string(),
    };
    let (mut scan_report, next, reports) =
        crate::scan::scan(&found.inputs, prior, signatures, &opts);
    let failed = report_input_problems(&found.notices, &reports);
    if failed {
        scan_report.exit_code = 2;
    }
    match args.format {
        ScanFormat::Text => report::write_text(&mut out, &scan_report)?,
        ScanFormat::Md => report::write_markdown(&mut out, &scan_report)?,
        ScanFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &scan_report)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    next.save(&args.state)?;
    drop(lock);
    Ok(match scan_report.exit_code {
        0 => Outcome::Success,
        2 => Outcome::Partial,
        c => Outcome::Code(c),
    })
}
