//! The self-assessment over plain HTTP, as a browser without JavaScript drives it:
//! start, one answer per post, check, finish; resume with the code on another device.
//! The stored result must equal what the scoring core computes for the same answers.

use digiparat::domain::score_request;
use reqwest::StatusCode;
use serde_json::{Map, Value, json};

use crate::both_backends;
use crate::helpers::{Db, TestApp, TestResult, location, spawn_app};

const PERSONAS: &str = include_str!("../data/dr-1-public.json");

both_backends!(
    completes_a_persona_and_stores_the_core_result,
    resumes_on_another_device_with_the_code
);

/// A "device": its own cookie jar, redirects read by hand.
pub fn device() -> reqwest::Client {
    reqwest::Client::builder()
        .default_headers(crate::helpers::same_origin())
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

pub fn self_personas() -> Vec<(String, Map<String, Value>)> {
    let all: Vec<Value> = serde_json::from_str(PERSONAS).unwrap_or_default();
    all.into_iter()
        .filter(|p| p["mode"] == "self")
        .filter_map(|p| {
            Some((
                p["id"].as_str()?.to_owned(),
                p["answers"].as_object()?.clone(),
            ))
        })
        .collect()
}

/// Posts the answer to `item` from `answers` (a way out when the persona has none).
async fn post_answer(
    app: &TestApp,
    dev: &reqwest::Client,
    item: &str,
    answers: &Map<String, Value>,
) -> Result<String, reqwest::Error> {
    let mut form: Vec<(String, String)> = vec![("item".into(), item.into())];
    match answers.get(item) {
        Some(Value::String(code)) => form.push(("answer".into(), code.clone())),
        Some(Value::Array(list)) => form.extend(
            list.iter()
                .filter_map(|v| v.as_str())
                .map(|c| ("answer".to_owned(), c.to_owned())),
        ),
        _ => form.push(("answer".into(), "_rather_not".into())),
    }
    let res = dev.post(app.url("/self/answer")).form(&form).send().await?;
    Ok(location(&res))
}

/// Answers every question on the path from `start` until the check page.
pub async fn answer_until_check(
    app: &TestApp,
    dev: &reqwest::Client,
    mut next: String,
    answers: &Map<String, Value>,
) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
    let mut asked = Vec::new();
    while let Some(item) = next.strip_prefix("/self/q/") {
        let page = dev.get(app.url(&next)).send().await?;
        assert_eq!(page.status(), StatusCode::OK, "{next}");
        let html = page.text().await?;
        assert!(
            html.contains(r#"action="/self/answer""#),
            "{next} has no answer form"
        );
        asked.push(item.to_owned());
        next = post_answer(app, dev, item, answers).await?;
        assert!(asked.len() < 40, "the questionnaire does not end");
    }
    assert_eq!(next, "/self/check");
    Ok(asked)
}

async fn completes_a_persona_and_stores_the_core_result(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    for (id, answers) in self_personas() {
        let dev = device();
        let start = dev.post(app.url("/self/start")).send().await?;
        assert_eq!(location(&start), "/self/code", "{id}");
        let code_page = dev.get(app.url("/self/code")).send().await?.text().await?;
        assert!(
            code_page.contains("resume-code"),
            "{id}: no resume code shown"
        );

        // An empty answer is refused with a message, and nothing moves on.
        let empty = dev
            .post(app.url("/self/answer"))
            .form(&[("item", "U1")])
            .send()
            .await?;
        assert_eq!(location(&empty), "/self/q/U1?error=required");
        let error_page = dev
            .get(app.url("/self/q/U1?error=required"))
            .send()
            .await?
            .text()
            .await?;
        assert!(error_page.contains("<title>Fejl: "), "{id}: no error title");

        let asked = answer_until_check(&app, &dev, "/self/q/U1".into(), &answers).await?;
        let never = answers.get("U1") == Some(&json!("never"));
        assert_eq!(asked.len(), if never { 22 } else { 28 }, "{id}: {asked:?}");
        assert!(!asked.contains(&"O1".to_owned()), "O1 asked in self mode");

        let check = dev.get(app.url("/self/check")).send().await?;
        assert_eq!(check.status(), StatusCode::OK);
        let finish = dev.post(app.url("/self/finish")).send().await?;
        assert_eq!(location(&finish), "/self/result", "{id}");
        let result_page = dev
            .get(app.url("/self/result"))
            .send()
            .await?
            .text()
            .await?;

        let body = json!({"instrument": "dr-1", "mode": "self", "answers": answers});
        let expected =
            score_request(body.to_string().as_bytes()).map_err(|e| format!("{id}: {e}"))?;
        let token = dev_token(&app, &code_page).await?;
        let stored = app.db.result(token).await?.ok_or("no stored result")?;
        assert_eq!(
            stored.outcome,
            serde_json::to_value(&expected)?,
            "{id}: stored result differs from the core"
        );
        assert_eq!(stored.channel, expected.channel.as_str());
        assert!(
            result_page.contains(&format!(r#"data-channel="{}""#, expected.channel.as_str())),
            "{id}"
        );
        let you_decide = digiparat::domain::Instrument::dr1().you_decide("da");
        assert!(result_page.contains(you_decide), "{id}: no 'you decide'");
    }
    Ok(())
}

/// Finds the assessment through the resume code printed on the code page.
async fn dev_token(
    app: &TestApp,
    code_page: &str,
) -> Result<i64, Box<dyn std::error::Error + Send + Sync>> {
    let code = code_page
        .split(r#"class="resume-code""#)
        .nth(1)
        .and_then(|rest| rest.split("<bdi>").nth(1))
        .and_then(|rest| rest.split("</bdi>").next())
        .ok_or("no code on the page")?
        .replace('-', "");
    Ok(app
        .db
        .assessment_by_resume_code(&code)
        .await?
        .ok_or("code not stored")?
        .id)
}

async fn resumes_on_another_device_with_the_code(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let (_, answers) = self_personas()
        .into_iter()
        .next()
        .ok_or("no self persona")?;
    let phone = device();
    phone.post(app.url("/self/start")).send().await?;
    let code_page = phone
        .get(app.url("/self/code"))
        .send()
        .await?
        .text()
        .await?;
    let id = dev_token(&app, &code_page).await?;
    let code = app
        .db
        .assessment(id)
        .await?
        .and_then(|a| a.resume_code)
        .ok_or("no code")?;
    for item in ["U1", "A1", "A2"] {
        post_answer(&app, &phone, item, &answers).await?;
    }

    let library_pc = device();
    let nothing = library_pc.get(app.url("/self/q/A3")).send().await?;
    assert_eq!(
        location(&nothing),
        "/self/intro",
        "a device without the code got in"
    );
    let wrong = library_pc
        .post(app.url("/self/resume"))
        .form(&[("code", "XXXX-XXXX")])
        .send()
        .await?;
    assert_eq!(location(&wrong), "/self/resume?error=unknown");
    // Typed in lower case with a space: still the same code.
    let typed = format!("{} {}", code[..4].to_lowercase(), &code[4..]);
    let resumed = library_pc
        .post(app.url("/self/resume"))
        .form(&[("code", typed)])
        .send()
        .await?;
    assert_eq!(
        location(&resumed),
        "/self/q/A3",
        "did not continue where the phone stopped"
    );
    answer_until_check(&app, &library_pc, "/self/q/A3".into(), &answers).await?;
    library_pc.post(app.url("/self/finish")).send().await?;
    let stored = app.db.answers(id).await?;
    assert_eq!(stored.len(), 28);
    assert!(app.db.result(id).await?.is_some());
    // Once the answers are sent, the code no longer opens them on yet another device.
    let stranger = device();
    let reopened = stranger
        .post(app.url("/self/resume"))
        .form(&[("code", code.as_str())])
        .send()
        .await?;
    assert_eq!(location(&reopened), "/self/resume?error=unknown");
    // The phone now sees the result too.
    let on_phone = phone.get(app.url("/self/q/A1")).send().await?;
    assert_eq!(location(&on_phone), "/self/result");
    Ok(())
}

#[tokio::test]
async fn resume_codes_cannot_be_guessed_quickly() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let dev = device();
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let res = dev
            .post(app.url("/self/resume"))
            .form(&[("code", "XXXXX-XXXXX")])
            .send()
            .await?;
        statuses.push(res.status().as_u16());
    }
    assert!(statuses[..10].iter().all(|s| *s == 303), "{statuses:?}");
    assert_eq!(
        statuses[11], 429,
        "no limit on guessing codes: {statuses:?}"
    );
    // Pages with answers are not kept in a shared computer's cache.
    dev.post(app.url("/self/start")).send().await?;
    let page = dev.get(app.url("/self/code")).send().await?;
    assert_eq!(
        page.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    Ok(())
}
