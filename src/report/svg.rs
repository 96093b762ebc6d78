//! The inline SVG timeline chart of the HTML report: trouble per bucket and service from
//! [`Chart`] as stacked step areas (one colour per series, legend below), the incident window
//! shaded, change markers (dashed vertical lines) and cause onsets (solid lines) with labels
//! laid out in lanes so they never overlap, a y axis with round counts and a UTC time axis
//! with ticks at round times.
//!
//! Every string from the logs (service names, versions, descriptions) goes through
//! [`escape::html`](super::escape::html), also inside `<text>`, `<title>` and attributes. The
//! output depends only on the report, so it is byte-identical across runs.

use super::escape::html;
use super::md::{change_phrase, finding_name, fmt_time};
use super::model::{Chart, Report};
use crate::event::Timestamp;
use std::fmt::Write as _;

/// Series colours (Tableau 10, distinguishable with the common colour-vision deficiencies);
/// `other` is grey.
pub(crate) const PALETTE: [&str; 9] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f",
];
const OTHER_COLOUR: &str = "#bab0ac";

const WIDTH: f64 = 1100.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 20.0;
const PLOT_H: f64 = 240.0;
const LANE_H: f64 = 15.0;
const MAX_LANES: usize = 4;
const AXIS_H: f64 = 42.0;
const LEGEND_ROW_H: f64 = 20.0;
const LEGEND_COL_W: f64 = 200.0;
/// Rough width of one character of the 11 px sans-serif labels, for the lane layout.
const CHAR_W: f64 = 6.2;
/// More buckets than this are merged (summed) so the paths stay small.
const MAX_POINTS: usize = 1200;

/// The colour of series `i` named `service`.
pub(crate) fn colour(i: usize, service: &str) -> &'static str {
    if service == "other" {
        OTHER_COLOUR
    } else {
        PALETTE
            .get(i % PALETTE.len())
            .copied()
            .unwrap_or(OTHER_COLOUR)
    }
}

/// A 1-2-5 step at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if !raw.is_finite() || raw <= 0.0 {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * mag >= raw {
            return (m * mag).max(1.0);
        }
    }
    (10.0 * mag).max(1.0)
}

/// Tick spacing for the time axis: the smallest round step giving at most `max_ticks` ticks.
fn time_step(span_s: i64, max_ticks: i64) -> i64 {
    const STEPS: [i64; 16] = [
        60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
        2592000, 31536000,
    ];
    for s in STEPS {
        if span_s / s <= max_ticks {
            return s;
        }
    }
    31536000
}

/// A label placed in the first lane where it does not overlap the previous one.
struct Lanes {
    right_edge: Vec<f64>,
}

impl Lanes {
    fn place(&mut self, x: f64, width: f64) -> usize {
        for (lane, edge) in self.right_edge.iter_mut().enumerate() {
            if x >= *edge {
                *edge = x + width + 6.0;
                return lane;
            }
        }
        // Every lane is taken: use the one that frees up first.
        let (lane, edge) = self
            .right_edge
            .iter_mut()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .map_or((0, None), |(i, e)| (i, Some(e)));
        if let Some(edge) = edge {
            *edge = x + width + 6.0;
        }
        lane
    }
}

fn cut(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// A marker: a vertical line at a time, a short label, a full description for `<title>`.
struct Marker {
    t: Timestamp,
    label: String,
    title: String,
    class: &'static str,
}

/// Builds the chart, or None when the report has no chart data.
pub fn chart(r: &Report) -> Option<String> {
    let c: &Chart = r.chart.as_ref()?;
    let n_raw = c.series.iter().map(|s| s.counts.len()).max()?;
    if n_raw == 0 || c.resolution_s <= 0 {
        return None;
    }
    // Merge buckets when there are too many.
    let merge = n_raw.div_ceil(MAX_POINTS).max(1);
    let n = n_raw.div_ceil(merge);
    let res = c.resolution_s.saturating_mul(Timestamp::NANOS_PER_SEC) * merge as i64;
    let series: Vec<(&str, Vec<u64>)> = c
        .series
        .iter()
        .map(|s| {
            let mut v = vec![0u64; n];
            for (i, &x) in s.counts.iter().enumerate() {
                if let Some(slot) = v.get_mut(i / merge) {
                    *slot = slot.saturating_add(x);
                }
            }
            (s.service.as_str(), v)
        })
        .collect();
    let t0 = c.start.0;
    let t1 = t0.saturating_add(res.saturating_mul(n as i64));
    let span = (t1 - t0).max(1) as f64;
    let plot_w = WIDTH - LEFT - RIGHT;
    let x_of = |t: i64| LEFT + ((t - t0) as f64 / span).clamp(0.0, 1.0) * plot_w;

    // Markers: changes in range, cause onsets.
    let mut markers: Vec<Marker> = Vec::new();
    for ch in &r.deploys {
        if ch.time.0 >= t0 && ch.time.0 <= t1 {
            let mut label = ch.kind.replace('_', " ");
            if let Some(s) = &ch.service {
                let _ = write!(label, " {s}");
            }
            if let Some(v) = &ch.version {
                let _ = write!(label, " {v}");
            }
            markers.push(Marker {
                t: ch.time,
                label: cut(&label, 30),
                title: change_phrase(ch),
                class: "change",
            });
        }
    }
    for f in &r.causes {
        if let Some(o) = f.onset.filter(|o| o.0 >= t0 && o.0 <= t1) {
            markers.push(Marker {
                t: o,
                label: format!("#{} onset", f.rank),
                title: format!(
                    "Onset of cause candidate #{}: {} at {} UTC",
                    f.rank,
                    finding_name(f),
                    fmt_time(o)
                ),
                class: "onset",
            });
        }
    }
    markers.sort_by(|a, b| (a.t, a.class).cmp(&(b.t, b.class)));
    let mut lanes = Lanes {
        right_edge: vec![f64::MIN; MAX_LANES],
    };
    let placed: Vec<(usize, &Marker)> = markers
        .iter()
        .map(|m| {
            let w = m.label.chars().count() as f64 * CHAR_W;
            (lanes.place(x_of(m.t.0) + 3.0, w), m)
        })
        .collect();
    let lanes_used = placed.iter().map(|(l, _)| l + 1).max().unwrap_or(0);
    let top = 22.0 + lanes_used as f64 * LANE_H;
    let bottom = top + PLOT_H;
    let legend_cols = ((plot_w / LEGEND_COL_W).floor() as usize).max(1);
    let legend_rows = series.len().div_ceil(legend_cols);
    let height = bottom + AXIS_H + legend_rows as f64 * LEGEND_ROW_H + 8.0;

    // Stack.
    let mut cum = vec![0u64; n];
    let mut layers: Vec<(Vec<u64>, Vec<u64>)> = Vec::new();
    for (_, v) in &series {
        let below = cum.clone();
        for (c, x) in cum.iter_mut().zip(v) {
            *c = c.saturating_add(*x);
        }
        layers.push((below, cum.clone()));
    }
    let max = cum.iter().copied().max().unwrap_or(0).max(1) as f64;
    let step = nice_step(max / 4.0);
    let y_max = (max / step).ceil() * step;
    let y_of = |v: u64| bottom - (v as f64 / y_max) * PLOT_H;

    let mut s = String::with_capacity(64 * 1024);
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height:.0}" width="100%" role="img" aria-labelledby="chart-title chart-desc"><title id="chart-title">Trouble per {} bucket and service (UTC)</title><desc id="chart-desc">Warnings, errors, failure signatures and 5xx responses per bucket, stacked by service; the incident window is shaded; dashed lines are changes, solid red lines cause onsets.</desc>"#,
        super::md::bucket_words(res / Timestamp::NANOS_PER_SEC)
    );
    // Incident window.
    if let Some(w) = &r.window {
        let (a, b) = (x_of(w.start.0), x_of(w.end.0));
        if b > a {
            let _ = write!(
                s,
                r#"<rect class="window" x="{a:.1}" y="{top:.1}" width="{:.1}" height="{PLOT_H:.1}"><title>Incident window {} → {} UTC</title></rect><text class="window-label" x="{:.1}" y="{:.1}">incident window</text>"#,
                b - a,
                fmt_time(w.start),
                fmt_time(w.end),
                a + 4.0,
                top + 12.0
            );
        }
    }
    // Y grid and labels.
    let mut v = 0.0;
    while v <= y_max + 0.5 {
        let y = bottom - (v / y_max) * PLOT_H;
        let _ = write!(
            s,
            r#"<line class="grid" x1="{LEFT:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="ylabel" x="{:.1}" y="{:.1}">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            v as u64
        );
        v += step;
    }
    let _ = write!(
        s,
        r#"<text class="ytitle" x="12" y="{:.1}" transform="rotate(-90 12 {:.1})">events per {} bucket</text>"#,
        (top + bottom) / 2.0,
        (top + bottom) / 2.0,
        super::md::bucket_words(res / Timestamp::NANOS_PER_SEC)
    );
    // Series, bottom layer first.
    for (i, ((name, _), (below, above))) in series.iter().zip(&layers).enumerate() {
        let mut d = String::with_capacity(n * 24);
        for (k, &v) in above.iter().enumerate() {
            let (xa, xb) = (x_of(t0 + k as i64 * res), x_of(t0 + (k as i64 + 1) * res));
            let y = y_of(v);
            let _ = write!(
                d,
                "{}{xa:.1},{y:.1}L{xb:.1},{y:.1}",
                if k == 0 { "M" } else { "L" }
            );
        }
        for (k, &v) in below.iter().enumerate().rev() {
            let (xa, xb) = (x_of(t0 + k as i64 * res), x_of(t0 + (k as i64 + 1) * res));
            let y = y_of(v);
            let _ = write!(d, "L{xb:.1},{y:.1}L{xa:.1},{y:.1}");
        }
        d.push('Z');
        let total: u64 = above
            .iter()
            .zip(below)
            .map(|(a, b)| a.saturating_sub(*b))
            .sum();
        let _ = write!(
            s,
            r#"<path class="series" data-service="{}" fill="{}" d="{d}"><title>{}: {} events</title></path>"#,
            html(name),
            colour(i, name),
            html(name),
            total
        );
    }
    // Axes.
    let _ = write!(
        s,
        r#"<line class="axis" x1="{LEFT:.1}" x2="{:.1}" y1="{bottom:.1}" y2="{bottom:.1}"/><line class="axis" x1="{LEFT:.1}" x2="{LEFT:.1}" y1="{top:.1}" y2="{bottom:.1}"/>"#,
        WIDTH - RIGHT
    );
    let span_s = (t1 - t0) / Timestamp::NANOS_PER_SEC;
    let tick_s = time_step(span_s, (plot_w / 80.0) as i64);
    let tick = tick_s * Timestamp::NANOS_PER_SEC;
    let mut t = t0.div_euclid(tick) * tick;
    if t < t0 {
        t += tick;
    }
    let mut last_day: Option<String> = None;
    while t <= t1 {
        let x = x_of(t);
        let dt = Timestamp(t).to_datetime();
        let day = dt.format("%Y-%m-%d").to_string();
        let hm = if tick_s >= 86400 {
            dt.format("%m-%d").to_string()
        } else {
            dt.format("%H:%M").to_string()
        };
        let _ = write!(
            s,
            r#"<line class="tick" x1="{x:.1}" x2="{x:.1}" y1="{bottom:.1}" y2="{:.1}"/><text class="xlabel" x="{x:.1}" y="{:.1}">{hm}</text>"#,
            bottom + 5.0,
            bottom + 18.0
        );
        if last_day.as_deref() != Some(day.as_str()) {
            let _ = write!(
                s,
                r#"<text class="xday" x="{x:.1}" y="{:.1}">{day}</text>"#,
                bottom + 31.0
            );
            last_day = Some(day);
        }
        t += tick;
    }
    let _ = write!(
        s,
        r#"<text class="xtitle" x="{:.1}" y="{:.1}">UTC</text>"#,
        WIDTH - RIGHT,
        bottom + 31.0
    );
    // Markers over the areas.
    for (lane, m) in &placed {
        let x = x_of(m.t.0);
        let ly = 16.0 + *lane as f64 * LANE_H;
        // A label that would run off the right edge goes to the left of its line.
        let w = m.label.chars().count() as f64 * CHAR_W;
        let (tx, anchor) = if x + 3.0 + w > WIDTH - 2.0 {
            (x - 3.0, "end")
        } else {
            (x + 3.0, "start")
        };
        let _ = write!(
            s,
            r#"<g class="marker {}"><title>{}</title><line x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{bottom:.1}"/><text x="{tx:.1}" y="{ly:.1}" text-anchor="{anchor}">{}</text></g>"#,
            m.class,
            html(&m.title),
            ly - 10.0,
            html(&m.label)
        );
    }
    // Legend.
    let ly0 = bottom + AXIS_H + 6.0;
    for (i, (name, _)) in series.iter().enumerate() {
        let (row, col) = (i / legend_cols, i % legend_cols);
        let x = LEFT + col as f64 * LEGEND_COL_W;
        let y = ly0 + row as f64 * LEGEND_ROW_H;
        let _ = write!(
            s,
            r#"<g class="legend"><rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{}"/><text x="{:.1}" y="{y:.1}">{}</text></g>"#,
            y - 10.0,
            colour(i, name),
            x + 17.0,
            html(&cut(name, 26))
        );
    }
    s.push_str("</svg>");
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::md::tests::hostile_report;

    #[test]
    fn nice_step_valid_rounds_up_to_1_2_5() {
        assert_eq!(nice_step(0.3), 1.0);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(12.0), 20.0);
        assert_eq!(nice_step(41.0), 50.0);
        assert_eq!(nice_step(0.0), 1.0);
    }

    #[test]
    fn time_step_valid_round_intervals() {
        assert_eq!(time_step(5 * 3600 + 46 * 60, 13), 1800);
        assert_eq!(time_step(18 * 60, 13), 120);
        assert_eq!(time_step(3 * 86400, 13), 21600);
    }

    #[test]
    fn lanes_valid_close_labels_go_to_new_lanes() {
        let mut l = Lanes {
            right_edge: vec![f64::MIN; 3],
        };
        assert_eq!(l.place(100.0, 80.0), 0);
        assert_eq!(l.place(130.0, 80.0), 1);
        assert_eq!(l.place(400.0, 80.0), 0);
    }

    #[test]
    fn chart_invalid_hostile_names_are_escaped_everywhere() {
        let svg = chart(&hostile_report(false)).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(r#"class="series""#));
        assert!(!svg.contains("<script"), "raw <script");
        assert!(!svg.contains("<img"), "raw <img");
        assert!(!svg.contains("\"><img"), "attribute break-out");
        assert!(!svg.contains('\x1b'));
        assert!(!svg.contains('\u{202E}'));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains(r#"class="window""#));
        assert!(svg.contains("marker change"));
        assert!(svg.contains("marker onset"));
    }

    #[test]
    fn chart_valid_none_without_chart_data() {
        let mut r = hostile_report(false);
        r.chart = None;
        assert!(chart(&r).is_none());
    }
}
