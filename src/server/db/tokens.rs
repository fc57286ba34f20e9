//! API tokens of machine clients: issued by an administrator for one team, stored only as
//! a hash of their secret, revoked but never deleted (the audit trail names them).

use async_trait::async_trait;
use time::OffsetDateTime;

use super::*;
use crate::domain::token::{Scope, parse_scopes};

/// A token as stored (never its secret).
#[derive(Clone, Debug, PartialEq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub team_id: TeamId,
    pub team_name: String,
    pub scopes: Vec<Scope>,
    /// The administrator who issued it; invite codes made with it name them as maker.
    pub created_by: UserId,
    pub created_by_name: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

impl ApiToken {
    /// Usable at `now`: neither revoked nor expired.
    pub fn live_at(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

/// A token to store: its hash, never the secret.
#[derive(Clone, Debug, PartialEq)]
pub struct NewToken {
    pub name: String,
    pub team_id: TeamId,
    pub scopes: Vec<Scope>,
    pub secret_hash: String,
    pub created_by: UserId,
    pub expires_at: OffsetDateTime,
}

#[async_trait]
pub trait TokenStore {
    async fn create_token(&self, new: &NewToken, trail: Option<&NewAudit>) -> Result<i64, DbError>;
    /// Every token, newest first.
    async fn tokens(&self) -> Result<Vec<ApiToken>, DbError>;
    async fn token_by_hash(&self, secret_hash: &str) -> Result<Option<ApiToken>, DbError>;
    /// Revokes a token at once; false when there is no such live token.
    async fn revoke_token(&self, id: i64, trail: Option<&NewAudit>) -> Result<bool, DbError>;
    /// The team's case with this reference, if any.
    async fn case_by_reference(
        &self,
        team_id: TeamId,
        reference: &str,
    ) -> Result<Option<Case>, DbError>;
}

/// A token's row.
#[derive(sqlx::FromRow)]
pub(crate) struct TokenRow {
    id: i64,
    name: String,
    team_id: TeamId,
    team_name: String,
    scopes: String,
    created_by: UserId,
    created_by_name: String,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
}

impl TokenRow {
    pub(crate) fn token(self) -> Result<ApiToken, DbError> {
        Ok(ApiToken {
            scopes: parse_scopes(&self.scopes).map_err(DbError::Corrupt)?,
            id: self.id,
            name: self.name,
            team_id: self.team_id,
            team_name: self.team_name,
            created_by: self.created_by,
            created_by_name: self.created_by_name,
            created_at: self.created_at,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
        })
    }
}

macro_rules! token_select {
    () => {
        "SELECT k.id, k.name, k.team_id, t.name AS team_name, k.scopes, k.created_by, \
         u.username AS created_by_name, k.created_at, k.expires_at, k.revoked_at FROM api_tokens k \
         JOIN teams t ON t.id = k.team_id JOIN users u ON u.id = k.created_by"
    };
}
pub(crate) use token_select;

/// Implements `TokenStore` for a repository type with `pool` and `writer` of database `$db`.
macro_rules! impl_token_store {
    ($repo:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::server::db::tokens::TokenStore for $repo {
            #[tracing::instrument(level = "debug", skip_all)]
            async fn create_token(
                &self,
                new: &$crate::server::db::tokens::NewToken,
                trail: Option<&$crate::server::db::NewAudit>,
            ) -> Result<i64, $crate::server::db::DbError> {
                let mut tx = self.writer.begin().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO api_tokens (name, team_id, scopes, secret_hash, created_by, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(&new.name)
                .bind(new.team_id)
                .bind($crate::domain::token::scopes_text(&new.scopes))
                .bind(&new.secret_hash)
                .bind(new.created_by)
                .bind(time::OffsetDateTime::now_utc())
                .bind(new.expires_at)
                .fetch_all(&mut *tx)
                .await
                .and_then($crate::server::db::returned)?;
                let line = trail.map(|e| $crate::server::db::NewAudit {
                    detail: format!("token {id} \"{}\"", new.name),
                    ..e.clone()
                });
                $crate::server::db::cases::trail_on!(tx, line.as_ref(), None, None);
                tx.commit().await?;
                Ok(id)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn tokens(&self) -> Result<Vec<$crate::server::db::tokens::ApiToken>, $crate::server::db::DbError> {
                let rows: Vec<$crate::server::db::tokens::TokenRow> = sqlx::query_as(concat!(
                    $crate::server::db::tokens::token_select!(),
                    " ORDER BY k.created_at DESC, k.id DESC"
                ))
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map($crate::server::db::tokens::TokenRow::token).collect()
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn token_by_hash(
                &self,
                secret_hash: &str,
            ) -> Result<Option<$crate::server::db::tokens::ApiToken>, $crate::server::db::DbError> {
                let row: Option<$crate::server::db::tokens::TokenRow> = sqlx::query_as(concat!(
                    $crate::server::db::tokens::token_select!(),
                    " WHERE k.secret_hash = $1"
                ))
                .bind(secret_hash)
                .fetch_optional(&self.pool)
                .await?;
                row.map($crate::server::db::tokens::TokenRow::token).transpose()
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn revoke_token(
                &self,
                id: i64,
                trail: Option<&$crate::server::db::NewAudit>,
            ) -> Result<bool, $crate::server::db::DbError> {
                let mut tx = self.writer.begin().await?;
                let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                    .bind(time::OffsetDateTime::now_utc())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() != 1 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                let line = trail.map(|e| $crate::server::db::NewAudit {
                    detail: format!("token {id}"),
                    ..e.clone()
                });
                $crate::server::db::cases::trail_on!(tx, line.as_ref(), None, None);
                tx.commit().await?;
                Ok(true)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn case_by_reference(
                &self,
                team_id: $crate::server::db::TeamId,
                reference: &str,
            ) -> Result<Option<$crate::server::db::Case>, $crate::server::db::DbError> {
                Ok(sqlx::query_as(concat!(
                    $crate::server::db::cases::case_select!(),
                    " WHERE c.team_id = $1 AND c.reference = $2"
                ))
                .bind(team_id)
                .bind(reference)
                .fetch_optional(&self.pool)
                .await?)
            }
        }
    };
}
pub(crate) use impl_token_store;
