//! The signature-count tables of `patterns/README.md`, generated from the library so that the
//! README cannot drift: a test compares the README's block between the [`BEGIN`] and [`END`]
//! markers with [`counts_markdown`], and rewrites it when run with `CULPRIT_UPDATE_README=1`.

use super::category::{Category, Stack};
use super::matcher::SignatureSet;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The line that opens the generated block in `patterns/README.md`.
pub const BEGIN: &str =
    "<!-- counts:begin (generated: CULPRIT_UPDATE_README=1 cargo test --lib patterns::readme) -->";
/// The line that closes it.
pub const END: &str = "<!-- counts:end -->";

/// Two Markdown tables: signatures per category (with the cause/symptom/either split) and per
/// software (with its stack and file).
pub fn counts_markdown(set: &SignatureSet) -> String {
    let mut out = String::new();
    let total = set.len();
    let _ = writeln!(out, "{total} signatures in total.\n");
    let _ = writeln!(out, "| category | signatures | cause | symptom | either |");
    let _ = writeln!(out, "|---|---:|---:|---:|---:|");
    for c in Category::ALL {
        let sigs: Vec<_> = set
            .signatures()
            .iter()
            .filter(|s| s.category == *c)
            .collect();
        let role = |r: super::category::Role| sigs.iter().filter(|s| s.role == r).count();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            c.as_str(),
            sigs.len(),
            role(super::category::Role::Cause),
            role(super::category::Role::Symptom),
            role(super::category::Role::Either)
        );
    }
    // Keyed by the lowercased name first so that the table reads in dictionary order.
    let mut by_software: BTreeMap<(String, String, Stack, String), usize> = BTreeMap::new();
    for s in set.signatures() {
        let file = s
            .origin
            .file
            .rsplit('/')
            .next()
            .unwrap_or(&s.origin.file)
            .to_string();
        *by_software
            .entry((s.software.to_lowercase(), s.software.clone(), s.stack, file))
            .or_default() += 1;
    }
    let _ = writeln!(out, "\n| software | stack | file | signatures |");
    let _ = writeln!(out, "|---|---|---|---:|");
    for ((_, software, stack, file), n) in &by_software {
        let _ = writeln!(out, "| {software} | {} | `{file}` | {n} |", stack.as_str());
    }
    out
}

/// Replaces the generated block of `readme` with `table`; `None` when the markers are missing.
pub fn replace_block(readme: &str, table: &str) -> Option<String> {
    let start = readme.find(BEGIN)? + BEGIN.len();
    let end = start + readme.get(start..)?.find(END)?;
    let mut out = String::with_capacity(readme.len() + table.len());
    out.push_str(readme.get(..start)?);
    out.push('\n');
    out.push_str(table);
    out.push_str(readme.get(end..)?);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_valid_counts_table_is_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/patterns/README.md");
        let readme = std::fs::read_to_string(path).unwrap();
        let table = counts_markdown(SignatureSet::embedded());
        let updated = replace_block(&readme, &table)
            .unwrap_or_else(|| panic!("patterns/README.md lacks the lines {BEGIN:?} and {END:?}"));
        if updated == readme {
            return;
        }
        if std::env::var_os("CULPRIT_UPDATE_README").is_some() {
            std::fs::write(path, updated).unwrap();
            return;
        }
        panic!(
            "the counts in patterns/README.md are out of date; run\n  \
             CULPRIT_UPDATE_README=1 cargo test --lib patterns::readme\nor paste:\n{table}"
        );
    }

    #[test]
    fn replace_block_invalid_missing_markers() {
        assert_eq!(replace_block("no markers", "x"), None);
        let doc = format!("a\n{BEGIN}\nold\n{END}\nb");
        assert_eq!(
            replace_block(&doc, "new\n").unwrap(),
            format!("a\n{BEGIN}\nnew\n{END}\nb")
        );
    }
}
