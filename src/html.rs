//! Escaping for the few places where text reaches markup without the view layer's own
//! escaping: Leptos writes the children of `<textarea>` and the text of `<Title>` as they
//! are (raw-text elements), and the server builds error pages and SVG by hand. Every text a
//! person typed that lands in one of these goes through [`escape`].

/// Text for HTML or XML element content and quoted attribute values: `&`, `<`, `>`, `"`
/// and `'` become character references, which browsers turn back into the same text
/// (also inside `<textarea>` and `<title>`).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_leaves_no_markup() {
        assert_eq!(
            escape(r#"</textarea><meta http-equiv="refresh">'&"#),
            "&lt;/textarea&gt;&lt;meta http-equiv=&quot;refresh&quot;&gt;&apos;&amp;"
        );
        assert_eq!(escape("Ærø ٱلسَّلَام"), "Ærø ٱلسَّلَام");
    }
}
