//! The terminal summary of an analysis: window, ranked causes with one-line reasons and
//! evidence, symptoms, background, nearby changes. Every log-derived string passes through
//! [`escape::terminal`].

use super::escape::terminal;
use super::model::{Finding, Report};
use crate::analyze::human_duration;
use std::io::{self, Write};

fn short(t: &crate::event::Timestamp) -> String {
    t.to_rfc3339()
}

fn finding_line(f: &Finding) -> String {
    let what = f
        .title
        .clone()
        .or_else(|| f.template.clone())
        .unwrap_or_default();
    format!(
        "{} in {} — {}",
        f.category,
        terminal(&f.service),
        terminal(&what)
    )
}

/// Writes the summary.
pub fn write(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    match &r.window {
        Some(w) => {
            writeln!(
                out,
                "Incident window: {} → {} ({}), {}",
                short(&w.start),
                short(&w.end),
                human_duration(w.end.0 - w.start.0),
                if w.detected == "user" {
                    "as given"
                } else {
                    "detected automatically"
                }
            )?;
            writeln!(
                out,
                "Baseline:        {} → {} ({})",
                short(&w.baseline_start),
                short(&w.baseline_end),
                human_duration(w.baseline_end.0 - w.baseline_start.0)
            )?;
        }
        None => writeln!(out, "No incident found.")?,
    }
    if !r.causes.is_empty() {
        writeln!(out)?;
        writeln!(out, "Likely causes, best first:")?;
    }
    for f in &r.causes {
        writeln!(out, "{:>2}. {}", f.rank, finding_line(f))?;
        writeln!(
            out,
            "    score {:.2} ({} confidence), onset {}",
            f.score,
            f.confidence,
            f.onset.map_or_else(|| "-".to_string(), |t| short(&t))
        )?;
        if !f.why.is_empty() {
            writeln!(out, "    why: {}", terminal(&f.why))?;
        }
        for e in f.evidence.iter().take(3) {
            writeln!(
                out,
                "    {}:{}  {}",
                terminal(&e.path),
                e.line,
                terminal(&e.text)
            )?;
        }
    }
    if !r.symptoms.is_empty() {
        writeln!(out)?;
        writeln!(out, "Symptoms (explained by a cause above):")?;
        for f in &r.symptoms {
            let by = f
                .explained_by
                .as_ref()
                .map(|b| format!(" ← {} in {}", b.category, terminal(&b.service)))
                .unwrap_or_default();
            writeln!(
                out,
                "  - {} ({} in window, {} before){}",
                finding_line(f),
                f.window_count,
                f.baseline_count,
                by
            )?;
        }
    }
    if !r.background.is_empty() {
        writeln!(out)?;
        writeln!(out, "Background (about as frequent before the incident):")?;
        for f in r.background.iter().take(10) {
            writeln!(
                out,
                "  - {} ({} in window, {} before)",
                finding_line(f),
                f.window_count,
                f.baseline_count
            )?;
        }
        if r.background.len() > 10 {
            writeln!(out, "  … and {} more", r.background.len() - 10)?;
        }
    }
    if let Some(w) = &r.window {
        let near: Vec<_> = r
            .deploys
            .iter()
            .filter(|c| c.time.0 >= w.start.0 - 2 * 3_600_000_000_000 && c.time < w.end)
            .collect();
        if !near.is_empty() {
            writeln!(out)?;
            writeln!(out, "Changes near the window:")?;
            for c in near {
                writeln!(
                    out,
                    "  {} {} {}{}{}{}",
                    short(&c.time),
                    c.kind,
                    terminal(c.service.as_deref().unwrap_or("-")),
                    c.version
                        .as_deref()
                        .map(|v| format!(" {}", terminal(v)))
                        .unwrap_or_default(),
                    c.description
                        .as_deref()
                        .map(|d| format!(" — {}", terminal(d)))
                        .unwrap_or_default(),
                    if c.inferred { " (seen in logs)" } else { "" }
                )?;
            }
        }
    }
    if !r.notes.is_empty() {
        writeln!(out)?;
        for n in &r.notes {
            writeln!(out, "note: {}", terminal(n))?;
        }
    }
    Ok(())
}
