//! The library as a whole: the embedded pattern files ([`EMBEDDED_FILES`]), user directories
//! stacked over them ([`SignatureSet::load`]), and validation of a directory or of the embedded
//! library ([`check_dir`], [`check_embedded`]) for `culprit patterns check`.

use super::category::{Category, CategoryInfo};
use super::load::{Layer, Validation, apply_patches, load_layer, read_dir_files};
use super::matcher::SignatureSet;
use super::signature::{PatternError, Signature};
use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

pub use super::embedded::EMBEDDED_FILES;

/// What validating a pattern directory found.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// Pattern files read (the taxonomy file included).
    pub files: usize,
    /// Entries that passed every check.
    pub signatures: usize,
    /// Every problem, in file order.
    pub errors: Vec<PatternError>,
}

fn bare_taxonomy() -> Vec<CategoryInfo> {
    Category::ALL
        .iter()
        .map(|c| CategoryInfo::bare(*c))
        .collect()
}

fn embedded_files() -> Vec<(String, String)> {
    EMBEDDED_FILES
        .iter()
        .map(|(name, text)| ((*name).to_string(), (*text).to_string()))
        .collect()
}

fn embedded_layer(validation: Validation) -> Layer {
    load_layer(&embedded_files(), &bare_taxonomy(), validation)
}

static EMBEDDED: LazyLock<SignatureSet> = LazyLock::new(|| {
    // Errors in the embedded files are caught by `cargo test` (and `culprit patterns check`);
    // at run time the entries that load are used.
    let layer = embedded_layer(Validation::Trusted);
    match layer.set {
        Some(set) => set,
        None => {
            let mut taxonomy = bare_taxonomy();
            apply_patches(&mut taxonomy, &layer.patches);
            SignatureSet::build(layer.signatures, taxonomy)
        }
    }
});

fn taxonomy_of(set: &SignatureSet) -> Vec<CategoryInfo> {
    Category::ALL
        .iter()
        .map(|c| set.category(*c).clone())
        .collect()
}

impl SignatureSet {
    /// The library compiled into the binary (`patterns/*.toml`), built once per process.
    pub fn embedded() -> &'static SignatureSet {
        &EMBEDDED
    }

    /// The embedded library with each directory's `*.toml` files stacked over it, in order: a
    /// user entry with a new id is added, one with an existing id replaces that signature, and a
    /// `categories.toml` adds causal edges (and may retitle categories). Each directory is
    /// validated on its own (as `culprit patterns check DIR` does); any error fails the load,
    /// and all errors of all directories are returned.
    pub fn load<P: AsRef<Path>>(dirs: &[P]) -> Result<SignatureSet, Vec<PatternError>> {
        let base = SignatureSet::embedded();
        if dirs.is_empty() {
            return Ok(base.clone());
        }
        let mut taxonomy = taxonomy_of(base);
        let mut signatures: Vec<Signature> = base.signatures().to_vec();
        let mut position: HashMap<String, usize> = signatures
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        let mut errors = Vec::new();
        for dir in dirs {
            let files = match read_dir_files(dir.as_ref()) {
                Ok(files) => files,
                Err(e) => {
                    errors.extend(e);
                    continue;
                }
            };
            let layer = load_layer(&files, &taxonomy, Validation::Full);
            errors.extend(layer.errors);
            apply_patches(&mut taxonomy, &layer.patches);
            for sig in layer.signatures {
                match position.get(&sig.id) {
                    Some(&i) => {
                        if let Some(slot) = signatures.get_mut(i) {
                            *slot = sig;
                        }
                    }
                    None => {
                        position.insert(sig.id.clone(), signatures.len());
                        signatures.push(sig);
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SignatureSet::build(signatures, taxonomy))
    }

    /// A set made of the given `(file name, TOML text)` files alone (no embedded library), with
    /// the same validation as a pattern directory. A file named `categories.toml` is read as the
    /// taxonomy.
    pub fn from_files(files: &[(&str, &str)]) -> Result<SignatureSet, Vec<PatternError>> {
        let files: Vec<(String, String)> = files
            .iter()
            .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
            .collect();
        let layer = load_layer(
            &files,
            &taxonomy_of(SignatureSet::embedded()),
            Validation::Full,
        );
        if !layer.errors.is_empty() {
            return Err(layer.errors);
        }
        let mut taxonomy = taxonomy_of(SignatureSet::embedded());
        apply_patches(&mut taxonomy, &layer.patches);
        Ok(SignatureSet::build(layer.signatures, taxonomy))
    }
}

/// Validates one pattern directory on its own, over the embedded taxonomy: every file, every
/// entry, every example and counterexample. Reports all problems.
pub fn check_dir(dir: &Path) -> CheckReport {
    let files = match read_dir_files(dir) {
        Ok(files) => files,
        Err(errors) => {
            return CheckReport {
                files: 0,
                signatures: 0,
                errors,
            };
        }
    };
    let layer = load_layer(
        &files,
        &taxonomy_of(SignatureSet::embedded()),
        Validation::Full,
    );
    CheckReport {
        files: layer.files,
        signatures: layer.signatures.len(),
        errors: layer.errors,
    }
}

/// Validates the library compiled into the binary.
pub fn check_embedded() -> CheckReport {
    let layer = embedded_layer(Validation::Full);
    CheckReport {
        files: layer.files,
        signatures: layer.signatures.len(),
        errors: layer.errors,
    }
}
