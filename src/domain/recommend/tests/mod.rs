// One test per rule, reason, flag, exemption ground and next step, plus the ±5 borderline
// probe at the exact thresholds. Answer-based tests start from a fluent person who passes
// every rule-4 condition with margin (access 100, skills 71, motivation 75).

use super::super::codes::Mode;
use super::*;
use serde_json::{Value as Json, json};

fn fluent() -> Json {
    json!({
        "U1": "daily", "A1": "phone_and_computer", "A2": "stable", "A3": "works_myself",
        "A4": "read_myself", "A5": "never", "A6": "yes",
        "S1": "can_teach", "S2": "alone", "S3": "alone", "S4": "alone", "S5": "alone",
        "S6": "alone", "S7": "alone",
        "M1": "agree", "M2": "disagree", "M3": "disagree", "M4": "agree",
        "M5": "strongly_agree", "M6": "neutral",
        "U2": ["digital_post"], "N1": "sometimes", "N2": "no", "L1": "easy", "L2": "no",
        "H1": "no", "H2": "own_home", "P1": "online_myself"
    })
}

/// The fluent answers with `changes` applied (a null removes the answer).
fn eval_in(mode: Mode, changes: Json) -> Outcome {
    let mut answers = fluent().as_object().cloned().unwrap_or_default();
    for (id, value) in changes.as_object().cloned().unwrap_or_default() {
        match value {
            Json::Null => answers.remove(&id),
            value => answers.insert(id, value),
        };
    }
    let dr1 = Instrument::dr1();
    evaluate(dr1, &Answers::parse(dr1, mode, &answers).unwrap())
}

fn eval(changes: Json) -> Outcome {
    eval_in(Mode::SelfAssessment, changes)
}

/// Facts that pass every rule-4 condition apart from the scores.
fn good() -> Facts {
    Facts {
        a3_works_myself: true,
        s4_alone_or_better: true,
        ..Facts::default()
    }
}

/// Rules 3..6 on given scores: (channel, rule, reasons, borderline).
fn run(f: Facts, access: u8, skills: u8, motivation: u8) -> (Channel, u8, Vec<ReasonCode>, bool) {
    let scores = Scores {
        access: Some(access),
        skills: Some(skills),
        motivation: Some(motivation),
    };
    let d = decide(&f, false, scores);
    (
        d.channel,
        d.rule,
        d.reasons.to_vec(),
        is_borderline(&f, d, scores),
    )
}

fn rule_and_reasons(o: &Outcome) -> (Channel, u8, &[ReasonCode]) {
    (o.channel, o.rule, &o.reasons)
}

mod details;
mod rules;
