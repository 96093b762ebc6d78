//! Command-line interface: clap structs (raw arguments), one file per subcommand, each resolving
//! its arguments into validated settings before doing any work. Validation errors name the
//! option and the value.

pub mod analyze;
pub mod common;
pub mod patterns;
pub mod scan;
pub mod state;
pub mod templates;
pub mod timeline;

use clap::{Parser, Subcommand};

/// culprit reads the logs of an incident and tells you what most likely caused it, with the
/// evidence.
#[derive(Debug, Parser)]
#[command(name = "culprit", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per run: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find the incident window, align it with deploys and rank the likely causes, with
    /// evidence. Exit code 0: analysed; 1: no incident found; 2: usage or input error.
    Analyze(analyze::AnalyzeArgs),
    /// Merge every event of every input onto one UTC timeline (or print per-input accounting
    /// with --stats).
    Timeline(timeline::TimelineArgs),
    /// The failure-signature library: list signatures, classify lines, check a pattern directory.
    Patterns(patterns::PatternsArgs),
    /// Fold event messages into templates (`<*>` for variables) and list them by count.
    Templates(templates::TemplatesArgs),
    /// Nightly scan: compare the last 24 hours of logs with the history in a state file and
    /// report new templates, rising signatures, newly erroring and silent services. Exit code
    /// 0: nothing at or above --fail-on; 3: findings; 2: usage or input error.
    Scan(scan::ScanArgs),
    /// Scan state files: merge the histories of several hosts.
    State(state::StateArgs),
}

/// What a command tells `main` about how the run went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Done; nothing to flag.
    Success,
    /// Done, but some input could not be read completely (reported on stderr): exit code 2.
    Partial,
    /// A command-specific exit code (e.g. `analyze`: 1 = no incident; `scan`: 3 = findings).
    Code(u8),
}

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Analyze(args) => analyze::run(args),
        Command::Timeline(args) => timeline::run(args),
        Command::Patterns(args) => patterns::run(args),
        Command::Templates(args) => templates::run(args),
        Command::Scan(args) => scan::run(args),
        Command::State(args) => state::run(args),
    }
}
