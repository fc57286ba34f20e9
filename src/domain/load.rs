//! Turns an instrument file (TOML) into a validated `Instrument`: unique ids, texts in every
//! language, visibility rules that point at real earlier items and codes, points in range.

use super::answers::option_bit;
use super::codes::{
    Channel, Dimension, ExemptionGround, Flag, NextStep, OverrideReason, ReasonCode,
};
use super::instrument::{IdKey, Instrument, Item, ItemOption, Points, ShownWhen};
use super::texts::{LANGUAGES, Text};
use raw::{RawInstrument, RawItem, RawPoints, RawScale, RawShownWhen};
use std::collections::BTreeMap;
use std::fmt;

/// Why an instrument file was rejected; the message names the entry at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InstrumentError {
    /// Not TOML, or not the shape of an instrument file.
    Toml(String),
    DuplicateItem(String),
    DuplicateOption {
        item: String,
        code: String,
    },
    MissingText {
        what: String,
        lang: &'static str,
    },
    BadVisibility {
        item: String,
        problem: String,
    },
    Invalid {
        what: String,
        problem: String,
    },
}

impl fmt::Display for InstrumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Toml(e) => write!(f, "instrument file is not valid: {e}"),
            Self::DuplicateItem(id) => write!(f, "item id {id} is used more than once"),
            Self::DuplicateOption { item, code } => {
                write!(f, "item {item} has option {code} more than once")
            }
            Self::MissingText { what, lang } => write!(f, "{what} has no text in language {lang}"),
            Self::BadVisibility { item, problem } => {
                write!(f, "item {item} has a bad shown_when rule: {problem}")
            }
            Self::Invalid { what, problem } => write!(f, "{what}: {problem}"),
        }
    }
}

impl std::error::Error for InstrumentError {}

/// Multi-select answers and hiding rules are bit sets over option positions.
const MAX_OPTIONS: usize = 32;
const TWELFTHS_PER_POINT: i64 = 12;

pub(super) fn from_toml(source: &str) -> Result<Instrument, InstrumentError> {
    let raw: RawInstrument =
        toml::from_str(source).map_err(|e| InstrumentError::Toml(e.message().to_owned()))?;
    if raw.id.trim().is_empty() {
        return Err(invalid("instrument", "id is empty"));
    }
    let mut items: Vec<Item> = Vec::with_capacity(raw.items.len());
    for raw_item in raw.items {
        let item = build_item(raw_item, &raw.scales, &items)?;
        items.push(item);
    }
    if items.is_empty() {
        return Err(invalid("instrument", "has no items"));
    }
    let mut by_id = Vec::with_capacity(items.len());
    for (position, item) in items.iter().enumerate() {
        let key = IdKey::of(&item.id).ok_or_else(|| {
            invalid(
                &format!("item {}", item.id),
                "ids are at most 15 bytes long",
            )
        })?;
        by_id.push((key, position));
    }
    by_id.sort();
    let error_ranks = check_error_order(&raw.error_order, &items)?;
    for dimension in Dimension::ALL {
        let always_asked = items
            .iter()
            .any(|i| i.dimension == Some(*dimension) && i.only_mode.is_none());
        if !always_asked {
            return Err(invalid(
                &format!("dimension {dimension}"),
                "needs at least one item asked in every mode",
            ));
        }
    }
    check_text(&raw.messages.you_decide, "messages.you_decide")?;
    check_all(&raw.dimensions, Dimension::ALL, "dimensions", |t| {
        vec![("name", &t.name)]
    })?;
    check_all(&raw.channels, Channel::ALL, "channels", |t| {
        vec![("name", &t.name), ("recipient", &t.recipient)]
    })?;
    check_all(&raw.reasons, ReasonCode::ALL, "reasons", |t| {
        vec![("caseworker", &t.caseworker), ("recipient", &t.recipient)]
    })?;
    check_all(&raw.next_steps, NextStep::ALL, "next_steps", |t| {
        vec![("text", &t.text)]
    })?;
    check_all(&raw.flags, Flag::ALL, "flags", |t| {
        vec![("caseworker", &t.caseworker)]
    })?;
    check_all(
        &raw.exemption_grounds,
        ExemptionGround::ALL,
        "exemption_grounds",
        |t| vec![("caseworker", &t.caseworker)],
    )?;
    check_all(
        &raw.override_reasons,
        OverrideReason::ALL,
        "override_reasons",
        |t| vec![("caseworker", &t.caseworker)],
    )?;
    let rule_numbers: Vec<String> = (1..=6).map(|n: u8| n.to_string()).collect();
    check_all(&raw.rules, &rule_numbers, "rules", |t| {
        vec![("caseworker", &t.caseworker)]
    })?;
    Ok(Instrument {
        id: raw.id,
        items,
        error_order: raw.error_order,
        messages: raw.messages,
        dimensions: raw.dimensions,
        channels: raw.channels,
        reasons: raw.reasons,
        next_steps: raw.next_steps,
        flags: raw.flags,
        exemption_grounds: raw.exemption_grounds,
        rules: raw.rules,
        override_reasons: raw.override_reasons,
        by_id,
        error_ranks,
    })
}

fn build_item(
    raw: RawItem,
    scales: &BTreeMap<String, RawScale>,
    earlier: &[Item],
) -> Result<Item, InstrumentError> {
    let id = raw.id;
    let what = format!("item {id}");
    if id.trim().is_empty() {
        return Err(invalid("an item", "id is empty"));
    }
    if earlier.iter().any(|i| i.id == id) {
        return Err(InstrumentError::DuplicateItem(id));
    }
    let dimension = match raw.dimension.as_str() {
        "context" => None,
        name => Some(
            name.parse::<Dimension>()
                .map_err(|e| invalid(&what, &e.to_string()))?,
        ),
    };
    let raw_options = match (&raw.scale, raw.options.is_empty()) {
        (Some(scale), true) => scales
            .get(scale)
            .map(|s| s.options.clone())
            .ok_or_else(|| invalid(&what, &format!("scale {scale} is not defined")))?,
        (Some(_), false) => return Err(invalid(&what, "has both a scale and its own options")),
        (None, _) => raw.options,
    };
    if raw_options.is_empty() {
        return Err(invalid(&what, "has no options"));
    }
    if raw_options.len() > MAX_OPTIONS {
        return Err(invalid(&what, "has more than 32 options"));
    }
    if raw.reverse && dimension.is_none() {
        return Err(invalid(&what, "a context item cannot be reversed"));
    }
    if raw.multi && dimension.is_some() {
        return Err(invalid(&what, "a scored item cannot be multi-select"));
    }
    check_text(&raw.question, &format!("{what} question"))?;
    check_text(&raw.hint, &format!("{what} hint"))?;
    check_text(&raw.explain, &format!("{what} explain"))?;
    let mut options: Vec<ItemOption> = Vec::with_capacity(raw_options.len());
    for option in raw_options {
        if options.iter().any(|o| o.code == option.code) {
            return Err(InstrumentError::DuplicateOption {
                item: id,
                code: option.code,
            });
        }
        let what_option = format!("{what} option {}", option.code);
        check_text(&option.label, &format!("{what_option} label"))?;
        if option.exclusive && !raw.multi {
            return Err(invalid(
                &what_option,
                "exclusive only applies to multi-select items",
            ));
        }
        let points = match (dimension, option.points) {
            (Some(_), None) => return Err(invalid(&what_option, "a scored item needs points")),
            (None, Some(_)) => return Err(invalid(&what_option, "a context item has no points")),
            (None, None) => None,
            (Some(_), Some(RawPoints::Twelfths(p))) => match u8::try_from(p) {
                Ok(p) if i64::from(p) <= TWELFTHS_PER_POINT => Some(Points::Twelfths(p)),
                _ => return Err(invalid(&what_option, "points must be 0..=12 twelfths")),
            },
            (Some(_), Some(RawPoints::Marker(m))) => match m.as_str() {
                "missing" => Some(Points::Missing),
                "not_applicable" => Some(Points::NotApplicable),
                _ => {
                    return Err(invalid(
                        &what_option,
                        "points must be a number, \"missing\" or \"not_applicable\"",
                    ));
                }
            },
        };
        options.push(ItemOption {
            code: option.code,
            points,
            opt_out: option.opt_out,
            exclusive: option.exclusive,
            label: option.label,
        });
    }
    let shown_when = raw
        .shown_when
        .map(|rule| build_shown_when(&id, rule, earlier))
        .transpose()?;
    let implied = match (&raw.if_hidden, &shown_when) {
        (None, _) => None,
        (Some(_), None) => return Err(invalid(&what, "if_hidden needs a shown_when rule")),
        (Some(code), Some(_)) => Some(
            options
                .iter()
                .position(|o| &o.code == code)
                .and_then(|p| u8::try_from(p).ok())
                .ok_or_else(|| invalid(&what, &format!("if_hidden {code} is not an option")))?,
        ),
    };
    Ok(Item {
        id,
        dimension,
        scale: raw.scale,
        multi: raw.multi,
        reverse: raw.reverse,
        only_mode: raw.only_mode,
        shown_when,
        if_hidden: raw.if_hidden,
        question: raw.question,
        hint: raw.hint,
        explain: raw.explain,
        options,
        implied,
    })
}

/// The deciding item must come earlier, so the questionnaire knows its answer in time.
fn build_shown_when(
    id: &str,
    rule: RawShownWhen,
    earlier: &[Item],
) -> Result<ShownWhen, InstrumentError> {
    let bad = |problem: String| InstrumentError::BadVisibility {
        item: id.to_owned(),
        problem,
    };
    let (position, decider) = earlier
        .iter()
        .enumerate()
        .find(|(_, item)| item.id == rule.item)
        .ok_or_else(|| bad(format!("{} is not an item asked before {id}", rule.item)))?;
    if decider.multi {
        return Err(bad(format!("{} is multi-select", rule.item)));
    }
    if rule.not_in.is_empty() {
        return Err(bad("not_in lists no answers".to_owned()));
    }
    let mut hiding = 0u32;
    for code in &rule.not_in {
        let option = decider
            .options
            .iter()
            .position(|o| &o.code == code)
            .ok_or_else(|| bad(format!("{} has no answer {code}", rule.item)))?;
        hiding |= option_bit(option).unwrap_or(0);
    }
    Ok(ShownWhen {
        item: rule.item,
        not_in: rule.not_in,
        position,
        hiding,
    })
}

/// The error order must list every item once; returns each item's rank in it.
fn check_error_order(order: &[String], items: &[Item]) -> Result<Vec<usize>, InstrumentError> {
    let mut ranks = vec![None; items.len()];
    for (rank, id) in order.iter().enumerate() {
        let slot = items
            .iter()
            .position(|item| &item.id == id)
            .and_then(|position| ranks.get_mut(position))
            .ok_or_else(|| invalid("error_order", &format!("{id} is not an item")))?;
        if slot.replace(rank).is_some() {
            return Err(invalid("error_order", &format!("{id} is listed twice")));
        }
    }
    items
        .iter()
        .zip(ranks)
        .map(|(item, rank)| {
            rank.ok_or_else(|| invalid("error_order", &format!("{} is not listed", item.id)))
        })
        .collect()
}

fn check_text(text: &Text, what: &str) -> Result<(), InstrumentError> {
    match text.missing_language() {
        Some(lang) => Err(InstrumentError::MissingText {
            what: what.to_owned(),
            lang,
        }),
        None => Ok(()),
    }
}

/// Every code of a vocabulary needs an entry, and every text of the entry every language.
fn check_all<K, T>(
    entries: &BTreeMap<K, T>,
    all: &[K],
    table: &str,
    texts: impl Fn(&T) -> Vec<(&'static str, &Text)>,
) -> Result<(), InstrumentError>
where
    K: Ord + fmt::Display,
{
    for key in all {
        let Some(entry) = entries.get(key) else {
            return Err(InstrumentError::MissingText {
                what: format!("{table}.{key}"),
                lang: LANGUAGES[0],
            });
        };
        for (field, text) in texts(entry) {
            check_text(text, &format!("{table}.{key}.{field}"))?;
        }
    }
    Ok(())
}

fn invalid(what: &str, problem: &str) -> InstrumentError {
    InstrumentError::Invalid {
        what: what.to_owned(),
        problem: problem.to_owned(),
    }
}

mod raw;
#[cfg(test)]
mod tests;
