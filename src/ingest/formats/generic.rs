//! generic: the fallback for logs no other format claims. A line is an event when a recognisable
//! timestamp starts it or appears among its first words (see [`crate::time::find_timestamp`]);
//! an optional level word may follow. Everything after the timestamp (and the level, and a
//! `|`, `-` or `:` separator) is the message. Lines without a timestamp continue the previous
//! event.
//!
//! The ingest pipeline also uses this format line by line when an input's own format does not
//! recognise a line, so a stray timestamped line in an otherwise structured file still lands on
//! the timeline.

use super::shared::find_level_word;
use super::{Format, LineParse, Parsed};
use crate::time::find_timestamp;

#[derive(Debug, Default)]
pub struct Generic;

impl Generic {
    pub const NAME: &'static str = "generic";
}

/// Separators between header parts that are not part of the message.
fn trim_separators(s: &str) -> &str {
    s.trim_start_matches([' ', '\t', '|', ']', ','])
        .trim_start_matches("- ")
        .trim_start_matches(": ")
}

impl Format for Generic {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        // `-- Logs begin at Sun 2024-01-21 00:00:01 UTC, end at … --` and `-- Boot … --` are
        // journalctl markers, not records, although they carry a time.
        if line.starts_with("-- ") {
            return LineParse::NoMatch;
        }
        let Some((raw, range)) = find_timestamp(line) else {
            return LineParse::NoMatch;
        };
        // Keep what came before the timestamp when it is more than punctuation (e.g. a host).
        let before = line[..range.start].trim_matches(|c: char| !c.is_alphanumeric());
        let rest = trim_separators(&line[range.end..]);
        let (level, message) = match find_level_word(rest, 3) {
            Some((level, start, end)) => {
                let head = rest[..start].trim();
                let tail = trim_separators(&rest[end..]);
                let message = if head.is_empty() {
                    tail.to_string()
                } else {
                    format!("{head} {tail}")
                };
                (Some(level), std::borrow::Cow::Owned(message))
            }
            None => (None, std::borrow::Cow::Borrowed(rest)),
        };
        let mut parsed = Parsed::new(Some(raw), level, message);
        if !before.is_empty() && before.len() <= 64 {
            parsed.push_field("prefix", before);
        }
        LineParse::Event(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Level;

    fn event(line: &str) -> Parsed<'_> {
        match Generic.parse(line) {
            LineParse::Event(p) => p,
            other => panic!("expected an event for {line:?}, got {other:?}"),
        }
    }

    #[test]
    fn hdfs_line_valid_two_digit_year_level_after_pid() {
        let p = event(
            "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating",
        );
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(
            p.message,
            "148 dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating"
        );
    }

    #[test]
    fn healthapp_line_valid_compact_time() {
        let p = event("20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579");
        assert!(p.time.is_some());
        assert_eq!(p.message, "Step_LSC|30002312|onStandStepChanged 3579");
    }

    #[test]
    fn zookeeper_line_valid_dash_separated() {
        let p = event(
            "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200",
        );
        assert_eq!(p.level, Some(Level::Info));
        assert!(p.message.starts_with("[QuorumPeer"));
    }

    #[test]
    fn plain_text_invalid_no_timestamp() {
        assert_eq!(Generic.parse("just some words"), LineParse::NoMatch);
    }
}
