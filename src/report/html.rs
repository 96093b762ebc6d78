//! The HTML report of `culprit analyze --format html`: one self-contained HTML5 file with the
//! sections of the Markdown postmortem ([`super::md`]) plus an inline SVG timeline chart
//! ([`super::svg`]). Inline CSS only, no script, no external request of any kind (no CDN,
//! font or image), and a strict Content-Security-Policy as defence in depth; evidence sits in
//! `<details>` elements so it expands without JavaScript.
//!
//! Every log-derived string goes through [`escape::html`](super::escape::html). Output depends
//! only on the report: byte-identical across runs.

use super::escape::html as h;
use super::md::{
    EVIDENCE_SHOWN, affected_services, category_title, change_phrase, counts_phrase, finding_name,
    finding_what, fmt_time, fmt_time_ms, impact_lines, measures, thousands, timeline,
    trim_evidence, why_sentences,
};
use super::model::{Finding, Report};
use crate::analyze::human_duration as human_duration_of;
use std::fmt::Write as _;
use std::io::{self, Write};

/// No script, no network: only inline styles and `data:` images may load. `base-uri` and
/// `form-action` close the remaining ways to send data out without script.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE: &str = r#"
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;--cause:#b42318;--warn:#9a6700}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1160px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:20px;margin:32px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:16px;margin:18px 0 6px}
.lede{color:var(--muted);margin:0 0 16px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--soft)}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.time{white-space:nowrap;font-variant-numeric:tabular-nums}
tr.cause td{color:var(--cause);font-weight:600}
tr.change td{color:var(--warn)}
tr.window td{color:var(--muted)}
article.cause{border:1px solid var(--line);border-left:4px solid var(--cause);border-radius:6px;padding:8px 16px 12px;margin:12px 0}
.badge{display:inline-block;padding:0 8px;border-radius:10px;font-size:13px;font-weight:600;background:var(--soft);border:1px solid var(--line)}
.badge.high{background:#ffebe9;border-color:#ffcecb;color:var(--cause)}
.badge.medium{background:#fff8c5;border-color:#eedc82;color:var(--warn)}
.meta{color:var(--muted);font-size:14px}
details{margin:6px 0}
summary{cursor:pointer;font-weight:600}
.ev{margin:6px 0 10px}
.evh{font-size:13px;color:var(--muted);font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
pre{margin:2px 0 0;padding:8px 10px;background:var(--soft);border:1px solid var(--line);border-radius:4px;white-space:pre-wrap;word-break:break-all;font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
ul.todo{list-style:none;padding-left:4px}
ul.todo li::before{content:"\2610\00a0";color:var(--muted)}
ul.todo li{margin:4px 0}
.chart-box{border:1px solid var(--line);border-radius:6px;padding:6px}
svg.chart{display:block;font:11px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
svg .grid{stroke:#e6e9ee;stroke-width:1}
svg .axis{stroke:#8c959f;stroke-width:1}
svg .tick{stroke:#8c959f}
svg .ylabel{text-anchor:end;fill:var(--muted)}
svg .xlabel{text-anchor:middle;fill:var(--muted)}
svg .xday{text-anchor:middle;fill:var(--fg);font-weight:600}
svg .xtitle{text-anchor:end;fill:var(--muted)}
svg .ytitle{text-anchor:middle;fill:var(--muted)}
svg .window{fill:#e15759;fill-opacity:.10;stroke:#e15759;stroke-opacity:.35}
svg .window-label{fill:#b42318;font-weight:600}
svg .series{stroke:#fff;stroke-width:.4;fill-opacity:.9}
svg .marker line{stroke-width:1.4}
svg .marker.change line{stroke:#6e7781;stroke-dasharray:4 3}
svg .marker.change text{fill:#57606a}
svg .marker.onset line{stroke:#b42318}
svg .marker.onset text{fill:#b42318;font-weight:600}
svg .legend text{fill:var(--fg)}
footer{margin-top:32px;color:var(--muted);font-size:13px}
"#;

/// Writes the HTML report.
pub fn write(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    let mut s = String::with_capacity(64 * 1024);
    render(&mut s, r);
    out.write_all(s.as_bytes())
}

fn title(r: &Report) -> String {
    match (&r.window, r.causes.first()) {
        (None, _) => "no incident found".to_string(),
        (Some(_), Some(f)) => finding_name(f),
        (Some(_), None) => "cause not determined".to_string(),
    }
}

fn render(s: &mut String, r: &Report) {
    let t = title(r);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"{} {}\">\n<title>Incident report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        r.tool.name,
        h(r.tool.version),
        h(&t)
    );
    let _ = writeln!(s, "<h1>Incident report: {}</h1>", h(&t));
    let _ = writeln!(
        s,
        "<p class=\"lede\">Draft written by {} {} from the logs listed in the appendix. Times are UTC. Check the findings and edit before sharing.</p>",
        r.tool.name,
        h(r.tool.version)
    );
    summary(s, r);
    chart_section(s, r);
    timeline_section(s, r);
    causes_section(s, r);
    misleading_section(s, r);
    measures_section(s, r);
    appendix(s, r);
    let _ = writeln!(
        s,
        "<footer>{} {} · report schema {}</footer>\n</main>\n</body>\n</html>",
        r.tool.name,
        h(r.tool.version),
        r.schema_version
    );
}

fn fact(s: &mut String, label: &str, value_html: &str) {
    let _ = writeln!(s, "<dt>{label}</dt><dd>{value_html}</dd>");
}

fn summary(s: &mut String, r: &Report) {
    s.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
    let Some(w) = &r.window else {
        s.push_str("<p>No incident window was found: warnings, errors, failure signatures and 5xx responses stay at their usual level across the data. See the notes in the appendix.</p>\n</section>\n");
        return;
    };
    s.push_str("<dl class=\"facts\">\n");
    fact(s, "Start", &format!("{} UTC", fmt_time(w.start)));
    fact(s, "End", &format!("{} UTC", fmt_time(w.end)));
    fact(s, "Duration", &human_duration_of(w.end.0 - w.start.0));
    let detection = if w.detected == "user" {
        "window given by the user (--window)".to_string()
    } else {
        format!(
            "automatic, from the rate of warnings, errors, failure signatures and 5xx responses (window score {:.1})",
            w.score
        )
    };
    fact(s, "Detection", &detection);
    let services = affected_services(r);
    if !services.is_empty() {
        fact(s, "Services affected", &h(&services.join(", ")));
    }
    let notable: Vec<String> = r
        .causes
        .iter()
        .chain(&r.symptoms)
        .filter(|f| f.window_count > 0)
        .map(|f| {
            format!(
                "{} × {} in {}",
                thousands(f.window_count),
                h(&finding_what(f)),
                h(&f.service)
            )
        })
        .collect();
    if !notable.is_empty() {
        fact(s, "Notable events in the window", &notable.join("<br>"));
    }
    if let Some(i) = &r.impact {
        for (label, line) in impact_lines(i) {
            fact(s, label, &h(&line));
        }
    }
    s.push_str("</dl>\n");
    if !r.symptoms.is_empty() {
        let what: Vec<String> = r
            .symptoms
            .iter()
            .map(|f| {
                format!(
                    "{} in {} ({})",
                    finding_what(f),
                    f.service,
                    counts_phrase(f, r)
                )
            })
            .collect();
        let _ = writeln!(
            s,
            "<p><strong>What was seen.</strong> From {} to {} UTC the logs show: {}.</p>",
            fmt_time(w.start),
            fmt_time(w.end),
            h(&what.join("; "))
        );
    }
    if let Some(f) = r.causes.first() {
        let _ = writeln!(
            s,
            "<p><strong>Most likely cause:</strong> {}</p>",
            h(&super::md::cause_sentence(f))
        );
    }
    s.push_str("</section>\n");
}

fn chart_section(s: &mut String, r: &Report) {
    let Some(svg) = super::svg::chart(r) else {
        return;
    };
    s.push_str("<section id=\"chart\">\n<h2>Trouble over time</h2>\n<div class=\"chart-box\">\n");
    s.push_str(&svg);
    s.push_str("\n</div>\n<p class=\"meta\">Warnings, errors, failure signatures and 5xx responses per bucket, stacked by service. Shaded: the incident window. Dashed lines: changes; solid red lines: onsets of the cause candidates. Hover a line for details.</p>\n</section>\n");
}

fn timeline_section(s: &mut String, r: &Report) {
    let rows = timeline(r);
    if rows.is_empty() {
        return;
    }
    s.push_str("<section id=\"timeline\">\n<h2>Timeline (UTC)</h2>\n<table>\n<thead><tr><th>Time</th><th>Event</th></tr></thead>\n<tbody>\n");
    for e in rows {
        let _ = writeln!(
            s,
            "<tr class=\"{}\"><td class=\"time\">{}</td><td>{}</td></tr>",
            e.kind,
            fmt_time(e.time),
            h(&e.what)
        );
    }
    s.push_str("</tbody>\n</table>\n</section>\n");
}

fn causes_section(s: &mut String, r: &Report) {
    if r.causes.is_empty() {
        return;
    }
    s.push_str("<section id=\"causes\">\n<h2>Root cause candidates</h2>\n");
    for f in &r.causes {
        let _ = writeln!(
            s,
            "<article class=\"cause\" id=\"cause-{}\">\n<h3>{}. {}</h3>",
            f.rank,
            f.rank,
            h(&finding_name(f))
        );
        let mut meta = format!(
            "<span class=\"badge {}\">{} confidence</span> score {:.2}",
            h(f.confidence),
            h(f.confidence),
            f.score
        );
        if let Some(o) = f.onset {
            let _ = write!(meta, " · onset {} UTC", fmt_time_ms(o));
        }
        let _ = write!(meta, " · {}", h(&counts_phrase(f, r)));
        let _ = writeln!(s, "<p class=\"meta\">{meta}</p>");
        if f.title.is_some() || f.template.is_some() {
            let _ = writeln!(s, "<p><strong>Signal:</strong> {}</p>", h(&finding_what(f)));
        }
        let why = why_sentences(&f.why);
        if !why.is_empty() {
            let _ = writeln!(s, "<p><strong>Why:</strong> {}</p>", h(&why.join(" ")));
        }
        if let Some(c) = &f.change {
            let _ = writeln!(
                s,
                "<p><strong>Preceded by:</strong> the {} <span class=\"meta\">[{}]</span></p>",
                h(&change_phrase(c)),
                h(&c.source)
            );
        }
        if !f.explains.is_empty() {
            let list: Vec<String> = f
                .explains
                .iter()
                .map(|e| format!("{} in {}", category_title(&e.category), e.service))
                .collect();
            let _ = writeln!(
                s,
                "<p><strong>Explains:</strong> {}</p>",
                h(&list.join("; "))
            );
        }
        evidence(s, f);
        s.push_str("</article>\n");
    }
    s.push_str("</section>\n");
}

fn evidence(s: &mut String, f: &Finding) {
    if f.evidence.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "<details{}><summary>Evidence ({} of {} lines)</summary>",
        if f.rank == 1 { " open" } else { "" },
        f.evidence.len().min(EVIDENCE_SHOWN),
        thousands(f.window_count.max(f.evidence.len() as u64))
    );
    for e in f.evidence.iter().take(EVIDENCE_SHOWN) {
        let _ = writeln!(
            s,
            "<div class=\"ev\"><div class=\"evh\">{}:{} · {} UTC</div><pre><code>{}</code></pre></div>",
            h(&e.path),
            e.line,
            fmt_time_ms(e.time),
            h(&trim_evidence(&e.text))
        );
    }
    s.push_str("</details>\n");
}

fn misleading_section(s: &mut String, r: &Report) {
    if r.symptoms.is_empty() && r.background.is_empty() {
        return;
    }
    s.push_str("<section id=\"misleading\">\n<h2>Misleading paths</h2>\n");
    if !r.symptoms.is_empty() {
        s.push_str("<p>These changed with the incident but are effects, not causes:</p>\n<ul>\n");
        for f in &r.symptoms {
            let mut line = format!("{} ({})", counts_phrase(f, r), f.category.replace('_', " "));
            match &f.explained_by {
                Some(b) => {
                    let _ = write!(
                        line,
                        ". Explained by {} in {}: it began earlier and can cause this",
                        category_title(&b.category),
                        b.service
                    );
                }
                None => line.push_str(". It follows the causes above"),
            }
            line.push('.');
            let _ = writeln!(
                s,
                "<li><strong>{} in {}</strong>: {}</li>",
                h(&finding_what(f)),
                h(&f.service),
                h(&line)
            );
        }
        s.push_str("</ul>\n");
    }
    if !r.background.is_empty() {
        s.push_str("<p>These were already there at about the same rate before the incident, so they do not explain it:</p>\n<ul>\n");
        for f in r.background.iter().take(10) {
            let _ = writeln!(
                s,
                "<li><strong>{} in {}</strong>: {}.</li>",
                h(&finding_what(f)),
                h(&f.service),
                h(&counts_phrase(f, r))
            );
        }
        if r.background.len() > 10 {
            let _ = writeln!(s, "<li>… and {} more</li>", r.background.len() - 10);
        }
        s.push_str("</ul>\n");
    }
    s.push_str("</section>\n");
}

fn measures_section(s: &mut String, r: &Report) {
    let with: Vec<(&Finding, Vec<String>)> = r
        .causes
        .iter()
        .map(|f| (f, measures(f, r)))
        .filter(|(_, m)| !m.is_empty())
        .collect();
    if with.is_empty() {
        return;
    }
    s.push_str("<section id=\"measures\">\n<h2>Corrective and preventive measures</h2>\n");
    for (f, items) in with {
        let _ = writeln!(
            s,
            "<h3>For candidate {}, {}</h3>\n<ul class=\"todo\">",
            f.rank,
            h(&finding_name(f))
        );
        for m in items {
            let _ = writeln!(s, "<li>{}</li>", h(&m));
        }
        s.push_str("</ul>\n");
    }
    s.push_str("</section>\n");
}

fn appendix(s: &mut String, r: &Report) {
    s.push_str("<section id=\"appendix\">\n<h2>Appendix</h2>\n<h3>Inputs</h3>\n");
    if r.inputs.is_empty() {
        s.push_str("<p>No inputs.</p>\n");
    } else {
        s.push_str("<table>\n<thead><tr><th>Path</th><th>Format</th><th>Service</th><th>Lines</th><th>Parsed</th><th>Unparsed</th><th>First (UTC)</th><th>Last (UTC)</th></tr></thead>\n<tbody>\n");
        for i in &r.inputs {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"time\">{}</td><td class=\"time\">{}</td></tr>",
                h(&i.path),
                h(&i.format),
                h(&i.service),
                thousands(i.lines),
                thousands(i.parsed),
                thousands(i.unparsed),
                i.first.map_or_else(|| "-".to_string(), fmt_time),
                i.last.map_or_else(|| "-".to_string(), fmt_time)
            );
        }
        s.push_str("</tbody>\n</table>\n");
    }
    if let Some(w) = &r.window {
        s.push_str("<h3>Window and baseline</h3>\n<ul>\n");
        let _ = writeln!(
            s,
            "<li>Incident window: {} → {} UTC ({}), {}, resolution {} s</li>",
            fmt_time(w.start),
            fmt_time(w.end),
            human_duration_of(w.end.0 - w.start.0),
            if w.detected == "user" {
                "given by the user"
            } else {
                "detected automatically"
            },
            w.resolution_s
        );
        let _ = writeln!(
            s,
            "<li>Baseline: {} → {} UTC ({})</li>\n</ul>",
            fmt_time(w.baseline_start),
            fmt_time(w.baseline_end),
            human_duration_of(w.baseline_end.0 - w.baseline_start.0)
        );
    }
    if !r.clocks.is_empty() {
        s.push_str("<h3>Clock corrections</h3>\n<ul>\n");
        for c in &r.clocks {
            let _ = writeln!(
                s,
                "<li>{}: {:+.3} s against {} ({} shared request ids, spread {:.3} s){}</li>",
                h(&c.service),
                c.correction_s,
                h(&c.reference),
                c.anchors,
                c.spread_s,
                if c.applied {
                    ", applied"
                } else {
                    ", not applied"
                }
            );
        }
        s.push_str("</ul>\n");
    }
    if !r.notes.is_empty() {
        s.push_str("<h3>Notes</h3>\n<ul>\n");
        for n in &r.notes {
            let _ = writeln!(s, "<li>{}</li>", h(n));
        }
        s.push_str("</ul>\n");
    }
    s.push_str("<p class=\"meta\">Causes are ranked by how strongly a signal rose, whether it began first, what it can explain and whether a change preceded it; they are candidates to confirm, not verdicts.</p>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::md::tests::hostile_report;

    fn render_string(r: &Report) -> String {
        let mut out = Vec::new();
        write(&mut out, r).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn html_invalid_hostile_report_injects_no_element() {
        let out = render_string(&hostile_report(true));
        assert!(!out.contains("<script"), "raw <script");
        assert!(!out.contains("<img"), "raw <img");
        assert!(!out.contains("\"><img"), "attribute break-out");
        assert!(!out.contains("href="), "a link");
        assert!(!out.contains("src=\""), "an external resource");
        assert!(!out.contains('\x1b'));
        assert!(!out.contains('\u{202E}'));
        assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(out.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    }

    #[test]
    fn html_valid_self_contained_with_csp_and_sections() {
        let out = render_string(&hostile_report(true));
        assert!(out.starts_with("<!DOCTYPE html>"));
        assert!(out.contains("Content-Security-Policy"));
        assert!(out.contains("default-src 'none'"));
        assert!(!out.contains("<link"));
        for id in [
            "summary",
            "chart",
            "timeline",
            "causes",
            "misleading",
            "measures",
            "appendix",
        ] {
            assert!(
                out.contains(&format!("<section id=\"{id}\">")),
                "missing {id}"
            );
        }
        assert!(out.contains("<details open><summary>Evidence"));
        assert!(out.contains("31% of clients (1,204 of 3,880, by address) saw at least one 5xx"));
    }

    #[test]
    fn html_valid_no_incident_still_renders() {
        let mut r = hostile_report(false);
        r.window = None;
        r.causes.clear();
        r.symptoms.clear();
        r.background.clear();
        r.chart = None;
        let out = render_string(&r);
        assert!(out.contains("Incident report: no incident found"));
        assert!(out.ends_with("</html>\n"));
    }
}
