//! The case forms: create a case, start an interview, hand out an invite code, erase a case.

use super::server::*;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::response::Redirect;
use axum_extra::extract::Form;
use serde::Deserialize;
use time::OffsetDateTime;

use crate::api::guard::{StaffUser, by_staff, case_for, permit};
use crate::api::questionnaire::{new_resume_code, new_token};
use crate::domain::case::{parse_birth_year, parse_reference};
use crate::domain::role::Role;
use crate::domain::{Instrument, Mode};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::server::db::{Case, DbError, NewAssessment, NewCase, User};
use crate::server::state::AppState;

/// The new-case form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CaseForm {
    reference: String,
    birth_year: String,
    caseworker: String,
}

/// The erase form: the confirmation box.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EraseForm {
    confirm: String,
}

/// POST /cases: a new case in the caseworker's team.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    State(state): State<AppState>,
    user: StaffUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(form): Form<CaseForm>,
) -> AppResult<Redirect> {
    let user = permit(user.0, Role::can_run_interviews)?;
    let Some(team_id) = user.team_id else {
        return Err(AppError::invalid("team", "no_team").on_form("/cases/new"));
    };
    let reference = parse_reference(&form.reference);
    let birth_year = parse_birth_year(&form.birth_year, this_year());
    let errors: Vec<&str> = [reference.as_ref().err(), birth_year.as_ref().err()]
        .into_iter()
        .flatten()
        .map(|e| e.as_str())
        .collect();
    let keep = |extra: &str| {
        let mut q = url_pairs(&[
            ("reference", form.reference.as_str()),
            ("birth_year", form.birth_year.as_str()),
        ]);
        q.push_str(extra);
        q
    };
    let (Ok(reference), Ok(birth_year)) = (reference, birth_year) else {
        // A CPR-shaped reference is never echoed back into the address bar.
        let kept = if errors.contains(&"reference_cpr") {
            url_pairs(&[("birth_year", form.birth_year.as_str())])
        } else {
            keep("")
        };
        return Err(AppError::invalid("case", &errors.join(","))
            .on_form(&format!("/cases/new?errors={{}}&{kept}")));
    };
    let caseworker_id = match form.caseworker.trim().parse::<i64>() {
        Ok(id) => Some(id),
        Err(_) => Some(user.id),
    };
    // Only a caseworker of the same team can be assigned.
    let caseworker_id = match caseworker_id {
        Some(id) if id == user.id => Some(id),
        Some(id) => match state.db.user(id).await? {
            Some(u) if u.team_id == Some(team_id) && u.role.can_run_interviews() => Some(id),
            _ => Some(user.id),
        },
        None => None,
    };
    let new = NewCase {
        reference,
        birth_year,
        team_id,
        caseworker_id,
    };
    let line = by_staff(&user, "case.create", &addr.ip().to_string());
    let id = match state.db.create_case(&new, Some(&line)).await {
        Ok(id) => id,
        Err(DbError::Duplicate(_)) => {
            return Err(AppError::invalid("reference", "reference_taken")
                .on_form(&format!("/cases/new?errors={{}}&{}", keep(""))));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Redirect::to(&format!("/cases/{id}")))
}

use crate::request::url_pairs;

/// A signed-in caseworker and one of their own team's cases.
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn caseworker_case(
    state: &AppState,
    user: StaffUser,
    case_id: i64,
) -> AppResult<(User, Case)> {
    let user = permit(user.0, Role::can_run_interviews)?;
    let case = case_for(state, &user, case_id).await?;
    Ok((user, case))
}

/// POST /cases/{case}/interview: an interview that belongs to the case.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn start_interview(
    State(state): State<AppState>,
    user: StaffUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(case_id): Path<i64>,
    lang: axum::Extension<Lang>,
) -> AppResult<Redirect> {
    let (user, case) = caseworker_case(&state, user, case_id).await?;
    let token = new_token();
    let new = NewAssessment {
        instrument: Instrument::dr1().id().to_owned(),
        mode: Mode::Interview,
        language: lang.code().to_owned(),
        token: Some(token.clone()),
        case_id: Some(case.id),
        team_id: Some(case.team_id),
        age_band: Some(band(&case)),
        created_by: Some(user.id),
        ..NewAssessment::default()
    };
    let line = by_staff(&user, "interview.start", &addr.ip().to_string());
    state.db.create_assessment(&new, Some(&line)).await?;
    Ok(Redirect::to(&format!("/interview/{token}")))
}

/// POST /cases/{case}/invites: a one-time code for the recipient's self-assessment.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_invite(
    State(state): State<AppState>,
    user: StaffUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(case_id): Path<i64>,
) -> AppResult<Redirect> {
    let (user, case) = caseworker_case(&state, user, case_id).await?;
    let line = by_staff(&user, "invite.create", &addr.ip().to_string());
    let invite_id = issue_invite(&state, case.id, user.id, &line).await?;
    Ok(Redirect::to(&format!(
        "/cases/{}/invites/{invite_id}",
        case.id
    )))
}

/// A new one-time code for the case, made by `maker`, valid for the invite period; the
/// audit line in the same transaction. A clash with another code is rare: it is tried
/// again with a fresh one, three times in all.
pub(crate) async fn issue_invite(
    state: &AppState,
    case_id: i64,
    maker: i64,
    line: &crate::server::db::NewAudit,
) -> Result<i64, DbError> {
    let expires = crate::domain::policy::invite_expires(OffsetDateTime::now_utc());
    let mut clash = None;
    for _ in 0..3 {
        match state
            .db
            .create_invite(case_id, &new_resume_code(), maker, expires, Some(line))
            .await
        {
            Ok(id) => return Ok(id),
            Err(e) => clash = Some(e),
        }
    }
    Err(clash.unwrap_or(DbError::Duplicate("invite code")))
}

/// POST /cases/{case}/erase: erasure on the person's request, after a confirmation.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn erase(
    State(state): State<AppState>,
    user: StaffUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(case_id): Path<i64>,
    Form(form): Form<EraseForm>,
) -> AppResult<Redirect> {
    let (user, case) = caseworker_case(&state, user, case_id).await?;
    if form.confirm != "yes" {
        return Err(
            AppError::invalid("confirm", "confirm").on_form(&format!("/cases/{}#erase", case.id))
        );
    }
    let line = crate::server::db::NewAudit {
        detail: "on request".into(),
        ..by_staff(&user, "case.erase", &addr.ip().to_string())
    };
    state.db.erase_case(case.id, Some(&line)).await?;
    Ok(Redirect::to("/cases?erased=1"))
}
