//! The instrument as data: items in asking order, their options and points, and who sees
//! them. Built only by `load.rs`, which validates it, so every index here is in range.

use super::answers::{Answers, Value, option_bit};
use super::codes::{
    Channel, Dimension, ExemptionGround, Flag, Mode, NextStep, OverrideReason, ReasonCode,
};
use super::load::InstrumentError;
use super::texts::Text;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The bundled dr-1 file; a test proves it loads, so the `expect` below cannot fire.
const DR1_TOML: &str = include_str!("../../instruments/dr-1.toml");

/// A full point in twelfths, the unit option points are written in.
pub(super) const FULL_POINT: u32 = 12;

static DR1: LazyLock<Instrument> = LazyLock::new(|| {
    Instrument::from_toml(DR1_TOML).expect("bundled instruments/dr-1.toml is invalid")
});

/// A versioned questionnaire with all its texts.
#[derive(Clone, Debug, Serialize)]
pub struct Instrument {
    pub(super) id: String,
    pub(super) items: Vec<Item>,
    pub(super) error_order: Vec<String>,
    pub(super) messages: Messages,
    pub(super) dimensions: BTreeMap<Dimension, NameText>,
    pub(super) channels: BTreeMap<Channel, ChannelText>,
    pub(super) reasons: BTreeMap<ReasonCode, ReasonText>,
    pub(super) next_steps: BTreeMap<NextStep, StepText>,
    pub(super) flags: BTreeMap<Flag, CaseworkerText>,
    pub(super) exemption_grounds: BTreeMap<ExemptionGround, CaseworkerText>,
    /// The rules of the channel in words, keyed `1`..`6`.
    pub(super) rules: BTreeMap<String, CaseworkerText>,
    /// The categories of a caseworker's reason to choose another channel.
    #[serde(skip)]
    pub(super) override_reasons: BTreeMap<OverrideReason, CaseworkerText>,
    /// Item id keys sorted, with their position in `items`: answers and rules look items
    /// up by id all the time, and integer keys spare a string comparison per probe.
    #[serde(skip)]
    pub(super) by_id: Vec<(IdKey, usize)>,
    /// For each position in `items`, its place in `error_order`.
    #[serde(skip)]
    pub(super) error_ranks: Vec<usize>,
}

/// An item id packed into an integer, bytes first and length last, so equal keys mean equal
/// ids. Ids are at most 15 bytes (checked on load); a longer string is no item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct IdKey(u128);

impl IdKey {
    pub(super) const MAX_LEN: usize = 15;

    pub(super) fn of(id: &str) -> Option<IdKey> {
        let bytes = id.as_bytes();
        let len = u8::try_from(bytes.len())
            .ok()
            .filter(|n| usize::from(*n) <= Self::MAX_LEN)?;
        let mut packed = [0u8; 16];
        packed.get_mut(..bytes.len())?.copy_from_slice(bytes);
        packed[15] = len;
        Some(IdKey(u128::from_be_bytes(packed)))
    }
}

/// One question.
#[derive(Clone, Debug, Serialize)]
pub struct Item {
    pub(super) id: String,
    /// `None` for a context item, which is not scored.
    pub(super) dimension: Option<Dimension>,
    pub(super) scale: Option<String>,
    pub(super) multi: bool,
    pub(super) reverse: bool,
    pub(super) only_mode: Option<Mode>,
    pub(super) shown_when: Option<ShownWhen>,
    pub(super) if_hidden: Option<String>,
    pub(super) question: Text,
    pub(super) hint: Text,
    pub(super) explain: Text,
    pub(super) options: Vec<ItemOption>,
    /// Position of `if_hidden` in `options`.
    #[serde(skip)]
    pub(super) implied: Option<u8>,
}

/// "Shown unless `item` has one of the answers `not_in`"; an unanswered `item` shows it.
#[derive(Clone, Debug, Serialize)]
pub struct ShownWhen {
    pub(super) item: String,
    pub(super) not_in: Vec<String>,
    #[serde(skip)]
    pub(super) position: usize,
    /// Bit i set: option i of `item` hides this item.
    #[serde(skip)]
    pub(super) hiding: u32,
}

/// One answer option.
#[derive(Clone, Debug, Serialize)]
pub struct ItemOption {
    pub(super) code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) points: Option<Points>,
    pub(super) opt_out: bool,
    pub(super) exclusive: bool,
    pub(super) label: Text,
}

/// What an answer is worth, in twelfths of a point so that 1/3 and 1/4 stay exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Points {
    Twelfths(u8),
    /// Counts as not answered.
    Missing,
    /// Takes the item out of its dimension.
    NotApplicable,
}

impl Serialize for Points {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Points::Twelfths(p) => s.serialize_u8(*p),
            Points::Missing => s.serialize_str("missing"),
            Points::NotApplicable => s.serialize_str("not_applicable"),
        }
    }
}

/// The text records of the instrument file: every field a `Text` (empty when left out),
/// and no field the file does not define.
macro_rules! text_records {
    ($($name:ident { $($field:ident),+ })+) => {$(
        #[derive(Clone, Debug, Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub(super) struct $name {
            $(#[serde(default)] pub(super) $field: Text,)+
        }
    )+};
}

text_records! {
    Messages { you_decide }
    NameText { name }
    ChannelText { name, recipient }
    ReasonText { caseworker, recipient }
    StepText { text }
    CaseworkerText { caseworker }
}

impl Instrument {
    /// The bundled dr-1, parsed and validated once.
    pub fn dr1() -> &'static Instrument {
        &DR1
    }

    /// A bundled instrument by id (only `dr-1` so far).
    pub fn bundled(id: &str) -> Option<&'static Instrument> {
        (id == DR1.id).then(Instrument::dr1)
    }

    /// Parses and validates an instrument file; see `load.rs` for what is checked.
    pub fn from_toml(source: &str) -> Result<Instrument, InstrumentError> {
        super::load::from_toml(source)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Items in asking order.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.position(id).and_then(|i| self.items.get(i))
    }

    /// Item ids in the order validation errors are reported (instrument.md's order).
    pub fn error_order(&self) -> impl Iterator<Item = &str> {
        self.error_order.iter().map(String::as_str)
    }

    pub(super) fn position(&self, id: &str) -> Option<usize> {
        let key = IdKey::of(id)?;
        let found = self.by_id.binary_search_by_key(&key, |(k, _)| *k).ok()?;
        self.by_id.get(found).map(|(_, position)| *position)
    }

    /// Where an item stands in the error order; unknown ids come after every item.
    pub(super) fn error_rank(&self, id: &str) -> usize {
        self.position(id)
            .and_then(|p| self.error_ranks.get(p).copied())
            .unwrap_or(self.error_ranks.len())
    }

    /// "You decide. You can always ask for paper."
    pub fn you_decide(&self, lang: &str) -> &str {
        self.messages.you_decide.get(lang)
    }

    pub fn dimension_name(&self, dimension: Dimension, lang: &str) -> &str {
        self.dimensions
            .get(&dimension)
            .map_or("", |t| t.name.get(lang))
    }

    pub fn channel_name(&self, channel: Channel, lang: &str) -> &str {
        self.channels.get(&channel).map_or("", |t| t.name.get(lang))
    }

    /// The one sentence that tells a recipient the suggested channel.
    pub fn channel_sentence(&self, channel: Channel, lang: &str) -> &str {
        self.channels
            .get(&channel)
            .map_or("", |t| t.recipient.get(lang))
    }

    pub fn reason_for_caseworker(&self, reason: ReasonCode, lang: &str) -> &str {
        self.reasons
            .get(&reason)
            .map_or("", |t| t.caseworker.get(lang))
    }

    pub fn reason_for_recipient(&self, reason: ReasonCode, lang: &str) -> &str {
        self.reasons
            .get(&reason)
            .map_or("", |t| t.recipient.get(lang))
    }

    /// The texts of a list of codes, in their order (`text` is one of the text methods).
    pub fn texts<T: Copy>(&self, codes: &[T], text: impl Fn(&Self, T) -> &str) -> Vec<String> {
        codes.iter().map(|c| text(self, *c).to_owned()).collect()
    }

    pub fn next_step_text(&self, step: NextStep, lang: &str) -> &str {
        self.next_steps.get(&step).map_or("", |t| t.text.get(lang))
    }

    /// What the rule that fired (1..6) means, for the caseworker.
    pub fn rule_text(&self, rule: u8, lang: &str) -> &str {
        self.rules
            .get(&rule.to_string())
            .map_or("", |t| t.caseworker.get(lang))
    }

    pub fn flag_text(&self, flag: Flag, lang: &str) -> &str {
        self.flags.get(&flag).map_or("", |t| t.caseworker.get(lang))
    }

    pub fn exemption_ground_text(&self, ground: ExemptionGround, lang: &str) -> &str {
        self.exemption_grounds
            .get(&ground)
            .map_or("", |t| t.caseworker.get(lang))
    }

    pub fn override_reason_text(&self, reason: OverrideReason, lang: &str) -> &str {
        self.override_reasons
            .get(&reason)
            .map_or("", |t| t.caseworker.get(lang))
    }
}

impl Item {
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The scored dimension, or `None` for a context item.
    pub fn dimension(&self) -> Option<Dimension> {
        self.dimension
    }

    /// The shared answer scale (`skill4`, `agree5`), if the item uses one.
    pub fn scale(&self) -> Option<&str> {
        self.scale.as_deref()
    }

    /// Several codes may be chosen (U2).
    pub fn is_multi(&self) -> bool {
        self.multi
    }

    /// Points count as 1 − points (M2, M3).
    pub fn is_reverse(&self) -> bool {
        self.reverse
    }

    /// What an option worth `points` twelfths counts for on this item: at most a full point
    /// (12), and 12 − points on a reverse item. The one place this rule is written.
    pub fn counted_twelfths(&self, points: u8) -> u32 {
        let points = u32::from(points).min(FULL_POINT);
        if self.reverse {
            FULL_POINT - points
        } else {
            points
        }
    }

    /// The only mode the item is asked in (O1: interview).
    pub fn only_mode(&self) -> Option<Mode> {
        self.only_mode
    }

    pub fn shown_when(&self) -> Option<&ShownWhen> {
        self.shown_when.as_ref()
    }

    /// The answer a hidden item counts as (S1..S6: `cannot`).
    pub fn if_hidden(&self) -> Option<&str> {
        self.if_hidden.as_deref()
    }

    pub fn options(&self) -> &[ItemOption] {
        &self.options
    }

    pub fn option(&self, code: &str) -> Option<&ItemOption> {
        self.options.iter().find(|o| o.code == code)
    }

    pub fn question(&self, lang: &str) -> &str {
        self.question.get(lang)
    }

    pub fn hint(&self, lang: &str) -> &str {
        self.hint.get(lang)
    }

    /// The short "what does the question mean" text.
    pub fn explain(&self, lang: &str) -> &str {
        self.explain.get(lang)
    }

    pub fn applies_in(&self, mode: Mode) -> bool {
        self.only_mode.is_none_or(|only| only == mode)
    }

    /// Whether the questionnaire shows this item, given the parsed answers so far.
    pub fn visible(&self, mode: Mode, answers: &Answers) -> bool {
        self.applies_in(mode) && !self.hidden_by(answers)
    }

    /// Like `visible`, for raw, not yet validated answers (item id → JSON value).
    pub fn visible_raw(
        &self,
        mode: Mode,
        answers: &serde_json::Map<String, serde_json::Value>,
    ) -> bool {
        let hidden = self.shown_when.as_ref().is_some_and(|rule| {
            answers
                .get(&rule.item)
                .and_then(serde_json::Value::as_str)
                .is_some_and(|code| rule.not_in.iter().any(|c| c == code))
        });
        self.applies_in(mode) && !hidden
    }

    pub(super) fn hidden_by(&self, answers: &Answers) -> bool {
        self.shown_when.as_ref().is_some_and(|rule| {
            matches!(answers.value(rule.position), Value::One(option)
                if option_bit(usize::from(option)).is_some_and(|bit| rule.hiding & bit != 0))
        })
    }
}

impl ShownWhen {
    /// The item whose answer decides.
    pub fn item(&self) -> &str {
        &self.item
    }

    /// The answers of that item that hide this one.
    pub fn not_in(&self) -> &[String] {
        &self.not_in
    }
}

impl ItemOption {
    pub fn code(&self) -> &str {
        &self.code
    }

    /// `None` on context items, which are not scored.
    pub fn points(&self) -> Option<Points> {
        self.points
    }

    /// An opt-out answer ("don't know", "rather not say") the UI places after a divider.
    pub fn is_opt_out(&self) -> bool {
        self.opt_out
    }

    /// In a multi-select item, may only be chosen alone (U2 `none_of_these`).
    pub fn is_exclusive(&self) -> bool {
        self.exclusive
    }

    pub fn label(&self, lang: &str) -> &str {
        self.label.get(lang)
    }
}
