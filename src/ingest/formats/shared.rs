//! Pieces shared by format families: level words, bracketed tokens, key=value pairs, and the
//! Java/Python stack-trace continuation rules.

use crate::event::Level;

/// Reads a level word at the start of `s` (optionally in `[]`, optionally followed by `:`),
/// returning the level and the bytes used including trailing spaces. Only whole words count:
/// `INFO` yes, `INFORMATIVE` no.
pub fn level_word_at(s: &str) -> Option<(Level, usize)> {
    let b = s.as_bytes();
    let (open, close) = match b.first() {
        Some(b'[') => (1, Some(b']')),
        Some(b'<') => (1, Some(b'>')),
        _ => (0, None),
    };
    let mut end = open;
    while end < b.len() && end - open <= 12 && b[end].is_ascii_alphanumeric() {
        end += 1;
    }
    if end == open || end - open > 12 {
        return None;
    }
    let level = Level::parse(&s[open..end])?;
    // Single letters only count inside brackets (klog-like letters have their own parser).
    if end - open == 1 && close.is_none() {
        return None;
    }
    let mut used = end;
    if let Some(c) = close {
        if b.get(used) != Some(&c) {
            return None;
        }
        used += 1;
    }
    if b.get(used) == Some(&b':') {
        used += 1;
    }
    match b.get(used) {
        None | Some(b' ') | Some(b'\t') => {}
        _ => return None,
    }
    while b.get(used) == Some(&b' ') || b.get(used) == Some(&b'\t') {
        used += 1;
    }
    Some((level, used))
}

/// Finds a level word among the first `max_words` words of `s` (e.g. after a thread name).
/// Returns the level and the byte offset just after it (and its trailing spaces).
pub fn find_level_word(s: &str, max_words: usize) -> Option<(Level, usize, usize)> {
    let mut start = 0;
    let b = s.as_bytes();
    for _ in 0..max_words {
        while start < b.len() && (b[start] == b' ' || b[start] == b'\t') {
            start += 1;
        }
        if start >= b.len() {
            return None;
        }
        if let Some((level, used)) = level_word_at(&s[start..]) {
            return Some((level, start, start + used));
        }
        while start < b.len() && b[start] != b' ' && b[start] != b'\t' {
            start += 1;
        }
    }
    None
}

/// The content of a leading `[ ... ]` and the bytes used including one trailing space.
pub fn bracketed(s: &str) -> Option<(&str, usize)> {
    let rest = s.strip_prefix('[')?;
    let close = rest.find(']')?;
    let inner = &rest[..close];
    let mut used = close + 2;
    if s.as_bytes().get(used) == Some(&b' ') {
        used += 1;
    }
    Some((inner, used))
}

/// Java stack-trace lines that belong to the previous event: `\tat …`, `    at …`,
/// `Caused by: …`, `Suppressed: …`, `\t... 12 more`, `Wrapped by: …`, an exception
/// header line such as `java.lang.IllegalStateException: msg` right after an event, and the
/// JVM's uncaught-exception line `Exception in thread "main" java.lang.…` (printed by
/// `ThreadGroup.uncaughtException` to stderr, which is often redirected into the same file).
pub fn is_java_stack_line(line: &str) -> bool {
    let t = line.trim_start();
    if t.len() != line.len() {
        // Indented lines (`\tat …`, `\t... 12 more`, wrapped messages) always continue.
        return true;
    }
    t.starts_with("Caused by: ")
        || t.starts_with("Suppressed: ")
        || t.starts_with("Wrapped by: ")
        || t.starts_with("Exception in thread \"")
        || is_java_exception_header(t)
}

/// `java.net.SocketTimeoutException: Read timed out` or `com.zaxxer.hikari.pool.HikariPool$PoolInitializationException`.
pub fn is_java_exception_header(t: &str) -> bool {
    let head = t.split([':', ' ']).next().unwrap_or("");
    head.contains('.')
        && !head.contains('/')
        && head.rsplit('.').next().is_some_and(|last| {
            last.ends_with("Exception") || last.ends_with("Error") || last.ends_with("Throwable")
        })
        && head.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'$')
        })
}

/// Python traceback lines: `Traceback (most recent call last):`, indented frames, and the final
/// `SomeError: message` line, plus chained-exception separators.
pub fn is_python_traceback_line(line: &str) -> bool {
    line.starts_with("Traceback (most recent call last):")
        || line.starts_with("  ")
        || line.starts_with('\t')
        || line.starts_with("During handling of the above exception")
        || line.starts_with("The above exception was the direct cause")
        || is_python_exception_line(line)
}

/// `ValueError: bad`, `psycopg2.OperationalError: ...`, `KeyError`: the last line of a
/// traceback, `<qualified class name>[: <message>]` as `traceback.format_exception_only`
/// prints it. Besides the `…Error`/`…Exception`/`…Warning` convention it knows the standard
/// names that break it (`KeyboardInterrupt`, `SystemExit`, `ExceptionGroup`, …) and the common
/// framework ones (Django's `app.models.User.DoesNotExist`, `ImproperlyConfigured`, billiard's
/// `SoftTimeLimitExceeded`), plus any class from an `exceptions`/`exc`/`errors` module
/// (`botocore.errorfactory.NoSuchKey`, `requests.exceptions.…`).
pub fn is_python_exception_line(line: &str) -> bool {
    let head = match line.find(':') {
        Some(i) => &line[..i],
        None => line.trim_end(),
    };
    // A dotted Python identifier: no spaces, no paths, no leading digits.
    let identifier = |p: &str| {
        p.as_bytes()
            .first()
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
            && p.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
    };
    if head.is_empty() || !head.split('.').all(identifier) {
        return false;
    }
    let name = head.rsplit('.').next().unwrap_or("");
    name.ends_with("Error")
        || name.ends_with("Exception")
        || name.ends_with("Warning")
        || name.ends_with("ExceptionGroup")
        || matches!(
            name,
            "KeyboardInterrupt"
                | "SystemExit"
                | "GeneratorExit"
                | "StopIteration"
                | "StopAsyncIteration"
                | "DoesNotExist"
                | "MultipleObjectsReturned"
                | "ImproperlyConfigured"
                | "PermissionDenied"
                | "SuspiciousOperation"
                | "SoftTimeLimitExceeded"
                | "TimeLimitExceeded"
        )
        || (head.contains('.')
            && head
                .split('.')
                .any(|m| matches!(m, "exceptions" | "exc" | "errors" | "errorfactory")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_word_valid_forms() {
        assert_eq!(level_word_at("INFO  x"), Some((Level::Info, 6)));
        assert_eq!(level_word_at("[error] 12#0"), Some((Level::Error, 8)));
        assert_eq!(level_word_at("WARNING: x"), Some((Level::Warn, 9)));
        assert_eq!(level_word_at("[E] x"), Some((Level::Error, 4)));
    }

    #[test]
    fn level_word_invalid_forms() {
        assert_eq!(level_word_at("INFORMATIVE x"), None);
        assert_eq!(level_word_at("E x"), None);
        assert_eq!(level_word_at("errors happened"), None);
    }

    #[test]
    fn find_level_word_valid_after_thread() {
        let (level, start, end) = find_level_word("[main] ERROR c.e.App - boom", 3).unwrap();
        assert_eq!(level, Level::Error);
        assert_eq!(&"[main] ERROR c.e.App - boom"[start..end], "ERROR ");
    }

    #[test]
    fn java_stack_lines_valid() {
        assert!(is_java_stack_line(
            "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:197)"
        ));
        assert!(is_java_stack_line(
            "Caused by: java.net.SocketTimeoutException: Read timed out"
        ));
        assert!(is_java_stack_line("\t... 42 more"));
        assert!(is_java_stack_line(
            "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available"
        ));
    }

    #[test]
    fn java_stack_lines_invalid_plain_text() {
        assert!(!is_java_stack_line("Started Application in 3.2 seconds"));
    }

    #[test]
    fn python_traceback_lines_valid() {
        assert!(is_python_traceback_line(
            "Traceback (most recent call last):"
        ));
        assert!(is_python_traceback_line(
            "  File \"/app/db.py\", line 12, in connect"
        ));
        assert!(is_python_traceback_line(
            "psycopg2.OperationalError: could not connect to server"
        ));
        assert!(!is_python_traceback_line("Booting worker with pid: 12"));
    }

    #[test]
    fn java_stack_lines_valid_uncaught_exception_in_thread() {
        assert!(is_java_stack_line(
            "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space"
        ));
        assert!(is_java_stack_line("\t... 86 common frames omitted"));
    }

    #[test]
    fn java_exception_header_invalid_logger_and_path() {
        assert!(!is_java_exception_header(
            "executor.Executor: Finished task 0.0"
        ));
        assert!(!is_java_exception_header("/var/log/app.Error: x"));
    }

    #[test]
    fn python_exception_lines_valid_names_off_convention() {
        assert!(is_python_exception_line("KeyboardInterrupt"));
        assert!(is_python_exception_line(
            "shop.models.Order.DoesNotExist: Order matching query does not exist."
        ));
        assert!(is_python_exception_line(
            "billiard.exceptions.SoftTimeLimitExceeded: SoftTimeLimitExceeded()"
        ));
        assert!(is_python_exception_line(
            "botocore.errorfactory.NoSuchKey: An error occurred (NoSuchKey) when calling the GetObject operation: The specified key does not exist."
        ));
        assert!(is_python_exception_line(
            "ExceptionGroup: errors (2 sub-exceptions)"
        ));
    }

    #[test]
    fn python_exception_lines_invalid_prose_and_paths() {
        assert!(!is_python_exception_line("Booting worker with pid: 12"));
        assert!(!is_python_exception_line("/app/Error: x"));
        assert!(!is_python_exception_line("1Error: x"));
        assert!(!is_python_exception_line("app.views: request done"));
    }
}
