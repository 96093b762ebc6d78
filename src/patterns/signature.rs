//! One failure signature as loaded from a TOML entry ([`Signature`]), where it came from
//! ([`Origin`]), and the errors a pattern file can have ([`PatternError`], [`ErrorKind`]).

use super::category::{Category, Role, Specificity, Stack};
use regex::Regex;
use std::fmt;

/// Where an entry was defined: the file as named to the user and the line of its `id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A recognisable failure message of one piece of software.
#[derive(Clone, Debug)]
pub struct Signature {
    /// Public, stable id: `<software>.<what_it_detects>`, lowercase `[a-z0-9_.]`.
    pub id: String,
    pub title: String,
    pub category: Category,
    pub software: String,
    pub stack: Stack,
    pub role: Role,
    /// Categories this signature can cause, on top of its category's edges.
    pub causes: Vec<Category>,
    pub specificity: Specificity,
    /// Literal substrings (ASCII case-insensitive) of which a line must contain one.
    pub keywords: Vec<String>,
    /// The regexes' sources, in file order; a line matches when any of them matches.
    pub regex: Vec<String>,
    pub explanation: String,
    pub remediation: String,
    pub references: Vec<String>,
    pub examples: Vec<String>,
    pub counterexamples: Vec<String>,
    pub origin: Origin,
    /// `regex` compiled, same order: filled when loaded with full validation, else on first use
    /// (the embedded library is validated by `cargo test`, so start-up skips compiling ~200
    /// regexes most runs never need).
    pub(crate) compiled: std::sync::OnceLock<Vec<Regex>>,
}

impl Signature {
    /// The compiled regexes, in the order of [`Signature::regex`] (compiled on first use when
    /// the signature was loaded without validation; a source that does not compile is skipped).
    pub fn regexes(&self) -> &[Regex] {
        self.compiled.get_or_init(|| {
            self.regex
                .iter()
                .filter_map(|src| Regex::new(src).ok())
                .collect()
        })
    }
}
/// What is wrong with a pattern file or entry (for tests and tools; the message says it to people).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A file or directory could not be read.
    Io,
    /// A directory holds no `.toml` file.
    NoFiles,
    /// TOML syntax.
    Toml,
    /// A required field is absent.
    MissingField,
    /// A field has the wrong TOML type.
    WrongType,
    /// A field or table this schema does not know (often a typo).
    UnknownField,
    /// An id that is not `<software>.<what>` in lowercase `[a-z0-9_.]`.
    InvalidId,
    /// The same id twice in one library or directory.
    DuplicateId,
    /// A category name that is not in the taxonomy.
    UnknownCategory,
    /// A role, specificity or stack that is not one of the allowed values.
    UnknownValue,
    /// A regex that does not compile, or that matches the empty string.
    BadRegex,
    /// A keyword that is empty or too short to filter anything.
    BadKeyword,
    /// A text field (title, explanation, remediation, …) that is empty.
    EmptyText,
    /// No `examples`.
    NoExample,
    /// No `counterexamples`.
    NoCounterexample,
    /// An example that contains none of the entry's keywords.
    ExampleWithoutKeyword,
    /// An example that the entry does not match.
    ExampleNotMatched,
    /// A counterexample that a signature of the entry's category matches.
    CounterexampleMatched,
}

/// One problem in a pattern file, located by file and line when the line is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError {
    pub file: String,
    pub line: Option<usize>,
    /// The entry's id, when the problem is inside an entry that has one.
    pub id: Option<String>,
    pub kind: ErrorKind,
    pub message: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if let Some(id) = &self.id {
            write!(f, "{id}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for PatternError {}
