//! The administrator's form posts: create a team or an account, change an account, reset a password.

use super::server::*;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::api::guard::{by_staff, staff_form};
use crate::domain::privacy::looks_like_cpr;
use crate::domain::role::Role;
use crate::error::AppError;
use crate::server::auth::{hash_password_off_executor, one_time_password};
use crate::server::db::{DbError, NewAudit, NewUser, User};
use crate::server::state::AppState;

pub(crate) fn field<'f>(fields: &'f [(String, String)], name: &str) -> &'f str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .unwrap_or("")
}

pub(crate) fn unavailable(e: DbError) -> Response {
    AppError::Database(e).into_response()
}

pub(crate) fn back(path: &str, error: &str) -> Response {
    Redirect::to(&format!("{path}?error={error}")).into_response()
}

/// Team names are shown to many people: short, and no CPR numbers.
pub(crate) fn check_name(name: &str, max: usize) -> Result<(), &'static str> {
    if name.is_empty() {
        Err("missing")
    } else if name.chars().count() > max {
        Err("long")
    } else if looks_like_cpr(name) {
        Err("cpr")
    } else {
        Ok(())
    }
}

/// A team chosen in a form: empty for none, or an existing team's id.
pub(crate) async fn team_field(state: &AppState, text: &str) -> Result<Option<i64>, Response> {
    if text.is_empty() {
        return Ok(None);
    }
    let teams = state.db.teams().await.map_err(unavailable)?;
    match text.parse::<i64>() {
        Ok(id) if teams.iter().any(|t| t.id == id) => Ok(Some(id)),
        _ => Err(back("/admin", "team")),
    }
}

pub(crate) async fn admin(state: &AppState, session: &Session) -> Result<User, Response> {
    staff_form(state, session, Role::can_manage_users).await
}

/// POST /admin/teams
pub async fn create_team(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let me = match admin(&state, &session).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let name = field(&fields, "team_name");
    if let Err(kind) = check_name(name, 80) {
        return back("/admin", &format!("team_name_{kind}"));
    }
    let line = by_staff(&me, "team.create", &addr.ip().to_string());
    match state.db.create_team(name, Some(&line)).await {
        Ok(_) => Redirect::to("/admin?created=team#teams").into_response(),
        Err(DbError::Duplicate(_)) => back("/admin", "team_name_taken"),
        Err(e) => unavailable(e),
    }
}

/// POST /admin/users: a new account with a generated one-time password.
pub async fn create_user(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let me = match admin(&state, &session).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let username = field(&fields, "username").to_lowercase();
    let valid_username = !username.is_empty()
        && username.len() <= 40
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !valid_username {
        return back("/admin", "username");
    }
    let display_name = field(&fields, "display_name");
    if let Err(kind) = check_name(display_name, 80) {
        return back("/admin", &format!("display_name_{kind}"));
    }
    let Ok(role) = field(&fields, "role").parse::<Role>() else {
        return back("/admin", "role");
    };
    let team_id = match team_field(&state, field(&fields, "team")).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    if role.can_run_interviews() && team_id.is_none() {
        return back("/admin", "team_required");
    }
    let password = one_time_password();
    let hash = match hash_password_off_executor(password.clone()).await {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(error = %e, "hash");
            return back("/admin", "unavailable");
        }
    };
    let new = NewUser {
        username,
        display_name: display_name.to_owned(),
        role,
        team_id,
        password_hash: hash,
        must_change_password: true,
    };
    let line = by_staff(&me, "user.create", &addr.ip().to_string());
    let id = match state.db.create_user(&new, Some(&line)).await {
        Ok(id) => id,
        Err(DbError::Sqlx(sqlx::Error::Database(d))) if d.is_unique_violation() => {
            return back("/admin", "username_taken");
        }
        Err(e) => return unavailable(e),
    };
    if let Err(r) = flash_password(&session, id, password).await {
        return r;
    }
    Redirect::to(&format!("/admin/users/{id}")).into_response()
}

/// Shows the new one-time password once, on the next page (through the session).
pub(crate) async fn flash_password(
    session: &Session,
    id: i64,
    password: String,
) -> Result<(), Response> {
    session
        .insert(FLASH_PASSWORD, (id, password))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "session");
            back("/admin", "unavailable")
        })
}

/// POST /admin/users/{id}: name, role, team and whether the account is disabled.
pub async fn update_user(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let me = match admin(&state, &session).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let here = format!("/admin/users/{id}");
    let user = match state.db.user(id).await {
        Ok(Some(u)) => u,
        Ok(None) => return (http::StatusCode::NOT_FOUND, "No such account.").into_response(),
        Err(e) => return unavailable(e),
    };
    let display_name = field(&fields, "display_name");
    if let Err(kind) = check_name(display_name, 80) {
        return back(&here, &format!("display_name_{kind}"));
    }
    let Ok(role) = field(&fields, "role").parse::<Role>() else {
        return back(&here, "role");
    };
    let team_id = match team_field(&state, field(&fields, "team")).await {
        Ok(t) => t,
        Err(_) => return back(&here, "team"),
    };
    if role.can_run_interviews() && team_id.is_none() {
        return back(&here, "team_required");
    }
    let disabled = field(&fields, "disabled") == "yes";
    // Only someone who sees statistics can be allowed their person-level rows.
    let may_export_rows = field(&fields, "rows") == "yes" && role.can_view_statistics();
    // Never lock everyone out: the last active administrator stays one.
    let stays_admin = role.can_manage_users() && !disabled;
    if user.role.can_manage_users() && !user.disabled && !stays_admin {
        match state.db.count_active_admins().await {
            Ok(n) if n <= 1 => return back(&here, "last_admin"),
            Ok(_) => {}
            Err(e) => return unavailable(e),
        }
    }
    let line = NewAudit {
        detail: format!(
            "user {id}: role {role}, team {team_id:?}, disabled {disabled}, rows {may_export_rows}"
        ),
        ..by_staff(&me, "user.update", &addr.ip().to_string())
    };
    match state
        .db
        .update_user(
            id,
            display_name,
            role,
            team_id,
            disabled,
            may_export_rows,
            Some(&line),
        )
        .await
    {
        Ok(()) => Redirect::to(&format!("{here}?saved=1")).into_response(),
        Err(e) => unavailable(e),
    }
}

/// POST /admin/users/{id}/password: a new one-time password, to be changed at sign-in.
pub async fn reset_password(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(id): Path<i64>,
) -> Response {
    let me = match admin(&state, &session).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    match state.db.user(id).await {
        Ok(Some(_)) => {}
        Ok(None) => return (http::StatusCode::NOT_FOUND, "No such account.").into_response(),
        Err(e) => return unavailable(e),
    }
    let password = one_time_password();
    let hash = match hash_password_off_executor(password.clone()).await {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(error = %e, "hash");
            return back(&format!("/admin/users/{id}"), "unavailable");
        }
    };
    let line = NewAudit {
        detail: format!("user {id}"),
        ..by_staff(&me, "user.reset_password", &addr.ip().to_string())
    };
    if let Err(e) = state.db.set_password(id, &hash, true, Some(&line)).await {
        return unavailable(e);
    }
    if let Err(r) = flash_password(&session, id, password).await {
        return r;
    }
    Redirect::to(&format!("/admin/users/{id}")).into_response()
}
