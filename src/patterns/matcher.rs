//! Matching lines against the library: [`SignatureSet`] holds the signatures, the taxonomy and a
//! keyword prefilter; [`SignatureSet::match_line`] yields [`Match`]es.
//!
//! Most log lines match nothing, so the cost that matters is rejecting them. Every keyword of
//! every signature goes into one Aho-Corasick automaton (ASCII case-insensitive, DFA): a line in
//! which none occurs is rejected after a single pass, with no allocation and no regex run. Only
//! the signatures owning a keyword that occurs in the line ("candidates") have their regexes
//! tried, most specific first.

use super::category::{Category, CategoryInfo};
use super::signature::Signature;
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use std::cmp::Reverse;
use std::collections::HashMap;

/// A set of signatures ready for matching, with the taxonomy they were loaded with.
#[derive(Clone, Debug)]
pub struct SignatureSet {
    signatures: Vec<Signature>,
    by_id: HashMap<String, usize>,
    /// Indexed by [`Category::index`].
    categories: [CategoryInfo; Category::COUNT],
    /// Indexed by [`Category::index`]: category-level edges merged with the `causes` of every
    /// signature of that category, in taxonomy order.
    causes: [Vec<Category>; Category::COUNT],
    /// `None` only if the automaton could not be built (far beyond any real library): then
    /// every signature is a candidate for every line, which is slow but still correct.
    prefilter: Option<AhoCorasick>,
    /// For each prefilter pattern (a distinct lowercased keyword), the signatures that own it.
    keyword_owners: Vec<Vec<u32>>,
}

/// One signature that matched one line.
#[derive(Clone, Debug)]
pub struct Match<'s, 'l> {
    /// Position of the signature in [`SignatureSet::signatures`].
    pub index: usize,
    pub signature: &'s Signature,
    /// Named captures that took part in the match, in the regex's order: `("pool", "HikariPool-1")`.
    pub captures: Vec<(&'s str, &'l str)>,
    /// Byte range of the whole regex match in the line.
    pub span: std::ops::Range<usize>,
}

impl<'s, 'l> Match<'s, 'l> {
    /// The value of a named capture, if it took part in the match.
    pub fn capture(&self, name: &str) -> Option<&'l str> {
        self.captures
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }
}

/// The matches of one line, most specific signature first (ties in library order). Regexes run
/// lazily, as the iterator is advanced.
#[derive(Debug)]
pub struct Matches<'s, 'l> {
    set: &'s SignatureSet,
    line: &'l str,
    candidates: std::vec::IntoIter<u32>,
}

impl<'s, 'l> Iterator for Matches<'s, 'l> {
    type Item = Match<'s, 'l>;

    fn next(&mut self) -> Option<Match<'s, 'l>> {
        for index in self.candidates.by_ref() {
            let index = index as usize;
            let Some(signature) = self.set.signatures.get(index) else {
                continue;
            };
            for re in signature.regexes() {
                let Some(caps) = re.captures(self.line) else {
                    continue;
                };
                let captures = re
                    .capture_names()
                    .enumerate()
                    .filter_map(|(i, name)| Some((name?, caps.get(i)?.as_str())))
                    .collect();
                let span = caps.get(0).map_or(0..0, |m| m.range());
                return Some(Match {
                    index,
                    signature,
                    captures,
                    span,
                });
            }
        }
        None
    }
}

impl SignatureSet {
    /// Builds the matcher. `categories` may be partial or unordered: missing categories get
    /// [`CategoryInfo::bare`].
    pub(crate) fn build(signatures: Vec<Signature>, categories: Vec<CategoryInfo>) -> SignatureSet {
        let mut infos: [CategoryInfo; Category::COUNT] =
            std::array::from_fn(|i| CategoryInfo::bare(Category::ALL[i]));
        for info in categories {
            let index = info.category.index();
            infos[index] = info;
        }
        let mut causes: [Vec<Category>; Category::COUNT] =
            std::array::from_fn(|i| infos[i].causes.clone());
        for sig in &signatures {
            causes[sig.category.index()].extend(sig.causes.iter().copied());
        }
        for edges in &mut causes {
            edges.sort();
            edges.dedup();
        }

        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_ids: HashMap<String, usize> = HashMap::new();
        let mut keyword_owners: Vec<Vec<u32>> = Vec::new();
        let mut by_id = HashMap::new();
        for (index, sig) in signatures.iter().enumerate() {
            by_id.insert(sig.id.clone(), index);
            let owner = u32::try_from(index).unwrap_or(u32::MAX);
            for kw in &sig.keywords {
                let key = kw.to_ascii_lowercase();
                let pid = *pattern_ids.entry(key.clone()).or_insert_with(|| {
                    patterns.push(key);
                    keyword_owners.push(Vec::new());
                    keyword_owners.len() - 1
                });
                if let Some(owners) = keyword_owners.get_mut(pid) {
                    if owners.last() != Some(&owner) {
                        owners.push(owner);
                    }
                }
            }
        }
        // A DFA costs some memory (a few MB for a thousand keywords) but scans at memory speed,
        // which is what rejecting millions of benign lines needs.
        let prefilter = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .or_else(|_| {
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .build(&patterns)
            })
            .ok();
        SignatureSet {
            signatures,
            by_id,
            categories: infos,
            causes,
            prefilter,
            keyword_owners,
        }
    }

    /// Every signature, in library order (files in name order, entries in file order; a user
    /// entry that overrides an embedded one takes its place).
    pub fn signatures(&self) -> &[Signature] {
        &self.signatures
    }

    /// Number of signatures.
    pub fn len(&self) -> usize {
        self.signatures.len()
    }

    /// Whether the set has no signature.
    pub fn is_empty(&self) -> bool {
        self.signatures.is_empty()
    }

    /// The signature with this id.
    pub fn get(&self, id: &str) -> Option<&Signature> {
        self.by_id.get(id).and_then(|&i| self.signatures.get(i))
    }

    /// What the taxonomy says about `category`.
    pub fn category(&self, category: Category) -> &CategoryInfo {
        &self.categories[category.index()]
    }

    /// The categories `category` can cause: its category-level edges merged with the `causes` of
    /// every signature in it, in taxonomy order.
    pub fn causes(&self, category: Category) -> &[Category] {
        &self.causes[category.index()]
    }

    /// The signatures whose keywords occur in `line`, most specific first, ties in library order.
    fn candidates(&self, line: &str) -> Vec<u32> {
        let Some(ac) = &self.prefilter else {
            let all = u32::try_from(self.signatures.len()).unwrap_or(u32::MAX);
            return (0..all).collect();
        };
        // The non-overlapping `find` uses the automaton's own prefilter and stops at the first
        // keyword, so a line without any costs one fast pass and no allocation.
        if ac.find(line).is_none() {
            return Vec::new();
        }
        let mut found = Vec::new();
        if let Ok(iter) = ac.try_find_overlapping_iter(line) {
            for m in iter {
                if let Some(owners) = self.keyword_owners.get(m.pattern().as_usize()) {
                    found.extend_from_slice(owners);
                }
            }
        }
        found.sort_unstable_by_key(|&i| {
            let specificity = self.signatures.get(i as usize).map(|s| s.specificity);
            (Reverse(specificity), i)
        });
        found.dedup();
        found
    }

    /// The signatures matching `line`, most specific first (ties in library order). Matching is
    /// unanchored: the signature's text may sit anywhere in the line.
    pub fn match_line<'s, 'l>(&'s self, line: &'l str) -> Matches<'s, 'l> {
        Matches {
            set: self,
            line,
            candidates: self.candidates(line).into_iter(),
        }
    }

    /// The most specific signature matching `line`, if any.
    pub fn first_match<'s, 'l>(&'s self, line: &'l str) -> Option<Match<'s, 'l>> {
        self.match_line(line).next()
    }

    /// Whether any signature matches `line` (no captures are extracted).
    pub fn is_match(&self, line: &str) -> bool {
        self.candidates(line).into_iter().any(|i| {
            self.signatures
                .get(i as usize)
                .is_some_and(|s| s.regexes().iter().any(|re| re.is_match(line)))
        })
    }
}

/// Templates name the signature that matches their first sample line (the template text has
/// `<*>` where values stood, which signatures' regexes would not match).
impl crate::templates::SignatureLookup for SignatureSet {
    fn signature_for(&self, template: &crate::templates::Template) -> Option<String> {
        template
            .samples
            .iter()
            .find_map(|s| self.first_match(&s.text))
            .map(|m| m.signature.id.clone())
    }
}
