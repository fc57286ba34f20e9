//! The body of `POST /api/v1/score`, parsed into validated parts. Shape errors (HTTP 400)
//! are told apart from well-formed requests with wrong content (HTTP 422).

use super::answers::{Answers, ValidationError};
use super::codes::Mode;
use super::instrument::Instrument;
use super::recommend::{Outcome, evaluate};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};
use std::fmt;

/// Why a score request was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestError {
    /// Not JSON, not an object, a missing field, or a field of the wrong JSON type: HTTP 400.
    Malformed(String),
    /// Well-formed, but an unknown instrument or mode (`item` None) or a bad answer: HTTP 422.
    Invalid(ValidationError),
}

impl RequestError {
    pub fn status(&self) -> u16 {
        match self {
            RequestError::Malformed(_) => 400,
            RequestError::Invalid(_) => 422,
        }
    }

    /// The response body: `{"error": "...", "item": "A1" | null}`.
    pub fn body(&self) -> Json {
        match self {
            RequestError::Malformed(message) => serde_json::json!({"error": message, "item": null}),
            RequestError::Invalid(e) => serde_json::json!({"error": e.message, "item": e.item}),
        }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::Malformed(message) => f.write_str(message),
            RequestError::Invalid(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for RequestError {}

/// A valid score request.
#[derive(Clone, Debug)]
pub struct ScoreRequest {
    pub instrument: &'static Instrument,
    pub mode: Mode,
    pub answers: Answers,
}

/// Parses `{"instrument": "dr-1", "mode": "self"|"interview", "answers": {...}}`.
/// Other top-level fields are ignored, so clients may send more than we read.
pub fn parse_score_request(body: &[u8]) -> Result<ScoreRequest, RequestError> {
    let raw: Body = serde_json::from_slice(body).map_err(|e| {
        RequestError::Malformed(match e.classify() {
            serde_json::error::Category::Data => format!("body is not a score request: {e}"),
            _ => format!("body is not valid JSON: {e}"),
        })
    })?;
    let Body::Object {
        instrument,
        mode,
        answers,
    } = raw
    else {
        return Err(malformed("body must be a JSON object"));
    };
    let instrument = string_field(instrument, "instrument")?;
    let mode = string_field(mode, "mode")?;
    let entries = match answers {
        Some(RawAnswers::Object(entries)) => entries,
        Some(RawAnswers::Other) => return Err(malformed("answers must be a JSON object")),
        None => return Err(malformed("answers is missing")),
    };
    let instrument = Instrument::bundled(&instrument).ok_or_else(|| {
        invalid(
            None,
            format!("unknown instrument {instrument:?}; this server scores dr-1"),
        )
    })?;
    let mode = mode.parse::<Mode>().map_err(|_| {
        invalid(
            None,
            format!("unknown mode {mode:?}; use \"self\" or \"interview\""),
        )
    })?;
    let mut map = Map::new();
    let mut duplicate: Option<String> = None;
    for (id, value) in entries {
        if map.contains_key(&id) {
            let earlier = duplicate.as_deref().map(|d| instrument.error_rank(d));
            if earlier.is_none_or(|rank| instrument.error_rank(&id) < rank) {
                duplicate = Some(id.clone());
            }
        }
        map.insert(id, value);
    }
    let parsed = Answers::parse(instrument, mode, &map);
    // A repeated id makes its answer ambiguous; it is reported like any other bad answer,
    // in instrument.md's order (ties go to the repeat).
    if let Some(id) = duplicate {
        let beaten = match &parsed {
            Err(e) => e
                .item
                .as_deref()
                .is_some_and(|item| instrument.error_rank(item) < instrument.error_rank(&id)),
            Ok(_) => false,
        };
        if !beaten {
            let message = format!("{id} is answered more than once");
            return Err(RequestError::Invalid(ValidationError {
                item: Some(id),
                message,
            }));
        }
    }
    let answers = parsed.map_err(RequestError::Invalid)?;
    Ok(ScoreRequest {
        instrument,
        mode,
        answers,
    })
}

/// Parses and scores in one go: what the API handler needs.
pub fn score_request(body: &[u8]) -> Result<Outcome, RequestError> {
    let request = parse_score_request(body)?;
    Ok(evaluate(request.instrument, &request.answers))
}

fn string_field(value: Option<Json>, name: &str) -> Result<String, RequestError> {
    match value {
        Some(Json::String(s)) => Ok(s),
        None => Err(malformed(&format!("{name} is missing"))),
        Some(_) => Err(malformed(&format!("{name} must be a string"))),
    }
}

fn malformed(message: &str) -> RequestError {
    RequestError::Malformed(message.to_owned())
}

fn invalid(item: Option<&str>, message: String) -> RequestError {
    RequestError::Invalid(ValidationError::new(item, message))
}

/// The request body as sent. Hand-written so that a top-level array is not read as a
/// struct, and so that repeated answer ids are seen rather than silently overwritten.
enum Body {
    Object {
        instrument: Option<Json>,
        mode: Option<Json>,
        answers: Option<RawAnswers>,
    },
    Other,
}

enum RawAnswers {
    /// In the order sent, repeats included.
    Object(Vec<(String, Json)>),
    Other,
}

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(BodyVisitor)
    }
}

impl<'de> Deserialize<'de> for RawAnswers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AnswersVisitor)
    }
}

struct BodyVisitor;
struct AnswersVisitor;

/// The visitor methods of every JSON value but an object (a list, a number, a string,
/// a boolean, null): each reads as `$other`, and a list is skipped to its end.
macro_rules! anything_but_a_map_is {
    ($other:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($other)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($other)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($other)
        }
    };
}

impl<'de> Visitor<'de> for BodyVisitor {
    type Value = Body;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Body, A::Error> {
        let (mut instrument, mut mode, mut answers) = (None, None, None);
        while let Some(key) = map.next_key::<String>()? {
            let repeated = match key.as_str() {
                "instrument" => instrument.replace(map.next_value::<Json>()?).is_some(),
                "mode" => mode.replace(map.next_value::<Json>()?).is_some(),
                "answers" => answers.replace(map.next_value::<RawAnswers>()?).is_some(),
                _ => map.next_value::<IgnoredAny>().map(|_| false)?,
            };
            if repeated {
                return Err(de::Error::custom(format!("{key} is given more than once")));
            }
        }
        // serde_json reads a JSON null for a field as Json::Null: treat it as missing.
        let present = |v: Option<Json>| v.filter(|v| !v.is_null());
        Ok(Body::Object {
            instrument: present(instrument),
            mode: present(mode),
            answers,
        })
    }

    anything_but_a_map_is!(Body::Other);
}

impl<'de> Visitor<'de> for AnswersVisitor {
    type Value = RawAnswers;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of answers")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawAnswers, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(32).min(64));
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            entries.push((key, value));
        }
        Ok(RawAnswers::Object(entries))
    }

    anything_but_a_map_is!(RawAnswers::Other);
}

#[cfg(test)]
mod tests;
