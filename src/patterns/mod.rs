//! The failure-signature library: known failure messages of application frameworks, connection
//! pools, databases, proxies and the OS, each tied to a category of the taxonomy, a role (cause
//! or symptom) and the causal edges the ranking walks.
//!
//! Signatures are data: one TOML file per software under `patterns/` (compiled into the binary,
//! see [`EMBEDDED_FILES`]), extendable with user directories (`--patterns DIR`) that add
//! signatures or override them by id. `patterns/README.md` documents the schema and the taxonomy.
//!
//! Key types: [`SignatureSet`] (load, match, taxonomy), [`Signature`], [`Match`], [`Category`]
//! (with [`CategoryInfo`]), [`Role`], [`Specificity`], [`Stack`], [`PatternError`].
//!
//! - [`SignatureSet::embedded`] — the built-in library (built once, shared).
//! - [`SignatureSet::load`]`(dirs)` — built-in library plus user directories, or every error.
//! - [`SignatureSet::match_line`]`(line)` — the matching signatures, most specific first, with
//!   their named captures; [`SignatureSet::first_match`], [`SignatureSet::is_match`].
//! - [`SignatureSet::causes`]`(category)` — what a category can cause: the taxonomy's edges
//!   merged with the `causes` of the signatures in that category.
//! - [`check_dir`] / [`check_embedded`] — full validation for `culprit patterns check`.
//!
//! Matching is unanchored and cheap for lines that cannot match: an Aho-Corasick prefilter over
//! every signature's keywords rejects them in one pass (see [`matcher`]). At run time the
//! embedded library is loaded without re-running its examples and its regexes compile on first
//! use (start-up in milliseconds); `cargo test` validates it fully. User directories are always
//! validated fully.
//!
//! ```
//! use culprit::patterns::{Category, SignatureSet};
//!
//! let set = SignatureSet::embedded();
//! let line = "HikariPool-1 - Connection is not available, request timed out after 30000ms.";
//! let m = set.first_match(line).expect("a known signature");
//! assert_eq!(m.signature.id, "hikaricp.connection_timeout");
//! assert_eq!(m.signature.category, Category::DbPoolExhaustion);
//! assert_eq!(m.capture("pool"), Some("HikariPool-1"));
//! assert_eq!(m.capture("timeout_ms"), Some("30000"));
//!
//! // Benign look-alikes match nothing.
//! assert!(set.first_match("HikariPool-1 - Start completed.").is_none());
//!
//! // An exhausted pool makes callers time out: the edge the ranking follows.
//! assert!(set.causes(Category::DbPoolExhaustion).contains(&Category::UpstreamError));
//! assert_eq!("db_pool_exhaustion".parse::<Category>(), Ok(Category::DbPoolExhaustion));
//! ```

#[doc(hidden)]
pub mod bench_corpus;
pub mod category;
mod embedded;
pub mod library;
pub mod load;
pub mod matcher;
pub mod readme;
pub mod signature;

pub use category::{Category, CategoryInfo, Role, Specificity, Stack, UnknownName};
pub use library::{CheckReport, EMBEDDED_FILES, check_dir, check_embedded};
pub use matcher::{Match, Matches, SignatureSet};
pub use signature::{ErrorKind, Origin, PatternError, Signature};

#[doc(hidden)]
pub use bench_corpus::bench_lines;

#[cfg(test)]
mod tests;
