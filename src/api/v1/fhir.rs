//! The instrument as a FHIR R4 `Questionnaire`, and a finished assessment as a
//! `QuestionnaireResponse`, for analysts and systems that speak FHIR.
//!
//! - Texts are Danish; English and Arabic ride along as the core `translation` extension.
//! - Answer codes are per item, under the code system `urn:digiparat:instrument:<id>:<item>`
//!   (the same codes the scoring API takes).
//! - A skip rule ("shown unless X is one of …") becomes one `enableWhen` per hiding answer
//!   with operator `!=` and `enableBehavior` `all`.
//! - Items asked only in one mode (the observed task in interviews) carry the extension
//!   `urn:digiparat:fhir:only-mode`.
//! - Nothing that identifies a person is in a response: no case reference, no subject.

use serde_json::{Value, json};

use crate::domain::Instrument;
use crate::server::db::{Assessment, StoredAnswer};

const TRANSLATION: &str = "http://hl7.org/fhir/StructureDefinition/translation";
const ONLY_MODE: &str = "urn:digiparat:fhir:only-mode";
const OTHER_LANGS: [&str; 2] = ["en", "ar"];

/// The canonical address of an instrument's questionnaire.
pub fn canonical(instrument: &Instrument) -> String {
    format!("urn:digiparat:instrument:{}", instrument.id())
}

fn code_system(instrument: &Instrument, item: &str) -> String {
    format!("{}:{item}", canonical(instrument))
}

/// `_text`-style element extensions with the English and Arabic texts (those not empty).
fn translations(text: impl Fn(&str) -> String) -> Option<Value> {
    let extension: Vec<Value> = OTHER_LANGS
        .iter()
        .filter_map(|lang| {
            let t = text(lang);
            (!t.is_empty()).then(|| {
                json!({"url": TRANSLATION, "extension": [
                    {"url": "lang", "valueCode": lang},
                    {"url": "content", "valueString": t},
                ]})
            })
        })
        .collect();
    (!extension.is_empty()).then(|| json!({ "extension": extension }))
}

/// The instrument as a FHIR R4 `Questionnaire`.
pub fn questionnaire(instrument: &Instrument) -> Value {
    let items: Vec<Value> = instrument
        .items()
        .iter()
        .map(|item| {
            let system = code_system(instrument, item.id());
            let options: Vec<Value> = item
                .options()
                .iter()
                .map(|o| {
                    let mut coding =
                        json!({"system": system, "code": o.code(), "display": o.label("da")});
                    if let Some(t) = translations(|l| o.label(l).to_owned()) {
                        coding["_display"] = t;
                    }
                    json!({ "valueCoding": coding })
                })
                .collect();
            let mut q = json!({
                "linkId": item.id(),
                "text": item.question("da"),
                "type": "choice",
                "required": false,
                "repeats": item.is_multi(),
                "answerOption": options,
            });
            if let Some(t) = translations(|l| item.question(l).to_owned()) {
                q["_text"] = t;
            }
            if let Some(rule) = item.shown_when() {
                let source = code_system(instrument, rule.item());
                let conditions: Vec<Value> = rule
                    .not_in()
                    .iter()
                    .map(|code| {
                        json!({"question": rule.item(), "operator": "!=",
                               "answerCoding": {"system": source, "code": code}})
                    })
                    .collect();
                if !conditions.is_empty() {
                    q["enableWhen"] = Value::Array(conditions);
                    q["enableBehavior"] = json!("all");
                }
            }
            if let Some(mode) = item.only_mode() {
                q["extension"] = json!([{"url": ONLY_MODE, "valueCode": mode.as_str()}]);
            }
            q
        })
        .collect();
    json!({
        "resourceType": "Questionnaire",
        "id": instrument.id(),
        "url": canonical(instrument),
        "version": instrument.id(),
        "name": "DigitalReadiness",
        "title": "Digiparat: digital parathed",
        "status": "active",
        "language": "da",
        "publisher": "Digiparat",
        "description": "Screening of digital readiness (access, skills, motivation) for job centres.",
        "item": items,
    })
}

/// A finished (or unfinished) assessment's answers as a `QuestionnaireResponse`.
pub fn response(instrument: &Instrument, a: &Assessment, answers: &[StoredAnswer]) -> Value {
    let items: Vec<Value> = instrument
        .items()
        .iter()
        .filter_map(|item| {
            let stored = answers.iter().find(|s| s.item == item.id())?;
            let codes: Vec<&str> = match &stored.value {
                Value::String(code) => vec![code.as_str()],
                Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            let answer: Vec<Value> = codes
                .iter()
                .filter_map(|code| {
                    let option = item.option(code)?;
                    Some(json!({"valueCoding": {
                        "system": code_system(instrument, item.id()),
                        "code": option.code(),
                        "display": option.label("da"),
                    }}))
                })
                .collect();
            (!answer.is_empty()).then(
                || json!({"linkId": item.id(), "text": item.question("da"), "answer": answer}),
            )
        })
        .collect();
    let status = if a.finished_at.is_some() {
        "completed"
    } else {
        "in-progress"
    };
    let authored = a.finished_at.unwrap_or(a.started_at);
    json!({
        "resourceType": "QuestionnaireResponse",
        "id": a.id.to_string(),
        "questionnaire": canonical(instrument),
        "status": status,
        "authored": super::model::rfc3339(authored),
        "language": a.language,
        "item": items,
    })
}
