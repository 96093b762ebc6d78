//! Writers of a [`ScanReport`]: plain text for terminals and cron mail (log-derived text through
//! [`crate::report::escape::terminal`]) and Markdown for CI job summaries and chat (through
//! [`crate::report::escape::markdown_inline`] and `markdown_code_block`). JSON is the report
//! serialised as is (see the contract in [`super`]).

use super::{Evidence, ScanReport};
use crate::report::escape::{markdown_code_block, markdown_inline, terminal};
use std::io::{self, Write};

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn header_line(r: &ScanReport) -> String {
    let period = match &r.period {
        Some(p) => format!("{} .. {} ({}h)", p.start, p.end, p.hours),
        None => "no events".to_string(),
    };
    let history = match (r.state.history_start, r.state.history_end) {
        (Some(a), Some(b)) => format!(
            "{} ({a} .. {b}), baseline {}",
            plural(r.state.nights, "day", "days"),
            plural(r.state.baseline_days, "day", "days")
        ),
        _ => "none yet".to_string(),
    };
    format!("period {period}; history {history}")
}

/// Plain text.
pub fn write_text(out: &mut dyn Write, r: &ScanReport) -> io::Result<()> {
    writeln!(out, "culprit scan: {}", header_line(r))?;
    writeln!(out, "state: {}", terminal(&r.state.path))?;
    if r.state.started {
        writeln!(out)?;
        writeln!(
            out,
            "History starts with this period: nothing is reported as new, rising or silent yet."
        )?;
    } else {
        writeln!(out)?;
        writeln!(out, "New templates: {}", r.new_templates.len())?;
        for t in &r.new_templates {
            writeln!(
                out,
                "  {:<5} {}  {}x  first {}  [{}]{}",
                t.level.unwrap_or("-").to_ascii_uppercase(),
                terminal(&t.service),
                t.count,
                t.first_seen,
                t.id,
                t.signature
                    .as_deref()
                    .map(|s| format!("  signature {s}"))
                    .unwrap_or_default()
            )?;
            writeln!(out, "        {}", terminal(&t.template))?;
        }
        writeln!(out, "Rising: {}", r.rising.len())?;
        for x in &r.rising {
            writeln!(
                out,
                "  {}  {} {}: {}",
                terminal(&x.service),
                x.kind,
                terminal(&x.id),
                x.why
            )?;
        }
        writeln!(
            out,
            "Newly erroring services: {}",
            r.new_erroring_services.len()
        )?;
        for s in &r.new_erroring_services {
            writeln!(
                out,
                "  {}  {} errors (none on the baseline days)",
                terminal(&s.service),
                s.errors
            )?;
        }
        writeln!(out, "Silent services: {}", r.silent_services.len())?;
        for s in &r.silent_services {
            writeln!(
                out,
                "  {}  nothing in this period; usually {:.0} events a day{}",
                terminal(&s.service),
                s.baseline_daily_mean,
                s.last_day
                    .map(|d| format!("; last logged on {d}"))
                    .unwrap_or_default()
            )?;
        }
        if !r.watch.is_empty() {
            writeln!(out)?;
            writeln!(out, "Watch list:")?;
            for w in &r.watch {
                writeln!(
                    out,
                    "  {}. [{}] {}: {}  (score {})",
                    w.rank,
                    w.kind,
                    terminal(&w.service),
                    terminal(&w.title),
                    w.score
                )?;
                for e in &w.evidence {
                    writeln!(out, "       {}", evidence_text(e))?;
                }
            }
        }
    }
    if !r.notes.is_empty() {
        writeln!(out)?;
        writeln!(out, "Notes:")?;
        for n in &r.notes {
            writeln!(out, "  - {}", terminal(n))?;
        }
    }
    writeln!(out, "\nexit code {}", r.exit_code)?;
    Ok(())
}

fn evidence_text(e: &Evidence) -> String {
    format!(
        "{}:{} {} {}",
        terminal(&e.path),
        e.line,
        e.time,
        terminal(&e.text)
    )
}

/// Markdown (GitHub/GitLab flavoured).
pub fn write_markdown(out: &mut dyn Write, r: &ScanReport) -> io::Result<()> {
    writeln!(out, "# culprit scan")?;
    writeln!(out)?;
    writeln!(out, "{}", markdown_inline(&header_line(r)))?;
    writeln!(out)?;
    writeln!(out, "State: {}", markdown_inline(&r.state.path))?;
    writeln!(out)?;
    if r.state.started {
        writeln!(
            out,
            "History starts with this period: nothing is reported as new, rising or silent yet."
        )?;
    } else {
        writeln!(out, "## New templates ({})", r.new_templates.len())?;
        writeln!(out)?;
        if !r.new_templates.is_empty() {
            writeln!(out, "| level | service | count | first seen | template |")?;
            writeln!(out, "|---|---|---:|---|---|")?;
            for t in &r.new_templates {
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    t.level.unwrap_or("-"),
                    markdown_inline(&t.service),
                    t.count,
                    t.first_seen,
                    markdown_inline(&t.template)
                )?;
            }
            writeln!(out)?;
        }
        writeln!(out, "## Rising ({})", r.rising.len())?;
        writeln!(out)?;
        for x in &r.rising {
            writeln!(
                out,
                "- **{}** {} {}: {}",
                markdown_inline(&x.service),
                x.kind,
                markdown_inline(&x.id),
                markdown_inline(&x.why)
            )?;
        }
        if !r.rising.is_empty() {
            writeln!(out)?;
        }
        writeln!(
            out,
            "## Newly erroring services ({})",
            r.new_erroring_services.len()
        )?;
        writeln!(out)?;
        for s in &r.new_erroring_services {
            writeln!(
                out,
                "- **{}**: {} errors (none on the baseline days)",
                markdown_inline(&s.service),
                s.errors
            )?;
        }
        if !r.new_erroring_services.is_empty() {
            writeln!(out)?;
        }
        writeln!(out, "## Silent services ({})", r.silent_services.len())?;
        writeln!(out)?;
        for s in &r.silent_services {
            writeln!(
                out,
                "- **{}**: nothing in this period; usually {:.0} events a day",
                markdown_inline(&s.service),
                s.baseline_daily_mean
            )?;
        }
        if !r.silent_services.is_empty() {
            writeln!(out)?;
        }
        if !r.watch.is_empty() {
            writeln!(out, "## Watch list")?;
            writeln!(out)?;
            for w in &r.watch {
                writeln!(
                    out,
                    "{}. **{}** ({}, score {}): {}",
                    w.rank,
                    markdown_inline(&w.service),
                    w.kind,
                    w.score,
                    markdown_inline(&w.title)
                )?;
                if !w.evidence.is_empty() {
                    let lines: Vec<String> = w
                        .evidence
                        .iter()
                        .map(|e| format!("{}:{} {} {}", e.path, e.line, e.time, e.text))
                        .collect();
                    writeln!(out)?;
                    for l in markdown_code_block(&lines.join("\n"), "text").lines() {
                        writeln!(out, "   {l}")?;
                    }
                }
            }
            writeln!(out)?;
        }
    }
    if !r.notes.is_empty() {
        writeln!(out, "## Notes")?;
        writeln!(out)?;
        for n in &r.notes {
            writeln!(out, "- {}", markdown_inline(n))?;
        }
        writeln!(out)?;
    }
    writeln!(out, "Exit code: {}", r.exit_code)?;
    Ok(())
}
