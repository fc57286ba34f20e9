//! Administration: staff accounts (create, role and team, reset a password, disable),
//! teams, and the audit trail. Administrators manage people's access; they see no
//! answers. A new or reset password is generated, shown once, and must be changed.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub team: Option<String>,
    pub disabled: bool,
    /// May download person-level rows.
    pub may_export_rows: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AdminOverview {
    pub users: Vec<UserRow>,
    pub teams: Vec<(i64, String)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AdminUser {
    pub user: UserRow,
    pub team_id: Option<i64>,
    pub teams: Vec<(i64, String)>,
    /// A password just generated for the account, shown this once.
    pub new_password: Option<String>,
    pub is_self: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AuditRowView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub case_id: Option<i64>,
    pub assessment_id: Option<i64>,
    pub address: String,
    pub detail: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub case: Option<String>,
    pub from: Option<String>,
    pub until: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AuditView {
    pub query: AuditQuery,
    pub rows: Vec<AuditRowView>,
    /// A filter value that could not be read, by field name.
    pub error: Option<String>,
    pub limit: i64,
}

#[server(endpoint = "admin/load/overview")]
pub async fn load_admin() -> Result<AdminOverview, ServerFnError> {
    server::overview().await
}

#[server(endpoint = "admin/load/user")]
pub async fn load_admin_user(id: i64) -> Result<AdminUser, ServerFnError> {
    server::user(id).await
}

#[server(endpoint = "admin/load/audit")]
pub async fn load_audit(
    actor: Option<String>,
    action: Option<String>,
    case: Option<String>,
    from: Option<String>,
    until: Option<String>,
) -> Result<AuditView, ServerFnError> {
    server::audit(AuditQuery {
        actor,
        action,
        case,
        from,
        until,
    })
    .await
}

#[cfg(feature = "ssr")]
pub use server::{create_team, create_user, reset_password, update_user};

#[cfg(feature = "ssr")]
mod server {
    use std::net::SocketAddr;

    use axum::extract::{ConnectInfo, Form, Path, State};
    use axum::response::{IntoResponse, Redirect, Response};
    use leptos::prelude::*;
    use time::{Date, OffsetDateTime, Time};
    use tower_sessions::Session;

    use super::*;
    use crate::api::guard::{by_staff, db_error, not_found, staff_form, staff_page};
    use crate::domain::privacy::looks_like_cpr;
    use crate::domain::role::Role;
    use crate::error::AppError;
    use crate::server::auth::{hash_password_off_executor, one_time_password};
    use crate::server::db::{AuditFilter, DbError, NewAudit, NewUser, Team, User};
    use crate::server::state::AppState;

    const FLASH_PASSWORD: &str = "admin_new_password";
    const AUDIT_LIMIT: i64 = 500;

    fn row(u: &User, teams: &[Team]) -> UserRow {
        UserRow {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role.as_str().to_owned(),
            team: teams
                .iter()
                .find(|t| Some(t.id) == u.team_id)
                .map(|t| t.name.clone()),
            disabled: u.disabled,
            may_export_rows: u.may_export_rows,
        }
    }

    fn team_pairs(teams: &[Team]) -> Vec<(i64, String)> {
        teams.iter().map(|t| (t.id, t.name.clone())).collect()
    }

    pub async fn overview() -> Result<AdminOverview, ServerFnError> {
        let (state, _) = staff_page(Role::can_manage_users).await?;
        let teams = state.db.teams().await.map_err(db_error)?;
        let users = state.db.users().await.map_err(db_error)?;
        Ok(AdminOverview {
            users: users.iter().map(|u| row(u, &teams)).collect(),
            teams: team_pairs(&teams),
        })
    }

    pub async fn user(id: i64) -> Result<AdminUser, ServerFnError> {
        let (state, me) = staff_page(Role::can_manage_users).await?;
        let Some(user) = state.db.user(id).await.map_err(db_error)? else {
            return Err(not_found());
        };
        let teams = state.db.teams().await.map_err(db_error)?;
        let session: Session = leptos_axum::extract().await?;
        // Shown once: taken out of the session as it is read.
        let new_password: Option<(i64, String)> = session
            .remove(FLASH_PASSWORD)
            .await
            .map_err(|e| ServerFnError::new(e.to_string()))?;
        Ok(AdminUser {
            user: row(&user, &teams),
            team_id: user.team_id,
            teams: team_pairs(&teams),
            new_password: new_password.filter(|(uid, _)| *uid == id).map(|(_, p)| p),
            is_self: me.id == id,
        })
    }

    fn parse_day(text: &Option<String>) -> Result<Option<OffsetDateTime>, ()> {
        match text.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(t) => {
                let format = time::macros::format_description!("[year]-[month]-[day]");
                Date::parse(t, &format)
                    .map(|d| Some(d.with_time(Time::MIDNIGHT).assume_utc()))
                    .map_err(|_| ())
            }
        }
    }

    pub async fn audit(query: AuditQuery) -> Result<AuditView, ServerFnError> {
        let (state, _) = staff_page(Role::can_manage_users).await?;
        let trimmed = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let mut error = None;
        let case_id = match trimmed(&query.case) {
            None => None,
            Some(c) => match c.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    error = Some("case".to_owned());
                    None
                }
            },
        };
        let from = parse_day(&query.from).unwrap_or_else(|()| {
            error.get_or_insert("from".into());
            None
        });
        let until = parse_day(&query.until).unwrap_or_else(|()| {
            error.get_or_insert("until".into());
            None
        });
        let filter = AuditFilter {
            actor: trimmed(&query.actor),
            action: trimmed(&query.action),
            case_id,
            from,
            // The whole last day counts.
            until: until.map(|d| d + time::Duration::days(1)),
            limit: AUDIT_LIMIT,
        };
        let rows = state
            .db
            .audit_entries(&filter)
            .await
            .map_err(db_error)?
            .into_iter()
            .map(|e| AuditRowView {
                at: e
                    .at
                    .format(time::macros::format_description!(
                        "[year]-[month]-[day] [hour]:[minute]:[second]"
                    ))
                    .unwrap_or_default(),
                actor: e.entry.actor,
                action: e.entry.action,
                case_id: e.entry.case_id,
                assessment_id: e.entry.assessment_id,
                address: e.entry.address,
                detail: e.entry.detail,
            })
            .collect();
        Ok(AuditView {
            query,
            rows,
            error,
            limit: AUDIT_LIMIT,
        })
    }

    fn field<'f>(fields: &'f [(String, String)], name: &str) -> &'f str {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }

    fn unavailable(e: DbError) -> Response {
        AppError::Database(e).into_response()
    }

    fn back(path: &str, error: &str) -> Response {
        Redirect::to(&format!("{path}?error={error}")).into_response()
    }

    /// Team names are shown to many people: short, and no CPR numbers.
    fn check_name(name: &str, max: usize) -> Result<(), &'static str> {
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
    async fn team_field(state: &AppState, text: &str) -> Result<Option<i64>, Response> {
        if text.is_empty() {
            return Ok(None);
        }
        let teams = state.db.teams().await.map_err(unavailable)?;
        match text.parse::<i64>() {
            Ok(id) if teams.iter().any(|t| t.id == id) => Ok(Some(id)),
            _ => Err(back("/admin", "team")),
        }
    }

    async fn admin(state: &AppState, session: &Session) -> Result<User, Response> {
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
    async fn flash_password(session: &Session, id: i64, password: String) -> Result<(), Response> {
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
}
