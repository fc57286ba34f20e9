//! The administrator's form posts: create a team or an account, change an account, reset a password.

use super::server::*;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::response::Redirect;
use axum_extra::extract::Form;
use serde::Deserialize;
use tower_sessions::Session;

use crate::api::guard::{StaffUser, by_staff, permit};
use crate::domain::privacy::looks_like_cpr;
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use crate::server::auth::{hash_password_off_executor, one_time_password};
use crate::server::db::{DbError, NewAudit, NewUser, User};
use crate::server::state::AppState;

/// The new-team form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TeamForm {
    team_name: String,
}

/// The account forms (new account, and changing one): the fields that apply.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserForm {
    username: String,
    display_name: String,
    role: String,
    team: String,
    disabled: String,
    rows: String,
}

impl UserForm {
    /// The name, role and team every account has, checked; a problem sends the person
    /// back to `form`. A role that runs interviews needs a team.
    async fn account<'f>(
        &'f self,
        state: &AppState,
        form: &str,
    ) -> AppResult<(&'f str, Role, Option<i64>)> {
        let display_name = self.display_name.trim();
        if let Err(kind) = check_name(display_name, 80) {
            return Err(back(form, &format!("display_name_{kind}")));
        }
        let role = self
            .role
            .trim()
            .parse::<Role>()
            .map_err(|_| back(form, "role"))?;
        let team_id = team_field(state, &self.team, form).await?;
        if role.can_run_interviews() && team_id.is_none() {
            return Err(back(form, "team_required"));
        }
        Ok((display_name, role, team_id))
    }
}

/// Back to the form at `path`, which shows the problem named by `error`.
pub(crate) fn back(path: &str, error: &str) -> AppError {
    AppError::invalid(error, error).on_form(path)
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
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn team_field(state: &AppState, text: &str, form: &str) -> AppResult<Option<i64>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let teams = state.db.teams().await?;
    match text.parse::<i64>() {
        Ok(id) if teams.iter().any(|t| t.id == id) => Ok(Some(id)),
        _ => Err(back(form, "team")),
    }
}

pub(crate) fn admin(user: StaffUser) -> AppResult<User> {
    permit(user.0, Role::can_manage_users)
}

/// The sign-in settings form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    /// `everyone` or `admins`.
    local: String,
}

/// POST /admin/sign-in: who may still sign in with a password once the identity provider
/// is configured.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_sign_in(
    State(state): State<AppState>,
    user: StaffUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(form): Form<SignInForm>,
) -> AppResult<Redirect> {
    let me = admin(user)?;
    if state.oidc.is_none() {
        return Err(back("/admin", "sign_in_no_provider"));
    }
    let everyone = match form.local.as_str() {
        "everyone" => true,
        "admins" => false,
        _ => return Err(back("/admin", "sign_in_choice")),
    };
    let line = NewAudit {
        detail: if everyone {
            "password sign-in: every local account".into()
        } else {
            "password sign-in: local administrators only".into()
        },
        ..by_staff(&me, "settings.sign_in", &addr.ip().to_string())
    };
    state
        .db
        .set_local_sign_in_for_everyone(everyone, Some(&line))
        .await?;
    Ok(Redirect::to("/admin?saved=sign_in#sign-in"))
}

/// POST /admin/teams
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_team(
    State(state): State<AppState>,
    user: StaffUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(form): Form<TeamForm>,
) -> AppResult<Redirect> {
    let me = admin(user)?;
    let name = form.team_name.trim();
    if let Err(kind) = check_name(name, 80) {
        return Err(back("/admin", &format!("team_name_{kind}")));
    }
    let line = by_staff(&me, "team.create", &addr.ip().to_string());
    match state.db.create_team(name, Some(&line)).await {
        Ok(_) => Ok(Redirect::to("/admin?created=team#teams")),
        Err(DbError::Duplicate(_)) => Err(back("/admin", "team_name_taken")),
        Err(e) => Err(e.into()),
    }
}

/// POST /admin/users: a new account with a generated one-time password.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_user(
    State(state): State<AppState>,
    session: Session,
    user: StaffUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(form): Form<UserForm>,
) -> AppResult<Redirect> {
    let me = admin(user)?;
    let username = form.username.trim().to_lowercase();
    let valid_username = !username.is_empty()
        && username.len() <= 40
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !valid_username {
        return Err(back("/admin", "username"));
    }
    let (display_name, role, team_id) = form.account(&state, "/admin").await?;
    let password = one_time_password();
    let hash = hash_password_off_executor(password.clone())
        .await
        .map_err(|e| AppError::broken(format!("hash: {e}")))?;
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
            return Err(back("/admin", "username_taken"));
        }
        Err(e) => return Err(e.into()),
    };
    flash_password(&session, id, password).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")))
}

/// Shows the new one-time password once, on the next page (through the session).
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn flash_password(session: &Session, id: i64, password: String) -> AppResult<()> {
    session
        .insert(FLASH_PASSWORD, (id, password))
        .await
        .map_err(|e| AppError::broken(format!("session: {e}")))
}

/// POST /admin/users/{id}: name, role, team and whether the account is disabled.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update_user(
    State(state): State<AppState>,
    user: StaffUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(id): Path<i64>,
    Form(form): Form<UserForm>,
) -> AppResult<Redirect> {
    let me = admin(user)?;
    let here = format!("/admin/users/{id}");
    let user = state.db.user(id).await?.ok_or(AppError::NotFound)?;
    let (display_name, role, team_id) = form.account(&state, &here).await?;
    let disabled = form.disabled.trim() == "yes";
    // Only someone who sees statistics can be allowed their person-level rows.
    let may_export_rows = form.rows.trim() == "yes" && role.can_view_statistics();
    // Never lock everyone out: the last active administrator stays one.
    let stays_admin = role.can_manage_users() && !disabled;
    if user.role.can_manage_users()
        && !user.disabled
        && !stays_admin
        && state.db.count_active_admins().await? <= 1
    {
        return Err(back(&here, "last_admin"));
    }
    let line = NewAudit {
        detail: format!(
            "user {id}: role {role}, team {team_id:?}, disabled {disabled}, rows {may_export_rows}"
        ),
        ..by_staff(&me, "user.update", &addr.ip().to_string())
    };
    state
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
        .await?;
    Ok(Redirect::to(&format!("{here}?saved=1")))
}

/// POST /admin/users/{id}/password: a new one-time password, to be changed at sign-in.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reset_password(
    State(state): State<AppState>,
    session: Session,
    user: StaffUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(id): Path<i64>,
) -> AppResult<Redirect> {
    let me = admin(user)?;
    let account = state.db.user(id).await?.ok_or(AppError::NotFound)?;
    // Its password is the person's work account at the identity provider.
    if account.oidc_subject.is_some() {
        return Err(back(&format!("/admin/users/{id}"), "external_password"));
    }
    let password = one_time_password();
    let hash = hash_password_off_executor(password.clone())
        .await
        .map_err(|e| AppError::broken(format!("hash: {e}")))?;
    let line = NewAudit {
        detail: format!("user {id}"),
        ..by_staff(&me, "user.reset_password", &addr.ip().to_string())
    };
    state.db.set_password(id, &hash, true, Some(&line)).await?;
    flash_password(&session, id, password).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")))
}
