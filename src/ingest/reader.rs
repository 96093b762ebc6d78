//! Byte sources and chunking: opens an input (plain, gzip or zstd, detected by magic bytes,
//! or stdin) and cuts its stream into [`Chunk`]s of whole lines, so that chunks can be parsed in
//! parallel while the file is read once, front to back, with bounded memory.
//!
//! A line longer than the cap (`--max-line-bytes`) is cut at the cap (on a UTF-8 boundary) and
//! the rest of it is skipped without being buffered; the chunk counts it as cut. Line terminators
//! are `\n` and `\r\n`; a lone `\r` inside a line is kept (progress bars and some messages
//! carry one), except in a CR-only input: when the first chunk's worth of bytes
//! ([`ChunkReader`]'s target) holds a `\r` and no `\n` (classic Mac OS line endings, some
//! serial-console and embedded-device captures), every `\r` and `\r\n` ends a line.
//!
//! Encodings: a UTF-8 byte order mark is dropped; UTF-16 text with a byte order mark (LE or
//! BE, as Windows tools such as PowerShell 5 `Out-File` and `reg export` write it) is
//! transcoded to UTF-8 while it is read ([`Utf16Decoder`]), unpaired surrogates becoming
//! U+FFFD. UTF-16 without a BOM is not guessed (it is skipped as binary by the caller).

use std::fs::File;
use std::io::{self, BufReader, Read};

use super::input::Source;

/// Bytes at the start of an input that decide whether it is CR-only (the smallest chunk
/// target, so they are always read before the first chunk is cut).
const CR_WINDOW: usize = 4096;

/// The smallest line cap the reader applies, whatever `--max-line-bytes` says.
pub const MIN_LINE_CAP: usize = 16;

/// Gzip and zstd magic numbers.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// UTF-8 and UTF-16 byte order marks.
const UTF8_BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];
const UTF16LE_BOM: [u8; 2] = [0xFF, 0xFE];
const UTF16BE_BOM: [u8; 2] = [0xFE, 0xFF];

/// Reads up to `n` bytes from the start of `raw` (fewer at the end of input).
fn peek(raw: &mut dyn Read, n: usize) -> io::Result<Vec<u8>> {
    let mut head = vec![0u8; n];
    let mut got = 0;
    while got < n {
        let read = match raw.read(&mut head[got..]) {
            Ok(read) => read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if read == 0 {
            break;
        }
        got += read;
    }
    head.truncate(got);
    Ok(head)
}

/// The encoding [`open`] found at the start of an input's (decompressed) bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (with or without a BOM) or anything else read as bytes.
    Utf8,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
        }
    }
}

/// Opens a source, transparently decompressing gzip (including concatenated members, as
/// logrotate and `cat a.gz b.gz` produce) and zstd, dropping a UTF-8 BOM and transcoding
/// UTF-16 with a BOM to UTF-8.
pub fn open(source: &Source) -> io::Result<Box<dyn Read + Send>> {
    open_with_encoding(source).map(|(r, _)| r)
}

/// [`open`], also saying which encoding was found.
pub fn open_with_encoding(source: &Source) -> io::Result<(Box<dyn Read + Send>, Encoding)> {
    let mut raw: Box<dyn Read + Send> = match source {
        Source::File(path) => Box::new(File::open(path)?),
        Source::Stdin => Box::new(io::stdin()),
    };
    let head = peek(&mut raw, 4)?;
    let compressed = head.starts_with(&GZIP_MAGIC) || head.starts_with(&ZSTD_MAGIC);
    let rejoined: Box<dyn Read + Send> = Box::new(io::Cursor::new(head.clone()).chain(raw));
    let (mut text, head): (Box<dyn Read + Send>, Vec<u8>) = if head.starts_with(&GZIP_MAGIC) {
        (
            Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
                256 * 1024,
                rejoined,
            ))),
            Vec::new(),
        )
    } else if head.starts_with(&ZSTD_MAGIC) {
        (
            Box::new(zstd::stream::read::Decoder::new(rejoined)?),
            Vec::new(),
        )
    } else {
        (rejoined, head)
    };
    // The first bytes of the text itself: already in `head` for a plain input (the file is
    // then still read at the same offsets), read from the decompressor otherwise.
    let head = if compressed {
        let head = peek(&mut text, 3)?;
        text = Box::new(io::Cursor::new(head.clone()).chain(text));
        head
    } else {
        head
    };
    let skip_bom = |mut r: Box<dyn Read + Send>, n: usize| -> io::Result<Box<dyn Read + Send>> {
        peek(&mut r, n)?;
        Ok(r)
    };
    if head.starts_with(&UTF8_BOM) {
        Ok((skip_bom(text, UTF8_BOM.len())?, Encoding::Utf8))
    } else if head.starts_with(&UTF16LE_BOM) {
        let r = skip_bom(text, 2)?;
        Ok((Box::new(Utf16Decoder::new(r, false)), Encoding::Utf16Le))
    } else if head.starts_with(&UTF16BE_BOM) {
        let r = skip_bom(text, 2)?;
        Ok((Box::new(Utf16Decoder::new(r, true)), Encoding::Utf16Be))
    } else {
        Ok((text, Encoding::Utf8))
    }
}

/// Transcodes a UTF-16 byte stream (BOM already consumed) to UTF-8 as it is read. Surrogate
/// pairs split across reads are joined; unpaired surrogates and a trailing odd byte become
/// U+FFFD, so the output is always valid UTF-8 and no input byte is silently lost.
pub struct Utf16Decoder<R: Read> {
    inner: R,
    big_endian: bool,
    /// Raw bytes read but not yet decoded (an odd byte, or a high surrogate awaiting its pair).
    pending: Vec<u8>,
    /// UTF-8 bytes decoded but not yet handed out, from `out_pos`.
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
}

impl<R: Read> Utf16Decoder<R> {
    pub fn new(inner: R, big_endian: bool) -> Self {
        Utf16Decoder {
            inner,
            big_endian,
            pending: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            eof: false,
        }
    }

    /// Decodes the complete code units of `pending` into `out`, keeping an incomplete tail
    /// (an odd byte, a high surrogate at the end) unless the input has ended.
    fn decode_pending(&mut self) {
        let whole = self.pending.len() & !1;
        let units = self.pending[..whole].chunks_exact(2).map(|p| {
            let pair = [p[0], p[1]];
            if self.big_endian {
                u16::from_be_bytes(pair)
            } else {
                u16::from_le_bytes(pair)
            }
        });
        let mut units: Vec<u16> = units.collect();
        let mut keep = self.pending.len() - whole;
        if !self.eof && units.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
            units.pop();
            keep += 2;
        }
        let mut utf8 = [0u8; 4];
        for c in char::decode_utf16(units.iter().copied()) {
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            self.out
                .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        }
        let rest = self.pending.len() - keep;
        self.pending.drain(..rest);
        if self.eof && !self.pending.is_empty() {
            // A lone trailing byte: not a code unit.
            self.pending.clear();
            self.out.extend_from_slice(
                char::REPLACEMENT_CHARACTER
                    .encode_utf8(&mut utf8)
                    .as_bytes(),
            );
        }
    }
}

impl<R: Read> Read for Utf16Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut tmp = [0u8; 32 * 1024];
        while self.out_pos >= self.out.len() {
            self.out.clear();
            self.out_pos = 0;
            if self.eof {
                return Ok(0);
            }
            let n = match self.inner.read(&mut tmp) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                self.eof = true;
            } else {
                self.pending.extend_from_slice(&tmp[..n]);
            }
            self.decode_pending();
        }
        let avail = &self.out[self.out_pos..];
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.out_pos += n;
        Ok(n)
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
    /// Whether the line-ending check of the first bytes has been made (or is not wanted).
    endings_decided: bool,
    /// CR-only input: `\r` and `\r\n` are turned into `\n` as bytes are read.
    cr_only: bool,
    /// In CR-only mode, the last byte translated was a `\r` (its `\n`, if next, is dropped).
    after_cr: bool,
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
            endings_decided: true,
            cr_only: false,
            after_cr: false,
        }
    }

    /// Turns on CR-only detection (the pipeline does; a bare reader splits at `\n` only).
    pub fn detect_cr_only(mut self) -> Self {
        self.endings_decided = self.next_index > 0;
        self
    }

    /// Whether this input was found to use lone `\r` as its line terminator.
    pub fn is_cr_only(&self) -> bool {
        self.cr_only
    }

    /// Decides, once, on the first [`CR_WINDOW`] bytes (the whole input if shorter), whether
    /// the input is CR-only; if so, translates what was already read. Deciding on a fixed
    /// number of bytes, not on the chunk size or however many bytes the reads happened to
    /// return, keeps it deterministic. CR-only means: no `\n`, at least two `\r`, and no other
    /// control byte than tab, form feed and escape (so that binary junk with a stray `\r` is
    /// not reinterpreted).
    fn decide_endings(&mut self, buf: &mut Vec<u8>) {
        if self.endings_decided {
            return;
        }
        self.endings_decided = true;
        let window = &buf[..buf.len().min(CR_WINDOW)];
        let crs = memchr::memchr_iter(b'\r', window).count();
        let text = window
            .iter()
            .all(|&b| b >= 0x20 || matches!(b, b'\t' | b'\r' | 0x0c | 0x1b));
        if crs >= 2 && text {
            self.cr_only = true;
            self.translate_cr(buf, 0);
        }
    }

    /// CR-only mode: turns `\r` into `\n` and drops the `\n` of a `\r\n`, in `buf[from..]`.
    fn translate_cr(&mut self, buf: &mut Vec<u8>, from: usize) {
        let mut w = from;
        for r in from..buf.len() {
            let b = buf[r];
            let after_cr = std::mem::replace(&mut self.after_cr, b == b'\r');
            if b == b'\n' && after_cr {
                continue;
            }
            buf[w] = if b == b'\r' { b'\n' } else { b };
            w += 1;
        }
        buf.truncate(w);
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
            let mut translated;
            let mut data = &tmp[..n];
            if self.cr_only {
                translated = data.to_vec();
                self.translate_cr(&mut translated, 0);
                data = &translated;
            }
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
            let filled = self.fill(&mut buf, want);
            self.decide_endings(&mut buf);
            if let Err(e) = filled {
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

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut out = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for u in text.encode_utf16() {
            out.extend_from_slice(&if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    }

    fn read_file(bytes: &[u8]) -> (Vec<u8>, Encoding) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.log");
        std::fs::write(&p, bytes).unwrap();
        let (mut r, enc) = open_with_encoding(&Source::File(p)).unwrap();
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        (out, enc)
    }

    // PowerShell 5 `Out-File` writes UTF-16LE with a BOM and CRLF line endings.
    const WIN_TEXT: &str =
        "2024-01-21 15:00:02 ERROR caf\u{e9} \u{1F4A5} failed\r\n2024-01-21 15:00:03 INFO ok\r\n";

    #[test]
    fn open_utf16le_with_bom_valid_transcoded_to_utf8() {
        let (out, enc) = read_file(&utf16(WIN_TEXT, false));
        assert_eq!(enc, Encoding::Utf16Le);
        assert_eq!(String::from_utf8(out).unwrap(), WIN_TEXT);
    }

    #[test]
    fn open_utf16be_with_bom_valid_transcoded_to_utf8() {
        let (out, enc) = read_file(&utf16(WIN_TEXT, true));
        assert_eq!(enc, Encoding::Utf16Be);
        assert_eq!(String::from_utf8(out).unwrap(), WIN_TEXT);
    }

    #[test]
    fn open_utf16_gzip_valid_transcoded_after_decompression() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&utf16(WIN_TEXT, false)).unwrap();
        let (out, e) = read_file(&enc.finish().unwrap());
        assert_eq!(e, Encoding::Utf16Le);
        assert_eq!(String::from_utf8(out).unwrap(), WIN_TEXT);
    }

    #[test]
    fn open_utf8_bom_valid_is_dropped() {
        let (out, enc) = read_file(b"\xEF\xBB\xBFhello\n");
        assert_eq!(enc, Encoding::Utf8);
        assert_eq!(out, b"hello\n");
        // Inputs shorter than a BOM are read whole.
        assert_eq!(read_file(b"\xEF").0, b"\xEF");
        assert_eq!(read_file(b"").0, b"");
    }

    #[test]
    fn utf16_decoder_valid_surrogate_pair_split_across_reads() {
        // U+1F4A5 is the pair D83D DCA5; one-byte reads split it every way.
        let bytes = utf16("a\u{1F4A5}b\n", false)[2..].to_vec();
        let pieces = Pieces {
            data: bytes,
            pos: 0,
            piece: 1,
            fail: false,
        };
        let mut out = String::new();
        Utf16Decoder::new(pieces, false)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "a\u{1F4A5}b\n");
    }

    #[test]
    fn utf16_decoder_invalid_lone_surrogates_and_odd_byte_become_replacement() {
        // A lone high surrogate, a lone low surrogate, then a dangling odd byte.
        let bytes = [0x3D, 0xD8, b'x', 0, 0xA5, 0xDC, b'\n', 0, b'y'];
        let mut out = String::new();
        Utf16Decoder::new(&bytes[..], false)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "\u{FFFD}x\u{FFFD}\n\u{FFFD}");
        // A high surrogate at the very end.
        let mut out = String::new();
        Utf16Decoder::new(&[b'a', 0, 0x3D, 0xD8][..], false)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "a\u{FFFD}");
    }

    #[test]
    fn cr_only_input_valid_each_cr_ends_a_line() {
        let (lines, cut) = cr_chunks(b"one\rtwo\r\rthree", 1024);
        assert_eq!(cut, 0);
        assert_eq!(
            lines,
            vec![
                b"one".to_vec(),
                b"two".to_vec(),
                Vec::new(),
                b"three".to_vec()
            ]
        );
    }

    #[test]
    fn cr_only_input_valid_same_lines_across_chunks_and_read_sizes() {
        let mut data = Vec::new();
        for i in 0..3000 {
            data.extend_from_slice(format!("line {i}\r").as_bytes());
        }
        // A CRLF after the decision window is one terminator, not two.
        data.extend_from_slice(b"crlf\r\nlast\r");
        for piece in [1, 7, 4096, 1 << 20] {
            let mut r = ChunkReader::new(
                Pieces {
                    data: data.clone(),
                    pos: 0,
                    piece,
                    fail: false,
                },
                4096,
                1024,
            )
            .detect_cr_only();
            let mut out = Vec::new();
            while let Some(c) = r.next_chunk().unwrap() {
                out.extend(lines(&c.data).map(<[u8]>::to_vec));
            }
            assert!(r.is_cr_only());
            assert_eq!(out.len(), 3002, "piece {piece}");
            assert_eq!(out[2999], b"line 2999");
            assert_eq!(out[3000], b"crlf");
            assert_eq!(out[3001], b"last");
        }
    }

    #[test]
    fn cr_only_long_line_invalid_cut_once_rest_skipped() {
        let mut data = b"first\rsecond\r".to_vec();
        data.extend(std::iter::repeat_n(b'x', 100_000));
        data.extend_from_slice(b"\rafter\r");
        let (lines, cut) = cr_chunks(&data, 1000);
        assert_eq!(cut, 1);
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[2].len(), 1000);
        assert_eq!(lines[3], b"after");
    }

    fn cr_chunks(data: &[u8], cap: usize) -> (Vec<Vec<u8>>, u64) {
        let mut r = ChunkReader::new(data, 4096, cap).detect_cr_only();
        let mut out = Vec::new();
        let mut cut = 0;
        while let Some(c) = r.next_chunk().unwrap() {
            cut += c.cut;
            out.extend(lines(&c.data).map(<[u8]>::to_vec));
        }
        (out, cut)
    }

    #[test]
    fn cr_only_detection_invalid_single_cr_binary_or_not_asked() {
        // One `\r` is not enough to call an input CR-only; control bytes make it junk.
        assert_eq!(cr_chunks(b"a\rb", 1024).0, vec![b"a\rb".to_vec()]);
        assert_eq!(cr_chunks(b"a\r\x01b\rc", 1024).0.len(), 1);
        // A bare reader never looks.
        assert_eq!(all_chunks(b"a\rb\rc\r", 4096, 1024).0.len(), 1);
    }

    #[test]
    fn mixed_endings_valid_lone_cr_stays_inside_its_line() {
        // With `\n` in the first chunk the input is not CR-only: CRLF and LF end lines, and a
        // lone `\r` (a progress-bar redraw) is part of its line.
        let (lines, _) = cr_chunks(b"a\r\nb\nc\rd\n", 1024);
        assert_eq!(lines, vec![b"a".to_vec(), b"b".to_vec(), b"c\rd".to_vec()]);
    }
}
