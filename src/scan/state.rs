//! The scan state file: the history that nightly `culprit scan` runs compare against, and the
//! file identities already counted (see [`super::identity`]).
//!
//! Key types: [`State`] (the whole file), [`ServiceHistory`] (per-day counts of one service),
//! [`TemplateRecord`], [`SignatureRecord`], [`FileRecord`], [`Day`] (a UTC calendar day,
//! written `YYYY-MM-DD`), [`StateLock`] (the advisory `FILE.lock`).
//!
//! Format: one JSON object, `{"format": "culprit-scan-state", "version": 1, ...}`, plain (not
//! compressed: with the bounds below a busy host's state stays in the low megabytes, and a
//! plain file can be read and repaired by hand). Bounds, applied on every save by
//! [`State::prune`]:
//! * per-day counts are kept for the last [`HISTORY_DAYS`] days of history;
//! * a template not seen for [`TEMPLATE_DAYS`] days is dropped, and so is a file identity;
//! * at most [`MAX_TEMPLATES_PER_SERVICE`] templates per service: the least recently seen go
//!   first, and the service's `templates_dropped` counts them (the report says so).
//!
//! Safety: a missing file starts a new history; a corrupt file, another format or a newer
//! version is an error naming the file (with serde_json's line and column) and is never
//! replaced. Writes go to a temporary file in the same directory, are fsynced and renamed
//! over the old file, which is kept as `FILE.bak` first. Concurrent runs are kept apart by an
//! advisory lock file created with `create_new` (no extra crate: `flock` via `fs2`/`fd-lock`
//! does not work on some network file systems where CI keeps its caches, and a lock file that
//! names its owner is easier to diagnose).

use crate::event::Timestamp;
use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The `format` field of every state file.
pub const FORMAT: &str = "culprit-scan-state";
/// The newest state version this build reads and the one it writes.
pub const VERSION: u32 = 1;
/// Days of per-day counts kept.
pub const HISTORY_DAYS: i64 = 60;
/// Templates (and file identities) not seen for this many days are dropped.
pub const TEMPLATE_DAYS: i64 = 90;
/// Templates kept per service.
pub const MAX_TEMPLATES_PER_SERVICE: usize = 5000;
/// File identities kept (the most recently counted).
pub const MAX_FILES: usize = 20_000;
/// Template text kept per record, in bytes (for people reading the file; ids compare).
pub const MAX_TEMPLATE_TEXT: usize = 240;
/// A lock file younger than this is taken as held by a running scan.
pub const LOCK_STALE_SECS: u64 = 6 * 3600;

const NANOS_PER_DAY: i64 = 86_400 * Timestamp::NANOS_PER_SEC;

/// A UTC calendar day, as days since 1970-01-01; written `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i64);

impl Day {
    pub fn of(t: Timestamp) -> Day {
        Day(t.0.div_euclid(NANOS_PER_DAY))
    }

    pub fn start(self) -> Timestamp {
        Timestamp(self.0.saturating_mul(NANOS_PER_DAY))
    }

    pub fn end(self) -> Timestamp {
        Timestamp(self.0.saturating_add(1).saturating_mul(NANOS_PER_DAY))
    }

    pub fn parse(s: &str) -> Option<Day> {
        let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
        // The years timestamps may have (see `time::is_plausible_year`): a corrupt state's
        // day in year 1000 would overflow every nanosecond computation downstream.
        if !crate::time::is_plausible_year(chrono::Datelike::year(&d)) {
            return None;
        }
        let secs = d.and_hms_opt(0, 0, 0)?.and_utc().timestamp();
        Some(Day(secs.div_euclid(86_400)))
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match chrono::DateTime::from_timestamp(self.0.saturating_mul(86_400), 0) {
            Some(dt) => write!(f, "{}", dt.format("%Y-%m-%d")),
            None => write!(f, "day{}", self.0),
        }
    }
}

impl Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Day;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a day as YYYY-MM-DD")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Day, E> {
                Day::parse(v).ok_or_else(|| E::custom(format!("invalid day {v:?}")))
            }
        }
        d.deserialize_str(V)
    }
}

/// RFC 3339 (de)serialisation of [`Timestamp`]s.
mod rfc3339 {
    use crate::event::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&t.to_rfc3339())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        parse(&s).ok_or_else(|| serde::de::Error::custom(format!("invalid RFC 3339 time {s:?}")))
    }

    pub fn parse(s: &str) -> Option<Timestamp> {
        let dt = chrono::DateTime::parse_from_rfc3339(s).ok()?;
        Timestamp::from_datetime(&dt.with_timezone(&chrono::Utc))
    }
}

/// Counts per day.
pub type DayCounts = BTreeMap<Day, u64>;

/// The whole state file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub format: String,
    pub version: u32,
    #[serde(with = "rfc3339")]
    pub created: Timestamp,
    #[serde(with = "rfc3339")]
    pub updated: Timestamp,
    /// Scans (and merged scans) that added to this history.
    #[serde(default)]
    pub scans: u64,
    #[serde(default)]
    pub services: BTreeMap<String, ServiceHistory>,
    /// File identity (`HASH:LEN`, see [`super::identity`]) → what was counted from it.
    #[serde(default)]
    pub files: BTreeMap<String, FileRecord>,
}

/// The history of one service.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceHistory {
    /// Events of any kind per day.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub volume: DayCounts,
    /// Events at level error or worse per day.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: DayCounts,
    /// Template id ([`crate::templates::template_id`]) → fingerprint.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub templates: BTreeMap<String, TemplateRecord>,
    /// Signature id → counts.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub signatures: BTreeMap<String, SignatureRecord>,
    /// Category name → counts per day.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub categories: BTreeMap<String, DayCounts>,
    /// Templates dropped by the per-service cap.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub templates_dropped: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A template fingerprint. Only notable templates are kept (warnings and worse, and lines a
/// failure signature matches): info traffic is counted as volume only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateRecord {
    /// The most severe level seen with it (`error`, `warn`, …), if lines had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// The template text, cut to [`MAX_TEMPLATE_TEXT`] bytes.
    #[serde(default)]
    pub text: String,
    #[serde(with = "rfc3339")]
    pub first_seen: Timestamp,
    #[serde(with = "rfc3339")]
    pub last_seen: Timestamp,
    #[serde(default)]
    pub days: DayCounts,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SignatureRecord {
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub days: DayCounts,
}

/// What was counted from one file identity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileRecord {
    /// The path it was last seen at (for people; identities compare by content).
    pub path: String,
    /// Events at or before this time were counted into the history.
    #[serde(with = "rfc3339")]
    pub counted_until: Timestamp,
}

/// The header checked before the rest, so that a newer version is reported as such rather
/// than as a schema error.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u64>,
}

/// Adds `b` into `a`. Counts saturate: they come from state files, which may be corrupt or
/// hand-edited, and an overflow must not panic (or wrap to a tiny count) in `scan merge`.
pub fn add_days(a: &mut DayCounts, b: &DayCounts) {
    for (d, n) in b {
        let slot = a.entry(*d).or_insert(0);
        *slot = slot.saturating_add(*n);
    }
}

impl State {
    pub fn new(now: Timestamp) -> State {
        State {
            format: FORMAT.to_string(),
            version: VERSION,
            created: now,
            updated: now,
            scans: 0,
            services: BTreeMap::new(),
            files: BTreeMap::new(),
        }
    }

    /// Reads a state file; `Ok(None)` if it does not exist.
    pub fn load(path: &Path) -> anyhow::Result<Option<State>> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot read state file {}", path.display()));
            }
        };
        Self::parse(&text, path).map(Some)
    }

    /// Parses a state file's text; errors name `path`.
    pub fn parse(text: &str, path: &Path) -> anyhow::Result<State> {
        let p = path.display();
        let header: Header = serde_json::from_str(text).with_context(|| {
            format!("state file {p} is corrupt (not valid JSON); it was left unchanged: restore {p}.bak or move it away to start a new history")
        })?;
        if header.format.as_deref() != Some(FORMAT) {
            bail!(
                "{p} is not a culprit scan state file (its \"format\" is {:?}, expected {FORMAT:?}); it was left unchanged",
                header.format.unwrap_or_default()
            );
        }
        match header.version {
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) if v > u64::from(VERSION) => bail!(
                "state file {p} has version {v}, newer than this culprit understands ({VERSION}); upgrade culprit (the file was left unchanged)"
            ),
            other => bail!(
                "state file {p} has an unsupported version {other:?} (expected {VERSION}); it was left unchanged"
            ),
        }
        serde_json::from_str(text).with_context(|| {
            format!("state file {p} is corrupt; it was left unchanged: restore {p}.bak or move it away to start a new history")
        })
    }

    /// Every day with any recorded volume.
    pub fn days(&self) -> BTreeSet<Day> {
        self.services
            .values()
            .flat_map(|s| s.volume.keys().copied())
            .collect()
    }

    /// Applies the bounds (see the module doc). Returns notes for the report.
    pub fn prune(&mut self) -> Vec<String> {
        let mut notes = Vec::new();
        let Some(newest) = self.days().last().copied() else {
            return notes;
        };
        let keep_from = Day(newest.0 - HISTORY_DAYS + 1);
        let template_from = Day(newest.0 - TEMPLATE_DAYS + 1).start();
        let trim = |m: &mut DayCounts| m.retain(|d, _| *d >= keep_from);
        for (name, svc) in self.services.iter_mut() {
            trim(&mut svc.volume);
            trim(&mut svc.errors);
            svc.templates.retain(|_, t| t.last_seen >= template_from);
            for t in svc.templates.values_mut() {
                trim(&mut t.days);
            }
            for s in svc.signatures.values_mut() {
                trim(&mut s.days);
            }
            svc.signatures.retain(|_, s| !s.days.is_empty());
            for c in svc.categories.values_mut() {
                trim(c);
            }
            svc.categories.retain(|_, c| !c.is_empty());
            if svc.templates.len() > MAX_TEMPLATES_PER_SERVICE {
                let mut order: Vec<(Timestamp, u64, String)> = svc
                    .templates
                    .iter()
                    .map(|(id, t)| {
                        (
                            t.last_seen,
                            t.days.values().fold(0u64, |a, n| a.saturating_add(*n)),
                            id.clone(),
                        )
                    })
                    .collect();
                order.sort();
                let excess = svc.templates.len() - MAX_TEMPLATES_PER_SERVICE;
                for (_, _, id) in order.into_iter().take(excess) {
                    svc.templates.remove(&id);
                }
                svc.templates_dropped = svc.templates_dropped.saturating_add(excess as u64);
                notes.push(format!(
                    "{name}: more than {MAX_TEMPLATES_PER_SERVICE} templates in history; the {excess} least recently seen were dropped (they would be reported as new if they come back)"
                ));
            }
        }
        self.services
            .retain(|_, s| !s.volume.is_empty() || !s.templates.is_empty());
        self.files.retain(|_, f| f.counted_until >= template_from);
        if self.files.len() > MAX_FILES {
            let mut order: Vec<(Timestamp, String)> = self
                .files
                .iter()
                .map(|(k, f)| (f.counted_until, k.clone()))
                .collect();
            order.sort();
            let excess = self.files.len() - MAX_FILES;
            for (_, k) in order.into_iter().take(excess) {
                self.files.remove(&k);
            }
        }
        notes
    }

    /// Merges states from several hosts: per-day counts are summed, templates united (earliest
    /// first seen, latest last seen, most severe level), file identities united (latest
    /// counted time).
    pub fn merge(states: Vec<State>, now: Timestamp) -> State {
        let mut out = State::new(now);
        let mut created: Option<Timestamp> = None;
        for st in states {
            created = Some(created.map_or(st.created, |c| c.min(st.created)));
            out.scans = out.scans.saturating_add(st.scans);
            for (name, svc) in st.services {
                let slot = out.services.entry(name).or_default();
                add_days(&mut slot.volume, &svc.volume);
                add_days(&mut slot.errors, &svc.errors);
                slot.templates_dropped =
                    slot.templates_dropped.saturating_add(svc.templates_dropped);
                for (id, t) in svc.templates {
                    match slot.templates.get_mut(&id) {
                        Some(e) => merge_template(e, &t),
                        None => {
                            slot.templates.insert(id, t);
                        }
                    }
                }
                for (id, s) in svc.signatures {
                    let e = slot.signatures.entry(id).or_default();
                    if e.category.is_empty() {
                        e.category = s.category;
                    }
                    add_days(&mut e.days, &s.days);
                }
                for (c, days) in svc.categories {
                    add_days(slot.categories.entry(c).or_default(), &days);
                }
            }
            for (k, f) in st.files {
                match out.files.get_mut(&k) {
                    Some(e) if e.counted_until >= f.counted_until => {}
                    _ => {
                        out.files.insert(k, f);
                    }
                }
            }
        }
        if let Some(c) = created {
            out.created = c;
        }
        out
    }

    /// Writes the state atomically: a temporary file in the same directory, fsynced, then
    /// renamed over `path`; the previous file is kept as `path.bak`.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let p = path.display();
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut tmp = tempfile::Builder::new()
            .prefix(".culprit-state-")
            .tempfile_in(&dir)
            .with_context(|| format!("cannot create a temporary file next to {p}"))?;
        {
            let mut w = std::io::BufWriter::new(tmp.as_file_mut());
            serde_json::to_writer(&mut w, self)
                .with_context(|| format!("cannot write state file {p}"))?;
            w.write_all(b"\n")
                .and_then(|()| w.flush())
                .with_context(|| format!("cannot write state file {p}"))?;
        }
        if let Ok(meta) = std::fs::metadata(path) {
            // Keep the mode a team gave the file (the temporary file is created 0600).
            let _ = tmp.as_file().set_permissions(meta.permissions());
        }
        tmp.as_file()
            .sync_all()
            .with_context(|| format!("cannot sync state file {p}"))?;
        if path.exists() {
            let bak = bak_path(path);
            // A hard link keeps the old file in place until the rename below replaces it, so
            // `path` never goes missing; file systems without links get a copy.
            let _ = std::fs::remove_file(&bak);
            if std::fs::hard_link(path, &bak).is_err() {
                std::fs::copy(path, &bak).with_context(|| {
                    format!("cannot keep the previous state as {}", bak.display())
                })?;
            }
        }
        tmp.persist(path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot replace state file {p}"))?;
        if let Ok(d) = std::fs::File::open(&dir) {
            // Makes the rename durable; not every platform can sync a directory.
            let _ = d.sync_all();
        }
        Ok(())
    }
}

/// Adds `t` into `e` (same template): earliest first seen, latest last seen, most severe level.
pub fn merge_template(e: &mut TemplateRecord, t: &TemplateRecord) {
    e.first_seen = e.first_seen.min(t.first_seen);
    e.last_seen = e.last_seen.max(t.last_seen);
    if level_rank(t.level.as_deref()) > level_rank(e.level.as_deref()) {
        e.level = t.level.clone();
    }
    // The same template can carry two signatures (its lines matched differently): keep the
    // smaller id, so that the record does not depend on the order of merging.
    if let Some(ts) = &t.signature {
        if e.signature.as_ref().is_none_or(|es| ts < es) {
            e.signature = Some(ts.clone());
        }
    }
    if e.text.is_empty() {
        e.text = t.text.clone();
    }
    add_days(&mut e.days, &t.days);
}

/// Orders level names by severity (unknown and none lowest).
pub fn level_rank(level: Option<&str>) -> u8 {
    level
        .and_then(crate::event::Level::parse)
        .map_or(0, |l| l as u8 + 1)
}

pub fn bak_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".bak");
    PathBuf::from(s)
}

pub fn lock_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
}

/// The advisory lock of a state file: `FILE.lock`, created with `create_new` and removed on
/// drop. A lock older than [`LOCK_STALE_SECS`] is taken as left by a crashed run and replaced.
#[derive(Debug)]
pub struct StateLock {
    path: PathBuf,
    /// Said on stderr by the caller (a stale lock was replaced).
    pub notice: Option<String>,
}

impl StateLock {
    pub fn acquire(state: &Path) -> anyhow::Result<StateLock> {
        let path = lock_path(state);
        let mut notice = None;
        for attempt in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    let _ = writeln!(
                        f,
                        "pid {} since {}",
                        std::process::id(),
                        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    );
                    return Ok(StateLock { path, notice });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt == 0 => {
                    let age = std::fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|m| m.elapsed().ok())
                        .map(|d| d.as_secs());
                    let owner = std::fs::read_to_string(&path).unwrap_or_default();
                    let owner = owner.trim();
                    match age {
                        Some(a) if a >= LOCK_STALE_SECS => {
                            notice = Some(format!(
                                "replaced a stale lock {} ({owner}, {}h old)",
                                path.display(),
                                a / 3600
                            ));
                            std::fs::remove_file(&path).with_context(|| {
                                format!("cannot remove stale lock {}", path.display())
                            })?;
                        }
                        _ => bail!(
                            "state file {} is locked by another culprit run ({}: {}); if no scan is running (a crashed run leaves it behind), remove it with: rm {}",
                            state.display(),
                            path.display(),
                            if owner.is_empty() {
                                "no owner recorded"
                            } else {
                                owner
                            },
                            path.display()
                        ),
                    }
                }
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("cannot create lock {}", path.display()));
                }
            }
        }
        bail!("cannot take lock {}", path.display())
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_invalid_implausible_years_are_rejected() {
        // A corrupt state's day in year 1000 or 9999 would overflow nanosecond arithmetic.
        assert_eq!(Day::parse("1000-01-01"), None);
        assert_eq!(Day::parse("9999-12-31"), None);
        assert!(Day::parse("2024-03-12").is_some());
    }

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    fn sample_state() -> State {
        let t = |s: &str| rfc3339::parse(s).unwrap();
        let mut st = State::new(t("2024-03-12T02:00:00Z"));
        st.scans = 1;
        let svc = st.services.entry("auth-api".into()).or_default();
        svc.volume.insert(day("2024-03-11"), 1200);
        svc.errors.insert(day("2024-03-11"), 3);
        svc.templates.insert(
            "00aa11bb22cc33dd".into(),
            TemplateRecord {
                level: Some("error".into()),
                signature: Some("hikaricp.connection_timeout".into()),
                text: "HikariPool-1 - Connection is not available, request timed out after <*>ms"
                    .into(),
                first_seen: t("2024-03-11T10:00:00Z"),
                last_seen: t("2024-03-11T12:00:00.5Z"),
                days: [(day("2024-03-11"), 3)].into(),
            },
        );
        svc.signatures.insert(
            "hikaricp.connection_timeout".into(),
            SignatureRecord {
                category: "db_pool_exhaustion".into(),
                days: [(day("2024-03-11"), 3)].into(),
            },
        );
        svc.categories
            .insert("db_pool_exhaustion".into(), [(day("2024-03-11"), 3)].into());
        st.files.insert(
            "0123456789abcdef:4096".into(),
            FileRecord {
                path: "auth-api/app.log".into(),
                counted_until: t("2024-03-11T23:59:59Z"),
            },
        );
        st
    }

    #[test]
    fn day_valid_round_trip_and_bounds() {
        let d = day("2024-03-12");
        assert_eq!(d.to_string(), "2024-03-12");
        assert_eq!(Day::of(d.start()), d);
        assert_eq!(Day::of(Timestamp(d.end().0 - 1)), d);
        assert_eq!(Day::parse("2024-13-01"), None);
    }

    #[test]
    fn state_valid_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let st = sample_state();
        st.save(&path).unwrap();
        let back = State::load(&path).unwrap().unwrap();
        assert_eq!(back, st);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("{\"format\":\"culprit-scan-state\",\"version\":1,"));
        assert!(text.contains("\"2024-03-11\":1200"));
    }

    #[test]
    fn state_missing_valid_none() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            State::load(&dir.path().join("nope.json"))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn state_invalid_corrupt_names_path_line_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(
            &path,
            "{\"format\": \"culprit-scan-state\",\n \"version\": 1,\n oops}",
        )
        .unwrap();
        let err = format!("{:#}", State::load(&path).unwrap_err());
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains("line 3 column 2"), "{err}");
        assert!(err.contains("corrupt"), "{err}");
    }

    #[test]
    fn state_invalid_newer_version() {
        let err = State::parse(
            r#"{"format":"culprit-scan-state","version":2,"created":"x"}"#,
            Path::new("s.json"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("version 2, newer"), "{err}");
        assert!(err.contains("s.json"), "{err}");
    }

    #[test]
    fn state_invalid_other_format() {
        let err = State::parse(r#"{"version":1}"#, Path::new("s.json"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a culprit scan state file"), "{err}");
    }

    #[test]
    fn state_invalid_bad_day_key_names_path() {
        let mut text = serde_json::to_string(&sample_state()).unwrap();
        text = text.replace("2024-03-11\":1200", "2024-02-31\":1200");
        let err = format!(
            "{:#}",
            State::parse(&text, Path::new("s.json")).unwrap_err()
        );
        assert!(
            err.contains("s.json") && err.contains("invalid day"),
            "{err}"
        );
    }

    #[test]
    fn save_valid_keeps_previous_as_bak() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let mut st = sample_state();
        st.save(&path).unwrap();
        let first = std::fs::read(&path).unwrap();
        st.scans = 2;
        st.save(&path).unwrap();
        assert_eq!(std::fs::read(bak_path(&path)).unwrap(), first);
        assert_eq!(State::load(&path).unwrap().unwrap().scans, 2);
        // No temporary file left behind.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn save_valid_keeps_file_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let st = sample_state();
        st.save(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        st.save(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn merge_valid_sums_days_and_unites_templates() {
        let a = sample_state();
        let mut b = sample_state();
        let t = |s: &str| rfc3339::parse(s).unwrap();
        {
            let svc = b.services.get_mut("auth-api").unwrap();
            svc.volume.insert(day("2024-03-12"), 10);
            let tpl = svc.templates.get_mut("00aa11bb22cc33dd").unwrap();
            tpl.first_seen = t("2024-03-10T00:00:00Z");
            tpl.level = Some("warn".into());
        }
        b.services
            .entry("web".into())
            .or_default()
            .volume
            .insert(day("2024-03-12"), 5);
        b.files
            .get_mut("0123456789abcdef:4096")
            .unwrap()
            .counted_until = t("2024-03-12T01:00:00Z");
        let m = State::merge(vec![a, b], t("2024-03-13T00:00:00Z"));
        let svc = &m.services["auth-api"];
        assert_eq!(svc.volume[&day("2024-03-11")], 2400);
        assert_eq!(svc.volume[&day("2024-03-12")], 10);
        let tpl = &svc.templates["00aa11bb22cc33dd"];
        assert_eq!(tpl.first_seen, t("2024-03-10T00:00:00Z"));
        assert_eq!(tpl.level.as_deref(), Some("error"));
        assert_eq!(tpl.days[&day("2024-03-11")], 6);
        assert_eq!(
            svc.signatures["hikaricp.connection_timeout"].days[&day("2024-03-11")],
            6
        );
        assert_eq!(m.services["web"].volume[&day("2024-03-12")], 5);
        assert_eq!(
            m.files["0123456789abcdef:4096"].counted_until,
            t("2024-03-12T01:00:00Z")
        );
        assert_eq!(m.scans, 2);
        assert_eq!(m.created, t("2024-03-12T02:00:00Z"));
    }

    #[test]
    fn prune_valid_drops_old_days_and_templates() {
        let mut st = sample_state();
        let svc = st.services.get_mut("auth-api").unwrap();
        // 100 days later: the March 11 counts and the template fall out.
        svc.volume.insert(Day(day("2024-03-11").0 + 100), 7);
        st.prune();
        let svc = &st.services["auth-api"];
        assert_eq!(svc.volume.len(), 1);
        assert!(svc.templates.is_empty());
        assert!(svc.signatures.is_empty());
        assert!(st.files.is_empty());
    }

    /// Found by `fuzz/fuzz_targets/scan_state.rs`: merging a state whose counts are near
    /// `u64::MAX` (a corrupt or hand-edited file) overflowed (a panic in debug builds, wrapped
    /// counts in release). Counts now saturate.
    #[test]
    fn merge_invalid_counts_near_u64_max_saturate() {
        let text: &[u8] = br#"{"format":"culprit-scan-state","version":1,"created":"2024-03-11T00:00:00Z","updated":"2024-03-11T00:00:00Z","scans":18446744073709551615,"services":{"a":{"volume":{"2024-03-10":18446744073709551615},"templates":{"t":{"first_seen":"2024-03-10T00:00:00Z","last_seen":"2024-03-10T00:00:00Z","days":{"2024-03-10":18446744073709551615}}},"templates_dropped":18446744073709551615}}}"#;
        let st = State::parse(std::str::from_utf8(text).unwrap(), Path::new("s.json")).unwrap();
        let mut merged = State::merge(vec![st.clone(), st], Timestamp(0));
        merged.prune();
        assert_eq!(merged.scans, u64::MAX);
        let svc = &merged.services["a"];
        assert_eq!(svc.volume[&day("2024-03-10")], u64::MAX);
        assert_eq!(svc.templates["t"].days[&day("2024-03-10")], u64::MAX);
        assert_eq!(svc.templates_dropped, u64::MAX);
    }

    #[test]
    fn lock_invalid_fresh_lock_present() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let held = StateLock::acquire(&path).unwrap();
        let err = StateLock::acquire(&path).unwrap_err().to_string();
        assert!(err.contains("locked by another culprit run"), "{err}");
        assert!(err.contains("rm "), "{err}");
        drop(held);
        assert!(!lock_path(&path).exists());
        assert!(StateLock::acquire(&path).is_ok());
    }
}
