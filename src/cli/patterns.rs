//! `culprit patterns`: the failure-signature library from the command line.
//!
//! - `list [--category C] [--format text|json] [--patterns DIR]…` — the signatures.
//! - `test [FILE|-] [--format text|jsonl] [--patterns DIR]…` — classify each line of a file.
//! - `check [DIR]` — validate a pattern directory (or the embedded library): every error with its
//!   file and line, exit code 2 when there is any.

use super::Outcome;
use crate::patterns::{Category, PatternError, SignatureSet, check_dir, check_embedded};
use crate::report::escape::terminal;
use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Map, Value, json};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct PatternsArgs {
    #[command(subcommand)]
    pub command: PatternsCommand,
}

#[derive(Debug, Subcommand)]
pub enum PatternsCommand {
    /// List the signatures (embedded, plus those of --patterns directories).
    List(ListArgs),
    /// Classify each line of FILE (or stdin): which signatures match it, with their captures.
    Test(TestArgs),
    /// Validate a pattern directory (default: the embedded library); exit code 2 on any error.
    Check(CheckArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    Text,
    Jsonl,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only signatures of this category (e.g. db_pool_exhaustion).
    #[arg(long, value_name = "CATEGORY")]
    pub category: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ListFormat,

    /// Add the *.toml signatures of DIR (a same id replaces the embedded one). Repeatable.
    #[arg(long = "patterns", value_name = "DIR")]
    pub patterns: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Log file to classify, one message per line; `-` or nothing reads stdin.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// text: matched lines only, then a count; jsonl: one object per input line
    /// ({"line", "text", "matches": [{"id", "category", "captures"}]}).
    #[arg(long, value_enum, default_value = "text")]
    pub format: TestFormat,

    /// Add the *.toml signatures of DIR (a same id replaces the embedded one). Repeatable.
    #[arg(long = "patterns", value_name = "DIR")]
    pub patterns: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Directory of *.toml pattern files; default: the library built into this binary.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn run(args: PatternsArgs) -> anyhow::Result<Outcome> {
    match args.command {
        PatternsCommand::List(a) => list(a),
        PatternsCommand::Test(a) => test(a),
        PatternsCommand::Check(a) => check(a),
    }
}

/// `file:line: error: id: message`, escaped for the terminal line by line (regex errors span
/// several lines).
fn format_error(e: &PatternError) -> String {
    let mut head = e.file.clone();
    if let Some(line) = e.line {
        head.push_str(&format!(":{line}"));
    }
    head.push_str(": error: ");
    if let Some(id) = &e.id {
        head.push_str(id);
        head.push_str(": ");
    }
    head.push_str(&e.message);
    head.split('\n')
        .map(|l| terminal(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

fn print_errors(errors: &[PatternError]) {
    for e in errors {
        eprintln!("{}", format_error(e));
    }
}

/// The embedded library, or it plus the user directories; on errors, prints them and gives the
/// exit code.
fn load(dirs: &[PathBuf]) -> Result<std::borrow::Cow<'static, SignatureSet>, Outcome> {
    if dirs.is_empty() {
        return Ok(std::borrow::Cow::Borrowed(SignatureSet::embedded()));
    }
    match SignatureSet::load(dirs) {
        Ok(set) => Ok(std::borrow::Cow::Owned(set)),
        Err(errors) => {
            print_errors(&errors);
            eprintln!(
                "culprit: error: {} error{} in --patterns directories (run `culprit patterns check DIR`)",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            );
            Err(Outcome::Code(2))
        }
    }
}

fn list(args: ListArgs) -> anyhow::Result<Outcome> {
    let category = match &args.category {
        Some(c) => Some(
            c.parse::<Category>()
                .map_err(anyhow::Error::msg)
                .context("invalid value for --category")?,
        ),
        None => None,
    };
    let set = match load(&args.patterns) {
        Ok(set) => set,
        Err(outcome) => return Ok(outcome),
    };
    let sigs: Vec<_> = set
        .signatures()
        .iter()
        .filter(|s| category.is_none_or(|c| s.category == c))
        .collect();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        ListFormat::Json => {
            let items: Vec<Value> = sigs
                .iter()
                .map(|s| {
                    json!({
                        "id": s.id,
                        "title": s.title,
                        "category": s.category,
                        "software": s.software,
                        "stack": s.stack,
                        "role": s.role,
                        "causes": s.causes,
                        "specificity": s.specificity,
                        "keywords": s.keywords,
                        "regex": s.regex,
                        "explanation": s.explanation,
                        "remediation": s.remediation,
                        "references": s.references,
                        "examples": s.examples,
                        "counterexamples": s.counterexamples,
                        "source": s.origin.to_string(),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &items)?;
            writeln!(out)?;
        }
        ListFormat::Text => {
            let width = sigs.iter().map(|s| s.id.len()).max().unwrap_or(2).max(2);
            writeln!(
                out,
                "{:<width$}  {:<22}  {:<7}  {:<6}  {:<18}  title",
                "id", "category", "role", "spec", "software"
            )?;
            for s in &sigs {
                writeln!(
                    out,
                    "{:<width$}  {:<22}  {:<7}  {:<6}  {:<18}  {}",
                    terminal(&s.id),
                    s.category.as_str(),
                    s.role.as_str(),
                    s.specificity.as_str(),
                    terminal(&s.software),
                    terminal(&s.title)
                )?;
            }
            writeln!(
                out,
                "{} signature{}",
                sigs.len(),
                if sigs.len() == 1 { "" } else { "s" }
            )?;
        }
    }
    out.flush()?;
    Ok(Outcome::Success)
}

fn open_input(file: Option<&Path>) -> anyhow::Result<Box<dyn BufRead>> {
    match file {
        None => Ok(Box::new(std::io::BufReader::new(std::io::stdin().lock()))),
        Some(p) if p.as_os_str() == "-" => {
            Ok(Box::new(std::io::BufReader::new(std::io::stdin().lock())))
        }
        Some(p) => {
            let f =
                std::fs::File::open(p).with_context(|| format!("cannot open {}", p.display()))?;
            Ok(Box::new(std::io::BufReader::new(f)))
        }
    }
}

fn test(args: TestArgs) -> anyhow::Result<Outcome> {
    let set = match load(&args.patterns) {
        Ok(set) => set,
        Err(outcome) => return Ok(outcome),
    };
    let mut input = open_input(args.file.as_deref())?;
    let shown = args
        .file
        .as_ref()
        .map_or_else(|| "stdin".to_string(), |p| p.display().to_string());
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut buf = Vec::new();
    let (mut lines, mut matched) = (0u64, 0u64);
    loop {
        buf.clear();
        let n = input
            .read_until(b'\n', &mut buf)
            .with_context(|| format!("cannot read {}", terminal(&shown)))?;
        if n == 0 {
            break;
        }
        lines += 1;
        while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            buf.pop();
        }
        let text = String::from_utf8_lossy(&buf);
        let matches: Vec<_> = set.match_line(&text).collect();
        if !matches.is_empty() {
            matched += 1;
        }
        match args.format {
            TestFormat::Jsonl => {
                let items: Vec<Value> = matches
                    .iter()
                    .map(|m| {
                        let captures: Map<String, Value> =
                            m.captures.iter().map(|(k, v)| ((*k).to_string(), Value::from(*v))).collect();
                        json!({"id": m.signature.id, "category": m.signature.category, "captures": captures})
                    })
                    .collect();
                serde_json::to_writer(
                    &mut out,
                    &json!({"line": lines, "text": text, "matches": items}),
                )?;
                writeln!(out)?;
            }
            TestFormat::Text => {
                for m in &matches {
                    write!(
                        out,
                        "{lines}: {} [{}]",
                        m.signature.id,
                        m.signature.category.as_str()
                    )?;
                    for (k, v) in &m.captures {
                        write!(out, " {k}={}", terminal(v))?;
                    }
                    writeln!(out)?;
                }
                if !matches.is_empty() {
                    writeln!(out, "    {}", terminal(&text))?;
                }
            }
        }
    }
    if args.format == TestFormat::Text {
        writeln!(
            out,
            "{matched} of {lines} line{} matched",
            if lines == 1 { "" } else { "s" }
        )?;
    }
    out.flush()?;
    Ok(Outcome::Success)
}

fn check(args: CheckArgs) -> anyhow::Result<Outcome> {
    let (report, what) = match &args.dir {
        Some(dir) => (check_dir(dir), dir.display().to_string()),
        None => (check_embedded(), "the embedded library".to_string()),
    };
    print_errors(&report.errors);
    let mut out = std::io::stdout().lock();
    if report.errors.is_empty() {
        writeln!(
            out,
            "ok: {}: {} signatures in {} files",
            terminal(&what),
            report.signatures,
            report.files
        )?;
        Ok(Outcome::Success)
    } else {
        writeln!(
            out,
            "{}: {} error{} ({} valid signatures in {} files)",
            terminal(&what),
            report.errors.len(),
            if report.errors.len() == 1 { "" } else { "s" },
            report.signatures,
            report.files
        )?;
        Ok(Outcome::Code(2))
    }
}
