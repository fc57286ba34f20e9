//! The case forms: create a case, start an interview, hand out an invite code, erase a case.

use super::server::*;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use time::{Duration, OffsetDateTime};
use tower_sessions::Session;

use crate::api::guard::{by_staff, case_for_form, staff_form};
use crate::api::questionnaire::{new_resume_code, new_token};
use crate::domain::case::{parse_birth_year, parse_reference};
use crate::domain::role::Role;
use crate::domain::{Instrument, Mode};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::server::db::{Case, DbError, NewAssessment, NewCase};
use crate::server::state::AppState;

pub(crate) fn field<'f>(fields: &'f [(String, String)], name: &str) -> &'f str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

pub(crate) fn unavailable(e: DbError) -> Response {
    AppError::Database(e).into_response()
}

/// POST /cases: a new case in the caseworker's team.
pub async fn create(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let user = match staff_form(&state, &session, Role::can_run_interviews).await {
        Ok(u) => u,
        Err(refused) => return refused,
    };
    let Some(team_id) = user.team_id else {
        return Redirect::to("/cases/new?error=no_team").into_response();
    };
    let reference = parse_reference(field(&fields, "reference"));
    let birth_year = parse_birth_year(field(&fields, "birth_year"), this_year());
    let errors: Vec<&str> = [reference.as_ref().err(), birth_year.as_ref().err()]
        .into_iter()
        .flatten()
        .map(|e| e.as_str())
        .collect();
    let keep = |extra: &str| {
        let mut q = url_pairs(&[
            ("reference", field(&fields, "reference")),
            ("birth_year", field(&fields, "birth_year")),
        ]);
        q.push_str(extra);
        q
    };
    let (Ok(reference), Ok(birth_year)) = (reference, birth_year) else {
        // A CPR-shaped reference is never echoed back into the address bar.
        let kept = if errors.contains(&"reference_cpr") {
            url_pairs(&[("birth_year", field(&fields, "birth_year"))])
        } else {
            keep("")
        };
        return Redirect::to(&format!("/cases/new?errors={}&{kept}", errors.join(",")))
            .into_response();
    };
    let caseworker_id = match field(&fields, "caseworker").parse::<i64>() {
        Ok(id) => Some(id),
        Err(_) => Some(user.id),
    };
    // Only a caseworker of the same team can be assigned.
    let caseworker_id = match caseworker_id {
        Some(id) if id == user.id => Some(id),
        Some(id) => match state.db.user(id).await {
            Ok(Some(u)) if u.team_id == Some(team_id) && u.role.can_run_interviews() => Some(id),
            Ok(_) => Some(user.id),
            Err(e) => return unavailable(e),
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
            return Redirect::to(&format!("/cases/new?errors=reference_taken&{}", keep("")))
                .into_response();
        }
        Err(e) => return unavailable(e),
    };
    Redirect::to(&format!("/cases/{id}")).into_response()
}

/// `k=v&k=v`, form-encoded.
pub(crate) fn url_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub(crate) fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A signed-in caseworker and one of their own team's cases, or the refusal.
pub(crate) async fn caseworker_case(
    state: &AppState,
    session: &Session,
    case_id: i64,
) -> Result<(crate::server::db::User, Case), Response> {
    let user = staff_form(state, session, Role::can_run_interviews).await?;
    let case = case_for_form(state, &user, case_id).await?;
    Ok((user, case))
}

/// POST /cases/{case}/interview: an interview that belongs to the case.
pub async fn start_interview(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(case_id): Path<i64>,
    lang: axum::Extension<Lang>,
) -> Response {
    let (user, case) = match caseworker_case(&state, &session, case_id).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let token = new_token();
    let new = NewAssessment {
        instrument: Instrument::dr1().id().to_owned(),
        mode: Mode::Interview.as_str().to_owned(),
        language: lang.code().to_owned(),
        token: Some(token.clone()),
        case_id: Some(case.id),
        team_id: Some(case.team_id),
        age_band: Some(band(&case)),
        created_by: Some(user.id),
        ..NewAssessment::default()
    };
    let line = by_staff(&user, "interview.start", &addr.ip().to_string());
    if let Err(e) = state.db.create_assessment(&new, Some(&line)).await {
        return unavailable(e);
    }
    Redirect::to(&format!("/interview/{token}")).into_response()
}

/// POST /cases/{case}/invites: a one-time code for the recipient's self-assessment.
pub async fn create_invite(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(case_id): Path<i64>,
) -> Response {
    let (user, case) = match caseworker_case(&state, &session, case_id).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let expires = OffsetDateTime::now_utc() + Duration::days(super::INVITE_DAYS);
    let mut last = None;
    // A clash with another code is rare: try again with a fresh one.
    let line = by_staff(&user, "invite.create", &addr.ip().to_string());
    for _ in 0..3 {
        match state
            .db
            .create_invite(case.id, &new_resume_code(), user.id, expires, Some(&line))
            .await
        {
            Ok(invite_id) => {
                return Redirect::to(&format!("/cases/{}/invites/{invite_id}", case.id))
                    .into_response();
            }
            Err(e) => last = Some(e),
        }
    }
    last.map(unavailable)
        .unwrap_or_else(|| Redirect::to(&format!("/cases/{}", case.id)).into_response())
}

/// POST /cases/{case}/erase: erasure on the person's request, after a confirmation.
pub async fn erase(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(case_id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let (user, case) = match caseworker_case(&state, &session, case_id).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    if field(&fields, "confirm") != "yes" {
        return Redirect::to(&format!("/cases/{}?error=confirm#erase", case.id)).into_response();
    }
    let line = crate::server::db::NewAudit {
        detail: "on request".into(),
        ..by_staff(&user, "case.erase", &addr.ip().to_string())
    };
    if let Err(e) = state.db.erase_case(case.id, Some(&line)).await {
        return unavailable(e);
    }
    Redirect::to("/cases?erased=1").into_response()
}
