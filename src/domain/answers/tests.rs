// Parsing answers: what is accepted, what is refused, and which item an error names.

use super::*;
use serde_json::json;

fn parse(mode: Mode, answers: Json) -> Result<Answers, ValidationError> {
    let Json::Object(map) = answers else {
        panic!("test answers must be an object")
    };
    Answers::parse(Instrument::dr1(), mode, &map)
}

fn error_item(mode: Mode, answers: Json) -> Option<String> {
    parse(mode, answers).unwrap_err().item
}

#[test]
fn accepts_valid_answers_and_reads_them_back() {
    let dr1 = Instrument::dr1();
    let a = parse(
        Mode::SelfAssessment,
        json!({"A1": "phone_only", "U2": ["upload", "banking"]}),
    )
    .unwrap();
    assert_eq!(a.given(dr1, "A1"), Some("phone_only"));
    assert_eq!(a.given_all(dr1, "U2"), vec!["banking", "upload"]);
    assert_eq!(a.given(dr1, "A2"), None);
    let again = Answers::parse(dr1, Mode::SelfAssessment, &a.to_json(dr1)).unwrap();
    assert_eq!(again, a);
    assert!(parse(Mode::SelfAssessment, json!({})).unwrap().is_empty());
}

#[test]
fn null_and_empty_list_mean_unanswered() {
    let a = parse(
        Mode::SelfAssessment,
        json!({"A1": null, "U2": [], "O1": null}),
    )
    .unwrap();
    assert!(a.is_empty());
}

#[test]
fn rejects_unknown_items_and_codes_naming_the_item() {
    let e = parse(Mode::SelfAssessment, json!({"Z9": "x"})).unwrap_err();
    assert_eq!(e.item.as_deref(), Some("Z9"));
    assert!(e.message.contains("not a question"), "{}", e.message);
    let e = parse(Mode::SelfAssessment, json!({"A1": "phone"})).unwrap_err();
    assert_eq!(e.item.as_deref(), Some("A1"));
    assert!(
        e.message.contains("\"phone\" is not one of its answers"),
        "{}",
        e.message
    );
    assert_eq!(
        error_item(Mode::SelfAssessment, json!({"A1": 3})),
        Some("A1".into())
    );
    assert_eq!(
        error_item(Mode::SelfAssessment, json!({"A1": ["none"]})),
        Some("A1".into())
    );
    assert_eq!(
        error_item(Mode::SelfAssessment, json!({"M2": "Agree"})),
        Some("M2".into())
    );
}

#[test]
fn o1_is_rejected_in_self_mode_even_not_done() {
    let e = parse(Mode::SelfAssessment, json!({"O1": "not_done"})).unwrap_err();
    assert_eq!(e.item.as_deref(), Some("O1"));
    assert!(e.message.contains("interview"), "{}", e.message);
    assert!(parse(Mode::Interview, json!({"O1": "not_done"})).is_ok());
}

#[test]
fn rejects_malformed_u2() {
    for bad in [
        json!("banking"),
        json!(["banking", "banking"]),
        json!(["none_of_these", "banking"]),
        json!(["bank"]),
        json!([1]),
        json!({"banking": true}),
    ] {
        assert_eq!(
            error_item(Mode::SelfAssessment, json!({"U2": bad})),
            Some("U2".into())
        );
    }
    assert!(parse(Mode::SelfAssessment, json!({"U2": ["none_of_these"]})).is_ok());
}

#[test]
fn reports_the_first_offender_in_instrument_md_order_then_unknown_ids() {
    // U1 is asked first but listed with the context items in instrument.md.
    let both = json!({"U1": "often", "A1": "many", "S1": "x"});
    assert_eq!(error_item(Mode::SelfAssessment, both), Some("A1".into()));
    let late = json!({"P1": "x", "M6": "x", "O1": "pass"});
    assert_eq!(error_item(Mode::SelfAssessment, late), Some("O1".into()));
    let unknown = json!({"ZZ": "x", "AA": "x", "P1": "x"});
    assert_eq!(error_item(Mode::SelfAssessment, unknown), Some("P1".into()));
    let only_unknown = json!({"ZZ": "x", "AA": "x"});
    assert_eq!(
        error_item(Mode::SelfAssessment, only_unknown),
        Some("AA".into())
    );
}

#[test]
fn hidden_items_keep_their_answer_but_count_as_implied() {
    let dr1 = Instrument::dr1();
    let a = parse(
        Mode::SelfAssessment,
        json!({"U1": "never", "S3": "can_teach"}),
    )
    .unwrap();
    assert_eq!(a.given(dr1, "S3"), Some("can_teach"));
    assert_eq!(a.counted(dr1, "S3"), Some("cannot"));
    assert_eq!(a.counted(dr1, "S7"), None);
    let s3 = dr1.item("S3").unwrap();
    assert!(!s3.visible(Mode::SelfAssessment, &a));
    let unanswered_u1 = parse(Mode::SelfAssessment, json!({})).unwrap();
    assert!(s3.visible(Mode::SelfAssessment, &unanswered_u1));
    let raw = json!({"U1": "never"});
    assert!(!s3.visible_raw(Mode::SelfAssessment, raw.as_object().unwrap()));
    let o1 = dr1.item("O1").unwrap();
    assert!(!o1.visible(Mode::SelfAssessment, &a) && o1.visible(Mode::Interview, &a));
}

#[test]
fn error_messages_do_not_echo_huge_input() {
    let long = "x".repeat(10_000);
    let e = parse(Mode::SelfAssessment, json!({"A1": long})).unwrap_err();
    assert!(e.message.len() < 300, "{}", e.message.len());
}

#[test]
fn validation_error_serializes_as_the_api_body() {
    let e = ValidationError::new(Some("A1"), "bad".into());
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        json!({"error": "bad", "item": "A1"})
    );
}
