//! The merged UTC timeline: every event of every input in time order, stable for equal
//! instants (ties keep input order, then line order).
//!
//! Memory is bounded: each input's events are gathered into sorted runs of at most
//! [`RUN_EVENTS`] events; full runs are spilled to a temporary file ([`spill`]); the runs of all
//! inputs are then merged with a k-way heap ([`MergedTimeline`]). Only one run per input plus
//! one event per spilled run is in memory at a time during the merge.

pub mod changes;
pub mod spill;
pub mod write;

use crate::event::{Event, Level, Timestamp};
use crate::ingest::EventSink;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Events kept in memory per input before a sorted run is spilled to disk.
pub const RUN_EVENTS: usize = 200_000;
/// An input's last run stays in memory for the merge only when it is at most this long.
pub const SPILL_TAIL_EVENTS: usize = 20_000;

/// Which events the timeline keeps.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub services: Vec<String>,
    pub min_level: Option<Level>,
}

impl Filter {
    pub fn accepts(&self, e: &Event) -> bool {
        if self.since.is_some_and(|s| e.time < s) || self.until.is_some_and(|u| e.time >= u) {
            return false;
        }
        if !self.services.is_empty() && !self.services.iter().any(|s| **s == *e.service) {
            return false;
        }
        if let Some(min) = self.min_level {
            if e.level.is_none_or(|l| l < min) {
                return false;
            }
        }
        true
    }
}

/// Sort key: time, then input, then line.
fn key(e: &Event) -> (Timestamp, u32, u64) {
    (e.time, e.input, e.line)
}

/// Collects one input's (filtered) events into sorted runs, spilling full runs.
pub struct RunSink {
    filter: Filter,
    current: Vec<Event>,
    spilled: Vec<spill::SpillFile>,
    run_events: usize,
    pub spill_error: Option<String>,
}

impl RunSink {
    pub fn new(filter: Filter) -> RunSink {
        RunSink::with_run_size(filter, RUN_EVENTS)
    }

    pub fn with_run_size(filter: Filter, run_events: usize) -> RunSink {
        RunSink {
            filter,
            current: Vec::new(),
            spilled: Vec::new(),
            run_events: run_events.max(1),
            spill_error: None,
        }
    }

    fn spill_current(&mut self) {
        self.current.sort_by_key(key);
        match spill::SpillFile::write(&self.current) {
            Ok(f) => {
                self.spilled.push(f);
                self.current.clear();
            }
            Err(e) => {
                // Keep going in memory; say so once.
                if self.spill_error.is_none() {
                    self.spill_error =
                        Some(format!("cannot spill events to a temporary file: {e}"));
                }
                self.run_events = usize::MAX;
            }
        }
    }

    /// The sorted runs of this input. A large last run is spilled too, so that memory during
    /// the merge is one buffered reader and one event per run, not the tail of every input.
    fn into_runs(mut self) -> Vec<Run> {
        if self.current.len() > SPILL_TAIL_EVENTS && self.run_events != usize::MAX {
            self.spill_current();
        }
        self.current.sort_by_key(key);
        let mut runs: Vec<Run> = self.spilled.into_iter().map(Run::Spilled).collect();
        runs.push(Run::Memory(self.current.into_iter()));
        runs
    }
}

impl EventSink for RunSink {
    fn accept(&mut self, event: Event) {
        if !self.filter.accepts(&event) {
            return;
        }
        self.current.push(event);
        if self.current.len() >= self.run_events {
            self.spill_current();
        }
    }

    /// Spills a large last run as soon as its input is read: every input is read before the
    /// merge starts, so keeping each one's last run (up to [`RUN_EVENTS`]) until then would
    /// hold that many events per input in memory at once.
    fn end_of_input(&mut self) {
        if self.current.len() > SPILL_TAIL_EVENTS && self.run_events != usize::MAX {
            self.spill_current();
        }
        // The run buffer's capacity (up to RUN_EVENTS events) is not needed any more.
        self.current.shrink_to_fit();
    }
}

enum Run {
    Memory(std::vec::IntoIter<Event>),
    Spilled(spill::SpillFile),
}

impl Run {
    fn next_event(&mut self) -> Option<Result<Event, String>> {
        match self {
            Run::Memory(it) => it.next().map(Ok),
            Run::Spilled(f) => f.next_event(),
        }
    }
}

/// A heap entry: the sort key of a run's head event, and the run's index.
type HeapEntry = Reverse<((Timestamp, u32, u64), usize)>;

/// A k-way merge of sorted runs: yields events in (time, input, line) order.
pub struct MergedTimeline {
    runs: Vec<Run>,
    heap: BinaryHeap<HeapEntry>,
    heads: Vec<Option<Event>>,
    pub errors: Vec<String>,
}

impl MergedTimeline {
    pub fn new(sinks: Vec<RunSink>) -> MergedTimeline {
        let mut errors = Vec::new();
        let mut runs = Vec::new();
        for s in sinks {
            if let Some(e) = &s.spill_error {
                errors.push(e.clone());
            }
            runs.extend(s.into_runs());
        }
        let mut merged = MergedTimeline {
            heads: (0..runs.len()).map(|_| None).collect(),
            runs,
            heap: BinaryHeap::new(),
            errors,
        };
        for i in 0..merged.runs.len() {
            merged.refill(i);
        }
        merged
    }

    fn refill(&mut self, i: usize) {
        match self.runs[i].next_event() {
            Some(Ok(e)) => {
                self.heap.push(Reverse((key(&e), i)));
                self.heads[i] = Some(e);
            }
            Some(Err(msg)) => self.errors.push(msg),
            None => {}
        }
    }
}

impl Iterator for MergedTimeline {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        let Reverse((_, i)) = self.heap.pop()?;
        let event = self.heads[i].take();
        self.refill(i);
        event
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Fields;
    use std::sync::Arc;

    fn ev(input: u32, line: u64, secs: i64) -> Event {
        Event {
            time: Timestamp(secs * 1_000_000_000),
            service: Arc::from("s"),
            input,
            line,
            end_line: line,
            level: Some(Level::Info),
            message: format!("m{input}-{line}"),
            body: String::new(),
            fields: Fields::default(),
            format: "generic",
        }
    }

    #[test]
    fn merge_valid_orders_across_inputs_and_spilled_runs() {
        let mut a = RunSink::with_run_size(Filter::default(), 3);
        let mut b = RunSink::with_run_size(Filter::default(), 3);
        // Input a goes backwards once; input b ties with a at t=5.
        for (line, t) in [(1, 1), (2, 5), (3, 4), (4, 9), (5, 2), (6, 10), (7, 11)] {
            a.accept(ev(0, line, t));
        }
        for (line, t) in [(1, 5), (2, 6)] {
            b.accept(ev(1, line, t));
        }
        let merged: Vec<(u32, u64, i64)> = MergedTimeline::new(vec![a, b])
            .map(|e| (e.input, e.line, e.time.0 / 1_000_000_000))
            .collect();
        let times: Vec<i64> = merged.iter().map(|m| m.2).collect();
        assert_eq!(times, vec![1, 2, 4, 5, 5, 6, 9, 10, 11]);
        // Equal instants: input 0 before input 1.
        assert_eq!(merged[3], (0, 2, 5));
        assert_eq!(merged[4], (1, 1, 5));
    }

    #[test]
    fn run_sink_valid_spills_large_last_run_when_input_ends() {
        let mut s = RunSink::new(Filter::default());
        let n = SPILL_TAIL_EVENTS as u64 + 1;
        for line in 1..=n {
            s.accept(ev(0, line, (n - line) as i64));
        }
        s.end_of_input();
        // Nothing of this input stays in memory until the merge.
        assert_eq!(s.current.capacity(), 0);
        assert_eq!(s.spilled.len(), 1);
        let merged: Vec<u64> = MergedTimeline::new(vec![s]).map(|e| e.line).collect();
        assert_eq!(merged.len() as u64, n);
        assert_eq!(merged.first(), Some(&n));
    }

    #[test]
    fn filter_valid_window_service_level() {
        let f = Filter {
            since: Some(Timestamp(2_000_000_000)),
            until: Some(Timestamp(4_000_000_000)),
            services: vec!["s".into()],
            min_level: Some(Level::Warn),
        };
        let mut e = ev(0, 1, 3);
        assert!(!f.accepts(&e));
        e.level = Some(Level::Error);
        assert!(f.accepts(&e));
        e.time = Timestamp(4_000_000_000);
        assert!(!f.accepts(&e));
    }
}
