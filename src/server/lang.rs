//! Resolves the page language for each request: `?lang=` first (and remembered in a
//! cookie), then the cookie, then Danish. Pages read it from the request extensions.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::HeaderValue;
use http::header::SET_COOKIE;

use crate::i18n::Lang;

const COOKIE_NAME: &str = "lang";

pub async fn resolve_language(mut req: Request, next: Next) -> Response {
    let from_query = query_lang(req.uri());
    let from_cookie = cookie_lang(req.headers());
    let lang = from_query.or(from_cookie).unwrap_or_default();
    req.extensions_mut().insert(lang);
    let mut response = next.run(req).await;
    if from_query.is_some() && from_query != from_cookie {
        response.headers_mut().append(SET_COOKIE, lang_cookie(lang));
    }
    response
}

/// The language of a request as `resolve_language` decides it, for code outside it.
pub fn request_lang(uri: &http::Uri, headers: &http::HeaderMap) -> Lang {
    query_lang(uri).or(cookie_lang(headers)).unwrap_or_default()
}

fn query_lang(uri: &http::Uri) -> Option<Lang> {
    uri.query().and_then(|q| {
        q.split('&')
            .find_map(|pair| pair.strip_prefix("lang="))
            .and_then(Lang::from_code)
    })
}

/// Whether `cookie` is the language cookie (it says nothing about the person).
pub fn is_language_cookie(cookie: &cookie::Cookie<'_>) -> bool {
    cookie.name() == COOKIE_NAME
}

fn cookie_lang(headers: &http::HeaderMap) -> Option<Lang> {
    crate::server::cookies::cookie_named(headers, COOKIE_NAME).and_then(|c| Lang::from_code(&c))
}

/// The language cookie: not secret, but kept away from scripts and other sites anyway.
pub fn lang_cookie(lang: Lang) -> HeaderValue {
    let cookie = crate::server::cookies::site_cookie(COOKIE_NAME, lang.code(), false, 365);
    // A cookie built from a fixed name and a language code is always a valid header.
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static("lang=da; Path=/"))
}
