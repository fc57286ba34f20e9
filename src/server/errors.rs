//! Error pages a browser can show. Handlers and layers answer failures with a status and a
//! short body meant for programs (JSON or a sentence); a person's browser must never show
//! that raw. `html_for_browsers` turns every 5xx answer to a request that does not ask for
//! JSON into a small page in the person's language that says what happened and what to do.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use http::{StatusCode, header};

use crate::html::escape;
use crate::i18n::Lang;

/// Paths whose callers are programs: they keep the JSON answer whatever they accept.
fn for_programs(path: &str) -> bool {
    path == "/healthz" || path.starts_with("/api/")
}

fn wants_json(headers: &http::HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

pub async fn html_for_browsers(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let json = wants_json(req.headers());
    let lang = crate::server::lang::request_lang(req.uri(), req.headers());
    let response = next.run(req).await;
    let status = response.status();
    // A page that is already HTML (a page that could not load its data) stays as it is.
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !status.is_server_error() || json || html || for_programs(&path) {
        return response;
    }
    let mut page = error_page(status, lang);
    // Keep what the failure said about retrying.
    if let Some(retry) = response.headers().get(header::RETRY_AFTER) {
        page.headers_mut()
            .insert(header::RETRY_AFTER, retry.clone());
    }
    page
}

/// A whole HTML page for a failure: nothing the person sent was stored, try again later.
pub fn error_page(status: StatusCode, lang: Lang) -> Response {
    let title = escape(&lang.t("unavailable-title"));
    let body = escape(&lang.t("unavailable-body"));
    let home = escape(&lang.t("not-found-home"));
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{code}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} – Digiparat</title><link rel=\"stylesheet\" href=\"/pkg/digiparat.css\">\
         </head><body><header class=\"site-header\"><div class=\"container site-header-inner\">\
         <a class=\"brand\" href=\"/\"><span class=\"brand-name\">Digiparat</span></a></div></header>\
         <main id=\"main\" class=\"container\"><h1>{title}</h1><p>{body}</p>\
         <p><a href=\"/\">{home}</a></p></main></body></html>",
        code = lang.code(),
        dir = lang.dir(),
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_the_page_texts() {
        for lang in Lang::ALL {
            for key in ["unavailable-title", "unavailable-body"] {
                let text = lang.t(key);
                assert!(!text.is_empty() && text != key, "{key} in {lang:?}");
            }
        }
    }
}
