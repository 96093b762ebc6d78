//! Options shared by every command that reads logs, and their resolution into
//! [`IngestOptions`].

use crate::ingest::{self, IngestOptions};
use crate::time::{Zone, parse_duration_nanos};
use anyhow::{Context, bail};
use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Log files or directories (recursive; .gz and .zst are decompressed; `-` reads stdin).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,

    /// Read every input as this format instead of sniffing it (see README for the names).
    #[arg(long, value_name = "NAME")]
    pub input_format: Option<String>,

    /// Time zone of timestamps that carry none: an IANA name (Europe/Paris), UTC, or an offset
    /// (+02:00).
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    pub tz: String,

    /// Year of year-less timestamps (syslog RFC 3164) at the start of each input; default:
    /// inferred from the input's modification time.
    #[arg(long, value_name = "YEAR")]
    pub year: Option<i32>,

    /// Correct a known clock error of one service: SERVICE=±DURATION (e.g. db=-2.5s). The
    /// duration is added to that service's times. Repeatable.
    #[arg(long = "clock-offset", value_name = "SERVICE=±DURATION")]
    pub clock_offset: Vec<String>,

    /// Cut lines longer than this many bytes (the cut is counted, never fatal).
    #[arg(long, value_name = "BYTES", default_value_t = ingest::DEFAULT_MAX_LINE_BYTES)]
    pub max_line_bytes: usize,
}

impl InputArgs {
    pub fn resolve(&self) -> anyhow::Result<IngestOptions> {
        if let Some(name) = &self.input_format {
            ingest::validate_format_name(name).context("invalid value for --input-format")?;
        }
        let zone = Zone::parse(&self.tz)
            .map_err(anyhow::Error::msg)
            .context("invalid value for --tz")?;
        if let Some(y) = self.year {
            if !crate::time::is_plausible_year(y) {
                bail!("invalid value for --year: {y} (expected a year between 1970 and 2200)");
            }
        }
        let mut clock_offsets = Vec::new();
        for spec in &self.clock_offset {
            let Some((service, dur)) = spec.split_once('=') else {
                bail!(
                    "invalid value for --clock-offset: {spec:?} (expected SERVICE=±DURATION, e.g. db=-2.5s)"
                );
            };
            if service.is_empty() {
                bail!("invalid value for --clock-offset: {spec:?} (the service name is empty)");
            }
            let nanos = parse_duration_nanos(dur)
                .map_err(anyhow::Error::msg)
                .with_context(|| format!("invalid value for --clock-offset: {spec:?}"))?;
            clock_offsets.push((service.to_string(), nanos));
        }
        if self.max_line_bytes < 64 {
            bail!(
                "invalid value for --max-line-bytes: {} (use at least 64)",
                self.max_line_bytes
            );
        }
        Ok(IngestOptions {
            input_format: self.input_format.clone(),
            zone,
            year: self.year,
            max_line_bytes: self.max_line_bytes,
            clock_offsets,
            ..IngestOptions::default()
        })
    }
}

/// Opens `-o FILE` (or stdout), with the path in the error.
pub fn open_output(path: Option<&std::path::Path>) -> anyhow::Result<Box<dyn std::io::Write>> {
    Ok(match path {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p)
                .with_context(|| format!("cannot create output file {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    })
}

/// Prints discovery notices and per-input problems on stderr; returns whether any input failed.
pub fn report_input_problems(notices: &[String], reports: &[ingest::InputReport]) -> bool {
    use crate::report::escape::terminal;
    let mut failed = false;
    for n in notices {
        eprintln!("culprit: notice: {}", terminal(n));
    }
    for r in reports {
        if let Some(why) = &r.skipped {
            eprintln!(
                "culprit: notice: {}: skipped: {}",
                terminal(&r.path),
                terminal(why)
            );
        }
        if let Some(encoding) = &r.encoding {
            eprintln!(
                "culprit: notice: {}: read as {encoding} text (transcoded to UTF-8)",
                terminal(&r.path)
            );
        }
        if r.cr_only {
            eprintln!(
                "culprit: notice: {}: lines end with a lone CR (classic Mac OS); each CR read as a line end",
                terminal(&r.path)
            );
        }
        if let Some(err) = &r.error {
            eprintln!("culprit: error: {}", terminal(err));
            failed = true;
        }
    }
    failed
}

/// A progress bar on stderr while large inputs are read: only when stderr is a terminal and
/// the inputs add up to at least [`PROGRESS_MIN_BYTES`]; nothing otherwise (logs, pipes, CI).
/// The bar counts bytes after decompression against the files' sizes on disk, so it can run
/// past 100 % on compressed inputs.
pub struct Progress {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Inputs smaller than this read too fast for a bar to help.
pub const PROGRESS_MIN_BYTES: u64 = 64 * 1024 * 1024;

impl Progress {
    /// Starts a bar for `inputs` if it is worth showing, and points `opts` at its counter.
    pub fn start(
        inputs: &[crate::ingest::input::Input],
        opts: &mut crate::ingest::IngestOptions,
    ) -> Option<Progress> {
        use std::io::IsTerminal;
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let total: u64 = inputs
            .iter()
            .filter_map(|i| match &i.source {
                crate::ingest::input::Source::File(p) => std::fs::metadata(p).ok(),
                _ => None,
            })
            .map(|m| m.len())
            .sum();
        if total < PROGRESS_MIN_BYTES {
            return None;
        }
        let counter = std::sync::Arc::new(AtomicU64::new(0));
        opts.progress = Some(counter.clone());
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let stop_seen = stop.clone();
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} reading {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left) {wide_bar}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let thread = std::thread::spawn(move || {
            while !stop_seen.load(Ordering::Relaxed) {
                bar.set_position(counter.load(Ordering::Relaxed).min(total));
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            bar.finish_and_clear();
        });
        Some(Progress {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The embedded signatures, or those plus `--patterns` directories.
pub fn load_signatures(
    dirs: &[std::path::PathBuf],
) -> anyhow::Result<&'static crate::patterns::SignatureSet> {
    if dirs.is_empty() {
        return Ok(crate::patterns::SignatureSet::embedded());
    }
    match crate::patterns::SignatureSet::load(dirs) {
        Ok(set) => Ok(Box::leak(Box::new(set))),
        Err(errors) => {
            for e in &errors {
                eprintln!("culprit: error: {e}");
            }
            anyhow::bail!(
                "invalid pattern files ({} errors); run `culprit patterns check DIR`",
                errors.len()
            )
        }
    }
}

/// Parses a time given on the command line (RFC 3339, or a local time in `zone`); the error
/// names the option.
pub fn user_instant(
    value: &str,
    option: &str,
    zone: &Zone,
) -> anyhow::Result<crate::event::Timestamp> {
    crate::time::parse_user_instant(value, zone)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("invalid value for {option}"))
}

/// Parses `--since` and `--until` and checks that `--until` comes after `--since`.
pub fn since_until(
    since: Option<&str>,
    until: Option<&str>,
    zone: &Zone,
) -> anyhow::Result<(
    Option<crate::event::Timestamp>,
    Option<crate::event::Timestamp>,
)> {
    let since = since
        .map(|s| user_instant(s, "--since", zone))
        .transpose()?;
    let until = until
        .map(|s| user_instant(s, "--until", zone))
        .transpose()?;
    if let (Some(s), Some(u)) = (since, until) {
        if u <= s {
            bail!("invalid value for --until: it must be after --since");
        }
    }
    Ok((since, until))
}
