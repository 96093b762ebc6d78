//! `culprit templates`: folds the messages of every input into templates (`<*>` for
//! variables) and lists them by count, or, with `--assign`, prints each event's template.
//!
//! Output formats: `text` (a table), `json` (an object with the run's figures and a
//! `templates` array), `csv` (one row per template). `--assign` prints JSON Lines
//! `{"source", "line", "template_id", "template"}`, input by input, line by line. `--raw` reads
//! every line as a bare message (no header parsing), for accuracy measurements on ground-truth
//! data.

use super::Outcome;
use super::common::{InputArgs, open_output, report_input_problems};
use crate::ingest::{self, InputReport};
use crate::report::escape::{csv_field, terminal};
use crate::templates::{KeyTable, Limits, MinerSink, Template, TemplateSet};
use anyhow::bail;
use clap::Args;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TemplatesFormat {
    Text,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct TemplatesArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format of the template list (default: text).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<TemplatesFormat>,

    /// List only the N most frequent templates.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// Print one JSON line per event instead of the list: source, line, template id and
    /// template, input by input, line by line.
    #[arg(long)]
    pub assign: bool,

    /// Read every line as a bare message: no header parsing, one event per line.
    #[arg(long)]
    pub raw: bool,

    /// Cap on distinct message shapes held in memory; past it, messages are grouped more
    /// coarsely and the output says so.
    #[arg(long, value_name = "N", default_value_t = crate::templates::DEFAULT_MAX_KEYS)]
    pub max_keys: usize,

    /// Write to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: TemplatesArgs) -> anyhow::Result<Outcome> {
    let mut opts = args.input.resolve()?;
    opts.raw = args.raw;
    if args.assign && args.format.is_some() {
        bail!("--assign prints JSON Lines; --format is for the template list");
    }
    if args.assign && args.top.is_some() {
        bail!("--assign prints every event; --top is for the template list");
    }
    if args.top == Some(0) {
        bail!("invalid value for --top: 0 (use at least 1)");
    }
    if args.max_keys < 1000 {
        bail!(
            "invalid value for --max-keys: {} (use at least 1000)",
            args.max_keys
        );
    }
    let limits = Limits {
        max_keys: args.max_keys,
        ..Limits::default()
    };
    let found = ingest::input::discover(&args.input.paths)?;
    let shared = Arc::new(Mutex::new(KeyTable::new(limits)));
    let results = ingest::ingest(&found.inputs, &opts, |i| {
        let source = found
            .inputs
            .get(i)
            .map_or("", |input| input.display.as_str());
        MinerSink::new(source, shared.clone(), limits, args.assign)
    });
    let (reports, mut sinks): (Vec<InputReport>, Vec<MinerSink>) = results.into_iter().unzip();
    let failed = report_input_problems(&found.notices, &reports);
    for sink in &mut sinks {
        sink.finish();
    }
    let table = {
        let mut guard = shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        std::mem::replace(&mut *guard, KeyTable::new(limits))
    };
    let mut set = TemplateSet::build(table, !opts.raw);
    set.fill_signatures(crate::patterns::SignatureSet::embedded());
    let mut out = open_output(args.output.as_deref())?;
    if args.assign {
        write_assignments(&mut out, &set, &sinks)?;
    } else {
        let shown = args.top.unwrap_or(usize::MAX).min(set.templates.len());
        let list = &set.templates[..shown];
        match args.format.unwrap_or(TemplatesFormat::Text) {
            TemplatesFormat::Text => write_text(&mut out, &set, list, reports.len())?,
            TemplatesFormat::Json => write_json(&mut out, &set, list)?,
            TemplatesFormat::Csv => write_csv(&mut out, list)?,
        }
    }
    out.flush()?;
    if let Some(note) = set.cap_note() {
        if args.assign || args.format == Some(TemplatesFormat::Csv) || args.output.is_some() {
            eprintln!("culprit: notice: {note}");
        }
    }
    Ok(if failed {
        Outcome::Partial
    } else {
        Outcome::Success
    })
}

fn fmt_time(t: Option<crate::event::Timestamp>) -> String {
    t.map_or_else(String::new, |t| t.to_rfc3339())
}

#[derive(Serialize)]
struct Assignment<'a> {
    source: &'a str,
    line: u64,
    template_id: &'a str,
    template: &'a str,
}

fn write_assignments(
    out: &mut dyn Write,
    set: &TemplateSet,
    sinks: &[MinerSink],
) -> anyhow::Result<()> {
    for sink in sinks {
        for (line, key, level) in sink.assignments() {
            let t = set.for_key(key, level);
            let rec = Assignment {
                source: sink.source(),
                line,
                template_id: t.map_or("", |t| t.id.as_str()),
                template: t.map_or("", |t| t.text.as_str()),
            };
            serde_json::to_writer(&mut *out, &rec)?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

pub fn write_text(
    out: &mut dyn Write,
    set: &TemplateSet,
    list: &[Template],
    inputs: usize,
) -> anyhow::Result<()> {
    let width = list
        .iter()
        .map(|t| t.count.to_string().len())
        .max()
        .unwrap_or(5)
        .max(5);
    writeln!(out, "{:>width$}  {:<16}  template", "count", "id")?;
    for t in list {
        writeln!(
            out,
            "{:>width$}  {:<16}  {}",
            t.count,
            t.id,
            terminal(&t.text)
        )?;
    }
    let shown = if list.len() < set.templates.len() {
        format!("{} of {} templates", list.len(), set.templates.len())
    } else {
        format!("{} templates", set.templates.len())
    };
    writeln!(
        out,
        "{shown} from {} events in {inputs} input(s)",
        set.events
    )?;
    if let Some(note) = set.cap_note() {
        writeln!(out, "note: {note}")?;
    }
    Ok(())
}

pub fn template_json(t: &Template) -> serde_json::Value {
    serde_json::json!({
        "id": t.id,
        "template": t.text,
        "count": t.count,
        "first_seen": t.first_seen.map(|x| x.to_rfc3339()),
        "last_seen": t.last_seen.map(|x| x.to_rfc3339()),
        "services": t.services.iter().map(|(s, n)| serde_json::json!({"service": s, "count": n})).collect::<Vec<_>>(),
        "samples": t.samples.iter().map(|s| serde_json::json!({"source": s.source, "line": s.line, "text": s.text})).collect::<Vec<_>>(),
        "signature": t.signature,
    })
}

pub fn write_json(out: &mut dyn Write, set: &TemplateSet, list: &[Template]) -> anyhow::Result<()> {
    let doc = serde_json::json!({
        "events": set.events,
        "templates_total": set.templates.len(),
        "distinct_keys": set.distinct_keys,
        "coarsening_level": set.level(),
        "note": set.cap_note(),
        "templates": list.iter().map(template_json).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)?;
    Ok(())
}

pub fn write_csv(out: &mut dyn Write, list: &[Template]) -> anyhow::Result<()> {
    writeln!(
        out,
        "id,count,first_seen,last_seen,services,signature,template"
    )?;
    for t in list {
        let services: Vec<String> = t.services.iter().map(|(s, n)| format!("{s}:{n}")).collect();
        writeln!(
            out,
            "{},{},{},{},{},{},{}",
            t.id,
            t.count,
            fmt_time(t.first_seen),
            fmt_time(t.last_seen),
            csv_field(&services.join(";")),
            csv_field(t.signature.as_deref().unwrap_or("")),
            csv_field(&t.text)
        )?;
    }
    Ok(())
}
