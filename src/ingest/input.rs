//! Input discovery: turns the paths a user gives into an ordered list of [`Input`]s.
//!
//! * a file is one input; `-` is standard input;
//! * a directory is walked recursively in sorted order; hidden entries are skipped, and so are
//!   change files (`deploys.*`, `changes.*`, collected separately for `analyze`);
//! * rotated siblings sort oldest first (`app.log.2.gz`, `app.log.1`, `app.log`), so that a
//!   service's lines arrive roughly in time order;
//! * binary files are skipped with a notice (decided later, when the first bytes are read).
//!
//! The service an input belongs to defaults to the name of the directory holding it when that
//! directory lies below a directory the user named (`incident/api/app.log` → `api`), else the
//! file stem without rotation and compression suffixes (`nginx-access.log.2.gz` → `nginx-access`).

use std::path::{Path, PathBuf};

/// One input to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    pub source: Source,
    /// The path as shown to users (as given, joined with the walked relative path).
    pub display: String,
    /// The service this input's events belong to unless a line says otherwise.
    pub service: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    Stdin,
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Discovered {
    pub inputs: Vec<Input>,
    /// `deploys.*` / `changes.*` files found in input directories.
    pub change_files: Vec<PathBuf>,
    /// Problems that did not stop discovery (unreadable directory entries, loops).
    pub notices: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("{path}: no such file or directory")]
    NotFound { path: String },
    #[error(
        "{paths}: no log files found (hidden entries and deploys.*/changes.* files are not read as logs)"
    )]
    NoLogs { paths: String },
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Names a directory for which the parent-directory rule gives no useful service.
fn is_generic_dir_name(name: &str) -> bool {
    matches!(
        name,
        "log" | "logs" | "var" | "tmp" | "." | ".." | "" | "data" | "archive" | "old" | "rotated"
    )
}

/// Strips compression and rotation suffixes: `app.log.2.gz` → `app`, `access.log-20240121` →
/// `access`, `postgresql-2024-01-21_000000.log` → `postgresql-2024-01-21_000000`.
pub fn strip_rotation(file_name: &str) -> &str {
    let mut name = file_name;
    for ext in [".gz", ".zst", ".zstd", ".bz2", ".xz"] {
        if let Some(s) = name.strip_suffix(ext) {
            name = s;
            break;
        }
    }
    // Numeric rotation suffix: .1, .2, ...
    if let Some((head, tail)) = name.rsplit_once('.') {
        if !tail.is_empty() && tail.bytes().all(|c| c.is_ascii_digit()) {
            name = head;
        }
    }
    // Date rotation suffix: -20240121 (logrotate dateext).
    if let Some((head, tail)) = name.rsplit_once('-') {
        if tail.len() == 8 && tail.bytes().all(|c| c.is_ascii_digit()) && head.ends_with(".log") {
            name = head;
        }
    }
    for ext in [
        ".log", ".txt", ".json", ".jsonl", ".ndjson", ".csv", ".out", ".err",
    ] {
        if let Some(s) = name.strip_suffix(ext) {
            if !s.is_empty() {
                name = s;
                break;
            }
        }
    }
    name
}

/// Rotation index for ordering: `app.log` → 0, `app.log.1` → 1, `app.log.2.gz` → 2.
fn rotation_index(file_name: &str) -> u32 {
    let mut name = file_name;
    for ext in [".gz", ".zst", ".zstd"] {
        if let Some(s) = name.strip_suffix(ext) {
            name = s;
        }
    }
    match name.rsplit_once('.') {
        Some((_, tail))
            if !tail.is_empty() && tail.len() <= 4 && tail.bytes().all(|c| c.is_ascii_digit()) =>
        {
            tail.parse().unwrap_or(0)
        }
        _ => 0,
    }
}

/// Whether a file name is a change file that `analyze` reads instead of a log.
pub fn is_change_file(file_name: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    (lower.starts_with("deploys.") || lower.starts_with("changes."))
        && [".json", ".jsonl", ".ndjson", ".csv"]
            .iter()
            .any(|ext| lower.ends_with(ext))
}

fn file_service(path: &Path, root: Option<&Path>) -> String {
    let parent_name = path
        .parent()
        .filter(|p| Some(*p) != root)
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        // Hidden directories (`.tmpXXXX` from mktemp/tempfile, `.cache`) name no service, and
        // directory walks skip them anyway.
        .filter(|n| !is_generic_dir_name(n) && !n.starts_with('.'));
    // A file given directly: only trust an explicitly written parent directory.
    if let Some(name) = parent_name {
        return name.to_string();
    }
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("stdin");
    let stem = strip_rotation(file_name);
    if stem.is_empty() {
        file_name.to_string()
    } else {
        stem.to_string()
    }
}

/// Expands user paths into inputs, in a deterministic order.
pub fn discover(paths: &[String]) -> Result<Discovered, DiscoverError> {
    let mut found = Discovered::default();
    // Directories named by the user in which no log file was found: an error when nothing
    // else was found either (a mistyped or wrong directory), else a notice.
    let mut empty_dirs: Vec<String> = Vec::new();
    // Paths are taken in sorted order, each once, so that `culprit analyze a b` and
    // `culprit analyze b a` give byte-identical reports (the same inputs, in the same order).
    let mut sorted: Vec<&String> = paths.iter().collect();
    sorted.sort();
    sorted.dedup();
    for p in sorted {
        if p == "-" {
            found.inputs.push(Input {
                source: Source::Stdin,
                display: "-".to_string(),
                service: "stdin".to_string(),
            });
            continue;
        }
        let path = PathBuf::from(p);
        let meta = std::fs::metadata(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                DiscoverError::NotFound { path: p.clone() }
            } else {
                DiscoverError::Io {
                    path: p.clone(),
                    source: e,
                }
            }
        })?;
        if meta.is_dir() {
            let before = found.inputs.len();
            walk_dir(&path, &mut found);
            if found.inputs.len() == before {
                empty_dirs.push(p.clone());
            }
        } else {
            // A file named directly: use its parent directory only if the user wrote one.
            let root = if path.parent().is_some_and(|pp| pp.as_os_str().is_empty()) {
                path.parent()
            } else {
                None
            };
            found.inputs.push(Input {
                source: Source::File(path.clone()),
                display: p.clone(),
                service: file_service(&path, root),
            });
        }
    }
    if found.inputs.is_empty() && !empty_dirs.is_empty() {
        return Err(DiscoverError::NoLogs {
            paths: empty_dirs.join(", "),
        });
    }
    for d in empty_dirs {
        found.notices.push(format!("{d}: no log files found"));
    }
    Ok(found)
}

fn walk_dir(root: &Path, found: &mut Discovered) {
    let mut files: Vec<PathBuf> = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !e.file_name().to_str().is_some_and(|n| n.starts_with('.'))
        });
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let name = e.file_name().to_string_lossy();
                if is_change_file(&name) {
                    found.change_files.push(e.path().to_path_buf());
                } else {
                    files.push(e.path().to_path_buf());
                }
            }
            Ok(_) => {}
            Err(err) => {
                let where_ = err
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| root.display().to_string());
                if err.loop_ancestor().is_some() {
                    found
                        .notices
                        .push(format!("{where_}: skipped: directory symlink loop"));
                } else {
                    found.notices.push(format!("{where_}: skipped: {err}"));
                }
            }
        }
    }
    // Group rotated siblings: same directory and stem, oldest (highest index) first.
    files.sort_by(|a, b| {
        let key = |p: &PathBuf| {
            let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_string();
            let stem = strip_rotation(&name).to_string();
            (dir, stem, std::cmp::Reverse(rotation_index(&name)), name)
        };
        key(a).cmp(&key(b))
    });
    for path in files {
        found.inputs.push(Input {
            display: path.display().to_string(),
            service: file_service(&path, Some(root)),
            source: Source::File(path),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_rotation_valid_suffixes() {
        assert_eq!(strip_rotation("app.log.2.gz"), "app");
        assert_eq!(strip_rotation("app.log.1"), "app");
        assert_eq!(strip_rotation("access.log-20240121"), "access");
        assert_eq!(strip_rotation("error.log.zst"), "error");
        assert_eq!(strip_rotation("syslog"), "syslog");
    }

    #[test]
    fn rotation_index_orders_oldest_first() {
        assert_eq!(rotation_index("app.log"), 0);
        assert_eq!(rotation_index("app.log.1"), 1);
        assert_eq!(rotation_index("app.log.2.gz"), 2);
    }

    #[test]
    fn change_file_names_valid() {
        assert!(is_change_file("deploys.csv"));
        assert!(is_change_file("changes.jsonl"));
        assert!(!is_change_file("deploy.log"));
    }

    #[test]
    fn discover_directory_valid_services_and_rotation_order() {
        let dir = tempfile::tempdir().unwrap();
        let api = dir.path().join("api");
        std::fs::create_dir(&api).unwrap();
        for name in ["app.log", "app.log.1", "app.log.2.gz"] {
            std::fs::write(api.join(name), "x\n").unwrap();
        }
        std::fs::write(dir.path().join("nginx.log"), "x\n").unwrap();
        std::fs::write(dir.path().join("deploys.csv"), "time\n").unwrap();
        let found = discover(&[dir.path().display().to_string()]).unwrap();
        let names: Vec<String> = found
            .inputs
            .iter()
            .map(|i| {
                format!(
                    "{}:{}",
                    i.service,
                    Path::new(&i.display).file_name().unwrap().to_string_lossy()
                )
            })
            .collect();
        assert_eq!(
            names,
            vec![
                "nginx:nginx.log",
                "api:app.log.2.gz",
                "api:app.log.1",
                "api:app.log"
            ]
        );
        assert_eq!(found.change_files.len(), 1);
    }

    #[test]
    fn file_given_directly_valid_hidden_parent_is_not_a_service() {
        let dir = tempfile::tempdir().unwrap();
        let hidden = dir.path().join(".tmpAbC123");
        std::fs::create_dir(&hidden).unwrap();
        let log = hidden.join("app.log");
        std::fs::write(&log, "x\n").unwrap();
        let found = discover(&[log.display().to_string()]).unwrap();
        assert_eq!(found.inputs[0].service, "app");
        let api = dir.path().join("api");
        std::fs::create_dir(&api).unwrap();
        std::fs::write(api.join("app.log"), "x\n").unwrap();
        let found = discover(&[api.join("app.log").display().to_string()]).unwrap();
        assert_eq!(found.inputs[0].service, "api");
    }

    #[test]
    fn discover_missing_path_invalid_names_it() {
        let err = discover(&["/no/such/culprit/path".to_string()]).unwrap_err();
        assert!(err.to_string().contains("/no/such/culprit/path"));
    }

    #[test]
    fn discover_directory_without_logs_invalid_names_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".hidden.log"), "x\n").unwrap();
        std::fs::write(dir.path().join("deploys.csv"), "time\n").unwrap();
        let shown = dir.path().display().to_string();
        let err = discover(std::slice::from_ref(&shown)).unwrap_err();
        assert!(err.to_string().contains(&shown), "{err}");
        // Beside a directory with logs it is only a notice.
        let logs = tempfile::tempdir().unwrap();
        std::fs::write(logs.path().join("app.log"), "x\n").unwrap();
        let found = discover(&[shown.clone(), logs.path().display().to_string()]).unwrap();
        assert_eq!(found.inputs.len(), 1);
        assert!(found.notices.iter().any(|n| n.contains(&shown)));
    }
}
