//! File identities: how a nightly scan recognises a log file it has already counted, whatever
//! it is called tonight.
//!
//! logrotate renames `app.log` to `app.log.1`, then compresses it to `app.log.2.gz`; a
//! directory scanned every night therefore holds the same lines under several names. A file is
//! identified by the FNV-1a 64 hash of its first [`HEAD_BYTES`] bytes of *decompressed*
//! content, together with how many bytes were hashed (`HASH:LEN`): renaming and compressing do
//! not change it. The state remembers, per identity, the latest event time counted from it
//! ([`super::state::FileRecord::counted_until`]); later nights count only events after that
//! time from a file with the same identity. So a file that keeps growing (`worker.log` appended
//! night after night) contributes only its new lines, and a rotated file contributes nothing.
//!
//! A file shorter than [`HEAD_BYTES`] changes identity as it grows; [`find`] therefore also
//! matches a stored identity whose `LEN` is shorter than the file's head when the head's first
//! `LEN` bytes hash the same (at least [`MIN_PREFIX_MATCH`] bytes, so that two tiny files that
//! merely start alike are not confused).
//!
//! Limits: two different files whose first 4 KiB are identical (a banner longer than 4 KiB
//! written at each start) share an identity, and the second one's events at or before the first
//! one's last counted time are not counted. Standard input has no identity and is always
//! counted.

use super::state::FileRecord;
use crate::ingest::input::Source;
use std::collections::BTreeMap;
use std::io::Read;

/// Bytes of decompressed content hashed.
pub const HEAD_BYTES: usize = 4096;
/// A shorter stored identity matches a longer file's prefix only from this many bytes.
pub const MIN_PREFIX_MATCH: usize = 256;

/// FNV-1a 64.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The identity key of a head: `HASH:LEN`.
pub fn key(head: &[u8]) -> String {
    format!("{:016x}:{}", fnv1a(head), head.len())
}

fn parse_key(k: &str) -> Option<(u64, usize)> {
    let (h, n) = k.split_once(':')?;
    Some((u64::from_str_radix(h, 16).ok()?, n.parse().ok()?))
}

/// Reads the first [`HEAD_BYTES`] decompressed bytes of a file; `None` for stdin or on error
/// (the ingest pass reports the error).
pub fn read_head(source: &Source) -> Option<Vec<u8>> {
    if matches!(source, Source::Stdin) {
        return None;
    }
    let reader = crate::ingest::reader::open(source).ok()?;
    let mut head = Vec::with_capacity(HEAD_BYTES);
    reader.take(HEAD_BYTES as u64).read_to_end(&mut head).ok()?;
    Some(head)
}

/// The stored identity this head belongs to: the exact key, else the longest stored shorter
/// prefix that matches.
pub fn find(files: &BTreeMap<String, FileRecord>, head: &[u8]) -> Option<String> {
    if head.is_empty() {
        return None;
    }
    let exact = key(head);
    if files.contains_key(&exact) {
        return Some(exact);
    }
    let mut best: Option<(usize, &String)> = None;
    for k in files.keys() {
        let Some((hash, len)) = parse_key(k) else {
            continue;
        };
        if len < MIN_PREFIX_MATCH || len >= head.len() || best.is_some_and(|(b, _)| b >= len) {
            continue;
        }
        if head.get(..len).is_some_and(|p| fnv1a(p) == hash) {
            best = Some((len, k));
        }
    }
    best.map(|(_, k)| k.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Timestamp;
    use std::io::Write;

    fn rec() -> FileRecord {
        FileRecord {
            path: "app.log".into(),
            counted_until: Timestamp(0),
        }
    }

    #[test]
    fn head_valid_same_for_gzip_copy() {
        let dir = tempfile::tempdir().unwrap();
        let text: String = (0..400)
            .map(|i| {
                format!(
                    "2024-03-12 01:00:{:02}.000  INFO 4312 --- [main] c.e.App : line {i}\n",
                    i % 60
                )
            })
            .collect();
        let plain = dir.path().join("app.log.1");
        std::fs::write(&plain, &text).unwrap();
        let gz = dir.path().join("app.log.2.gz");
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).unwrap(),
            flate2::Compression::default(),
        );
        enc.write_all(text.as_bytes()).unwrap();
        enc.finish().unwrap();
        let a = read_head(&Source::File(plain)).unwrap();
        let b = read_head(&Source::File(gz)).unwrap();
        assert_eq!(a.len(), HEAD_BYTES);
        assert_eq!(key(&a), key(&b));
    }

    #[test]
    fn find_valid_grown_small_file_matches_prefix() {
        let short = vec![b'a'; 300];
        let mut files = BTreeMap::new();
        files.insert(key(&short), rec());
        let mut grown = short.clone();
        grown.extend_from_slice(b"more lines\n");
        assert_eq!(find(&files, &grown), Some(key(&short)));
        assert_eq!(find(&files, &short), Some(key(&short)));
    }

    #[test]
    fn find_invalid_tiny_prefix_or_other_content() {
        let tiny = b"2024-03-12 x\n".to_vec();
        let mut files = BTreeMap::new();
        files.insert(key(&tiny), rec());
        let mut longer = tiny.clone();
        longer.extend_from_slice(&[b'b'; 500]);
        assert_eq!(find(&files, &longer), None);
        assert_eq!(find(&files, &[b'c'; 500]), None);
        assert_eq!(find(&files, b""), None);
    }
}
