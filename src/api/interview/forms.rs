//! The interview's form posts: start, save (and rescore a finished one), override the channel.

use super::server::*;
use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::response::Redirect;
use axum_extra::extract::Form;
use serde::Deserialize;
use serde_json::Value;

use crate::api::guard::{StaffUser, by_staff};
use crate::api::questionnaire::{answer_value, evaluate_stored, new_token};
use crate::domain::privacy::looks_like_cpr;
use crate::domain::{Channel, Instrument, Mode};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::server::db::{AnsweredBy, Assessment, DbError, NewAssessment, NewAudit, StoredResult};
use crate::server::state::AppState;

/// The interview form: every field by name, each with all its values (a multiple-choice
/// item sends one value per ticked box), and the caseworker's note.
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct InterviewForm(BTreeMap<String, Vec<String>>);

impl InterviewForm {
    pub(crate) fn values(&self, name: &str) -> &[String] {
        self.0.get(name).map(Vec::as_slice).unwrap_or_default()
    }

    fn note(&self) -> String {
        self.values("note")
            .first()
            .map(|n| n.trim().to_owned())
            .unwrap_or_default()
    }
}

/// The override form: the channel chosen and the reason for it.
#[derive(Debug, Deserialize)]
pub struct OverrideForm {
    #[serde(default)]
    channel: String,
    /// The reason's category (`OverrideReason`), required.
    #[serde(default)]
    category: String,
    #[serde(default)]
    reason: String,
}

/// POST /interview/start: a new interview, answered by the caseworker.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn start(
    State(state): State<AppState>,
    StaffUser(user): StaffUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    lang: axum::Extension<Lang>,
) -> AppResult<Redirect> {
    let user = caseworker(user)?;
    // Without a case it counts only in statistics; the team keeps it in the team's view.
    let new = NewAssessment {
        instrument: Instrument::dr1().id().to_owned(),
        mode: Mode::Interview,
        language: lang.code().to_owned(),
        token: Some(new_token()),
        team_id: user.team_id,
        created_by: Some(user.id),
        ..NewAssessment::default()
    };
    let line = by_staff(&user, "interview.start", &addr.ip().to_string());
    state.db.create_assessment(&new, Some(&line)).await?;
    Ok(Redirect::to(&format!(
        "/interview/{}",
        new.token.unwrap_or_default()
    )))
}

/// A caseworker's interview by its token with the audit line its write is to record
/// (in the write's own transaction, with the case's activity).
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn authorized_interview(
    state: &AppState,
    user: StaffUser,
    token: &str,
    action: &str,
    address: SocketAddr,
) -> AppResult<(Assessment, NewAudit)> {
    let user = caseworker(user.0)?;
    let a = interview(state, &user, token)
        .await?
        .ok_or(AppError::NotFound)?;
    let line = entry(&user, action, &a, &address.ip().to_string());
    Ok((a, line))
}

/// POST /interview/{token}/answers: stores every valid answer and the note together,
/// then scores. With an invalid answer or a CPR-like note the form comes back with the
/// answers kept (and an earlier result is re-scored so it matches what is stored).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save(
    State(state): State<AppState>,
    user: StaffUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    Form(form): Form<InterviewForm>,
) -> AppResult<Redirect> {
    let (a, line) = authorized_interview(&state, user, &token, "interview.save", addr).await?;
    let instrument = Instrument::dr1();
    let stored = state.db.answers(a.id).await?;
    let mut answers: Vec<(String, Value)> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    for item in instrument
        .items()
        .iter()
        .filter(|i| i.applies_in(Mode::Interview))
    {
        match answer_value(instrument, Mode::Interview, item, form.values(item.id())) {
            Ok(Some(value)) => answers.push((item.id().to_owned(), value)),
            Ok(None) if stored.iter().any(|s| s.item == item.id()) => {
                answers.push((item.id().to_owned(), Value::Null))
            }
            Ok(None) => {}
            Err(_) => errors.push(item.id().to_owned()),
        }
    }
    let note = form.note();
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
    state
        .db
        .save_answers(
            a.id,
            &answers,
            AnsweredBy::Caseworker,
            keep_note,
            Some(&line),
        )
        .await?;
    if !errors.is_empty() {
        // An earlier result must not stand beside answers it was not computed from.
        if a.finished_at.is_some() {
            rescore(&state, &a).await?;
        }
        return Ok(Redirect::to(&format!(
            "/interview/{token}?errors={}",
            errors.join(",")
        )));
    }
    let all = state.db.answers(a.id).await?;
    let outcome = match evaluate_stored(instrument, Mode::Interview, &all) {
        Ok(o) => o,
        Err(e) => {
            let item = e.item.unwrap_or_default();
            return Ok(Redirect::to(&format!("/interview/{token}?errors={item}")));
        }
    };
    state
        .db
        .finish(a.id, &StoredResult::of(&outcome), None)
        .await?;
    Ok(Redirect::to(&format!("/interview/{token}/result")))
}

/// Scores the stored answers again and stores that result (the override is kept).
#[tracing::instrument(level = "debug", skip_all)]
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
#[tracing::instrument(level = "debug", skip_all)]
pub async fn override_channel(
    State(state): State<AppState>,
    user: StaffUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    Form(form): Form<OverrideForm>,
) -> AppResult<Redirect> {
    let (a, line) = authorized_interview(&state, user, &token, "interview.override", addr).await?;
    let back = |reason: &str| {
        AppError::invalid("override", reason)
            .on_form(&format!("/interview/{token}/result#override"))
    };
    let channel = form
        .channel
        .trim()
        .parse::<Channel>()
        .map_err(|_| back("channel"))?;
    let category = form
        .category
        .trim()
        .parse::<crate::domain::OverrideReason>()
        .map_err(|_| back("category"))?;
    let reason = form.reason.trim();
    if reason.is_empty() {
        return Err(back("reason"));
    }
    if looks_like_cpr(reason) {
        return Err(back("reason_cpr"));
    }
    state
        .db
        .set_override(a.id, channel, category, reason, Some(&line))
        .await?;
    Ok(Redirect::to(&format!("/interview/{token}/result")))
}
