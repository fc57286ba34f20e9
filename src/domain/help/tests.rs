use super::*;
use time::macros::date;

fn form() -> OfferForm {
    OfferForm {
        kind: "borgerservice".into(),
        name_da: "Borgerservice Nordby".into(),
        description_da: "Hjælp til MitID.".into(),
        steps: vec!["mitid_help".into(), "exemption_request".into()],
        teams: vec!["2".into()],
        address: "Torvet 1, 9999 Nordby".into(),
        hours: "Man-tor 10-15".into(),
        phone: "+45 12 34 56 78".into(),
        web: "https://nordby.example/borgerservice".into(),
        languages: "dansk, engelsk".into(),
        free: "yes".into(),
        ..OfferForm::default()
    }
}

fn codes(problems: Vec<FieldProblem>) -> Vec<String> {
    problems.iter().map(FieldProblem::code).collect()
}

#[test]
fn a_complete_form_gives_the_offer_with_its_steps_in_spec_order() {
    let offer = form().check(&[1, 2]).expect("valid");
    assert_eq!(offer.kind, OfferKind::Borgerservice);
    assert_eq!(
        offer.steps,
        [NextStep::ExemptionRequest, NextStep::MitidHelp]
    );
    assert_eq!(offer.teams, [2]);
    assert!(offer.free && !offer.step_free);
}

#[test]
fn every_problem_is_named_by_its_field() {
    let bad = OfferForm {
        kind: "castle".into(),
        name_da: " ".into(),
        name_en: "x".repeat(NAME_MAX + 1),
        description_da: "Ring 010190-1234".into(),
        steps: vec!["fly".into()],
        teams: vec!["9".into()],
        phone: "call me".into(),
        web: "javascript:alert(1)".into(),
        ..OfferForm::default()
    };
    assert_eq!(
        codes(bad.check(&[1, 2]).unwrap_err()),
        [
            "kind_missing",
            "name_da_missing",
            "name_en_long",
            "description_da_cpr",
            "steps_invalid",
            "teams_invalid",
            "phone_invalid",
            "web_invalid",
        ]
    );
    let nowhere = OfferForm {
        address: String::new(),
        phone: String::new(),
        web: String::new(),
        steps: Vec::new(),
        ..form()
    };
    assert_eq!(
        codes(nowhere.check(&[2]).unwrap_err()),
        ["steps_missing", "address_contact"]
    );
}

#[test]
fn phone_numbers_and_web_addresses() {
    for good in ["+45 33 66 33 66", "70 10 18 18", "(45) 1234-5678"] {
        assert!(phone_is_valid(good), "{good}");
    }
    assert!(!phone_is_valid("12 34"));
    assert!(!phone_is_valid("45+12345678"));
    assert!(!phone_is_valid("tel:12345678"));
    assert_eq!(tel_href("+45 33 66 33 66"), "tel:+4533663366");
    assert!(web_is_valid("https://bib.example/it-hjaelp?x=1"));
    assert!(!web_is_valid("https://nohost"));
    assert!(!web_is_valid("ftp://bib.example"));
    assert!(!web_is_valid("https://bib.example/\"onmouseover"));
}

#[test]
fn texts_fall_back_to_danish_and_say_so() {
    let t = Texts {
        da: "Biblioteket".into(),
        en: "The library".into(),
        ar: " ".into(),
    };
    assert_eq!(t.get("en"), ("The library", false));
    assert_eq!(t.get("ar"), ("Biblioteket", true));
    assert_eq!(t.get("da"), ("Biblioteket", false));
}

#[test]
fn an_offer_serves_its_steps_for_its_teams_until_it_is_retired() {
    let mut offer = Offer {
        id: 1,
        fields: form().check(&[1, 2]).expect("valid"),
        retired: false,
    };
    assert!(offer.serves(NextStep::MitidHelp, Some(2)));
    assert!(!offer.serves(NextStep::MitidHelp, Some(1)));
    assert!(!offer.serves(NextStep::MitidHelp, None));
    assert!(!offer.serves(NextStep::SkillsCourse, Some(2)));
    offer.fields.teams.clear();
    assert!(offer.serves(NextStep::MitidHelp, None));
    offer.retired = true;
    assert!(!offer.serves(NextStep::MitidHelp, Some(2)));
}

#[test]
fn a_plan_takes_offered_steps_with_their_dates() {
    let offered = [NextStep::MitidHelp, NextStep::SkillsCourse];
    let today = date!(2026 - 11 - 30);
    let plan = PlanForm {
        steps: vec!["skills_course".into(), "mitid_help".into()],
        due_for: vec!["mitid_help".into(), "skills_course".into()],
        due: vec!["2026-12-14".into(), String::new()],
        next_screening: "2027-03-01".into(),
        note: "Ringer selv til biblioteket.".into(),
    }
    .check(&offered, today, |s| {
        if s == NextStep::MitidHelp {
            vec![7]
        } else {
            vec![]
        }
    })
    .expect("valid");
    assert_eq!(
        plan.steps,
        [
            PlanStep {
                step: NextStep::MitidHelp,
                due: Some(date!(2026 - 12 - 14)),
                offers: vec![7]
            },
            PlanStep {
                step: NextStep::SkillsCourse,
                due: None,
                offers: vec![]
            },
        ]
    );
    assert_eq!(plan.earliest_date(), Some(date!(2026 - 12 - 14)));
}

#[test]
fn a_plan_refuses_what_was_not_offered_bad_dates_and_cpr() {
    let offered = [NextStep::MitidHelp];
    let today = date!(2026 - 11 - 30);
    let bad = PlanForm {
        steps: vec!["mitid_help".into(), "paper_channel".into()],
        due_for: vec!["mitid_help".into()],
        due: vec!["2026-11-01".into()],
        next_screening: "soon".into(),
        note: "CPR 010190-1234".into(),
    };
    assert_eq!(
        codes(bad.check(&offered, today, |_| vec![]).unwrap_err()),
        [
            "due_past",
            "steps_invalid",
            "next_screening_invalid",
            "note_cpr"
        ]
    );
    let empty = PlanForm::default();
    assert_eq!(
        codes(empty.check(&offered, today, |_| vec![]).unwrap_err()),
        ["steps_missing"]
    );
}
