//! Server-side SVG bar charts for the manager dashboard: drawn with charts-rs, then made
//! accessible (`role="img"`, `<title>`, `<desc>`) and fluid-width for small screens.

use std::panic::{AssertUnwindSafe, catch_unwind};

use charts_rs::{
    AxisLabelOverflow, ChartBase, Color, DEFAULT_FONT_FAMILY, HorizontalBarChart, LegendCategory,
    Series, measure_text_width_family,
};

/// The DKFDS data-visualisation guideline allows at most 10 bars per chart.
pub const MAX_CATEGORIES: usize = 10;

/// Bar colours: dark steps with at least 3:1 contrast against white (WCAG 1.4.11), so
/// every bar is visible. Colour never carries meaning alone: the legend names each
/// series and the page repeats the numbers in a table. More series than colours reuse them.
const PALETTE: [&str; 6] = [
    "#004d99", "#7a3b00", "#2b6b2b", "#5a2d82", "#8a1538", "#00606b",
];

/// Width of the coordinate system; the SVG itself scales to its container.
const VIEW_WIDTH: f32 = 600.0;
const VERTICAL_HEIGHT: f32 = 360.0;
// Room for the value axis and margins beside the category labels of a vertical chart.
const VALUE_AXIS_ALLOWANCE: f32 = 100.0;
const LABEL_FONT_SIZE: f32 = 14.0;
// Horizontal charts grow with their rows so long labels stay readable.
const HORIZONTAL_FRAME: f32 = 110.0;
const ROW_GAP: f32 = 16.0;
const BAR_THICKNESS: f32 = 18.0;

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
    /// Visible title and accessible name; must not be blank.
    pub title: String,
    /// Text alternative: what the chart shows and its main finding.
    pub description: String,
    /// Bar labels, at most [`MAX_CATEGORIES`].
    pub categories: Vec<String>,
    pub series: Vec<BarSeries>,
    /// Bars run to the right; suits long labels such as reasons. Vertical charts whose
    /// labels do not fit side by side are drawn horizontally anyway.
    pub horizontal: bool,
    /// Prefix for the element ids inside the SVG, sanitised to `[a-z0-9-]`. Must be
    /// unique on the page; when blank it is derived from the title.
    pub id: String,
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
    #[error("the chart could not be drawn: {0}")]
    Render(String),
}

/// Validates `chart`, draws it as SVG and makes the SVG accessible and fluid-width.
///
/// The root `<svg>` gets `role="img"`, `width="100%"` (no fixed height, the `viewBox`
/// keeps the aspect ratio) and `aria-labelledby` pointing at a `<title>` and, when the
/// description is not blank, a `<desc>`. Hidden (`NaN`) values are drawn as no bar.
pub fn render_bar(chart: &BarChart) -> Result<String, ChartError> {
    validate(chart)?;
    let svg = draw(chart)?;
    make_accessible(&svg, chart)
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

fn draw(chart: &BarChart) -> Result<String, ChartError> {
    let mut categories = chart.categories.clone();
    let mut series: Vec<Series> = chart
        .series
        .iter()
        .map(|s| {
            // A missing point is skipped by charts-rs: no bar, no label, no "NaN" text.
            let data = s.values.iter().map(|v| v.is_finite().then_some(*v as f32));
            // Value labels put the numbers on the bars too; hidden ones get none.
            let series = Series::new_nullable(s.name.clone(), data.collect());
            Series {
                label_show: true,
                ..series
            }
        })
        .collect();
    let horizontal = chart.horizontal || !labels_fit_side_by_side(&categories);
    if horizontal {
        // charts-rs puts the first category at the bottom; reverse so the chart reads
        // top-down in the same order as the table under it.
        categories.reverse();
        series.iter_mut().for_each(|s| s.data.reverse());
    }
    let title = chart.title.clone();
    // Layout is third-party float arithmetic; a panic there must not take the page down.
    let drawn = catch_unwind(AssertUnwindSafe(move || {
        if horizontal {
            let rows = categories.len() as f32;
            let per_row = ROW_GAP + BAR_THICKNESS * series.len() as f32;
            let mut c = HorizontalBarChart::new(series, categories);
            style(&mut c, title, HORIZONTAL_FRAME + rows * per_row);
            c.svg()
        } else {
            let mut c = charts_rs::BarChart::new(series, categories);
            style(&mut c, title, VERTICAL_HEIGHT);
            c.x_axis.font.size = LABEL_FONT_SIZE;
            // Fallback in case labels_fit_side_by_side misjudges: the default would thin
            // out colliding labels, dropping categories.
            c.x_axis.label_overflow = AxisLabelOverflow::Rotate;
            c.svg()
        }
    }));
    match drawn {
        Ok(Ok(svg)) => Ok(svg),
        Ok(Err(e)) => Err(ChartError::Render(e.to_string())),
        Err(_) => Err(ChartError::Render("the chart library panicked".to_string())),
    }
}

/// Whether the category labels fit unrotated under vertical bars. Rotated or thinned-out
/// labels are hard or impossible to read, so such charts are drawn horizontally instead.
fn labels_fit_side_by_side(categories: &[String]) -> bool {
    // Same measure as charts-rs: the labels joined by spaces, in the font it measures with.
    measure_text_width_family(DEFAULT_FONT_FAMILY, LABEL_FONT_SIZE, &categories.join(" "))
        .is_ok_and(|b| b.width() <= VIEW_WIDTH - VALUE_AXIS_ALLOWANCE)
}

fn style(base: &mut ChartBase, title: String, height: f32) {
    base.width = VIEW_WIDTH;
    base.height = height;
    base.title.text = title;
    // Text is measured with the embedded Roboto; browsers without it get a sans fallback.
    base.font_family = "Roboto, Arial, sans-serif".to_string();
    base.series.colors = PALETTE.iter().map(|&c| Color::from(c)).collect();
    base.legend.show = Some(true);
    // A filled square matches the bars it names; the default line-and-dot suits lines.
    base.legend.category = LegendCategory::Rect;
    // Crowded labels are dropped rather than drawn over each other; the table has them all.
    base.series.label.hide_overlap = true;
}

fn make_accessible(svg: &str, chart: &BarChart) -> Result<String, ChartError> {
    let bad = |what: &str| ChartError::Render(format!("unexpected SVG output: {what}"));
    let start = svg.find("<svg").ok_or_else(|| bad("no <svg> root"))?;
    // Attribute values are escaped, so the first '>' closes the root tag.
    let end = svg[start..]
        .find('>')
        .ok_or_else(|| bad("unclosed <svg>"))?
        + start;
    let view_box = svg[start..end]
        .split(" viewBox=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or_else(|| bad("no viewBox"))?;

    let prefix = id_prefix(chart);
    let desc = chart.description.trim();
    let (desc_ref, desc_el) = if desc.is_empty() {
        (String::new(), String::new())
    } else {
        let el = format!("\n<desc id=\"{prefix}-desc\">{}</desc>", svg_escape(desc));
        (format!(" {prefix}-desc"), el)
    };
    // Rebuilt rather than patched: drops the fixed pixel width/height so the chart
    // reflows down to a 320 px screen, while viewBox keeps the aspect ratio.
    Ok(format!(
        "{}<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{}\" width=\"100%\" \
         role=\"img\" aria-labelledby=\"{prefix}-title{desc_ref}\">\n\
         <title id=\"{prefix}-title\">{}</title>{desc_el}{}",
        &svg[..start],
        svg_escape(view_box),
        svg_escape(chart.title.trim()),
        &svg[end + 1..],
    ))
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
mod tests {
    use super::*;

    fn chart(horizontal: bool) -> BarChart {
        let series = |name: &str, values: [f64; 3]| BarSeries {
            name: name.into(),
            values: values.to_vec(),
        };
        BarChart {
            title: "Cases & outcomes".into(),
            description: "Approved cases rose in March.".into(),
            categories: vec!["Jan".into(), "Feb <2>".into(), "Mar & Apr".into()],
            series: vec![
                series("Approved", [12.0, 7.0, 30.0]),
                series("Rejected", [3.0, 4.0, 1.0]),
            ],
            horizontal,
            id: "Cases 2024!".into(),
        }
    }

    #[test]
    fn renders_accessible_vertical_and_horizontal_charts() {
        for horizontal in [false, true] {
            let svg = render_bar(&chart(horizontal)).unwrap();
            let (root, body) = svg.split_once('>').unwrap();
            assert!(root.contains(r#"role="img""#), "{root}");
            assert!(root.contains(r#"aria-labelledby="cases-2024-title cases-2024-desc""#));
            assert!(root.contains(r#"width="100%""#) && root.contains("viewBox=\"0 0 600 "));
            assert!(!root.contains(" height=\""), "{root}");
            assert!(body.starts_with(
                "\n<title id=\"cases-2024-title\">Cases &amp; outcomes</title>\n\
                 <desc id=\"cases-2024-desc\">Approved cases rose in March.</desc>"
            ));
            for label in ["Feb &lt;2&gt;", "Mar &amp; Apr", "Approved", "Rejected"] {
                assert!(svg.contains(label), "missing {label}");
            }
            assert!(!svg.contains("Feb <2>") && !svg.contains("Mar & Apr"));
        }
    }

    #[test]
    fn long_labels_are_all_shown() {
        let mut c = chart(false);
        c.categories = (1..=10)
            .map(|i| format!("Application received {i}"))
            .collect();
        c.series.truncate(1);
        c.series[0].values = (1..=10).map(f64::from).collect();
        let svg = render_bar(&c).unwrap();
        for label in &c.categories {
            assert!(svg.contains(&format!("\n{label}\n")), "missing {label}");
        }
    }

    #[test]
    fn rejects_invalid_charts() {
        let mut c = chart(false);
        c.categories.clear();
        assert!(matches!(render_bar(&c), Err(ChartError::Empty)));
        c = chart(false);
        c.title = " ".into();
        assert!(matches!(render_bar(&c), Err(ChartError::Empty)));

        c = chart(false);
        c.series[1].values.pop();
        let err = render_bar(&c).unwrap_err();
        assert!(
            matches!(&err, ChartError::Mismatch { series, expected: 3, got: 2 } if series == "Rejected"),
            "{err:?}"
        );

        c = chart(true);
        c.categories = (1..=11).map(|i| format!("Reason {i}")).collect();
        c.series.truncate(1);
        c.series[0].values = vec![1.0; 11];
        let err = render_bar(&c).unwrap_err();
        assert!(matches!(err, ChartError::TooManyCategories(11)), "{err:?}");
    }

    #[test]
    fn escapes_script_in_title() {
        let mut c = chart(false);
        c.title = "<script>alert('x')</script>".into();
        let svg = render_bar(&c).unwrap();
        assert!(!svg.contains("<script"));
        assert!(svg.contains("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;"));
        assert_eq!(svg_escape(r#"a"b"#), "a&quot;b");
        // A hostile title still yields a safe id when no id is given.
        c.id = "***".into();
        assert_eq!(id_prefix(&c), "script-alert-x-script");
    }

    #[test]
    fn hidden_values_draw_no_bar_and_no_nan() {
        for horizontal in [false, true] {
            let mut c = chart(horizontal);
            c.series[0].values[1] = f64::NAN;
            c.series[1].values = vec![f64::NAN; 3];
            let svg = render_bar(&c).unwrap();
            assert!(!svg.contains("NaN") && svg.contains("Feb &lt;2&gt;"));
            assert!(
                !svg.contains(r#"data-series="Rejected""#),
                "hidden bar drawn"
            );
            c.series[0].values = vec![f64::NAN; 3];
            assert!(!render_bar(&c).unwrap().contains("NaN"));
        }
    }

    #[test]
    fn palette_contrast_is_at_least_3_to_1() {
        for hex in PALETTE {
            let channel = |i: usize| {
                let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
                if v <= 0.03928 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            let lum = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
            assert!(1.05 / (lum + 0.05) >= 3.0, "{hex}");
        }
    }
}
