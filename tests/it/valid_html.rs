//! Valid HTML: what Leptos 0.8 writes on its own fails the Nu Html Checker; the page the
//! server sends after `server::document::tidy` passes it. (Every page of the axe crawl is
//! checked as served by `helpers::chrome::Browser::close`.)

use digiparat::server::document::tidy;

use crate::helpers::vnu;
use crate::helpers::{Db, spawn_app};

/// The shape of a page as Leptos renders it (from the landing page before the fix): the
/// nonce in `crossorigin`, hydration markers, and the resource scripts after `</html>`.
const AS_LEPTOS_WRITES: &str = r#"<!DOCTYPE html><html lang="da" dir="ltr"><head><meta charset="utf-8"><title>Digiparat</title><link rel="modulepreload" href="/pkg/digiparat.js" crossorigin="f7555bc33551755fa7fb41555823927c"><link rel="preload" href="/pkg/digiparat.wasm" as="fetch" type="application/wasm" crossorigin="f7555bc33551755fa7fb41555823927c"><script type="module" nonce="f7555bc33551755fa7fb41555823927c">go()</script></head><body><nav><ul><li><a href="?lang=ar">العربية</a></li><!></ul></nav><!><main><p>Hej <!>Anna</p><leptos-island data-component="X"><button type="button"><span>a</span><span>b</span></button></leptos-island></main></body></html><script nonce="f7555bc33551755fa7fb41555823927c">__RESOLVED_RESOURCES=[];</script><script nonce="f7555bc33551755fa7fb41555823927c">__INCOMPLETE_CHUNKS=[];</script>"#;

#[test]
fn the_checker_refuses_leptos_markup_and_accepts_the_mended_page() {
    let before = vnu::errors(&[("as Leptos writes it".into(), AS_LEPTOS_WRITES.into())]);
    for expected in ["crossorigin", "Bogus comment", "Stray start tag"] {
        assert!(
            before.iter().any(|e| e.contains(expected)),
            "the checker no longer reports {expected:?}: {before:#?}"
        );
    }
    let after = tidy(AS_LEPTOS_WRITES, Some("f7555bc33551755fa7fb41555823927c"));
    vnu::assert_valid(&[("mended".into(), after)]);
}

/// Pages reached without a browser (no JavaScript, no session): sent whole with their
/// length, and valid.
#[tokio::test]
async fn public_pages_are_sent_whole_and_valid() {
    for backend in [Db::Sqlite, Db::Postgres] {
        let app = spawn_app(backend).await;
        let client = app.client();
        let mut pages = Vec::new();
        for (path, lang) in [
            ("/", "da"),
            ("/login", "en"),
            ("/self/intro", "ar"),
            ("/privacy", "en"),
            ("/nowhere", "da"),
            ("/api/docs", "en"),
        ] {
            let res = client
                .get(app.url(&format!("{path}?lang={lang}")))
                .send()
                .await
                .unwrap_or_else(|e| panic!("GET {path}: {e}"));
            assert!(
                res.headers().get("content-length").is_some(),
                "{path} is sent in chunks, not whole"
            );
            let html = res.text().await.unwrap_or_default();
            assert!(!html.contains("<!>"), "{path} keeps hydration markers");
            pages.push((format!("{backend:?} {lang} {path}"), html));
        }
        vnu::assert_valid(&pages);
    }
}
