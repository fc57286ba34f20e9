//! The JSON scoring API over HTTP: every persona, the error statuses, and that it
//! stores nothing.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Db, TestResult, spawn_app};

const PERSONAS: &str = include_str!("../data/dr-1-public.json");

fn close(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() < 0.005,
        _ => a == b,
    }
}

#[tokio::test]
async fn every_persona_scores_as_expected_over_http() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let personas: Vec<Value> = serde_json::from_str(PERSONAS)?;
    assert!(personas.len() >= 10);
    for p in &personas {
        let body = json!({"instrument": "dr-1", "mode": p["mode"], "answers": p["answers"]});
        let res = app
            .client()
            .post(app.url("/api/v1/score"))
            .json(&body)
            .send()
            .await?;
        assert_eq!(res.status(), StatusCode::OK, "{}", p["id"]);
        let got: Value = res.json().await?;
        let expect = p["expect"].as_object().ok_or("expect is not an object")?;
        for (field, want) in expect {
            if field == "coverage" {
                for dim in ["access", "skills", "motivation"] {
                    assert!(
                        close(&got[field][dim], &want[dim]),
                        "{} coverage.{dim}: {} vs {}",
                        p["id"],
                        got[field][dim],
                        want[dim]
                    );
                }
            } else {
                assert_eq!(&got[field], want, "{} field {field}", p["id"]);
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn errors_name_the_item_and_use_the_right_status() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let post = |body: String| {
        let req = app
            .client()
            .post(app.url("/api/v1/score"))
            .header("content-type", "application/json")
            .body(body);
        async move { req.send().await }
    };
    let cases = [
        (
            json!({"instrument": "dr-1", "mode": "self", "answers": {"A1": "spaceship"}}),
            422,
            json!("A1"),
        ),
        (
            json!({"instrument": "dr-1", "mode": "self", "answers": {"ZZ": "x"}}),
            422,
            json!("ZZ"),
        ),
        (
            json!({"instrument": "dr-1", "mode": "self", "answers": {"O1": "not_done"}}),
            422,
            json!("O1"),
        ),
        (
            json!({"instrument": "dr-1", "mode": "self", "answers": {"U2": ["banking", "none_of_these"]}}),
            422,
            json!("U2"),
        ),
        (
            json!({"instrument": "dr-9", "mode": "self", "answers": {}}),
            422,
            Value::Null,
        ),
        (
            json!({"instrument": "dr-1", "mode": "robot", "answers": {}}),
            422,
            Value::Null,
        ),
    ];
    for (body, status, item) in cases {
        let res = post(body.to_string()).await?;
        assert_eq!(res.status().as_u16(), status, "{body}");
        let got: Value = res.json().await?;
        assert_eq!(got["item"], item, "{body} -> {got}");
        assert!(
            got["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{got}"
        );
    }
    assert_eq!(
        post("{not json".into()).await?.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post("[1, 2]".into()).await?.status(),
        StatusCode::BAD_REQUEST
    );
    let huge = format!(
        r#"{{"instrument":"dr-1","mode":"self","answers":{{"A1":"{}"}}}}"#,
        "x".repeat(70 * 1024)
    );
    assert_eq!(post(huge).await?.status(), StatusCode::PAYLOAD_TOO_LARGE);
    Ok(())
}

#[tokio::test]
async fn instrument_definition_is_served_with_every_language() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let res = app
        .client()
        .get(app.url("/api/v1/instruments/dr-1"))
        .send()
        .await?;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await?;
    for needle in [
        "\"A1\"",
        "\"P1\"",
        "phone_and_computer",
        "\"da\"",
        "\"en\"",
        "\"ar\"",
    ] {
        assert!(text.contains(needle), "instrument JSON lacks {needle}");
    }
    let missing = app
        .client()
        .get(app.url("/api/v1/instruments/dr-9"))
        .send()
        .await?;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    Ok(())
}
