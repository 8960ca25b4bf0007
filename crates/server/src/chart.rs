//! Charts drawn as SVG on the server: no chart library, no JavaScript, no CDN. Labels are
//! escaped like any other text (they can come from sellers' listings). Output is
//! deterministic, so golden files in `tests/golden/` pin it.

use maud::{html, Markup, PreEscaped};

/// Colors of series and bars, in order (readable on white, distinct in grey print).
pub const PALETTE: [&str; 6] = [
    "#1f5fa8", "#d9822b", "#2e8b57", "#b03a48", "#6b4fa0", "#5f6b7a",
];

/// A bar chart: one bar per category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarChart {
    /// Title above the chart (also the SVG `<title>`).
    pub title: String,
    /// (label, value) per bar, drawn left to right.
    pub bars: Vec<(String, u64)>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// One line of a line chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// Its name (legend).
    pub name: String,
    /// One value per x label.
    pub values: Vec<u64>,
}

/// A line chart: several series over the same x labels (days, weeks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineChart {
    /// Title.
    pub title: String,
    /// Labels along the x axis.
    pub x_labels: Vec<String>,
    /// The lines.
    pub series: Vec<Series>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 32.0;
const BOTTOM: f64 = 40.0;

/// A round step and top for a y axis reaching `max`, with about five ticks.
fn y_axis(max: u64) -> (u64, u64) {
    if max == 0 {
        return (1, 5);
    }
    let raw = (max as f64 / 5.0).max(1.0);
    let mag = 10f64.powi(raw.log10().floor() as i32);
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag) as u64;
    let step = step.max(1);
    (step, max.div_ceil(step) * step)
}

/// Coordinates with one decimal, so output is stable across platforms.
fn n(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// The SVG element with its title; `inner` is drawn below the title.
fn svg(title: &str, width: u32, height: u32, inner: Markup) -> Markup {
    html! {
        svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"
            width=(width) height=(height) viewBox={"0 0 " (width) " " (height)}
            font-family="sans-serif" font-size="11" {
            title { (title) }
            text x=(n(LEFT)) y="18" font-size="13" font-weight="bold" fill="#222" { (title) }
            (inner)
        }
    }
}

/// Axes and horizontal grid lines at every `step` up to `top`, then `body`.
fn frame(title: &str, width: u32, height: u32, top: u64, step: u64, body: Markup) -> Markup {
    let (w, h) = (f64::from(width), f64::from(height));
    let plot_h = h - TOP - BOTTOM;
    let y = |v: u64| TOP + plot_h - plot_h * v as f64 / top as f64;
    let ticks: Vec<u64> = (0..=top / step).map(|i| i * step).collect();
    let inner = html! {
        @for t in &ticks {
            line x1=(n(LEFT)) x2=(n(w - RIGHT)) y1=(n(y(*t))) y2=(n(y(*t)))
                stroke="#e3e6ea" stroke-width="1" {}
            text x=(n(LEFT - 6.0)) y=(n(y(*t) + 4.0)) text-anchor="end" fill="#555" { (t) }
        }
        line x1=(n(LEFT)) x2=(n(LEFT)) y1=(n(TOP)) y2=(n(TOP + plot_h)) stroke="#888" {}
        line x1=(n(LEFT)) x2=(n(w - RIGHT)) y1=(n(TOP + plot_h)) y2=(n(TOP + plot_h)) stroke="#888" {}
        (body)
    };
    svg(title, width, height, inner)
}

fn empty(title: &str, width: u32, height: u32, no_data: &str) -> Markup {
    let inner = html! {
        text x=(n(f64::from(width) / 2.0)) y=(n(f64::from(height) / 2.0))
            text-anchor="middle" fill="#888" { (no_data) }
    };
    svg(title, width, height, inner)
}

/// Draws a bar chart with horizontal bars: one row per category, its label on the left
/// (Chinese labels stay readable however many there are). `no_data` is shown when there
/// are no bars.
pub fn bar_chart(c: &BarChart, no_data: &str) -> Markup {
    if c.bars.is_empty() {
        return empty(&c.title, c.width, c.height, no_data);
    }
    let max = c.bars.iter().map(|b| b.1).max().unwrap_or(0);
    let (step, top) = y_axis(max);
    let (w, h) = (f64::from(c.width), f64::from(c.height));
    // Label column: about 12 px per character, at most a third of the width.
    let chars = c
        .bars
        .iter()
        .map(|b| b.0.chars().count())
        .max()
        .unwrap_or(0);
    let label_w = (12.0 * chars as f64 + 8.0).min(w / 3.0);
    let x0 = label_w + 8.0;
    let plot_w = w - x0 - RIGHT - 24.0;
    let plot_h = h - TOP - 24.0;
    let row = plot_h / c.bars.len() as f64;
    let bar_h = (row * 0.7).min(22.0);
    let x = |v: u64| x0 + plot_w * v as f64 / top as f64;
    let ticks: Vec<u64> = (0..=top / step).map(|i| i * step).collect();
    let inner = html! {
        @for t in &ticks {
            line x1=(n(x(*t))) x2=(n(x(*t))) y1=(n(TOP)) y2=(n(TOP + plot_h))
                stroke="#e3e6ea" stroke-width="1" {}
            text x=(n(x(*t))) y=(n(TOP + plot_h + 14.0)) text-anchor="middle" fill="#555" { (t) }
        }
        line x1=(n(x0)) x2=(n(x0)) y1=(n(TOP)) y2=(n(TOP + plot_h)) stroke="#888" {}
        @for (i, (label, v)) in c.bars.iter().enumerate() {
            @let y = TOP + row * i as f64 + (row - bar_h) / 2.0;
            text x=(n(x0 - 6.0)) y=(n(y + bar_h / 2.0 + 4.0)) text-anchor="end" fill="#333" { (label) }
            rect x=(n(x0)) y=(n(y)) width=(n(x(*v) - x0)) height=(n(bar_h)) fill=(PALETTE[0]) {
                title { (label) ": " (v) }
            }
            text x=(n(x(*v) + 4.0)) y=(n(y + bar_h / 2.0 + 4.0)) fill="#222" { (v) }
        }
    };
    svg(&c.title, c.width, c.height, inner)
}

/// Draws a line chart with a legend. `no_data` is shown when there are no points.
pub fn line_chart(c: &LineChart, no_data: &str) -> Markup {
    let points = c.x_labels.len();
    if points == 0 || c.series.iter().all(|s| s.values.is_empty()) {
        return empty(&c.title, c.width, c.height, no_data);
    }
    let max = c
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0);
    let (step, top) = y_axis(max);
    let (w, h) = (f64::from(c.width), f64::from(c.height));
    let plot_w = w - LEFT - RIGHT;
    let plot_h = h - TOP - BOTTOM;
    let x = |i: usize| {
        if points == 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (points - 1) as f64
        }
    };
    let y = |v: u64| TOP + plot_h - plot_h * v as f64 / top as f64;
    // Label at most ~10 x positions so they do not overlap.
    let every = points.div_ceil(10).max(1);
    let body = html! {
        @for (i, label) in c.x_labels.iter().enumerate() {
            @if i % every == 0 || i + 1 == points {
                text x=(n(x(i))) y=(n(TOP + plot_h + 14.0)) text-anchor="middle" fill="#333" { (label) }
            }
        }
        @for (k, s) in c.series.iter().enumerate() {
            @let color = PALETTE[k % PALETTE.len()];
            @let pts: Vec<String> = s.values.iter().take(points).enumerate()
                .map(|(i, v)| format!("{},{}", n(x(i)), n(y(*v)))).collect();
            polyline points=(pts.join(" ")) fill="none" stroke=(color) stroke-width="2" {}
            @for (i, v) in s.values.iter().take(points).enumerate() {
                circle cx=(n(x(i))) cy=(n(y(*v))) r="2.5" fill=(color) {
                    title { (s.name) " " (c.x_labels[i]) ": " (v) }
                }
            }
            @let lx = LEFT + 110.0 * k as f64;
            rect x=(n(lx)) y=(n(h - 14.0)) width="10" height="10" fill=(color) {}
            text x=(n(lx + 14.0)) y=(n(h - 5.0)) fill="#333" { (s.name) }
        }
    };
    frame(&c.title, c.width, c.height, top, step, body)
}

/// Inline-safe SVG markup as a string (for embedding in a page or serving as a file).
pub fn to_string(m: Markup) -> String {
    let PreEscaped(s) = m;
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_steps_are_round() {
        assert_eq!(y_axis(0), (1, 5));
        assert_eq!(y_axis(7), (2, 8));
        assert_eq!(y_axis(10), (2, 10));
        assert_eq!(y_axis(93), (20, 100));
        assert_eq!(y_axis(1234), (500, 1500));
        assert_eq!(n(1.0), "1");
        assert_eq!(n(1.25), "1.3");
    }
}
