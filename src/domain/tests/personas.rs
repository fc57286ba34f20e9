// Every persona in tests/data/dr-1-public.json must score exactly as its `expect` says.
// The file is a byte-for-byte copy of ../shared/personas/dr-1-public.json.

use super::super::answers::Answers;
use super::super::codes::Mode;
use super::super::instrument::Instrument;
use super::super::recommend::{Outcome, evaluate};
use super::super::request::score_request;
use serde_json::{Value as Json, json};

const PERSONAS: &str = include_str!("../../../tests/data/dr-1-public.json");

fn personas() -> Vec<Json> {
    serde_json::from_str(PERSONAS).expect("personas file is a JSON list")
}

/// Coverage is compared to 2 decimals, as the personas README asks; all else exactly.
fn rounded(mut outcome: Json) -> Json {
    if let Some(coverage) = outcome.get_mut("coverage").and_then(Json::as_object_mut) {
        for value in coverage.values_mut() {
            let x = value.as_f64().unwrap_or(f64::NAN);
            *value = json!((x * 100.0).round() / 100.0);
        }
    }
    outcome
}

#[test]
fn every_persona_scores_as_expected() {
    let dr1 = Instrument::dr1();
    let cases = personas();
    assert_eq!(cases.len(), 10);
    for case in cases {
        let id = case["id"].as_str().unwrap_or("?");
        let mode: Mode = case["mode"].as_str().unwrap_or("?").parse().unwrap();
        let answers = Answers::parse(dr1, mode, case["answers"].as_object().unwrap())
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        let outcome = evaluate(dr1, &answers);
        let expected: Outcome = serde_json::from_value(case["expect"].clone()).unwrap();
        assert_eq!(outcome.channel, expected.channel, "{id}: channel");
        assert_eq!(
            rounded(serde_json::to_value(&outcome).unwrap()),
            rounded(case["expect"].clone()),
            "{id}: every field of expect"
        );
    }
}

#[test]
fn every_persona_scores_the_same_through_the_request_api() {
    for case in personas() {
        let body = json!({"instrument": "dr-1", "mode": case["mode"], "answers": case["answers"]});
        let outcome = score_request(body.to_string().as_bytes()).unwrap();
        assert_eq!(
            rounded(serde_json::to_value(&outcome).unwrap()),
            rounded(case["expect"].clone()),
            "{}",
            case["id"]
        );
    }
}

#[test]
fn persona_copy_is_identical_to_the_shared_file() {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/personas/dr-1-public.json");
    // Skipped where the shared folder is not checked out beside the crate.
    let Ok(original) = std::fs::read(&shared) else {
        return;
    };
    assert!(
        original == PERSONAS.as_bytes(),
        "tests/data/dr-1-public.json differs from {}: copy it again",
        shared.display()
    );
}
