//! The pure scoring core of Digiparat: instrument data, answers, scores and the channel
//! recommendation. No I/O and no framework types, so every rule can be tested on its own.

pub mod agreement;
pub mod anonymity;
pub mod answer_codes;
mod answers;
#[cfg(feature = "ssr")]
pub mod calendar;
pub mod calibration;
pub mod case;
mod codes;
#[cfg(feature = "ssr")]
pub mod cube;
pub mod demo;
#[cfg(feature = "ssr")]
pub mod disclosure;
pub mod fairness;
pub mod help;
mod instrument;
#[cfg(feature = "ssr")]
pub mod item_cube;
pub mod lix;
mod load;
#[cfg(feature = "ssr")]
pub mod policy;
pub mod privacy;
mod recommend;
pub mod request;
pub mod role;
mod scoring;
pub mod stats;
mod texts;
pub mod token;

#[cfg(test)]
mod tests;

pub use answers::{Answers, ValidationError};
pub use codes::{
    Channel, Dimension, ExemptionGround, Flag, Mode, NextStep, OfferKind, OverrideReason,
    ReasonCode, UnknownCode,
};
pub use instrument::{Instrument, Item, ItemOption, Points, ShownWhen};
pub use load::InstrumentError;
pub use recommend::{Outcome, evaluate};
pub use request::{RequestError, ScoreRequest, parse_score_request, score_request};
pub use scoring::{Coverage, Scores, score};
pub use texts::{LANGUAGES, Text};
