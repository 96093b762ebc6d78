//! Loading and validating pattern files: TOML text → [`Signature`]s and taxonomy patches, with
//! every problem reported as a [`PatternError`] naming the file and the line.
//!
//! Files are walked with `toml`'s span-keeping document parser ([`DeTable`]) rather than serde
//! structs, so that one bad entry neither hides the errors of the others nor loses its line: a
//! field's error points at the field's value, an entry-level error (missing field, duplicate id,
//! failing example) at the entry's `id = "..."` line (or its `[[signature]]` header).
//!
//! A *layer* is one set of files validated on its own: the embedded library, or one `--patterns`
//! directory. Layers then stack: a later layer adds signatures or replaces earlier ones by id.

use super::category::{Category, CategoryInfo, Role, Specificity, Stack, UnknownName};
use super::matcher::SignatureSet;
use super::signature::{ErrorKind, Origin, PatternError, Signature};
use crate::suggest::did_you_mean;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The name of the taxonomy file inside a pattern directory.
pub const CATEGORIES_FILE: &str = "categories.toml";

/// How much checking a load does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Validation {
    /// Everything: regexes compiled, examples and counterexamples run (user files, `check`).
    Full,
    /// Structure only; regexes compile on first use. For the embedded library at run time,
    /// which `cargo test` validates fully.
    Trusted,
}

/// Shortest keyword accepted: shorter ones would make the prefilter pass nearly every line.
const MIN_KEYWORD_LEN: usize = 3;

const TOP_LEVEL_KEYS: &[&str] = &["meta", "signature"];
const META_KEYS: &[&str] = &["software", "stack"];
const ENTRY_KEYS: &[&str] = &[
    "id",
    "title",
    "category",
    "software",
    "role",
    "causes",
    "specificity",
    "keywords",
    "regex",
    "explanation",
    "remediation",
    "references",
    "examples",
    "counterexamples",
];
const CATEGORY_KEYS: &[&str] = &["title", "causes"];

/// What a taxonomy file says about one category; applied over the taxonomy loaded before it.
#[derive(Clone, Debug)]
pub(crate) struct CategoryPatch {
    pub category: Category,
    pub title: Option<String>,
    pub causes: Vec<Category>,
}

/// Applies taxonomy patches: a title replaces, causes are added.
pub(crate) fn apply_patches(base: &mut [CategoryInfo], patches: &[CategoryPatch]) {
    for patch in patches {
        if let Some(info) = base.iter_mut().find(|i| i.category == patch.category) {
            if let Some(title) = &patch.title {
                info.title.clone_from(title);
            }
            for c in &patch.causes {
                if !info.causes.contains(c) {
                    info.causes.push(*c);
                }
            }
            info.causes.sort();
        }
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    memchr::memchr_iter(b'\n', &text.as_bytes()[..end]).count() + 1
}

/// Errors of one file, located in its text.
struct FileCtx<'a> {
    file: &'a str,
    text: &'a str,
    errors: Vec<PatternError>,
}

impl FileCtx<'_> {
    fn push(
        &mut self,
        span: Option<Range<usize>>,
        id: Option<&str>,
        kind: ErrorKind,
        message: String,
    ) {
        self.errors.push(PatternError {
            file: self.file.to_string(),
            line: span.map(|s| line_of(self.text, s.start)),
            id: id.map(str::to_string),
            kind,
            message,
        });
    }

    fn unknown_key(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        id: Option<&str>,
        allowed: &[&'static str],
        place: &str,
    ) {
        let name = key.get_ref().as_ref();
        let hint = match did_you_mean(name, allowed.iter().copied()) {
            Some(s) => format!(" (did you mean {s:?}?)"),
            None => format!(" (known: {})", allowed.join(", ")),
        };
        self.push(
            Some(key.span()),
            id,
            ErrorKind::UnknownField,
            format!("unknown field {name:?} in {place}{hint}"),
        );
    }
}

/// Reads the fields of one table (an entry, `[meta]`, a category), recording errors against it.
struct Fields<'t, 'i, 'c, 'a> {
    ctx: &'c mut FileCtx<'a>,
    table: &'t DeTable<'i>,
    /// Where entry-level errors point: the `id` value, else the table's header.
    anchor: Range<usize>,
    id: Option<String>,
    ok: bool,
}

impl<'t, 'i> Fields<'t, 'i, '_, '_> {
    fn fail(&mut self, span: Option<Range<usize>>, kind: ErrorKind, message: String) {
        self.ok = false;
        let span = span.unwrap_or_else(|| self.anchor.clone());
        let id = self.id.clone();
        self.ctx.push(Some(span), id.as_deref(), kind, message);
    }

    fn value(&self, key: &str) -> Option<&'t Spanned<DeValue<'i>>> {
        self.table.get(key)
    }

    /// A string field; `None` (and an error when `required`) when absent or not a string.
    fn string(&mut self, key: &str, required: bool) -> Option<(String, Range<usize>)> {
        let Some(v) = self.value(key) else {
            if required {
                self.fail(
                    None,
                    ErrorKind::MissingField,
                    format!("missing field `{key}`"),
                );
            }
            return None;
        };
        match v.get_ref().as_str() {
            Some(s) => Some((s.to_string(), v.span())),
            None => {
                let found = v.get_ref().type_str();
                self.fail(
                    Some(v.span()),
                    ErrorKind::WrongType,
                    format!("field `{key}` must be a string, found {found}"),
                );
                None
            }
        }
    }

    /// A required string that must not be blank.
    fn text(&mut self, key: &str) -> String {
        match self.string(key, true) {
            Some((s, span)) if s.trim().is_empty() => {
                self.fail(
                    Some(span),
                    ErrorKind::EmptyText,
                    format!("field `{key}` is empty"),
                );
                s
            }
            Some((s, _)) => s,
            None => String::new(),
        }
    }

    /// An array of strings (a lone string is accepted as a one-element array).
    fn strings(&mut self, key: &str, required: bool) -> Vec<(String, Range<usize>)> {
        let Some(v) = self.value(key) else {
            if required {
                self.fail(
                    None,
                    ErrorKind::MissingField,
                    format!("missing field `{key}`"),
                );
            }
            return Vec::new();
        };
        if let Some(s) = v.get_ref().as_str() {
            return vec![(s.to_string(), v.span())];
        }
        let Some(items) = v.get_ref().as_array() else {
            let found = v.get_ref().type_str();
            self.fail(
                Some(v.span()),
                ErrorKind::WrongType,
                format!("field `{key}` must be an array of strings, found {found}"),
            );
            return Vec::new();
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items.iter() {
            match item.get_ref().as_str() {
                Some(s) => out.push((s.to_string(), item.span())),
                None => {
                    let found = item.get_ref().type_str();
                    self.fail(
                        Some(item.span()),
                        ErrorKind::WrongType,
                        format!("field `{key}` must hold strings only, found {found}"),
                    );
                }
            }
        }
        out
    }

    /// A value of one of the closed vocabularies.
    fn named<T: FromStr<Err = UnknownName>>(
        &mut self,
        key: &str,
        required: bool,
        kind: ErrorKind,
    ) -> Option<T> {
        let (s, span) = self.string(key, required)?;
        self.parse_named(&s, span, key, kind)
    }

    fn parse_named<T: FromStr<Err = UnknownName>>(
        &mut self,
        s: &str,
        span: Range<usize>,
        key: &str,
        kind: ErrorKind,
    ) -> Option<T> {
        match s.parse::<T>() {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(Some(span), kind, format!("field `{key}`: {e}"));
                None
            }
        }
    }

    /// A list of categories.
    fn categories(&mut self, key: &str) -> Vec<Category> {
        let mut out = Vec::new();
        for (s, span) in self.strings(key, false) {
            if let Some(c) = self.parse_named::<Category>(&s, span, key, ErrorKind::UnknownCategory)
            {
                out.push(c);
            }
        }
        out
    }

    fn check_unknown_keys(&mut self, allowed: &[&'static str], place: &str) {
        for (key, _) in self.table.iter() {
            if !allowed.contains(&key.get_ref().as_ref()) {
                self.ok = false;
                let id = self.id.clone();
                self.ctx.unknown_key(key, id.as_deref(), allowed, place);
            }
        }
    }
}

/// `<software>.<what>`: lowercase ASCII letters, digits, `_` and `.`, at least one dot, no empty
/// part.
fn valid_id(id: &str) -> bool {
    id.contains('.')
        && id.split('.').all(|part| !part.is_empty())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
}

struct Meta {
    software: Option<String>,
    stack: Option<Stack>,
    ok: bool,
}

fn parse_meta(ctx: &mut FileCtx<'_>, doc: &DeTable<'_>) -> Meta {
    let Some(meta) = doc.get("meta") else {
        ctx.push(
            Some(0..0),
            None,
            ErrorKind::MissingField,
            "missing [meta] table (with `software` and `stack`)".to_string(),
        );
        return Meta {
            software: None,
            stack: None,
            ok: false,
        };
    };
    let Some(table) = meta.get_ref().as_table() else {
        let found = meta.get_ref().type_str();
        ctx.push(
            Some(meta.span()),
            None,
            ErrorKind::WrongType,
            format!("`meta` must be a table, found {found}"),
        );
        return Meta {
            software: None,
            stack: None,
            ok: false,
        };
    };
    let mut f = Fields {
        ctx,
        table,
        anchor: meta.span(),
        id: None,
        ok: true,
    };
    f.check_unknown_keys(META_KEYS, "[meta]");
    let software = f.string("software", true).map(|(s, _)| s);
    let stack = f.named::<Stack>("stack", true, ErrorKind::UnknownValue);
    Meta {
        software,
        stack,
        ok: f.ok,
    }
}

fn parse_entry(
    ctx: &mut FileCtx<'_>,
    entry: &Spanned<DeValue<'_>>,
    meta: &Meta,
    validation: Validation,
) -> Option<Signature> {
    let Some(table) = entry.get_ref().as_table() else {
        let found = entry.get_ref().type_str();
        ctx.push(
            Some(entry.span()),
            None,
            ErrorKind::WrongType,
            format!("`signature` entries must be tables, found {found}"),
        );
        return None;
    };
    let id_value = table.get("id");
    let anchor = id_value.map_or_else(|| entry.span(), Spanned::span);
    let mut f = Fields {
        ctx,
        table,
        anchor: anchor.clone(),
        id: id_value
            .and_then(|v| v.get_ref().as_str())
            .map(str::to_string),
        ok: true,
    };
    let id = f.string("id", true).map(|(s, span)| {
        if !valid_id(&s) {
            f.fail(
                Some(span),
                ErrorKind::InvalidId,
                format!(
                    "invalid id {s:?}: use <software>.<what_it_detects> in lowercase [a-z0-9_.]"
                ),
            );
        }
        s
    });
    f.check_unknown_keys(ENTRY_KEYS, "[[signature]]");
    let title = f.text("title");
    let category = f.named::<Category>("category", true, ErrorKind::UnknownCategory);
    let role = f.named::<Role>("role", true, ErrorKind::UnknownValue);
    let specificity = f.named::<Specificity>("specificity", true, ErrorKind::UnknownValue);
    let causes = f.categories("causes");
    let software = match f.string("software", false) {
        Some((s, span)) if s.trim().is_empty() => {
            f.fail(
                Some(span),
                ErrorKind::EmptyText,
                "field `software` is empty".to_string(),
            );
            None
        }
        Some((s, _)) => Some(s),
        None => meta.software.clone(),
    };

    let keywords = f.strings("keywords", true);
    if f.value("keywords").is_some() && keywords.is_empty() {
        f.fail(
            None,
            ErrorKind::BadKeyword,
            "`keywords` is empty: give at least one literal substring".to_string(),
        );
    }
    for (kw, span) in &keywords {
        if kw.trim().len() < MIN_KEYWORD_LEN {
            f.fail(
                Some(span.clone()),
                ErrorKind::BadKeyword,
                format!("keyword {kw:?} is too short (at least {MIN_KEYWORD_LEN} characters)"),
            );
        }
    }

    let regex_src = f.strings("regex", true);
    if f.value("regex").is_some() && regex_src.is_empty() {
        f.fail(
            None,
            ErrorKind::BadRegex,
            "`regex` is empty: give at least one regex".to_string(),
        );
    }
    let mut compiled = Vec::with_capacity(regex_src.len());
    let sources_to_compile: &[(String, Range<usize>)] = if validation == Validation::Full {
        &regex_src
    } else {
        &[]
    };
    for (src, span) in sources_to_compile {
        match regex::Regex::new(src) {
            Ok(re) if re.is_match("") => f.fail(
                Some(span.clone()),
                ErrorKind::BadRegex,
                format!("regex {src:?} matches the empty string, so it would match every line"),
            ),
            Ok(re) => compiled.push(re),
            Err(e) => {
                let detail = e.to_string().replace('\n', "\n    ");
                f.fail(
                    Some(span.clone()),
                    ErrorKind::BadRegex,
                    format!("regex does not compile:\n    {detail}"),
                );
            }
        }
    }

    let explanation = f.text("explanation");
    let remediation = f.text("remediation");
    let references: Vec<String> = f
        .strings("references", false)
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    let examples = f.strings("examples", true);
    if f.value("examples").is_some() && examples.is_empty() {
        f.fail(
            None,
            ErrorKind::NoExample,
            "`examples` is empty: give at least one real line".to_string(),
        );
    }
    let counterexamples = f.strings("counterexamples", true);
    if f.value("counterexamples").is_some() && counterexamples.is_empty() {
        f.fail(
            None,
            ErrorKind::NoCounterexample,
            "`counterexamples` is empty: give at least one benign look-alike line".to_string(),
        );
    }
    for (ex, span) in &examples {
        let lower = ex.to_ascii_lowercase();
        if !keywords
            .iter()
            .any(|(kw, _)| lower.contains(&kw.to_ascii_lowercase()))
        {
            f.fail(
                Some(span.clone()),
                ErrorKind::ExampleWithoutKeyword,
                format!(
                    "example {ex:?} contains none of the keywords, so the prefilter would reject it"
                ),
            );
        }
    }
    let ok = f.ok && meta.ok;
    let origin = Origin {
        file: ctx.file.to_string(),
        line: line_of(ctx.text, anchor.start),
    };
    let (Some(id), Some(category), Some(role), Some(specificity), Some(stack)) =
        (id, category, role, specificity, meta.stack)
    else {
        return None;
    };
    let software = software?;
    if !ok {
        return None;
    }
    Some(Signature {
        id,
        title,
        category,
        software,
        stack,
        role,
        causes,
        specificity,
        keywords: keywords.into_iter().map(|(s, _)| s).collect(),
        regex: regex_src.into_iter().map(|(s, _)| s).collect(),
        explanation,
        remediation,
        references,
        examples: examples.into_iter().map(|(s, _)| s).collect(),
        counterexamples: counterexamples.into_iter().map(|(s, _)| s).collect(),
        origin,
        compiled: if validation == Validation::Full {
            std::sync::OnceLock::from(compiled)
        } else {
            std::sync::OnceLock::new()
        },
    })
}

/// Parses the TOML document, reporting every syntax error.
fn parse_document<'i>(ctx: &mut FileCtx<'_>, text: &'i str) -> Option<DeTable<'i>> {
    let (doc, errors) = DeTable::parse_recoverable(text);
    if errors.is_empty() {
        return Some(doc.into_inner());
    }
    for e in errors {
        let message = format!("TOML syntax: {}", e.message().trim_end());
        ctx.push(e.span(), None, ErrorKind::Toml, message);
    }
    None
}

/// Parses one signature file: the entries without error, and every error.
pub(crate) fn parse_signature_file(
    file: &str,
    text: &str,
    validation: Validation,
) -> (Vec<Signature>, Vec<PatternError>) {
    let mut ctx = FileCtx {
        file,
        text,
        errors: Vec::new(),
    };
    let Some(doc) = parse_document(&mut ctx, text) else {
        return (Vec::new(), ctx.errors);
    };
    for (key, _) in doc.iter() {
        if !TOP_LEVEL_KEYS.contains(&key.get_ref().as_ref()) {
            ctx.unknown_key(
                key,
                None,
                TOP_LEVEL_KEYS,
                "the file (a signature file has [meta] and [[signature]])",
            );
        }
    }
    let meta = parse_meta(&mut ctx, &doc);
    let mut signatures = Vec::new();
    match doc.get("signature") {
        None => ctx.push(
            Some(0..0),
            None,
            ErrorKind::MissingField,
            "no [[signature]] entry".to_string(),
        ),
        Some(v) => match v.get_ref().as_array() {
            None => {
                let found = v.get_ref().type_str();
                ctx.push(
                    Some(v.span()),
                    None,
                    ErrorKind::WrongType,
                    format!(
                        "`signature` must be an array of tables ([[signature]]), found {found}"
                    ),
                );
            }
            Some(entries) => {
                for entry in entries.iter() {
                    if let Some(sig) = parse_entry(&mut ctx, entry, &meta, validation) {
                        signatures.push(sig);
                    }
                }
            }
        },
    }
    (signatures, ctx.errors)
}

/// Parses a taxonomy file (`[category.<name>]` tables with `title` and `causes`).
pub(crate) fn parse_categories_file(
    file: &str,
    text: &str,
) -> (Vec<CategoryPatch>, Vec<PatternError>) {
    let mut ctx = FileCtx {
        file,
        text,
        errors: Vec::new(),
    };
    let Some(doc) = parse_document(&mut ctx, text) else {
        return (Vec::new(), ctx.errors);
    };
    let mut patches = Vec::new();
    for (key, value) in doc.iter() {
        if key.get_ref().as_ref() != "category" {
            ctx.unknown_key(
                key,
                None,
                &["category"],
                "the taxonomy file (it holds [category.<name>] tables)",
            );
            continue;
        }
        let Some(table) = value.get_ref().as_table() else {
            ctx.push(
                Some(value.span()),
                None,
                ErrorKind::WrongType,
                "`category` must be a table".to_string(),
            );
            continue;
        };
        for (name, body) in table.iter() {
            let category = match name.get_ref().parse::<Category>() {
                Ok(c) => c,
                Err(e) => {
                    ctx.push(
                        Some(name.span()),
                        None,
                        ErrorKind::UnknownCategory,
                        e.to_string(),
                    );
                    continue;
                }
            };
            let Some(body_table) = body.get_ref().as_table() else {
                ctx.push(
                    Some(body.span()),
                    None,
                    ErrorKind::WrongType,
                    format!("`category.{category}` must be a table"),
                );
                continue;
            };
            let mut f = Fields {
                ctx: &mut ctx,
                table: body_table,
                anchor: name.span(),
                id: None,
                ok: true,
            };
            f.check_unknown_keys(CATEGORY_KEYS, "a [category.<name>] table");
            let title = f.string("title", false).map(|(s, _)| s);
            let causes = f.categories("causes");
            if f.ok {
                patches.push(CategoryPatch {
                    category,
                    title,
                    causes,
                });
            }
        }
    }
    (patches, ctx.errors)
}

/// One set of files validated together.
pub(crate) struct Layer {
    pub signatures: Vec<Signature>,
    /// The set built for validation, when no entry was left out (saves building it twice).
    pub set: Option<SignatureSet>,
    pub patches: Vec<CategoryPatch>,
    pub errors: Vec<PatternError>,
    pub files: usize,
}

/// Parses and validates a set of `(name, text)` files as one layer, over the taxonomy `base`.
///
/// Beyond each entry's own checks: ids are unique in the layer, each example is matched by its own
/// signature through the full matcher (prefilter included), and no counterexample is matched by
/// a signature of the same category. Entries with any error are left out.
pub(crate) fn load_layer(
    files: &[(String, String)],
    base: &[CategoryInfo],
    validation: Validation,
) -> Layer {
    let mut signatures: Vec<Signature> = Vec::new();
    let mut patches = Vec::new();
    let mut errors = Vec::new();
    for (name, text) in files {
        let is_taxonomy = Path::new(name)
            .file_name()
            .is_some_and(|f| f == CATEGORIES_FILE);
        if is_taxonomy {
            let (p, e) = parse_categories_file(name, text);
            patches.extend(p);
            errors.extend(e);
        } else {
            let (s, e) = parse_signature_file(name, text, validation);
            signatures.extend(s);
            errors.extend(e);
        }
    }

    let mut seen: HashMap<String, Origin> = HashMap::new();
    let mut bad: HashSet<usize> = HashSet::new();
    for (i, sig) in signatures.iter().enumerate() {
        if let Some(first) = seen.get(&sig.id) {
            errors.push(PatternError {
                file: sig.origin.file.clone(),
                line: Some(sig.origin.line),
                id: Some(sig.id.clone()),
                kind: ErrorKind::DuplicateId,
                message: format!("duplicate id (first defined at {first})"),
            });
            bad.insert(i);
        } else {
            seen.insert(sig.id.clone(), sig.origin.clone());
        }
    }
    let signatures: Vec<Signature> = signatures
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !bad.contains(i))
        .map(|(_, s)| s)
        .collect();

    let mut taxonomy = base.to_vec();
    apply_patches(&mut taxonomy, &patches);
    let set = SignatureSet::build(signatures, taxonomy);

    let mut bad: HashSet<usize> = HashSet::new();
    let to_check = if validation == Validation::Full {
        set.signatures()
    } else {
        &[]
    };
    for (i, sig) in to_check.iter().enumerate() {
        let mut fail = |kind: ErrorKind, message: String| {
            bad.insert(i);
            errors.push(PatternError {
                file: sig.origin.file.clone(),
                line: Some(sig.origin.line),
                id: Some(sig.id.clone()),
                kind,
                message,
            });
        };
        for ex in &sig.examples {
            if !set.match_line(ex).any(|m| m.index == i) {
                // Keyword-less examples were reported while parsing; this is a regex miss.
                fail(
                    ErrorKind::ExampleNotMatched,
                    format!("example not matched by this signature: {ex:?}"),
                );
            }
        }
        for ce in &sig.counterexamples {
            for m in set.match_line(ce) {
                if m.signature.category == sig.category {
                    let who = if m.index == i {
                        "this signature".to_string()
                    } else {
                        format!("{} ({})", m.signature.id, m.signature.origin)
                    };
                    fail(
                        ErrorKind::CounterexampleMatched,
                        format!(
                            "counterexample {ce:?} is matched by {who}, of the same category {}",
                            sig.category
                        ),
                    );
                }
            }
        }
    }
    let signatures = set
        .signatures()
        .iter()
        .enumerate()
        .filter(|(i, _)| !bad.contains(i))
        .map(|(_, s)| s.clone())
        .collect();
    Layer {
        signatures,
        set: bad.is_empty().then_some(set),
        patches,
        errors,
        files: files.len(),
    }
}

/// Reads every `*.toml` file of a directory (not recursive), in name order, as `(path, text)`.
pub(crate) fn read_dir_files(dir: &Path) -> Result<Vec<(String, String)>, Vec<PatternError>> {
    let shown = dir.display().to_string();
    let io_error = |file: String, message: String| PatternError {
        file,
        line: None,
        id: None,
        kind: ErrorKind::Io,
        message,
    };
    let entries = std::fs::read_dir(dir).map_err(|e| {
        vec![io_error(
            shown.clone(),
            format!("cannot read pattern directory: {e}"),
        )]
    })?;
    let mut paths = Vec::new();
    let mut errors = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
                    paths.push(path);
                }
            }
            Err(e) => errors.push(io_error(
                shown.clone(),
                format!("cannot list pattern directory: {e}"),
            )),
        }
    }
    paths.sort();
    if paths.is_empty() && errors.is_empty() {
        errors.push(PatternError {
            file: shown,
            line: None,
            id: None,
            kind: ErrorKind::NoFiles,
            message: "no .toml pattern file in this directory".to_string(),
        });
    }
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let name = path.display().to_string();
        match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => files.push((name, text)),
                Err(e) => errors.push(io_error(name, format!("not UTF-8 text: {e}"))),
            },
            Err(e) => errors.push(io_error(name, format!("cannot read: {e}"))),
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}
