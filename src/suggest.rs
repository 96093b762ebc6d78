//! "Did you mean" suggestions for unknown names (formats, categories, options' values).

/// Levenshtein distance between two short strings.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j + 1] + 1).min(cur[j] + 1).min(prev[j] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest candidate within a small edit distance (or containing the input), if any.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = input.to_ascii_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        let d = if c.contains(lower.as_str()) && lower.len() >= 3 {
            1
        } else {
            distance(&lower, c)
        };
        let limit = (c.len().max(lower.len()) / 3).max(2);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_valid_typo_and_substring() {
        let names = ["nginx_access", "nginx_error", "postgres_stderr"];
        assert_eq!(did_you_mean("ngnix_access", names), Some("nginx_access"));
        assert_eq!(did_you_mean("postgres", names), Some("postgres_stderr"));
        assert_eq!(did_you_mean("zzzzzzzz", names), None);
    }
}
