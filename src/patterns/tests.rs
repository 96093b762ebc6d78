//! Tests of the embedded library as data: every file listed, every entry valid, every example
//! matched by its own signature, no counterexample matched within its category.

use super::*;
use std::collections::BTreeSet;

#[test]
fn embedded_valid_every_pattern_file_is_listed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/patterns");
    let on_disk: BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .map(|n| format!("patterns/{n}"))
        .collect();
    let listed: BTreeSet<String> = EMBEDDED_FILES
        .iter()
        .map(|(n, _)| (*n).to_string())
        .collect();
    let missing: Vec<_> = on_disk.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&on_disk).collect();
    assert!(
        missing.is_empty(),
        "add these to src/patterns/embedded.rs: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "listed in src/patterns/embedded.rs but not on disk: {stale:?}"
    );
    let names: Vec<&str> = EMBEDDED_FILES.iter().map(|(n, _)| *n).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "keep src/patterns/embedded.rs in name order");
}

#[test]
fn embedded_valid_library_has_no_error() {
    let report = check_embedded();
    let errors: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    assert!(
        errors.is_empty(),
        "{} errors:\n{}",
        errors.len(),
        errors.join("\n")
    );
    assert_eq!(report.signatures, SignatureSet::embedded().len());
}

#[test]
fn embedded_valid_every_example_matches_its_signature() {
    let set = SignatureSet::embedded();
    for (i, sig) in set.signatures().iter().enumerate() {
        assert!(!sig.examples.is_empty(), "{} has no example", sig.id);
        for ex in &sig.examples {
            assert!(
                set.match_line(ex).any(|m| m.index == i),
                "{}: example not matched: {ex}",
                sig.id
            );
            let lower = ex.to_ascii_lowercase();
            assert!(
                sig.keywords
                    .iter()
                    .any(|k| lower.contains(&k.to_ascii_lowercase())),
                "{}: example contains no keyword: {ex}",
                sig.id
            );
        }
    }
}

#[test]
fn embedded_valid_no_counterexample_matches_its_category() {
    let set = SignatureSet::embedded();
    for sig in set.signatures() {
        assert!(
            !sig.counterexamples.is_empty(),
            "{} has no counterexample",
            sig.id
        );
        for ce in &sig.counterexamples {
            for m in set.match_line(ce) {
                assert_ne!(
                    m.signature.category, sig.category,
                    "{}: counterexample matched by {}: {ce}",
                    sig.id, m.signature.id
                );
            }
        }
    }
}

#[test]
fn embedded_valid_every_signature_is_documented_and_cited() {
    for sig in SignatureSet::embedded().signatures() {
        assert!(!sig.explanation.trim().is_empty(), "{}", sig.id);
        assert!(!sig.remediation.trim().is_empty(), "{}", sig.id);
        assert!(
            !sig.references.is_empty(),
            "{}: cite the software's source or docs in `references`",
            sig.id
        );
        assert!(
            sig.references.iter().all(|r| r.starts_with("https://")),
            "{}: references must be https URLs",
            sig.id
        );
    }
}

#[test]
fn embedded_valid_taxonomy_file_covers_every_category() {
    let (patches, errors) = load::parse_categories_file(
        "patterns/categories.toml",
        include_str!("../../patterns/categories.toml"),
    );
    assert!(errors.is_empty(), "{errors:?}");
    let listed: BTreeSet<Category> = patches.iter().map(|p| p.category).collect();
    assert_eq!(
        listed.len(),
        Category::COUNT,
        "categories.toml must have one table per category"
    );
    for c in Category::ALL {
        let info = SignatureSet::embedded().category(*c);
        assert!(
            info.title != c.as_str().replace('_', " "),
            "{c} has no title in categories.toml"
        );
    }
}

#[test]
fn embedded_valid_every_category_has_a_signature() {
    let set = SignatureSet::embedded();
    for c in Category::ALL {
        assert!(
            set.signatures().iter().any(|s| s.category == *c),
            "no signature for {c}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Loader and matcher behaviour on small hand-written libraries.

const META: &str = "[meta]\nsoftware = \"Acme\"\nstack = \"jvm\"\n";

/// One valid entry; `extra` lines are appended inside it.
fn entry(id: &str, category: &str, extra: &str) -> String {
    format!(
        "\n[[signature]]\nid = \"{id}\"\ntitle = \"t\"\ncategory = \"{category}\"\nrole = \"cause\"\nspecificity = \"high\"\n\
         keywords = [\"pool drained\"]\nregex = ['pool drained after (?P<ms>\\d+)ms']\nexplanation = \"e\"\nremediation = \"r\"\n\
         examples = [\"pool drained after 30ms\"]\ncounterexamples = [\"pool filled\"]\n{extra}"
    )
}

fn errors_of(files: &[(&str, &str)]) -> Vec<PatternError> {
    match SignatureSet::from_files(files) {
        Ok(set) => panic!("expected errors, loaded {} signatures", set.len()),
        Err(e) => e,
    }
}

#[test]
fn from_files_valid_minimal_library_matches_with_captures() {
    let text = format!(
        "{META}{}",
        entry("acme.pool_drained", "db_pool_exhaustion", "")
    );
    let set = SignatureSet::from_files(&[("a.toml", &text)]).unwrap();
    let m = set
        .first_match("12:00 WARN POOL DRAINED? no: pool drained after 250ms")
        .unwrap();
    assert_eq!(m.signature.id, "acme.pool_drained");
    assert_eq!(m.signature.software, "Acme");
    assert_eq!(m.signature.origin.to_string(), "a.toml:6");
    assert_eq!(m.capture("ms"), Some("250"));
    assert!(set.first_match("pool filled").is_none());
}

#[test]
fn from_files_invalid_toml_syntax_reports_line() {
    let text = "[meta]\nsoftware = \"Acme\nstack = \"jvm\"\n";
    let errors = errors_of(&[("syntax.toml", text)]);
    assert_eq!(errors[0].kind, ErrorKind::Toml);
    assert_eq!(errors[0].file, "syntax.toml");
    assert_eq!(errors[0].line, Some(2));
}

#[test]
fn from_files_invalid_every_entry_error_is_reported_with_its_line() {
    // Line numbers: META is lines 1-3; each entry() starts with a blank line then its header.
    let mut text = META.to_string();
    text += &entry("acme.bad_regex", "db_pool_exhaustion", "");
    text = text.replace("regex = ['pool drained after (?P<ms>\\d+)ms']\nexplanation = \"e\"\nremediation = \"r\"\nexamples = [\"pool drained after 30ms\"]\ncounterexamples = [\"pool filled\"]\n", "regex = ['pool drained (']\nexplanation = \"e\"\nremediation = \"r\"\nexamples = [\"pool drained after 30ms\"]\ncounterexamples = [\"pool filled\"]\n");
    text += &entry("acme.typo_category", "db_pool_exhausted", "");
    text += &entry("acme.bad_example", "db_pool_exhaustion", "").replace(
        "[\"pool drained after 30ms\"]",
        "[\"pool drained after soon\"]",
    );
    text += &entry("acme.no_keyword", "db_pool_exhaustion", "").replace(
        "[\"pool drained after 30ms\"]",
        "[\"reservoir empty after 30ms\"]",
    );
    text += &entry("acme.no_title", "db_pool_exhaustion", "").replace("title = \"t\"\n", "");
    text += &entry(
        "acme.unknown_field",
        "db_pool_exhaustion",
        "keyword = [\"x\"]\n",
    );
    text += &entry("Acme Bad Id", "db_pool_exhaustion", "");
    text += &entry("acme.bad_role", "db_pool_exhaustion", "")
        .replace("role = \"cause\"", "role = \"culprit\"");
    text += &entry("acme.empty_remediation", "db_pool_exhaustion", "")
        .replace("remediation = \"r\"", "remediation = \"  \"");
    text += &entry("acme.no_counterexample", "db_pool_exhaustion", "").replace(
        "counterexamples = [\"pool filled\"]",
        "counterexamples = []",
    );
    text += &entry("acme.short_keyword", "db_pool_exhaustion", "").replace(
        "keywords = [\"pool drained\"]",
        "keywords = [\"pool drained\", \"ab\"]",
    );
    text += &entry("acme.ok", "db_pool_exhaustion", "");
    text += &entry("acme.ok", "db_pool_exhaustion", "");
    text += &entry("acme.greedy", "upstream_error", "")
        .replace(
            "keywords = [\"pool drained\"]",
            "keywords = [\"reservoir dry\"]",
        )
        .replace("'pool drained after (?P<ms>\\d+)ms'", "'reservoir dry'")
        .replace("[\"pool drained after 30ms\"]", "[\"reservoir dry\"]")
        .replace("[\"pool filled\"]", "[\"pool drained after 1ms\"]");
    let errors = errors_of(&[("lib.toml", &text)]);
    let line_of_id = |id: &str| {
        let needle = format!("id = \"{id}\"");
        text.lines().position(|l| l == needle).unwrap() + 1
    };
    let find = |kind: ErrorKind, id: &str| {
        errors
            .iter()
            .find(|e| e.kind == kind && (e.message.contains(id) || e.id.as_deref() == Some(id)))
            .unwrap_or_else(|| panic!("no {kind:?} error for {id}: {errors:#?}"))
            .clone()
    };
    let regex_err = find(ErrorKind::BadRegex, "acme.bad_regex");
    assert_eq!(
        regex_err.line,
        Some(line_of_id("acme.bad_regex") + 6),
        "{regex_err}"
    );
    let cat = find(ErrorKind::UnknownCategory, "acme.typo_category");
    assert!(
        cat.message.contains("did you mean \"db_pool_exhaustion\""),
        "{cat}"
    );
    assert_eq!(cat.line, Some(line_of_id("acme.typo_category") + 2));
    assert_eq!(
        find(ErrorKind::ExampleNotMatched, "acme.bad_example").line,
        Some(line_of_id("acme.bad_example"))
    );
    assert_eq!(
        find(ErrorKind::ExampleWithoutKeyword, "acme.no_keyword").line,
        Some(line_of_id("acme.no_keyword") + 9)
    );
    assert_eq!(
        find(ErrorKind::MissingField, "acme.no_title").line,
        Some(line_of_id("acme.no_title"))
    );
    let unknown = find(ErrorKind::UnknownField, "acme.unknown_field");
    assert!(
        unknown.message.contains("did you mean \"keywords\""),
        "{unknown}"
    );
    assert_eq!(unknown.line, Some(line_of_id("acme.unknown_field") + 11));
    assert_eq!(
        find(ErrorKind::InvalidId, "Acme Bad Id").line,
        Some(line_of_id("Acme Bad Id"))
    );
    assert!(
        find(ErrorKind::UnknownValue, "acme.bad_role")
            .message
            .contains("role")
    );
    assert_eq!(
        find(ErrorKind::EmptyText, "acme.empty_remediation").line,
        Some(line_of_id("acme.empty_remediation") + 8)
    );
    find(ErrorKind::NoCounterexample, "acme.no_counterexample");
    find(ErrorKind::BadKeyword, "acme.short_keyword");
    let dup = find(ErrorKind::DuplicateId, "acme.ok");
    let second = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "id = \"acme.ok\"")
        .nth(1)
        .unwrap()
        .0
        + 1;
    assert_eq!(dup.line, Some(second));
    assert!(
        dup.message
            .contains(&format!("lib.toml:{}", line_of_id("acme.ok"))),
        "{dup}"
    );
    // acme.greedy's counterexample is matched by the db_pool_exhaustion signatures, not by one of
    // its own category: no error for it.
    assert!(
        !errors
            .iter()
            .any(|e| e.id.as_deref() == Some("acme.greedy")),
        "{errors:#?}"
    );
    for e in &errors {
        assert_eq!(e.file, "lib.toml");
        assert!(e.line.is_some(), "{e}");
    }
}

#[test]
fn from_files_invalid_counterexample_matched_in_same_category() {
    let text = format!(
        "{META}{}{}",
        entry("acme.one", "db_pool_exhaustion", ""),
        entry("acme.two", "db_pool_exhaustion", "").replace(
            "counterexamples = [\"pool filled\"]",
            "counterexamples = [\"pool drained after 5ms\"]"
        )
    );
    let errors = errors_of(&[("c.toml", &text)]);
    assert!(!errors.is_empty());
    for e in &errors {
        assert_eq!(e.kind, ErrorKind::CounterexampleMatched, "{e}");
        assert_eq!(e.id.as_deref(), Some("acme.two"), "{e}");
    }
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("acme.one (c.toml:")),
        "{errors:#?}"
    );
}

#[test]
fn from_files_invalid_missing_meta_rejects_entries() {
    let text = entry("acme.one", "db_pool_exhaustion", "");
    let errors = errors_of(&[("nometa.toml", &text)]);
    assert!(
        errors
            .iter()
            .any(|e| e.kind == ErrorKind::MissingField && e.message.contains("[meta]"))
    );
}

#[test]
fn prefilter_valid_regex_match_without_keyword_is_rejected() {
    // The keyword is the contract: a line must contain one for the regexes to run.
    let text = format!(
        "{META}{}",
        entry("acme.pool_drained", "db_pool_exhaustion", "")
    );
    let set = SignatureSet::from_files(&[("a.toml", &text)]).unwrap();
    assert!(
        !set.is_match("POOL DRAINED after 3ms"),
        "regex is case-sensitive"
    );
    assert!(set.is_match("xx pool drained after 3ms"));
    assert!(!set.is_match("pool drainedafter 3ms"));
}

#[test]
fn match_line_valid_most_specific_first() {
    let set = SignatureSet::embedded();
    let line = "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30004ms (total=10, active=10, idle=0, waiting=42)";
    let ids: Vec<&str> = set
        .match_line(line)
        .map(|m| m.signature.id.as_str())
        .collect();
    assert_eq!(ids.first(), Some(&"hikaricp.connection_timeout"));
    let wrapped = "org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.";
    let ids: Vec<&str> = set
        .match_line(wrapped)
        .map(|m| m.signature.id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "hikaricp.connection_timeout",
            "spring.cannot_get_jdbc_connection"
        ]
    );
}

#[test]
fn match_line_valid_benign_lines_match_nothing() {
    let set = SignatureSet::embedded();
    for line in [
        "",
        "GET /health 200 0.002",
        "2024-03-02 10:15:31.123  INFO 1 --- [main] o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat started on port(s): 8080 (http)",
        "HikariPool-1 - Start completed.",
        "connection pool initialized",
        "Retrying request to inventory (attempt 2 of 3) succeeded",
        "\u{1b}[2J\u{202e} binary \u{0}\u{ff} junk",
    ] {
        let hits: Vec<&str> = set
            .match_line(line)
            .map(|m| m.signature.id.as_str())
            .collect();
        assert!(hits.is_empty(), "{line:?} matched {hits:?}");
    }
}

#[test]
fn causes_valid_merges_category_and_signature_edges() {
    let set = SignatureSet::embedded();
    let edges = set.causes(Category::MemoryExhaustion);
    assert!(
        edges.contains(&Category::CrashRestart),
        "category edge: {edges:?}"
    );
    // hikaricp.thread_starvation adds memory_exhaustion to thread_pool_exhaustion's edges.
    assert!(
        set.causes(Category::ThreadPoolExhaustion)
            .contains(&Category::MemoryExhaustion)
    );
    let mut sorted = edges.to_vec();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, edges);
}

#[test]
fn load_valid_user_dir_overrides_by_id_and_adds() {
    let dir = tempfile::tempdir().unwrap();
    let override_text = "[meta]\nsoftware = \"HikariCP\"\nstack = \"jvm\"\n\n[[signature]]\nid = \"hikaricp.connection_timeout\"\ntitle = \"Overridden\"\ncategory = \"db_pool_exhaustion\"\nrole = \"cause\"\nspecificity = \"high\"\nkeywords = [\"Connection is not available\"]\nregex = ['Connection is not available']\nexplanation = \"e\"\nremediation = \"r\"\nexamples = [\"HikariPool-9 - Connection is not available, request timed out after 1ms.\"]\ncounterexamples = [\"HikariPool-9 - Start completed.\"]\n";
    std::fs::write(dir.path().join("hikari_override.toml"), override_text).unwrap();
    let added = format!(
        "{META}{}",
        entry(
            "acme.pool_drained",
            "db_pool_exhaustion",
            "causes = [\"dns_failure\"]\n"
        )
    );
    std::fs::write(dir.path().join("acme.toml"), added).unwrap();
    std::fs::write(
        dir.path().join("categories.toml"),
        "[category.rate_limited]\ncauses = [\"crash_restart\"]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.md"), "ignored").unwrap();
    let set = SignatureSet::load(&[dir.path()]).unwrap();
    let base = SignatureSet::embedded();
    assert_eq!(set.len(), base.len() + 1);
    let sig = set.get("hikaricp.connection_timeout").unwrap();
    assert_eq!(sig.title, "Overridden");
    let pos = set
        .signatures()
        .iter()
        .position(|s| s.id == "hikaricp.connection_timeout");
    let base_pos = base
        .signatures()
        .iter()
        .position(|s| s.id == "hikaricp.connection_timeout");
    assert_eq!(pos, base_pos, "an override keeps the embedded position");
    assert_eq!(
        set.first_match("pool drained after 9ms")
            .unwrap()
            .signature
            .id,
        "acme.pool_drained"
    );
    assert!(
        set.causes(Category::DbPoolExhaustion)
            .contains(&Category::DnsFailure)
    );
    assert!(
        set.causes(Category::RateLimited)
            .contains(&Category::CrashRestart)
    );
    assert!(
        set.causes(Category::RateLimited)
            .contains(&Category::UpstreamError)
    );
}

#[test]
fn load_invalid_user_dir_errors_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = format!(
        "{META}{}",
        entry("acme.pool_drained", "db_pool_exhaustion", "")
            .replace("category = \"db_pool_exhaustion\"", "category = \"pool\"")
    );
    std::fs::write(dir.path().join("bad.toml"), &bad).unwrap();
    let errors = SignatureSet::load(&[dir.path()]).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let shown = errors[0].to_string();
    assert!(
        shown
            .contains("bad.toml:8: acme.pool_drained: field `category`: unknown category \"pool\""),
        "{shown}"
    );
    let missing = SignatureSet::load(&[dir.path().join("nope")]).unwrap_err();
    assert_eq!(missing[0].kind, ErrorKind::Io);
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(
        SignatureSet::load(&[empty.path()]).unwrap_err()[0].kind,
        ErrorKind::NoFiles
    );
}

#[test]
fn check_dir_valid_repository_patterns_directory() {
    let report = check_dir(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/patterns"
    )));
    assert!(report.errors.is_empty(), "{:#?}", report.errors);
    assert_eq!(report.signatures, SignatureSet::embedded().len());
}

/// Nanoseconds this thread has spent on a CPU (Linux `/proc/thread-self/schedstat`), so that a
/// throughput measured on a busy shared machine is not diluted by waiting for a core.
fn thread_cpu_nanos() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Throughput of matching alone, on the benchmark mix. Run in release mode:
/// `cargo test --release --lib patterns::tests::matching_throughput -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run in release mode on demand"]
fn matching_throughput_valid_report_lines_per_second() {
    let set = SignatureSet::embedded();
    let lines = bench_lines(200_000);
    let bytes: usize = lines.iter().map(String::len).sum();
    let (mut best_wall, mut best_cpu) = (f64::MAX, f64::MAX);
    let mut hits = 0usize;
    for _ in 0..5 {
        let (start, cpu_start) = (std::time::Instant::now(), thread_cpu_nanos());
        hits = 0;
        for l in &lines {
            if set.first_match(l).is_some() {
                hits += 1;
            }
        }
        best_wall = best_wall.min(start.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu_start, thread_cpu_nanos()) {
            best_cpu = best_cpu.min(b.saturating_sub(a) as f64 / 1e9);
        }
    }
    let n = lines.len() as f64;
    println!(
        "{} signatures, {} lines ({:.1} MB), {hits} matched, one thread, best of 5: \
         {:.2} M lines/s wall clock, {:.2} M lines/s of CPU time ({:.0} MB/s)",
        set.len(),
        lines.len(),
        bytes as f64 / 1e6,
        n / best_wall / 1e6,
        n / best_cpu / 1e6,
        bytes as f64 / best_cpu / 1e6
    );
}

#[test]
fn bench_lines_valid_mostly_benign_with_some_matches() {
    let set = SignatureSet::embedded();
    let lines = bench_lines(10_000);
    let matched = lines.iter().filter(|l| set.is_match(l)).count();
    assert!(
        matched > 0 && matched < lines.len() / 20,
        "{matched} of {}",
        lines.len()
    );
}
