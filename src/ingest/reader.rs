//! Byte sources and chunking: opens an input (plain, gzip or zstd, detected by magic bytes,
//! or stdin) and cuts its stream into [`Chunk`]s of whole lines, so that chunks can be parsed in
//! parallel while the file is read once, front to back, with bounded memory.
//!
//! A line longer than the cap (`--max-line-bytes`) is cut at the cap (on a UTF-8 boundary) and
//! the rest of it is skipped without being buffered; the chunk counts it as cut. Line terminators
//! are `\n` and `\r\n`; a lone `\r` inside a line is kept.

use std::fs::File;
use std::io::{self, BufReader, Read};

use super::input::Source;

/// The smallest line cap the reader applies, whatever `--max-line-bytes` says.
pub const MIN_LINE_CAP: usize = 16;

/// Gzip and zstd magic numbers.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Opens a source, transparently decompressing gzip (including concatenated members, as
/// logrotate and `cat a.gz b.gz` produce) and zstd.
pub fn open(source: &Source) -> io::Result<Box<dyn Read + Send>> {
    let mut raw: Box<dyn Read + Send> = match source {
        Source::File(path) => Box::new(File::open(path)?),
        Source::Stdin => Box::new(io::stdin()),
    };
    let mut head = [0u8; 4];
    let mut got = 0;
    while got < head.len() {
        let n = match raw.read(&mut head[got..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            break;
        }
        got += n;
    }
    let rejoined: Box<dyn Read + Send> = Box::new(io::Cursor::new(head[..got].to_vec()).chain(raw));
    if got >= 2 && head[..2] == GZIP_MAGIC {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(
            BufReader::with_capacity(256 * 1024, rejoined),
        )))
    } else if got >= 4 && head == ZSTD_MAGIC {
        Ok(Box::new(zstd::stream::read::Decoder::new(rejoined)?))
    } else {
        Ok(rejoined)
    }
}

/// A run of whole lines, `\n`-separated (the last line may lack its `\n` at end of input).
#[derive(Debug, Default)]
pub struct Chunk {
    /// Position of this chunk in its input (0-based).
    pub index: usize,
    pub data: Vec<u8>,
    /// Lines cut by the reader because they were longer than the cap. Their first `cap` bytes
    /// are in `data`.
    pub cut: u64,
}

/// Cuts a byte stream into chunks of about `target` bytes of whole lines.
pub struct ChunkReader<R: Read> {
    inner: R,
    target: usize,
    cap: usize,
    /// Bytes read but not yet emitted (a partial last line).
    carry: Vec<u8>,
    /// Inside an over-long line whose head was already emitted: skip to the next `\n`.
    skipping: bool,
    next_index: usize,
    eof: bool,
    /// An error met after some bytes were read: reported after those bytes are emitted.
    pending_error: Option<io::Error>,
}

impl<R: Read> ChunkReader<R> {
    pub fn new(inner: R, target: usize, cap: usize) -> Self {
        ChunkReader {
            inner,
            target: target.max(4096),
            cap: cap.max(MIN_LINE_CAP),
            carry: Vec::new(),
            skipping: false,
            next_index: 0,
            eof: false,
            pending_error: None,
        }
    }

    /// Reads into `buf` until it holds `want` bytes or the input ends.
    fn fill(&mut self, buf: &mut Vec<u8>, want: usize) -> io::Result<()> {
        let mut tmp = vec![0u8; 64 * 1024];
        while buf.len() < want && !self.eof {
            let n = match self.inner.read(&mut tmp) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                self.eof = true;
                break;
            }
            let mut data = &tmp[..n];
            if self.skipping {
                match memchr::memchr(b'\n', data) {
                    Some(pos) => {
                        self.skipping = false;
                        data = &data[pos + 1..];
                    }
                    None => continue,
                }
            }
            buf.extend_from_slice(data);
        }
        Ok(())
    }

    /// The next chunk, or `None` at the end. An I/O error (a truncated gzip member, a read
    /// error) is returned once; lines before it have already been returned in earlier chunks.
    pub fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        let mut buf = std::mem::take(&mut self.carry);
        let mut cut = 0u64;
        loop {
            let want = self.target.max(buf.len() + 1);
            if let Err(e) = self.fill(&mut buf, want) {
                // Keep what was read for the caller's accounting: emit it as a final chunk
                // first, then the error on the next call.
                if !buf.is_empty() {
                    self.carry.clear();
                    self.eof = true;
                    let index = self.next_index;
                    self.next_index += 1;
                    self.pending_error = Some(e);
                    return Ok(Some(Chunk {
                        index,
                        data: buf,
                        cut,
                    }));
                }
                return Err(e);
            }
            if buf.is_empty() {
                return match self.pending_error.take() {
                    Some(e) => Err(e),
                    None => Ok(None),
                };
            }
            match memchr::memrchr(b'\n', &buf) {
                Some(pos) => {
                    let tail = buf.split_off(pos + 1);
                    // The partial last line may itself already be over the cap.
                    self.carry = tail;
                    if over_cap(&self.carry, self.cap) {
                        cut += self.cut_carry_into(&mut buf);
                    }
                    let index = self.next_index;
                    self.next_index += 1;
                    return Ok(Some(Chunk {
                        index,
                        data: buf,
                        cut,
                    }));
                }
                None if self.eof => {
                    // Last line without a terminator.
                    if over_cap(&buf, self.cap) {
                        let keep = utf8_floor(&buf, self.cap);
                        buf.truncate(keep);
                        cut += 1;
                    }
                    let index = self.next_index;
                    self.next_index += 1;
                    return Ok(Some(Chunk {
                        index,
                        data: buf,
                        cut,
                    }));
                }
                None if over_cap(&buf, self.cap) => {
                    // One line longer than the cap: keep its head, skip the rest.
                    let keep = utf8_floor(&buf, self.cap);
                    buf.truncate(keep);
                    buf.push(b'\n');
                    cut += 1;
                    self.skipping = true;
                    let index = self.next_index;
                    self.next_index += 1;
                    return Ok(Some(Chunk {
                        index,
                        data: buf,
                        cut,
                    }));
                }
                None => continue,
            }
        }
    }

    /// Moves the head of an over-long carried line into `buf` as a cut line. Returns 1.
    fn cut_carry_into(&mut self, buf: &mut Vec<u8>) -> u64 {
        let keep = utf8_floor(&self.carry, self.cap);
        buf.extend_from_slice(&self.carry[..keep]);
        buf.push(b'\n');
        self.carry.clear();
        self.skipping = true;
        1
    }
}

/// Whether a partial line (no `\n` seen yet) is already longer than the cap. A trailing `\r`
/// may be the first half of a `\r\n` split by a read; it is not part of the line, so a line of
/// exactly `cap` bytes is not cut whichever way the reads fall.
fn over_cap(partial: &[u8], cap: usize) -> bool {
    partial.strip_suffix(b"\r").unwrap_or(partial).len() > cap
}

/// The largest index ≤ `max` that does not split a UTF-8 sequence.
pub fn utf8_floor(bytes: &[u8], max: usize) -> usize {
    if max >= bytes.len() {
        return bytes.len();
    }
    let mut i = max;
    while i > 0 && i > max.saturating_sub(3) && (bytes[i] & 0xC0) == 0x80 {
        i -= 1;
    }
    i
}

/// Splits chunk data into lines without terminators (`\n` or `\r\n`).
pub fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = data;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (line, next) = match memchr::memchr(b'\n', rest) {
            Some(pos) => (&rest[..pos], &rest[pos + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_chunks(data: &[u8], target: usize, cap: usize) -> (Vec<Vec<u8>>, u64) {
        let mut r = ChunkReader::new(data, target, cap);
        let mut out = Vec::new();
        let mut cut = 0;
        while let Some(c) = r.next_chunk().unwrap() {
            cut += c.cut;
            for l in lines(&c.data) {
                out.push(l.to_vec());
            }
        }
        (out, cut)
    }

    #[test]
    fn chunks_valid_every_line_once_across_boundaries() {
        let mut data = Vec::new();
        for i in 0..10_000 {
            data.extend_from_slice(format!("line {i}\r\n").as_bytes());
        }
        let (lines, cut) = all_chunks(&data, 4096, 1 << 20);
        assert_eq!(lines.len(), 10_000);
        assert_eq!(cut, 0);
        assert_eq!(lines[9_999], b"line 9999");
    }

    #[test]
    fn chunks_valid_last_line_without_newline() {
        let (lines, _) = all_chunks(b"a\nb", 4096, 1024);
        assert_eq!(lines, vec![b"a".to_vec(), b"b".to_vec()]);
    }

    #[test]
    fn chunks_long_line_is_cut_and_counted() {
        let mut data = b"before\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 100_000));
        data.extend_from_slice(b"\nafter\n");
        let (lines, cut) = all_chunks(&data, 4096, 1000);
        assert_eq!(cut, 1);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1].len(), 1000);
        assert_eq!(lines[2], b"after");
    }

    /// Gives its data in reads of at most `piece` bytes (as a pipe or a decompressor does),
    /// then ends, or fails if `fail` is set.
    struct Pieces {
        data: Vec<u8>,
        pos: usize,
        piece: usize,
        fail: bool,
    }

    impl Read for Pieces {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.pos == self.data.len() {
                if self.fail {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "unexpected end of file",
                    ));
                }
                return Ok(0);
            }
            let n = self.piece.min(buf.len()).min(self.data.len() - self.pos);
            buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }

    #[test]
    fn chunks_valid_crlf_split_by_a_read_at_cap_is_not_cut() {
        // A line of exactly the cap, whose `\r\n` a read splits: the first read ends at `\r`.
        let mut data = vec![b'x'; 5000];
        data.extend_from_slice(b"\r\nnext\r\n");
        let pieces = Pieces {
            data,
            pos: 0,
            piece: 5001,
            fail: false,
        };
        let mut r = ChunkReader::new(pieces, 4096, 5000);
        let mut out = Vec::new();
        let mut cut = 0;
        while let Some(c) = r.next_chunk().unwrap() {
            cut += c.cut;
            out.extend(lines(&c.data).map(<[u8]>::to_vec));
        }
        assert_eq!(cut, 0);
        assert_eq!(out, vec![vec![b'x'; 5000], b"next".to_vec()]);
    }

    #[test]
    fn chunks_invalid_read_error_keeps_lines_before_it() {
        let pieces = Pieces {
            data: b"one\ntwo\r\npart".to_vec(),
            pos: 0,
            piece: 3,
            fail: true,
        };
        let mut r = ChunkReader::new(pieces, 4096, 1024);
        let chunk = r.next_chunk().unwrap().unwrap();
        let got: Vec<&[u8]> = lines(&chunk.data).collect();
        assert_eq!(got, vec![&b"one"[..], b"two", b"part"]);
        let err = r.next_chunk().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert!(r.next_chunk().unwrap().is_none());
    }

    #[test]
    fn utf8_floor_valid_does_not_split_chars() {
        let s = "aé".as_bytes(); // a, 0xC3, 0xA9
        assert_eq!(utf8_floor(s, 2), 1);
        assert_eq!(utf8_floor(s, 3), 3);
    }

    #[test]
    fn open_valid_gzip_and_zstd() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let gz = dir.path().join("a.log.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"hello\nworld\n").unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        let zst = dir.path().join("a.log.zst");
        std::fs::write(&zst, zstd::encode_all(&b"hello\nworld\n"[..], 1).unwrap()).unwrap();
        for p in [gz, zst] {
            let mut s = String::new();
            open(&Source::File(p))
                .unwrap()
                .read_to_string(&mut s)
                .unwrap();
            assert_eq!(s, "hello\nworld\n");
        }
    }
}
