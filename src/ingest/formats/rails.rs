//! rails: Ruby's default `Logger::Formatter` line, which Rails production logs use
//! (`config.log_formatter = ::Logger::Formatter.new` in the generated production.rb), Sidekiq
//! and plain Ruby scripts too:
//!
//! ```text
//! I, [2024-01-21T15:00:02.123456 #1234]  INFO -- : [9f1c2d3e-...] Started GET "/login" for 10.0.0.1 at 2024-01-21 15:00:02 +0000
//! E, [2024-01-21T15:00:02.123456 #1234] ERROR -- puma: boom
//! ```
//!
//! ruby/logger lib/logger/formatter.rb: `Format = "%.1s, [%s #%d] %5s -- %s: %s\n"` with
//! `DatetimeFormat = "%Y-%m-%dT%H:%M:%S.%6N"` (older Rubies: `"%s, [%s#%d] %5s -- %s: %s\n"`
//! with `"%Y-%m-%dT%H:%M:%S.%6N "`, which prints the same bytes). The time has no zone: it is
//! local time, read in `--tz`. The severity is printed twice, as a letter and right-aligned in 5
//! columns (`DEBUG`, ` INFO`, ` WARN`, `ERROR`, `FATAL`, `  ANY` for `UNKNOWN`).
//!
//! Fields: [`keys::PID`], [`keys::LOGGER`] (the progname, when set), and [`keys::REQUEST_ID`]
//! from a leading ActiveSupport::TaggedLogging tag that looks like a request id
//! (`config.log_tags = [:request_id]`: a UUID from `ActionDispatch::RequestId`, or the client's
//! `X-Request-Id`); that tag is removed from the message so equal messages group together.
//! Lines without the header (backtrace frames `app/models/user.rb:12:in 'find'`, indented lines,
//! multi-line messages) continue the previous event. Logs written without this formatter (the
//! bare `Started GET ...` lines of development.log, `ActiveSupport::Logger::SimpleFormatter`)
//! carry no header and are not this format.

use super::{Format, LineParse, Parsed};
use crate::event::{Level, keys};
use crate::time::parse::parse_iso8601;

#[derive(Debug, Default)]
pub struct Rails;

impl Rails {
    pub const NAME: &'static str = "rails";
}

/// The `%5s` severity label (`Logger::SEV_LABEL = %w(DEBUG INFO WARN ERROR FATAL ANY)`).
fn label_level(label: &str) -> Option<Option<Level>> {
    Some(match label {
        "DEBUG" => Some(Level::Debug),
        "INFO" => Some(Level::Info),
        "WARN" => Some(Level::Warn),
        "ERROR" => Some(Level::Error),
        "FATAL" => Some(Level::Fatal),
        // UNKNOWN: "an unknown message that should always be logged", no severity.
        "ANY" => None,
        _ => return None,
    })
}

/// A TaggedLogging tag that is a request id: 16 to 255 letters, digits, `-` or `_` with at
/// least one digit (`9f1c2d3e-4b5a-6c7d-8e9f-0a1b2c3d4e5f`). Rails sanitises `X-Request-Id` to
/// `[\w\-@]` and 255 bytes (ActionDispatch::RequestId#make_request_id). Short or digit-free tags
/// (`[www]`, `[ActiveJob]`) stay in the message.
fn is_request_id(tag: &str) -> bool {
    (16..=255).contains(&tag.len())
        && tag
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'@')
        && tag.bytes().any(|c| c.is_ascii_digit())
}

/// A line that continues the previous event: indented (a wrapped message, a gem's backtrace
/// as Rails' `ActiveSupport::BacktraceCleaner` indents it) or a Ruby backtrace frame as
/// `Exception#backtrace` prints it, `path.rb:LINE:in 'method'` (backquote-quote before
/// Ruby 3.4): `msg2str` joins an exception's backtrace with newlines after its message.
fn is_continuation(line: &str) -> bool {
    if line.starts_with(' ') || line.starts_with('\t') {
        return true;
    }
    let Some((_, after)) = line.split_once(".rb:") else {
        return false;
    };
    let digits = after.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && after[digits..].starts_with(":in ")
}

impl Format for Rails {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        // `%.1s, [`: the severity letter.
        let Some(&letter) = line.as_bytes().first() else {
            return LineParse::NoMatch;
        };
        let Some(rest) = line.get(1..).and_then(|r| r.strip_prefix(", [")) else {
            return if is_continuation(line) {
                LineParse::Continuation
            } else {
                LineParse::NoMatch
            };
        };
        let Some((raw, used)) = parse_iso8601(rest.as_bytes()) else {
            return LineParse::NoMatch;
        };
        // Then ` #%d] `; the space is missing with a custom datetime_format on old Rubies.
        let Some(rest) = rest.get(used..) else {
            return LineParse::NoMatch;
        };
        let Some(rest) = rest.strip_prefix(" #").or_else(|| rest.strip_prefix('#')) else {
            return LineParse::NoMatch;
        };
        let pid_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (pid, rest) = rest.split_at(pid_len);
        let Some(rest) = rest.strip_prefix("] ") else {
            return LineParse::NoMatch;
        };
        if pid.is_empty() {
            return LineParse::NoMatch;
        }
        // `%5s -- `: the label right-aligned, and it must agree with the letter.
        let rest = rest.trim_start_matches(' ');
        let Some((label, rest)) = rest.split_once(" -- ") else {
            return LineParse::NoMatch;
        };
        let Some(level) = label_level(label) else {
            return LineParse::NoMatch;
        };
        if label.as_bytes().first() != Some(&letter) {
            return LineParse::NoMatch;
        }
        // `%s: %s`: progname (empty for Rails.logger) and the message.
        let (progname, message) = match rest.split_once(": ") {
            Some(pair) => pair,
            None => match rest.strip_suffix(':') {
                Some(p) => (p, ""),
                None => return LineParse::NoMatch,
            },
        };
        let mut message = message;
        let mut request_id = None;
        if let Some(inner) = message.strip_prefix('[') {
            if let Some((tag, after)) = inner.split_once(']') {
                if is_request_id(tag) {
                    request_id = Some(tag);
                    message = after.strip_prefix(' ').unwrap_or(after);
                }
            }
        }
        let mut parsed = Parsed::new(Some(raw), level, message).with(keys::PID, pid);
        parsed.push_field(keys::LOGGER, progname);
        if let Some(id) = request_id {
            parsed.push_field(keys::REQUEST_ID, id);
        }
        LineParse::Event(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::RawTime;

    fn event(line: &str) -> Parsed<'_> {
        match Rails.parse(line) {
            LineParse::Event(p) => p,
            other => panic!("expected an event for {line:?}, got {other:?}"),
        }
    }

    #[test]
    fn started_line_valid_local_time_pid() {
        let p = event(
            "I, [2024-01-21T15:00:02.123456 #1234]  INFO -- : Started GET \"/login\" for 10.0.0.1 at 2024-01-21 15:00:02 +0000",
        );
        match p.time {
            Some(RawTime::Local(t)) => assert_eq!(t.to_string(), "2024-01-21 15:00:02.123456"),
            other => panic!("{other:?}"),
        }
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(p.field(keys::PID), Some("1234"));
        assert_eq!(p.field(keys::LOGGER), None);
        assert_eq!(p.field(keys::REQUEST_ID), None);
        assert_eq!(
            p.message,
            "Started GET \"/login\" for 10.0.0.1 at 2024-01-21 15:00:02 +0000"
        );
    }

    #[test]
    fn error_line_valid_connection_pool_timeout() {
        let p = event(
            "E, [2024-01-21T15:00:02.123456 #1234] ERROR -- : ActiveRecord::ConnectionTimeoutError (could not obtain a connection from the pool within 5.000 seconds (waited 5.000 seconds); all pooled connections were in use):",
        );
        assert_eq!(p.level, Some(Level::Error));
        assert!(
            p.message
                .starts_with("ActiveRecord::ConnectionTimeoutError (could not obtain")
        );
    }

    #[test]
    fn tagged_line_valid_request_id_removed_from_message() {
        let p = event(
            "I, [2024-01-21T15:00:07.654321 #1234]  INFO -- : [9f1c2d3e-4b5a-6c7d-8e9f-0a1b2c3d4e5f] Completed 500 Internal Server Error in 5003ms (ActiveRecord: 5001.2ms | Allocations: 1234)",
        );
        assert_eq!(
            p.field(keys::REQUEST_ID),
            Some("9f1c2d3e-4b5a-6c7d-8e9f-0a1b2c3d4e5f")
        );
        assert!(
            p.message
                .starts_with("Completed 500 Internal Server Error in 5003ms")
        );
    }

    #[test]
    fn tagged_line_valid_short_tag_kept() {
        let p = event(
            "I, [2024-01-21T15:00:02.123456 #1234]  INFO -- : [ActiveJob] Enqueued MailerJob",
        );
        assert_eq!(p.field(keys::REQUEST_ID), None);
        assert_eq!(p.message, "[ActiveJob] Enqueued MailerJob");
    }

    #[test]
    fn progname_line_valid_logger_field() {
        let p = event(
            "W, [2024-01-21T15:00:02.123456 #7]  WARN -- puma: Worker 0 (PID: 42) booted in 3.2s, phase: 0",
        );
        assert_eq!(p.level, Some(Level::Warn));
        assert_eq!(p.field(keys::LOGGER), Some("puma"));
        assert_eq!(p.message, "Worker 0 (PID: 42) booted in 3.2s, phase: 0");
    }

    #[test]
    fn other_labels_valid_debug_fatal_any() {
        assert_eq!(
            event("D, [2024-01-21T15:00:02.123456 #1234] DEBUG -- :   User Load (0.4ms)  SELECT 1")
                .level,
            Some(Level::Debug)
        );
        assert_eq!(event("F, [2024-01-21T15:00:02.123456 #1234] FATAL -- : [9f1c2d3e-4b5a-6c7d-8e9f-0a1b2c3d4e5f]   ").level, Some(Level::Fatal));
        let p = event("A, [2024-01-21T15:00:02.123456 #1234]   ANY -- : hello");
        assert_eq!(p.level, None);
        assert_eq!(p.message, "hello");
    }

    #[test]
    fn empty_message_valid() {
        let p = event("I, [2024-01-21T15:00:02.123456 #1234]  INFO -- :");
        assert_eq!(p.message, "");
    }

    #[test]
    fn old_ruby_without_space_valid() {
        let p = event("I, [2024-01-21T15:00:02.123456#1234]  INFO -- : hi");
        assert_eq!(p.field(keys::PID), Some("1234"));
    }

    #[test]
    fn header_invalid_mismatched_or_broken() {
        for line in [
            "E, [2024-01-21T15:00:02.123456 #1234]  INFO -- : letter and label disagree",
            "I, [2024-01-21T15:00:02.123456 #1234]  NOTE -- : unknown label",
            "I, [2024-13-21T15:00:02.123456 #1234]  INFO -- : month 13",
            "I, [2024-01-21T15:00:02.123456 #]  INFO -- : no pid",
            "I, [2024-01-21T15:00:02.123456 #1234]  INFO - : one dash",
            "I, [2024-01-21T15:00:02.123456 #1234]  INFO -- no colon",
            "I, [not a time #1234]  INFO -- : x",
            "I, [",
            "é, [2024-01-21T15:00:02.123456 #1234]  INFO -- : x",
            "",
        ] {
            assert_eq!(Rails.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn backtrace_lines_valid_continue() {
        for line in [
            "app/models/user.rb:12:in 'find'",
            "app/controllers/sessions_controller.rb:8:in `create'",
            "/usr/local/bundle/gems/activerecord-7.1.3/lib/active_record/connection_adapters/abstract/connection_pool/queue.rb:128:in 'block in ActiveRecord::ConnectionAdapters::ConnectionPool::Queue#wait_poll'",
            "  activerecord (7.1.3) lib/active_record/connection_adapters/abstract/connection_pool/queue.rb:128:in `block in wait_poll'",
            "\tfrom bin/rails:4:in '<main>'",
        ] {
            assert_eq!(Rails.parse(line), LineParse::Continuation, "{line}");
        }
    }

    #[test]
    fn headerless_rails_lines_invalid_not_events() {
        // development.log / SimpleFormatter lines: no header, not claimed either.
        for line in [
            "Started GET \"/\" for 127.0.0.1 at 2024-01-21 15:00:02 +0000",
            "Processing by SessionsController#create as HTML",
            "Completed 500 Internal Server Error in 5003ms (ActiveRecord: 5001.2ms | Allocations: 1234)",
            "config/puma.rb is not a frame",
            "user.rb:x:in 'find'",
        ] {
            assert_eq!(Rails.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn neighbouring_formats_invalid_not_claimed() {
        for line in [
            "I0121 15:00:02.123456       1 controller.go:123] Starting controller",
            "INFO:root:started",
            "2024-01-21 15:00:02,123 INFO [main] c.e.App - started",
            "Jan 21 15:00:02 web1 puma[7]: started",
            "time=2024-01-21T15:00:02Z level=info msg=started",
            "{\"level\":\"info\",\"time\":\"2024-01-21T15:00:02Z\",\"msg\":\"started\"}",
        ] {
            assert_eq!(Rails.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn sniff_valid_picks_rails() {
        let sample = [
            "I, [2024-01-21T15:00:02.123456 #1234]  INFO -- : [9f1c2d3e-4b5a-6c7d-8e9f-0a1b2c3d4e5f] Started POST \"/login\" for 10.0.0.1 at 2024-01-21 15:00:02 +0000",
            "I, [2024-01-21T15:00:02.125000 #1234]  INFO -- : [9f1c2d3e-4b5a-6c7d-8e9f-0a1b2c3d4e5f] Processing by SessionsController#create as HTML",
            "E, [2024-01-21T15:00:07.130000 #1234] ERROR -- : [9f1c2d3e-4b5a-6c7d-8e9f-0a1b2c3d4e5f] ActiveRecord::ConnectionTimeoutError (could not obtain a connection from the pool within 5.000 seconds (waited 5.000 seconds); all pooled connections were in use):",
            "app/models/user.rb:12:in 'find'",
            "I, [2024-01-21T15:00:07.131000 #1234]  INFO -- : [9f1c2d3e-4b5a-6c7d-8e9f-0a1b2c3d4e5f] Completed 500 Internal Server Error in 5003ms",
        ];
        assert_eq!(super::super::sniff(&sample).format.name(), Rails::NAME);
    }
}
