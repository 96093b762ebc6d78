//! `culprit state`: operations on scan state files (see [`crate::scan::state`]).

use super::Outcome;
use crate::scan::state::{State, StateLock};
use anyhow::bail;
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct StateArgs {
    #[command(subcommand)]
    pub command: StateCommand,
}

#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// Merge the state files of several hosts into one: per-day counts are summed per service,
    /// template and signature; templates and file identities are united.
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// State files to merge.
    #[arg(required = true, value_name = "STATE")]
    pub inputs: Vec<PathBuf>,

    /// The merged state file (written atomically; a previous one is kept as FILE.bak).
    #[arg(short = 'o', long = "output", value_name = "FILE", required = true)]
    pub output: PathBuf,
}

pub fn run(args: StateArgs) -> anyhow::Result<Outcome> {
    match args.command {
        StateCommand::Merge(m) => merge(m),
    }
}

fn merge(args: MergeArgs) -> anyhow::Result<Outcome> {
    let mut states = Vec::with_capacity(args.inputs.len());
    for p in &args.inputs {
        match State::load(p)? {
            Some(s) => states.push(s),
            None => bail!("state file {}: no such file", p.display()),
        }
    }
    let lock = StateLock::acquire(&args.output)?;
    let now = crate::event::Timestamp::from_datetime(&chrono::Utc::now())
        .unwrap_or(crate::event::Timestamp(0));
    let mut merged = State::merge(states, now);
    for note in merged.prune() {
        eprintln!(
            "culprit: notice: {}",
            crate::report::escape::terminal(&note)
        );
    }
    merged.save(&args.output)?;
    drop(lock);
    eprintln!(
        "culprit: merged {} state files into {} ({} services, {} days of history)",
        args.inputs.len(),
        args.output.display(),
        merged.services.len(),
        merged.days().len()
    );
    Ok(Outcome::Success)
}
