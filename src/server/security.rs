//! Browser-facing protections on every response: a Content-Security-Policy with a fresh
//! nonce for the few inline scripts Leptos writes (no `unsafe-inline`), framing refused,
//! no MIME sniffing, referrers kept on this site; and a CSRF guard that refuses a
//! state-changing request sent from another site's page.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

/// The nonce of this response's inline scripts; the shell hands it to Leptos.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// `form-action` also admits the identity provider's origin when one is configured:
/// signing out sends the person on to end their session there.
pub async fn headers(
    axum::extract::State(state): axum::extract::State<crate::server::state::AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let nonce = hex::encode(rand::random::<[u8; 16]>());
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    let provider = state
        .oidc
        .as_ref()
        .map(|o| format!(" {}", o.config.origin()))
        .unwrap_or_default();
    // WASM needs 'wasm-unsafe-eval' to compile; it allows no JavaScript eval.
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'{provider}; frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Same-origin keeps the Referer that no-JavaScript server-function forms return to.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// Refuses a state-changing request whose `Origin` (or, without it, `Referer`) names
/// another site, that the browser marks as cross-site, or that carries neither header
/// without `Sec-Fetch-Site: same-origin` (every current browser sends one of the three
/// with a form post or fetch of this site's pages). SameSite=Lax cookies already keep
/// the session off such requests; this also covers the recipient's device cookie and any
/// browser that ignores SameSite. The JSON API for other systems (`/api/v1/`) uses no
/// cookies and is left to its own checks.
pub async fn same_origin_writes(req: Request, next: Next) -> Response {
    if is_safe(req.method())
        || req.uri().path().starts_with("/api/v1/")
        || comes_from_this_site(req.headers())
    {
        return next.run(req).await;
    }
    tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
    (
        StatusCode::FORBIDDEN,
        "Refused: the request came from another website.",
    )
        .into_response()
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// True unless the browser says the request came from a page on another site.
pub fn comes_from_this_site(headers: &HeaderMap) -> bool {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if text(header::HeaderName::from_static("sec-fetch-site")) == Some("cross-site") {
        return false;
    }
    let Some(host) = text(header::HOST) else {
        return false;
    };
    let source = match text(header::ORIGIN) {
        // Some privacy modes send the literal "null" origin: treat it as foreign.
        Some(origin) => Some(origin),
        None => text(header::REFERER),
    };
    match source {
        None => text(header::HeaderName::from_static("sec-fetch-site")) == Some("same-origin"),
        Some(url) => authority(url) == Some(host),
    }
}

/// `host[:port]` of an absolute http(s) URL.
fn authority(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_this_site_may_write() {
        let host = ("host", "app.example:3000");
        assert!(comes_from_this_site(&headers(&[
            host,
            ("origin", "http://app.example:3000")
        ])));
        assert!(comes_from_this_site(&headers(&[
            host,
            ("referer", "https://app.example:3000/self/q/U1?x=1")
        ])));
        assert!(
            !comes_from_this_site(&headers(&[host])),
            "neither Origin nor Referer"
        );
        assert!(comes_from_this_site(&headers(&[
            host,
            ("sec-fetch-site", "same-origin")
        ])));
        assert!(!comes_from_this_site(&headers(&[
            host,
            ("sec-fetch-site", "none")
        ])));
        assert!(!comes_from_this_site(&headers(&[
            host,
            ("origin", "http://evil.example")
        ])));
        assert!(!comes_from_this_site(&headers(&[host, ("origin", "null")])));
        assert!(!comes_from_this_site(&headers(&[
            host,
            ("origin", "http://app.example:3000.evil.example")
        ])));
        assert!(!comes_from_this_site(&headers(&[
            host,
            ("sec-fetch-site", "cross-site")
        ])));
    }
}
