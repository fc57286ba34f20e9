//! Dimension scores and coverage, in exact integer arithmetic on twelfths of a point so the
//! same answers give the same number on every machine, with no float rounding at 0.5.

use super::answers::Answers;
use super::codes::Dimension;
use super::instrument::{FULL_POINT, Instrument, Points};
use serde::{Deserialize, Serialize};

/// Scores 0..=100 per dimension; `None` (JSON null) when too few items were answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scores {
    pub access: Option<u8>,
    pub skills: Option<u8>,
    pub motivation: Option<u8>,
}

/// Answered / applicable items per dimension, unrounded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    pub access: f64,
    pub skills: f64,
    pub motivation: f64,
}

impl Scores {
    pub fn get(&self, dimension: Dimension) -> Option<u8> {
        match dimension {
            Dimension::Access => self.access,
            Dimension::Skills => self.skills,
            Dimension::Motivation => self.motivation,
        }
    }
}

impl Coverage {
    pub fn get(&self, dimension: Dimension) -> f64 {
        match dimension {
            Dimension::Access => self.access,
            Dimension::Skills => self.skills,
            Dimension::Motivation => self.motivation,
        }
    }
}

#[derive(Clone, Copy, Default)]
struct Tally {
    applicable: u32,
    answered: u32,
    twelfths: u32,
}

impl Tally {
    fn coverage(self) -> f64 {
        if self.applicable == 0 {
            return 0.0;
        }
        f64::from(self.answered) / f64::from(self.applicable)
    }

    /// Unknown when coverage < 0.6, i.e. 5 × answered < 3 × applicable; otherwise
    /// round-half-up(100 × mean points) = ⌊(100 × twelfths + n/2) / n⌋ with n = 12 × answered.
    fn score(self) -> Option<u8> {
        if self.answered == 0 || 5 * self.answered < 3 * self.applicable {
            return None;
        }
        let n = FULL_POINT * self.answered;
        u8::try_from((100 * self.twelfths + n / 2) / n).ok()
    }
}

/// Scores every dimension. Applicable: all its items asked in this mode, less those whose
/// counted answer is "not applicable" (O1 `not_done`). Hidden items count their implied answer.
pub fn score(instrument: &Instrument, answers: &Answers) -> (Scores, Coverage) {
    let mut tallies = [Tally::default(); 3];
    for (position, item) in instrument.items.iter().enumerate() {
        let Some(dimension) = item.dimension else {
            continue;
        };
        if !item.applies_in(answers.mode()) {
            continue;
        }
        let tally = &mut tallies[dimension as usize];
        match answers
            .counted_option(instrument, position)
            .and_then(|o| o.points)
        {
            Some(Points::NotApplicable) => {}
            Some(Points::Twelfths(points)) => {
                tally.applicable += 1;
                tally.answered += 1;
                tally.twelfths += item.counted_twelfths(points);
            }
            Some(Points::Missing) | None => tally.applicable += 1,
        }
    }
    let [access, skills, motivation] = tallies;
    let scores = Scores {
        access: access.score(),
        skills: skills.score(),
        motivation: motivation.score(),
    };
    let coverage = Coverage {
        access: access.coverage(),
        skills: skills.coverage(),
        motivation: motivation.coverage(),
    };
    (scores, coverage)
}

#[cfg(test)]
mod tests {
    use super::super::codes::Mode;
    use super::*;
    use serde_json::json;

    fn scored(mode: Mode, answers: serde_json::Value) -> (Scores, Coverage) {
        let map = answers.as_object().cloned().unwrap_or_default();
        let answers = Answers::parse(Instrument::dr1(), mode, &map).unwrap();
        score(Instrument::dr1(), &answers)
    }

    #[test]
    fn rounds_half_up_exactly() {
        // 12 + 6×8 + 0 = 60 twelfths over 8 items: 62.5 → 63 (floats would agree here,
        // but only by luck; integers always do).
        let tally = Tally {
            applicable: 8,
            answered: 8,
            twelfths: 60,
        };
        assert_eq!(tally.score(), Some(63));
        // 9 twelfths over 6 items = 12.5 → 13.
        assert_eq!(
            Tally {
                applicable: 6,
                answered: 6,
                twelfths: 9
            }
            .score(),
            Some(13)
        );
        assert_eq!(
            Tally {
                applicable: 6,
                answered: 6,
                twelfths: 72
            }
            .score(),
            Some(100)
        );
        assert_eq!(
            Tally {
                applicable: 6,
                answered: 6,
                twelfths: 0
            }
            .score(),
            Some(0)
        );
    }

    #[test]
    fn unknown_below_sixty_percent_coverage() {
        // 3 of 5 is exactly 0.6: known. 3 of 6 is 0.5: unknown.
        assert_eq!(
            Tally {
                applicable: 5,
                answered: 3,
                twelfths: 36
            }
            .score(),
            Some(100)
        );
        assert_eq!(
            Tally {
                applicable: 6,
                answered: 3,
                twelfths: 36
            }
            .score(),
            None
        );
        assert_eq!(Tally::default().score(), None);
        assert_eq!(Tally::default().coverage(), 0.0);
    }

    #[test]
    fn reverse_items_score_one_minus_points() {
        let all = |m2: &str| json!({"M1": "agree", "M2": m2, "M3": "agree", "M4": "agree", "M5": "agree", "M6": "agree"});
        // M3 agree reversed = 3; five of 9 or 3: (9×4 + 3 + m2) / 72.
        assert_eq!(
            scored(Mode::SelfAssessment, all("strongly_agree"))
                .0
                .motivation,
            Some(54)
        );
        assert_eq!(
            scored(Mode::SelfAssessment, all("strongly_disagree"))
                .0
                .motivation,
            Some(71)
        );
    }

    #[test]
    fn hidden_skills_count_as_cannot_and_o1_not_done_is_not_applicable() {
        let (s, c) = scored(
            Mode::SelfAssessment,
            json!({"U1": "never", "S1": "can_teach"}),
        );
        // S1's own answer is ignored: hidden, it counts as cannot like S2..S6.
        assert_eq!((s.skills, c.skills), (Some(0), 6.0 / 7.0));
        let (s, c) = scored(
            Mode::SelfAssessment,
            json!({"U1": "never", "S7": "can_teach"}),
        );
        assert_eq!((s.skills, c.skills), (Some(14), 1.0));
        let (_, c) = scored(Mode::Interview, json!({"U1": "never", "S7": "alone"}));
        assert_eq!(c.skills, 7.0 / 8.0);
        let (_, c) = scored(
            Mode::Interview,
            json!({"U1": "never", "S7": "alone", "O1": "not_done"}),
        );
        assert_eq!(c.skills, 1.0);
    }

    #[test]
    fn missing_codes_lower_coverage() {
        let (s, c) = scored(
            Mode::SelfAssessment,
            json!({"A1": "none", "A2": "none", "A3": "dont_know", "A4": "dont_know",
                   "A5": "rather_not", "A6": "no"}),
        );
        assert_eq!((s.access, c.access), (Some(0), 4.0 / 6.0));
    }
}
