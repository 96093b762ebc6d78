//! Timeline writers: text, JSON lines, CSV and Parquet.
//!
//! JSON lines contract (one object per event; later versions only add keys):
//! `time` (RFC 3339 UTC), `service`, `level` (trace|debug|info|notice|warn|error|fatal, or null
//! when the line had none), `message` (the whole record, continuation lines joined with `\n`),
//! `source` (input path), `line` (1-based header line), `end_line`, `format`, `fields` (object
//! of strings). CSV has the same columns with `fields` as a JSON object string; Parquet the
//! same with `time` as a UTC nanosecond timestamp and `line`/`end_line` as u64.

use crate::event::Event;
use crate::report::escape;
use std::io::{self, Write};

/// Output format of `culprit timeline`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TimelineFormat {
    Text,
    Jsonl,
    Csv,
    Parquet,
    /// Only with `--stats`: a JSON array with one object per input.
    Json,
}

fn fields_json(e: &Event) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (k, v) in e.fields.iter() {
        map.insert(k.to_string(), serde_json::Value::String(v.to_string()));
    }
    serde_json::Value::Object(map)
}

/// Writes events one by one in a streaming format.
pub trait EventWriter {
    fn write_event(&mut self, e: &Event, source: &str) -> io::Result<()>;
    fn finish(&mut self) -> io::Result<()>;
}

pub struct TextWriter<W: Write> {
    pub out: W,
}

impl<W: Write> EventWriter for TextWriter<W> {
    fn write_event(&mut self, e: &Event, _source: &str) -> io::Result<()> {
        let level = e.level.map_or("-", |l| l.as_str());
        writeln!(
            self.out,
            "{} {} {:<5} {}",
            e.time.to_rfc3339(),
            escape::terminal(&e.service),
            level,
            escape::terminal(&e.message)
        )?;
        for line in e.body.lines() {
            writeln!(self.out, "    {}", escape::terminal(line))?;
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

pub struct JsonlWriter<W: Write> {
    pub out: W,
}

pub fn event_json(e: &Event, source: &str) -> serde_json::Value {
    serde_json::json!({
        "time": e.time.to_rfc3339(),
        "service": &*e.service,
        "level": e.level.map(|l| l.as_str()),
        "message": e.full_text(),
        "source": source,
        "line": e.line,
        "end_line": e.end_line,
        "format": e.format,
        "fields": fields_json(e),
    })
}

impl<W: Write> EventWriter for JsonlWriter<W> {
    fn write_event(&mut self, e: &Event, source: &str) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, &event_json(e, source))?;
        self.out.write_all(b"\n")
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

pub struct CsvWriter<W: Write> {
    pub out: W,
    pub header_written: bool,
}

impl<W: Write> EventWriter for CsvWriter<W> {
    fn write_event(&mut self, e: &Event, source: &str) -> io::Result<()> {
        if !self.header_written {
            writeln!(
                self.out,
                "time,service,level,message,source,line,end_line,format,fields"
            )?;
            self.header_written = true;
        }
        let fields = fields_json(e).to_string();
        writeln!(
            self.out,
            "{},{},{},{},{},{},{},{},{}",
            e.time.to_rfc3339(),
            escape::csv_field(&e.service),
            e.level.map_or("", |l| l.as_str()),
            escape::csv_field(&e.full_text()),
            escape::csv_field(source),
            e.line,
            e.end_line,
            e.format,
            escape::csv_field(&fields)
        )
    }

    fn finish(&mut self) -> io::Result<()> {
        if !self.header_written {
            writeln!(
                self.out,
                "time,service,level,message,source,line,end_line,format,fields"
            )?;
            self.header_written = true;
        }
        self.out.flush()
    }
}

#[cfg(feature = "polars")]
/// Parquet, written with polars in row groups of [`PARQUET_BATCH`] events so memory stays
/// bounded.
pub struct ParquetEventWriter<W: Write> {
    writer: Option<polars::io::parquet::write::BatchedWriter<W>>,
    sink: Option<W>,
    batch: Columns,
}

#[cfg(feature = "polars")]
pub const PARQUET_BATCH: usize = 65_536;

#[cfg(feature = "polars")]
#[derive(Default)]
struct Columns {
    time: Vec<i64>,
    service: Vec<String>,
    level: Vec<Option<&'static str>>,
    message: Vec<String>,
    source: Vec<String>,
    line: Vec<u64>,
    end_line: Vec<u64>,
    format: Vec<&'static str>,
    fields: Vec<String>,
}

#[cfg(feature = "polars")]
impl Columns {
    fn len(&self) -> usize {
        self.time.len()
    }

    fn take_frame(&mut self) -> polars::prelude::PolarsResult<polars::prelude::DataFrame> {
        use polars::prelude::*;
        let c = std::mem::take(self);
        let time = Series::new("time".into(), c.time).cast(&DataType::Datetime(
            TimeUnit::Nanoseconds,
            Some(TimeZone::UTC),
        ))?;
        DataFrame::new_infer_height(vec![
            time.into(),
            Column::new("service".into(), c.service),
            Column::new("level".into(), c.level),
            Column::new("message".into(), c.message),
            Column::new("source".into(), c.source),
            Column::new("line".into(), c.line),
            Column::new("end_line".into(), c.end_line),
            Column::new("format".into(), c.format),
            Column::new("fields".into(), c.fields),
        ])
    }
}

#[cfg(feature = "polars")]
fn polars_err(e: polars::prelude::PolarsError) -> io::Error {
    io::Error::other(format!("parquet: {e}"))
}

#[cfg(feature = "polars")]
impl<W: Write> ParquetEventWriter<W> {
    pub fn new(out: W) -> Self {
        ParquetEventWriter {
            writer: None,
            sink: Some(out),
            batch: Columns::default(),
        }
    }

    fn flush_batch(&mut self) -> io::Result<()> {
        use polars::prelude::*;
        let df = self.batch.take_frame().map_err(polars_err)?;
        if self.writer.is_none() {
            let sink = self
                .sink
                .take()
                .ok_or_else(|| io::Error::other("parquet writer already finished"))?;
            let schema = df.schema().clone();
            let w = ParquetWriter::new(sink)
                .with_compression(ParquetCompression::Zstd(None))
                .batched(&schema)
                .map_err(polars_err)?;
            self.writer = Some(w);
        }
        if let Some(w) = &mut self.writer {
            w.write_batch(&df).map_err(polars_err)?;
        }
        Ok(())
    }
}

#[cfg(feature = "polars")]
impl<W: Write> EventWriter for ParquetEventWriter<W> {
    fn write_event(&mut self, e: &Event, source: &str) -> io::Result<()> {
        let b = &mut self.batch;
        b.time.push(e.time.0);
        b.service.push(e.service.to_string());
        b.level.push(e.level.map(|l| l.as_str()));
        b.message.push(e.full_text().into_owned());
        b.source.push(source.to_string());
        b.line.push(e.line);
        b.end_line.push(e.end_line);
        b.format.push(e.format);
        b.fields.push(fields_json(e).to_string());
        if b.len() >= PARQUET_BATCH {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        if self.batch.len() > 0 || self.writer.is_none() {
            self.flush_batch()?;
        }
        if let Some(w) = &self.writer {
            w.finish().map_err(polars_err)?;
        }
        Ok(())
    }
}
