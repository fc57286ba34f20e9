//! The caseworker interview over HTTP on both databases: every persona entered on the
//! one-page form gives the core's result, errors keep the answers, a CPR-like note is
//! refused, the override sits beside the computed channel, and re-scoring stored
//! answers gives the stored result.

use digiparat::api::questionnaire::evaluate_stored;
use digiparat::domain::{Instrument, Mode, score_request};
use serde_json::{Map, Value, json};

use crate::accounts::signed_in_device;
use crate::both_backends;
use crate::helpers::{Db, TestApp, TestResult, location, spawn_app};
use digiparat::domain::role::Role;

both_backends!(
    every_persona_as_an_interview_gives_the_core_result,
    errors_keep_answers_and_override_keeps_computed
);

const PERSONAS: &str = include_str!("../data/dr-1-public.json");

fn form_of(answers: &Map<String, Value>) -> Vec<(String, String)> {
    let mut form = Vec::new();
    for (item, value) in answers {
        match value {
            Value::String(code) => form.push((item.clone(), code.clone())),
            Value::Array(list) => form.extend(
                list.iter()
                    .filter_map(|v| v.as_str())
                    .map(|c| (item.clone(), c.to_owned())),
            ),
            _ => {}
        }
    }
    form
}

pub async fn start_interview(
    app: &TestApp,
    dev: &reqwest::Client,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let res = dev.post(app.url("/interview/start")).send().await?;
    let to = location(&res);
    Ok(to
        .strip_prefix("/interview/")
        .ok_or(format!("unexpected redirect {to}"))?
        .to_owned())
}

async fn every_persona_as_an_interview_gives_the_core_result(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let personas: Vec<Value> = serde_json::from_str(PERSONAS)?;
    let dev = signed_in_device(&app, Role::Caseworker).await?;
    for p in personas {
        let id = p["id"].as_str().unwrap_or("?");
        let mut answers = p["answers"].as_object().cloned().ok_or("no answers")?;
        if p["mode"] == "self" {
            answers.remove("O1");
        }
        let token = start_interview(&app, &dev).await?;
        let page = dev
            .get(app.url(&format!("/interview/{token}")))
            .send()
            .await?
            .text()
            .await?;
        for item in ["U1", "A1", "S7", "O1", "M6", "P1"] {
            assert!(
                page.contains(&format!(r#"name="{item}""#)),
                "{id}: the form lacks {item}"
            );
        }
        let mut form = form_of(&answers);
        form.push(("note".into(), "Came with a friend.".into()));
        let saved = dev
            .post(app.url(&format!("/interview/{token}/answers")))
            .form(&form)
            .send()
            .await?;
        assert_eq!(
            location(&saved),
            format!("/interview/{token}/result"),
            "{id}"
        );
        let body = json!({"instrument": "dr-1", "mode": "interview", "answers": answers});
        let expected =
            score_request(body.to_string().as_bytes()).map_err(|e| format!("{id}: {e}"))?;
        let a = app
            .db
            .assessment_by_token(&token)
            .await?
            .ok_or("interview not stored")?;
        assert_eq!(a.note.as_deref(), Some("Came with a friend."));
        let stored = app.db.result(a.id).await?.ok_or("no result")?;
        assert_eq!(stored.outcome, serde_json::to_value(&expected)?, "{id}");
        // Re-scoring the stored answers gives the stored result.
        let rescored = evaluate_stored(
            Instrument::dr1(),
            Mode::Interview,
            &app.db.answers(a.id).await?,
        )
        .map_err(|e| e.message)?;
        assert_eq!(
            serde_json::to_value(rescored)?,
            stored.outcome,
            "{id}: re-scoring differs"
        );
        let answers_by = app.db.answers(a.id).await?;
        assert!(
            answers_by
                .iter()
                .all(|s| s.answered_by == digiparat::server::db::AnsweredBy::Caseworker)
        );
        let result_page = dev
            .get(app.url(&format!("/interview/{token}/result")))
            .send()
            .await?
            .text()
            .await?;
        assert!(
            result_page.contains(&format!(r#"data-channel="{}""#, expected.channel.as_str())),
            "{id}"
        );
        assert!(
            result_page.contains(&format!(r#"data-rule="{}""#, expected.rule)),
            "{id}"
        );
    }
    Ok(())
}

async fn errors_keep_answers_and_override_keeps_computed(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let dev = signed_in_device(&app, Role::Caseworker).await?;
    let token = start_interview(&app, &dev).await?;
    let post = |form: Vec<(&'static str, &'static str)>| {
        let req = dev
            .post(app.url(&format!("/interview/{token}/answers")))
            .form(&form);
        async move { req.send().await }
    };
    // "None of these" with another answer, and a CPR number in the note: refused...
    let bad = post(vec![
        ("A1", "phone_only"),
        ("U2", "banking"),
        ("U2", "none_of_these"),
        ("note", "cpr 010190-1234"),
    ])
    .await?;
    assert_eq!(location(&bad), format!("/interview/{token}?errors=U2,note"));
    let a = app.db.assessment_by_token(&token).await?.ok_or("missing")?;
    assert!(
        app.db.result(a.id).await?.is_none(),
        "scored despite errors"
    );
    assert_eq!(a.note, None, "a CPR-like note was stored");
    // ...but the valid answer is kept and shown again, with the errors.
    let page = dev
        .get(app.url(&format!("/interview/{token}?errors=U2,note")))
        .send()
        .await?
        .text()
        .await?;
    assert!(page.contains("<title>Fejl: "));
    assert!(
        page.contains(r#"id="A1-phone_only" name="A1" value="phone_only" checked"#),
        "answer lost"
    );
    assert!(
        page.contains(r##"href="#U2-digital_post""##) && page.contains(r##"href="#note""##),
        "summary links"
    );

    let ok = post(vec![("A1", "phone_only"), ("U2", "banking")]).await?;
    assert_eq!(location(&ok), format!("/interview/{token}/result"));
    let computed = app.db.result(a.id).await?.ok_or("no result")?.channel;

    let override_url = app.url(&format!("/interview/{token}/override"));
    let no_reason = dev
        .post(&override_url)
        .form(&[
            ("channel", "analogue"),
            ("category", "health"),
            ("reason", "  "),
        ])
        .send()
        .await?;
    assert_eq!(
        location(&no_reason),
        format!("/interview/{token}/result?error=reason#override")
    );
    let no_channel = dev
        .post(&override_url)
        .form(&[("reason", "x")])
        .send()
        .await?;
    assert_eq!(
        location(&no_channel),
        format!("/interview/{token}/result?error=channel#override")
    );
    // The reason's category is required, and must be one of the instrument's.
    for category in ["", "bored"] {
        let no_category = dev
            .post(&override_url)
            .form(&[
                ("channel", "analogue"),
                ("category", category),
                ("reason", "x"),
            ])
            .send()
            .await?;
        assert_eq!(
            location(&no_category),
            format!("/interview/{token}/result?error=category#override")
        );
    }
    let page = dev
        .get(app.url(&format!("/interview/{token}/result?error=category&lang=en")))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        page.contains("Choose why you chose another channel")
            && page.contains("href=\"#category-person_asked\""),
        "no error named for the category"
    );
    assert!(
        app.db
            .result(a.id)
            .await?
            .ok_or("no result")?
            .override_
            .is_none()
    );

    let chosen = dev
        .post(&override_url)
        .form(&[
            ("channel", "analogue"),
            ("category", "person_asked"),
            ("reason", "Prefers letters for now"),
        ])
        .send()
        .await?;
    assert_eq!(location(&chosen), format!("/interview/{token}/result"));
    let r = app.db.result(a.id).await?.ok_or("no result")?;
    assert_eq!(r.channel, computed, "computed channel overwritten");
    let ov = r.override_.ok_or("override not stored")?;
    assert_eq!(
        (ov.channel.as_str(), ov.reason.as_str(), ov.category),
        (
            "analogue",
            "Prefers letters for now",
            Some(digiparat::domain::OverrideReason::PersonAsked)
        )
    );
    let page = dev
        .get(app.url(&format!("/interview/{token}/result")))
        .send()
        .await?
        .text()
        .await?;
    assert!(page.contains("Prefers letters for now"));
    Ok(())
}

#[tokio::test]
async fn self_assessments_rescore_to_their_stored_result() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let (_, answers) = crate::self_flow::self_personas()
        .into_iter()
        .nth(3)
        .ok_or("persona")?;
    let dev = crate::self_flow::device();
    dev.post(app.url("/self/start")).send().await?;
    let mut next = "/self/q/U1".to_owned();
    while let Some(item) = next.strip_prefix("/self/q/").map(str::to_owned) {
        let mut form = vec![("item".to_owned(), item.clone())];
        match answers.get(&item) {
            Some(Value::String(c)) => form.push(("answer".into(), c.clone())),
            Some(Value::Array(l)) => form.extend(
                l.iter()
                    .filter_map(|v| v.as_str())
                    .map(|c| ("answer".to_owned(), c.to_owned())),
            ),
            _ => form.push(("answer".into(), "_dont_understand".into())),
        }
        next = location(&dev.post(app.url("/self/answer")).form(&form).send().await?);
    }
    dev.post(app.url("/self/finish")).send().await?;
    let code_page = dev
        .get(app.url("/self/result"))
        .send()
        .await?
        .text()
        .await?;
    let code = code_page
        .split("<bdi>")
        .nth(1)
        .and_then(|r| r.split("</bdi>").next())
        .ok_or("no code")?
        .replace('-', "");
    let a = app
        .db
        .assessment_by_resume_code(&code)
        .await?
        .ok_or("no assessment")?;
    let stored = app.db.result(a.id).await?.ok_or("no result")?;
    let rescored = evaluate_stored(
        Instrument::dr1(),
        Mode::SelfAssessment,
        &app.db.answers(a.id).await?,
    )
    .map_err(|e| e.message)?;
    assert_eq!(serde_json::to_value(rescored)?, stored.outcome);
    Ok(())
}
