// The instrument file as written, before validation. Texts default to empty so a missing
// one is reported by the loader, naming the entry and language, not by serde.

use super::super::codes::{
    Channel, Dimension, ExemptionGround, Flag, Mode, NextStep, OverrideReason, ReasonCode,
};
use super::super::instrument::{
    CaseworkerText, ChannelText, Messages, NameText, ReasonText, StepText,
};
use super::super::texts::Text;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInstrument {
    pub(super) id: String,
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
    pub(super) override_reasons: BTreeMap<OverrideReason, CaseworkerText>,
    #[serde(default)]
    pub(super) scales: BTreeMap<String, RawScale>,
    pub(super) items: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScale {
    pub(super) options: Vec<RawOption>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawItem {
    pub(super) id: String,
    pub(super) dimension: String,
    pub(super) scale: Option<String>,
    #[serde(default)]
    pub(super) multi: bool,
    #[serde(default)]
    pub(super) reverse: bool,
    pub(super) only_mode: Option<Mode>,
    pub(super) shown_when: Option<RawShownWhen>,
    pub(super) if_hidden: Option<String>,
    #[serde(default)]
    pub(super) question: Text,
    #[serde(default)]
    pub(super) hint: Text,
    #[serde(default)]
    pub(super) explain: Text,
    #[serde(default)]
    pub(super) options: Vec<RawOption>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawShownWhen {
    pub(super) item: String,
    pub(super) not_in: Vec<String>,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOption {
    pub(super) code: String,
    pub(super) points: Option<RawPoints>,
    #[serde(default)]
    pub(super) opt_out: bool,
    #[serde(default)]
    pub(super) exclusive: bool,
    #[serde(default)]
    pub(super) label: Text,
}

#[derive(Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum RawPoints {
    Twelfths(i64),
    Marker(String),
}
