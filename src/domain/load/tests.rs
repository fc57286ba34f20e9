// Instrument checks: the bundled dr-1 passes; broken files are refused, naming the problem.

use super::super::codes::Mode;
use super::*;

const DR1: &str = include_str!("../../../instruments/dr-1.toml");

#[test]
fn bundled_instrument_is_valid_and_in_asking_order() {
    let instrument = Instrument::from_toml(DR1).unwrap();
    assert_eq!(instrument.id(), "dr-1");
    let ids: Vec<&str> = instrument.items().iter().map(Item::id).collect();
    let expected = "U1 A1 A2 A3 A4 A5 A6 S1 S2 S3 S4 S5 S6 S7 O1 M1 M2 M3 M4 M5 M6 \
                    U2 N1 N2 L1 L2 H1 H2 P1";
    assert_eq!(ids.join(" "), expected);
    assert!(std::ptr::eq(
        Instrument::dr1(),
        Instrument::bundled("dr-1").unwrap()
    ));
    assert!(Instrument::bundled("dr-2").is_none());
}

#[test]
fn bundled_points_match_the_spec() {
    let dr1 = Instrument::dr1();
    let points = |item: &str, code: &str| dr1.item(item).unwrap().option(code).unwrap().points();
    assert_eq!(points("A1", "borrowed_only"), Some(Points::Twelfths(3)));
    assert_eq!(points("A3", "dont_know"), Some(Points::Missing));
    assert_eq!(points("A4", "dont_know"), Some(Points::Twelfths(0)));
    assert_eq!(points("S3", "with_help"), Some(Points::Twelfths(4)));
    assert_eq!(points("S3", "rather_not"), Some(Points::Missing));
    assert_eq!(points("O1", "not_done"), Some(Points::NotApplicable));
    assert_eq!(points("M2", "agree"), Some(Points::Twelfths(9)));
    assert!(dr1.item("M2").unwrap().is_reverse() && dr1.item("M3").unwrap().is_reverse());
    assert_eq!(points("U1", "never"), None);
    assert_eq!(dr1.item("O1").unwrap().only_mode(), Some(Mode::Interview));
    assert!(dr1.item("U2").unwrap().is_multi());
    assert_eq!(dr1.item("S4").unwrap().shown_when().unwrap().item(), "U1");
    assert!(dr1.item("S7").unwrap().shown_when().is_none());
}

#[test]
fn texts_fall_back_to_danish_for_an_unknown_language() {
    let a1 = Instrument::dr1().item("A1").unwrap();
    assert_eq!(a1.question("xx"), a1.question("da"));
    assert_ne!(a1.question("ar"), a1.question("da"));
}

fn broken(from: &str, to: &str) -> InstrumentError {
    assert!(DR1.contains(from), "test edit {from:?} not found");
    Instrument::from_toml(&DR1.replacen(from, to, 1)).unwrap_err()
}

#[test]
fn rejects_a_duplicate_item_id() {
    let err = broken("id = \"A2\"", "id = \"A1\"");
    assert_eq!(err, InstrumentError::DuplicateItem("A1".into()));
    assert!(err.to_string().contains("A1"));
}

#[test]
fn rejects_a_duplicate_option_code() {
    let err = broken("code = \"phone_only\"", "code = \"phone_and_computer\"");
    assert!(matches!(err, InstrumentError::DuplicateOption { ref item, .. } if item == "A1"));
}

#[test]
fn rejects_missing_text_naming_entry_and_language() {
    let err = broken("question.ar = \"هل لديك MitID؟\"\n", "");
    assert_eq!(
        err,
        InstrumentError::MissingText {
            what: "item A3 question".into(),
            lang: "ar"
        }
    );
    let err = broken("label.en = \"Only a phone\"\n", "");
    assert!(
        err.to_string().contains("item A1 option phone_only label"),
        "{err}"
    );
    let err = broken("recipient.en = \"You do not have MitID.\"\n", "");
    assert!(
        err.to_string().contains("reasons.no_mitid.recipient"),
        "{err}"
    );
}

#[test]
fn rejects_a_missing_vocabulary_entry() {
    let start = DR1.find("[flags.never_online_but_skilled]").unwrap();
    let end = DR1.find("[flags.observed_vs_self_rating]").unwrap();
    let source = format!("{}{}", &DR1[..start], &DR1[end..]);
    let err = Instrument::from_toml(&source).unwrap_err();
    assert_eq!(
        err,
        InstrumentError::MissingText {
            what: "flags.never_online_but_skilled".into(),
            lang: "da"
        }
    );
}

#[test]
fn rejects_visibility_that_refers_to_nothing() {
    let err = broken(
        "shown_when = { item = \"U1\", not_in = [\"never\"] }",
        "shown_when = { item = \"U9\", not_in = [\"never\"] }",
    );
    assert!(matches!(err, InstrumentError::BadVisibility { ref item, .. } if item == "S1"));
    assert!(err.to_string().contains("U9"), "{err}");
    let err = broken(
        "shown_when = { item = \"U1\", not_in = [\"never\"] }",
        "shown_when = { item = \"U1\", not_in = [\"nevr\"] }",
    );
    assert!(err.to_string().contains("nevr"), "{err}");
    let err = broken("if_hidden = \"cannot\"", "if_hidden = \"cant\"");
    assert!(err.to_string().contains("cant"), "{err}");
}

#[test]
fn rejects_bad_points_and_bad_error_order() {
    let err = broken(
        "points = 3\nlabel.da = \"Kun en, jeg",
        "points = 13\nlabel.da = \"Kun en, jeg",
    );
    assert!(err.to_string().contains("borrowed_only"), "{err}");
    let err = broken("\"H2\", \"P1\",\n]", "\"H2\",\n]");
    assert!(err.to_string().contains("P1 is not listed"), "{err}");
    let err = broken("dimension = \"access\"", "dimension = \"acces\"");
    assert!(err.to_string().contains("acces"), "{err}");
    assert!(matches!(
        Instrument::from_toml("id = "),
        Err(InstrumentError::Toml(_))
    ));
}
