//! The recipient's self-assessment: start, one question per page, check answers, result,
//! and resuming with a code. Pages load through server functions; answers arrive as plain
//! form posts that redirect (works without JavaScript), so every acknowledged answer is stored.

use crate::error::AppResult;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::questionnaire::Choice;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QuestionView {
    pub item: String,
    /// 1-based place among the questions asked.
    pub position: usize,
    /// Shown only once it can no longer change (after the first question).
    pub total: Option<usize>,
    /// The most questions there can be, said on the first question ("1 of at most 28").
    pub most: usize,
    pub question: String,
    pub hint: String,
    pub explain: String,
    pub multi: bool,
    pub choices: Vec<Choice>,
    pub selected: Vec<String>,
    pub back_href: String,
    pub error: Option<String>,
    pub from_check: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CodeView {
    pub code: String,
    pub next_href: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CheckGroup {
    pub heading: String,
    pub rows: Vec<CheckRow>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CheckRow {
    pub item: String,
    pub question: String,
    /// `None` when not answered.
    pub answer: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ResultView {
    pub channel: String,
    pub channel_sentence: String,
    pub reasons: Vec<String>,
    /// The next steps (at most two), each with the offers of the person's job centre.
    pub steps: Vec<crate::api::help::StepView>,
    pub you_decide: String,
    pub code: String,
    pub date: String,
}

#[server(endpoint = "self/load/code")]
pub async fn load_self_code() -> AppResult<CodeView> {
    let (_, assessment) = server::current().await?;
    let code = assessment.resume_code.as_deref().unwrap_or_default();
    Ok(CodeView {
        code: super::questionnaire::format_resume_code(code),
        next_href: server::first_open_href(&assessment).await?,
    })
}

#[server(endpoint = "self/load/question")]
pub async fn load_self_question(
    item: String,
    error: Option<String>,
    from_check: bool,
) -> AppResult<QuestionView> {
    server::question(item, error, from_check).await
}

#[server(endpoint = "self/load/check")]
pub async fn load_self_check() -> AppResult<Vec<CheckGroup>> {
    server::check().await
}

#[server(endpoint = "self/load/result")]
pub async fn load_self_result() -> AppResult<ResultView> {
    server::result().await
}

#[cfg(feature = "ssr")]
pub(crate) use server::{
    COOKIE as DEVICE_COOKIE, PrecomputedQuestion, audit_recipient, current, instrument_of,
    question_of,
};
#[cfg(feature = "ssr")]
pub use server::{answer, finish, invite, resume, start};

crate::api::server_side!(forms, pages);
