//! Teams and staff accounts, the audit trail and the counting of failed sign-ins.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::*;
use crate::domain::role::Role;

#[async_trait]
pub trait AccountStore {
    /// Creates an account; `trail`'s line (its detail naming the new account) in the same
    /// transaction.
    async fn create_user(&self, new: &NewUser, trail: Option<&NewAudit>)
    -> Result<UserId, DbError>;
    async fn user(&self, id: UserId) -> Result<Option<User>, DbError>;
    async fn user_by_username(&self, username: &str) -> Result<Option<User>, DbError>;
    async fn set_password(
        &self,
        id: UserId,
        password_hash: &str,
        must_change: bool,
        trail: Option<&NewAudit>,
    ) -> Result<(), DbError>;
    async fn count_active_admins(&self) -> Result<i64, DbError>;
    /// Creates a team; `trail`'s line (its detail naming the new team) in the same transaction.
    async fn create_team(&self, name: &str, trail: Option<&NewAudit>) -> Result<TeamId, DbError>;
    async fn teams(&self) -> Result<Vec<Team>, DbError>;
    async fn users(&self) -> Result<Vec<User>, DbError>;
    async fn update_user(
        &self,
        id: UserId,
        display_name: &str,
        role: Role,
        team_id: Option<TeamId>,
        disabled: bool,
        may_export_rows: bool,
        trail: Option<&NewAudit>,
    ) -> Result<(), DbError>;
    async fn set_disabled(&self, id: UserId, disabled: bool) -> Result<(), DbError>;
    async fn audit(&self, entry: &NewAudit) -> Result<(), DbError>;
    async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, DbError>;
    /// Counts a failed sign-in under each key, with its audit line, in one transaction.
    async fn record_login_failure(
        &self,
        keys: &[String],
        trail: Option<&NewAudit>,
    ) -> Result<(), DbError>;
    /// The times of the failed sign-ins counted under `key` since `since`, newest first.
    async fn login_failures_since(
        &self,
        key: &str,
        since: OffsetDateTime,
    ) -> Result<Vec<OffsetDateTime>, DbError>;
    /// Forgets old failures (and, after a successful sign-in, the account's).
    async fn clear_login_failures(
        &self,
        key: Option<&str>,
        before: OffsetDateTime,
    ) -> Result<(), DbError>;
}

/// Selects one user by a unique column.
macro_rules! select_user {
    ($pool:expr, $column:literal, $value:expr) => {{
        let user: Option<$crate::server::db::User> = sqlx::query_as(concat!(
            "SELECT ",
            $crate::server::db::user_columns!(),
            " FROM users WHERE ",
            $column,
            " = $1"
        ))
        .bind($value)
        .fetch_optional($pool)
        .await?;
        Ok(user)
    }};
}

/// Implements `AccountStore` for a repository type with a `pool` of database `$db`.
macro_rules! impl_account_store {
    ($repo:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::server::db::AccountStore for $repo {
            #[tracing::instrument(level = "debug", skip_all)]
            async fn create_user(
                &self,
                new: &$crate::server::db::NewUser,
                trail: Option<&$crate::server::db::NewAudit>,
            ) -> Result<$crate::server::db::UserId, $crate::server::db::DbError> {
                let mut tx = self.writer.begin().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO users (username, display_name, role, team_id, password_hash, \
                     must_change_password, disabled, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7) RETURNING id",
                )
                .bind(&new.username)
                .bind(&new.display_name)
                .bind(new.role.as_str())
                .bind(new.team_id)
                .bind(&new.password_hash)
                .bind(new.must_change_password)
                .bind(time::OffsetDateTime::now_utc())
                .fetch_all(&mut *tx)
                .await
                .and_then($crate::server::db::returned)?;
                let line = trail.map(|e| $crate::server::db::NewAudit { detail: format!("user {id}"), ..e.clone() });
                $crate::server::db::cases::trail_on!(tx, line.as_ref(), None, None);
                tx.commit().await?;
                Ok(id)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn user(&self, id: $crate::server::db::UserId) -> Result<Option<$crate::server::db::User>, $crate::server::db::DbError> {
                select_user!(&self.pool, "id", id)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn user_by_username(&self, username: &str) -> Result<Option<$crate::server::db::User>, $crate::server::db::DbError> {
                select_user!(&self.pool, "username", username)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn set_password(
                &self,
                id: $crate::server::db::UserId,
                password_hash: &str,
                must_change: bool,
                trail: Option<&$crate::server::db::NewAudit>,
            ) -> Result<(), $crate::server::db::DbError> {
                let mut tx = self.writer.begin().await?;
                // A new password ends every session of the account (the caller signs the
                // person who changed it in again).
                sqlx::query(
                    "UPDATE users SET password_hash = $1, must_change_password = $2, \
                     session_epoch = session_epoch + 1 WHERE id = $3",
                )
                    .bind(password_hash)
                    .bind(must_change)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                $crate::server::db::cases::trail_on!(tx, trail, None, None);
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn count_active_admins(&self) -> Result<i64, $crate::server::db::DbError> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND NOT disabled")
                    .fetch_one(&self.pool)
                    .await?)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn create_team(&self, name: &str, trail: Option<&$crate::server::db::NewAudit>) -> Result<$crate::server::db::TeamId, $crate::server::db::DbError> {
                let mut tx = self.writer.begin().await?;
                let id: Result<i64, sqlx::Error> =
                    sqlx::query_scalar("INSERT INTO teams (name) VALUES ($1) RETURNING id")
                        .bind(name)
                        .fetch_all(&mut *tx)
                        .await
                        .and_then($crate::server::db::returned);
                let id = id.map_err(|e| $crate::server::db::cases::unique_or(e, "a team with that name"))?;
                let line = trail.map(|e| $crate::server::db::NewAudit { detail: format!("team {id}"), ..e.clone() });
                $crate::server::db::cases::trail_on!(tx, line.as_ref(), None, None);
                tx.commit().await?;
                Ok(id)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn teams(&self) -> Result<Vec<$crate::server::db::Team>, $crate::server::db::DbError> {
                let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM teams ORDER BY name")
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows.into_iter().map(|(id, name)| $crate::server::db::Team { id, name }).collect())
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn users(&self) -> Result<Vec<$crate::server::db::User>, $crate::server::db::DbError> {
                let users: Vec<$crate::server::db::User> = sqlx::query_as(concat!(
                    "SELECT ", $crate::server::db::user_columns!(), " FROM users ORDER BY username"
                ))
                .fetch_all(&self.pool)
                .await?;
                Ok(users)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn update_user(
                &self,
                id: $crate::server::db::UserId,
                display_name: &str,
                role: $crate::domain::role::Role,
                team_id: Option<$crate::server::db::TeamId>,
                disabled: bool,
                may_export_rows: bool,
                trail: Option<&$crate::server::db::NewAudit>,
            ) -> Result<(), $crate::server::db::DbError> {
                // Name, role, team, disabled and the rows permission together with the line
                // that records them; a change of disabled ends the account's sessions.
                let mut tx = self.writer.begin().await?;
                sqlx::query(
                    "UPDATE users SET display_name = $1, role = $2, team_id = $3, \
                     session_epoch = CASE WHEN disabled = $4 THEN session_epoch ELSE session_epoch + 1 END, \
                     disabled = $4, may_export_rows = $6 WHERE id = $5",
                )
                .bind(display_name)
                .bind(role.as_str())
                .bind(team_id)
                .bind(disabled)
                .bind(id)
                .bind(may_export_rows)
                .execute(&mut *tx)
                .await?;
                $crate::server::db::cases::trail_on!(tx, trail, None, None);
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn set_disabled(&self, id: $crate::server::db::UserId, disabled: bool) -> Result<(), $crate::server::db::DbError> {
                // Disabling or enabling ends every session of the account; saving the same
                // state again (an edit of the name) does not.
                sqlx::query(
                    "UPDATE users SET session_epoch = CASE WHEN disabled = $1 THEN session_epoch \
                     ELSE session_epoch + 1 END, disabled = $1 WHERE id = $2",
                )
                    .bind(disabled)
                    .bind(id)
                    .execute(&self.writer)
                    .await?;
                Ok(())
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn audit(&self, e: &$crate::server::db::NewAudit) -> Result<(), $crate::server::db::DbError> {
                // An access on its own (a read); writes record theirs in their own transaction.
                let mut tx = self.writer.begin().await?;
                $crate::server::db::cases::audit_on!(tx, e, None, None);
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn audit_entries(&self, f: &$crate::server::db::AuditFilter) -> Result<Vec<$crate::server::db::AuditEntry>, $crate::server::db::DbError> {
                let mut q: sqlx::QueryBuilder<'_, $db> = sqlx::QueryBuilder::new(
                    "SELECT id, at, actor_id, actor, action, case_id, assessment_id, address, detail FROM audit_log WHERE 1 = 1",
                );
                if let Some(actor) = &f.actor {
                    q.push(" AND actor LIKE ").push_bind(format!("%{actor}%"));
                }
                if let Some(action) = &f.action {
                    q.push(" AND action = ").push_bind(action.clone());
                }
                if let Some(case_id) = f.case_id {
                    q.push(" AND case_id = ").push_bind(case_id);
                }
                if let Some(from) = f.from {
                    q.push(" AND at >= ").push_bind(from);
                }
                if let Some(until) = f.until {
                    q.push(" AND at < ").push_bind(until);
                }
                q.push(" ORDER BY id DESC LIMIT ").push_bind(f.limit.max(1));
                let rows: Vec<$crate::server::db::cases::AuditRow> = q.build_query_as().fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map($crate::server::db::cases::audit_from_row).collect())
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn record_login_failure(&self, keys: &[String], trail: Option<&$crate::server::db::NewAudit>) -> Result<(), $crate::server::db::DbError> {
                let now = time::OffsetDateTime::now_utc();
                let mut tx = self.writer.begin().await?;
                for key in keys {
                    sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
                        .bind(key)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
                $crate::server::db::cases::trail_on!(tx, trail, None, None);
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn login_failures_since(&self, key: &str, since: time::OffsetDateTime) -> Result<Vec<time::OffsetDateTime>, $crate::server::db::DbError> {
                Ok(sqlx::query_scalar("SELECT at FROM login_failures WHERE key = $1 AND at > $2 ORDER BY at DESC")
                    .bind(key)
                    .bind(since)
                    .fetch_all(&self.pool)
                    .await?)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn clear_login_failures(&self, key: Option<&str>, before: time::OffsetDateTime) -> Result<(), $crate::server::db::DbError> {
                match key {
                    Some(key) => sqlx::query("DELETE FROM login_failures WHERE key = $1").bind(key).execute(&self.writer).await?,
                    None => sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(before).execute(&self.writer).await?,
                };
                Ok(())
            }
        }
    };
}
pub(crate) use {impl_account_store, select_user};
