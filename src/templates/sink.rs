//! [`MinerSink`]: the [`EventSink`] that feeds one input's messages to the template miner.
//!
//! Each input gets its own sink with a local [`KeyTable`]. Without `--assign`, and with more
//! than one thread, events are buffered by [`BATCH`] and each batch is masked and counted in
//! parallel (rayon), into per-thread tables folded into the local one (with one thread each
//! event is counted as it comes); the local table is folded into the run's shared
//! table whenever it reaches [`FLUSH_KEYS`] keys, and at the end ([`MinerSink::finish`]).
//! Memory stays near the shared table's cap plus, per input being read, one batch of events
//! and [`FLUSH_KEYS`] keys. Every fold is commutative, so the result does not depend on the
//! thread count. With `--assign` the sink works sequentially and keeps its table and one
//! (line, key id) pair per event, so each event can be given its template once all inputs are
//! mined.

use super::mask::{Masked, mask_message};
use super::table::{KeyTable, Limits, Observation};
use crate::event::Event;
use crate::ingest::EventSink;
use rayon::prelude::*;
use std::sync::{Arc, Mutex};

/// Local keys that trigger a fold into the shared table.
pub const FLUSH_KEYS: usize = 8192;
/// Events buffered before a batch is mined in parallel.
pub const BATCH: usize = 16_384;

/// Counts one input's masked messages.
#[derive(Debug)]
pub struct MinerSink {
    shared: Arc<Mutex<KeyTable>>,
    local: KeyTable,
    masked: Masked,
    source: Arc<str>,
    /// `--assign`: (line, local key id) per event, in input order.
    assigned: Option<Vec<(u64, u32)>>,
    pending: Vec<Event>,
    limits: Limits,
}

fn lock(m: &Mutex<KeyTable>) -> std::sync::MutexGuard<'_, KeyTable> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl MinerSink {
    /// A sink for the input shown as `source`.
    pub fn new(
        source: &str,
        shared: Arc<Mutex<KeyTable>>,
        limits: Limits,
        assign: bool,
    ) -> MinerSink {
        MinerSink {
            shared,
            local: KeyTable::new(limits),
            masked: Masked::new(),
            source: Arc::from(source),
            assigned: assign.then(Vec::new),
            pending: Vec::new(),
            limits,
        }
    }

    /// Masks and counts the buffered events, in parallel when there is more than one thread.
    fn mine_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let threads = rayon::current_num_threads();
        if threads <= 1 {
            let events = std::mem::take(&mut self.pending);
            for e in &events {
                count(&mut self.local, &mut self.masked, &self.source, e);
            }
            self.pending = events;
        } else {
            let per = self.pending.len().div_ceil(threads * 2).max(1024);
            let (limits, source) = (self.limits, &self.source);
            let tables: Vec<KeyTable> = self
                .pending
                .par_chunks(per)
                .map(|chunk| {
                    let mut table = KeyTable::new(limits);
                    let mut masked = Masked::new();
                    for e in chunk {
                        count(&mut table, &mut masked, source, e);
                    }
                    table
                })
                .collect();
            for t in &tables {
                self.local.merge_from(t);
            }
        }
        self.pending.clear();
        if self.local.len() >= FLUSH_KEYS {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.local.is_empty() {
            return;
        }
        lock(&self.shared).merge_from(&self.local);
        self.local.clear();
    }

    /// Folds what is left into the shared table. With `--assign` the local table is kept for
    /// [`MinerSink::assignments`].
    pub fn finish(&mut self) {
        self.mine_pending();
        if self.assigned.is_some() {
            lock(&self.shared).merge_from(&self.local);
        } else {
            self.flush();
        }
    }

    /// `--assign`: each event's (line, masked key, level of that key), in input order.
    pub fn assignments(&self) -> impl Iterator<Item = (u64, &str, u8)> {
        let level = self.local.level();
        self.assigned
            .iter()
            .flatten()
            .map(move |&(line, id)| (line, self.local.key(id), level))
    }

    pub fn source(&self) -> &str {
        &self.source
    }
}

fn count(table: &mut KeyTable, masked: &mut Masked, source: &Arc<str>, event: &Event) -> u32 {
    mask_message(&event.message, masked);
    let obs = Observation {
        time: event.time.0,
        service: &event.service,
        source,
        line: event.line,
        text: &event.message,
    };
    table.add(masked, &obs)
}

impl EventSink for MinerSink {
    fn accept(&mut self, event: Event) {
        let Some(assigned) = &mut self.assigned else {
            if rayon::current_num_threads() <= 1 {
                count(&mut self.local, &mut self.masked, &self.source, &event);
                if self.local.len() >= FLUSH_KEYS {
                    self.flush();
                }
                return;
            }
            self.pending.push(event);
            if self.pending.len() >= BATCH {
                self.mine_pending();
            }
            return;
        };
        let id = count(&mut self.local, &mut self.masked, &self.source, &event);
        if let Some(map) = self.local.take_remap() {
            for a in assigned.iter_mut() {
                a.1 = map.get(a.1 as usize).copied().unwrap_or(a.1);
            }
        }
        assigned.push((event.line, id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::input::{Input, Source};
    use crate::ingest::{IngestOptions, ingest};
    use crate::templates::TemplateSet;

    fn mine_file(
        path: &std::path::Path,
        threads: usize,
        assign: bool,
    ) -> Vec<(String, String, u64)> {
        let inputs = vec![Input {
            source: Source::File(path.to_path_buf()),
            display: "big.log".into(),
            service: "big".into(),
        }];
        let opts = IngestOptions {
            raw: true,
            chunk_bytes: 64 * 1024,
            ..IngestOptions::default()
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let shared = Arc::new(Mutex::new(KeyTable::new(Limits::default())));
            let results = ingest(&inputs, &opts, |_| {
                MinerSink::new("big.log", shared.clone(), Limits::default(), assign)
            });
            for (_, mut sink) in results {
                sink.finish();
            }
            let table = std::mem::replace(&mut *lock(&shared), KeyTable::new(Limits::default()));
            let set = TemplateSet::build(table, false);
            set.templates
                .iter()
                .map(|t| (t.id.clone(), format!("{:?}", t.samples), t.count))
                .collect()
        })
    }

    #[test]
    fn sink_valid_same_templates_for_any_thread_count_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.log");
        let mut text = String::new();
        // Spark Executor: s"Running $taskName (TID $taskId)"; BlockManager: "Found block %s locally".
        for i in 0..40_000u32 {
            match i % 3 {
                0 => text.push_str(&format!(
                    "Running task {}.0 in stage {}.0 (TID {i})\n",
                    i % 97,
                    i % 13
                )),
                1 => text.push_str(&format!("Found block rdd_{}_{} locally\n", i % 7, i % 11)),
                _ => text.push_str(&format!("Got assigned task {i}\n")),
            }
        }
        std::fs::write(&path, text).unwrap();
        let one = mine_file(&path, 1, false);
        assert_eq!(one.len(), 3);
        assert_eq!(one.iter().map(|t| t.2).sum::<u64>(), 40_000);
        assert_eq!(one, mine_file(&path, 3, false));
        assert_eq!(one, mine_file(&path, 2, true));
    }
}
