//! The help directory and the personal plan, as rules without I/O: what an offer holds,
//! how a form becomes one (each problem named by its field), which offers stand under a
//! next step, a text in the reader's language with Danish as the fallback, and what a
//! caseworker's agreed plan holds.

use serde::{Deserialize, Serialize};

use super::privacy::looks_like_cpr;
use super::{NextStep, OfferKind};

/// A text an administrator writes in Danish and, when they can, in English and Arabic.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Texts {
    pub da: String,
    pub en: String,
    pub ar: String,
}

impl Texts {
    /// The text in `lang`, or the Danish one when there is none; `true` when it fell back.
    pub fn get(&self, lang: &str) -> (&str, bool) {
        let own = match lang {
            "en" => &self.en,
            "ar" => &self.ar,
            _ => &self.da,
        };
        if own.trim().is_empty() {
            (&self.da, lang != "da")
        } else {
            (own, false)
        }
    }
}

/// An offer of help as an administrator describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferFields {
    pub kind: OfferKind,
    pub name: Texts,
    pub description: Texts,
    /// The next steps it helps with (at least one).
    pub steps: Vec<NextStep>,
    /// The teams (job centres) it applies to; empty for all of them.
    pub teams: Vec<i64>,
    pub address: String,
    pub hours: String,
    pub phone: String,
    pub web: String,
    /// The languages spoken there, as written ("dansk, engelsk, arabisk").
    pub languages: String,
    pub free: bool,
    pub step_free: bool,
}

/// An offer in the directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub id: i64,
    pub fields: OfferFields,
    /// Retired offers are shown to no one new, but plans that named them keep them.
    pub retired: bool,
}

impl Offer {
    /// Whether the offer stands under `step` for a person of `team` (`None`: a job centre
    /// is not known, so only offers for every team apply).
    pub fn serves(&self, step: NextStep, team: Option<i64>) -> bool {
        !self.retired
            && self.fields.steps.contains(&step)
            && (self.fields.teams.is_empty()
                || team.is_some_and(|t| self.fields.teams.contains(&t)))
    }
}

/// The offers under `step` for `team`, in the directory's order.
pub fn offers_for(offers: &[Offer], step: NextStep, team: Option<i64>) -> Vec<&Offer> {
    offers.iter().filter(|o| o.serves(step, team)).collect()
}

/// The form an administrator fills in, as posted (every field a text; the lists repeat).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OfferForm {
    pub kind: String,
    pub name_da: String,
    pub name_en: String,
    pub name_ar: String,
    pub description_da: String,
    pub description_en: String,
    pub description_ar: String,
    pub steps: Vec<String>,
    pub teams: Vec<String>,
    pub address: String,
    pub hours: String,
    pub phone: String,
    pub web: String,
    pub languages: String,
    pub free: String,
    pub step_free: String,
}

/// A problem with one field of the offer form: the field's name and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub problem: &'static str,
}

impl FieldProblem {
    /// The code a page reads back (`name_da_missing`).
    pub fn code(&self) -> String {
        format!("{}_{}", self.field, self.problem)
    }
}

pub const NAME_MAX: usize = 80;
pub const DESCRIPTION_MAX: usize = 300;
pub const LINE_MAX: usize = 160;

/// A text field: trimmed, within `max` characters, required or not, never a CPR number.
pub(crate) fn text(
    problems: &mut Vec<FieldProblem>,
    field: &'static str,
    value: &str,
    max: usize,
    required: bool,
) -> String {
    let value = value.trim();
    let problem = if value.is_empty() && required {
        Some("missing")
    } else if value.chars().count() > max {
        Some("long")
    } else if looks_like_cpr(value) {
        Some("cpr")
    } else if value.contains(['<', '>']) && field.starts_with("web") {
        Some("invalid")
    } else {
        None
    };
    if let Some(problem) = problem {
        problems.push(FieldProblem { field, problem });
    }
    value.to_owned()
}

/// A phone number a `tel:` link can dial: digits, spaces, one leading `+`, and `-`, `(`,
/// `)`; six to fifteen digits.
pub fn phone_is_valid(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let shape = phone.chars().enumerate().all(|(i, c)| {
        c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')') || (c == '+' && i == 0)
    });
    shape && (6..=15).contains(&digits)
}

/// The `tel:` address of a valid phone number (`+45 33 66 33 66` → `tel:+4533663366`).
pub fn tel_href(phone: &str) -> String {
    let dial: String = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    format!("tel:{dial}")
}

/// A web address a person can follow: `https://` or `http://`, a host, no spaces.
pub fn web_is_valid(web: &str) -> bool {
    let rest = web
        .strip_prefix("https://")
        .or_else(|| web.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or_default();
        host.contains('.')
            && !host.starts_with('.')
            && r.chars()
                .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '<' | '>' | '\\'))
    })
}

impl OfferForm {
    /// The form filled in with a stored offer, to change it.
    pub fn of(f: &OfferFields) -> OfferForm {
        let yes = |b: bool| if b { "yes" } else { "" }.to_owned();
        OfferForm {
            kind: f.kind.as_str().to_owned(),
            name_da: f.name.da.clone(),
            name_en: f.name.en.clone(),
            name_ar: f.name.ar.clone(),
            description_da: f.description.da.clone(),
            description_en: f.description.en.clone(),
            description_ar: f.description.ar.clone(),
            steps: f.steps.iter().map(|s| s.as_str().to_owned()).collect(),
            teams: f.teams.iter().map(ToString::to_string).collect(),
            address: f.address.clone(),
            hours: f.hours.clone(),
            phone: f.phone.clone(),
            web: f.web.clone(),
            languages: f.languages.clone(),
            free: yes(f.free),
            step_free: yes(f.step_free),
        }
    }

    /// The offer the form describes, or every problem with it. `teams` are the teams that
    /// exist; an offer may name only those.
    pub fn check(&self, teams: &[i64]) -> Result<OfferFields, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let kind = self.kind.trim().parse::<OfferKind>().ok();
        if kind.is_none() {
            problems.push(FieldProblem {
                field: "kind",
                problem: "missing",
            });
        }
        let name = Texts {
            da: text(&mut problems, "name_da", &self.name_da, NAME_MAX, true),
            en: text(&mut problems, "name_en", &self.name_en, NAME_MAX, false),
            ar: text(&mut problems, "name_ar", &self.name_ar, NAME_MAX, false),
        };
        let description = Texts {
            da: text(
                &mut problems,
                "description_da",
                &self.description_da,
                DESCRIPTION_MAX,
                true,
            ),
            en: text(
                &mut problems,
                "description_en",
                &self.description_en,
                DESCRIPTION_MAX,
                false,
            ),
            ar: text(
                &mut problems,
                "description_ar",
                &self.description_ar,
                DESCRIPTION_MAX,
                false,
            ),
        };
        let mut steps: Vec<NextStep> = Vec::new();
        for s in &self.steps {
            match s.trim().parse::<NextStep>() {
                Ok(step) if !steps.contains(&step) => steps.push(step),
                Ok(_) => {}
                Err(_) => problems.push(FieldProblem {
                    field: "steps",
                    problem: "invalid",
                }),
            }
        }
        steps.sort();
        if steps.is_empty() && !problems.iter().any(|p| p.field == "steps") {
            problems.push(FieldProblem {
                field: "steps",
                problem: "missing",
            });
        }
        let mut chosen_teams: Vec<i64> = Vec::new();
        for t in self
            .teams
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
        {
            match t.parse::<i64>() {
                Ok(id) if teams.contains(&id) => {
                    if !chosen_teams.contains(&id) {
                        chosen_teams.push(id);
                    }
                }
                _ => problems.push(FieldProblem {
                    field: "teams",
                    problem: "invalid",
                }),
            }
        }
        chosen_teams.sort_unstable();
        let address = text(&mut problems, "address", &self.address, LINE_MAX, false);
        let hours = text(&mut problems, "hours", &self.hours, LINE_MAX, false);
        let languages = text(&mut problems, "languages", &self.languages, LINE_MAX, false);
        let phone = self.phone.trim().to_owned();
        if !phone.is_empty() && !phone_is_valid(&phone) {
            problems.push(FieldProblem {
                field: "phone",
                problem: "invalid",
            });
        }
        let web = self.web.trim().to_owned();
        if !web.is_empty() && (web.len() > LINE_MAX || !web_is_valid(&web)) {
            problems.push(FieldProblem {
                field: "web",
                problem: "invalid",
            });
        }
        // A person must be able to find the help: a place, a phone or a web address.
        if address.is_empty() && phone.is_empty() && web.is_empty() {
            problems.push(FieldProblem {
                field: "address",
                problem: "contact",
            });
        }
        match kind {
            Some(kind) if problems.is_empty() => Ok(OfferFields {
                kind,
                name,
                description,
                steps,
                teams: chosen_teams,
                address,
                hours,
                phone,
                web,
                languages,
                free: self.free.trim() == "yes",
                step_free: self.step_free.trim() == "yes",
            }),
            _ => Err(problems),
        }
    }
}

#[cfg(feature = "ssr")]
mod plan;
#[cfg(feature = "ssr")]
pub use plan::*;

#[cfg(all(test, feature = "ssr"))]
mod tests;
