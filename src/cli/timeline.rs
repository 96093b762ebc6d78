//! `culprit timeline`: all events of all inputs merged in UTC order, or the per-input
//! accounting with `--stats`.

use super::Outcome;
use super::common::{InputArgs, open_output, report_input_problems};
use crate::event::Level;
use crate::ingest::{self, CountOnly, InputReport};
use crate::time::parse_user_instant;
#[cfg(feature = "polars")]
use crate::timeline::write::ParquetEventWriter;
use crate::timeline::write::{CsvWriter, EventWriter, JsonlWriter, TextWriter, TimelineFormat};
use crate::timeline::{Filter, MergedTimeline, RunSink};
use anyhow::{Context, bail};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct TimelineArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Keep events at or after this instant (RFC 3339, or YYYY-MM-DD[ HH:MM[:SS]] in --tz).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Keep events before this instant.
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// Keep only this service (repeatable).
    #[arg(long, value_name = "SERVICE")]
    pub service: Vec<String>,

    /// Keep events at this level or more severe (trace, debug, info, notice, warn, error, fatal).
    #[arg(long, value_name = "LEVEL")]
    pub level: Option<String>,

    /// Output format. With --stats: text or json.
    #[arg(long, value_enum, default_value = "text")]
    pub format: TimelineFormat,

    /// Write to FILE instead of stdout (required for parquet).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Print the per-input accounting (lines, events, continuation, unparsed, lossy, cut,
    /// format, service, first and last time) instead of the events.
    #[arg(long)]
    pub stats: bool,
}

pub fn run(args: TimelineArgs) -> anyhow::Result<Outcome> {
    let mut opts = args.input.resolve()?;
    let mut filter = Filter {
        services: args.service.clone(),
        ..Filter::default()
    };
    if let Some(s) = &args.since {
        filter.since = Some(
            parse_user_instant(s, &opts.zone)
                .map_err(anyhow::Error::msg)
                .context("invalid value for --since")?,
        );
    }
    if let Some(s) = &args.until {
        filter.until = Some(
            parse_user_instant(s, &opts.zone)
                .map_err(anyhow::Error::msg)
                .context("invalid value for --until")?,
        );
    }
    if let Some(l) = &args.level {
        filter.min_level = Some(
            l.parse::<Level>()
                .map_err(anyhow::Error::msg)
                .context("invalid value for --level")?,
        );
    }
    if args.stats && !matches!(args.format, TimelineFormat::Text | TimelineFormat::Json) {
        bail!("invalid value for --format with --stats: use text or json");
    }
    if !args.stats && args.format == TimelineFormat::Json {
        bail!("invalid value for --format: json is for --stats; use jsonl for events");
    }
    if args.format == TimelineFormat::Parquet && args.output.is_none() {
        bail!("--format parquet needs -o FILE (parquet is not written to a terminal)");
    }
    let found = ingest::input::discover(&args.input.paths)?;
    let progress = super::common::Progress::start(&found.inputs, &mut opts);

    if args.stats {
        let results = ingest::ingest(&found.inputs, &opts, |_| CountOnly);
        let reports: Vec<InputReport> = results.into_iter().map(|(r, _)| r).collect();
        drop(progress);
        let failed = report_input_problems(&found.notices, &reports);
        let mut out = open_output(args.output.as_deref())?;
        match args.format {
            TimelineFormat::Json => write_stats_json(&mut out, &reports)?,
            _ => write_stats_text(&mut out, &reports, &opts.zone.name())?,
        }
        out.flush()?;
        return Ok(if failed {
            Outcome::Partial
        } else {
            Outcome::Success
        });
    }

    let results = ingest::ingest(&found.inputs, &opts, |_| RunSink::new(filter.clone()));
    let (reports, sinks): (Vec<InputReport>, Vec<RunSink>) = results.into_iter().unzip();
    drop(progress);
    let mut failed = report_input_problems(&found.notices, &reports);
    let sources: Vec<String> = reports.iter().map(|r| r.path.clone()).collect();
    let out = open_output(args.output.as_deref())?;
    let mut writer: Box<dyn EventWriter> = match args.format {
        TimelineFormat::Text => Box::new(TextWriter { out }),
        TimelineFormat::Jsonl => Box::new(JsonlWriter { out }),
        TimelineFormat::Csv => Box::new(CsvWriter {
            out,
            header_written: false,
        }),
        #[cfg(feature = "polars")]
        TimelineFormat::Parquet => Box::new(ParquetEventWriter::new(out)),
        #[cfg(not(feature = "polars"))]
        TimelineFormat::Parquet => {
            drop(out);
            bail!("--format parquet: this culprit was built without the `polars` feature");
        }
        TimelineFormat::Json => unreachable!("rejected above"),
    };
    let mut merged = MergedTimeline::new(sinks);
    for event in merged.by_ref() {
        let source = sources.get(event.input as usize).map_or("", String::as_str);
        writer.write_event(&event, source)?;
    }
    writer.finish()?;
    for e in &merged.errors {
        eprintln!("culprit: error: {e}");
        failed = true;
    }
    if opts.zone == crate::time::Zone::Utc && reports.iter().any(|r| r.events > 0) {
        // Say which zone was assumed, once, where it cannot pollute the output.
        if std::env::var_os("CULPRIT_QUIET").is_none() && args.output.is_some() {
            eprintln!("culprit: timestamps without a zone were read as UTC (use --tz to change)");
        }
    }
    Ok(if failed {
        Outcome::Partial
    } else {
        Outcome::Success
    })
}

fn fmt_time(t: Option<crate::event::Timestamp>) -> String {
    t.map_or_else(|| "-".to_string(), |t| t.to_rfc3339())
}

pub fn write_stats_text(
    out: &mut dyn Write,
    reports: &[InputReport],
    zone: &str,
) -> anyhow::Result<()> {
    use crate::report::escape::terminal;
    writeln!(
        out,
        "{:<40} {:<16} {:<14} {:>10} {:>10} {:>8} {:>8} {:>6} {:>5}  first / last (UTC)",
        "input", "format", "service", "lines", "events", "cont", "unparsed", "lossy", "cut"
    )?;
    let mut total = InputReport::default();
    for r in reports {
        writeln!(
            out,
            "{:<40} {:<16} {:<14} {:>10} {:>10} {:>8} {:>8} {:>6} {:>5}  {} / {}",
            terminal(&r.path),
            r.format,
            terminal(&r.service),
            r.lines,
            r.events,
            r.continuation,
            r.unparsed,
            r.lossy,
            r.cut,
            fmt_time(r.first),
            fmt_time(r.last)
        )?;
        total.lines += r.lines;
        total.events += r.events;
        total.continuation += r.continuation;
        total.unparsed += r.unparsed;
        total.lossy += r.lossy;
        total.cut += r.cut;
    }
    writeln!(
        out,
        "{:<40} {:<16} {:<14} {:>10} {:>10} {:>8} {:>8} {:>6} {:>5}",
        format!("total ({} inputs)", reports.len()),
        "",
        "",
        total.lines,
        total.events,
        total.continuation,
        total.unparsed,
        total.lossy,
        total.cut
    )?;
    for r in reports {
        if let (Some(source), Some(year)) = (&r.year_source, r.year_anchor) {
            writeln!(
                out,
                "{}: year-less timestamps start in {year} (from {source})",
                terminal(&r.path)
            )?;
        }
    }
    writeln!(out, "timestamps without a zone were read as {zone}")?;
    Ok(())
}

pub fn write_stats_json(out: &mut dyn Write, reports: &[InputReport]) -> anyhow::Result<()> {
    let arr: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| {
            serde_json::json!({
                "path": r.path,
                "format": r.format,
                "service": r.service,
                "lines": r.lines,
                "events": r.events,
                "continuation": r.continuation,
                "unparsed": r.unparsed,
                "lossy": r.lossy,
                "cut": r.cut,
                "first": r.first.map(|t| t.to_rfc3339()),
                "last": r.last.map(|t| t.to_rfc3339()),
                "backwards": r.backwards,
                "error": r.error,
                "skipped": r.skipped,
                "year_source": r.year_source,
                "encoding": r.encoding,
                "cr_only": r.cr_only,
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &arr)?;
    writeln!(out)?;
    Ok(())
}
