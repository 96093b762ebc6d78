//! The counting table of masked keys: one entry per distinct key with its count, first and
//! last time, per-service counts, a few samples and the text of its weak variables.
//!
//! Key types: [`KeyTable`], [`KeyStats`], [`Observation`], [`Limits`].
//!
//! Every update is commutative (sums, minimums, maximums, "smallest three by (source, line)",
//! "constant or varies"), so tables filled by different threads, in any order, merge into the
//! same result.
//!
//! **Bounded memory.** The table holds at most [`Limits::max_keys`] keys and
//! [`Limits::max_key_bytes`] bytes of key text. When a limit is exceeded the whole table moves
//! to the next *coarsening level*, where every key keeps only its first few positions and the
//! rest become variables ([`keep_positions`]): level 1 keeps 4 positions, level 2 keeps 1,
//! level 3 keeps none (one key per message length, at most [`super::mask::MAX_POSITIONS`]).
//! The level depends only on the set of keys seen, never on their order: a level is entered
//! when the keys seen so far exceed a limit at the level below, and the number (and bytes) of
//! distinct keys at a level can only grow as more messages arrive, so the final level is the
//! lowest one at which *all* keys fit. The output says when this happened.

use super::mask::{Masked, SEP, VAR, WEAK};
use std::collections::HashMap;
use std::sync::Arc;

/// Default cap on distinct keys (`templates --max-keys`).
pub const DEFAULT_MAX_KEYS: usize = 100_000;
/// Default cap on the bytes of key text.
pub const DEFAULT_MAX_KEY_BYTES: usize = 64 << 20;
/// Samples kept per key and per template.
pub const SAMPLES: usize = 3;
/// Bytes of message text kept per sample.
pub const SAMPLE_TEXT_BYTES: usize = 512;
/// The last coarsening level.
pub const MAX_LEVEL: u8 = 3;

/// Positions a key keeps at a coarsening level (the rest become variables).
pub fn keep_positions(level: u8) -> usize {
    match level {
        0 => usize::MAX,
        1 => 4,
        2 => 1,
        _ => 0,
    }
}

/// Caps on the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_keys: usize,
    pub max_key_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_keys: DEFAULT_MAX_KEYS,
            max_key_bytes: DEFAULT_MAX_KEY_BYTES,
        }
    }
}

/// One example line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sample {
    pub source: Arc<str>,
    /// 1-based line number in its source.
    pub line: u64,
    /// The message, cut to [`SAMPLE_TEXT_BYTES`].
    pub text: Box<str>,
}

impl Sample {
    fn order(&self) -> (&str, u64) {
        (&self.source, self.line)
    }
}

/// What is known about one weak variable of a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WeakSlot {
    /// Every message of the key had this text there.
    Const(Box<str>),
    /// The text differed between messages.
    Varies,
}

/// The statistics of one key (or, summed, of one template).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyStats {
    pub count: u64,
    /// Earliest and latest event time (nanoseconds), meaningful when `count > 0`.
    pub first: i64,
    pub last: i64,
    pub services: Vec<(Arc<str>, u64)>,
    /// The smallest (source, line) samples, sorted.
    pub samples: Vec<Sample>,
    /// One slot per [`WEAK`] marker of the key, in order.
    pub weak: Vec<WeakSlot>,
}

/// One message as the table records it.
#[derive(Clone, Copy, Debug)]
pub struct Observation<'a> {
    pub time: i64,
    pub service: &'a Arc<str>,
    pub source: &'a Arc<str>,
    pub line: u64,
    pub text: &'a str,
}

fn cut_text(s: &str) -> Box<str> {
    if s.len() <= SAMPLE_TEXT_BYTES {
        return s.into();
    }
    let mut end = SAMPLE_TEXT_BYTES;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].into()
}

impl KeyStats {
    fn observe(&mut self, obs: &Observation<'_>, weak: impl Iterator<Item = impl AsRef<str>>) {
        if self.count == 0 {
            self.first = obs.time;
            self.last = obs.time;
            self.weak = weak.map(|w| WeakSlot::Const(w.as_ref().into())).collect();
        } else {
            self.first = self.first.min(obs.time);
            self.last = self.last.max(obs.time);
            for (slot, w) in self.weak.iter_mut().zip(weak) {
                if let WeakSlot::Const(c) = slot {
                    if **c != *w.as_ref() {
                        *slot = WeakSlot::Varies;
                    }
                }
            }
        }
        self.count += 1;
        match self
            .services
            .iter_mut()
            .find(|(s, _)| Arc::ptr_eq(s, obs.service) || **s == **obs.service)
        {
            Some(e) => e.1 += 1,
            None => self.services.push((obs.service.clone(), 1)),
        }
        let order = (&**obs.source, obs.line);
        let full = self.samples.len() >= SAMPLES;
        if full && self.samples.last().is_some_and(|s| s.order() <= order) {
            return;
        }
        let at = self.samples.partition_point(|s| s.order() < order);
        self.samples.insert(
            at,
            Sample {
                source: obs.source.clone(),
                line: obs.line,
                text: cut_text(obs.text),
            },
        );
        self.samples.truncate(SAMPLES);
    }

    /// Folds `other` into `self` (commutative and associative).
    pub fn merge(&mut self, other: &KeyStats) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = other.clone();
            return;
        }
        self.count += other.count;
        self.first = self.first.min(other.first);
        self.last = self.last.max(other.last);
        for (name, n) in &other.services {
            match self.services.iter_mut().find(|(s, _)| s == name) {
                Some(e) => e.1 += n,
                None => self.services.push((name.clone(), *n)),
            }
        }
        for s in &other.samples {
            if self.samples.iter().any(|x| x.order() == s.order()) {
                continue;
            }
            let at = self.samples.partition_point(|x| x.order() < s.order());
            self.samples.insert(at, s.clone());
        }
        self.samples.truncate(SAMPLES);
        let n = self.weak.len().min(other.weak.len());
        self.weak.truncate(n);
        for (a, b) in self.weak.iter_mut().zip(&other.weak) {
            if a != b {
                *a = WeakSlot::Varies;
            }
        }
    }
}

/// Writes `key` coarsened to `level` into `out`; returns how many weak markers survive.
pub fn coarsen_key(key: &str, level: u8, out: &mut String) -> usize {
    out.clear();
    let keep = keep_positions(level);
    let mut weak = 0;
    for (i, pos) in key.split(SEP).enumerate() {
        if i > 0 {
            out.push(SEP);
        }
        if i < keep {
            out.push_str(pos);
            weak += pos.chars().filter(|&c| c == WEAK).count();
        } else {
            out.push(VAR);
        }
    }
    weak
}

struct Entry {
    key: Arc<str>,
    stats: KeyStats,
}

/// Distinct masked keys with their statistics, capped (see the module doc).
pub struct KeyTable {
    entries: Vec<Entry>,
    index: HashMap<Arc<str>, u32>,
    bytes: usize,
    level: u8,
    limits: Limits,
    scratch: String,
    /// Old id → new id of the level changes since the last [`KeyTable::take_remap`].
    remap: Option<Vec<u32>>,
}

impl std::fmt::Debug for KeyTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyTable")
            .field("keys", &self.entries.len())
            .field("bytes", &self.bytes)
            .field("level", &self.level)
            .finish()
    }
}

impl KeyTable {
    pub fn new(limits: Limits) -> KeyTable {
        KeyTable {
            entries: Vec::new(),
            index: HashMap::new(),
            bytes: 0,
            level: 0,
            limits,
            scratch: String::new(),
            remap: None,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The coarsening level (0 = no limit was hit).
    pub fn level(&self) -> u8 {
        self.level
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Messages recorded.
    pub fn events(&self) -> u64 {
        self.entries.iter().map(|e| e.stats.count).sum()
    }

    pub fn key(&self, id: u32) -> &str {
        self.entries.get(id as usize).map_or("", |e| &e.key)
    }

    pub fn stats(&self, id: u32) -> Option<&KeyStats> {
        self.entries.get(id as usize).map(|e| &e.stats)
    }

    /// Ids of all keys.
    pub fn ids(&self) -> std::ops::Range<u32> {
        0..u32::try_from(self.entries.len()).unwrap_or(u32::MAX)
    }

    /// The id of a key written at this table's level.
    pub fn find(&self, key: &str) -> Option<u32> {
        self.index.get(key).copied()
    }

    /// The id of a key written at a level at or below this table's.
    pub fn find_lifted(&self, key: &str, key_level: u8) -> Option<u32> {
        if key_level >= self.level {
            return self.find(key);
        }
        let mut s = String::new();
        coarsen_key(key, self.level, &mut s);
        self.find(&s)
    }

    /// The id changes caused by level changes since the last call, if any.
    pub fn take_remap(&mut self) -> Option<Vec<u32>> {
        self.remap.take()
    }

    fn slot(&mut self, key: &str) -> u32 {
        if let Some(&id) = self.index.get(key) {
            return id;
        }
        let id = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        let key: Arc<str> = Arc::from(key);
        self.bytes += key.len();
        self.index.insert(key.clone(), id);
        self.entries.push(Entry {
            key,
            stats: KeyStats::default(),
        });
        id
    }

    /// Records one masked message; returns its key's id (valid until the next level change,
    /// see [`KeyTable::take_remap`]).
    pub fn add(&mut self, masked: &Masked, obs: &Observation<'_>) -> u32 {
        let id = if self.level == 0 {
            let id = self.slot(&masked.key);
            if let Some(e) = self.entries.get_mut(id as usize) {
                e.stats.observe(obs, masked.weak_values());
            }
            id
        } else {
            let mut scratch = std::mem::take(&mut self.scratch);
            let kept = coarsen_key(&masked.key, self.level, &mut scratch);
            let id = self.slot(&scratch);
            self.scratch = scratch;
            if let Some(e) = self.entries.get_mut(id as usize) {
                e.stats.observe(obs, masked.weak_values().take(kept));
            }
            id
        };
        match self.enforce() {
            Some(map) => map.get(id as usize).copied().unwrap_or(id),
            None => id,
        }
    }

    /// Folds every key of `other` into this table (lifting keys to the coarser of the two
    /// levels).
    pub fn merge_from(&mut self, other: &KeyTable) {
        while self.level < other.level {
            self.level_up();
        }
        let mut key = String::new();
        for e in &other.entries {
            if other.level < self.level {
                let kept = coarsen_key(&e.key, self.level, &mut key);
                let mut stats = e.stats.clone();
                stats.weak.truncate(kept);
                let id = self.slot(&key);
                if let Some(mine) = self.entries.get_mut(id as usize) {
                    mine.stats.merge(&stats);
                }
            } else {
                let id = self.slot(&e.key);
                if let Some(mine) = self.entries.get_mut(id as usize) {
                    mine.stats.merge(&e.stats);
                }
            }
            self.enforce();
        }
    }

    /// Empties the table, keeping its level (a flushed sink keeps coarsening consistently).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.index.clear();
        self.bytes = 0;
        self.remap = None;
    }

    fn over(&self) -> bool {
        self.entries.len() > self.limits.max_keys || self.bytes > self.limits.max_key_bytes
    }

    /// Moves up levels while over a limit; returns the composed id map if anything moved.
    fn enforce(&mut self) -> Option<&Vec<u32>> {
        if !self.over() || self.level >= MAX_LEVEL {
            return None;
        }
        while self.over() && self.level < MAX_LEVEL {
            self.level_up();
        }
        self.remap.as_ref()
    }

    fn level_up(&mut self) {
        self.level += 1;
        let old = std::mem::take(&mut self.entries);
        self.index.clear();
        self.bytes = 0;
        let mut map = Vec::with_capacity(old.len());
        let mut key = String::new();
        for e in old {
            let kept = coarsen_key(&e.key, self.level, &mut key);
            let mut stats = e.stats;
            stats.weak.truncate(kept);
            let id = self.slot(&key);
            if let Some(mine) = self.entries.get_mut(id as usize) {
                mine.stats.merge(&stats);
            }
            map.push(id);
        }
        self.remap = Some(match self.remap.take() {
            Some(prev) => prev
                .iter()
                .map(|&i| map.get(i as usize).copied().unwrap_or(0))
                .collect(),
            None => map,
        });
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::mask::mask_message;
    use super::*;

    fn obs<'a>(src: &'a Arc<str>, svc: &'a Arc<str>, line: u64, text: &'a str) -> Observation<'a> {
        Observation {
            time: line as i64,
            service: svc,
            source: src,
            line,
            text,
        }
    }

    fn fill(table: &mut KeyTable, src: &str, lines: &[&str]) {
        let src: Arc<str> = Arc::from(src);
        let svc: Arc<str> = Arc::from("app");
        let mut m = Masked::new();
        for (i, l) in lines.iter().enumerate() {
            mask_message(l, &mut m);
            table.add(&m, &obs(&src, &svc, i as u64 + 1, l));
        }
    }

    /// A digit-free word per number (`ba`, `bb`, …), so that it stays template text.
    pub fn word(i: usize) -> String {
        let mut s = String::from("b");
        let mut n = i;
        loop {
            s.push(char::from(b'a' + (n % 26) as u8));
            n /= 26;
            if n == 0 {
                return s;
            }
        }
    }

    fn snapshot(t: &KeyTable) -> Vec<(String, KeyStats)> {
        let mut v: Vec<(String, KeyStats)> = t
            .entries
            .iter()
            .map(|e| (e.key.to_string(), e.stats.clone()))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    #[test]
    fn table_valid_counts_weak_and_samples() {
        let mut t = KeyTable::new(Limits::default());
        fill(
            &mut t,
            "a.log",
            &[
                "Found block rdd_2_0 locally",
                "Found block rdd_2_3 locally",
                "Failed password for root from 5.36.59.76 port 42393 ssh2",
                "Failed password for root from 112.95.230.3 port 45378 ssh2",
                "Found block rdd_2_4 locally",
                "Found block rdd_2_5 locally",
            ],
        );
        assert_eq!(t.len(), 2);
        let found = snapshot(&t)
            .into_iter()
            .find(|(k, _)| k.starts_with("Found"))
            .unwrap()
            .1;
        assert_eq!(found.count, 4);
        assert_eq!(found.weak, vec![WeakSlot::Varies]);
        assert_eq!(
            found.samples.iter().map(|s| s.line).collect::<Vec<_>>(),
            vec![1, 2, 5]
        );
        let failed = snapshot(&t)
            .into_iter()
            .find(|(k, _)| k.starts_with("Failed"))
            .unwrap()
            .1;
        assert_eq!(failed.weak, vec![WeakSlot::Const("ssh2".into())]);
        assert_eq!((failed.first, failed.last), (3, 4));
    }

    #[test]
    fn merge_valid_any_split_gives_same_table() {
        let lines: Vec<String> = (0..200)
            .map(|i| match i % 3 {
                0 => format!("Invalid user u{} from 10.0.0.{}", i % 7, i % 250),
                1 => format!(
                    "Accepted publickey for deploy from 10.0.1.{} port {} ssh2",
                    i,
                    40000 + i
                ),
                _ => format!("worker-{} finished job in {}ms", i % 5, i * 3),
            })
            .collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let mut whole = KeyTable::new(Limits::default());
        fill(&mut whole, "x.log", &refs);
        let (a, b) = refs.split_at(77);
        let mut ta = KeyTable::new(Limits::default());
        let mut tb = KeyTable::new(Limits::default());
        fill(&mut ta, "x.log", a);
        // Same source, later lines: renumber by filling b with an offset source order.
        let src: Arc<str> = Arc::from("x.log");
        let svc: Arc<str> = Arc::from("app");
        let mut m = Masked::new();
        for (i, l) in b.iter().enumerate() {
            mask_message(l, &mut m);
            tb.add(&m, &obs(&src, &svc, (i + 78) as u64, l));
        }
        let mut ab = KeyTable::new(Limits::default());
        ab.merge_from(&tb);
        ab.merge_from(&ta);
        assert_eq!(snapshot(&ab), snapshot(&whole));
    }

    #[test]
    fn cap_valid_coarsens_and_level_is_order_independent() {
        let limits = Limits {
            max_keys: 8,
            max_key_bytes: usize::MAX,
        };
        let lines: Vec<String> = (0..40)
            .map(|i| format!("event {} kind {} said hello", word(i % 20), word(i % 13)))
            .collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let mut fwd = KeyTable::new(limits);
        fill(&mut fwd, "x.log", &refs);
        assert!(fwd.level() > 0);
        assert!(fwd.len() <= 8);
        let mut rev_refs = refs.clone();
        rev_refs.reverse();
        let mut rev = KeyTable::new(limits);
        fill(&mut rev, "x.log", &rev_refs);
        assert_eq!(fwd.level(), rev.level());
        let keys = |t: &KeyTable| {
            snapshot(t)
                .into_iter()
                .map(|(k, s)| (k, s.count))
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(&fwd), keys(&rev));
        assert_eq!(fwd.events(), 40);
    }

    #[test]
    fn remap_valid_tracks_ids_across_levels() {
        let limits = Limits {
            max_keys: 3,
            max_key_bytes: usize::MAX,
        };
        let mut t = KeyTable::new(limits);
        let src: Arc<str> = Arc::from("x");
        let mut m = Masked::new();
        let mut ids = Vec::new();
        for (i, l) in ["a b c d e", "a b c d f", "a b c d g", "a b c d h", "a q"]
            .iter()
            .enumerate()
        {
            mask_message(l, &mut m);
            let id = t.add(&m, &obs(&src, &src, i as u64, l));
            if let Some(map) = t.take_remap() {
                for x in &mut ids {
                    *x = map[*x as usize];
                }
            }
            ids.push(id);
        }
        assert_eq!(t.level(), 1);
        assert_eq!(ids[0], ids[3]);
        assert_ne!(ids[0], ids[4]);
        assert_eq!(t.stats(ids[0]).unwrap().count, 4);
    }
}
