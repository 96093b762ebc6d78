//! mysql_slow: the MySQL / MariaDB / Percona slow query log (`slow_query_log_file`), one event
//! per logged statement, the statement's `# ...` attribute lines and SQL text as its body.
//!
//! An entry, as `File_query_log::write_slow` (MySQL sql/log.cc) and `MYSQL_QUERY_LOG::write`
//! (MariaDB sql/log.cc) write it:
//!
//! ```text
//! # Time: 2024-01-21T15:00:02.123456Z              MySQL 5.7+: every entry; 5.6/MariaDB: yymmdd, only when the second changed
//! # User@Host: app[app] @  [10.0.0.5]  Id:    12   MariaDB: no `Id:` here ...
//! # Thread_id: 12  Schema: app  QC_hit: No          ... but on this MariaDB-only line
//! # Query_time: 12.000123  Lock_time: 0.000010 Rows_sent: 1  Rows_examined: 1000000
//! # Rows_affected: 0  Bytes_sent: 123               MariaDB 10.3+
//! use app;                                          only when the schema changed
//! SET timestamp=1705849202;
//! SELECT * FROM orders WHERE customer_id = 42;
//! ```
//!
//! # Where an entry starts (the one design choice of this format)
//!
//! `parse` sees one line at a time and cannot know whether a `# User@Host:` line was preceded by
//! a `# Time:` line. [`Format::prepare`] therefore learns the server family from the sample:
//!
//! * **MySQL 5.7+ (ISO `# Time:` lines)**: `write_slow` writes `# Time:` for *every* entry, so
//!   `# Time:` starts the event (its time is the entry's) and `# User@Host:` continues it.
//!   Exactly one event per entry, with its own time.
//! * **MySQL ≤ 5.6, MariaDB, Percona 5.6 (`# Time: 240121 15:00:02`)**: `# Time:` is written
//!   only when the second changed (`if (current_time != last_time)`), so `# User@Host:` starts
//!   the event with no time of its own (it inherits the time of the event before it), and each
//!   `# Time:` line becomes a separate *time marker* event (message `Time: ...`, no level) that
//!   carries the time to the entries after it. Every statement is one event with the right time;
//!   the cost is one extra marker event per distinct second. Merging same-second statements into
//!   one event instead would hide bursts, which is what an incident looks like.
//!
//! Either way the `# Query_time:` line is a continuation: the query time, lock time and row
//! counts are in the event's body, not in its fields. Header-line fields: `# User@Host:` →
//! [`keys::USER`], [`keys::CLIENT`] (ip, else host), [`keys::THREAD`] (`Id:`; MySQL only).
//! `--log-short-format` logs (no `# Time:` nor `# User@Host:` lines) yield no events.
//!
//! The file header a server writes when it opens the log (`/usr/sbin/mysqld, Version: 8.0.36
//! (MySQL Community Server - GPL). started with:`, `Tcp port: 3306  Unix socket: ...`,
//! `Time                 Id Command    Argument`) continues the previous entry.

use super::{Format, LineParse, Parsed};
use crate::event::keys;
use crate::time::RawTime;
use crate::time::parse::{parse_iso8601, parse_two_digit_year};

#[derive(Debug, Default)]
pub struct MysqlSlow {
    /// `# Time:` only when the second changed (MySQL ≤ 5.6, MariaDB): entries start at
    /// `# User@Host:`. Learned by [`Format::prepare`]; `false` (MySQL 5.7+) by default.
    time_only_on_change: bool,
}

impl MysqlSlow {
    pub const NAME: &'static str = "mysql_slow";
}

const TIME_PREFIX: &str = "# Time: ";
const USER_HOST_PREFIX: &str = "# User@Host: ";

/// The value of a `# Time:` line.
///
/// MySQL 5.7+ writes `"# Time: %s\n"` with `make_iso8601_timestamp` (`2024-01-21T15:00:02.123456Z`,
/// or `+01:00` with `log_timestamps=SYSTEM`); MySQL ≤ 5.6 and MariaDB write
/// `"# Time: %02d%02d%02d %2d:%02d:%02d\n"` in local time (`240121  9:05:01`).
fn time_value(v: &str) -> Option<RawTime> {
    let b = v.trim_end().as_bytes();
    let (raw, used) = if b.get(4) == Some(&b'-') {
        parse_iso8601(b)?
    } else {
        parse_two_digit_year(b)?
    };
    (used == b.len()).then_some(raw)
}

/// Whether a `# Time:` value has MySQL 5.7+'s ISO shape.
fn is_iso_time(v: &str) -> bool {
    v.as_bytes().get(4) == Some(&b'-')
}

/// Fields of a `# User@Host:` value. The server builds it as
/// `priv_user "[" user "] @ " host " [" ip "]"` (sql_parse.cc / log.cc `user_host_buff`), and
/// MySQL appends `"  Id: %5u"`: `app[app] @  [10.0.0.5]  Id:    12`,
/// `root[root] @ localhost []  Id:     8`, MariaDB `root[root] @ localhost []`.
fn user_host_fields<'a>(parsed: &mut Parsed<'a>, v: &'a str) {
    let Some((priv_user, rest)) = v.split_once('[') else {
        return;
    };
    let Some((user, rest)) = rest.split_once("] @ ") else {
        return;
    };
    let name = if user.is_empty() { priv_user } else { user };
    parsed.push_field(keys::USER, name);
    let Some((host, rest)) = rest.split_once('[') else {
        return;
    };
    let Some((ip, rest)) = rest.split_once(']') else {
        return;
    };
    let client = if ip.is_empty() { host.trim() } else { ip };
    parsed.push_field(keys::CLIENT, client);
    if let Some(id) = rest.trim_start().strip_prefix("Id:") {
        let id = id.trim();
        if !id.is_empty() && id.bytes().all(|c| c.is_ascii_digit()) {
            parsed.push_field(keys::THREAD, id);
        }
    }
}

/// The lines `MYSQL_LOG::open` writes when it (re)opens the file:
/// `"%s, Version: %s (%s). started with:\nTcp port: %d  Unix socket: %s\n"` and
/// `"Time                 Id Command    Argument\n"` (Windows: `TCP Port: %d, Named Pipe: %s`).
fn is_file_header(line: &str) -> bool {
    (line.contains(", Version: ") && line.ends_with("started with:"))
        || line.starts_with("Tcp port: ")
        || line.starts_with("TCP Port: ")
        || (line.starts_with("Time ") && line.contains(" Id Command"))
}

impl Format for MysqlSlow {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn prepare(&mut self, sample: &[&str]) {
        let (mut iso, mut short, mut user_host) = (0usize, 0usize, 0usize);
        for line in sample {
            if let Some(v) = line.strip_prefix(TIME_PREFIX) {
                if is_iso_time(v) {
                    iso += 1;
                } else {
                    short += 1;
                }
            } else if line.starts_with(USER_HOST_PREFIX) {
                user_host += 1;
            }
        }
        // yymmdd times, or entries without any `# Time:` line: the time is only written when
        // it changed.
        self.time_only_on_change = short > 0 || (iso == 0 && user_host > 0);
    }

    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        if let Some(v) = line.strip_prefix(TIME_PREFIX) {
            return match time_value(v) {
                Some(raw) => LineParse::Event(Parsed::new(Some(raw), None, &line[2..])),
                None => LineParse::NoMatch,
            };
        }
        if let Some(v) = line.strip_prefix(USER_HOST_PREFIX) {
            if !self.time_only_on_change {
                return LineParse::Continuation;
            }
            let mut parsed = Parsed::new(None, None, &line[2..]);
            user_host_fields(&mut parsed, v);
            return LineParse::Event(parsed);
        }
        // `# Query_time:`, `# Thread_id:`, `# Rows_affected:`, Percona's `# Schema:` and
        // `#   InnoDB_...` lines, MariaDB's `# explain:` lines, `# administrator command: ...`.
        if line.starts_with('#') {
            return LineParse::Continuation;
        }
        // `use app;` and `SET [last_insert_id=N,][insert_id=N,]timestamp=N;` (write_slow).
        if (line.starts_with("use ") || (line.starts_with("SET ") && line.contains("timestamp=")))
            && line.ends_with(';')
        {
            return LineParse::Continuation;
        }
        if is_file_header(line) {
            return LineParse::Continuation;
        }
        // The statement text itself (any number of lines).
        LineParse::NoMatch
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::ymd_hms;

    /// MySQL 8.0 entry (File_query_log::write_slow).
    const MYSQL8: [&str; 5] = [
        "# Time: 2024-01-21T15:00:02.123456Z",
        "# User@Host: app[app] @  [10.0.0.5]  Id:    12",
        "# Query_time: 12.000123  Lock_time: 0.000010 Rows_sent: 1  Rows_examined: 1000000",
        "SET timestamp=1705849190;",
        "SELECT * FROM orders WHERE customer_id = 42;",
    ];

    /// Two MariaDB entries in the same second, then one in the next second
    /// (MYSQL_QUERY_LOG::write).
    const MARIADB: [&str; 19] = [
        "# Time: 240121 15:00:02",
        "# User@Host: app[app] @  [10.0.0.5]",
        "# Thread_id: 12  Schema: app  QC_hit: No",
        "# Query_time: 12.000123  Lock_time: 0.000010  Rows_sent: 1  Rows_examined: 1000000",
        "# Rows_affected: 0  Bytes_sent: 123",
        "use app;",
        "SET timestamp=1705849202;",
        "SELECT * FROM orders WHERE customer_id = 42;",
        "# User@Host: app[app] @  [10.0.0.6]",
        "# Thread_id: 13  Schema: app  QC_hit: No",
        "# Query_time: 11.500000  Lock_time: 0.000012  Rows_sent: 1  Rows_examined: 1000000",
        "# Rows_affected: 0  Bytes_sent: 123",
        "SET timestamp=1705849202;",
        "SELECT * FROM orders WHERE customer_id = 43;",
        "# Time: 240121 15:00:03",
        "# User@Host: root[root] @ localhost []",
        "# Thread_id: 14  Schema:   QC_hit: No",
        "SET timestamp=1705849203;",
        "SELECT SLEEP(3);",
    ];

    fn prepared(sample: &[&str]) -> MysqlSlow {
        let mut f = MysqlSlow::default();
        f.prepare(sample);
        f
    }

    fn kinds(f: &MysqlSlow, lines: &[&str]) -> String {
        lines
            .iter()
            .map(|l| match f.parse(l) {
                LineParse::Event(Parsed { time: Some(_), .. }) => 'T',
                LineParse::Event(Parsed { time: None, .. }) => 'E',
                LineParse::Continuation => 'c',
                LineParse::NoMatch => '.',
            })
            .collect()
    }

    #[test]
    fn mysql8_entry_valid_one_event_at_time_line() {
        let f = prepared(&MYSQL8);
        assert!(!f.time_only_on_change);
        assert_eq!(kinds(&f, &MYSQL8), "Tccc.");
        match f.parse(MYSQL8[0]) {
            LineParse::Event(p) => {
                assert_eq!(
                    p.time,
                    Some(RawTime::Utc(crate::event::Timestamp(
                        ymd_hms(2024, 1, 21, 15, 0, 2).0 + 123_456_000
                    )))
                );
                assert_eq!(p.message, "Time: 2024-01-21T15:00:02.123456Z");
                assert_eq!(p.level, None);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn mysql8_entry_valid_log_slow_extra_and_system_offset() {
        let lines = [
            "# Time: 2024-01-21T16:00:02.123456+01:00",
            "# User@Host: app[app] @  [10.0.0.5]  Id:    12",
            "# Query_time: 12.000123  Lock_time: 0.000010 Rows_sent: 1  Rows_examined: 1000000 Thread_id: 12 Errno: 0 Killed: 0 Bytes_received: 0 Bytes_sent: 56 Read_first: 0 Read_last: 0 Read_key: 1 Read_next: 0 Read_prev: 0 Read_rnd: 0 Read_rnd_next: 1000001 Sort_merge_passes: 0 Sort_range_count: 0 Sort_rows: 0 Sort_scan_count: 0 Created_tmp_disk_tables: 0 Created_tmp_tables: 0 Count_hit_tmp_table_size: 0  Start: 2024-01-21T14:59:50.123333Z End: 2024-01-21T15:00:02.123456Z",
            "use app;",
            "SET timestamp=1705849190;",
            "SELECT *",
            "FROM orders",
            "WHERE customer_id = 42;",
        ];
        let f = prepared(&lines);
        assert_eq!(kinds(&f, &lines), "Tcccc...");
        match f.parse(lines[0]) {
            LineParse::Event(Parsed {
                time: Some(RawTime::Utc(ts)),
                ..
            }) => {
                assert_eq!(ts.0, ymd_hms(2024, 1, 21, 15, 0, 2).0 + 123_456_000)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn mariadb_entries_valid_user_host_starts_and_inherits() {
        let f = prepared(&MARIADB);
        assert!(f.time_only_on_change);
        assert_eq!(kinds(&f, &MARIADB), "TEccccc.Ecccc.TEcc.");
    }

    #[test]
    fn mariadb_user_host_valid_fields() {
        let f = prepared(&MARIADB);
        match f.parse(MARIADB[1]) {
            LineParse::Event(p) => {
                assert_eq!(p.time, None);
                assert_eq!(p.message, "User@Host: app[app] @  [10.0.0.5]");
                assert_eq!(p.field(keys::USER), Some("app"));
                assert_eq!(p.field(keys::CLIENT), Some("10.0.0.5"));
                assert_eq!(p.field(keys::THREAD), None);
            }
            other => panic!("{other:?}"),
        }
        match f.parse(MARIADB[15]) {
            LineParse::Event(p) => {
                assert_eq!(p.field(keys::USER), Some("root"));
                assert_eq!(p.field(keys::CLIENT), Some("localhost"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn mysql56_time_valid_two_digit_year_space_padded_hour() {
        let f = prepared(&["# Time: 240121  9:05:01"]);
        assert!(f.time_only_on_change);
        match f.parse("# Time: 240121  9:05:01") {
            LineParse::Event(Parsed {
                time: Some(RawTime::Local(t)),
                ..
            }) => {
                assert_eq!(t.to_string(), "2024-01-21 09:05:01")
            }
            other => panic!("{other:?}"),
        }
        match f.parse("# User@Host: root[root] @ localhost []  Id:     8") {
            LineParse::Event(p) => {
                assert_eq!(p.field(keys::THREAD), Some("8"));
                assert_eq!(p.field(keys::CLIENT), Some("localhost"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn user_host_valid_replica_sql_thread_fields() {
        let f = MysqlSlow {
            time_only_on_change: true,
        };
        match f.parse("# User@Host: [SQL_SLAVE] @  []  Id:     5") {
            LineParse::Event(p) => {
                assert_eq!(p.field(keys::USER), Some("SQL_SLAVE"));
                assert_eq!(p.field(keys::CLIENT), None);
                assert_eq!(p.field(keys::THREAD), Some("5"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn file_header_valid_continues() {
        let f = MysqlSlow::default();
        for line in [
            "/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:",
            "Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock",
            "Time                 Id Command    Argument",
            "# administrator command: Quit;",
            "SET last_insert_id=17,insert_id=18,timestamp=1705849202;",
        ] {
            assert_eq!(f.parse(line), LineParse::Continuation, "{line}");
        }
    }

    #[test]
    fn time_line_invalid_garbage_value() {
        let f = MysqlSlow::default();
        for line in [
            "# Time: yesterday",
            "# Time: 2024-13-21T15:00:02.123456Z",
            "# Time: 240121 15:00:02 trailing",
            "# Time: 2024-01-21T15:00:02.123456Zé",
        ] {
            assert_eq!(f.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn neighbouring_formats_invalid_not_claimed() {
        let f = MysqlSlow {
            time_only_on_change: true,
        };
        for line in [
            "2024-01-21T15:00:02.123456Z 12 [ERROR] [MY-010584] [Repl] Slave I/O for channel '': error connecting to master",
            "2024-01-21 15:00:02.123 UTC [1234] LOG:  duration: 12000.123 ms  statement: SELECT 1",
            "2024-01-21T15:00:02.123Z INFO started",
            "Jan 21 15:00:02 db1 mysqld[1234]: ready",
            "SELECT * FROM orders WHERE created_at > '2024-01-01 00:00:00';",
        ] {
            assert_eq!(f.parse(line), LineParse::NoMatch, "{line}");
        }
    }

    #[test]
    fn sniff_valid_picks_mysql_slow() {
        let mut sample: Vec<&str> = vec![
            "/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:",
            "Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock",
            "Time                 Id Command    Argument",
        ];
        sample.extend(MYSQL8);
        sample.extend(MYSQL8);
        let sniffed = super::super::sniff(&sample);
        assert_eq!(sniffed.format.name(), MysqlSlow::NAME);
        assert_eq!(super::super::sniff(&MARIADB).format.name(), MysqlSlow::NAME);
    }
}
