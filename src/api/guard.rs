//! The checks every staff capability starts with: who is signed in, whether the role
//! allows it, and whether the case or interview belongs to the caseworker's own team.
//! The route table (`server::access`) has already checked the role; these checks repeat
//! it next to the data, and add the object. Refusals of objects answer 404, so that
//! another team's case numbers reveal nothing.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::response::{IntoResponse, Redirect, Response};
use http::StatusCode;
use leptos::prelude::*;
use tower_sessions::Session;

use crate::domain::role::Role;
use crate::server::auth::current_user;
use crate::server::db::{Assessment, Case, CaseId, DbError, NewAudit, User};
use crate::server::state::AppState;

use crate::api::{FORBIDDEN, NOT_FOUND};

fn set_status(status: StatusCode) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}

/// Sends the person elsewhere. A page load gets Leptos's redirect; a direct call of the
/// server function gets 303 with the same `Location`, never a 500 for a plain "not here".
pub fn redirect(path: &str) {
    leptos_axum::redirect(path);
    let html = use_context::<http::request::Parts>().is_some_and(|p| {
        p.headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    });
    if !html {
        set_status(StatusCode::SEE_OTHER);
    }
}

/// A page's or server function's data could not be read or written: logged once, and
/// answered 503 (the page shows that it cannot be shown, never that anything was saved).
pub fn db_error(e: DbError) -> ServerFnError {
    tracing::error!(error = %e, "database");
    set_status(StatusCode::SERVICE_UNAVAILABLE);
    ServerFnError::new(crate::api::UNAVAILABLE)
}

/// A page or server function for staff whose role passes `allowed`: the state and the
/// person, or (after setting a redirect or status) an error that the page shows.
pub async fn staff_page(allowed: fn(Role) -> bool) -> Result<(AppState, User), ServerFnError> {
    let state = use_context::<AppState>().ok_or_else(|| ServerFnError::new("no state"))?;
    let session: Session = leptos_axum::extract().await?;
    let user = current_user(&session, state.db.as_ref())
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    match user {
        Some(u) if allowed(u.role) => Ok((state, u)),
        Some(_) => {
            set_status(StatusCode::FORBIDDEN);
            Err(ServerFnError::new(FORBIDDEN))
        }
        None => {
            redirect("/login");
            Err(ServerFnError::new("not signed in"))
        }
    }
}

/// A form post for staff whose role passes `allowed`, or the response that refuses it.
pub async fn staff_form(
    state: &AppState,
    session: &Session,
    allowed: fn(Role) -> bool,
) -> Result<User, Response> {
    match current_user(session, state.db.as_ref()).await {
        Ok(Some(user)) if allowed(user.role) => Ok(user),
        Ok(Some(_)) => Err((
            StatusCode::FORBIDDEN,
            "Your role does not give access to this.",
        )
            .into_response()),
        Ok(None) => Err(Redirect::to("/login").into_response()),
        Err(e) => {
            tracing::error!(error = %e, "session");
            Err(Redirect::to("/login?error=unavailable").into_response())
        }
    }
}

/// A case the caseworker may see: one of their own team's.
pub fn may_see_case(user: &User, case: &Case) -> bool {
    user.role.can_run_interviews() && user.team_id == Some(case.team_id)
}

/// An interview the caseworker may see: their team's, or, for a caseworker without a
/// team, one they started themself.
pub fn may_see_interview(user: &User, a: &Assessment) -> bool {
    user.role.can_run_interviews()
        && a.mode == "interview"
        && match a.team_id {
            Some(team) => user.team_id == Some(team),
            None => a.created_by == Some(user.id),
        }
}

/// Loads a case for a page, or sets 404 when it is missing or another team's.
pub async fn case_for_page(
    state: &AppState,
    user: &User,
    id: CaseId,
) -> Result<Case, ServerFnError> {
    match state.db.case(id).await.map_err(db_error)? {
        Some(case) if may_see_case(user, &case) => Ok(case),
        _ => {
            set_status(StatusCode::NOT_FOUND);
            Err(ServerFnError::new(NOT_FOUND))
        }
    }
}

/// Loads a case for a form post, or the 404 that refuses it.
pub async fn case_for_form(state: &AppState, user: &User, id: CaseId) -> Result<Case, Response> {
    match state.db.case(id).await {
        Ok(Some(case)) if may_see_case(user, &case) => Ok(case),
        Ok(_) => Err((StatusCode::NOT_FOUND, "No such case.").into_response()),
        Err(e) => Err(crate::error::AppError::Database(e).into_response()),
    }
}

/// Marks a page load as "not found" (an object that is gone or not the person's).
pub fn not_found() -> ServerFnError {
    set_status(StatusCode::NOT_FOUND);
    ServerFnError::new(NOT_FOUND)
}

/// The address a request came from, for the audit trail.
pub async fn page_address() -> String {
    match leptos_axum::extract::<ConnectInfo<SocketAddr>>().await {
        Ok(ConnectInfo(addr)) => addr.ip().to_string(),
        Err(_) => "unknown".into(),
    }
}

/// One audit line for a staff member's access.
pub fn by_staff(user: &User, action: &str, address: &str) -> NewAudit {
    NewAudit {
        actor_id: Some(user.id),
        actor: format!("user:{}", user.username),
        action: action.to_owned(),
        address: address.to_owned(),
        ..NewAudit::default()
    }
}

/// Writes an audit line; the access it records does not happen without it.
pub async fn audit_page(state: &AppState, entry: NewAudit) -> Result<(), ServerFnError> {
    state.db.audit(&entry).await.map_err(db_error)
}

pub async fn audit_form(state: &AppState, entry: NewAudit) -> Result<(), Response> {
    state
        .db
        .audit(&entry)
        .await
        .map_err(|e| crate::error::AppError::Database(e).into_response())
}
