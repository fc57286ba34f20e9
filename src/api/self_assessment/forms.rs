//! The recipient's form posts: start, answer, finish, an invite code and a resume code.

use super::server::*;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use serde::Deserialize;

use crate::api::questionnaire::{
    answer_value, asked_items, evaluate_stored, new_resume_code, new_token, normalise_resume_code,
    scoring_map,
};
use crate::domain::{Instrument, Mode};
use crate::error::{AppError, AppResult};
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
#[tracing::instrument(level = "debug", skip_all)]
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

/// One answer: the item, its chosen codes (one per ticked box), and whether the person
/// came from the check page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    item: String,
    answer: Vec<String>,
    from: String,
}

/// A code typed by the person (an invite code or a resume code).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    code: String,
}

fn moved(to: &str) -> AppError {
    AppError::Moved(to.to_owned())
}

/// A fresh self-assessment: a device token and a resume code, in the chosen language.
pub(crate) fn new_self_assessment(lang: Lang) -> NewAssessment {
    NewAssessment {
        instrument: Instrument::dr1().id().to_owned(),
        mode: Mode::SelfAssessment,
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
#[tracing::instrument(level = "debug", skip_all)]
pub async fn start(
    State(state): State<AppState>,
    lang: axum::Extension<Lang>,
) -> AppResult<Response> {
    let mut last_error = None;
    // A resume-code clash is possible but rare: try again with a fresh code.
    for _ in 0..3 {
        let new = new_self_assessment(*lang);
        match state.db.create_assessment(&new, None).await {
            Ok(_) => {
                return Ok(to_resume_code(new, &state));
            }
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.map_or_else(|| moved("/self/intro"), AppError::from))
}

/// The self-assessment this device works on (its cookie), while the device may still
/// show it: for a form post it is an argument, as the staff member is for staff posts.
pub struct Device(pub Option<Assessment>);

impl axum::extract::FromRequestParts<AppState> for Device {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Device(device_assessment(state, &parts.headers).await?))
    }
}

/// A device's cookie names a self-assessment only, and a finished one only within its grace.
pub(crate) fn is_this_device(a: &Assessment) -> bool {
    a.mode == Mode::SelfAssessment && within_grace(a)
}

/// The self-assessment named by the device cookie in `headers`, if the device may see it.
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn device_assessment(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Assessment>, DbError> {
    match cookie_value(headers) {
        Some(token) => Ok(state
            .db
            .assessment_by_token(&token)
            .await?
            .filter(is_this_device)),
        None => Ok(None),
    }
}

/// POST /self/answer: stores one answer, then on to the next question. The device's
/// assessment as this instance knows it (`Repository::assessment_to_save`): the save
/// checks that it is still there and open.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn answer(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<AnswerForm>,
) -> AppResult<Redirect> {
    let found = match cookie_value(&headers) {
        Some(token) => state
            .db
            .assessment_to_save(&token)
            .await?
            .filter(is_this_device),
        None => None,
    };
    let a = match found {
        Some(a) if a.finished_at.is_none() => a,
        Some(_) => return Err(moved("/self/result")),
        None => return Err(moved("/self/intro")),
    };
    let instrument = Instrument::bundled(&a.instrument).ok_or_else(|| moved("/self/intro"))?;
    let from_check = form.from == "check";
    let item = instrument
        .item(&form.item)
        .ok_or_else(|| moved("/self/intro"))?;
    let codes = &form.answer;
    let back = |error: &str| {
        let from = if from_check { "&from=check" } else { "" };
        AppError::invalid("answer", error)
            .on_form(&format!("/self/q/{}?error={{}}{from}", item.id()))
    };
    let value = match answer_value(instrument, Mode::SelfAssessment, item, codes) {
        Ok(Some(v)) => v,
        Ok(None) => return Err(back("required")),
        Err(_) if codes.len() > 1 => return Err(back("exclusive")),
        Err(_) => return Err(back("required")),
    };
    let saved = state
        .db
        .save_open_answer(
            a.id,
            item.id(),
            &value,
            AnsweredBy::Recipient,
            recipient_line(&a, "self.answer", item.id(), addr).as_ref(),
        )
        .await;
    let stored = match saved {
        Ok(Some(stored)) => stored,
        // Finished meanwhile (another tab): nothing was stored; the result stands.
        Ok(None) => return Err(moved("/self/result")),
        // Erased meanwhile: as for a device whose assessment is gone.
        Err(DbError::NoSuchAssessment(_)) => return Err(moved("/self/intro")),
        Err(e) => return Err(e.into()),
    };
    // From the check page, back there unless the change revealed new questions
    // (e.g. U1 changed from "never"); otherwise the next question on the path, or the
    // first open one if this item is no longer on it (a stale tab).
    let open = open_href(instrument, &stored);
    if from_check {
        return Ok(Redirect::to(&open));
    }
    let asked = asked_items(instrument, Mode::SelfAssessment, &scoring_map(&stored));
    Ok(match asked.iter().position(|i| i.id() == item.id()) {
        Some(index) => match asked.get(index + 1) {
            Some(n) => Redirect::to(&format!("/self/q/{}", n.id())),
            None => Redirect::to("/self/check"),
        },
        None => Redirect::to(&open),
    })
}

/// POST /self/finish: scores the stored answers and stores the result.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn finish(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Device(found): Device,
) -> AppResult<Redirect> {
    let a = found.ok_or_else(|| moved("/self/intro"))?;
    if a.finished_at.is_some() {
        return Err(moved("/self/result"));
    }
    let instrument = Instrument::bundled(&a.instrument).ok_or_else(|| moved("/self/intro"))?;
    let stored = state.db.answers(a.id).await?;
    let outcome = match evaluate_stored(instrument, Mode::SelfAssessment, &stored) {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(item = ?e.item, error = %e.message, "stored answers do not parse");
            return Err(moved("/self/check"));
        }
    };
    let line = recipient_line(&a, "self.finish", "", addr);
    state
        .db
        .finish(a.id, &StoredResult::of(&outcome), line.as_ref())
        .await?;
    Ok(Redirect::to("/self/result"))
}

/// POST /self/invite: the code from the job centre starts the self-assessment that
/// belongs to the person's case. A code works once, and only until it expires.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn invite(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    lang: axum::Extension<Lang>,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let code = normalise_resume_code(&form.code);
    let back = |reason: &str| AppError::invalid("code", reason).on_form("/self/invite");
    if code.is_empty() {
        return Err(back("empty"));
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
            Ok(None) => return Err(back("unknown")),
            Ok(Some(_)) => return Ok(to_resume_code(new, &state)),
            // A clash of the new resume code rolls the whole claim back: try again.
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.map_or_else(|| moved("/self/invite"), AppError::from))
}

/// POST /self/resume: the code from another device attaches this device to it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn resume(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let code = normalise_resume_code(&form.code);
    let back = |reason: &str| AppError::invalid("code", reason).on_form("/self/resume");
    if code.is_empty() {
        return Err(back("empty"));
    }
    // A code only continues unfinished answers: a finished assessment's code is a
    // reference on paper, and must not reopen someone's answers on another device.
    let a = state
        .db
        .assessment_by_resume_code(&code)
        .await?
        .filter(|a| a.mode == Mode::SelfAssessment && a.finished_at.is_none())
        .ok_or_else(|| back("unknown"))?;
    let token = a.token.clone().ok_or_else(|| back("unknown"))?;
    // Another device now reads the case's answers: that goes into its audit trail.
    audit_recipient(&state, &a, "self.resume", "", addr).await?;
    let stored = state.db.answers(a.id).await?;
    let next = match Instrument::bundled(&a.instrument) {
        Some(i) => open_href(i, &stored),
        None => "/self/intro".to_owned(),
    };
    Ok((
        [set_cookie(&token, state.config.secure_cookies)],
        Redirect::to(&next),
    )
        .into_response())
}
