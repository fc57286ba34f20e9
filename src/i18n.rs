//! User-interface strings in Danish, English and Arabic, kept as Fluent files under `locales/`.
//! Questionnaire content lives in the instrument file instead, versioned with the instrument.

use fluent_templates::{Loader, static_loader};
use serde::{Deserialize, Serialize};
use unic_langid::{LanguageIdentifier, langid};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "da",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The languages the service is offered in. Danish is the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Da,
    En,
    Ar,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Da, Lang::En, Lang::Ar];

    /// The BCP 47 code used in `lang` attributes, cookies and the instrument's texts.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Da => "da",
            Lang::En => "en",
            Lang::Ar => "ar",
        }
    }

    /// Arabic is written right to left; the page sets `dir` explicitly, never by guessing.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            Lang::Da | Lang::En => "ltr",
        }
    }

    /// The language's name written in that language, as a language switcher shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Da => "Dansk",
            Lang::En => "English",
            Lang::Ar => "العربية",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim() {
            "da" => Some(Lang::Da),
            "en" => Some(Lang::En),
            "ar" => Some(Lang::Ar),
            _ => None,
        }
    }

    fn langid(self) -> LanguageIdentifier {
        match self {
            Lang::Da => langid!("da"),
            Lang::En => langid!("en"),
            Lang::Ar => langid!("ar"),
        }
    }

    /// The UI string `key` in this language (falls back to Danish, then to the key itself,
    /// which the locale completeness test forbids).
    pub fn t(self, key: &str) -> String {
        LOCALES.lookup(&self.langid(), key)
    }

    /// A calendar day as people write it in this language: `30. nov. 2026`,
    /// `30 Nov 2026`, `30 نوفمبر 2026` (the page keeps it on one line).
    pub fn day(self, day: u8, month: u8, year: i32) -> String {
        let month = self.t(&format!("month-{}", month.clamp(1, 12)));
        // No-break spaces: a date never breaks over two lines.
        self.t_args(
            "date-day",
            &[
                ("day", day.to_string()),
                ("month", month),
                ("year", year.to_string()),
            ],
        )
        .replace(' ', "\u{a0}")
    }

    /// The UI string `key` with named arguments, e.g. `("current", 7)`.
    pub fn t_args(self, key: &str, args: &[(&'static str, String)]) -> String {
        let map: std::collections::HashMap<
            std::borrow::Cow<'static, str>,
            fluent_templates::fluent_bundle::FluentValue,
        > = args
            .iter()
            .map(|(k, v)| ((*k).into(), v.clone().into()))
            .collect();
        LOCALES.lookup_with_args(&self.langid(), key, &map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key used in any language must exist in every language, so no person
    /// ever meets a raw key or a Danish string in the middle of an Arabic page.
    #[test]
    fn every_locale_has_every_key() {
        let keys = |code: &str| -> std::collections::BTreeSet<String> {
            let path = format!("{}/locales/{code}/main.ftl", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            text.lines()
                .filter_map(|l| l.split_once(" = ").map(|(k, _)| k))
                .filter(|k| !k.starts_with([' ', '#', '.']) && !k.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let da = keys("da");
        assert!(da.len() > 10, "the Danish locale looks empty");
        for lang in ["en", "ar"] {
            let other = keys(lang);
            let missing: Vec<_> = da.difference(&other).collect();
            let extra: Vec<_> = other.difference(&da).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            assert!(extra.is_empty(), "{lang} has keys Danish lacks: {extra:?}");
        }
    }

    /// Danish texts a recipient reads are written for people who read poorly: every
    /// sentence-length text (six words or more) has LIX at most 30. Caseworker pages and
    /// the formal parts of the accessibility statement are exempt.
    #[test]
    fn recipient_texts_in_danish_are_easy_to_read() {
        let path = format!("{}/locales/da/main.ftl", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let staff = [
            "iv-",
            "cw-",
            "paper-",
            "login-",
            "error-login-",
            "account-",
            "password-",
            "error-password-",
            "role-",
            "a11y-status",
            "a11y-contact",
            "home-staff",
            "home-caseworker",
            "home-manager",
            "cases-",
            "case-",
            "invite-code",
            "invite-created",
            "invite-expires",
            "invite-status",
            "admin-",
            "audit-",
            "nav-",
            "error-admin-",
            "error-reference-",
            "error-birth-year-",
            "error-case-",
            "error-erase-",
            "error-audit-",
            "mark-",
            "age-",
            "forbidden-",
            "dash-",
            "items-",
            "error-dash-",
            "error-rows-",
            "footer-staff-",
            "help-",
            "error-help-",
            // API tokens: administrators only.
            "tokens-",
            "ov-",
            "fair-",
            "agree-",
            "cal-",
        ];
        let mut too_hard = Vec::new();
        for (key, value) in text.lines().filter_map(|l| l.split_once(" = ")) {
            if key.starts_with('#') || staff.iter().any(|p| key.starts_with(p)) {
                continue;
            }
            let words = value
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .count();
            let lix = crate::domain::lix::lix(value);
            if words >= 6 && lix > crate::domain::lix::MAX_RECIPIENT_LIX {
                too_hard.push(format!("{key} (LIX {lix:.1}): {value}"));
            }
        }
        assert!(
            too_hard.is_empty(),
            "hard to read:\n{}",
            too_hard.join("\n")
        );
    }

    #[test]
    fn lookups_differ_by_language_and_take_arguments() {
        assert_eq!(Lang::Da.t("product-name"), "Digiparat");
        assert_ne!(Lang::Da.t("home-title"), Lang::En.t("home-title"));
        assert_ne!(Lang::En.t("home-title"), Lang::Ar.t("home-title"));
        assert_eq!(Lang::from_code("ar").map(Lang::dir), Some("rtl"));
        assert_eq!(Lang::from_code("xx"), None);
    }
}

/// The language of the page being rendered, as the shell provided it.
pub fn use_lang() -> Lang {
    leptos::prelude::use_context::<Lang>().unwrap_or_default()
}

/// An age band's label (`domain::case::AgeBand` codes).
pub fn age_band_label(lang: Lang, band: &str) -> String {
    lang.t(match band {
        "under-25" => "age-u25",
        "25-34" => "age-25-34",
        "35-44" => "age-35-44",
        "45-54" => "age-45-54",
        _ => "age-55",
    })
}
