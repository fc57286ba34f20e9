//! The checks every staff capability starts with: who is signed in, whether the role
//! allows it, and whether the case or interview belongs to the caseworker's own team.
//! The route table (`server::access`) has already checked the role; these checks repeat
//! it next to the data, and add the object. Refusals of objects answer 404, so that
//! another team's case numbers reveal nothing.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use http::StatusCode;
use leptos::prelude::*;

use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use crate::server::access::SignedIn;
use crate::server::db::{Assessment, Case, CaseId, NewAudit, User};
use crate::server::state::AppState;

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
    if !html && let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(StatusCode::SEE_OTHER);
    }
}

/// The signed-in staff member, as the route table's middleware found them for this
/// request (`SignedIn`): a handler takes it as an argument, a server function calls
/// `StaffUser::current()`. Nobody is looked up twice.
pub struct StaffUser(pub User);

impl StaffUser {
    fn of(parts: &http::request::Parts) -> AppResult<User> {
        match parts.extensions.get::<SignedIn>() {
            Some(SignedIn(user)) => Ok(user.clone()),
            None => Err(AppError::sign_in()),
        }
    }

    /// The staff member of the server function call or page being answered.
    pub fn current() -> AppResult<User> {
        match use_context::<http::request::Parts>() {
            Some(parts) => Self::of(&parts),
            None => Err(AppError::sign_in()),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for StaffUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Self::of(parts).map(StaffUser)
    }
}

/// The person, when their role passes `allowed`.
pub fn permit(user: User, allowed: fn(Role) -> bool) -> AppResult<User> {
    if allowed(user.role) {
        Ok(user)
    } else {
        Err(AppError::forbidden())
    }
}

/// The application's state, for a server function.
pub fn app_state() -> AppResult<AppState> {
    use_context::<AppState>().ok_or_else(|| AppError::Request("no application state".into()))
}

/// A server function for staff whose role passes `allowed`: the state and the person.
pub fn staff(allowed: fn(Role) -> bool) -> AppResult<(AppState, User)> {
    let user = permit(StaffUser::current()?, allowed)?;
    Ok((app_state()?, user))
}

/// A case the caseworker may see: one of their own team's.
pub fn may_see_case(user: &User, case: &Case) -> bool {
    user.role.can_run_interviews() && user.team_id == Some(case.team_id)
}

/// An interview the caseworker may see: their team's, or, for a caseworker without a
/// team, one they started themself.
pub fn may_see_interview(user: &User, a: &Assessment) -> bool {
    user.role.can_run_interviews()
        && a.mode == crate::domain::Mode::Interview
        && match a.team_id {
            Some(team) => user.team_id == Some(team),
            None => a.created_by == Some(user.id),
        }
}

/// Loads a case the person may see, or not found when it is missing or another team's.
pub async fn case_for(state: &AppState, user: &User, id: CaseId) -> AppResult<Case> {
    match state.db.case(id).await? {
        Some(case) if may_see_case(user, &case) => Ok(case),
        _ => Err(AppError::not_found()),
    }
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
pub async fn audit(state: &AppState, entry: NewAudit) -> AppResult<()> {
    Ok(state.db.audit(&entry).await?)
}
