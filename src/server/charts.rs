//! Server-side SVG bar charts for the manager dashboard, drawn here so that they read
//! right at every width and in every language: text is never scaled (the SVG has no
//! `viewBox`; bars are sized in per cent of its width, text stays at 14 px), every label
//! sits on a line of its own above its bars (wrapped to fit a 320 px phone), the value
//! follows the end of its bar, and the legend is a list above the bars. Nothing can
//! overlap by construction. Right-to-left pages get the mirror image: labels on the
//! right, bars growing leftwards, numbers still written left to right.

use crate::i18n::Lang;

/// The DKFDS data-visualisation guideline allows at most 10 bars per chart.
pub const MAX_CATEGORIES: usize = 10;

/// Bar colours: dark steps with at least 3:1 contrast against white (WCAG 1.4.11), so
/// every bar is visible. Colour never carries meaning alone: the legend names each
/// series and the page repeats the numbers in a table. More series than colours reuse them.
const PALETTE: [&str; 6] = [
    "#004d99", "#7a3b00", "#2b6b2b", "#5a2d82", "#8a1538", "#00606b",
];

/// Text size in CSS pixels, as rendered at every width.
const FONT: u32 = 14;
/// One line of text.
const LINE: u32 = 20;
/// A bar's thickness and the room one bar row takes.
const BAR: u32 = 14;
const BAR_ROW: u32 = 20;
/// Space after a category's bars, and after the legend.
const GAP: u32 = 12;
/// Characters on one label line: fits the chart at 320 px in a wide sans-serif.
const LINE_CHARS: usize = 32;
/// The longest bar, in per cent of the width; the rest is room for its value.
const BAR_SPAN: f64 = 76.0;
/// The legend's colour key and the space after it.
const KEY: u32 = 14;
const KEY_GAP: u32 = 8;

/// One series of bars, one value per category.
///
/// A value of `f64::NAN` (or any non-finite value) means "hidden", e.g. a small count
/// suppressed for privacy: no bar and no number are drawn for it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BarSeries {
    pub name: String,
    pub values: Vec<f64>,
}

/// A bar chart as the dashboard asks for it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BarChart {
    /// The accessible name (the page shows it as the section's heading); not blank.
    pub title: String,
    /// Text alternative: what the chart shows and its main finding.
    pub description: String,
    /// Bar labels, at most [`MAX_CATEGORIES`], top to bottom.
    pub categories: Vec<String>,
    pub series: Vec<BarSeries>,
    /// Prefix for the element ids inside the SVG, sanitised to `[a-z0-9-]`. Must be
    /// unique on the page; when blank it is derived from the title.
    pub id: String,
    /// The reader's language: numbers are written its way (1.100 in Danish) and an
    /// Arabic page gets the chart mirrored.
    pub lang: Lang,
}

/// Why a chart could not be rendered. The page shows its own translated text; this is logged.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the chart has no title, no categories or no series to draw")]
    Empty,
    #[error("series \"{series}\" has {got} values but the chart has {expected} categories")]
    Mismatch {
        series: String,
        expected: usize,
        got: usize,
    },
    #[error("the chart has {0} categories; at most {MAX_CATEGORIES} bars are allowed")]
    TooManyCategories(usize),
}

/// Validates `chart` and draws it as accessible SVG: `role="img"`, `width="100%"`, a
/// fixed height in pixels, and `aria-labelledby` pointing at a `<title>` and, when the
/// description is not blank, a `<desc>`. Hidden (`NaN`) values are drawn as no bar.
pub fn render_bar(chart: &BarChart) -> Result<String, ChartError> {
    validate(chart)?;
    let prefix = id_prefix(chart);
    let rtl = chart.lang.dir() == "rtl";
    let mut body = String::new();
    let mut y = 0;
    if chart.series.len() > 1 {
        for (j, s) in chart.series.iter().enumerate() {
            let lines = wrap(&s.name, LINE_CHARS - 3);
            let key_y = y + (LINE - KEY) / 2;
            body.push_str(&format!(
                "<rect {} y=\"{key_y}\" width=\"{KEY}\" height=\"{KEY}\" fill=\"{}\"/>\n",
                // A shape is placed by its left side: on the right edge, its width in.
                at_edge(rtl, if rtl { KEY } else { 0 }),
                colour(j)
            ));
            for line in &lines {
                body.push_str(&label(rtl, KEY + KEY_GAP, y, line));
                y += LINE;
            }
        }
        y += GAP;
    }
    let max = chart
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    for (i, category) in chart.categories.iter().enumerate() {
        for line in wrap(category, LINE_CHARS) {
            body.push_str(&label(rtl, 0, y, &line));
            y += LINE;
        }
        for (j, s) in chart.series.iter().enumerate() {
            let value = s.values.get(i).copied().unwrap_or(f64::NAN);
            if value.is_finite() {
                let share = if max > 0.0 {
                    (value.max(0.0) / max * BAR_SPAN * 10.0).round() / 10.0
                } else {
                    0.0
                };
                let start = if rtl { 100.0 - share } else { 0.0 };
                let bar_y = y + (BAR_ROW - BAR) / 2;
                body.push_str(&format!(
                    "<rect x=\"{start}%\" y=\"{bar_y}\" width=\"{share}%\" height=\"{BAR}\" \
                     fill=\"{}\" data-series=\"{}\"/>\n",
                    colour(j),
                    svg_escape(&s.name)
                ));
                let (x, shift, anchor) = if rtl {
                    (100.0 - share, -4, "end")
                } else {
                    (share, 4, "start")
                };
                body.push_str(&format!(
                    "<text x=\"{x}%\" y=\"{}\" transform=\"translate({shift} 0)\" \
                     text-anchor=\"{anchor}\" direction=\"ltr\">{}</text>\n",
                    y + 15,
                    number(value, chart.lang)
                ));
            }
            y += BAR_ROW;
        }
        y += GAP;
    }
    let desc = chart.description.trim();
    let (desc_ref, desc_el) = if desc.is_empty() {
        (String::new(), String::new())
    } else {
        let el = format!("<desc id=\"{prefix}-desc\">{}</desc>\n", svg_escape(desc));
        (format!(" {prefix}-desc"), el)
    };
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" height=\"{y}\" \
         role=\"img\" aria-labelledby=\"{prefix}-title{desc_ref}\" class=\"bar-chart\" \
         font-size=\"{FONT}\" fill=\"#0b0c0c\" direction=\"ltr\">\n\
         <title id=\"{prefix}-title\">{}</title>\n{desc_el}{body}</svg>",
        svg_escape(chart.title.trim()),
    ))
}

/// A line of text at `indent` pixels from the start edge (right on an Arabic page).
fn label(rtl: bool, indent: u32, y: u32, text: &str) -> String {
    // An Arabic line runs right to left from the right edge; `start` is then its right end.
    let dir = if rtl { "rtl" } else { "ltr" };
    format!(
        "<text {} y=\"{}\" direction=\"{dir}\" text-anchor=\"start\">{}</text>\n",
        at_edge(rtl, indent),
        y + 15,
        svg_escape(text)
    )
}

/// `x` for something `indent` pixels in from the start edge.
fn at_edge(rtl: bool, indent: u32) -> String {
    if rtl {
        format!("x=\"100%\" transform=\"translate(-{indent} 0)\"")
    } else {
        format!("x=\"{indent}\"")
    }
}

fn colour(series: usize) -> &'static str {
    PALETTE[series % PALETTE.len()]
}

/// A count as the language writes it: `1.100` (da), `1,100` (en), `1٬100` (ar), never `1.1k`.
pub fn number(value: f64, lang: Lang) -> String {
    let rounded = value.round();
    let digits = format!("{}", rounded.abs() as u64);
    let separator = match lang {
        Lang::Da => '.',
        Lang::En => ',',
        Lang::Ar => '\u{066C}',
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(separator);
        }
        out.push(c);
    }
    if rounded < 0.0 {
        out.insert(0, '-');
    }
    out
}

/// Breaks a label into lines of at most `chars` characters, at spaces where it can.
fn wrap(text: &str, chars: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > chars {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(word.drain(..chars).collect());
        }
        let word: String = word.into_iter().collect();
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if !line.is_empty() && needed > chars {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Escapes text for XML content and attribute values.
pub use crate::html::escape as svg_escape;

fn validate(chart: &BarChart) -> Result<(), ChartError> {
    let expected = chart.categories.len();
    if chart.title.trim().is_empty() || expected == 0 || chart.series.is_empty() {
        return Err(ChartError::Empty);
    }
    if expected > MAX_CATEGORIES {
        return Err(ChartError::TooManyCategories(expected));
    }
    match chart.series.iter().find(|s| s.values.len() != expected) {
        Some(s) => Err(ChartError::Mismatch {
            series: s.name.clone(),
            expected,
            got: s.values.len(),
        }),
        None => Ok(()),
    }
}

/// `chart.id` (or else the title) as `[a-z0-9-]`, so it is safe in an id attribute.
fn id_prefix(chart: &BarChart) -> String {
    let slug = |s: &str| {
        let lower = s.to_ascii_lowercase();
        let words = lower.split(|c: char| !c.is_ascii_alphanumeric());
        words
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("-")
    };
    [slug(&chart.id), slug(&chart.title)]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "chart".to_string())
}

#[cfg(test)]
mod tests;
