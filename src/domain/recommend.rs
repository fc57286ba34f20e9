//! The channel recommendation of instrument.md, rule by rule in the spec's order, then what
//! explains it: reasons, the borderline probe, flags, exemption grounds and next steps.

use super::answers::Answers;
use super::codes::{
    Channel, Dimension, ExemptionGround, Flag, NextStep,
    ReasonCode::{self, *},
};
use super::instrument::Instrument;
use super::scoring::{Coverage, Scores, score};
use serde::{Deserialize, Serialize};

mod reasons;
#[cfg(test)]
mod tests;

use reasons::Reasons;

/// The scoring result, exactly the JSON of `POST /api/v1/score`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Outcome {
    pub instrument: String,
    pub channel: Channel,
    /// The rule that fired, 1..=6.
    pub rule: u8,
    pub provisional: bool,
    pub borderline: bool,
    pub scores: Scores,
    pub coverage: Coverage,
    pub reasons: Vec<ReasonCode>,
    pub flags: Vec<Flag>,
    pub exemption_grounds: Vec<ExemptionGround>,
    pub next_steps: Vec<NextStep>,
}

impl Outcome {
    /// The reasons a recipient is shown: the first two.
    pub fn reasons_for_recipient(&self) -> &[ReasonCode] {
        &self.reasons[..self.reasons.len().min(2)]
    }
}

// Thresholds, named by the rule that uses them.
const RULE_3_SKILLS_MIN: u8 = 30;
const RULE_3_MOTIVATION_MIN: u8 = 40;
const RULE_4_ACCESS_MIN: u8 = 70;
const RULE_4_SKILLS_MIN: u8 = 60;
const RULE_4_MOTIVATION_MIN: u8 = 60;
const RULE_5_SKILLS_MIN: u8 = 30;
const RULE_5_MOTIVATION_MIN: u8 = 40;
const BORDERLINE_STEP: u8 = 5;
const MANY_DONT_UNDERSTAND: u8 = 3;

/// Scores the answers and recommends a channel. Pure: same answers, same outcome.
pub fn evaluate(instrument: &Instrument, answers: &Answers) -> Outcome {
    let (scores, coverage) = score(instrument, answers);
    let facts = Facts::read(instrument, answers);
    let exemption_grounds = exemption_grounds(&facts);
    let decision = decide(&facts, !exemption_grounds.is_empty(), scores);
    let provisional = decision.rule == 2;
    let borderline = is_borderline(&facts, decision, scores);
    let next_steps = next_steps(
        decision,
        !exemption_grounds.is_empty() && !facts.a4_exempt,
        provisional || borderline,
    );
    Outcome {
        instrument: instrument.id().to_owned(),
        channel: decision.channel,
        rule: decision.rule,
        provisional,
        borderline,
        scores,
        coverage,
        reasons: decision.reasons.to_vec(),
        flags: flags(&facts),
        exemption_grounds,
        next_steps,
    }
}

/// What the rules, flags and grounds look at, read once from the counted answers (so hidden
/// S1..S6 read `cannot`, and O1 is absent outside interview mode). Named after the spec.
#[derive(Clone, Copy, Debug, Default)]
struct Facts {
    a1_none_or_borrowed: bool,
    a2_none: bool,
    a3_none: bool,
    a3_needs_help: bool,
    a3_works_myself: bool,
    a4_exempt: bool,
    s3_alone_or_better: bool,
    s4_alone_or_better: bool,
    s7_alone_or_better: bool,
    /// `dont_understand` answers among the shown skills items.
    dont_understand: u8,
    o1_fail: bool,
    m1_disagrees: bool,
    m2_strongly_agree: bool,
    m3_strongly_agree: bool,
    u1_never: bool,
    n1_no: bool,
    l1_very_hard_or_interpreter: bool,
    l2_yes: bool,
    h1_a_lot: bool,
    h2_shelter_or_no_address: bool,
    p1_paper_phone_person: bool,
}

impl Facts {
    fn read(instrument: &Instrument, answers: &Answers) -> Facts {
        let is = |id: &str, codes: &[&str]| {
            answers
                .counted(instrument, id)
                .is_some_and(|code| codes.contains(&code))
        };
        let alone = ["alone", "can_teach"];
        let dont_understand = (instrument.items().iter().enumerate())
            .filter(|(_, item)| item.dimension() == Some(Dimension::Skills))
            .filter_map(|(position, _)| answers.counted_option(instrument, position))
            .filter(|option| option.code() == "dont_understand")
            .count();
        Facts {
            a1_none_or_borrowed: is("A1", &["none", "borrowed_only"]),
            a2_none: is("A2", &["none"]),
            a3_none: is("A3", &["none"]),
            a3_needs_help: is("A3", &["needs_help"]),
            a3_works_myself: is("A3", &["works_myself"]),
            a4_exempt: is("A4", &["exempt"]),
            s3_alone_or_better: is("S3", &alone),
            s4_alone_or_better: is("S4", &alone),
            s7_alone_or_better: is("S7", &alone),
            dont_understand: u8::try_from(dont_understand).unwrap_or(u8::MAX),
            o1_fail: is("O1", &["fail"]),
            m1_disagrees: is("M1", &["strongly_disagree", "disagree"]),
            m2_strongly_agree: is("M2", &["strongly_agree"]),
            m3_strongly_agree: is("M3", &["strongly_agree"]),
            u1_never: is("U1", &["never"]),
            n1_no: is("N1", &["no"]),
            l1_very_hard_or_interpreter: is("L1", &["very_hard", "need_interpreter"]),
            l2_yes: is("L2", &["yes"]),
            h1_a_lot: is("H1", &["a_lot"]),
            h2_shelter_or_no_address: is("H2", &["shelter", "no_fixed_address"]),
            p1_paper_phone_person: is("P1", &["paper_phone_person"]),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Decision {
    channel: Channel,
    rule: u8,
    reasons: Reasons,
}

/// The three scores once all are known (after rule 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Known {
    access: u8,
    skills: u8,
    motivation: u8,
}

/// The first rule that fires wins.
fn decide(f: &Facts, any_exemption_ground: bool, scores: Scores) -> Decision {
    // Rule 1 — analogue: already exempt; prefers paper and has a ground; or never online
    // and does not want to be.
    let mut reasons = Reasons::default();
    reasons.add_if(f.a4_exempt, AlreadyExempt);
    reasons.add_if(
        f.p1_paper_phone_person && any_exemption_ground,
        PrefersPaperWithGround,
    );
    reasons.add_if(f.u1_never && f.m1_disagrees, DoesNotWantOnline);
    if !reasons.is_empty() {
        return Decision {
            channel: Channel::Analogue,
            rule: 1,
            reasons,
        };
    }

    // Rule 2 — assisted, provisional: a dimension is unknown.
    let (Some(access), Some(skills), Some(motivation)) =
        (scores.access, scores.skills, scores.motivation)
    else {
        let mut reasons = Reasons::default();
        reasons.add_if(true, TooFewAnswers);
        return Decision {
            channel: Channel::Assisted,
            rule: 2,
            reasons,
        };
    };

    rules_3_to_6(
        f,
        Known {
            access,
            skills,
            motivation,
        },
    )
}

/// Rules 3..6 depend only on facts and known scores, so the borderline probe re-runs them.
fn rules_3_to_6(f: &Facts, s: Known) -> Decision {
    // Rule 3 — blockers: no device, no internet, no MitID. Assisted when skills and
    // motivation are enough to remove the blocker with help, else analogue.
    let mut reasons = Reasons::default();
    reasons.add_if(f.a1_none_or_borrowed, NoDevice);
    reasons.add_if(f.a2_none, NoInternet);
    reasons.add_if(f.a3_none, NoMitid);
    if !reasons.is_empty() {
        if s.skills >= RULE_3_SKILLS_MIN && s.motivation >= RULE_3_MOTIVATION_MIN {
            return Decision {
                channel: Channel::Assisted,
                rule: 3,
                reasons,
            };
        }
        reasons.add_if(s.skills < RULE_3_SKILLS_MIN, SkillsLow);
        reasons.add_if(s.motivation < RULE_3_MOTIVATION_MIN, MotivationLow);
        return Decision {
            channel: Channel::Analogue,
            rule: 3,
            reasons,
        };
    }

    // Rule 4 — self-service when every condition holds. Its failed conditions are the
    // reasons of rules 5 and 6; skills_low and motivation_low use the firing rule's limits.
    let failed = |skills_min: u8, motivation_min: u8| {
        let mut r = Reasons::default();
        r.add_if(s.access < RULE_4_ACCESS_MIN, AccessLow);
        r.add_if(s.skills < skills_min, SkillsLow);
        r.add_if(s.motivation < motivation_min, MotivationLow);
        r.add_if(!f.s4_alone_or_better, CannotLogInAlone);
        r.add_if(!f.a3_works_myself, MitidNeedsHelp);
        r.add_if(f.m2_strongly_agree, NervousOnline);
        r.add_if(f.m3_strongly_agree, FearOfMistakes);
        r.add_if(f.l1_very_hard_or_interpreter, Language); // unanswered L1 passes
        r.add_if(f.o1_fail, ObservedTaskFailed);
        r
    };
    let rule_4_failed = failed(RULE_4_SKILLS_MIN, RULE_4_MOTIVATION_MIN);
    if rule_4_failed.is_empty() {
        return Decision {
            channel: Channel::SelfService,
            rule: 4,
            reasons: rule_4_failed,
        };
    }

    // Rule 5 — analogue: low skills, and low motivation, no support person or a language
    // barrier.
    if s.skills < RULE_5_SKILLS_MIN
        && (s.motivation < RULE_5_MOTIVATION_MIN || f.n1_no || f.l1_very_hard_or_interpreter)
    {
        let mut reasons = failed(RULE_5_SKILLS_MIN, RULE_5_MOTIVATION_MIN);
        reasons.add_if(f.n1_no, NoSupportPerson);
        return Decision {
            channel: Channel::Analogue,
            rule: 5,
            reasons,
        };
    }

    // Rule 6 — otherwise assisted.
    Decision {
        channel: Channel::Assisted,
        rule: 6,
        reasons: rule_4_failed,
    }
}

/// Borderline: rule 3..6 fired, and moving one score by ±5 (clamped to 0..=100) in any of
/// the six ways changes the channel. A caseworker should then review the result.
fn is_borderline(f: &Facts, decision: Decision, scores: Scores) -> bool {
    if !(3..=6).contains(&decision.rule) {
        return false;
    }
    let (Some(access), Some(skills), Some(motivation)) =
        (scores.access, scores.skills, scores.motivation)
    else {
        return false;
    };
    let known = Known {
        access,
        skills,
        motivation,
    };
    let down = |v: u8| v.saturating_sub(BORDERLINE_STEP);
    let up = |v: u8| v.saturating_add(BORDERLINE_STEP).min(100);
    let probes = [
        Known {
            access: down(access),
            ..known
        },
        Known {
            access: up(access),
            ..known
        },
        Known {
            skills: down(skills),
            ..known
        },
        Known {
            skills: up(skills),
            ..known
        },
        Known {
            motivation: down(motivation),
            ..known
        },
        Known {
            motivation: up(motivation),
            ..known
        },
    ];
    probes
        .into_iter()
        .any(|probe| rules_3_to_6(f, probe).channel != decision.channel)
}

/// Listed in the spec's order.
fn flags(f: &Facts) -> Vec<Flag> {
    [
        (
            f.dont_understand >= MANY_DONT_UNDERSTAND,
            Flag::ManyDontUnderstand,
        ),
        (
            (f.s3_alone_or_better || f.s4_alone_or_better) && f.a3_none,
            Flag::SelfRatingVsMitid,
        ),
        (
            f.u1_never && f.s7_alone_or_better,
            Flag::NeverOnlineButSkilled,
        ),
        (
            f.o1_fail && f.s3_alone_or_better,
            Flag::ObservedVsSelfRating,
        ),
    ]
    .into_iter()
    .filter_map(|(holds, flag)| holds.then_some(flag))
    .collect()
}

/// Possible grounds for exemption from Digital Post, in the spec's order.
fn exemption_grounds(f: &Facts) -> Vec<ExemptionGround> {
    [
        (
            f.a1_none_or_borrowed || f.a2_none,
            ExemptionGround::NoDeviceOrInternet,
        ),
        (f.h2_shelter_or_no_address, ExemptionGround::NoFixedAddress),
        (
            f.l1_very_hard_or_interpreter || f.l2_yes,
            ExemptionGround::LanguageOrReading,
        ),
        (
            f.a3_none || f.a3_needs_help,
            ExemptionGround::MitidDifficulty,
        ),
        (f.h1_a_lot, ExemptionGround::Health),
    ]
    .into_iter()
    .filter_map(|(holds, ground)| holds.then_some(ground))
    .collect()
}

/// Next steps in the spec's order; each appears at most once.
fn next_steps(d: Decision, ground_and_not_exempt: bool, rescreen: bool) -> Vec<NextStep> {
    let r = d.reasons;
    [
        (d.rule == 1, NextStep::PaperChannel),
        (
            d.channel == Channel::Analogue && ground_and_not_exempt,
            NextStep::ExemptionRequest,
        ),
        (r.any(&[NoMitid, MitidNeedsHelp]), NextStep::MitidHelp),
        (r.any(&[NoDevice, AccessLow]), NextStep::DeviceAccess),
        (r.any(&[NoInternet]), NextStep::InternetAccess),
        (
            r.any(&[SkillsLow, CannotLogInAlone, ObservedTaskFailed]),
            NextStep::SkillsCourse,
        ),
        (
            r.any(&[MotivationLow, NervousOnline, FearOfMistakes]),
            NextStep::TalkAboutWorries,
        ),
        (r.any(&[Language]), NextStep::LanguageSupport),
        (r.any(&[NoSupportPerson]), NextStep::SupportPerson),
        (rescreen, NextStep::Rescreen3Months),
    ]
    .into_iter()
    .filter_map(|(holds, step)| holds.then_some(step))
    .collect()
}
