//! The recipient's form posts: start, answer, finish, an invite code and a resume code.

use super::server::*;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Form, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};

use crate::api::questionnaire::{
    answer_value, asked_items, evaluate_stored, new_resume_code, new_token, normalise_resume_code,
    scoring_map,
};
use crate::domain::{Instrument, Mode};
use crate::i18n::Lang;
use crate::server::db::{AnsweredBy, Assessment, DbError, NewAssessment, NewAudit, StoredResult};
use crate::server::state::AppState;

/// The recipient's line in the case's audit trail for an assessment that belongs to a
/// case; an anonymous self-assessment has no person to audit.
pub(crate) fn recipient_line(
    a: &Assessment,
    action: &str,
    detail: &str,
    addr: SocketAddr,
) -> Option<NewAudit> {
    a.case_id.map(|case_id| NewAudit {
        actor: "recipient".into(),
        action: action.into(),
        case_id: Some(case_id),
        assessment_id: Some(a.id),
        address: addr.ip().to_string(),
        detail: detail.into(),
        ..NewAudit::default()
    })
}

/// Records a read of a case's assessment by the recipient (writes record theirs in
/// their own transaction).
pub(crate) async fn audit_recipient(
    state: &AppState,
    a: &Assessment,
    action: &str,
    detail: &str,
    addr: SocketAddr,
) -> Result<(), DbError> {
    match recipient_line(a, action, detail, addr) {
        Some(line) => state.db.audit(&line).await,
        None => Ok(()),
    }
}

pub(crate) fn see_other(location: &str) -> Response {
    Redirect::to(location).into_response()
}

pub(crate) fn unavailable(e: DbError) -> Response {
    crate::error::AppError::Database(e).into_response()
}

/// A fresh self-assessment: a device token and a resume code, in the chosen language.
pub(crate) fn new_self_assessment(lang: Lang) -> NewAssessment {
    NewAssessment {
        instrument: Instrument::dr1().id().to_owned(),
        mode: Mode::SelfAssessment.as_str().to_owned(),
        language: lang.code().to_owned(),
        token: Some(new_token()),
        resume_code: Some(new_resume_code()),
        ..NewAssessment::default()
    }
}

/// The device cookie of a new self-assessment, and on to its resume code.
pub(crate) fn to_resume_code(new: NewAssessment, state: &AppState) -> Response {
    let token = new.token.unwrap_or_default();
    (
        [set_cookie(&token, state.config.secure_cookies)],
        Redirect::to("/self/code"),
    )
        .into_response()
}

/// POST /self/start: a new assessment on this device, with its resume code.
pub async fn start(State(state): State<AppState>, lang: axum::Extension<Lang>) -> Response {
    let mut last_error = None;
    // A resume-code clash is possible but rare: try again with a fresh code.
    for _ in 0..3 {
        let new = new_self_assessment(*lang);
        match state.db.create_assessment(&new, None).await {
            Ok(_) => {
                return to_resume_code(new, &state);
            }
            Err(e) => last_error = Some(e),
        }
    }
    match last_error {
        Some(e) => unavailable(e),
        None => see_other("/self/intro"),
    }
}

pub(crate) async fn device_assessment(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Assessment>, DbError> {
    match cookie_value(headers) {
        Some(token) => Ok(state
            .db
            .assessment_by_token(&token)
            .await?
            .filter(|a| a.mode == "self" && within_grace(a))),
        None => Ok(None),
    }
}

/// POST /self/answer: stores one answer, then on to the next question.
pub async fn answer(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let a = match device_assessment(&state, &headers).await {
        Ok(Some(a)) if a.finished_at.is_none() => a,
        Ok(Some(_)) => return see_other("/self/result"),
        Ok(None) => return see_other("/self/intro"),
        Err(e) => return unavailable(e),
    };
    let Some(instrument) = Instrument::bundled(&a.instrument) else {
        return see_other("/self/intro");
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let from_check = field("from").as_deref() == Some("check");
    let Some(item) = field("item").and_then(|id| instrument.item(&id)) else {
        return see_other("/self/intro");
    };
    let codes: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k == "answer")
        .map(|(_, v)| v.clone())
        .collect();
    let back = |error: &str| {
        let from = if from_check { "&from=check" } else { "" };
        see_other(&format!("/self/q/{}?error={error}{from}", item.id()))
    };
    let value = match answer_value(instrument, Mode::SelfAssessment, item, &codes) {
        Ok(Some(v)) => v,
        Ok(None) => return back("required"),
        Err(_) if codes.len() > 1 => return back("exclusive"),
        Err(_) => return back("required"),
    };
    if let Err(e) = state
        .db
        .save_answer(
            a.id,
            item.id(),
            &value,
            AnsweredBy::Recipient,
            recipient_line(&a, "self.answer", item.id(), addr).as_ref(),
        )
        .await
    {
        return unavailable(e);
    }
    let stored = match state.db.answers(a.id).await {
        Ok(s) => s,
        Err(e) => return unavailable(e),
    };
    // From the check page, back there unless the change revealed new questions
    // (e.g. U1 changed from "never"); otherwise the next question on the path, or the
    // first open one if this item is no longer on it (a stale tab).
    let open = open_href(instrument, &stored);
    if from_check {
        return see_other(&open);
    }
    let asked = asked_items(instrument, Mode::SelfAssessment, &scoring_map(&stored));
    match asked.iter().position(|i| i.id() == item.id()) {
        Some(index) => match asked.get(index + 1) {
            Some(n) => see_other(&format!("/self/q/{}", n.id())),
            None => see_other("/self/check"),
        },
        None => see_other(&open),
    }
}

/// POST /self/finish: scores the stored answers and stores the result.
pub async fn finish(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let a = match device_assessment(&state, &headers).await {
        Ok(Some(a)) => a,
        Ok(None) => return see_other("/self/intro"),
        Err(e) => return unavailable(e),
    };
    if a.finished_at.is_some() {
        return see_other("/self/result");
    }
    let Some(instrument) = Instrument::bundled(&a.instrument) else {
        return see_other("/self/intro");
    };
    let stored = match state.db.answers(a.id).await {
        Ok(s) => s,
        Err(e) => return unavailable(e),
    };
    let outcome = match evaluate_stored(instrument, Mode::SelfAssessment, &stored) {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(item = ?e.item, error = %e.message, "stored answers do not parse");
            return see_other("/self/check");
        }
    };
    let line = recipient_line(&a, "self.finish", "", addr);
    if let Err(e) = state
        .db
        .finish(a.id, &StoredResult::of(&outcome), line.as_ref())
        .await
    {
        return unavailable(e);
    }
    see_other("/self/result")
}

/// POST /self/invite: the code from the job centre starts the self-assessment that
/// belongs to the person's case. A code works once, and only until it expires.
pub async fn invite(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    lang: axum::Extension<Lang>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let typed = fields
        .iter()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let code = normalise_resume_code(typed);
    if code.is_empty() {
        return see_other("/self/invite?error=empty");
    }
    let mut last_error = None;
    for _ in 0..3 {
        let new = new_self_assessment(*lang);
        let line = NewAudit {
            actor: "recipient".into(),
            action: "invite.redeem".into(),
            address: addr.ip().to_string(),
            ..NewAudit::default()
        };
        match state.db.redeem_invite(&code, &new, Some(&line)).await {
            Ok(None) => return see_other("/self/invite?error=unknown"),
            Ok(Some(_)) => return to_resume_code(new, &state),
            // A clash of the new resume code rolls the whole claim back: try again.
            Err(e) => last_error = Some(e),
        }
    }
    match last_error {
        Some(e) => unavailable(e),
        None => see_other("/self/invite"),
    }
}

/// POST /self/resume: the code from another device attaches this device to it.
pub async fn resume(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let typed = fields
        .iter()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let code = normalise_resume_code(typed);
    if code.is_empty() {
        return see_other("/self/resume?error=empty");
    }
    // A code only continues unfinished answers: a finished assessment's code is a
    // reference on paper, and must not reopen someone's answers on another device.
    let found = match state.db.assessment_by_resume_code(&code).await {
        Ok(found) => found.filter(|a| a.mode == "self" && a.finished_at.is_none()),
        Err(e) => return unavailable(e),
    };
    let Some(a) = found else {
        return see_other("/self/resume?error=unknown");
    };
    let Some(token) = a.token.clone() else {
        return see_other("/self/resume?error=unknown");
    };
    // Another device now reads the case's answers: that goes into its audit trail.
    if let Err(e) = audit_recipient(&state, &a, "self.resume", "", addr).await {
        return unavailable(e);
    }
    let stored = match state.db.answers(a.id).await {
        Ok(s) => s,
        Err(e) => return unavailable(e),
    };
    let next = match Instrument::bundled(&a.instrument) {
        Some(i) => open_href(i, &stored),
        None => "/self/intro".to_owned(),
    };
    (
        [set_cookie(&token, state.config.secure_cookies)],
        Redirect::to(&next),
    )
        .into_response()
}
