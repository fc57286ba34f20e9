// The six rules, their reasons and the borderline probe, at the exact thresholds.

use super::*;
use serde_json::{Value as Json, json};

// ----- Rule 1 ---------------------------------------------------------------

#[test]
fn rule_1_already_exempt() {
    let o = eval(json!({"A4": "exempt"}));
    assert_eq!(
        rule_and_reasons(&o),
        (Channel::Analogue, 1, &[AlreadyExempt][..])
    );
    assert_eq!(o.next_steps, [NextStep::PaperChannel]);
    assert!(!o.borderline && !o.provisional);
}

#[test]
fn rule_1_prefers_paper_only_with_an_exemption_ground() {
    let o = eval(json!({"P1": "paper_phone_person", "H1": "a_lot"}));
    assert_eq!(
        rule_and_reasons(&o),
        (Channel::Analogue, 1, &[PrefersPaperWithGround][..])
    );
    assert_eq!(o.exemption_grounds, [ExemptionGround::Health]);
    assert_eq!(
        o.next_steps,
        [NextStep::PaperChannel, NextStep::ExemptionRequest]
    );
    assert_eq!(eval(json!({"P1": "paper_phone_person"})).rule, 4);
}

#[test]
fn rule_1_does_not_want_online() {
    let o = eval(json!({"U1": "never", "M1": "disagree"}));
    assert_eq!(
        rule_and_reasons(&o),
        (Channel::Analogue, 1, &[DoesNotWantOnline][..])
    );
    assert_eq!(
        eval(json!({"U1": "never", "M1": "strongly_disagree"})).rule,
        1
    );
    assert_ne!(eval(json!({"U1": "never", "M1": "neutral"})).rule, 1);
    assert_ne!(
        eval(json!({"U1": "rarely", "M1": "strongly_disagree"})).rule,
        1
    );
}

#[test]
fn rule_1_lists_every_reason_that_holds_and_beats_rule_2() {
    let o = eval(
        json!({"A4": "exempt", "P1": "paper_phone_person", "H1": "a_lot",
                        "U1": "never", "M1": "strongly_disagree", "M2": null, "M3": null,
                        "M4": null, "M5": null}),
    );
    assert_eq!(
        rule_and_reasons(&o),
        (
            Channel::Analogue,
            1,
            &[AlreadyExempt, PrefersPaperWithGround, DoesNotWantOnline][..]
        )
    );
    assert_eq!(o.scores.motivation, None);
    // Already exempt: nothing to apply for.
    assert_eq!(o.next_steps, [NextStep::PaperChannel]);
}

// ----- Rule 2 ---------------------------------------------------------------

#[test]
fn rule_2_too_few_answers_is_provisional() {
    let o = eval(json!({"M1": null, "M2": null, "M3": "strongly_agree", "M4": "dont_know"}));
    assert_eq!(o.coverage.motivation, 0.5);
    assert_eq!(o.scores.motivation, None);
    assert_eq!(
        rule_and_reasons(&o),
        (Channel::Assisted, 2, &[TooFewAnswers][..])
    );
    assert!(o.provisional && !o.borderline);
    assert_eq!(o.next_steps, [NextStep::Rescreen3Months]);
}

// ----- Rule 3 ---------------------------------------------------------------

#[test]
fn rule_3_each_blocker_is_assisted_when_skills_and_motivation_suffice() {
    for a1 in ["none", "borrowed_only"] {
        let o = eval(json!({"A1": a1}));
        assert_eq!(
            rule_and_reasons(&o),
            (Channel::Assisted, 3, &[NoDevice][..])
        );
        assert_eq!(o.next_steps, [NextStep::DeviceAccess]);
        assert_eq!(o.exemption_grounds, [ExemptionGround::NoDeviceOrInternet]);
    }
    let o = eval(json!({"A2": "none"}));
    assert_eq!(
        rule_and_reasons(&o),
        (Channel::Assisted, 3, &[NoInternet][..])
    );
    assert_eq!(o.next_steps, [NextStep::InternetAccess]);
    let o = eval(json!({"A3": "none"}));
    assert_eq!(rule_and_reasons(&o), (Channel::Assisted, 3, &[NoMitid][..]));
    assert_eq!(o.next_steps, [NextStep::MitidHelp]);
    let o = eval(json!({"A1": "none", "A2": "none", "A3": "none"}));
    assert_eq!(o.reasons, [NoDevice, NoInternet, NoMitid]);
}

#[test]
fn rule_3_is_analogue_below_skills_30_or_motivation_40() {
    let blocked = Facts {
        a1_none_or_borrowed: true,
        ..good()
    };
    assert_eq!(run(blocked, 100, 30, 40).0, Channel::Assisted);
    assert_eq!(run(blocked, 100, 29, 40).2, [NoDevice, SkillsLow]);
    assert_eq!(run(blocked, 100, 30, 39).2, [NoDevice, MotivationLow]);
    let (channel, rule, reasons, _) = run(blocked, 100, 29, 39);
    assert_eq!((channel, rule), (Channel::Analogue, 3));
    assert_eq!(reasons, [NoDevice, SkillsLow, MotivationLow]);
    // Through answers: never online (S1..S6 count as cannot), wants online, no device.
    let o = eval(json!({"U1": "never", "A1": "none", "S7": "with_help"}));
    assert_eq!(
        rule_and_reasons(&o),
        (Channel::Analogue, 3, &[NoDevice, SkillsLow][..])
    );
    assert_eq!(
        o.next_steps,
        [
            NextStep::ExemptionRequest,
            NextStep::DeviceAccess,
            NextStep::SkillsCourse
        ]
    );
}

// ----- Rule 4 ---------------------------------------------------------------

#[test]
fn rule_4_self_service_when_every_condition_holds() {
    let o = eval(json!({}));
    assert_eq!(rule_and_reasons(&o), (Channel::SelfService, 4, &[][..]));
    assert!(o.next_steps.is_empty() && o.flags.is_empty() && !o.borderline);
    // An unanswered L1 does not block self-service; an observed pass does not either.
    assert_eq!(eval(json!({"L1": null})).rule, 4);
    assert_eq!(eval_in(Mode::Interview, json!({"O1": "pass"})).rule, 4);
    assert_eq!(eval_in(Mode::Interview, json!({"O1": "not_done"})).rule, 4);
}

#[test]
fn rule_4_score_thresholds_are_inclusive() {
    assert_eq!(run(good(), 70, 60, 60).0, Channel::SelfService);
    assert_eq!(run(good(), 69, 60, 60).2, [AccessLow]);
    assert_eq!(run(good(), 70, 59, 60).2, [SkillsLow]);
    assert_eq!(run(good(), 70, 60, 59).2, [MotivationLow]);
    assert_eq!(run(good(), 69, 60, 60).1, 6);
}

/// Each failed rule-4 condition, through real answers, gives rule 6 with its reason.
#[test]
fn rule_6_names_each_failed_rule_4_condition() {
    let cases: [(Json, ReasonCode, NextStep); 11] = [
        (
            json!({"A1": "phone_only", "A2": "data_runs_out", "A5": "several", "A6": "sometimes"}),
            AccessLow,
            NextStep::DeviceAccess,
        ),
        (
            json!({"S1": "with_help", "S2": "with_help", "S3": "with_help", "S5": "with_help",
                "S6": "with_help"}),
            SkillsLow,
            NextStep::SkillsCourse,
        ),
        (
            json!({"M1": "neutral", "M4": "neutral", "M5": "neutral", "M6": "disagree"}),
            MotivationLow,
            NextStep::TalkAboutWorries,
        ),
        (
            json!({"S4": "with_help"}),
            CannotLogInAlone,
            NextStep::SkillsCourse,
        ),
        (
            json!({"S4": "rather_not"}),
            CannotLogInAlone,
            NextStep::SkillsCourse,
        ),
        (
            json!({"A3": "needs_help"}),
            MitidNeedsHelp,
            NextStep::MitidHelp,
        ),
        (
            json!({"A3": "dont_know"}),
            MitidNeedsHelp,
            NextStep::MitidHelp,
        ),
        (
            json!({"M2": "strongly_agree"}),
            NervousOnline,
            NextStep::TalkAboutWorries,
        ),
        (
            json!({"M3": "strongly_agree"}),
            FearOfMistakes,
            NextStep::TalkAboutWorries,
        ),
        (
            json!({"L1": "very_hard"}),
            Language,
            NextStep::LanguageSupport,
        ),
        (
            json!({"L1": "need_interpreter"}),
            Language,
            NextStep::LanguageSupport,
        ),
    ];
    for (changes, reason, step) in cases {
        let o = eval(changes.clone());
        assert_eq!(
            rule_and_reasons(&o),
            (Channel::Assisted, 6, &[reason][..]),
            "{changes}"
        );
        assert_eq!(o.next_steps, [step], "{changes}");
    }
    let o = eval_in(Mode::Interview, json!({"O1": "fail"}));
    assert_eq!(
        rule_and_reasons(&o),
        (Channel::Assisted, 6, &[ObservedTaskFailed][..])
    );
    assert_eq!(o.next_steps, [NextStep::SkillsCourse]);
}

// ----- Rule 5 and 6 ---------------------------------------------------------

#[test]
fn rule_5_low_skills_and_low_motivation_or_no_support_or_language() {
    let (channel, rule, reasons, _) = run(good(), 100, 29, 39);
    assert_eq!((channel, rule), (Channel::Analogue, 5));
    assert_eq!(reasons, [SkillsLow, MotivationLow]);
    assert_eq!(run(good(), 100, 30, 39).1, 6);
    assert_eq!(run(good(), 100, 29, 40).1, 6);
    // skills_low and motivation_low mean below rule 5's own limits (30 and 40) here.
    let no_support = Facts {
        n1_no: true,
        ..good()
    };
    assert_eq!(run(no_support, 100, 29, 50).2, [SkillsLow, NoSupportPerson]);
    let language = Facts {
        l1_very_hard_or_interpreter: true,
        ..good()
    };
    assert_eq!(run(language, 100, 29, 50).2, [SkillsLow, Language]);
    assert_eq!(run(language, 100, 29, 50).1, 5);
}

#[test]
fn rule_5_through_answers_adds_no_support_person() {
    // Never online but wants to be: S1..S6 count as cannot, skills 10.
    let o = eval(json!({"U1": "never", "N1": "no"}));
    assert_eq!(o.scores.skills, Some(10));
    assert_eq!(
        rule_and_reasons(&o),
        (
            Channel::Analogue,
            5,
            &[SkillsLow, CannotLogInAlone, NoSupportPerson][..]
        )
    );
    assert_eq!(
        o.next_steps,
        [NextStep::SkillsCourse, NextStep::SupportPerson]
    );
    assert_eq!(o.flags, [Flag::NeverOnlineButSkilled]);
}

#[test]
fn rule_6_otherwise_assisted_with_rule_4_limits() {
    let (channel, rule, reasons, _) = run(good(), 100, 40, 50);
    assert_eq!((channel, rule), (Channel::Assisted, 6));
    assert_eq!(reasons, [SkillsLow, MotivationLow]);
}

// ----- Borderline -----------------------------------------------------------

#[test]
fn borderline_at_rule_4_thresholds() {
    assert!(
        run(good(), 100, 60, 100).3,
        "skills 60 − 5 = 55 leaves self-service"
    );
    assert!(run(good(), 100, 64, 100).3);
    assert!(!run(good(), 100, 65, 100).3, "skills 65 − 5 = 60 stays");
    assert!(run(good(), 70, 100, 100).3);
    assert!(run(good(), 74, 100, 100).3);
    assert!(!run(good(), 75, 100, 100).3);
    assert!(run(good(), 100, 100, 60).3);
    assert!(!run(good(), 100, 100, 65).3);
    // Upwards too: assisted at 55 becomes self-service at 60.
    assert!(run(good(), 100, 55, 100).3);
    assert!(!run(good(), 100, 54, 100).3);
}

#[test]
fn borderline_at_rule_3_and_rule_5_thresholds() {
    let blocked = Facts {
        a3_none: true,
        ..good()
    };
    assert!(run(blocked, 100, 34, 100).3);
    assert!(!run(blocked, 100, 35, 100).3);
    assert!(run(blocked, 100, 100, 44).3);
    assert!(!run(blocked, 100, 100, 45).3);
    assert!(
        run(blocked, 100, 25, 100).3,
        "analogue at 25, assisted at 30"
    );
    assert!(!run(blocked, 100, 24, 100).3);
    assert!(run(good(), 100, 25, 30).3, "rule 5 at 25, rule 6 at 30");
    assert!(!run(good(), 100, 24, 30).3);
    assert!(
        run(good(), 100, 20, 35).3,
        "motivation 35 + 5 = 40 leaves rule 5"
    );
}

#[test]
fn borderline_probe_clamps_to_0_and_100() {
    assert!(!run(good(), 0, 0, 0).3);
    assert!(!run(good(), 100, 100, 100).3);
    assert!(!run(good(), 100, 2, 3).3);
}

#[test]
fn borderline_through_answers_asks_for_rescreening() {
    // Skills 52/84 twelfths = 62: self-service, but 57 would not be.
    let o = eval(json!({"S1": "alone", "S7": "with_help"}));
    assert_eq!(
        (o.channel, o.scores.skills, o.borderline),
        (Channel::SelfService, Some(62), true)
    );
    assert_eq!(o.next_steps, [NextStep::Rescreen3Months]);
    assert!(!o.provisional);
}
