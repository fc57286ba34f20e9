//! The caseworker interview: every item on one page, the observed task O1 and a note;
//! the caseworker's result view with scores, marks, flags and grounds; and the override,
//! stored beside the computed channel. Caseworkers only, and only their own team's
//! interviews; every access is audited.

use crate::error::AppResult;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::questionnaire::Choice;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FormItem {
    pub id: String,
    /// Numbered as on the paper questionnaire.
    pub number: usize,
    pub question: String,
    pub hint: String,
    pub multi: bool,
    pub choices: Vec<Choice>,
    pub selected: Vec<String>,
    pub error: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FormSection {
    pub anchor: String,
    pub heading: String,
    pub items: Vec<FormItem>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InterviewView {
    pub token: String,
    pub sections: Vec<FormSection>,
    pub note: String,
    pub note_error: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ScoreRow {
    pub dimension: String,
    pub score: Option<u8>,
    pub coverage_percent: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaseworkerResult {
    pub token: String,
    /// The case the interview belongs to, for the way back.
    pub case_id: Option<i64>,
    pub channel: crate::domain::Channel,
    pub channel_name: String,
    pub rule: u8,
    /// What the rule means, from the instrument file.
    pub rule_text: String,
    pub provisional: bool,
    pub borderline: bool,
    pub scores: Vec<ScoreRow>,
    pub reasons: Vec<String>,
    pub flags: Vec<String>,
    pub grounds: Vec<String>,
    /// Every next step with its offers; in the plan form, what the latest plan agreed
    /// (or what was just sent with problems).
    pub steps: Vec<crate::api::help::StepView>,
    pub note: Option<String>,
    /// The plan form's next screening date and note, as stored or as sent.
    pub plan_next_screening: String,
    pub plan_note: String,
    /// The plan form's problems, as messages with the field they belong to.
    pub plan_errors: Vec<(String, String)>,
    /// The agreed plans, newest first: "Version 2, agreed 30. nov. 2026 by …".
    pub plans: Vec<String>,
    /// The caseworker's choice: channel name and reason.
    pub chosen: Option<(String, String)>,
    pub channels: Vec<(String, String)>,
    /// The categories of an override's reason: code and text.
    pub override_reasons: Vec<(String, String)>,
    pub error: Option<String>,
    /// The override form's field the error belongs to: `channel`, `category` or `reason`.
    pub error_field: Option<String>,
}

#[server(endpoint = "interview/load/form")]
pub async fn load_interview(token: String, errors: Option<String>) -> AppResult<InterviewView> {
    server::form(token, errors).await
}

#[server(endpoint = "interview/load/result")]
pub async fn load_interview_result(
    token: String,
    error: Option<String>,
) -> AppResult<CaseworkerResult> {
    server::result(token, error).await
}

/// The start page only checks who is signed in.
#[server(endpoint = "interview/load/start")]
pub async fn load_interview_start() -> AppResult<()> {
    server::caseworker_page().map(|_| ())
}

#[server(endpoint = "interview/load/paper")]
pub async fn load_paper() -> AppResult<Vec<FormSection>> {
    Ok(server::sections_for(
        crate::domain::Mode::SelfAssessment,
        crate::request::request_lang(),
        &[],
        &[],
    ))
}

#[cfg(feature = "ssr")]
pub(crate) use server::{
    InterviewForm, authorized_interview, caseworker_page, entry, interview, sections,
};
#[cfg(feature = "ssr")]
pub use server::{override_channel, save, start};

crate::api::server_side!(forms, pages);
