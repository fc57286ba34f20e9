// Flags, exemption grounds, next steps and the result's JSON.

use super::super::*;
use super::*;
use serde_json::json;

// ----- Flags ----------------------------------------------------------------

#[test]
fn flag_many_dont_understand_counts_shown_skills_items() {
    let three = json!({"S1": "dont_understand", "S2": "dont_understand", "S7": "dont_understand"});
    assert_eq!(eval(three).flags, [Flag::ManyDontUnderstand]);
    let two = json!({"S1": "dont_understand", "S2": "dont_understand"});
    assert!(eval(two).flags.is_empty());
    // Hidden S1..S6 count as cannot, whatever was answered to them.
    let hidden = json!({"U1": "never", "M1": "agree", "S1": "dont_understand",
                        "S2": "dont_understand", "S3": "dont_understand", "S7": "cannot"});
    assert!(eval(hidden).flags.is_empty());
}

#[test]
fn flag_self_rating_vs_mitid() {
    assert_eq!(eval(json!({"A3": "none"})).flags, [Flag::SelfRatingVsMitid]);
    let s4_only = json!({"A3": "none", "S3": "with_help", "S4": "can_teach"});
    assert_eq!(eval(s4_only).flags, [Flag::SelfRatingVsMitid]);
    let neither = json!({"A3": "none", "S3": "with_help", "S4": "with_help"});
    assert!(eval(neither).flags.is_empty());
    assert!(eval(json!({"A3": "needs_help"})).flags.is_empty());
}

#[test]
fn flag_never_online_but_skilled() {
    let o = eval(json!({"U1": "never", "S7": "can_teach"}));
    assert_eq!(o.flags, [Flag::NeverOnlineButSkilled]);
    assert!(
        eval(json!({"U1": "never", "S7": "with_help"}))
            .flags
            .is_empty()
    );
    assert!(
        eval(json!({"U1": "rarely", "S7": "can_teach"}))
            .flags
            .is_empty()
    );
}

#[test]
fn flag_observed_vs_self_rating() {
    let o = eval_in(Mode::Interview, json!({"O1": "fail"}));
    assert_eq!(o.flags, [Flag::ObservedVsSelfRating]);
    let modest = eval_in(Mode::Interview, json!({"O1": "fail", "S3": "with_help"}));
    assert!(modest.flags.is_empty());
}

#[test]
fn flags_are_listed_in_spec_order() {
    let o = eval_in(
        Mode::Interview,
        json!({"O1": "fail", "A3": "none", "S1": "dont_understand", "S2": "dont_understand",
               "S5": "dont_understand"}),
    );
    assert_eq!(
        o.flags,
        [
            Flag::ManyDontUnderstand,
            Flag::SelfRatingVsMitid,
            Flag::ObservedVsSelfRating
        ]
    );
}

// ----- Exemption grounds ----------------------------------------------------

#[test]
fn each_exemption_ground() {
    use ExemptionGround::*;
    let cases = [
        (json!({"A1": "borrowed_only"}), NoDeviceOrInternet),
        (json!({"A2": "none"}), NoDeviceOrInternet),
        (json!({"H2": "shelter"}), NoFixedAddress),
        (json!({"H2": "no_fixed_address"}), NoFixedAddress),
        (json!({"L1": "need_interpreter"}), LanguageOrReading),
        (json!({"L2": "yes"}), LanguageOrReading),
        (json!({"A3": "needs_help"}), MitidDifficulty),
        (json!({"A3": "none"}), MitidDifficulty),
        (json!({"H1": "a_lot"}), Health),
    ];
    for (changes, ground) in cases {
        assert_eq!(
            eval(changes.clone()).exemption_grounds,
            [ground],
            "{changes}"
        );
    }
    assert!(
        eval(json!({"H1": "somewhat", "H2": "temporary", "L2": "rather_not"}))
            .exemption_grounds
            .is_empty()
    );
    let all = eval(
        json!({"A1": "none", "H2": "shelter", "L2": "yes", "A3": "needs_help",
                          "H1": "a_lot"}),
    );
    assert_eq!(
        all.exemption_grounds,
        [
            NoDeviceOrInternet,
            NoFixedAddress,
            LanguageOrReading,
            MitidDifficulty,
            Health
        ]
    );
}

// ----- Next steps -----------------------------------------------------------

#[test]
fn next_steps_follow_spec_order_without_repeats() {
    let mut every = Reasons::default();
    for reason in ReasonCode::ALL {
        every.add_if(true, *reason);
    }
    let d = Decision {
        channel: Channel::Analogue,
        rule: 1,
        reasons: every,
    };
    assert_eq!(next_steps(d, true, true), NextStep::ALL);
    let d = Decision {
        channel: Channel::Assisted,
        rule: 3,
        reasons: every,
    };
    assert_eq!(next_steps(d, true, false), &NextStep::ALL[2..9]);
}

#[test]
fn exemption_request_only_for_analogue_with_a_ground_and_not_exempt() {
    // A ground, but assisted: no request.
    let o = eval(json!({"A1": "none"}));
    assert_eq!(o.channel, Channel::Assisted);
    assert!(!o.next_steps.contains(&NextStep::ExemptionRequest));
    // Analogue by rule 5 without a ground: no request.
    let o = eval(json!({"U1": "never", "N1": "no"}));
    assert!(o.exemption_grounds.is_empty());
    assert!(!o.next_steps.contains(&NextStep::ExemptionRequest));
    // Analogue by rule 5 with a ground: request.
    let o = eval(json!({"U1": "never", "N1": "no", "L2": "yes"}));
    assert_eq!(o.next_steps[0], NextStep::ExemptionRequest);
}

// ----- The result as JSON ---------------------------------------------------

#[test]
fn outcome_serializes_as_the_api_json() {
    let o = eval(json!({"M1": null, "M2": null, "M3": null}));
    let value = serde_json::to_value(&o).unwrap();
    assert_eq!(
        value,
        json!({"instrument": "dr-1", "channel": "assisted", "rule": 2, "provisional": true,
               "borderline": false,
               "scores": {"access": 100, "skills": 71, "motivation": null},
               "coverage": {"access": 1.0, "skills": 1.0, "motivation": 0.5},
               "reasons": ["too_few_answers"], "flags": [], "exemption_grounds": [],
               "next_steps": ["rescreen_3_months"]})
    );
    let back: Outcome = serde_json::from_value(value).unwrap();
    assert_eq!(back, o);
}

#[test]
fn a_recipient_is_shown_at_most_two_reasons() {
    let o = eval(json!({"M2": "strongly_agree", "M3": "strongly_agree", "L1": "very_hard"}));
    assert_eq!(o.reasons.len(), 4);
    assert_eq!(o.reasons_for_recipient(), [MotivationLow, NervousOnline]);
}
