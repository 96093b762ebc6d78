//! kernel: Linux kernel ring-buffer messages as `dmesg` (util-linux) prints them.
//!
//! ```text
//! [Sun Jan 21 15:00:02 2024] Out of memory: Killed process 1234 (java) …  dmesg -T
//! 2024-01-21T15:00:02,123456+00:00 Out of memory: Killed process 1234 …  dmesg --time-format iso
//! kern  :err   : [Sun Jan 21 15:00:02 2024] Out of memory: …           dmesg -T -x
//! <3>[12345.678901] Out of memory: …                                    dmesg -r
//! [12345.678901] Out of memory: …                                       dmesg
//! ```
//!
//! Shapes are from `sys-utils/dmesg.c` (util-linux, `print_record`): ctime via
//! `strftime("%a %b %e %H:%M:%S %Y")` (day space-padded, no fraction, local time), ISO via
//! `strtimeval_iso(ISO_TIMESTAMP_COMMA_T)` (comma, six digits, `+HH:MM`), `-x` via
//! `"%-6s:%-6s: "` (facility and level names padded to six), `-r` via `"<%d>[%5ld.%06ld] "`, and
//! the optional caller id (`CONFIG_PRINTK_CALLER`) as `"[%*s] "` after the time. `dmesg -T`
//! times are computed from boot time plus uptime and drift after a suspend; dmesg says so
//! itself ("may be inaccurate!").
//!
//! Service: `kernel`. Fields: `kernel.monotonic` (seconds since boot, when printed),
//! `kernel.caller` (`T1234`/`C0`), `kernel.facility` (with `-x`). Level: the printed `-x` or
//! `-r` level; otherwise only the few messages listed in [`known_message_level`], whose level
//! is fixed in the kernel source.
//!
//! `journalctl -k` output is [`super::journalctl`]'s, and `/var/log/kern.log` is
//! [`super::syslog_rfc3164`]'s (which strips the monotonic stamp the same way).

use super::syslog_rfc3164::pri_prefix;
use super::{Format, LineParse, Parsed};
use crate::event::Level;
use crate::time::{RawTime, parse::parse_ctime, parse_iso8601};

#[derive(Debug, Default)]
pub struct Kernel;

impl Kernel {
    pub const NAME: &'static str = "kernel";
}

/// The kernel's own level for a handful of messages that matter in incidents, taken from the
/// printk level at their call sites, so that lines without a printed level still rank right:
///
/// * fatal: `Kernel panic - not syncing` (`kernel/panic.c`, `pr_emerg`); `BUG: soft lockup`,
///   also after `watchdog: ` / `NMI watchdog: ` (`kernel/watchdog.c`, `pr_emerg`);
///   `EXT4-fs error` (`fs/ext4/super.c` `__ext4_error`, `KERN_CRIT`).
/// * error: `Out of memory…` / `Memory cgroup out of memory…` (`mm/oom_kill.c`
///   `__oom_kill_process`, `pr_err`); `INFO: task … blocked for more than` (`kernel/hung_task.c`,
///   `pr_err`); any other `BUG: ` (call sites range from `KERN_ERR`, `scheduling while atomic`,
///   to `KERN_ALERT`, page faults: error is the floor).
///
/// `oom-kill:constraint=…` is deliberately absent: `dump_oom_summary` prints it with `pr_info`.
pub(super) fn known_message_level(message: &str) -> Option<Level> {
    let m = message
        .strip_prefix("NMI watchdog: ")
        .or_else(|| message.strip_prefix("watchdog: "))
        .unwrap_or(message);
    if m.starts_with("Kernel panic - not syncing")
        || m.starts_with("BUG: soft lockup")
        || m.starts_with("EXT4-fs error")
    {
        Some(Level::Fatal)
    } else if m.starts_with("Out of memory")
        || m.starts_with("Memory cgroup out of memory")
        || m.starts_with("BUG: ")
        || (m.starts_with("INFO: task ") && m.contains(" blocked for more than "))
    {
        Some(Level::Error)
    } else {
        None
    }
}

/// `<%12.06f>` delta that `dmesg -d` puts inside the time brackets. Returns the bytes used.
fn delta_at(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b' ') || b.get(i + 1) != Some(&b'<') {
        return None;
    }
    let close = b.get(i + 2..)?.iter().take(24).position(|&c| c == b'>')?;
    let inner = b.get(i + 2..i + 2 + close)?;
    if inner
        .iter()
        .all(|&c| c == b' ' || c == b'.' || c == b'-' || c.is_ascii_digit())
    {
        Some(close + 3)
    } else {
        None
    }
}

/// `[%5ld.%06ld] ` seconds since boot (optionally with a `-d` delta) at the start of `s`.
/// Returns the stamp (without padding) and the text after `] `. Shared with syslog_rfc3164,
/// where rsyslog's imklog keeps this stamp in front of kernel messages.
pub(super) fn monotonic_prefix(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    if b.first() != Some(&b'[') {
        return None;
    }
    let mut i = 1;
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    let start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    if i == start || b.get(i) != Some(&b'.') || i - start > 12 {
        return None;
    }
    i += 1;
    let frac_start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    if i == frac_start || i - frac_start > 9 {
        return None;
    }
    let stamp = s.get(start..i)?;
    if let Some(used) = delta_at(b, i) {
        i += used;
    }
    if b.get(i) != Some(&b']') {
        return None;
    }
    Some((stamp, s.get(i + 1..)?.trim_start_matches(' ')))
}

/// `dmesg -x` prefix `kern  :err   : `. Returns (facility, level, bytes used).
fn decode_prefix(s: &str) -> Option<(&str, Level, usize)> {
    const FACILITIES: [&str; 24] = [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
        "authpriv", "ftp", "res0", "res1", "res2", "res3", "local0", "local1", "local2", "local3",
        "local4", "local5", "local6", "local7",
    ];
    const LEVELS: [&str; 8] = [
        "emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
    ];
    let b = s.as_bytes();
    let fac_len = b
        .iter()
        .take(9)
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    let facility = s.get(..fac_len)?;
    if !FACILITIES.contains(&facility) {
        return None;
    }
    let mut i = fac_len;
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    if b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    let lvl_start = i;
    while b.get(i).is_some_and(u8::is_ascii_lowercase) {
        i += 1;
    }
    let severity = LEVELS
        .iter()
        .position(|l| s.get(lvl_start..i) == Some(*l))?;
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    if b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    if b.get(i) == Some(&b' ') {
        i += 1;
    }
    Some((facility, Level::from_syslog_severity(severity as u8), i))
}

/// `[Sun Jan 21 15:00:02 2024] ` (optionally `[… <delta>] `). Returns the time and the rest.
fn ctime_prefix(s: &str) -> Option<(RawTime, &str)> {
    let b = s.as_bytes();
    if b.first() != Some(&b'[') {
        return None;
    }
    // `%e` pads the day with a space. A zero-padded day (`Jan 04`) is Apache httpd's error
    // log (`apr_ctime`), never dmesg.
    if b.get(9) == Some(&b'0') {
        return None;
    }
    let (raw, used) = parse_ctime(b.get(1..)?)?;
    // Exactly `Www Mmm dd HH:MM:SS YYYY`: dmesg prints no fraction and no zone (Apache 2.4
    // prints microseconds).
    if used != 24 || !matches!(raw, RawTime::Local(_)) {
        return None;
    }
    let mut i = 25;
    if let Some(d) = delta_at(b, i) {
        i += d;
    }
    if b.get(i) != Some(&b']') {
        return None;
    }
    Some((raw, s.get(i + 1..)?.trim_start_matches(' ')))
}

/// `2024-01-21T15:00:02,123456+00:00 ` as `dmesg --time-format iso` prints it. Older util-linux
/// printed the offset without a colon; both are accepted.
fn iso_prefix(s: &str) -> Option<(RawTime, &str)> {
    let b = s.as_bytes();
    if b.get(10) != Some(&b'T')
        || b.get(19) != Some(&b',')
        || !b.get(20..26)?.iter().all(u8::is_ascii_digit)
        || !matches!(b.get(26), Some(b'+' | b'-'))
    {
        return None;
    }
    let (raw, used) = parse_iso8601(b)?;
    if !matches!(raw, RawTime::Utc(_)) || !(used == 31 || used == 32) || b.get(used) != Some(&b' ')
    {
        return None;
    }
    Some((raw, s.get(used + 1..)?))
}

/// The caller id `[  T1234] ` / `[    C0] ` that kernels with `CONFIG_PRINTK_CALLER` add.
fn caller_prefix(s: &str) -> Option<(&str, &str)> {
    let rest = s.strip_prefix('[')?;
    let close = rest.bytes().take(16).position(|c| c == b']')?;
    let inner = rest.get(..close)?.trim_start_matches(' ');
    let b = inner.as_bytes();
    if !matches!(b.first(), Some(b'T' | b'C'))
        || b.len() < 2
        || !b.iter().skip(1).all(u8::is_ascii_digit)
    {
        return None;
    }
    Some((inner, rest.get(close + 1..)?.trim_start_matches(' ')))
}

/// Apache httpd 2.2 error lines share dmesg -T's bracketed ctime; their message opens with a
/// bracketed level (`[error]`, `[notice]`, 2.4's `[core:error]`), which kernel messages never do.
fn starts_with_apache_level(message: &str) -> bool {
    let Some(rest) = message.strip_prefix('[') else {
        return false;
    };
    let Some(close) = rest.bytes().take(24).position(|c| c == b']') else {
        return false;
    };
    let inner = rest.get(..close).unwrap_or("");
    let level = inner.rsplit(':').next().unwrap_or(inner);
    let is_trace = level
        .strip_prefix("trace")
        .is_some_and(|n| n.len() == 1 && n.bytes().all(|c| (b'1'..=b'8').contains(&c)));
    inner
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b':' || c == b'_')
        && (is_trace || (level.len() > 1 && Level::parse(level).is_some()))
}

impl Format for Kernel {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    // Shapes: util-linux sys-utils/dmesg.c, print_record()
    // (https://github.com/util-linux/util-linux/blob/master/sys-utils/dmesg.c).
    fn parse<'a>(&self, line: &'a str) -> LineParse<'a> {
        let mut level = None;
        let mut facility = None;
        let mut rest = line;
        let mut prefixed = false;
        if let Some((pri, used)) = pri_prefix(line.as_bytes()) {
            // dmesg -r: facility and level packed as in syslog, always followed by the uptime.
            if monotonic_prefix(line.get(used..).unwrap_or("")).is_none() {
                return LineParse::NoMatch;
            }
            level = Some(Level::from_syslog_severity(pri % 8));
            rest = line.get(used..).unwrap_or("");
        } else if let Some((fac, lvl, used)) = decode_prefix(line) {
            level = Some(lvl);
            facility = Some(fac);
            rest = line.get(used..).unwrap_or("");
            prefixed = true;
        }

        let mut monotonic = None;
        let (time, message) = if let Some((raw, msg)) = ctime_prefix(rest) {
            if starts_with_apache_level(msg) {
                return LineParse::NoMatch;
            }
            (Some(raw), msg)
        } else if let Some((raw, msg)) = iso_prefix(rest) {
            (Some(raw), msg)
        } else if let Some((stamp, msg)) = monotonic_prefix(rest) {
            // Raw dmesg prints only seconds since boot: there is no wall clock to place the line
            // on, so it inherits the previous event's time (None). Boot time is not in the
            // output, and guessing it from the file's mtime would invent precision.
            monotonic = Some(stamp);
            (None, msg)
        } else if prefixed {
            // dmesg -x -t: level but no time.
            (None, rest)
        } else {
            return LineParse::NoMatch;
        };

        let (caller, message) = match caller_prefix(message) {
            Some((caller, msg)) => (Some(caller), msg),
            None => (None, message),
        };
        let level = level.or_else(|| known_message_level(message));
        let mut parsed = Parsed::new(time, level, message);
        // A dmesg dump belongs to one host: the input's service (its directory, usually the
        // host name) says more than "kernel", which every such line would share.
        parsed.push_field(crate::event::keys::LOGGER, "kernel");
        if let Some(stamp) = monotonic {
            parsed.push_field("kernel.monotonic", stamp);
        }
        if let Some(caller) = caller {
            parsed.push_field("kernel.caller", caller);
        }
        if let Some(fac) = facility {
            parsed.push_field("kernel.facility", fac);
        }
        LineParse::Event(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Timestamp;
    use crate::time::ymd_hms;

    fn event(line: &str) -> Parsed<'_> {
        match Kernel.parse(line) {
            LineParse::Event(p) => p,
            other => panic!("expected an event for {line:?}, got {other:?}"),
        }
    }

    fn local(p: &Parsed<'_>) -> String {
        match p.time {
            Some(RawTime::Local(t)) => t.to_string(),
            other => panic!("expected a local time, got {other:?}"),
        }
    }

    // Message text: mm/oom_kill.c __oom_kill_process (pr_err).
    const OOM: &str = "Out of memory: Killed process 1234 (java) total-vm:8243560kB, anon-rss:6120644kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:12536kB oom_score_adj:0";

    #[test]
    fn ctime_line_valid_dmesg_t_oom() {
        let line = format!("[Sun Jan 21 15:00:02 2024] {OOM}");
        let p = event(&line);
        assert_eq!(local(&p), "2024-01-21 15:00:02");
        assert_eq!(p.message, OOM);
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.service, None);
        assert_eq!(p.field("logger"), Some("kernel"));
    }

    #[test]
    fn ctime_line_valid_space_padded_day() {
        let p = event("[Sun Jan  7 03:12:45 2024] e1000e 0000:00:19.0 eth0: NIC Link is Down");
        assert_eq!(local(&p), "2024-01-07 03:12:45");
        assert_eq!(p.message, "e1000e 0000:00:19.0 eth0: NIC Link is Down");
        assert_eq!(p.level, None);
    }

    #[test]
    fn ctime_line_valid_with_delta() {
        let p = event(
            "[Sun Jan 21 15:00:02 2024 <    0.000123>] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/app.service,task=java,pid=1234,uid=1000",
        );
        assert_eq!(local(&p), "2024-01-21 15:00:02");
        assert!(p.message.starts_with("oom-kill:constraint="));
        // pr_info in dump_oom_summary.
        assert_eq!(p.level, None);
    }

    #[test]
    fn iso_line_valid_dmesg_time_format_iso() {
        let line = format!("2024-01-21T16:00:02,123456+01:00 {OOM}");
        let p = event(&line);
        assert_eq!(
            p.time,
            Some(RawTime::Utc(Timestamp(
                ymd_hms(2024, 1, 21, 15, 0, 2).0 + 123_456_000
            )))
        );
        assert_eq!(p.message, OOM);
    }

    #[test]
    fn iso_line_valid_offset_without_colon() {
        let p = event(
            "2024-01-21T15:00:02,123456+0000 EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2: comm nginx: reading directory lblock 0",
        );
        assert!(matches!(p.time, Some(RawTime::Utc(_))));
        assert_eq!(p.level, Some(Level::Fatal));
    }

    #[test]
    fn decoded_line_valid_dmesg_x_level() {
        let p = event(
            "kern  :err   : [Sun Jan 21 15:00:02 2024] Memory cgroup out of memory: Killed process 1234 (java) total-vm:8243560kB, anon-rss:6120644kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:12536kB oom_score_adj:0",
        );
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.field("kernel.facility"), Some("kern"));
        assert_eq!(local(&p), "2024-01-21 15:00:02");
        assert!(p.message.starts_with("Memory cgroup out of memory"));
    }

    #[test]
    fn decoded_line_valid_printed_level_wins() {
        let p = event("kern  :info  : [Sun Jan 21 15:00:02 2024] Out of memory: test");
        assert_eq!(p.level, Some(Level::Info));
        let p = event("user  :notice: [    5.123456] systemd[1]: Started Journal Service.");
        assert_eq!(p.level, Some(Level::Notice));
        assert_eq!(p.time, None);
        assert_eq!(p.field("kernel.facility"), Some("user"));
    }

    #[test]
    fn raw_line_valid_dmesg_r_priority() {
        let p = event(
            "<6>[    0.000000] Linux version 6.1.0-17-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.69-1 (2023-12-30)",
        );
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(p.time, None);
        assert_eq!(p.field("kernel.monotonic"), Some("0.000000"));
        assert!(p.message.starts_with("Linux version 6.1.0-17-amd64"));
    }

    #[test]
    fn monotonic_line_valid_no_wall_clock_inherits() {
        let p =
            event("[12345.678901] INFO: task kworker/u16:2:123 blocked for more than 120 seconds.");
        assert_eq!(p.time, None);
        assert_eq!(p.field("kernel.monotonic"), Some("12345.678901"));
        assert_eq!(p.level, Some(Level::Error));
    }

    #[test]
    fn monotonic_line_valid_caller_id() {
        let p = event("[    2.345678] [    T1] Run /sbin/init as init process");
        assert_eq!(p.field("kernel.caller"), Some("T1"));
        assert_eq!(p.message, "Run /sbin/init as init process");
    }

    #[test]
    fn known_level_valid_panic_and_soft_lockup() {
        assert_eq!(
            known_message_level(
                "Kernel panic - not syncing: Out of memory and no killable processes..."
            ),
            Some(Level::Fatal)
        );
        assert_eq!(
            known_message_level("watchdog: BUG: soft lockup - CPU#3 stuck for 23s! [java:4242]"),
            Some(Level::Fatal)
        );
        assert_eq!(
            known_message_level("BUG: unable to handle page fault for address: ffffffffc0a1b000"),
            Some(Level::Error)
        );
        assert_eq!(
            known_message_level(
                "oom_reaper: reaped process 1234 (java), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB"
            ),
            None
        );
    }

    #[test]
    fn lines_invalid_junk_and_truncations() {
        for line in [
            "",
            "[",
            "[]",
            "[Sun Jan 21 15:00:02 2024",
            "[abc.def] x",
            "<6>no time here",
            "kern  :bogus : [1.0] x",
            "hello world",
            "2024-01-21T15:00:02,123+00:00 short fraction",
        ] {
            assert_eq!(Kernel.parse(line), LineParse::NoMatch, "{line:?}");
        }
        let line =
            format!("kern  :err   : [Sun Jan 21 15:00:02 2024 <    0.000123>] [  T42] {OOM} é");
        for end in 0..=line.len() {
            if let Some(prefix) = line.get(..end) {
                let _ = Kernel.parse(prefix);
            }
        }
    }

    #[test]
    fn neighbour_lines_invalid_apache_logback_syslog() {
        for line in [
            // Apache 2.2 (Loghub Apache_2k.log) and 2.4 error logs.
            "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties",
            "[Sun Dec 18 04:47:44 2005] [error] mod_jk child workerEnv in error state 6",
            "[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187] File does not exist: /usr/local/apache2/htdocs/favicon.ico",
            "2024-01-21 15:00:02,123 ERROR [main] c.e.App - boom",
            "2024-01-21T15:00:02.123456+00:00 web-1 kernel: Out of memory",
            "Jan 21 15:00:02 web-1 kernel: [12345.678901] Out of memory: Killed process 1234 (java)",
        ] {
            assert_eq!(Kernel.parse(line), LineParse::NoMatch, "{line:?}");
        }
    }

    #[test]
    fn sniff_picks_kernel_for_dmesg_t() {
        let sample = [
            "[Sun Jan 21 15:00:01 2024] java invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0",
            "[Sun Jan 21 15:00:01 2024] CPU: 2 PID: 1234 Comm: java Not tainted 6.1.0-17-amd64 #1",
            "[Sun Jan 21 15:00:02 2024] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/app.service,task=java,pid=1234,uid=1000",
            "[Sun Jan 21 15:00:02 2024] Out of memory: Killed process 1234 (java) total-vm:8243560kB, anon-rss:6120644kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:12536kB oom_score_adj:0",
        ];
        assert_eq!(super::super::sniff(&sample).format.name(), Kernel::NAME);
        let iso = [
            "2024-01-21T15:00:01,482113+00:00 usb 1-1: new high-speed USB device number 2 using xhci_hcd",
            "2024-01-21T15:00:02,000931+00:00 java invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0",
            "2024-01-21T15:00:02,001877+00:00 Out of memory: Killed process 1234 (java) total-vm:8243560kB, anon-rss:6120644kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:12536kB oom_score_adj:0",
        ];
        assert_eq!(super::super::sniff(&iso).format.name(), Kernel::NAME);
    }
}
