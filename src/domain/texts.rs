//! Texts in the supported languages. Danish is the source language, so any lookup of a
//! language a text lacks falls back to Danish rather than showing nothing.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every text of an instrument must exist in each of these (checked when loading).
pub const LANGUAGES: [&str; 3] = ["da", "en", "ar"];

const FALLBACK: &str = "da";

/// One text keyed by language code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Text(BTreeMap<String, String>);

impl Text {
    /// The text in `lang`, else in Danish.
    pub fn get(&self, lang: &str) -> &str {
        self.0
            .get(lang)
            .or_else(|| self.0.get(FALLBACK))
            .map_or("", String::as_str)
    }

    /// The first required language that is absent or blank.
    pub(super) fn missing_language(&self) -> Option<&'static str> {
        LANGUAGES
            .into_iter()
            .find(|lang| self.0.get(*lang).is_none_or(|t| t.trim().is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_danish() {
        let text = Text(BTreeMap::from([
            ("da".to_owned(), "Hej".to_owned()),
            ("en".to_owned(), "Hello".to_owned()),
        ]));
        assert_eq!(text.get("en"), "Hello");
        assert_eq!(text.get("ar"), "Hej");
        assert_eq!(text.get("xx"), "Hej");
        assert_eq!(text.missing_language(), Some("ar"));
    }
}
