//! Every HTML page leaves the server as one valid document (the Nu Html Checker's test in
//! `tests/it/valid_html.rs` reads every page). Leptos 0.8 writes three things HTML does
//! not allow, which [`tidy`] mends in one pass over the finished page:
//!
//! - `<link rel="modulepreload" crossorigin="NONCE">`: `HydrationScripts` puts the CSP
//!   nonce into `crossorigin`. Browsers read an unknown value as `anonymous`, so that is
//!   written instead: the same request, now valid.
//! - `<!>`: the renderer's hydration markers (empty, hence bogus, comments). They are
//!   dropped everywhere, also inside a `<leptos-island>` and among the scripts after the
//!   document. The server is built with `erase_components` (`.cargo/config.toml`), and its
//!   type-erased views mark places that the islands' own, fully typed code (the WASM)
//!   neither writes nor looks for: the islands are written so that they need no markers,
//!   and the browser tests hydrate them from pages without any.
//! - the resource scripts the integration appends after `</html>` move before `</body>`.
//!
//! [`finish`] applies it to every `text/html` response and sends the page with its length
//! instead of in chunks.

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header;

use crate::server::security::CspNonce;

/// The largest page the server makes (the paper questionnaire is the longest, ~60 KB).
const MAX_PAGE: usize = 16 * 1024 * 1024;

pub async fn finish(req: Request, next: Next) -> Response {
    let nonce = req.extensions().get::<CspNonce>().cloned();
    let response = next.run(req).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_PAGE).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "a page could not be rendered whole");
            return crate::error::AppError::broken(e.to_string()).into_response();
        }
    };
    let page = match std::str::from_utf8(&bytes) {
        Ok(text) => tidy(text, nonce.as_ref().map(|n| n.0.as_str())),
        Err(_) => return Response::from_parts(parts, Body::from(bytes)),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::TRANSFER_ENCODING);
    Response::from_parts(parts, Body::from(page))
}

/// The page with Leptos's invalid markup mended (see the module's description).
pub fn tidy(html: &str, nonce: Option<&str>) -> String {
    let mut out = String::with_capacity(html.len());
    let (document, trailer) = split_trailer(html);
    mend(document, trailer, nonce, &mut out);
    out
}

/// Copies `document` into `out` mended, with `trailer` (mended too) put before `</body>`,
/// or at the end when there is no `</body>`.
fn mend(document: &str, mut trailer: &str, nonce: Option<&str>, out: &mut String) {
    let bytes = document.as_bytes();
    let mut copied = 0;
    let mut at = 0;
    while let Some(offset) = memchr(b'<', &bytes[at..]) {
        let start = at + offset;
        let rest = &document[start..];
        if rest.starts_with("<!>") {
            out.push_str(&document[copied..start]);
            at = start + 3;
            copied = at;
        } else if rest.starts_with("<!--") {
            at = rest.find("-->").map_or(document.len(), |e| start + e + 3);
        } else if rest.starts_with("</body>") && !trailer.is_empty() {
            out.push_str(&document[copied..start]);
            mend(trailer, "", nonce, out);
            trailer = "";
            copied = start;
            at = start + 7;
        } else {
            let end = tag_end(rest).map_or(document.len(), |e| start + e);
            let tag = &document[start..end];
            if let Some(name) = raw_text_element(tag) {
                // Script, style, textarea and title text is copied as it is.
                let close = format!("</{name}");
                at = document[end..]
                    .find(&close)
                    .map_or(document.len(), |e| end + e);
            } else {
                at = end;
            }
            if let Some(n) = nonce {
                if tag.starts_with("<link") && tag.contains(n) {
                    out.push_str(&document[copied..start]);
                    out.push_str(
                        &tag.replace(&format!("crossorigin=\"{n}\""), "crossorigin=\"anonymous\""),
                    );
                    copied = end;
                }
            }
        }
    }
    out.push_str(&document[copied..]);
    if !trailer.is_empty() {
        mend(trailer, "", nonce, out);
    }
}

/// The document up to and with `</html>`, and what follows it (without surrounding space).
fn split_trailer(html: &str) -> (&str, &str) {
    match html.rfind("</html>") {
        Some(end) => {
            let end = end + "</html>".len();
            (&html[..end], html[end..].trim())
        }
        None => (html, ""),
    }
}

/// The end (one past `>`) of the tag that starts `rest`, skipping quoted attribute values.
fn tag_end(rest: &str) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, &b) in rest.as_bytes().iter().enumerate().skip(1) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The name of a start tag whose content is raw text.
fn raw_text_element(tag: &str) -> Option<&'static str> {
    ["script", "style", "textarea", "title"]
        .into_iter()
        .find(|name| {
            tag.len() > name.len() + 1
                && tag[1..=name.len()].eq_ignore_ascii_case(name)
                && matches!(
                    tag.as_bytes()[name.len() + 1],
                    b'>' | b' ' | b'\t' | b'\n' | b'/'
                )
        })
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

#[cfg(test)]
mod tests {
    use super::tidy;

    #[test]
    fn markers_go_inside_and_outside_islands_and_after_the_document() {
        let page = "<html><body><p>a<!>b</p><leptos-island data-component=\"X\"><b>c</b><!>d\
                    <span>e<!></span><!><!></leptos-island><ul><!></ul></body></html>\
                    <!><script nonce=\"n\">a=\"<!>\";</script><!>";
        assert_eq!(
            tidy(page, Some("n")),
            "<html><body><p>ab</p><leptos-island data-component=\"X\"><b>c</b>d\
             <span>e</span></leptos-island><ul></ul><script nonce=\"n\">a=\"<!>\";</script>\
             </body></html>"
        );
    }

    #[test]
    fn text_in_attributes_scripts_and_textareas_is_never_touched() {
        let page = "<html><body><input value=\"<!> a > b\"><textarea>&lt;!&gt;<!></textarea>\
                    <script nonce=\"n\">let x = \"<!>\";</script><title>t<!></title>\
                    <!-- <!> --></body></html>";
        assert_eq!(tidy(page, Some("n")), page);
    }

    #[test]
    fn scripts_after_the_document_move_into_the_body() {
        let page = "<html><head></head><body><p>x</p></body></html><script nonce=\"n\">a=[];</script>\
                    <script nonce=\"n\">b=[];</script>";
        assert_eq!(
            tidy(page, Some("n")),
            "<html><head></head><body><p>x</p><script nonce=\"n\">a=[];</script>\
             <script nonce=\"n\">b=[];</script></body></html>"
        );
    }

    #[test]
    fn a_nonce_in_crossorigin_becomes_anonymous() {
        let page = "<html><head><link rel=\"modulepreload\" href=\"/pkg/a.js\" crossorigin=\"abc\">\
                    <script type=\"module\" nonce=\"abc\">go()</script></head><body></body></html>";
        assert_eq!(
            tidy(page, Some("abc")),
            "<html><head><link rel=\"modulepreload\" href=\"/pkg/a.js\" crossorigin=\"anonymous\">\
             <script type=\"module\" nonce=\"abc\">go()</script></head><body></body></html>"
        );
    }
}
