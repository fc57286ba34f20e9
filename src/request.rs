//! What the server established about the request being answered (its language, the
//! signed-in person, a refusal by the route table, its query), for the pages and the
//! server functions alike. Read from the request parts Leptos provides; empty in the
//! browser.

use crate::i18n::Lang;

/// The language the server resolved for the current request (see `server::lang`).
pub fn request_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Lang>().copied())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        Lang::default()
    }
}

/// A value the server's middleware put on the current request.
#[cfg(feature = "ssr")]
pub fn request_extension<T: Clone + Send + Sync + 'static>() -> Option<T> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<T>().cloned())
}

/// True when the route table refused this page to the signed-in person's role.
pub fn request_denied() -> bool {
    #[cfg(feature = "ssr")]
    {
        request_extension::<crate::server::access::Denied>().is_some()
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

/// The current query parameters, for links that must come back to the same page
/// (the language switcher keeps the person exactly where they are).
pub fn request_query() -> Vec<(String, String)> {
    #[cfg(feature = "ssr")]
    {
        let Some(parts) = leptos::prelude::use_context::<http::request::Parts>() else {
            return Vec::new();
        };
        parts
            .uri
            .query()
            .map(|q| {
                q.split('&')
                    .filter_map(|pair| {
                        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                        (!k.is_empty()).then(|| (k.to_owned(), v.to_owned()))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        Vec::new()
    }
}

/// `k=v&k=v`, each value percent-encoded (all but letters, digits and `-_.~`), for an
/// address the server builds (a form sent back with what was typed, a filtered view).
pub fn url_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_are_encoded_and_names_kept() {
        assert_eq!(
            super::url_pairs(&[("reference", "NORD 7/ø"), ("birth_year", "1980")]),
            "reference=NORD%207%2F%C3%B8&birth_year=1980"
        );
    }
}
