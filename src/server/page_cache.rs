//! Pages that are the same for everyone who reads them in one language (the landing page,
//! the start of the self-assessment, the paper questionnaire, the statements) are made once
//! per language and kept. A later request for one gets the kept page with its own CSP nonce
//! written in: the same bytes the renderer would make, without rendering them again.
//!
//! A page is only shared when nothing but the language can change it: a `GET` without a
//! query, carrying no cookie but the language's (no staff session, no recipient's device),
//! answered `200` without setting a cookie. Everything else goes to the renderer as before.
//! The kept pages live as long as the process: what they show (the texts, the instrument)
//! only changes with a new release.
//!
//! A recipient's question page is kept by its **view** instead: the language, the address,
//! and everything the page shows (the question, its choices, what this person chose,
//! where they are, where "back" goes), worked out from their answers before rendering.
//! The renderer then shows that very view (`PrecomputedQuestion`), so the kept page is
//! the page of its key. Two people whose pages would be the same get the same bytes;
//! the page holds no token, code or name. At most `MAX_VIEWS` are kept; when that is
//! reached, they are dropped and made again as asked for.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use http::{HeaderMap, Method, StatusCode};

use crate::api::self_assessment::{DEVICE_COOKIE, PrecomputedQuestion, QuestionView, question_of};
use crate::i18n::Lang;
use crate::server::lang;
use crate::server::security::CspNonce;
use crate::server::state::AppState;
use crate::server::write_stamp::STAMP_COOKIE;

/// The pages that depend on the language only. Each is a public page of the route table
/// (`tests/it/page_cache.rs` checks that, and that each is served the same kept or not).
pub const SHARED_PAGES: &[&str] = &[
    "/",
    "/self",
    "/self/intro",
    "/paper",
    "/login",
    "/accessibility",
    "/privacy",
];

/// The largest page that is kept (the paper questionnaire, the longest, is ~60 KB).
const MAX_KEPT: usize = 1024 * 1024;

/// The most question pages kept by view (about 8 KB each with their key).
const MAX_VIEWS: usize = 4096;

/// The kept pages, by path and language; question pages by view.
#[derive(Default)]
pub struct PageCache {
    pages: RwLock<HashMap<(&'static str, Lang), Arc<Kept>>>,
    views: RwLock<HashMap<ViewKey, Arc<Kept>>>,
}

/// What a question page is made of: its language, its address (path and query), and the
/// view it shows.
#[derive(Clone, PartialEq, Eq, Hash)]
struct ViewKey {
    lang: Lang,
    target: String,
    view: QuestionView,
}

/// A kept page: its headers, and its body cut where the nonce stood.
struct Kept {
    status: StatusCode,
    headers: HeaderMap,
    pieces: Vec<Bytes>,
}

impl PageCache {
    /// How many pages are kept.
    pub fn len(&self) -> usize {
        self.pages.read().map(|p| p.len()).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn get(&self, key: &(&'static str, Lang)) -> Option<Arc<Kept>> {
        self.pages.read().ok()?.get(key).cloned()
    }

    fn put(&self, key: (&'static str, Lang), kept: Kept) {
        if let Ok(mut pages) = self.pages.write() {
            pages.insert(key, Arc::new(kept));
        }
    }

    /// How many question pages are kept by view.
    pub fn views(&self) -> usize {
        self.views.read().map(|v| v.len()).unwrap_or_default()
    }

    fn view(&self, key: &ViewKey) -> Option<Arc<Kept>> {
        self.views.read().ok()?.get(key).cloned()
    }

    fn put_view(&self, key: ViewKey, kept: Kept) {
        if let Ok(mut views) = self.views.write() {
            if views.len() >= MAX_VIEWS {
                views.clear();
            }
            views.insert(key, Arc::new(kept));
        }
    }
}

impl Kept {
    fn response(&self, nonce: &str) -> Response {
        let len = self.pieces.iter().map(Bytes::len).sum::<usize>()
            + nonce.len() * (self.pieces.len() - 1);
        let mut body = Vec::with_capacity(len);
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                body.extend_from_slice(nonce.as_bytes());
            }
            body.extend_from_slice(piece);
        }
        let mut response = Response::new(Body::from(body));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers.clone();
        response
    }
}

/// Serves a shared page or a question page from the kept ones, or renders it and keeps
/// it. Sits inside the security headers (it needs this response's nonce) and outside
/// `document::finish`, so that what it keeps is the finished page.
pub async fn serve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(nonce) = req.extensions().get::<CspNonce>().map(|n| n.0.clone()) else {
        return next.run(req).await;
    };
    if let Some(key) = shared(&req) {
        if let Some(kept) = state.pages.get(&key) {
            return kept.response(&nonce);
        }
        let response = next.run(req).await;
        return keep(response, &nonce, |kept| state.pages.put(key, kept)).await;
    }
    let Some(key) = question_view(&state, req.method(), req.uri(), req.headers()).await else {
        return next.run(req).await;
    };
    if let Some(kept) = state.pages.view(&key) {
        return kept.response(&nonce);
    }
    req.extensions_mut().insert(PrecomputedQuestion {
        item: key.view.item.clone(),
        from_check: key.view.from_check,
        view: key.view.clone(),
    });
    let response = next.run(req).await;
    keep(response, &nonce, |kept| state.pages.put_view(key, kept)).await
}

/// Keeps a finished page through `put` when it can be shared: `200`, HTML, no cookie set.
async fn keep(response: Response, nonce: &str, put: impl FnOnce(Kept)) -> Response {
    let keepable = response.status() == StatusCode::OK
        && !response.headers().contains_key(SET_COOKIE)
        && response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    if !keepable || nonce.is_empty() {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_KEPT).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "a shared page could not be read whole");
            return crate::error::AppError::broken(e.to_string()).into_response();
        }
    };
    put(Kept {
        status: parts.status,
        headers: parts.headers.clone(),
        pieces: cut(&bytes, nonce.as_bytes()),
    });
    Response::from_parts(parts, Body::from(bytes))
}

/// The view of a recipient's question page: a `GET` of `/self/q/{item}` with no query
/// but `from=check`, carrying only the language, device and stamp cookies, whose view can be
/// worked out (anything else, e.g. a redirect, goes to the renderer as before).
async fn question_view(
    state: &AppState,
    method: &Method,
    uri: &http::Uri,
    headers: &HeaderMap,
) -> Option<ViewKey> {
    let item = uri.path().strip_prefix("/self/q/")?;
    let from_check = match uri.query() {
        None => false,
        Some("from=check") => true,
        Some(_) => return None,
    };
    if method != Method::GET || item.is_empty() || item.contains('/') {
        return None;
    }
    if !only_cookies(headers, |c| {
        c.name() == DEVICE_COOKIE || c.name() == STAMP_COOKIE
    }) {
        return None;
    }
    let lang = lang::request_lang(uri, headers);
    let view = question_of(state, headers, lang, item.to_owned(), None, from_check)
        .await
        .ok()?;
    Some(ViewKey {
        lang,
        target: uri.to_string(),
        view,
    })
}

/// Whether every cookie is the language's or one `also` allows.
fn only_cookies(headers: &HeaderMap, also: impl Fn(&cookie::Cookie) -> bool) -> bool {
    headers.get_all(COOKIE).iter().all(|v| {
        v.to_str().is_ok_and(|s| {
            cookie::Cookie::split_parse(s)
                .all(|c| c.is_ok_and(|c| lang::is_language_cookie(&c) || also(&c)))
        })
    })
}

/// The path and language of a request for a shared page, if it is one.
fn shared(req: &Request) -> Option<(&'static str, Lang)> {
    if req.method() != Method::GET || req.uri().query().is_some() {
        return None;
    }
    let path = SHARED_PAGES.iter().find(|p| **p == req.uri().path())?;
    only_cookies(req.headers(), |c| c.name() == STAMP_COOKIE)
        .then(|| (*path, lang::request_lang(req.uri(), req.headers())))
}

/// `page` cut at every occurrence of `nonce` (a random 128-bit value: it stands nowhere
/// else).
fn cut(page: &Bytes, nonce: &[u8]) -> Vec<Bytes> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at + nonce.len() <= page.len() {
        if &page[at..at + nonce.len()] == nonce {
            pieces.push(page.slice(start..at));
            at += nonce.len();
            start = at;
        } else {
            at += 1;
        }
    }
    pieces.push(page.slice(start..));
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_page_takes_each_requests_nonce() {
        let page =
            Bytes::from_static(b"<script nonce=\"aaaa\">x</script><p>aa</p><s nonce=\"aaaa\">");
        let kept = Kept {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            pieces: cut(&page, b"aaaa"),
        };
        assert_eq!(kept.pieces.len(), 3);
        let body = futures_util::FutureExt::now_or_never(axum::body::to_bytes(
            kept.response("b1").into_body(),
            1024,
        ));
        assert_eq!(
            body.and_then(Result::ok).as_deref(),
            Some(&b"<script nonce=\"b1\">x</script><p>aa</p><s nonce=\"b1\">"[..])
        );
    }

    #[test]
    fn a_page_without_the_nonce_is_one_piece() {
        let page = Bytes::from_static(b"<p>plain</p>");
        assert_eq!(cut(&page, b"abcd"), vec![page.clone()]);
    }
}
