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

/// Colours for a terminal (SGR codes), or none. Only our own labels are coloured; log text is
/// escaped by [`terminal`] first, so it can never carry its own escape sequences.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(self, s: &str) -> String {
        self.paint("1", s)
    }
    fn red(self, s: &str) -> String {
        self.paint("1;31", s)
    }
    fn yellow(self, s: &str) -> String {
        self.paint("33", s)
    }
    fn dim(self, s: &str) -> String {
        self.paint("2", s)
    }
    fn cyan(self, s: &str) -> String {
        self.paint("36", s)
    }
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

/// Writes the summary without colours.
pub fn write(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    write_styled(out, r, Style::default())
}

/// Writes the summary, coloured when `style.color`.
pub fn write_styled(out: &mut dyn Write, r: &Report, st: Style) -> io::Result<()> {
    match &r.window {
        Some(w) => {
            writeln!(
                out,
                "{} {} → {} ({}), {}",
                st.bold("Incident window:"),
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
        None => writeln!(out, "{}", st.bold("No incident found."))?,
    }
    if let Some(i) = &r.impact {
        let pct = |x: f64| format!("{:.0}%", x * 100.0);
        let mut line = format!(
            "{} {} of requests failed with a 5xx ({} of {}), {} of clients ({} of {}, by {}) saw one",
            st.bold("Impact:         "),
            pct(i.error_share),
            i.errors_5xx,
            i.requests,
            pct(i.client_error_share),
            i.clients_with_error,
            i.clients,
            i.client_key
        );
        if let Some(l) = i.latency_ms {
            line.push_str(&format!("; p95 latency {:.0} ms", l.p95));
            if let Some(b) = i.baseline_latency_ms {
                line.push_str(&format!(" (baseline {:.0} ms)", b.p95));
            }
        }
        writeln!(out, "{line}")?;
    }
    if !r.causes.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", st.bold("Likely causes, best first:"))?;
    }
    for f in &r.causes {
        let line = finding_line(f);
        let line = if f.rank == 1 {
            st.red(&line)
        } else {
            st.yellow(&line)
        };
        writeln!(out, "{:>2}. {}", f.rank, line)?;
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
                "    {}  {}",
                st.dim(&format!("{}:{}", terminal(&e.path), e.line)),
                terminal(&e.text)
            )?;
        }
    }
    if !r.symptoms.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", st.bold("Symptoms (explained by a cause above):"))?;
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
        writeln!(
            out,
            "{}",
            st.bold("Background (about as frequent before the incident):")
        )?;
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
            writeln!(out, "{}", st.bold("Changes near the window:"))?;
            for c in near {
                writeln!(
                    out,
                    "  {} {} {}{}{}{}",
                    short(&c.time),
                    st.cyan(c.kind),
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
            writeln!(out, "{} {}", st.dim("note:"), terminal(n))?;
        }
    }
    Ok(())
}
