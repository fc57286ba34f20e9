use super::*;

fn chart(lang: Lang) -> BarChart {
    let series = |name: &str, values: [f64; 3]| BarSeries {
        name: name.into(),
        values: values.to_vec(),
    };
    BarChart {
        title: "Cases & outcomes".into(),
        description: "Approved cases rose in March.".into(),
        categories: vec!["Jan".into(), "Feb <2>".into(), "Mar & Apr".into()],
        series: vec![
            series("Approved", [12.0, 7.0, 1300.0]),
            series("Rejected", [3.0, 4.0, 1.0]),
        ],
        id: "Cases 2024!".into(),
        lang,
    }
}

#[test]
fn renders_accessible_unscaled_charts() {
    for lang in Lang::ALL {
        let svg = render_bar(&chart(lang)).unwrap_or_default();
        let (root, body) = svg.split_once('>').unwrap_or_default();
        assert!(root.contains(r#"role="img""#), "{root}");
        assert!(root.contains(r#"aria-labelledby="cases-2024-title cases-2024-desc""#));
        // Text is never scaled down with the width: no viewBox, 14 px type.
        assert!(root.contains(r#"width="100%""#) && !root.contains("viewBox"));
        assert!(root.contains(r#"font-size="14""#));
        assert!(body.starts_with(
            "\n<title id=\"cases-2024-title\">Cases &amp; outcomes</title>\n\
             <desc id=\"cases-2024-desc\">Approved cases rose in March.</desc>"
        ));
        for label in ["Feb &lt;2&gt;", "Mar &amp; Apr", "Approved", "Rejected"] {
            assert!(svg.contains(&format!(">{label}<")), "missing {label}");
        }
        assert!(!svg.contains("Feb <2>") && !svg.contains("Mar & Apr"));
    }
}

#[test]
fn numbers_are_written_the_languages_way() {
    assert_eq!(number(1100.0, Lang::Da), "1.100");
    assert_eq!(number(1234567.0, Lang::En), "1,234,567");
    assert_eq!(number(999.0, Lang::Da), "999");
    assert_eq!(number(12000.0, Lang::Ar), "12\u{066C}000");
    let svg = render_bar(&chart(Lang::Da)).unwrap_or_default();
    assert!(svg.contains(">1.300<") && !svg.contains("1.3k"));
}

#[test]
fn an_arabic_chart_is_mirrored() {
    let svg = render_bar(&chart(Lang::Ar)).unwrap_or_default();
    // Labels start at the right edge and bars grow leftwards from it.
    assert!(
        svg.contains(r#"direction="rtl" text-anchor="start">Jan<"#),
        "{svg}"
    );
    assert!(svg.contains(r#"<text x="100%" transform="translate(-0 0)" y=""#));
    // The legend's colour keys stay inside the chart, at its right edge.
    assert!(
        svg.contains(r#"<rect x="100%" transform="translate(-14 0)" y="3" width="14""#),
        "{svg}"
    );
    assert!(svg.contains(r#"<rect x="24%" "#), "{svg}");
    let ltr = render_bar(&chart(Lang::Da)).unwrap_or_default();
    assert!(ltr.contains(r#"<rect x="0%" "#) && !ltr.contains(r#"direction="rtl""#));
}

#[test]
fn long_labels_wrap_and_are_all_shown() {
    let mut c = chart(Lang::Da);
    c.categories = (1..=10)
        .map(|i| format!("Kan ikke logge ind med MitID uden hjælp fra andre {i}"))
        .collect();
    c.series.truncate(1);
    c.series[0].values = (1..=10).map(f64::from).collect();
    let svg = render_bar(&c).unwrap_or_default();
    assert!(svg.contains(">Kan ikke logge ind med MitID<"), "{svg}");
    assert!(svg.contains(">uden hjælp fra andre 7<"));
    assert_eq!(wrap("abc", 32), ["abc"]);
    assert_eq!(wrap(&"x".repeat(40), 32), ["x".repeat(32), "x".repeat(8)]);
    assert!(wrap("", 32).len() == 1);
}

#[test]
fn rejects_invalid_charts() {
    let mut c = chart(Lang::Da);
    c.categories.clear();
    assert!(matches!(render_bar(&c), Err(ChartError::Empty)));
    c = chart(Lang::Da);
    c.title = " ".into();
    assert!(matches!(render_bar(&c), Err(ChartError::Empty)));

    c = chart(Lang::Da);
    c.series[1].values.pop();
    let err = render_bar(&c).err();
    assert!(
        matches!(&err, Some(ChartError::Mismatch { series, expected: 3, got: 2 }) if series == "Rejected"),
        "{err:?}"
    );

    c = chart(Lang::Da);
    c.categories = (1..=11).map(|i| format!("Reason {i}")).collect();
    c.series.truncate(1);
    c.series[0].values = vec![1.0; 11];
    let err = render_bar(&c).err();
    assert!(
        matches!(err, Some(ChartError::TooManyCategories(11))),
        "{err:?}"
    );
}

#[test]
fn escapes_script_in_title() {
    let mut c = chart(Lang::Da);
    c.title = "<script>alert('x')</script>".into();
    let svg = render_bar(&c).unwrap_or_default();
    assert!(!svg.contains("<script"));
    assert!(svg.contains("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;"));
    assert_eq!(svg_escape(r#"a"b"#), "a&quot;b");
    // A hostile title still yields a safe id when no id is given.
    c.id = "***".into();
    assert_eq!(id_prefix(&c), "script-alert-x-script");
}

#[test]
fn hidden_values_draw_no_bar_and_no_nan() {
    let mut c = chart(Lang::Da);
    c.series[0].values[1] = f64::NAN;
    c.series[1].values = vec![f64::NAN; 3];
    let svg = render_bar(&c).unwrap_or_default();
    assert!(!svg.contains("NaN") && svg.contains("Feb &lt;2&gt;"));
    assert!(
        !svg.contains(r#"data-series="Rejected""#),
        "hidden bar drawn"
    );
    c.series[0].values = vec![f64::NAN; 3];
    assert!(!render_bar(&c).unwrap_or_default().contains("NaN"));
}

#[test]
fn palette_contrast_is_at_least_3_to_1() {
    for hex in PALETTE {
        let channel = |i: usize| {
            let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0)) / 255.0;
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
