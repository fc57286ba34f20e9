// The score request's two kinds of refusal: 400 for a body that is not a score request,
// 422 (naming the item, or null for instrument and mode) for wrong content.

use super::*;

fn status(body: &str) -> u16 {
    match score_request(body.as_bytes()) {
        Ok(_) => 200,
        Err(e) => e.status(),
    }
}

fn invalid_item(body: &str) -> Option<String> {
    match score_request(body.as_bytes()) {
        Err(RequestError::Invalid(e)) => e.item,
        other => panic!("expected 422 for {body}, got {other:?}"),
    }
}

#[test]
fn scores_a_valid_request() {
    let body = r#"{"instrument": "dr-1", "mode": "self", "answers": {"A1": "phone_only", "U2": ["banking"]}}"#;
    let outcome = score_request(body.as_bytes()).unwrap();
    assert_eq!((outcome.instrument.as_str(), outcome.rule), ("dr-1", 2));
    let request = parse_score_request(body.as_bytes()).unwrap();
    assert_eq!(request.mode, Mode::SelfAssessment);
    assert_eq!(request.instrument.id(), "dr-1");
    // Extra top-level fields are ignored.
    let extra = r#"{"instrument": "dr-1", "mode": "self", "answers": {}, "client": "x"}"#;
    assert_eq!(status(extra), 200);
}

#[test]
fn malformed_bodies_are_400() {
    for body in [
        "",
        "not json",
        "[\"dr-1\", \"self\", {}]",
        "\"dr-1\"",
        "null",
        r#"{"instrument": "dr-1", "mode": "self", "answers": {}} trailing"#,
        r#"{"mode": "self", "answers": {}}"#,
        r#"{"instrument": "dr-1", "answers": {}}"#,
        r#"{"instrument": "dr-1", "mode": "self"}"#,
        r#"{"instrument": 1, "mode": "self", "answers": {}}"#,
        r#"{"instrument": "dr-1", "mode": ["self"], "answers": {}}"#,
        r#"{"instrument": "dr-1", "mode": "self", "answers": []}"#,
        r#"{"instrument": "dr-1", "mode": "self", "answers": "A1=none"}"#,
        r#"{"instrument": "dr-1", "mode": "self", "answers": null}"#,
        r#"{"instrument": "dr-1", "instrument": "dr-1", "mode": "self", "answers": {}}"#,
    ] {
        assert_eq!(status(body), 400, "{body}");
    }
    let e = score_request(b"{").unwrap_err();
    assert!(e.to_string().contains("not valid JSON"), "{e}");
    assert_eq!(e.body()["item"], Json::Null);
}

#[test]
fn unknown_instrument_or_mode_is_422_without_item() {
    assert_eq!(
        invalid_item(r#"{"instrument": "dr-2", "mode": "self", "answers": {}}"#),
        None
    );
    assert_eq!(
        invalid_item(r#"{"instrument": "dr-1", "mode": "online", "answers": {}}"#),
        None
    );
    // Checked before the answers.
    let both = r#"{"instrument": "dr-1", "mode": "x", "answers": {"A1": "bad"}}"#;
    assert_eq!(invalid_item(both), None);
}

#[test]
fn bad_answers_are_422_naming_the_first_item_in_spec_order() {
    let body = |answers: &str| {
        format!(r#"{{"instrument": "dr-1", "mode": "self", "answers": {answers}}}"#)
    };
    assert_eq!(invalid_item(&body(r#"{"Q9": "x"}"#)), Some("Q9".into()));
    assert_eq!(
        invalid_item(&body(r#"{"U1": "x", "A2": "x"}"#)),
        Some("A2".into())
    );
    assert_eq!(
        invalid_item(&body(r#"{"O1": "not_done"}"#)),
        Some("O1".into())
    );
    assert_eq!(
        invalid_item(&body(r#"{"U2": "banking"}"#)),
        Some("U2".into())
    );
    assert_eq!(
        invalid_item(&body(r#"{"U2": ["none_of_these", "upload"]}"#)),
        Some("U2".into())
    );
    let e = score_request(body(r#"{"A1": 7}"#).as_bytes()).unwrap_err();
    assert_eq!(e.status(), 422);
    assert_eq!(e.body()["item"], "A1");
}

#[test]
fn a_repeated_answer_id_is_422_in_spec_order() {
    let body = |answers: &str| {
        format!(r#"{{"instrument": "dr-1", "mode": "self", "answers": {answers}}}"#)
    };
    let repeated = body(r#"{"M1": "agree", "M1": "disagree"}"#);
    let e = score_request(repeated.as_bytes()).unwrap_err();
    assert!(
        e.to_string().contains("M1 is answered more than once"),
        "{e}"
    );
    assert_eq!(
        invalid_item(&body(r#"{"M1": "agree", "M1": "agree", "A1": "x"}"#)),
        Some("A1".into())
    );
    assert_eq!(
        invalid_item(&body(r#"{"M1": "agree", "M1": "agree", "P1": "x"}"#)),
        Some("M1".into())
    );
}
