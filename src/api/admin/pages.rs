//! The administrator's pages: teams and accounts, one account, the audit trail.

use crate::error::{AppError, AppResult};
use leptos::prelude::*;
use time::{Date, OffsetDateTime, Time};
use tower_sessions::Session;

use super::*;
use crate::api::guard::staff;
use crate::domain::role::Role;
use crate::server::db::{AuditFilter, Team, User};

pub(crate) const FLASH_PASSWORD: &str = "admin_new_password";
pub(crate) const AUDIT_LIMIT: i64 = 500;

pub(crate) fn row(u: &User, teams: &[Team]) -> UserRow {
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
        external: u.oidc_subject.is_some(),
    }
}

pub(crate) fn team_pairs(teams: &[Team]) -> Vec<(i64, String)> {
    teams.iter().map(|t| (t.id, t.name.clone())).collect()
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn overview() -> AppResult<AdminOverview> {
    let (state, _) = staff(Role::can_manage_users)?;
    let teams = state.db.teams().await?;
    let users = state.db.users().await?;
    let sign_in = match state.oidc.as_ref() {
        Some(oidc) => Some(SignInSettings {
            provider: oidc.config.name.clone(),
            local_for_everyone: state.db.local_sign_in_for_everyone().await?,
        }),
        None => None,
    };
    Ok(AdminOverview {
        users: users.iter().map(|u| row(u, &teams)).collect(),
        teams: team_pairs(&teams),
        sign_in,
    })
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn user(id: i64) -> AppResult<AdminUser> {
    let (state, me) = staff(Role::can_manage_users)?;
    let Some(user) = state.db.user(id).await? else {
        return Err(AppError::not_found());
    };
    let teams = state.db.teams().await?;
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

pub(crate) fn parse_day(text: &Option<String>) -> Result<Option<OffsetDateTime>, ()> {
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

#[tracing::instrument(level = "debug", skip_all)]
pub async fn audit(query: AuditQuery) -> AppResult<AuditView> {
    let (state, _) = staff(Role::can_manage_users)?;
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
        .await?
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
    // A date field can hold only a date (browsers drop anything else): what was read is
    // echoed in its canonical form, what was not is left out and named by the error.
    let day = |d: Option<OffsetDateTime>| d.map(|d| d.date().to_string());
    Ok(AuditView {
        query: AuditQuery {
            from: day(from),
            until: day(until),
            ..query
        },
        rows,
        error,
        limit: AUDIT_LIMIT,
    })
}
