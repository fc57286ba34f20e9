//! A validated answer set: one value per item, in the instrument's item order. Parsing checks
//! every code against the instrument, so scoring never meets a code it cannot place.

use super::codes::Mode;
use super::instrument::{Instrument, Item, ItemOption};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};
use std::fmt;

/// Why an answer set was rejected. Serializes as the API's 422 body `{"error", "item"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationError {
    /// The first offending item in instrument.md's order; `None` for instrument or mode.
    pub item: Option<String>,
    /// What is wrong, in plain English.
    #[serde(rename = "error")]
    pub message: String,
}

impl ValidationError {
    pub(super) fn new(item: Option<&str>, message: String) -> Self {
        ValidationError {
            item: item.map(str::to_owned),
            message,
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ValidationError {}

/// One item's answer: an option position, or a set of them for a multi-select item.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum Value {
    #[default]
    Unanswered,
    One(u8),
    /// Bit i set: option i chosen. Never empty (an empty list is `Unanswered`).
    Many(u32),
}

/// Answers as given, hidden ones included; scoring decides what counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answers {
    mode: Mode,
    values: Box<[Value]>,
}

impl Answers {
    /// Validates item id → code (a list for multi-select items; `null` = unanswered).
    /// Reports the first offending item in the instrument's error order, then unknown ids.
    pub fn parse(
        instrument: &Instrument,
        mode: Mode,
        answers: &Map<String, Json>,
    ) -> Result<Answers, ValidationError> {
        let mut values = vec![Value::Unanswered; instrument.items.len()];
        // One pass over what was sent; of several errors the lowest rank is reported.
        let mut first_error: Option<(usize, ValidationError)> = None;
        let mut first_unknown: Option<&String> = None;
        for (id, raw) in answers {
            let Some(position) = instrument.position(id) else {
                if first_unknown.is_none_or(|first| id < first) {
                    first_unknown = Some(id);
                }
                continue;
            };
            let rank = instrument
                .error_ranks
                .get(position)
                .copied()
                .unwrap_or(usize::MAX);
            if first_error.as_ref().is_some_and(|(first, _)| *first < rank) {
                continue;
            }
            let (Some(item), Some(slot)) =
                (instrument.items.get(position), values.get_mut(position))
            else {
                continue;
            };
            match parse_value(item, mode, raw) {
                Ok(value) => *slot = value,
                Err(e) => first_error = Some((rank, e)),
            }
        }
        if let Some((_, e)) = first_error {
            return Err(e);
        }
        if let Some(id) = first_unknown {
            let message = format!(
                "{} is not a question in instrument {}",
                quoted(id),
                instrument.id
            );
            return Err(ValidationError::new(Some(id), message));
        }
        Ok(Answers {
            mode,
            values: values.into_boxed_slice(),
        })
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// No item answered at all.
    pub fn is_empty(&self) -> bool {
        self.values.iter().all(|v| *v == Value::Unanswered)
    }

    /// The code given for a single-choice item, even if the item is now hidden.
    pub fn given<'i>(&self, instrument: &'i Instrument, id: &str) -> Option<&'i str> {
        let position = instrument.position(id)?;
        match self.value(position) {
            Value::One(option) => option_code(instrument, position, option),
            _ => None,
        }
    }

    /// Every code given for an item (U2), in the instrument's option order.
    pub fn given_all<'i>(&self, instrument: &'i Instrument, id: &str) -> Vec<&'i str> {
        let Some(position) = instrument.position(id) else {
            return Vec::new();
        };
        let Some(item) = instrument.items.get(position) else {
            return Vec::new();
        };
        let chosen = |i: usize| match self.value(position) {
            Value::One(option) => usize::from(option) == i,
            Value::Many(set) => option_bit(i).is_some_and(|bit| set & bit != 0),
            Value::Unanswered => false,
        };
        item.options
            .iter()
            .enumerate()
            .filter(|(i, _)| chosen(*i))
            .map(|(_, o)| o.code.as_str())
            .collect()
    }

    /// The code that scoring and the rules see: none when the item is not asked in this
    /// mode, the implied answer when it is hidden, else the code given.
    pub fn counted<'i>(&self, instrument: &'i Instrument, id: &str) -> Option<&'i str> {
        let position = instrument.position(id)?;
        self.counted_option(instrument, position)
            .map(|o| o.code.as_str())
    }

    pub(super) fn counted_option<'i>(
        &self,
        instrument: &'i Instrument,
        position: usize,
    ) -> Option<&'i ItemOption> {
        let item = instrument.items.get(position)?;
        if !item.applies_in(self.mode) {
            return None;
        }
        let option = if item.hidden_by(self) {
            item.implied?
        } else {
            match self.value(position) {
                Value::One(option) => option,
                _ => return None,
            }
        };
        item.options.get(usize::from(option))
    }

    pub(super) fn value(&self, position: usize) -> Value {
        self.values.get(position).copied().unwrap_or_default()
    }

    /// The answers as the API takes them, e.g. for storage; `parse` reads them back.
    pub fn to_json(&self, instrument: &Instrument) -> Map<String, Json> {
        let mut map = Map::new();
        for (position, item) in instrument.items.iter().enumerate() {
            let json = match self.value(position) {
                Value::Unanswered => continue,
                Value::One(option) => match option_code(instrument, position, option) {
                    Some(code) => Json::from(code),
                    None => continue,
                },
                Value::Many(_) => Json::from(self.given_all(instrument, &item.id)),
            };
            map.insert(item.id.clone(), json);
        }
        map
    }
}

/// The bit of option `position` in a multi-select or hiding set (loading caps options at 32).
pub(super) fn option_bit(position: usize) -> Option<u32> {
    u32::try_from(position)
        .ok()
        .and_then(|p| 1u32.checked_shl(p))
}

fn option_code(instrument: &Instrument, position: usize, option: u8) -> Option<&str> {
    let item = instrument.items.get(position)?;
    item.options
        .get(usize::from(option))
        .map(|o| o.code.as_str())
}

fn parse_value(item: &Item, mode: Mode, raw: &Json) -> Result<Value, ValidationError> {
    let id = item.id.as_str();
    let fail = |message: String| Err(ValidationError::new(Some(id), message));
    // null means "not answered", which is allowed for every item, O1 in self mode included.
    if raw.is_null() {
        return Ok(Value::Unanswered);
    }
    if let Some(only) = item.only_mode.filter(|only| *only != mode) {
        return fail(format!(
            "{id} is only asked in {only} mode; leave it out in {mode} mode"
        ));
    }
    let position = |code: &str| item.options.iter().position(|o| o.code == code);
    let not_an_answer = |code: &str| {
        let codes: Vec<&str> = item.options.iter().map(|o| o.code.as_str()).collect();
        format!(
            "{id}: {} is not one of its answers ({})",
            quoted(code),
            codes.join(", ")
        )
    };
    if item.multi {
        let Json::Array(list) = raw else {
            return fail(format!("{id} must be a list of answer codes, or null"));
        };
        let mut chosen = 0u32;
        for entry in list {
            let Some(code) = entry.as_str() else {
                return fail(format!(
                    "{id}: every answer in the list must be a code (a string)"
                ));
            };
            let Some(bit) = position(code).and_then(option_bit) else {
                return fail(not_an_answer(code));
            };
            if chosen & bit != 0 {
                return fail(format!("{id}: {} is given more than once", quoted(code)));
            }
            chosen |= bit;
        }
        if list.len() > 1 {
            let exclusive =
                item.options.iter().enumerate().find(|(p, o)| {
                    o.exclusive && option_bit(*p).is_some_and(|bit| chosen & bit != 0)
                });
            if let Some((_, option)) = exclusive {
                return fail(format!("{id}: {} must be the only answer", option.code));
            }
        }
        return Ok(if chosen == 0 {
            Value::Unanswered
        } else {
            Value::Many(chosen)
        });
    }
    let Some(code) = raw.as_str() else {
        return fail(format!("{id} must be one answer code (a string), or null"));
    };
    match position(code).and_then(|p| u8::try_from(p).ok()) {
        Some(option) => Ok(Value::One(option)),
        None => fail(not_an_answer(code)),
    }
}

/// Quotes input for an error message, cut short so a huge value cannot flood a response.
fn quoted(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}…", &text[..cut]),
        None => format!("{text:?}"),
    }
}

#[cfg(test)]
mod tests;
