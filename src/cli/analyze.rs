//! `culprit analyze`: find the incident window, align it with deploys, rank the likely causes.

use super::Outcome;
use super::common::{InputArgs, open_output, report_input_problems, since_until, user_instant};
use crate::analyze::{AnalyzeOptions, analyze};
use crate::time::parse_duration_nanos;
use crate::timeline::changes::{self, Change};
use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AnalyzeFormat {
    Text,
    Json,
    /// A postmortem draft in Markdown (GitHub, GitLab).
    Md,
    /// One self-contained HTML file with a timeline chart.
    Html,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour text written to stdout (never when writing to a file).
    pub fn enabled(self, to_file: bool) -> bool {
        use std::io::IsTerminal;
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                !to_file
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// A deploy/change file (JSON lines, JSON array or CSV with a header: time, service,
    /// version, kind, description). Repeatable. `deploys.*` and `changes.*` files inside input
    /// directories are read automatically.
    #[arg(long = "deploys", value_name = "FILE")]
    pub deploys: Vec<PathBuf>,

    /// The incident window, START..END (RFC 3339 or YYYY-MM-DD HH:MM[:SS] in --tz), instead of
    /// detecting it.
    #[arg(long, value_name = "START..END")]
    pub window: Option<String>,

    /// Ignore events before this instant.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Ignore events at or after this instant.
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// How far back before the window the baseline reaches (e.g. 2h); default: to the start of
    /// the data.
    #[arg(long, value_name = "DURATION")]
    pub baseline: Option<String>,

    /// Logs of a known-good period (yesterday's rotated files, a healthy test run, another
    /// host) to use as the baseline, like LogJuicer and Sumo LogCompare: their rates are
    /// compared with the analysed logs, as if they had just preceded them.
    #[arg(long = "baseline-logs", value_name = "PATH", num_args = 1..)]
    pub baseline_logs: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: AnalyzeFormat,

    /// Write to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// List at most N causes (0 = all).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub top: usize,

    /// Colour the text report: auto (when stdout is a terminal and NO_COLOR is unset), always,
    /// never.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: ColorChoice,

    /// Mask e-mail and IP addresses, bearer tokens, passwords in connection strings and long
    /// secrets in every report format, for reports shared with a wider audience.
    #[arg(long)]
    pub redact: bool,

    /// Keep every clock as logged: don't estimate clock offsets from request ids shared by a
    /// proxy and the services behind it (`--clock-offset` still applies).
    #[arg(long = "no-clock-estimate")]
    pub no_clock_estimate: bool,

    /// Extra signature directory (adds signatures or overrides them by id). Repeatable.
    #[arg(long = "patterns", value_name = "DIR")]
    pub patterns: Vec<PathBuf>,
}

pub fn run(args: AnalyzeArgs) -> anyhow::Result<Outcome> {
    let ingest = args.input.resolve()?;
    let zone = ingest.zone;
    let instant = |s: &str, option: &str| user_instant(s, option, &zone);
    let window = match &args.window {
        None => None,
        Some(w) => {
            let Some((a, b)) = w.split_once("..") else {
                bail!("invalid value for --window: {w:?} (expected START..END)");
            };
            let (a, b) = (instant(a, "--window")?, instant(b, "--window")?);
            if b <= a {
                bail!("invalid value for --window: {w:?} (END must be after START)");
            }
            Some((a, b))
        }
    };
    let (since, until) = since_until(args.since.as_deref(), args.until.as_deref(), &zone)?;
    let baseline = args
        .baseline
        .as_deref()
        .map(|d| {
            parse_duration_nanos(d)
                .map_err(anyhow::Error::msg)
                .context("invalid value for --baseline")
        })
        .transpose()?;
    if baseline.is_some_and(|b| b <= 0) {
        bail!("invalid value for --baseline: it must be positive");
    }
    let signatures = super::common::load_signatures(&args.patterns)?;
    let found = crate::ingest::input::discover(&args.input.paths)?;
    let mut all_changes: Vec<Change> = Vec::new();
    for path in args.deploys.iter().chain(found.change_files.iter()) {
        let mut c = changes::load_file(path, &zone).context("invalid change file")?;
        all_changes.append(&mut c);
    }
    let baseline_inputs = if args.baseline_logs.is_empty() {
        Vec::new()
    } else {
        crate::ingest::input::discover(&args.baseline_logs)
            .context("invalid value for --baseline-logs")?
            .inputs
    };
    let mut ingest = ingest;
    let progress = super::common::Progress::start(&found.inputs, &mut ingest);
    let opts = AnalyzeOptions {
        ingest,
        window,
        since,
        until,
        baseline,
        top: args.top,
        baseline_inputs,
        no_clock_estimate: args.no_clock_estimate,
    };
    let (mut analysis, reports) = analyze(&found.inputs, all_changes, signatures, &opts);
    drop(progress);
    if args.redact {
        crate::report::redact::redact_report(&mut analysis.report);
    }
    let failed = report_input_problems(&found.notices, &reports);
    let mut out = open_output(args.output.as_deref())?;
    match args.format {
        AnalyzeFormat::Text => {
            let style = crate::report::text::Style {
                color: args.color.enabled(args.output.is_some()),
            };
            crate::report::text::write_styled(&mut out, &analysis.report, style)?
        }
        AnalyzeFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &analysis.report)?;
            writeln!(out)?;
        }
        AnalyzeFormat::Md => crate::report::md::write(&mut out, &analysis.report)?,
        AnalyzeFormat::Html => crate::report::html::write(&mut out, &analysis.report)?,
    }
    out.flush()?;
    if failed {
        return Ok(Outcome::Partial);
    }
    Ok(if analysis.report.window.is_none() {
        Outcome::Code(1)
    } else {
        Outcome::Success
    })
}
