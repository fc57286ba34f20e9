//! What the self-assessment and the interview share: the choices shown for an item (with
//! the "don't understand" / "rather not say" ways out always there), the mapping from
//! stored answers to the scoring core, and the stored form of a result.

use serde::{Deserialize, Serialize};

/// A way out chosen where the instrument itself has none for that item
/// (`domain::answer_codes`).
pub use crate::domain::answer_codes::{
    ADDED_DONT_UNDERSTAND as UI_DONT_UNDERSTAND, ADDED_RATHER_NOT as UI_RATHER_NOT,
};

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Choice {
    pub code: String,
    pub label: String,
    /// Shown after the "or" divider, as GOV.UK places opt-outs.
    pub opt_out: bool,
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use serde_json::{Map, Value};

    use super::{Choice, UI_DONT_UNDERSTAND, UI_RATHER_NOT};
    use crate::domain::answer_codes::{DONT_UNDERSTAND, RATHER_NOT};
    use crate::domain::{Answers, Instrument, Item, Mode, Outcome, ValidationError, evaluate};
    use crate::i18n::Lang;
    use crate::server::db::StoredAnswer;

    /// The item's choices: real answers first, then every way out, so that a person is
    /// never forced to guess.
    pub fn choices(item: &Item, lang: Lang) -> Vec<Choice> {
        let code = lang.code();
        let mut out: Vec<Choice> = item
            .options()
            .iter()
            .filter(|o| !o.is_opt_out())
            .map(|o| Choice {
                code: o.code().to_owned(),
                label: o.label(code).to_owned(),
                opt_out: false,
            })
            .collect();
        out.extend(
            item.options()
                .iter()
                .filter(|o| o.is_opt_out())
                .map(|o| Choice {
                    code: o.code().to_owned(),
                    label: o.label(code).to_owned(),
                    opt_out: true,
                }),
        );
        let has = |c: &str| item.options().iter().any(|o| o.code() == c);
        // Observed task O1 is the caseworker's observation: "not done" is its way out.
        if item.only_mode().is_none() {
            if !has(DONT_UNDERSTAND) {
                out.push(Choice {
                    code: UI_DONT_UNDERSTAND.into(),
                    label: lang.t("opt-dont-understand"),
                    opt_out: true,
                });
            }
            if !has(RATHER_NOT) {
                out.push(Choice {
                    code: UI_RATHER_NOT.into(),
                    label: lang.t("opt-rather-not"),
                    opt_out: true,
                });
            }
        }
        out
    }

    pub fn is_ui_opt_out(code: &str) -> bool {
        crate::domain::answer_codes::is_added_way_out(code)
    }

    /// Stored answers as the scoring core reads them: a way out of our own is unanswered.
    pub fn scoring_map(stored: &[StoredAnswer]) -> Map<String, Value> {
        stored
            .iter()
            .map(|a| {
                let value = match &a.value {
                    Value::String(s) if is_ui_opt_out(s) => Value::Null,
                    v => v.clone(),
                };
                (a.item.clone(), value)
            })
            .collect()
    }

    /// The items a person is asked, in order, given the answers so far.
    pub fn asked_items<'i>(
        instrument: &'i Instrument,
        mode: Mode,
        answers: &Map<String, Value>,
    ) -> Vec<&'i Item> {
        instrument
            .items()
            .iter()
            .filter(|i| i.visible_raw(mode, answers))
            .collect()
    }

    /// Validates one item's answer from a form: `None` when nothing was chosen.
    pub fn answer_value(
        instrument: &Instrument,
        mode: Mode,
        item: &Item,
        codes: &[String],
    ) -> Result<Option<Value>, ValidationError> {
        let invalid = |message: &str| ValidationError {
            item: Some(item.id().to_owned()),
            message: message.to_owned(),
        };
        match codes {
            [] => Ok(None),
            [one] if is_ui_opt_out(one) => Ok(Some(Value::String(one.clone()))),
            _ if codes.iter().any(|c| is_ui_opt_out(c)) => {
                Err(invalid("a way out cannot be combined with answers"))
            }
            [one] if !item.is_multi() => {
                let value = Value::String(one.clone());
                check(instrument, mode, item, &value)?;
                Ok(Some(value))
            }
            _ if !item.is_multi() => Err(invalid("only one answer can be chosen")),
            many => {
                let value = Value::Array(many.iter().cloned().map(Value::String).collect());
                check(instrument, mode, item, &value)?;
                Ok(Some(value))
            }
        }
    }

    /// Asks the scoring core whether this one answer is valid for the item.
    fn check(
        instrument: &Instrument,
        mode: Mode,
        item: &Item,
        value: &Value,
    ) -> Result<(), ValidationError> {
        let mut one = Map::new();
        one.insert(item.id().to_owned(), value.clone());
        Answers::parse(instrument, mode, &one).map(|_| ())
    }

    /// Scores stored answers. Hidden answers are kept and ignored, as the spec says.
    pub fn evaluate_stored(
        instrument: &Instrument,
        mode: Mode,
        stored: &[StoredAnswer],
    ) -> Result<Outcome, ValidationError> {
        let answers = Answers::parse(instrument, mode, &scoring_map(stored))?;
        Ok(evaluate(instrument, &answers))
    }

    /// A secret naming an assessment in a cookie or link: 256 random bits.
    pub fn new_token() -> String {
        hex::encode(rand::random::<[u8; 32]>())
    }

    /// A fresh resume code (`domain::policy` says which letters and how many).
    pub fn new_resume_code() -> String {
        use rand::Rng;
        let mut rng = rand::rng();
        crate::domain::policy::resume_code(|len| rng.random_range(0..len))
    }

    pub use crate::domain::policy::{format_resume_code, normalise_resume_code};
}
