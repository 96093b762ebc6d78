//! Sorted runs of events spilled to an anonymous temporary file, read back one event at a time.
//!
//! Encoding (little-endian, private to one process run, never read across versions):
//! `time i64 | input u32 | line u64 | end_line u64 | level u8 (255 = none) | format-index u16 |
//! service str | message str | body str | n-fields u32 | (key str, value str)*`, where `str` is a
//! `u32` length and UTF-8 bytes.

use crate::event::{Event, Fields, Level, Timestamp};
use crate::ingest::formats::REGISTRY;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::sync::Arc;

pub struct SpillFile {
    reader: BufReader<std::fs::File>,
    remaining: usize,
}

fn put_str(w: &mut impl Write, s: &str) -> io::Result<()> {
    let len = u32::try_from(s.len()).map_err(|_| io::Error::other("string too long to spill"))?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(s.as_bytes())
}

fn format_index(name: &str) -> u16 {
    match name {
        "raw" => u16::MAX - 1,
        "" => u16::MAX,
        _ => REGISTRY
            .iter()
            .position(|e| e.name == name)
            .map_or(u16::MAX, |p| p as u16),
    }
}

fn format_name(index: u16) -> &'static str {
    match index {
        i if i == u16::MAX - 1 => "raw",
        i => REGISTRY.get(usize::from(i)).map_or("", |e| e.name),
    }
}

impl SpillFile {
    /// Writes sorted events to a new temporary file.
    pub fn write(events: &[Event]) -> io::Result<SpillFile> {
        let file = tempfile::tempfile()?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        for e in events {
            w.write_all(&e.time.0.to_le_bytes())?;
            w.write_all(&e.input.to_le_bytes())?;
            w.write_all(&e.line.to_le_bytes())?;
            w.write_all(&e.end_line.to_le_bytes())?;
            let level = e.level.map_or(255u8, |l| l as u8);
            w.write_all(&[level])?;
            w.write_all(&format_index(e.format).to_le_bytes())?;
            put_str(&mut w, &e.service)?;
            put_str(&mut w, &e.message)?;
            put_str(&mut w, &e.body)?;
            let n =
                u32::try_from(e.fields.len()).map_err(|_| io::Error::other("too many fields"))?;
            w.write_all(&n.to_le_bytes())?;
            for (k, v) in e.fields.iter() {
                put_str(&mut w, k)?;
                put_str(&mut w, v)?;
            }
        }
        let mut file = w.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        Ok(SpillFile {
            reader: BufReader::with_capacity(64 * 1024, file),
            remaining: events.len(),
        })
    }

    fn read_event(&mut self) -> io::Result<Event> {
        let r = &mut self.reader;
        let time = i64::from_le_bytes(read_n::<8>(r)?);
        let input = u32::from_le_bytes(read_n::<4>(r)?);
        let line = u64::from_le_bytes(read_n::<8>(r)?);
        let end_line = u64::from_le_bytes(read_n::<8>(r)?);
        let [level] = read_n::<1>(r)?;
        let format = u16::from_le_bytes(read_n::<2>(r)?);
        let service = get_str(r)?;
        let message = get_str(r)?;
        let body = get_str(r)?;
        let n = u32::from_le_bytes(read_n::<4>(r)?);
        let mut fields = Fields::new();
        for _ in 0..n {
            let k = get_str(r)?;
            let v = get_str(r)?;
            fields.0.push((Arc::from(k.as_str()), v));
        }
        Ok(Event {
            time: Timestamp(time),
            service: Arc::from(service.as_str()),
            input,
            line,
            end_line,
            level: Level::ALL.get(usize::from(level)).copied(),
            message,
            body,
            fields,
            format: format_name(format),
        })
    }

    /// The next event, `None` at the end, or an error message (once).
    pub fn next_event(&mut self) -> Option<Result<Event, String>> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        match self.read_event() {
            Ok(e) => Some(Ok(e)),
            Err(e) => {
                self.remaining = 0;
                Some(Err(format!("reading a spilled run back failed: {e}")))
            }
        }
    }
}

fn read_n<const N: usize>(r: &mut impl Read) -> io::Result<[u8; N]> {
    let mut buf = [0u8; N];
    r.read_exact(&mut buf)?;
    Ok(buf)
}

fn get_str(r: &mut impl Read) -> io::Result<String> {
    let len = u32::from_le_bytes(read_n::<4>(r)?) as usize;
    let mut buf = vec![0u8; len];
    r.read_exact(&mut buf)?;
    String::from_utf8(buf).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spill_round_trip_valid() {
        let mut fields = Fields::new();
        fields.insert("http.status", "503");
        let e = Event {
            time: Timestamp(1_705_849_202_123_456_789),
            service: Arc::from("api"),
            input: 3,
            line: 10,
            end_line: 12,
            level: Some(Level::Error),
            message: "boom ü".into(),
            body: "\tat x".into(),
            fields,
            format: "generic",
        };
        let mut f = SpillFile::write(std::slice::from_ref(&e)).unwrap();
        assert_eq!(f.next_event(), Some(Ok(e)));
        assert_eq!(f.next_event(), None);
    }
}
