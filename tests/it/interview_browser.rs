//! The caseworker interview in headless Chromium: fill the one-page form, see the result,
//! override with a reason; axe-core on every caseworker page in da/en/ar, at the width of
//! a 1280-pixel window zoomed to 200 % (640 CSS pixels) without sideways scrolling.

use digiparat::domain::score_request;
use serde_json::{Value, json};

use crate::accounts::add_user;
use crate::helpers::axe::assert_no_violations;
use crate::helpers::chrome::{Browser, Js};
use crate::helpers::{Db, TestApp, TestResult, spawn_app};
use digiparat::domain::role::Role;

/// Signs in through the form, as a caseworker would.
async fn sign_in_as_caseworker(app: &TestApp, b: &Browser) -> TestResult {
    add_user(app, "birgitte", Role::Caseworker, "birgittes-long-password").await?;
    b.goto(&app.url("/login")).await;
    b.find("#username").await.send_keys("birgitte").await?;
    b.find("#password")
        .await
        .send_keys("birgittes-long-password")
        .await?;
    b.click_to_next_page("form[action='/auth/login'] button")
        .await;
    assert_eq!(b.path().await, "/cases");
    b.goto(&app.url("/interview")).await;
    Ok(())
}

const PERSONAS: &str = include_str!("../data/dr-1-public.json");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn complete_an_interview_with_an_override() -> TestResult {
    let app = spawn_app(Db::Postgres).await;
    let personas: Vec<Value> = serde_json::from_str(PERSONAS)?;
    let p = personas
        .iter()
        .find(|p| p["mode"] == "interview")
        .ok_or("no interview persona")?;
    let answers = p["answers"].as_object().ok_or("answers")?;
    let b = Browser::start(Js::On).await;
    sign_in_as_caseworker(&app, &b).await?;
    b.click_to_next_page("form[action='/interview/start'] button")
        .await;
    for (item, value) in answers {
        let codes: Vec<&str> = match value {
            Value::String(c) => vec![c.as_str()],
            Value::Array(l) => l.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        for code in codes {
            b.find(&format!("label[for='{item}-{code}']"))
                .await
                .click()
                .await?;
        }
    }
    b.find("#note")
        .await
        .send_keys("Observed at the desk.")
        .await?;
    b.click_to_next_page(".interview-form button[type=submit]")
        .await;
    assert!(b.path().await.ends_with("/result"), "{}", b.path().await);
    let token = b
        .path()
        .await
        .trim_start_matches("/interview/")
        .trim_end_matches("/result")
        .to_owned();

    let expected = score_request(
        json!({"instrument": "dr-1", "mode": "interview", "answers": answers})
            .to_string()
            .as_bytes(),
    )
    .map_err(|e| e.to_string())?;
    let shown = b.find(".result-channel").await.attr("data-channel").await?;
    assert_eq!(shown.as_deref(), Some(expected.channel.as_str()));

    // Override: without a category and reason it is refused, with them it is stored beside
    // the computed channel.
    let other = if expected.channel.as_str() == "analogue" {
        "assisted"
    } else {
        "analogue"
    };
    b.find(&format!("label[for='channel-{other}']"))
        .await
        .click()
        .await?;
    b.click_to_next_page("form[action$='/override'] button")
        .await;
    assert!(b.path().await.contains("error=category"));
    b.find(&format!("label[for='channel-{other}']"))
        .await
        .click()
        .await?;
    b.find("label[for='category-observed_difficulties']")
        .await
        .click()
        .await?;
    b.find("#reason")
        .await
        .send_keys("Wants paper while the phone is repaired")
        .await?;
    b.click_to_next_page("form[action$='/override'] button")
        .await;
    b.find(".override-current").await;

    let a = app
        .db
        .assessment_by_token(&token)
        .await?
        .ok_or("not stored")?;
    let stored = app.db.result(a.id).await?.ok_or("no result")?;
    assert_eq!(stored.outcome, serde_json::to_value(&expected)?);
    assert_eq!(
        stored.channel,
        expected.channel.as_str(),
        "computed channel overwritten"
    );
    assert_eq!(stored.override_.map(|o| o.channel.as_str()), Some(other));
    assert_eq!(a.note.as_deref(), Some("Observed at the desk."));
    b.close().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caseworker_pages_have_no_axe_violations_and_reflow_at_200_percent() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let b = Browser::start_with(Js::On, Some(640)).await;
    sign_in_as_caseworker(&app, &b).await?;
    for lang in ["da", "en", "ar"] {
        b.goto(&app.url(&format!("/interview?lang={lang}"))).await;
        assert_no_violations(&b, &format!("{lang} interview start")).await;
        b.click_to_next_page("form[action='/interview/start'] button")
            .await;
        let form_path = b.path().await;
        assert_no_violations(&b, &format!("{lang} interview form")).await;
        b.assert_no_horizontal_scroll(&format!("{lang} interview form"))
            .await;
        b.goto(&app.url(&format!("{form_path}?errors=U2,note")))
            .await;
        assert_no_violations(&b, &format!("{lang} interview form with errors")).await;
        b.goto(&app.url(&form_path)).await;
        b.find("label[for='A1-phone_only']").await.click().await?;
        b.click_to_next_page(".interview-form button[type=submit]")
            .await;
        assert_no_violations(&b, &format!("{lang} caseworker result")).await;
        b.assert_no_horizontal_scroll(&format!("{lang} caseworker result"))
            .await;
        b.click_to_next_page("form[action$='/override'] button")
            .await;
        assert_no_violations(&b, &format!("{lang} override error")).await;
        b.goto(&app.url("/paper")).await;
        assert_no_violations(&b, &format!("{lang} paper")).await;
        b.assert_no_horizontal_scroll(&format!("{lang} paper"))
            .await;
        b.goto(&app.url("/self/intro")).await;
        b.assert_no_horizontal_scroll(&format!("{lang} self intro at 640"))
            .await;
        b.goto(&app.url("/account")).await;
        assert_no_violations(&b, &format!("{lang} account")).await;
        b.goto(&app.url("/account/password?error=short")).await;
        assert_no_violations(&b, &format!("{lang} password error")).await;
    }
    b.close().await;
    Ok(())
}

/// The result page prints on one A4 page (Chromium's own print-to-PDF through WebDriver).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_result_prints_on_one_a4_page() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let b = Browser::start(Js::On).await;
    b.goto(&app.url("/self/intro")).await;
    b.click_to_next_page("form[action='/self/start'] button")
        .await;
    b.goto(&app.url("/self/check")).await;
    b.click_to_next_page("form[action='/self/finish'] button")
        .await;
    assert_eq!(b.path().await, "/self/result");
    let pdf = b.print_pdf_a4().await?;
    let pages = pdf
        .windows(b"/Type /Page".len())
        .filter(|w| *w == b"/Type /Page")
        .count()
        - pdf
            .windows(b"/Type /Pages".len())
            .filter(|w| *w == b"/Type /Pages")
            .count();
    assert_eq!(pages, 1, "the printed result takes {pages} pages");
    b.close().await;
    Ok(())
}
