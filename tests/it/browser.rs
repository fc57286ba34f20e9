//! Real headless Chromium: hydration, the no-JavaScript path, and axe-core on every page.

use std::time::Duration;

use serde_json::json;

use crate::helpers::axe::assert_no_violations;
use crate::helpers::chrome::{Browser, Js};
use crate::helpers::{Db, TestResult, spawn_app};

/// The read-aloud button is rendered hidden and only the hydrated WASM island reveals it;
/// clicking it must hand the page's text, in the page's language, to speech synthesis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn landing_page_hydrates_and_reads_aloud() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let browser = Browser::start(Js::On).await;
    browser.goto(&app.url("/?lang=en")).await;
    let button = browser
        .wait_visible("button[data-read-aloud]", Duration::from_secs(20))
        .await;
    browser
        .client
        .execute(
            "window.__spoken = [];
             window.speechSynthesis.speak = u => window.__spoken.push({ text: u.text, lang: u.lang });",
            vec![],
        )
        .await?;
    button.click().await?;
    let spoken = browser
        .client
        .execute("return window.__spoken;", vec![])
        .await?;
    let first = &spoken[0];
    assert_eq!(first["lang"], json!("en"), "{spoken}");
    let text = first["text"].as_str().unwrap_or("");
    assert!(text.contains("Find the best way to"), "{spoken}");
    assert_eq!(button.attr("aria-pressed").await?.as_deref(), Some("true"));
    browser.close().await;
    Ok(())
}

/// With JavaScript off, the language form still posts, redirects and takes effect,
/// and no button that needs JavaScript is shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn language_form_works_without_javascript() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let browser = Browser::start(Js::Off).await;
    browser.goto(&app.url("/")).await;
    let button = browser.find("button[data-read-aloud]").await;
    assert!(
        !button.is_displayed().await?,
        "read-aloud shown without JavaScript"
    );

    browser.goto(&app.url("/self")).await;
    browser.click_to_next_page("button[type=submit]").await;
    assert_eq!(browser.path().await, "/self?error=choose_language");
    assert!(browser.client.title().await?.starts_with("Fejl: "));

    browser.find("label[for=lang-en]").await.click().await?;
    browser.click_to_next_page("button[type=submit]").await;
    assert_eq!(browser.path().await, "/self/intro");
    assert_eq!(browser.html_attr("lang").await.as_deref(), Some("en"));
    browser.close().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn language_switch_to_arabic_sets_rtl_and_keeps_the_page() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let browser = Browser::start(Js::On).await;
    browser.goto(&app.url("/privacy")).await;
    browser.click_to_next_page(".lang-switch a[lang=ar]").await;
    assert_eq!(browser.path().await, "/privacy?lang=ar");
    assert_eq!(browser.html_attr("dir").await.as_deref(), Some("rtl"));
    // The choice is remembered when moving on.
    browser.goto(&app.url("/accessibility")).await;
    assert_eq!(browser.html_attr("lang").await.as_deref(), Some("ar"));
    browser.close().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_has_no_axe_violations_in_every_language() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let browser = Browser::start(Js::On).await;
    let pages = [
        "/",
        "/self",
        "/self?error=choose_language",
        "/self/intro",
        "/login",
        "/login?error=invalid",
        "/account",
        "/account/password",
        "/accessibility",
        "/privacy",
        "/no-such-page",
    ];
    for lang in ["da", "en", "ar"] {
        for page in pages {
            let sep = if page.contains('?') { '&' } else { '?' };
            let url = app.url(&format!("{page}{sep}lang={lang}"));
            browser.goto(&url).await;
            assert_no_violations(&browser, &url).await;
        }
    }
    browser.close().await;
    Ok(())
}
