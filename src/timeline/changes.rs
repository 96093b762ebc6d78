//! Change events: deploys, config changes, rollbacks, migrations, scaling and feature flags,
//! placed on the same UTC timeline as the logs.
//!
//! Two sources:
//! * change files (`--deploys FILE`, and `deploys.*` / `changes.*` found in input directories):
//!   JSON lines, a JSON array, or CSV with a header. Fields: `time` (RFC 3339 or another common
//!   form; zone-less times are read in `--tz`), `service`, `version`, `kind` (default `deploy`),
//!   `description`. Unknown fields are ignored; a bad record is an error naming file and line.
//! * the logs themselves, where a line says so unambiguously ([`infer_from_message`]): a
//!   start-up banner with a version (Spring Boot `Starting X v1.2.3 using Java`), Kubernetes
//!   `Scaled up replica set`, a migration runner (`Migrating schema … to version`, Alembic
//!   `Running upgrade`, Django `Applying app.0042_x`). These are marked `inferred`.

use crate::event::Timestamp;
use crate::time::{Zone, find_timestamp, parse_epoch_str, parse_user_instant};
use serde::Serialize;
use std::path::Path;
use std::sync::LazyLock;

/// What kind of change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Deploy,
    Config,
    Rollback,
    Migration,
    Scale,
    FeatureFlag,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 6] = [
        ChangeKind::Deploy,
        ChangeKind::Config,
        ChangeKind::Rollback,
        ChangeKind::Migration,
        ChangeKind::Scale,
        ChangeKind::FeatureFlag,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Deploy => "deploy",
            ChangeKind::Config => "config",
            ChangeKind::Rollback => "rollback",
            ChangeKind::Migration => "migration",
            ChangeKind::Scale => "scale",
            ChangeKind::FeatureFlag => "feature_flag",
        }
    }

    pub fn parse(s: &str) -> Option<ChangeKind> {
        let lower = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Some(match lower.as_str() {
            "" | "deploy" | "deployment" | "release" => ChangeKind::Deploy,
            "config" | "configuration" | "config_change" => ChangeKind::Config,
            "rollback" | "revert" => ChangeKind::Rollback,
            "migration" | "schema_migration" | "db_migration" => ChangeKind::Migration,
            "scale" | "scaling" | "autoscale" => ChangeKind::Scale,
            "feature_flag" | "flag" | "feature" | "toggle" => ChangeKind::FeatureFlag,
            _ => return None,
        })
    }
}

/// One change on the timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    pub time: Timestamp,
    pub service: Option<String>,
    pub version: Option<String>,
    pub kind: ChangeKind,
    pub description: Option<String>,
    /// `path:line` of the record (change file or log line).
    pub source: String,
    /// Recognised in a log line rather than declared in a change file.
    pub inferred: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Record {
        path: String,
        line: usize,
        message: String,
    },
}

fn record_err(path: &str, line: usize, message: impl Into<String>) -> ChangeError {
    ChangeError::Record {
        path: path.to_string(),
        line,
        message: message.into(),
    }
}

/// Reads a change file (format by content: `[` → JSON array, `{` → JSON lines, else CSV).
pub fn load_file(path: &Path, zone: &Zone) -> Result<Vec<Change>, ChangeError> {
    let display = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ChangeError::Io {
        path: display.clone(),
        source: e,
    })?;
    parse_changes(&text, &display, zone)
}

/// Parses change-file text; `name` is used in errors and `source`.
pub fn parse_changes(text: &str, name: &str, zone: &Zone) -> Result<Vec<Change>, ChangeError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let mut out = if trimmed.starts_with('[') {
        parse_json_array(text, name, zone)?
    } else if trimmed.starts_with('{') {
        let mut v = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let l = line.trim();
            if l.is_empty() {
                continue;
            }
            let value: serde_json::Value = serde_json::from_str(l)
                .map_err(|e| record_err(name, i + 1, format!("invalid JSON: {e}")))?;
            v.push(change_from_json(&value, name, i + 1, zone)?);
        }
        v
    } else {
        parse_csv(text, name, zone)?
    };
    out.sort_by(|a, b| (a.time, &a.source).cmp(&(b.time, &b.source)));
    Ok(out)
}

fn parse_json_array(text: &str, name: &str, zone: &Zone) -> Result<Vec<Change>, ChangeError> {
    let values: Vec<serde_json::Value> = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| record_err(name, e.line(), format!("invalid JSON: {e}")))?;
    // Line numbers of each top-level object, for error messages.
    let starts = object_start_lines(text);
    values
        .iter()
        .enumerate()
        .map(|(i, v)| change_from_json(v, name, starts.get(i).copied().unwrap_or(1), zone))
        .collect()
}

/// 1-based line of each `{` that opens a top-level element of a JSON array.
fn object_start_lines(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let (mut depth, mut line, mut in_str, mut escaped) = (0i32, 1usize, false, false);
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '[' | '{' => {
                if c == '{' && depth == 1 {
                    lines.push(line);
                }
                depth += 1;
            }
            ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    lines
}

fn json_str(v: &serde_json::Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match v.get(*k)? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn parse_time(s: &str, zone: &Zone) -> Option<Timestamp> {
    if let Ok(ts) = parse_user_instant(s, zone) {
        return Some(ts);
    }
    if let Some(ts) = parse_epoch_str(s.trim()) {
        return Some(ts);
    }
    let (raw, range) = find_timestamp(s.trim())?;
    if range.start != 0 {
        return None;
    }
    crate::time::TimeContext {
        zone: *zone,
        year_anchor: None,
        offset_nanos: 0,
    }
    .resolve(raw)
}

/// A change record's fields as written, before validation.
struct RawChange {
    time: Option<String>,
    service: Option<String>,
    version: Option<String>,
    kind: Option<String>,
    description: Option<String>,
}

fn build(name: &str, line: usize, zone: &Zone, raw: RawChange) -> Result<Change, ChangeError> {
    let RawChange {
        time,
        service,
        version,
        kind,
        description,
    } = raw;
    let time = time.ok_or_else(|| record_err(name, line, "missing field `time`"))?;
    let ts = parse_time(&time, zone).ok_or_else(|| {
        record_err(
            name,
            line,
            format!("invalid time {time:?} (expected RFC 3339, e.g. 2024-01-21T15:00:00Z)"),
        )
    })?;
    let kind = match kind {
        None => ChangeKind::Deploy,
        Some(k) => ChangeKind::parse(&k).ok_or_else(|| {
            let names: Vec<&str> = ChangeKind::ALL.iter().map(|k| k.as_str()).collect();
            let hint = crate::suggest::did_you_mean(&k, names.iter().copied())
                .map(|s| format!("; did you mean {s:?}?"))
                .unwrap_or_else(|| format!(" (expected one of {})", names.join(", ")));
            record_err(name, line, format!("unknown kind {k:?}{hint}"))
        })?,
    };
    Ok(Change {
        time: ts,
        service,
        version,
        kind,
        description,
        source: format!("{name}:{line}"),
        inferred: false,
    })
}

fn change_from_json(
    v: &serde_json::Value,
    name: &str,
    line: usize,
    zone: &Zone,
) -> Result<Change, ChangeError> {
    if !v.is_object() {
        return Err(record_err(name, line, "expected a JSON object"));
    }
    let raw = RawChange {
        time: json_str(
            v,
            &["time", "timestamp", "@timestamp", "date", "deployed_at"],
        ),
        service: json_str(v, &["service", "app", "application", "component"]),
        version: json_str(v, &["version", "revision", "sha", "tag"]),
        kind: json_str(v, &["kind", "type"]),
        description: json_str(v, &["description", "message", "summary", "title"]),
    };
    build(name, line, zone, raw)
}

/// Splits one CSV record (RFC 4180 quoting, no embedded newlines).
fn split_csv(line: &str) -> Result<Vec<String>, &'static str> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') if cur.is_empty() => quoted = true,
            (false, ',') => out.push(std::mem::take(&mut cur)),
            (_, c) => cur.push(c),
        }
    }
    if quoted {
        return Err("unterminated quoted field");
    }
    out.push(cur);
    Ok(out)
}

fn parse_csv(text: &str, name: &str, zone: &Zone) -> Result<Vec<Change>, ChangeError> {
    let mut lines = text.trim_start_matches('\u{feff}').lines().enumerate();
    let header = loop {
        match lines.next() {
            Some((_, l)) if l.trim().is_empty() => continue,
            Some((i, l)) => break (i, l),
            None => return Ok(Vec::new()),
        }
    };
    let cols: Vec<String> = split_csv(header.1)
        .map_err(|e| record_err(name, header.0 + 1, e))?
        .into_iter()
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    let find = |names: &[&str]| cols.iter().position(|c| names.contains(&c.as_str()));
    let time_col = find(&["time", "timestamp", "date", "deployed_at"]).ok_or_else(|| {
        record_err(
            name,
            header.0 + 1,
            "CSV header has no `time` column (expected time,service,version,kind,description)",
        )
    })?;
    let service_col = find(&["service", "app", "application", "component"]);
    let version_col = find(&["version", "revision", "sha", "tag"]);
    let kind_col = find(&["kind", "type"]);
    let desc_col = find(&["description", "message", "summary", "title"]);
    let mut out = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let fields = split_csv(line).map_err(|e| record_err(name, i + 1, e))?;
        let get = |c: Option<usize>| {
            c.and_then(|c| fields.get(c))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let raw = RawChange {
            time: get(Some(time_col)),
            service: get(service_col),
            version: get(version_col),
            kind: get(kind_col),
            description: get(desc_col),
        };
        out.push(build(name, i + 1, zone, raw)?);
    }
    Ok(out)
}

static INFER: LazyLock<Vec<(regex::Regex, ChangeKind)>> = LazyLock::new(|| {
    [
        // Spring Boot's start-up banner (SpringApplication / StartupInfoLogger).
        (
            r"^Starting (?P<app>\w+) v(?P<version>[0-9][\w.+-]*) using Java",
            ChangeKind::Deploy,
        ),
        // Kubernetes deployment controller events.
        (
            r"Scaled (?:up|down) replica set (?P<app>\S+) to (?P<n>\d+)",
            ChangeKind::Scale,
        ),
        // Flyway.
        (
            r#"Migrating schema "?[\w.]+"? to version "?(?P<version>[^"]+)"?"#,
            ChangeKind::Migration,
        ),
        // Alembic.
        (
            r"Running upgrade (?:\S+)? -> (?P<version>\S+?),? ",
            ChangeKind::Migration,
        ),
        // Django.
        (
            r"^\s*Applying (?P<version>\w+\.\d{4}_\w+)\.\.\.",
            ChangeKind::Migration,
        ),
        // Rails.
        (
            r"^== (?P<version>\d{14}) \w+: migrating",
            ChangeKind::Migration,
        ),
        // Liquibase.
        (
            r"ChangeSet (?P<version>\S+) ran successfully",
            ChangeKind::Migration,
        ),
    ]
    .into_iter()
    .filter_map(|(re, kind)| regex::Regex::new(re).ok().map(|r| (r, kind)))
    .collect()
});

const ANNOUNCE_LITERALS: [&str; 7] = [
    "Starting ",
    "Scaled ",
    "Migrating schema",
    "Running upgrade",
    "Applying ",
    "== ",
    "ChangeSet ",
];

/// A SIMD (Teddy) searcher for the literals one of which every change announcement contains;
/// `None` where the CPU lacks the instructions.
static ANNOUNCE: std::sync::LazyLock<Option<aho_corasick::packed::Searcher>> =
    std::sync::LazyLock::new(|| aho_corasick::packed::Searcher::new(ANNOUNCE_LITERALS));

/// Quick literal test before the regexes: most lines are not change announcements.
fn may_announce_change(message: &str) -> bool {
    match ANNOUNCE.as_ref() {
        Some(searcher) => searcher.find(message).is_some(),
        None => ANNOUNCE_LITERALS.iter().any(|lit| message.contains(lit)),
    }
}

/// Recognises a change announced by a log line, if the line says so unambiguously.
pub fn infer_from_message(message: &str) -> Option<(ChangeKind, Option<String>, String)> {
    if !may_announce_change(message) {
        return None;
    }
    for (re, kind) in INFER.iter() {
        if let Some(c) = re.captures(message) {
            let version = c.name("version").map(|m| m.as_str().to_string());
            let description: String = message.chars().take(160).collect();
            return Some((*kind, version, description));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::ymd_hms;

    #[test]
    fn json_array_valid_fields_and_default_kind() {
        let text = r#"[
  {"time": "2024-03-12T12:47:31Z", "service": "auth-api", "version": "2.14.0"},
  {"time": "2024-03-12 12:58:04", "service": "web", "kind": "feature-flag", "description": "x"}
]"#;
        let c = parse_changes(text, "deploys.json", &Zone::Utc).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].kind, ChangeKind::Deploy);
        assert_eq!(c[0].time, ymd_hms(2024, 3, 12, 12, 47, 31));
        assert_eq!(c[0].source, "deploys.json:2");
        assert_eq!(c[1].kind, ChangeKind::FeatureFlag);
    }

    #[test]
    fn json_lines_valid() {
        let text = "{\"time\":\"2024-03-12T12:47:31+01:00\",\"service\":\"db\",\"kind\":\"migration\"}\n\n{\"time\":1710247651,\"kind\":\"config\"}\n";
        let c = parse_changes(text, "changes.jsonl", &Zone::Utc).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].time, ymd_hms(2024, 3, 12, 11, 47, 31));
        assert_eq!(c[0].kind, ChangeKind::Migration);
        assert_eq!(c[1].kind, ChangeKind::Config);
    }

    #[test]
    fn csv_valid_quoted_description() {
        let text = "time,service,version,kind,description\n2024-03-12T12:47:31Z,auth-api,2.14.0,deploy,\"refactor, session \"\"store\"\"\"\n";
        let c = parse_changes(text, "deploys.csv", &Zone::Utc).unwrap();
        assert_eq!(
            c[0].description.as_deref(),
            Some("refactor, session \"store\"")
        );
        assert_eq!(c[0].source, "deploys.csv:2");
    }

    #[test]
    fn bad_records_invalid_name_file_and_line() {
        let err = parse_changes("time,service\nnot-a-time,x\n", "d.csv", &Zone::Utc).unwrap_err();
        assert_eq!(
            err.to_string(),
            "d.csv:2: invalid time \"not-a-time\" (expected RFC 3339, e.g. 2024-01-21T15:00:00Z)"
        );
        let err = parse_changes("[\n {\"service\": \"x\"}\n]", "d.json", &Zone::Utc).unwrap_err();
        assert_eq!(err.to_string(), "d.json:2: missing field `time`");
        let err = parse_changes(
            "{\"time\":\"2024-01-01T00:00:00Z\",\"kind\":\"deplyo\"}",
            "d.jsonl",
            &Zone::Utc,
        )
        .unwrap_err();
        assert!(err.to_string().contains("did you mean \"deploy\""), "{err}");
        let err = parse_changes("service\nx\n", "d.csv", &Zone::Utc).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("d.csv:1: CSV header has no `time` column")
        );
    }

    #[test]
    fn infer_valid_banners_and_migrations() {
        let (k, v, _) =
            infer_from_message("Starting AuthApiApplication v2.14.0 using Java 21.0.3 with PID 1")
                .unwrap();
        assert_eq!((k, v.as_deref()), (ChangeKind::Deploy, Some("2.14.0")));
        let (k, _, _) = infer_from_message("Scaled up replica set web-7b4d9c6f5 to 3").unwrap();
        assert_eq!(k, ChangeKind::Scale);
        let (k, v, _) = infer_from_message(
            "Migrating schema \"public\" to version \"42 - add order status filter\"",
        )
        .unwrap();
        assert_eq!(
            (k, v.as_deref()),
            (ChangeKind::Migration, Some("42 - add order status filter"))
        );
        let (k, _, _) =
            infer_from_message("Running upgrade a1b2c3 -> d4e5f6, add order status filter")
                .unwrap();
        assert_eq!(k, ChangeKind::Migration);
    }

    #[test]
    fn infer_invalid_ordinary_lines() {
        assert!(infer_from_message("Starting service [Tomcat]").is_none());
        assert!(infer_from_message("Applying retry policy").is_none());
        assert!(infer_from_message("HikariPool-1 - Starting...").is_none());
    }
}
