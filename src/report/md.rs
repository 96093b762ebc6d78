//! The postmortem draft of `culprit analyze --format md`: a Markdown document that renders on
//! GitHub and GitLab with the sections a team writes by hand — summary, timeline, root cause
//! candidates with evidence, misleading paths, corrective measures, appendix.
//!
//! Besides [`write`], this module holds what the HTML report shares with it: plain-text
//! building blocks ([`finding_name`], [`why_sentences`], [`timeline`], [`impact_lines`],
//! [`measures`]) that return *unescaped* text, which each writer escapes for its own output,
//! and [`specifics`], a small table of regexes that turns evidence text (HikariCP pool stats,
//! SQLAlchemy pool limits, PostgreSQL durations, OOM kills, …) into concrete sentences.
//!
//! Output is a pure function of the [`Report`]: no wall-clock time, no map iteration order,
//! so two runs give byte-identical files.

use super::escape::{markdown_code_block, markdown_inline as md};
use super::model::{ChangeInfo, Finding, Impact, Report};
use crate::analyze::human_duration;
use crate::event::Timestamp;
use crate::patterns::{Category, SignatureSet};
use regex::Regex;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::str::FromStr;
use std::sync::LazyLock;

/// Evidence lines quoted per finding.
pub(crate) const EVIDENCE_SHOWN: usize = 3;
/// Evidence text longer than this (in characters) is cut, with `…`.
pub(crate) const EVIDENCE_MAX_CHARS: usize = 400;
/// Changes this long after the window still appear in the timeline: a rollback or a flag flip
/// just after recovery is part of the story.
const CHANGE_AFTER_WINDOW_NANOS: i64 = 30 * 60 * Timestamp::NANOS_PER_SEC;

// ---------------------------------------------------------------------------------------------
// Plain-text building blocks shared with the HTML report (unescaped: callers escape).

/// `2024-03-12 13:05:03` (UTC, whole seconds).
pub(crate) fn fmt_time(t: Timestamp) -> String {
    t.to_datetime().format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `13:05:03.936` when the time has a fraction, else `13:05:03`, with the date.
pub(crate) fn fmt_time_ms(t: Timestamp) -> String {
    let ms = t.0.rem_euclid(Timestamp::NANOS_PER_SEC) / 1_000_000;
    if ms == 0 {
        fmt_time(t)
    } else {
        format!("{}.{ms:03}", fmt_time(t))
    }
}

/// `1,204`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A share as a percentage: one decimal below 10 %, none above (`4.2%`, `31%`).
pub(crate) fn percent(share: f64) -> String {
    let p = share * 100.0;
    if !p.is_finite() {
        "-".to_string()
    } else if p != 0.0 && p.abs() < 10.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

/// What the taxonomy calls a category (`Application database connection pool exhausted`), or
/// the id with spaces for analysis-only categories.
pub(crate) fn category_title(category: &str) -> String {
    match Category::from_str(category) {
        Ok(c) => SignatureSet::embedded().category(c).title.clone(),
        Err(_) => match category {
            "unclassified" => "New or rising log message".to_string(),
            "silence" => "Service stopped logging".to_string(),
            other => other.replace('_', " "),
        },
    }
}

/// What a finding is about, in words: the signature's title, else the message template, else
/// the category's title.
pub(crate) fn finding_what(f: &Finding) -> String {
    f.title
        .clone()
        .or_else(|| f.template.as_ref().map(|t| t.replace("<*>", "…")))
        .unwrap_or_else(|| category_title(&f.category))
}

/// `Application database connection pool exhausted in auth-api`.
pub(crate) fn finding_name(f: &Finding) -> String {
    format!("{} in {}", category_title(&f.category), f.service)
}

/// The ranking's reasons (`why`, `; `-separated) as sentences.
pub(crate) fn why_sentences(why: &str) -> Vec<String> {
    why.trim()
        .trim_end_matches('.')
        .split("; ")
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            let mut chars = s.trim().chars();
            let first: String = chars
                .next()
                .map(|c| c.to_uppercase().collect())
                .unwrap_or_default();
            format!("{first}{}.", chars.as_str())
        })
        .collect()
}

/// Evidence text cut to [`EVIDENCE_MAX_CHARS`] characters.
pub(crate) fn trim_evidence(text: &str) -> String {
    let text = text.trim_end();
    match text.char_indices().nth(EVIDENCE_MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// `deploy of auth-api 2.14.0 at 2024-03-12 12:47:31 UTC (“…”)`.
pub(crate) fn change_phrase(c: &ChangeInfo) -> String {
    change_text(c, true)
}

/// `deploy of auth-api 2.14.0 (“…”)`, with the time when `with_time`.
pub(crate) fn change_text(c: &ChangeInfo, with_time: bool) -> String {
    let mut s = c.kind.replace('_', " ");
    if let Some(service) = &c.service {
        let _ = write!(s, " of {service}");
    }
    if let Some(v) = &c.version {
        let _ = write!(s, " {v}");
    }
    if with_time {
        let _ = write!(s, " at {} UTC", fmt_time(c.time));
    }
    if let Some(d) = &c.description {
        let _ = write!(s, " (“{d}”)");
    }
    if c.inferred {
        s.push_str(", inferred from the logs");
    }
    s
}

/// Per-minute rate of `count` over `nanos`.
fn per_minute(count: u64, nanos: i64) -> Option<f64> {
    (nanos > 0).then(|| count as f64 * 60.0 * Timestamp::NANOS_PER_SEC as f64 / nanos as f64)
}

/// Counts of a finding in words: `816 in the window, none before` or with rates.
pub(crate) fn counts_phrase(f: &Finding, r: &Report) -> String {
    let w = thousands(f.window_count);
    if f.baseline_count == 0 {
        return format!("{w} in the window, none in the baseline");
    }
    let b = thousands(f.baseline_count);
    match &r.window {
        Some(win) => {
            let wr = per_minute(f.window_count, win.end.0 - win.start.0);
            let br = per_minute(f.baseline_count, win.baseline_end.0 - win.baseline_start.0);
            match (wr, br) {
                (Some(wr), Some(br)) => format!(
                    "{w} in the window ({wr:.2}/min) against {b} in the baseline ({br:.2}/min)"
                ),
                _ => format!("{w} in the window, {b} in the baseline"),
            }
        }
        None => format!("{w} in the window, {b} in the baseline"),
    }
}

/// Services of causes and symptoms, sorted, without duplicates.
pub(crate) fn affected_services(r: &Report) -> Vec<String> {
    let mut s: Vec<String> = r
        .causes
        .iter()
        .chain(&r.symptoms)
        .map(|f| f.service.clone())
        .collect();
    s.sort();
    s.dedup();
    s
}

/// What users saw, one line each (unescaped), from [`Impact`].
pub(crate) fn impact_lines(i: &Impact) -> Vec<(&'static str, String)> {
    let mut lines = Vec::new();
    let mut failed = format!(
        "{} of requests failed with a 5xx ({} of {})",
        percent(i.error_share),
        thousands(i.errors_5xx),
        thousands(i.requests)
    );
    if let Some(b) = i.baseline_error_share {
        let _ = write!(failed, ", against {} in the baseline", percent(b));
    }
    if !i.services.is_empty() {
        let _ = write!(failed, "; access logs of {}", i.services.join(", "));
    }
    if !i.behind_edge.is_empty() {
        let _ = write!(
            failed,
            " (not {}, behind it: the same requests)",
            i.behind_edge.join(", ")
        );
    }
    lines.push(("Failed requests", failed));
    let by = match i.client_key {
        "user" => "by user id",
        "address" => "by address",
        other => other,
    };
    lines.push((
        "Affected clients",
        format!(
            "{} of clients ({} of {}, {by}) saw at least one 5xx",
            percent(i.client_error_share),
            thousands(i.clients_with_error),
            thousands(i.clients)
        ),
    ));
    if let Some(l) = i.latency_ms {
        let mut s = format!("p95 {} in the window", ms(l.p95));
        if let Some(b) = i.baseline_latency_ms {
            let _ = write!(s, " against {} in the baseline", ms(b.p95));
        }
        let _ = write!(s, " (p50 {}, p99 {})", ms(l.p50), ms(l.p99));
        lines.push(("Latency", s));
    }
    lines
}

fn ms(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.1} s", v / 1000.0)
    } else if v >= 10.0 {
        format!("{} ms", thousands(v.round().max(0.0) as u64))
    } else {
        format!("{v:.1} ms")
    }
}

/// `1-minute`, `5-minute`, `30-second`, `2-hour`.
pub(crate) fn bucket_words(secs: i64) -> String {
    if secs > 0 && secs % 3600 == 0 {
        format!("{}-hour", secs / 3600)
    } else if secs > 0 && secs % 60 == 0 {
        format!("{}-minute", secs / 60)
    } else {
        format!("{secs}-second")
    }
}

/// One row of the timeline.
pub(crate) struct TimelineEntry {
    pub time: Timestamp,
    /// What happened (unescaped).
    pub what: String,
    /// `change`, `cause`, `symptom`, `window`: for styling.
    pub kind: &'static str,
}

/// The incident's timeline: baseline start, changes, onsets, window start, peak, window end —
/// sorted by time (ties in the order listed here).
pub(crate) fn timeline(r: &Report) -> Vec<TimelineEntry> {
    let Some(w) = &r.window else {
        return Vec::new();
    };
    let mut rows: Vec<(Timestamp, u8, TimelineEntry)> = Vec::new();
    let mut push = |time: Timestamp, order: u8, kind: &'static str, what: String| {
        rows.push((time, order, TimelineEntry { time, what, kind }));
    };
    push(
        w.baseline_start,
        0,
        "window",
        "Baseline begins (normal behaviour, used for comparison)".to_string(),
    );
    for c in &r.deploys {
        if c.time >= w.baseline_start && c.time.0 <= w.end.0 + CHANGE_AFTER_WINDOW_NANOS {
            let mut s = format!("Change: {}", change_text(c, false));
            if !c.inferred {
                let _ = write!(s, " [{}]", c.source);
            }
            push(c.time, 1, "change", s);
        }
    }
    push(
        w.start,
        2,
        "window",
        "First anomaly: trouble rises above the baseline (incident window begins)".to_string(),
    );
    for f in &r.causes {
        if let Some(t) = f.onset {
            push(
                t,
                3,
                "cause",
                format!("Onset of cause candidate {}: {}", f.rank, finding_name(f)),
            );
        }
    }
    for f in &r.symptoms {
        if let Some(t) = f.onset {
            push(
                t,
                4,
                "symptom",
                format!("Symptom begins: {} in {}", finding_what(f), f.service),
            );
        }
    }
    if let Some(p) = w.peak {
        let n = r.chart.as_ref().map_or(0, |c| {
            let res = c.resolution_s.max(1) * Timestamp::NANOS_PER_SEC;
            let i = usize::try_from((p.0 - c.start.0).div_euclid(res)).ok();
            i.map_or(0, |i| {
                c.series.iter().filter_map(|s| s.counts.get(i)).sum::<u64>()
            })
        });
        push(
            p,
            5,
            "window",
            format!(
                "Peak: {} notable events in one {} bucket, the most of the window",
                thousands(n),
                bucket_words(w.resolution_s)
            ),
        );
    }
    push(
        w.end,
        6,
        "window",
        "Trouble back to the baseline level (incident window ends: recovery)".to_string(),
    );
    rows.sort_by_key(|a| (a.0, a.1));
    rows.into_iter().map(|(_, _, e)| e).collect()
}

// ---------------------------------------------------------------------------------------------
// Specific findings from evidence text.

type Summarise = fn(&[regex::Captures<'_>]) -> Option<String>;

fn num(c: &regex::Captures<'_>, i: usize) -> Option<f64> {
    c.get(i).and_then(|m| m.as_str().parse::<f64>().ok())
}

fn cut(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Regexes over evidence text, each with what it lets us say. Every summariser sees all the
/// matches in a finding's evidence.
static SPECIFICS: LazyLock<Vec<(Regex, Summarise)>> = LazyLock::new(|| {
    let rules: Vec<(&str, Summarise)> = vec![
        // HikariCP ≥ 4.0.2, HikariPool.createTimeoutException():
        // `poolName + " - Connection is not available, request timed out after " + elapsed +
        // "ms (total=" + total + ", active=" + active + ", idle=" + idle + ", waiting=" + waiting
        // + ")"`, and logPoolState's "… stats (total=…, active=…, idle=…, waiting=…)".
        // https://github.com/brettwooldridge/HikariCP/blob/dev/src/main/java/com/zaxxer/hikari/pool/HikariPool.java
        (
            r"\(total=(\d+), active=(\d+), idle=(\d+), waiting=(\d+)\)",
            |caps| {
                let worst = caps
                    .iter()
                    .filter_map(|c| Some((num(c, 1)?, num(c, 2)?, num(c, 3)?, num(c, 4)?)))
                    .max_by(|a, b| a.3.total_cmp(&b.3))?;
                let (total, active, idle, waiting) = worst;
                Some(if total == 0.0 {
                    format!(
                        "HikariCP reported a pool with no connection at all and {waiting} requests waiting: it could not open connections, so look for database or network errors just before"
                    )
                } else if active >= total && idle == 0.0 {
                    format!(
                        "HikariCP's own stats in the evidence: all {total} connections of the pool were in use (so its maximumPoolSize is most likely {total}), with up to {waiting} requests waiting for one"
                    )
                } else {
                    format!(
                        "HikariCP's own stats in the evidence: {total} connections ({active} active, {idle} idle), with up to {waiting} requests waiting: the pool was below its size, so opening connections failed or was slow"
                    )
                })
            },
        ),
        // Same source: the elapsed wait is connectionTimeout (30000 ms by default).
        (
            r"Connection is not available, request timed out after (\d+)ms",
            |caps| {
                let ms = caps.iter().filter_map(|c| num(c, 1)).reduce(f64::min)?;
                Some(format!(
                    "Requests waited {:.0} s for a connection before failing (connectionTimeout): each failed request held a thread for that long",
                    ms / 1000.0
                ))
            },
        ),
        // SQLAlchemy pool/impl.py QueuePool._do_get: "QueuePool limit of size %d overflow %d
        // reached, connection timed out, timeout %0.2f".
        // https://github.com/sqlalchemy/sqlalchemy/blob/main/lib/sqlalchemy/pool/impl.py
        (
            r"QueuePool limit of size (\d+) overflow (-?\d+) reached, connection timed out, timeout ([\d.]+)",
            |caps| {
                let c = caps.first()?;
                let (size, overflow, timeout) = (num(c, 1)?, num(c, 2)?, num(c, 3)?);
                Some(format!(
                    "SQLAlchemy's pool was full: pool_size {size} + max_overflow {overflow} = {} connections all checked out, and requests gave up after pool_timeout {timeout} s",
                    size + overflow.max(0.0)
                ))
            },
        ),
        // PostgreSQL log_min_duration_statement, tcop/postgres.c:
        // "duration: %s ms  statement: %s" / "duration: %s ms  execute %s: %s".
        // https://github.com/postgres/postgres/blob/master/src/backend/tcop/postgres.c
        (
            r"duration: (\d+(?:\.\d+)?) ms  (?:statement|(?:execute|parse|bind) [^:]*): (.+)",
            |caps| {
                let c = caps.iter().max_by(|a, b| {
                    num(a, 1)
                        .unwrap_or(0.0)
                        .total_cmp(&num(b, 1).unwrap_or(0.0))
                })?;
                let secs = num(c, 1)? / 1000.0;
                let query = c.get(2)?.as_str();
                Some(format!(
                    "The slowest statement in the evidence took {secs:.1} s: {}",
                    cut(query, 160)
                ))
            },
        ),
        // Linux mm/oom_kill.c __oom_kill_process: "%s: Killed process %d (%s) total-vm:%lukB,
        // anon-rss:%lukB, …" (prefix "Out of memory" or "Memory cgroup out of memory").
        // https://github.com/torvalds/linux/blob/master/mm/oom_kill.c
        (
            r"Killed process (\d+) \(([^)]*)\) total-vm:(\d+)kB, anon-rss:(\d+)kB",
            |caps| {
                let mut names: Vec<&str> = caps
                    .iter()
                    .filter_map(|c| c.get(2).map(|m| m.as_str()))
                    .collect();
                names.sort_unstable();
                names.dedup();
                let rss = caps.iter().filter_map(|c| num(c, 4)).reduce(f64::max)?;
                Some(format!(
                    "The kernel killed {} ({} kill(s) in the evidence) at up to {:.0} MiB of anonymous memory (anon-rss): that is the footprint to compare with the memory limit",
                    names.join(", "),
                    caps.len(),
                    rss / 1024.0
                ))
            },
        ),
        // PostgreSQL storage errors, e.g. xlog.c: `could not write to file "%s": %m` with ENOSPC.
        // https://github.com/postgres/postgres/blob/master/src/backend/access/transam/xlog.c
        (
            r#"could not (?:write to|extend) file "([^"]+)": No space left on device"#,
            |caps| {
                let file = caps.first()?.get(1)?.as_str();
                let dir = file.rsplit_once('/').map_or(file, |(d, _)| d);
                Some(format!(
                    "PostgreSQL could not write {file}: the volume holding {dir} was full"
                ))
            },
        ),
        // CoreDNS plugin/errors with the forward plugin: "… read udp SRC->UPSTREAM:53: i/o timeout".
        // https://github.com/coredns/coredns/blob/master/plugin/forward/README.md
        (r"read udp \S+->(\S+:\d+): i/o timeout", |caps| {
            let mut ups: Vec<&str> = caps
                .iter()
                .filter_map(|c| c.get(1).map(|m| m.as_str()))
                .collect();
            ups.sort_unstable();
            ups.dedup();
            Some(format!(
                "Upstream resolver(s) {} did not answer CoreDNS in time",
                ups.join(", ")
            ))
        }),
    ];
    rules
        .into_iter()
        .filter_map(|(re, f)| Regex::new(re).ok().map(|re| (re, f)))
        .collect()
});

/// Concrete sentences (unescaped) that the evidence of `f` supports, in table order.
pub(crate) fn specifics(f: &Finding) -> Vec<String> {
    SPECIFICS
        .iter()
        .filter_map(|(re, summarise)| {
            let caps: Vec<regex::Captures<'_>> = f
                .evidence
                .iter()
                .filter_map(|e| re.captures(&e.text))
                .collect();
            if caps.is_empty() {
                None
            } else {
                summarise(&caps)
            }
        })
        .collect()
}

/// Corrective and preventive measures for a cause (unescaped), most specific first: the
/// change to review, what the evidence says, the signature's remediation, an alert.
pub(crate) fn measures(f: &Finding, r: &Report) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(c) = &f.change {
        let lead = f
            .onset
            .map(|o| {
                let d = o.0.saturating_sub(c.time.0);
                if d >= 0 {
                    format!(" ({} before the onset)", human_duration(d))
                } else {
                    format!(" ({} after the onset)", human_duration(d.saturating_neg()))
                }
            })
            .unwrap_or_default();
        // A later rollback of the same service says whether undoing the change helped.
        let rollback = r.deploys.iter().find(|d| {
            d.kind == "rollback" && d.time > c.time && d.service.is_some() && d.service == c.service
        });
        let next = match (rollback, &r.window) {
            (Some(rb), Some(w)) => format!(
                "The {} followed; the incident window ends at {} UTC: confirm the rollback is what ended it.",
                change_phrase(rb),
                fmt_time(w.end)
            ),
            _ => "Roll it back if the onset matches and nothing else explains it.".to_string(),
        };
        out.push(format!(
            "Review the {}{lead}: what did it change in {}? {next}",
            change_phrase(c),
            f.service
        ));
    }
    out.extend(specifics(f).into_iter().map(|s| format!("{s}.")));
    if let Some(rem) = &f.remediation {
        out.push(rem.trim().to_string());
    }
    if f.baseline_count == 0 && f.window_count > 0 {
        out.push(format!(
            "Alert on the first occurrences of “{}” in {}: it never appeared in the baseline.",
            finding_what(f),
            f.service
        ));
    }
    out
}

/// `Application database connection pool exhausted in auth-api (high confidence), from … UTC,
/// 17m32s after the deploy of auth-api 2.14.0 (“…”).`
pub(crate) fn cause_sentence(f: &Finding) -> String {
    let mut line = format!("{} ({} confidence)", finding_name(f), f.confidence);
    if let Some(o) = f.onset {
        let _ = write!(line, ", from {} UTC", fmt_time(o));
    }
    if let Some(c) = &f.change {
        match f.onset {
            Some(o) if o >= c.time => {
                let _ = write!(
                    line,
                    ", {} after the {}",
                    human_duration(o.0 - c.time.0),
                    change_text(c, false)
                );
            }
            _ => {
                let _ = write!(line, ", near the {}", change_phrase(c));
            }
        }
    }
    line.push('.');
    line
}

// ---------------------------------------------------------------------------------------------
// The Markdown writer.

fn heading_title(r: &Report) -> String {
    match (&r.window, r.causes.first()) {
        (None, _) => "no incident found".to_string(),
        (Some(_), Some(f)) => finding_name(f),
        (Some(_), None) => "cause not determined".to_string(),
    }
}

/// Writes the Markdown postmortem draft.
pub fn write(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    let mut s = String::with_capacity(16 * 1024);
    render(&mut s, r);
    out.write_all(s.as_bytes())
}

fn render(s: &mut String, r: &Report) {
    let _ = writeln!(s, "# Incident report: {}\n", md(&heading_title(r)));
    let _ = writeln!(
        s,
        "_Draft written by {} {} from the logs listed in the appendix. Times are UTC. Check the findings and edit before sharing._\n",
        r.tool.name,
        md(r.tool.version)
    );
    summary(s, r);
    timeline_section(s, r);
    causes_section(s, r);
    misleading_section(s, r);
    measures_section(s, r);
    appendix(s, r);
}

fn summary(s: &mut String, r: &Report) {
    s.push_str("## Summary\n\n");
    let Some(w) = &r.window else {
        s.push_str("No incident window was found: warnings, errors, failure signatures and 5xx responses stay at their usual level across the data. See the notes in the appendix.\n\n");
        return;
    };
    let _ = writeln!(s, "- **Start:** {} UTC", fmt_time(w.start));
    let _ = writeln!(s, "- **End:** {} UTC", fmt_time(w.end));
    let _ = writeln!(s, "- **Duration:** {}", human_duration(w.end.0 - w.start.0));
    let _ = writeln!(
        s,
        "- **Detection:** {}",
        if w.detected == "user" {
            "window given by the user (`--window`)".to_string()
        } else {
            format!(
                "automatic, from the rate of warnings, errors, failure signatures and 5xx responses (window score {:.1})",
                w.score
            )
        }
    );
    let services = affected_services(r);
    if !services.is_empty() {
        let list: Vec<String> = services.iter().map(|x| md(x).into_owned()).collect();
        let _ = writeln!(s, "- **Services affected:** {}", list.join(", "));
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
                md(&finding_what(f)),
                md(&f.service)
            )
        })
        .collect();
    if !notable.is_empty() {
        let _ = writeln!(
            s,
            "- **Notable events in the window:** {}",
            notable.join("; ")
        );
    }
    if let Some(i) = &r.impact {
        for (label, line) in impact_lines(i) {
            let _ = writeln!(s, "- **{label}:** {}", md(&line));
        }
    }
    s.push('\n');
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
            "**What was seen.** From {} to {} UTC the logs show: {}.\n",
            fmt_time(w.start),
            fmt_time(w.end),
            md(&what.join("; "))
        );
    }
    if let Some(f) = r.causes.first() {
        let _ = writeln!(s, "**Most likely cause:** {}\n", md(&cause_sentence(f)));
    }
}

fn timeline_section(s: &mut String, r: &Report) {
    let rows = timeline(r);
    if rows.is_empty() {
        return;
    }
    s.push_str("## Timeline (UTC)\n\n| Time | Event |\n|---|---|\n");
    for e in rows {
        let what = md(&e.what);
        let what = match e.kind {
            "cause" => format!("**{what}**"),
            _ => what.into_owned(),
        };
        let _ = writeln!(s, "| {} | {what} |", fmt_time(e.time));
    }
    s.push('\n');
}

fn causes_section(s: &mut String, r: &Report) {
    if r.causes.is_empty() {
        return;
    }
    s.push_str("## Root cause candidates\n\n");
    for f in &r.causes {
        let _ = writeln!(s, "### {}. {}\n", f.rank, md(&finding_name(f)));
        let mut facts = vec![format!(
            "**Confidence:** {} (score {:.2})",
            f.confidence, f.score
        )];
        if let Some(o) = f.onset {
            facts.push(format!("**Onset:** {} UTC", fmt_time_ms(o)));
        }
        facts.push(format!("**Counts:** {}", md(&counts_phrase(f, r))));
        let _ = writeln!(s, "{}\n", facts.join(" · "));
        if f.title.is_some() || f.template.is_some() {
            let _ = writeln!(s, "**Signal:** {}\n", md(&finding_what(f)));
        }
        let why = why_sentences(&f.why);
        if !why.is_empty() {
            let _ = writeln!(s, "**Why:** {}\n", md(&why.join(" ")));
        }
        if let Some(c) = &f.change {
            let _ = writeln!(
                s,
                "**Preceded by:** the {} [{}]\n",
                md(&change_phrase(c)),
                md(&c.source)
            );
        }
        if !f.explains.is_empty() {
            let list: Vec<String> = f
                .explains
                .iter()
                .map(|e| {
                    md(&format!("{} in {}", category_title(&e.category), e.service)).into_owned()
                })
                .collect();
            let _ = writeln!(s, "**Explains:** {}\n", list.join("; "));
        }
        evidence(s, f);
    }
}

fn evidence(s: &mut String, f: &Finding) {
    if f.evidence.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "**Evidence** ({} of {} lines quoted):\n",
        f.evidence.len().min(EVIDENCE_SHOWN),
        thousands(f.window_count.max(f.evidence.len() as u64))
    );
    for e in f.evidence.iter().take(EVIDENCE_SHOWN) {
        let _ = writeln!(
            s,
            "{}:{} at {} UTC\n",
            md(&e.path),
            e.line,
            fmt_time_ms(e.time)
        );
        s.push_str(&markdown_code_block(&trim_evidence(&e.text), "text"));
        s.push('\n');
    }
}

fn misleading_section(s: &mut String, r: &Report) {
    if r.symptoms.is_empty() && r.background.is_empty() {
        return;
    }
    s.push_str("## Misleading paths\n\n");
    if !r.symptoms.is_empty() {
        s.push_str("These changed with the incident but are effects, not causes:\n\n");
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
                "- **{} in {}**: {}",
                md(&finding_what(f)),
                md(&f.service),
                md(&line)
            );
        }
        s.push('\n');
    }
    if !r.background.is_empty() {
        s.push_str("These were already there at about the same rate before the incident, so they do not explain it:\n\n");
        for f in r.background.iter().take(10) {
            let _ = writeln!(
                s,
                "- **{} in {}**: {}.",
                md(&finding_what(f)),
                md(&f.service),
                md(&counts_phrase(f, r))
            );
        }
        if r.background.len() > 10 {
            let _ = writeln!(s, "- … and {} more", r.background.len() - 10);
        }
        s.push('\n');
    }
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
    s.push_str("## Corrective and preventive measures\n\n");
    for (f, items) in with {
        let _ = writeln!(s, "For candidate {}, {}:\n", f.rank, md(&finding_name(f)));
        for m in items {
            let _ = writeln!(s, "- [ ] {}", md(&m));
        }
        s.push('\n');
    }
}

fn appendix(s: &mut String, r: &Report) {
    s.push_str("## Appendix\n\n### Inputs\n\n");
    if r.inputs.is_empty() {
        s.push_str("No inputs.\n\n");
    } else {
        s.push_str("| Path | Format | Service | Lines | Parsed | Unparsed | First (UTC) | Last (UTC) |\n|---|---|---|---:|---:|---:|---|---|\n");
        for i in &r.inputs {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                md(&i.path),
                md(&i.format),
                md(&i.service),
                thousands(i.lines),
                thousands(i.parsed),
                thousands(i.unparsed),
                i.first.map_or_else(|| "-".to_string(), fmt_time),
                i.last.map_or_else(|| "-".to_string(), fmt_time)
            );
        }
        s.push('\n');
    }
    if let Some(w) = &r.window {
        s.push_str("### Window and baseline\n\n");
        let _ = writeln!(
            s,
            "- Incident window: {} → {} UTC ({}), {}, resolution {} s",
            fmt_time(w.start),
            fmt_time(w.end),
            human_duration(w.end.0 - w.start.0),
            if w.detected == "user" {
                "given by the user"
            } else {
                "detected automatically"
            },
            w.resolution_s
        );
        let _ = writeln!(
            s,
            "- Baseline: {} → {} UTC ({})\n",
            fmt_time(w.baseline_start),
            fmt_time(w.baseline_end),
            human_duration(w.baseline_end.0 - w.baseline_start.0)
        );
    }
    if !r.clocks.is_empty() {
        s.push_str("### Clock corrections\n\n");
        for c in &r.clocks {
            let _ = writeln!(
                s,
                "- {}: {:+.3} s against {} ({} shared request ids, spread {:.3} s){}",
                md(&c.service),
                c.correction_s,
                md(&c.reference),
                c.anchors,
                c.spread_s,
                if c.applied {
                    ", applied"
                } else {
                    ", not applied"
                }
            );
        }
        s.push('\n');
    }
    if !r.notes.is_empty() {
        s.push_str("### Notes\n\n");
        for n in &r.notes {
            let _ = writeln!(s, "- {}", md(n));
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "### Tool\n\n{} {}, report schema {}. Causes are ranked by how strongly a signal rose, whether it began first, what it can explain and whether a change preceded it; they are candidates to confirm, not verdicts.",
        r.tool.name,
        md(r.tool.version),
        r.schema_version
    );
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::report::model::{
        Chart, ChartSeries, Evidence, Impact, InputInfo, Latency, Ref, Tool, WindowInfo,
    };

    pub(crate) fn ts(s: &str) -> Timestamp {
        let dt = chrono::DateTime::parse_from_rfc3339(s).unwrap();
        Timestamp::from_datetime(&dt.with_timezone(&chrono::Utc)).unwrap()
    }

    pub(crate) fn finding(category: &str, service: &str, text: &str) -> Finding {
        Finding {
            rank: 1,
            category: category.to_string(),
            service: service.to_string(),
            score: 0.8,
            confidence: "high",
            onset: Some(ts("2024-03-12T13:05:03.931Z")),
            signature: None,
            template: Some(text.to_string()),
            baseline_count: 0,
            window_count: 12,
            explains: vec![Ref {
                category: "upstream_error".to_string(),
                service: "lb".to_string(),
            }],
            change: None,
            evidence: vec![Evidence {
                path: "app/app.log".to_string(),
                line: 7,
                time: ts("2024-03-12T13:05:33.936Z"),
                text: text.to_string(),
            }],
            why: "new in the window: 12 occurrences, none in the baseline; began first."
                .to_string(),
            kind: "template",
            title: None,
            explained_by: None,
            novel: true,
            shape: "step",
            log10_p: -10.0,
            factors: crate::rank::Factors::default(),
            remediation: None,
        }
    }

    /// A report built by hand, with hostile text everywhere log text can reach.
    pub(crate) fn hostile_report(with_impact: bool) -> Report {
        let evil = "<script>alert(1)</script> \"><img src=x onerror=alert(1)> [x](javascript:alert(1)) ![i](http://evil/x.png) ``` | \x1b[31m \u{202E}";
        let mut cause = finding("db_pool_exhaustion", evil, evil);
        cause.title = Some(evil.to_string());
        cause.evidence.push(Evidence {
            path: evil.to_string(),
            line: 9,
            time: ts("2024-03-12T13:06:00Z"),
            text: "HikariPool-1 - Connection is not available, request timed out after 30000ms (total=10, active=10, idle=0, waiting=33)".to_string(),
        });
        cause.change = Some(ChangeInfo {
            time: ts("2024-03-12T12:47:31Z"),
            service: Some(evil.to_string()),
            version: Some(evil.to_string()),
            kind: "deploy",
            description: Some(evil.to_string()),
            source: evil.to_string(),
            inferred: false,
        });
        cause.remediation = Some(evil.to_string());
        let mut symptom = finding("upstream_error", "lb", evil);
        symptom.explained_by = Some(Ref {
            category: "db_pool_exhaustion".to_string(),
            service: evil.to_string(),
        });
        let mut background = finding("network_error", "db", evil);
        background.baseline_count = 25;
        Report {
            schema_version: 1,
            tool: Tool::default(),
            window: Some(WindowInfo {
                start: ts("2024-03-12T13:05:00Z"),
                end: ts("2024-03-12T16:30:00Z"),
                baseline_start: ts("2024-03-12T11:30:00Z"),
                baseline_end: ts("2024-03-12T13:05:00Z"),
                detected: "auto",
                resolution_s: 60,
                score: 39.2,
                peak: Some(ts("2024-03-12T13:07:00Z")),
            }),
            inputs: vec![InputInfo {
                path: evil.to_string(),
                format: evil.to_string(),
                service: evil.to_string(),
                lines: 1234,
                parsed: 1230,
                unparsed: 4,
                first: Some(ts("2024-03-12T11:30:00Z")),
                last: Some(ts("2024-03-12T17:00:00Z")),
            }],
            deploys: cause.change.clone().into_iter().collect(),
            causes: vec![cause],
            symptoms: vec![symptom],
            background: vec![background],
            notes: vec![evil.to_string()],
            chart: Some(Chart {
                start: ts("2024-03-12T11:30:00Z"),
                resolution_s: 60,
                series: vec![
                    ChartSeries {
                        service: evil.to_string(),
                        counts: (0..330)
                            .map(|i| {
                                if (95..300).contains(&i) {
                                    20 + i % 7
                                } else {
                                    i % 3
                                }
                            })
                            .collect(),
                    },
                    ChartSeries {
                        service: "lb".to_string(),
                        counts: (0..330)
                            .map(|i| if (96..300).contains(&i) { 9 } else { 0 })
                            .collect(),
                    },
                ],
            }),
            impact: with_impact.then(|| Impact {
                services: vec![evil.to_string()],
                behind_edge: Vec::new(),
                requests: 4582,
                errors_5xx: 816,
                error_share: 816.0 / 4582.0,
                baseline_error_share: Some(0.0),
                clients: 3880,
                clients_with_error: 1204,
                client_error_share: 1204.0 / 3880.0,
                client_key: "address",
                clients_estimated: false,
                latency_ms: Some(Latency {
                    p50: 41.0,
                    p95: 30012.0,
                    p99: 30040.0,
                }),
                baseline_latency_ms: Some(Latency {
                    p50: 35.0,
                    p95: 118.4,
                    p99: 250.0,
                }),
                per_minute: Vec::new(),
            }),
            clocks: Vec::new(),
            caps: Vec::new(),
        }
    }

    fn render_string(r: &Report) -> String {
        let mut out = Vec::new();
        write(&mut out, r).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn specifics_valid_hikaricp_pool_stats_name_the_size_and_queue() {
        let mut f = finding(
            "db_pool_exhaustion",
            "auth-api",
            "HikariPool-1 - Connection is not available, request timed out after 30005ms (total=10, active=10, idle=0, waiting=29)",
        );
        f.evidence.push(Evidence {
            path: "a".into(),
            line: 2,
            time: ts("2024-03-12T13:05:40Z"),
            text: "HikariPool-1 - Connection is not available, request timed out after 30001ms (total=10, active=10, idle=0, waiting=41)".into(),
        });
        let s = specifics(&f);
        assert_eq!(s.len(), 2, "{s:?}");
        assert!(s[0].contains("all 10 connections"), "{}", s[0]);
        assert!(
            s[0].contains("maximumPoolSize is most likely 10"),
            "{}",
            s[0]
        );
        assert!(s[0].contains("up to 41 requests waiting"), "{}", s[0]);
        assert!(s[1].contains("waited 30 s"), "{}", s[1]);
    }

    #[test]
    fn specifics_valid_hikaricp_empty_pool_points_at_connection_failures() {
        let f = finding(
            "db_pool_exhaustion",
            "api",
            "HikariPool-1 - Timeout failure stats (total=0, active=0, idle=0, waiting=3)",
        );
        let s = specifics(&f);
        assert_eq!(s.len(), 1);
        assert!(s[0].contains("could not open connections"), "{}", s[0]);
    }

    #[test]
    fn specifics_valid_sqlalchemy_queuepool_sums_size_and_overflow() {
        let f = finding(
            "db_pool_exhaustion",
            "checkout",
            "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00 (Background on this error at: https://sqlalche.me/e/20/3o7r)",
        );
        let s = specifics(&f);
        assert_eq!(s.len(), 1);
        assert!(
            s[0].contains("pool_size 5 + max_overflow 10 = 15"),
            "{}",
            s[0]
        );
    }

    #[test]
    fn specifics_valid_postgres_slowest_statement_is_quoted() {
        let mut f = finding(
            "db_slow_query",
            "db",
            "duration: 2318.000 ms  execute <unnamed>: CREATE INDEX i ON orders (status)",
        );
        f.evidence.push(Evidence {
            path: "a".into(),
            line: 2,
            time: ts("2024-03-12T13:05:40Z"),
            text: "duration: 21008.494 ms  statement: SELECT id FROM orders WHERE status = $1"
                .into(),
        });
        let s = specifics(&f);
        assert_eq!(s.len(), 1);
        assert!(s[0].contains("21.0 s: SELECT id FROM orders"), "{}", s[0]);
    }

    #[test]
    fn specifics_valid_oom_kill_reports_the_victim_and_rss() {
        let f = finding(
            "memory_exhaustion",
            "node-a",
            "Memory cgroup out of memory: Killed process 4443 (java) total-vm:4918205kB, anon-rss:2066792kB, file-rss:38425kB, shmem-rss:0kB, UID:1000 pgtables:4506kB oom_score_adj:938",
        );
        let s = specifics(&f);
        assert_eq!(s.len(), 1);
        assert!(s[0].contains("killed java (1 kill(s)"), "{}", s[0]);
        assert!(s[0].contains("2018 MiB"), "{}", s[0]);
    }

    #[test]
    fn specifics_valid_disk_full_and_coredns_upstreams() {
        let f = finding(
            "disk_full",
            "db",
            "could not write to file \"pg_wal/xlogtemp.48211\": No space left on device",
        );
        assert!(specifics(&f)[0].contains("volume holding pg_wal was full"));
        let mut f = finding(
            "dns_failure",
            "coredns",
            "[ERROR] plugin/errors: 2 carrier-gw.internal. AAAA: read udp 10.244.1.5:57997->10.20.0.54:53: i/o timeout",
        );
        f.evidence.push(Evidence {
            path: "a".into(),
            line: 2,
            time: ts("2024-03-12T13:05:40Z"),
            text: "[ERROR] plugin/errors: 2 carrier-gw.internal. A: read udp 10.244.1.5:55954->10.20.0.53:53: i/o timeout".into(),
        });
        assert!(specifics(&f)[0].contains("10.20.0.53:53, 10.20.0.54:53"));
    }

    #[test]
    fn specifics_invalid_unrelated_text_says_nothing() {
        let f = finding(
            "code_error",
            "api",
            "total=10 active=10 (not hikari) duration: fast",
        );
        assert!(specifics(&f).is_empty());
    }

    #[test]
    fn why_sentences_valid_split_and_capitalised() {
        assert_eq!(
            why_sentences("new in the window: 3; began first."),
            vec!["New in the window: 3.", "Began first."]
        );
        assert!(why_sentences("").is_empty());
    }

    #[test]
    fn thousands_and_percent_valid_formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1204), "1,204");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(percent(0.31), "31%");
        assert_eq!(percent(0.178), "18%");
        assert_eq!(percent(0.042), "4.2%");
        assert_eq!(percent(0.0), "0%");
    }

    #[test]
    fn trim_evidence_valid_cuts_on_a_char_boundary() {
        let long = "é".repeat(EVIDENCE_MAX_CHARS + 5);
        let t = trim_evidence(&long);
        assert!(t.ends_with('…'));
        assert_eq!(t.chars().count(), EVIDENCE_MAX_CHARS + 1);
    }

    /// Whether `pat` occurs in `line` with its first character not backslash-escaped.
    fn unescaped(line: &str, pat: &str) -> bool {
        line.match_indices(pat).any(|(i, _)| {
            let backslashes = line[..i].chars().rev().take_while(|&c| c == '\\').count();
            backslashes % 2 == 0
        })
    }

    /// The lines outside fenced code blocks.
    fn prose_lines(out: &str) -> Vec<&str> {
        let mut fence: Option<usize> = None;
        let mut prose = Vec::new();
        for line in out.lines() {
            let run = line.chars().take_while(|&c| c == '`').count();
            match fence {
                None if run >= 3 => fence = Some(run),
                None => prose.push(line),
                Some(open) if run >= open && line.trim_end().len() == run => fence = None,
                Some(_) => {}
            }
        }
        assert!(fence.is_none(), "unclosed code fence");
        prose
    }

    #[test]
    fn markdown_invalid_hostile_report_injects_nothing() {
        let out = render_string(&hostile_report(true));
        assert!(!out.contains('\x1b'), "raw escape character in output");
        assert!(!out.contains('\u{202E}'), "raw bidi override in output");
        for line in prose_lines(&out) {
            for pat in ["<", ">", "](", "![", "`", "://"] {
                assert!(!unescaped(line, pat), "unescaped {pat:?} in: {line}");
            }
            // Every table row keeps its column count: no unescaped `|` from log text.
            if line.starts_with("| ") {
                let cells = line.replace("\\|", "").matches('|').count();
                assert!(cells == 3 || cells == 9, "broken table row: {line}");
            }
        }
        // Evidence containing ``` gets a longer fence, and the fences pair up.
        assert!(out.contains("````text\n"), "{out}");
    }

    #[test]
    fn markdown_valid_impact_figures_are_rendered() {
        let out = render_string(&hostile_report(true));
        assert!(out.contains("**Affected clients:** 31% of clients (1,204 of 3,880, by address) saw at least one 5xx"), "{out}");
        assert!(out.contains("**Failed requests:** 18% of requests failed with a 5xx (816 of 4,582), against 0% in the baseline"), "{out}");
        assert!(
            out.contains("**Latency:** p95 30.0 s in the window against 118 ms in the baseline"),
            "{out}"
        );
        let without = render_string(&hostile_report(false));
        assert!(!without.contains("Affected clients"));
    }

    #[test]
    fn markdown_valid_sections_in_postmortem_order() {
        let out = render_string(&hostile_report(true));
        let pos = |h: &str| out.find(h).unwrap_or_else(|| panic!("missing {h}"));
        let order = [
            "# Incident report: ",
            "## Summary",
            "## Timeline (UTC)",
            "## Root cause candidates",
            "## Misleading paths",
            "## Corrective and preventive measures",
            "## Appendix",
        ];
        for pair in order.windows(2) {
            assert!(
                pos(pair[0]) < pos(pair[1]),
                "{} before {}",
                pair[0],
                pair[1]
            );
        }
        assert!(out.contains("maximumPoolSize is most likely 10), with up to 33 requests waiting"));
    }

    #[test]
    fn timeline_valid_sorted_with_window_markers() {
        let rows = timeline(&hostile_report(false));
        assert!(rows.windows(2).all(|w| w[0].time <= w[1].time));
        assert_eq!(rows.first().map(|e| e.kind), Some("window"));
        assert!(
            rows.iter()
                .any(|e| e.what.starts_with("Peak: 29 notable events")
                    || e.what.starts_with("Peak: "))
        );
        assert!(rows.iter().any(|e| e.kind == "change"));
        assert!(rows.iter().any(|e| e.kind == "cause"));
    }
}
