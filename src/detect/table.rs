//! The event table: the aggregate as a columnar polars `DataFrame`, one row per
//! (bucket, service, level, category, signature, template) with its count, plus each bucket's
//! latest change before it (overall and for the row's service: an as-of join).
//!
//! Columns: `bucket` (i64 ns, bucket start), `service`, `level` (null when none), `category`
//! (null when no signature), `signature` (null), `template` (template text), `count` (u64),
//! `change_before` (source of the latest change at or before the bucket start, any service,
//! null if none), `service_change_before` (same, for the row's service).
//!
//! The as-of join is computed on the sorted change list (a binary search per bucket) rather
//! than with polars' `join_asof`, which would need polars' `asof_join` feature and its build
//! cost for a join over a few dozen changes.

use super::window::Window;
use super::{Aggregate, template_text};
use crate::event::Timestamp;
use crate::patterns::SignatureSet;
use crate::timeline::changes::Change;
use polars::prelude::*;

/// Builds the table at `resolution` (a multiple of the base bucket).
pub fn build(
    agg: &Aggregate,
    signatures: &SignatureSet,
    changes: &[Change],
    resolution: i64,
) -> PolarsResult<DataFrame> {
    let mut bucket: Vec<i64> = Vec::new();
    let mut service: Vec<String> = Vec::new();
    let mut level: Vec<Option<&'static str>> = Vec::new();
    let mut category: Vec<Option<&'static str>> = Vec::new();
    let mut signature: Vec<Option<String>> = Vec::new();
    let mut template: Vec<String> = Vec::new();
    let mut count: Vec<u64> = Vec::new();
    let mut keys: Vec<_> = agg.series.keys().collect();
    keys.sort();
    for key in keys {
        let series = &agg.series[key];
        let sig = key
            .signature
            .and_then(|i| signatures.signatures().get(i as usize));
        let text = template_text(&key.template);
        let mut coarse: std::collections::BTreeMap<i64, u64> = std::collections::BTreeMap::new();
        for (b, n) in &series.counts {
            let start = (b * super::BASE_BUCKET_NANOS).div_euclid(resolution) * resolution;
            *coarse.entry(start).or_insert(0) += n;
        }
        for (b, n) in coarse {
            bucket.push(b);
            service.push(key.service.to_string());
            level.push(key.level.map(|l| l.as_str()));
            category.push(sig.map(|s| s.category.as_str()));
            signature.push(sig.map(|s| s.id.to_string()));
            template.push(text.clone());
            count.push(n);
        }
    }
    let change_before: Vec<Option<String>> = bucket
        .iter()
        .map(|b| latest_before(changes, Timestamp(*b), None).map(|c| c.source.clone()))
        .collect();
    let service_change_before: Vec<Option<String>> = bucket
        .iter()
        .zip(&service)
        .map(|(b, s)| latest_before(changes, Timestamp(*b), Some(s)).map(|c| c.source.clone()))
        .collect();
    DataFrame::new_infer_height(vec![
        Column::new("bucket".into(), bucket),
        Column::new("service".into(), service),
        Column::new("level".into(), level),
        Column::new("category".into(), category),
        Column::new("signature".into(), signature),
        Column::new("template".into(), template),
        Column::new("count".into(), count),
        Column::new("change_before".into(), change_before),
        Column::new("service_change_before".into(), service_change_before),
    ])
}

/// The latest change at or before `t` (for `service` when given). `changes` is sorted by time.
pub fn latest_before<'c>(
    changes: &'c [Change],
    t: Timestamp,
    service: Option<&str>,
) -> Option<&'c Change> {
    let end = changes.partition_point(|c| c.time <= t);
    changes[..end]
        .iter()
        .rev()
        .find(|c| service.is_none_or(|s| c.service.as_deref() == Some(s)))
}

/// Trouble per bucket over the whole span: the sum of `count` per bucket (polars group-by),
/// as a dense series from `origin`.
pub fn trouble_series(
    table: &DataFrame,
    origin: i64,
    end: i64,
    resolution: i64,
) -> PolarsResult<Vec<f64>> {
    let n = ((end - origin) / resolution).max(0) as usize + 1;
    let mut dense = vec![0.0; n];
    if table.height() == 0 {
        return Ok(dense);
    }
    let per_bucket = table
        .clone()
        .lazy()
        .group_by([col("bucket")])
        .agg([col("count").sum().alias("total")])
        .collect()?;
    let buckets = per_bucket.column("bucket")?.i64()?;
    let totals = per_bucket.column("total")?.cast(&DataType::Float64)?;
    let totals = totals.f64()?;
    for (b, t) in buckets.iter().zip(totals.iter()) {
        if let (Some(b), Some(t)) = (b, t) {
            let i = (b - origin) / resolution;
            if let Some(slot) = usize::try_from(i).ok().and_then(|i| dense.get_mut(i)) {
                *slot += t;
            }
        }
    }
    Ok(dense)
}

/// Rows of the table inside the window, for reports that want the raw aggregation.
pub fn window_rows(table: &DataFrame, window: &Window) -> PolarsResult<DataFrame> {
    table
        .clone()
        .lazy()
        .filter(
            col("bucket")
                .gt_eq(lit(window.start.0))
                .and(col("bucket").lt(lit(window.end.0))),
        )
        .collect()
}
