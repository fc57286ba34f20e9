//! The interview's form posts: start, save (and rescore a finished one), override the channel.

use super::server::*;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::Value;

use crate::api::guard::by_staff;
use crate::api::questionnaire::{answer_value, evaluate_stored, new_token};
use crate::domain::privacy::looks_like_cpr;
use crate::domain::{Channel, Instrument, Mode};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::server::db::{AnsweredBy, Assessment, DbError, NewAssessment, NewAudit, StoredResult};
use crate::server::state::AppState;
use tower_sessions::Session;

/// POST /interview/start: a new interview, answered by the caseworker.
pub async fn start(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    lang: axum::Extension<Lang>,
) -> Response {
    let user = match caseworker(&state, &session).await {
        Ok(u) => u,
        Err(refused) => return refused,
    };
    // Without a case it counts only in statistics; the team keeps it in the team's view.
    let new = NewAssessment {
        instrument: Instrument::dr1().id().to_owned(),
        mode: Mode::Interview.as_str().to_owned(),
        language: lang.code().to_owned(),
        token: Some(new_token()),
        team_id: user.team_id,
        created_by: Some(user.id),
        ..NewAssessment::default()
    };
    let line = by_staff(&user, "interview.start", &addr.ip().to_string());
    match state.db.create_assessment(&new, Some(&line)).await {
        Ok(_) => {
            Redirect::to(&format!("/interview/{}", new.token.unwrap_or_default())).into_response()
        }
        Err(e) => AppError::Database(e).into_response(),
    }
}

/// A caseworker's interview by its token with the audit line its write is to record
/// (in the write's own transaction, with the case's activity), or the response that
/// refuses the request.
pub(crate) async fn authorized_interview(
    state: &AppState,
    session: &Session,
    token: &str,
    action: &str,
    address: SocketAddr,
) -> Result<(Assessment, NewAudit), Response> {
    let user = caseworker(state, session).await?;
    let a = match interview(state, &user, token).await {
        Ok(Some(a)) => a,
        Ok(None) => {
            return Err((axum::http::StatusCode::NOT_FOUND, "No such interview.").into_response());
        }
        Err(e) => return Err(AppError::Database(e).into_response()),
    };
    let line = entry(&user, action, &a, &address.ip().to_string());
    Ok((a, line))
}

/// POST /interview/{token}/answers: stores every valid answer and the note together,
/// then scores. With an invalid answer or a CPR-like note the form comes back with the
/// answers kept (and an earlier result is re-scored so it matches what is stored).
pub async fn save(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let (a, line) =
        match authorized_interview(&state, &session, &token, "interview.save", addr).await {
            Ok(found) => found,
            Err(refused) => return refused,
        };
    let instrument = Instrument::dr1();
    let stored = match state.db.answers(a.id).await {
        Ok(s) => s,
        Err(e) => return AppError::Database(e).into_response(),
    };
    let mut answers: Vec<(String, Value)> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    for item in instrument
        .items()
        .iter()
        .filter(|i| i.applies_in(Mode::Interview))
    {
        let codes: Vec<String> = fields
            .iter()
            .filter(|(k, _)| k == item.id())
            .map(|(_, v)| v.clone())
            .collect();
        match answer_value(instrument, Mode::Interview, item, &codes) {
            Ok(Some(value)) => answers.push((item.id().to_owned(), value)),
            Ok(None) if stored.iter().any(|s| s.item == item.id()) => {
                answers.push((item.id().to_owned(), Value::Null))
            }
            Ok(None) => {}
            Err(_) => errors.push(item.id().to_owned()),
        }
    }
    let note = fields
        .iter()
        .find(|(k, _)| k == "note")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    // A CPR-like note is never stored; the answers are, so nothing typed is lost.
    let note_ok = !looks_like_cpr(&note);
    if !note_ok {
        errors.push("note".into());
    }
    let keep_note = if note_ok {
        Some(note.as_str()).filter(|n| !n.is_empty())
    } else {
        a.note.as_deref()
    };
    if let Err(e) = state
        .db
        .save_answers(
            a.id,
            &answers,
            AnsweredBy::Caseworker,
            keep_note,
            Some(&line),
        )
        .await
    {
        return AppError::Database(e).into_response();
    }
    if !errors.is_empty() {
        // An earlier result must not stand beside answers it was not computed from.
        if a.finished_at.is_some()
            && let Err(e) = rescore(&state, &a).await
        {
            return AppError::Database(e).into_response();
        }
        return Redirect::to(&format!("/interview/{token}?errors={}", errors.join(",")))
            .into_response();
    }
    let all = match state.db.answers(a.id).await {
        Ok(s) => s,
        Err(e) => return AppError::Database(e).into_response(),
    };
    let outcome = match evaluate_stored(instrument, Mode::Interview, &all) {
        Ok(o) => o,
        Err(e) => {
            let item = e.item.unwrap_or_default();
            return Redirect::to(&format!("/interview/{token}?errors={item}")).into_response();
        }
    };
    match state
        .db
        .finish(a.id, &StoredResult::of(&outcome), None)
        .await
    {
        Ok(()) => Redirect::to(&format!("/interview/{token}/result")).into_response(),
        Err(e) => AppError::Database(e).into_response(),
    }
}

/// Scores the stored answers again and stores that result (the override is kept).
pub(crate) async fn rescore(state: &AppState, a: &Assessment) -> Result<(), DbError> {
    let all = state.db.answers(a.id).await?;
    match evaluate_stored(Instrument::dr1(), Mode::Interview, &all) {
        Ok(outcome) => {
            state
                .db
                .finish(a.id, &StoredResult::of(&outcome), None)
                .await
        }
        Err(e) => Err(DbError::Corrupt(format!(
            "stored interview answers: {}",
            e.message
        ))),
    }
}

/// POST /interview/{token}/override: another channel with a required reason.
pub async fn override_channel(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let (a, line) =
        match authorized_interview(&state, &session, &token, "interview.override", addr).await {
            Ok(found) => found,
            Err(refused) => return refused,
        };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let back = |error: &str| {
        Redirect::to(&format!("/interview/{token}/result?error={error}#override")).into_response()
    };
    let Ok(channel) = field("channel").parse::<Channel>() else {
        return back("channel");
    };
    let reason = field("reason");
    if reason.is_empty() {
        return back("reason");
    }
    if looks_like_cpr(&reason) {
        return back("reason_cpr");
    }
    match state
        .db
        .set_override(a.id, channel.as_str(), &reason, Some(&line))
        .await
    {
        Ok(()) => Redirect::to(&format!("/interview/{token}/result")).into_response(),
        Err(e) => AppError::Database(e).into_response(),
    }
}
