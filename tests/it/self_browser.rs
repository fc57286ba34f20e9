//! The self-assessment in real headless Chromium: keyboard alone on a 320 px screen with
//! JavaScript, mouse without JavaScript with a language switch half-way, resuming on a
//! second browser, and axe-core on every page of the flow in every language. Each run
//! checks the stored result against the scoring core.

use std::time::Duration;

use digiparat::domain::score_request;
use fantoccini::key::Key;
use serde_json::{Map, Value, json};

use crate::helpers::axe::assert_no_violations;
use crate::helpers::chrome::{Browser, Js};
use crate::helpers::{Db, TestApp, TestResult, spawn_app};
use crate::self_flow::self_personas;

fn persona(id: &str) -> Map<String, Value> {
    self_personas()
        .into_iter()
        .find(|(p, _)| p == id)
        .map(|(_, a)| a)
        .unwrap_or_default()
}

/// The codes to choose for `item` (a way out when the persona has no answer).
fn wanted(answers: &Map<String, Value>, item: &str) -> Vec<String> {
    match answers.get(item) {
        Some(Value::String(c)) => vec![c.clone()],
        Some(Value::Array(l)) => l
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => vec!["_rather_not".into()],
    }
}

async fn current_item(b: &Browser) -> Option<String> {
    b.path()
        .await
        .strip_prefix("/self/q/")
        .map(|s| s.split('?').next().unwrap_or(s).to_owned())
}

/// The result stored for the assessment whose code the page showed, against the core.
async fn assert_stored_matches_core(
    app: &TestApp,
    code: &str,
    answers: &Map<String, Value>,
) -> TestResult {
    let a = app
        .db
        .assessment_by_resume_code(&code.replace('-', ""))
        .await?
        .ok_or("code not stored")?;
    let stored = app.db.result(a.id).await?.ok_or("no result stored")?;
    let body = json!({"instrument": "dr-1", "mode": "self", "answers": answers});
    let expected = score_request(body.to_string().as_bytes()).map_err(|e| e.to_string())?;
    assert_eq!(stored.outcome, serde_json::to_value(expected)?);
    Ok(())
}

async fn focused_has_visible_outline(b: &Browser) -> bool {
    b.eval("(() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 3; })()")
        .await
        == json!(true)
}

/// Tabs forward until the focused element matches `css`, checking focus is visible.
async fn tab_to(b: &Browser, css: &str) {
    for _ in 0..60 {
        b.press(Key::Tab).await;
        let hit = b
            .eval(&format!("document.activeElement.matches({})", json!(css)))
            .await;
        if hit == json!(true) {
            assert!(
                focused_has_visible_outline(b).await,
                "no visible focus on {css} at {}",
                b.path().await
            );
            return;
        }
    }
    panic!("could not reach {css} with Tab on {}", b.path().await);
}

async fn keyboard_answer(b: &Browser, codes: &[String]) {
    let multi = b
        .eval("document.querySelector('input[name=answer]').type === 'checkbox'")
        .await
        == json!(true);
    if multi {
        for code in codes {
            tab_to(b, &format!("input[value='{code}']")).await;
            b.press(Key::Space).await;
        }
    } else {
        let code = &codes[0];
        tab_to(b, "input[name=answer]").await;
        for _ in 0..12 {
            if b.eval("document.activeElement.value").await == json!(code) {
                break;
            }
            b.press(Key::Down).await;
        }
        assert_eq!(b.eval("document.activeElement.value").await, json!(code));
        b.press(Key::Space).await;
    }
    tab_to(b, "button[type=submit]").await;
    b.navigating(b.press(Key::Enter)).await;
}

async fn read_code(b: &Browser) -> String {
    b.find(".resume-code")
        .await
        .text()
        .await
        .unwrap_or_default()
        .trim()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_alone_at_320px_with_javascript() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let answers = persona("young-fluent");
    let b = Browser::start_with(Js::On, Some(320)).await;
    b.goto(&app.url("/self/intro")).await;
    assert_eq!(b.eval("window.innerWidth").await, json!(320));
    assert_no_violations(&b, "intro").await;
    tab_to(&b, "button[type=submit]").await;
    b.navigating(b.press(Key::Enter)).await;
    b.wait_visible(".resume-code", Duration::from_secs(10))
        .await;
    let code = read_code(&b).await;
    assert_no_violations(&b, "code page").await;
    b.assert_no_horizontal_scroll("code page").await;
    tab_to(&b, "a.button").await;
    b.navigating(b.press(Key::Enter)).await;
    let mut pages = 0;
    while let Some(item) = current_item(&b).await {
        b.assert_no_horizontal_scroll(&item).await;
        assert_no_violations(&b, &format!("question {item}")).await;
        keyboard_answer(&b, &wanted(&answers, &item)).await;
        pages += 1;
        assert!(pages < 40);
    }
    assert_eq!(b.path().await, "/self/check");
    b.assert_no_horizontal_scroll("check").await;
    assert_no_violations(&b, "check").await;
    tab_to(&b, "form[action='/self/finish'] button").await;
    b.navigating(b.press(Key::Enter)).await;
    assert_eq!(b.path().await, "/self/result");
    b.wait_visible("button[data-read-aloud]", Duration::from_secs(10))
        .await;
    b.assert_no_horizontal_scroll("result").await;
    assert_no_violations(&b, "result").await;
    assert_stored_matches_core(&app, &code, &answers).await?;
    b.close().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_switching_language_half_way() -> TestResult {
    let app = spawn_app(Db::Postgres).await;
    let answers = persona("fears-mistakes");
    let b = Browser::start(Js::Off).await;
    b.goto(&app.url("/self")).await;
    b.find("label[for=lang-en]").await.click().await?;
    b.click_to_next_page("button[type=submit]").await;
    b.click_to_next_page("form[action='/self/start'] button")
        .await;
    let code = read_code(&b).await;
    b.click_to_next_page("a.button").await;
    let mut pages = 0;
    while let Some(item) = current_item(&b).await {
        if pages == 4 {
            // Switch to Arabic mid-way: same question, right to left, answers kept.
            b.click_to_next_page(".lang-switch a[lang=ar]").await;
            assert_eq!(current_item(&b).await.as_deref(), Some(item.as_str()));
            assert_eq!(b.html_attr("dir").await.as_deref(), Some("rtl"));
            b.goto(&app.url("/self/q/U1")).await;
            let kept = b
                .find("input[name=answer]:checked")
                .await
                .attr("value")
                .await?;
            assert_eq!(
                kept,
                answers.get("U1").and_then(Value::as_str).map(str::to_owned)
            );
            b.goto(&app.url(&format!("/self/q/{item}"))).await;
        }
        for code in wanted(&answers, &item) {
            b.find(&format!("label[for='answer-{code}']"))
                .await
                .click()
                .await?;
        }
        b.click_to_next_page("button[type=submit]").await;
        pages += 1;
        assert!(pages < 40);
    }
    b.click_to_next_page("form[action='/self/finish'] button")
        .await;
    assert_eq!(b.path().await, "/self/result");
    assert_eq!(b.html_attr("lang").await.as_deref(), Some("ar"));
    assert!(
        !b.find("button[data-read-aloud]")
            .await
            .is_displayed()
            .await?,
        "JS-only button shown"
    );
    assert_stored_matches_core(&app, &code, &answers).await?;
    b.close().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_on_a_second_device_with_the_code() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let answers = persona("young-fluent");
    let phone = Browser::start(Js::On).await;
    phone.goto(&app.url("/self/intro")).await;
    phone
        .click_to_next_page("form[action='/self/start'] button")
        .await;
    let code = read_code(&phone).await;
    phone.click_to_next_page("a.button").await;
    for _ in 0..3 {
        let item = current_item(&phone).await.ok_or("not on a question")?;
        for c in wanted(&answers, &item) {
            phone
                .find(&format!("label[for='answer-{c}']"))
                .await
                .click()
                .await?;
        }
        phone.click_to_next_page("button[type=submit]").await;
    }
    let stopped_at = current_item(&phone).await.ok_or("not on a question")?;
    phone.close().await;

    let pc = Browser::start(Js::On).await;
    pc.goto(&app.url("/self/resume")).await;
    pc.click_to_next_page("button[type=submit]").await;
    assert_eq!(pc.path().await, "/self/resume?error=empty");
    assert_no_violations(&pc, "resume with error").await;
    pc.find("#code")
        .await
        .send_keys(&code.to_lowercase())
        .await?;
    pc.click_to_next_page("button[type=submit]").await;
    assert_eq!(
        current_item(&pc).await.as_deref(),
        Some(stopped_at.as_str()),
        "did not continue where the phone stopped"
    );
    while let Some(item) = current_item(&pc).await {
        for c in wanted(&answers, &item) {
            pc.find(&format!("label[for='answer-{c}']"))
                .await
                .click()
                .await?;
        }
        pc.click_to_next_page("button[type=submit]").await;
    }
    pc.click_to_next_page("form[action='/self/finish'] button")
        .await;
    assert_stored_matches_core(&app, &code, &answers).await?;
    pc.close().await;
    Ok(())
}

/// Every page of the flow (each question, an error, check, result, resume) in English and
/// Arabic (Danish is covered page by page in the keyboard test).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_pages_have_no_axe_violations_in_english_and_arabic() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let b = Browser::start(Js::On).await;
    for lang in ["en", "ar"] {
        b.goto(&app.url(&format!("/self/intro?lang={lang}"))).await;
        b.click_to_next_page("form[action='/self/start'] button")
            .await;
        assert_no_violations(&b, &format!("{lang} code")).await;
        b.goto(&app.url("/self/q/U1?error=required")).await;
        assert_no_violations(&b, &format!("{lang} error")).await;
        while let Some(item) = current_item(&b).await {
            assert_no_violations(&b, &format!("{lang} {item}")).await;
            b.find(".radio:last-child label").await.click().await?;
            b.click_to_next_page("button[type=submit]").await;
        }
        assert_no_violations(&b, &format!("{lang} check")).await;
        b.click_to_next_page("form[action='/self/finish'] button")
            .await;
        assert_eq!(b.path().await, "/self/result");
        assert_no_violations(&b, &format!("{lang} result")).await;
        b.goto(&app.url("/self/resume")).await;
        assert_no_violations(&b, &format!("{lang} resume")).await;
    }
    b.close().await;
    Ok(())
}
