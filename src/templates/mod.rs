//! Template mining: folds event messages into templates, with `<*>` where a variable stood
//! (`Failed password for <*> from <*> port <*> ssh2`), the convention of the log-parsing
//! literature, so that templates compare with published ground truth.
//!
//! ```text
//!  message ─mask (mask.rs)─▶ masked key ─count (table.rs, per input, then merged)─▶ KeyTable
//!     KeyTable ─cluster (cluster.rs)─▶ templates (text, count, first/last, services, samples)
//! ```
//!
//! Key types: [`MinerSink`] (an [`crate::ingest::EventSink`] that counts masked keys),
//! [`KeyTable`] (the bounded table of distinct keys), [`TemplateSet`] (the templates, sorted by
//! count, plus the key → template mapping used by `templates --assign`), [`Template`].
//!
//! Design choices:
//! * **Order-independent.** Drain-style miners depend on arrival order. Here messages are only
//!   *counted* per masked key (commutative, so inputs and threads merge trivially); templates
//!   are formed at the end from the set of keys, with every choice ordered. The same inputs
//!   give byte-identical output whatever the thread count or the order of the paths.
//! * **Stable ids.** A template's id is the FNV-1a 64 hash of its text ([`template_id`]): the
//!   same template has the same id across runs, inputs, machines and releases, so nightly
//!   scans can compare them.
//! * **Bounded memory.** At most `max_keys` distinct keys (default
//!   [`table::DEFAULT_MAX_KEYS`]) and `max_key_bytes` of key text are held; past that, keys are
//!   coarsened (see [`table`]) and the output says so ([`TemplateSet::cap_note`]). Per key: the
//!   key text, 3 samples of at most 512 bytes, per-service counts (measured: about 1 KB per
//!   distinct key including clustering, so ~100 MB at the default cap). `--assign` additionally keeps
//!   16 bytes per event (line number and key id) until the end of the run.
//! * **Signatures.** Each template has an optional signature id, filled after mining by a
//!   [`SignatureLookup`] (the signature library is wired in by the caller).

pub mod cluster;
pub mod mask;
pub mod sink;
pub mod table;

use crate::event::Timestamp;
pub use sink::MinerSink;
pub use table::{DEFAULT_MAX_KEYS, KeyTable, Limits};

/// One example line of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateSample {
    pub source: String,
    /// 1-based line number in `source`.
    pub line: u64,
    pub text: String,
}

/// One template and what was seen of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    /// [`template_id`] of `text`.
    pub id: String,
    /// Template text, variables written `<*>`.
    pub text: String,
    /// Events that fold into it.
    pub count: u64,
    /// Earliest and latest event time (`None` when events carry no time, e.g. `--raw`).
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    /// Events per service, most first (ties by name).
    pub services: Vec<(String, u64)>,
    /// Up to three examples: the smallest (source, line) pairs.
    pub samples: Vec<TemplateSample>,
    /// The failure signature that matches this template, if any.
    pub signature: Option<String>,
}

/// Finds the failure signature of a template (implemented by the signature library).
pub trait SignatureLookup {
    fn signature_for(&self, template: &Template) -> Option<String>;
}

/// A lookup that matches nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoSignatures;

impl SignatureLookup for NoSignatures {
    fn signature_for(&self, _template: &Template) -> Option<String> {
        None
    }
}

/// A template's stable id: FNV-1a 64 of its text, as 16 lower-case hex digits.
///
/// Hand-written rather than `std`'s `DefaultHasher`, whose output may change between Rust
/// releases.
pub fn template_id(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Templates mined from a [`KeyTable`], sorted by count (most first, ties by text).
#[derive(Debug)]
pub struct TemplateSet {
    pub templates: Vec<Template>,
    /// Events counted.
    pub events: u64,
    /// Distinct masked keys (after coarsening, if any).
    pub distinct_keys: usize,
    table: KeyTable,
    /// Key id → index into `templates`.
    key_template: Vec<u32>,
}

impl TemplateSet {
    /// Clusters the keys of `table` into templates. `with_times`: events carry real times.
    pub fn build(table: KeyTable, with_times: bool) -> TemplateSet {
        let clusters = cluster::cluster(&table);
        let mut templates: Vec<(Template, Vec<u32>)> = clusters
            .into_iter()
            .map(|(text, ids)| {
                let mut stats = table::KeyStats::default();
                for &id in &ids {
                    if let Some(s) = table.stats(id) {
                        stats.merge(s);
                    }
                }
                let mut services: Vec<(String, u64)> = stats
                    .services
                    .iter()
                    .map(|(s, n)| (s.to_string(), *n))
                    .collect();
                services.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                let t = Template {
                    id: template_id(&text),
                    count: stats.count,
                    first_seen: (with_times && stats.count > 0).then_some(Timestamp(stats.first)),
                    last_seen: (with_times && stats.count > 0).then_some(Timestamp(stats.last)),
                    services,
                    samples: stats
                        .samples
                        .iter()
                        .map(|s| TemplateSample {
                            source: s.source.to_string(),
                            line: s.line,
                            text: s.text.to_string(),
                        })
                        .collect(),
                    signature: None,
                    text,
                };
                (t, ids)
            })
            .collect();
        templates.sort_by(|a, b| {
            b.0.count
                .cmp(&a.0.count)
                .then_with(|| a.0.text.cmp(&b.0.text))
        });
        let mut key_template = vec![0u32; table.len()];
        for (ti, (_, ids)) in templates.iter().enumerate() {
            for &id in ids {
                if let Some(slot) = key_template.get_mut(id as usize) {
                    *slot = u32::try_from(ti).unwrap_or(u32::MAX);
                }
            }
        }
        TemplateSet {
            events: table.events(),
            distinct_keys: table.len(),
            templates: templates.into_iter().map(|(t, _)| t).collect(),
            table,
            key_template,
        }
    }

    /// The template of a key produced by a table at coarsening level `key_level`.
    pub fn for_key(&self, key: &str, key_level: u8) -> Option<&Template> {
        let id = self.table.find_lifted(key, key_level)?;
        let ti = *self.key_template.get(id as usize)?;
        self.templates.get(ti as usize)
    }

    /// Fills each template's signature id.
    pub fn fill_signatures(&mut self, lookup: &dyn SignatureLookup) {
        for t in &mut self.templates {
            t.signature = lookup.signature_for(t);
        }
    }

    /// The coarsening level reached (0 when no cap was hit).
    pub fn level(&self) -> u8 {
        self.table.level()
    }

    pub fn limits(&self) -> Limits {
        self.table.limits()
    }

    /// A sentence saying that the cap on distinct keys was hit, if it was.
    pub fn cap_note(&self) -> Option<String> {
        let level = self.level();
        if level == 0 {
            return None;
        }
        let limits = self.limits();
        let kept = match table::keep_positions(level) {
            0 => "only the number of words".to_string(),
            1 => "only the first word".to_string(),
            n => format!("only the first {n} words"),
        };
        Some(format!(
            "more than {} distinct message shapes (or {} MiB of them): messages were grouped by {kept} (coarsening level {level}); raise --max-keys for finer templates",
            limits.max_keys,
            limits.max_key_bytes >> 20
        ))
    }
}

/// Mines templates from bare messages (tests, benchmarks, evaluation). Message `i` is line
/// `i + 1` of source `-`.
pub fn mine_messages<'a>(
    messages: impl IntoIterator<Item = &'a str>,
    limits: Limits,
) -> TemplateSet {
    use std::sync::Arc;
    let mut table = KeyTable::new(limits);
    let mut masked = mask::Masked::new();
    let source: Arc<str> = Arc::from("-");
    for (i, m) in messages.into_iter().enumerate() {
        mask::mask_message(m, &mut masked);
        table.add(
            &masked,
            &table::Observation {
                time: 0,
                service: &source,
                source: &source,
                line: i as u64 + 1,
                text: m,
            },
        );
    }
    TemplateSet::build(table, false)
}

/// The template text of each message, in order (evaluation against ground truth).
pub fn assign_messages(messages: &[&str], limits: Limits) -> Vec<String> {
    let set = mine_messages(messages.iter().copied(), limits);
    let mut masked = mask::Masked::new();
    messages
        .iter()
        .map(|m| {
            mask::mask_message(m, &mut masked);
            set.for_key(&masked.key, 0)
                .map(|t| t.text.clone())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_id_valid_golden_value() {
        // FNV-1a 64 reference vector ("a") and a fixed template: these must never change.
        assert_eq!(template_id("a"), "af63dc4c8601ec8c");
        assert_eq!(template_id(""), "cbf29ce484222325");
        assert_eq!(
            template_id("Failed password for <*> from <*> port <*> ssh2"),
            "c2b74abd2fe79f5b"
        );
    }

    // OpenSSH auth.c authlog: "%s %s%s%s for %s%.100s from %.200s port %d ssh2%s%s";
    // sshd "Invalid user %.100s from %.100s port %d" (older: without the port).
    const SSHD: &[&str] = &[
        "Failed password for root from 5.36.59.76 port 42393 ssh2",
        "Invalid user webmaster from 173.234.31.186",
        "Failed password for root from 112.95.230.3 port 45378 ssh2",
        "Failed password for invalid user test9 from 52.80.34.196 port 36060 ssh2",
        "Invalid user chen from 202.100.179.208",
        "Failed password for uucp from 112.95.230.3 port 47068 ssh2",
        "Invalid user admin from 5.188.10.180",
        "Failed password for git from 60.2.12.12 port 51232 ssh2",
        "Failed password for invalid user webmaster from 173.234.31.186 port 39257 ssh2",
        "Connection closed by 173.234.31.186 [preauth]",
    ];

    fn texts(set: &TemplateSet) -> Vec<(String, u64)> {
        set.templates
            .iter()
            .map(|t| (t.text.clone(), t.count))
            .collect()
    }

    #[test]
    fn mining_valid_groups_sshd_lines() {
        let set = mine_messages(SSHD.iter().copied(), Limits::default());
        assert_eq!(
            texts(&set),
            vec![
                (
                    "Failed password for <*> from <*> port <*> ssh2".to_string(),
                    4
                ),
                ("Invalid user <*> from <*>".to_string(), 3),
                (
                    "Failed password for invalid user <*> from <*> port <*> ssh2".to_string(),
                    2
                ),
                ("Connection closed by <*> [preauth]".to_string(), 1),
            ]
        );
        assert_eq!(set.templates[0].id, "c2b74abd2fe79f5b");
        assert_eq!(
            set.templates[0]
                .samples
                .iter()
                .map(|s| s.line)
                .collect::<Vec<_>>(),
            vec![1, 3, 6]
        );
    }

    #[test]
    fn mining_valid_same_result_in_any_order() {
        let forward = mine_messages(SSHD.iter().copied(), Limits::default());
        let backward = mine_messages(SSHD.iter().rev().copied(), Limits::default());
        let strip = |s: &TemplateSet| {
            s.templates
                .iter()
                .map(|t| (t.id.clone(), t.count))
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&forward), strip(&backward));
    }

    #[test]
    fn mining_valid_same_result_for_any_thread_count() {
        let lines: Vec<String> = (0..3000)
            .map(|i| match i % 4 {
                0 => format!(
                    "Received block blk_{} of size {} from /10.251.{}.{}",
                    1000 + i * 7919,
                    67108864,
                    i % 200,
                    i % 250
                ),
                1 => format!(
                    "PacketResponder {} for block blk_-{} terminating",
                    i % 3,
                    5000 + i * 31
                ),
                2 => format!(
                    "session opened for user {} by (uid=0)",
                    ["cyrus", "news", "test"][i % 3]
                ),
                _ => format!("Verification succeeded for blk_{}", 77_000 + i),
            })
            .collect();
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let set = mine_messages(lines.iter().map(String::as_str), Limits::default());
                set.templates
                    .iter()
                    .map(|t| (t.id.clone(), t.text.clone(), t.count))
                    .collect::<Vec<_>>()
            })
        };
        let one = run(1);
        assert_eq!(one, run(4));
        assert_eq!(one.len(), 4);
    }

    #[test]
    fn assign_valid_every_message_gets_its_template() {
        let got = assign_messages(SSHD, Limits::default());
        assert_eq!(got[1], "Invalid user <*> from <*>");
        assert_eq!(got[9], "Connection closed by <*> [preauth]");
    }

    #[test]
    fn cap_valid_is_reported() {
        let word = super::table::tests::word;
        let lines: Vec<String> = (0..500)
            .map(|i| {
                format!(
                    "{} {} {} {} tail",
                    word(i % 50),
                    word(i % 7),
                    word(i),
                    word(i % 3)
                )
            })
            .collect();
        let limits = Limits {
            max_keys: 10,
            max_key_bytes: usize::MAX,
        };
        let set = mine_messages(lines.iter().map(String::as_str), limits);
        assert!(set.level() > 0);
        assert!(set.cap_note().unwrap().contains("more than 10 distinct"));
        assert_eq!(set.templates.iter().map(|t| t.count).sum::<u64>(), 500);
        let fine = mine_messages(lines.iter().map(String::as_str), Limits::default());
        assert!(fine.cap_note().is_none());
    }

    #[test]
    fn signatures_valid_filled_by_lookup() {
        struct Ssh;
        impl SignatureLookup for Ssh {
            fn signature_for(&self, t: &Template) -> Option<String> {
                t.text
                    .starts_with("Failed password")
                    .then(|| "ssh-bruteforce".to_string())
            }
        }
        let mut set = mine_messages(SSHD.iter().copied(), Limits::default());
        set.fill_signatures(&Ssh);
        assert_eq!(
            set.templates[0].signature.as_deref(),
            Some("ssh-bruteforce")
        );
        assert_eq!(set.templates[1].signature, None);
    }
}
