//! Charts drawn on the server as SVG, so they show without JavaScript and inside an e-mail.
//!
//! Hand-written rather than with `plotters`: plotters draws even SVG text through a font
//! backend (font-kit, which needs the system's fontconfig, or ab_glyph with a font file kept
//! would have to ship), and its marks carry no titles. These charts are a few rectangles or a
//! line each; every mark carries a `<title>` with its exact figure (for screen readers, and so
//! tests can count bars and points), and the table under each chart holds the same numbers.

use std::fmt::Write;

/// One bar or point: its label (whole, in its title), a short form of it for the axis, its
/// value (none: nothing to show there), and the value as people read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub label: String,
    pub tick: String,
    pub value: Option<f64>,
    pub shown: String,
}

/// A chart and what it shows, as a caption people can read above it.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: &'static str,
    pub svg: String,
}

/// Whether a chart of these marks would show anything: a value, and for bars one above zero.
pub fn worth_drawing(marks: &[Mark], bars: bool) -> bool {
    marks.iter().filter_map(|m| m.value).any(|v| !bars || v > 0.0)
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;
/// Labels longer than this are cut short on the axis (the table has them whole).
const LABEL_CHARS: usize = 12;
/// At most this many labels under a chart, so they never run into each other.
const MOST_LABELS: usize = 8;

/// Text for HTML (also inside attributes).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn short(label: &str) -> String {
    match label.chars().count() > LABEL_CHARS {
        true => format!("{}…", label.chars().take(LABEL_CHARS - 1).collect::<String>()),
        false => label.to_string(),
    }
}

/// A number on the value axis without needless decimals, with a real minus sign.
fn tick(value: f64) -> String {
    let text = match value.fract() == 0.0 {
        true => format!("{value:.0}"),
        false => format!("{value:.1}"),
    };
    text.replace('-', "\u{2212}")
}

/// The frame every chart shares: the opening tag with its accessible name, the two grid lines
/// with the axis' range, and every `step`-th label under its slot.
fn frame(title: &str, (low, high): (f64, f64), labels: &[&str]) -> String {
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" font-family="sans-serif" font-size="15"><title>{}</title>"#,
        escape(title)
    );
    for (value, y) in [(high, TOP), (low, HEIGHT - BOTTOM)] {
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{}" y1="{y}" y2="{y}" stroke="#ccc"/><text x="{}" y="{}" text-anchor="end" fill="#555">{}</text>"##,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            tick(value)
        );
    }
    let slot = slot_width(labels.len());
    // The labels left out are in the table.
    let step = labels.len().div_ceil(MOST_LABELS).max(1);
    for (i, label) in labels.iter().enumerate().filter(|(i, _)| i % step == 0) {
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{}" text-anchor="middle" fill="#333">{}</text>"##,
            LEFT + slot * (i as f64 + 0.5),
            HEIGHT - BOTTOM + 18.0,
            escape(&short(label))
        );
    }
    svg
}

fn slot_width(count: usize) -> f64 {
    (WIDTH - LEFT - RIGHT) / count.max(1) as f64
}

/// The height of the plot at `value` within `(low, high)`.
fn y_of(value: f64, (low, high): (f64, f64)) -> f64 {
    let span = (high - low).max(f64::EPSILON);
    let share = ((value - low) / span).clamp(0.0, 1.0);
    HEIGHT - BOTTOM - share * (HEIGHT - TOP - BOTTOM)
}

/// A bar per mark from zero; the axis runs to the largest value (at least 1).
pub fn bars(title: &str, marks: &[Mark]) -> String {
    let high = marks.iter().filter_map(|m| m.value).fold(1.0_f64, f64::max);
    let range = (0.0, high);
    let labels: Vec<&str> = marks.iter().map(|m| m.tick.as_str()).collect();
    let mut svg = frame(title, range, &labels);
    let slot = slot_width(marks.len());
    for (i, mark) in marks.iter().enumerate() {
        let value = mark.value.unwrap_or(0.0);
        let top = y_of(value, range);
        let _ = write!(
            svg,
            r##"<rect class="bar" x="{:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="#2f6f4f"><title>{}: {}</title></rect>"##,
            LEFT + slot * i as f64 + slot * 0.15,
            slot * 0.7,
            (HEIGHT - BOTTOM - top).max(0.0),
            escape(&mark.label),
            escape(&mark.shown)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A line through the marks that have a value, on an axis from `range.0` to `range.1`; a point
/// per value.
pub fn line(title: &str, marks: &[Mark], range: (f64, f64)) -> String {
    let labels: Vec<&str> = marks.iter().map(|m| m.tick.as_str()).collect();
    let mut svg = frame(title, range, &labels);
    let slot = slot_width(marks.len());
    let points: Vec<(f64, f64, &Mark)> = marks
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.value.map(|v| (LEFT + slot * (i as f64 + 0.5), y_of(v, range), m)))
        .collect();
    if points.len() > 1 {
        let path: Vec<String> = points.iter().map(|(x, y, _)| format!("{x:.1},{y:.1}")).collect();
        let _ = write!(
            svg,
            r##"<polyline points="{}" fill="none" stroke="#2f6f4f" stroke-width="2"/>"##,
            path.join(" ")
        );
    }
    for (x, y, mark) in points {
        let _ = write!(
            svg,
            r##"<circle class="point" cx="{x:.1}" cy="{y:.1}" r="4" fill="#2f6f4f"><title>{}: {}</title></circle>"##,
            escape(&mark.label),
            escape(&mark.shown)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(label: &str, value: Option<f64>) -> Mark {
        Mark {
            label: label.into(),
            tick: label.into(),
            value,
            shown: value.map(|v| v.to_string()).unwrap_or_default(),
        }
    }

    #[test]
    fn a_bar_per_mark_with_its_figure_as_title() {
        let svg = bars(
            "Gebroken <per> soort",
            &[mark("Terugbellen", Some(3.0)), mark("Antwoord", Some(0.0))],
        );
        assert_eq!(svg.matches(r#"class="bar""#).count(), 2);
        assert!(svg.contains("<title>Terugbellen: 3</title>"));
        assert!(svg.contains("Gebroken &lt;per&gt; soort"), "labels are escaped");
        // The tallest bar reaches the top of the plot; the empty one has no height.
        assert!(svg.contains(&format!(r#"y="{TOP:.1}""#)));
        assert!(svg.contains(r#"height="0.0""#));
    }

    #[test]
    fn a_point_only_where_there_is_a_value() {
        let svg = line(
            "Kept %",
            &[mark("ma", Some(50.0)), mark("di", None), mark("wo", Some(100.0))],
            (0.0, 100.0),
        );
        assert_eq!(svg.matches(r#"class="point""#).count(), 2);
        assert_eq!(svg.matches("<polyline").count(), 1);
        let single = line("Kept %", &[mark("ma", Some(50.0))], (0.0, 100.0));
        assert_eq!(single.matches("<polyline").count(), 0);
        assert!(line("NPS", &[mark("ma", Some(1.0))], (-100.0, 100.0)).contains(">\u{2212}100<"));
        assert!(!worth_drawing(&[mark("ma", None)], false));
        assert!(!worth_drawing(&[mark("ma", Some(0.0))], true));
        assert!(worth_drawing(&[mark("ma", Some(0.0))], false));
    }
}
