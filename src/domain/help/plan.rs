//! The plan a caseworker agrees with a person (server only: it works with dates).

use serde::{Deserialize, Serialize};
use time::Date;

use super::{FieldProblem, text};
use crate::domain::NextStep;

/// One step of an agreed plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanStep {
    pub step: NextStep,
    pub due: Option<Date>,
    /// The offers shown under the step when the plan was agreed.
    pub offers: Vec<i64>,
}

/// A plan a caseworker agreed with a person: one version beside the computed result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreedPlan {
    pub steps: Vec<PlanStep>,
    pub next_screening: Option<Date>,
    pub note: String,
}

impl AgreedPlan {
    /// The first of the plan's dates (its steps' due dates and the next screening): when
    /// the case is next due.
    pub fn earliest_date(&self) -> Option<Date> {
        self.steps
            .iter()
            .filter_map(|s| s.due)
            .chain(self.next_screening)
            .min()
    }
}

pub const PLAN_NOTE_MAX: usize = 500;

/// The plan form as posted: the agreed steps (repeated), one due date per row of the form
/// (`due`, each with the step it belongs to in `due_for`, in the same order), the next
/// screening date and a note.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanForm {
    pub steps: Vec<String>,
    pub due_for: Vec<String>,
    pub due: Vec<String>,
    pub next_screening: String,
    pub note: String,
}

/// A calendar day as a date field sends it (`2026-12-24`).
pub fn parse_day(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format).ok()
}

impl PlanForm {
    /// The plan, or every problem: steps must be among the result's next steps (`offered`),
    /// at least one; dates readable and not before `today`; the note short and without a
    /// CPR number. `offers` gives the offers each step shows now.
    pub fn check(
        &self,
        offered: &[NextStep],
        today: Date,
        offers: impl Fn(NextStep) -> Vec<i64>,
    ) -> Result<AgreedPlan, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut steps = Vec::new();
        for s in &self.steps {
            match s.trim().parse::<NextStep>() {
                Ok(step) if offered.contains(&step) => {
                    if steps.iter().any(|p: &PlanStep| p.step == step) {
                        continue;
                    }
                    let row = self.due_for.iter().position(|f| f.trim() == step.as_str());
                    let due = match row.and_then(|i| self.due.get(i)).map(|d| d.trim()) {
                        None | Some("") => None,
                        Some(d) => match parse_day(d) {
                            Some(day) if day >= today => Some(day),
                            Some(_) => {
                                problems.push(FieldProblem {
                                    field: "due",
                                    problem: "past",
                                });
                                None
                            }
                            None => {
                                problems.push(FieldProblem {
                                    field: "due",
                                    problem: "invalid",
                                });
                                None
                            }
                        },
                    };
                    steps.push(PlanStep {
                        step,
                        due,
                        offers: offers(step),
                    });
                }
                _ => problems.push(FieldProblem {
                    field: "steps",
                    problem: "invalid",
                }),
            }
        }
        if steps.is_empty() && problems.is_empty() {
            problems.push(FieldProblem {
                field: "steps",
                problem: "missing",
            });
        }
        steps.sort_by_key(|s| s.step);
        let next_screening = match self.next_screening.trim() {
            "" => None,
            d => match parse_day(d) {
                Some(day) if day >= today => Some(day),
                Some(_) => {
                    problems.push(FieldProblem {
                        field: "next_screening",
                        problem: "past",
                    });
                    None
                }
                None => {
                    problems.push(FieldProblem {
                        field: "next_screening",
                        problem: "invalid",
                    });
                    None
                }
            },
        };
        let note = text(&mut problems, "note", &self.note, PLAN_NOTE_MAX, false);
        if problems.is_empty() {
            Ok(AgreedPlan {
                steps,
                next_screening,
                note,
            })
        } else {
            Err(problems)
        }
    }
}
