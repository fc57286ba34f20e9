//! Calibration answers: a caseworker's latest channel for each vignette
//! (`domain::calibration`). Staff data about staff, never about a recipient.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::*;

/// One caseworker's answer to one vignette.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct CalibrationAnswer {
    pub user_id: UserId,
    pub vignette: String,
    pub round: i64,
    pub team_id: Option<TeamId>,
    pub channel: String,
    pub reference: String,
    /// JSON object, item id → code.
    pub answers: String,
    pub answered_at: OffsetDateTime,
}

/// An answer with the caseworker's name, for the manager's view.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct CalibrationRow {
    pub user_id: UserId,
    pub display_name: String,
    pub team_id: Option<TeamId>,
    pub vignette: String,
    pub channel: String,
    pub reference: String,
}

#[async_trait]
pub trait CalibrationStore {
    /// Stores (or replaces) a caseworker's answer to a vignette.
    async fn save_calibration(&self, answer: &CalibrationAnswer) -> Result<(), DbError>;
    /// A caseworker's answers, by vignette id.
    async fn calibration_of(&self, user: UserId) -> Result<Vec<CalibrationAnswer>, DbError>;
    /// Every answer of every enabled caseworker, with their name.
    async fn calibration_rows(&self) -> Result<Vec<CalibrationRow>, DbError>;
}

/// Implements `CalibrationStore` for a repository type with `pool` and `writer`.
macro_rules! impl_calibration_store {
    ($repo:ty) => {
        #[async_trait::async_trait]
        impl $crate::server::db::calibration::CalibrationStore for $repo {
            #[tracing::instrument(level = "debug", skip_all)]
            async fn save_calibration(
                &self,
                a: &$crate::server::db::calibration::CalibrationAnswer,
            ) -> Result<(), $crate::server::db::DbError> {
                let mut tx = self.writer.begin().await?;
                sqlx::query(
                    "INSERT INTO calibration_answers \
                     (user_id, vignette, round, team_id, channel, reference, answers, answered_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (user_id, vignette) DO UPDATE SET round = excluded.round, \
                     team_id = excluded.team_id, channel = excluded.channel, \
                     reference = excluded.reference, answers = excluded.answers, \
                     answered_at = excluded.answered_at",
                )
                .bind(a.user_id)
                .bind(&a.vignette)
                .bind(a.round)
                .bind(a.team_id)
                .bind(&a.channel)
                .bind(&a.reference)
                .bind(&a.answers)
                .bind(a.answered_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn calibration_of(
                &self,
                user: $crate::server::db::UserId,
            ) -> Result<Vec<$crate::server::db::calibration::CalibrationAnswer>, $crate::server::db::DbError> {
                Ok(sqlx::query_as(
                    "SELECT user_id, vignette, CAST(round AS BIGINT) AS round, team_id, channel, \
                     reference, answers, answered_at FROM calibration_answers \
                     WHERE user_id = $1 ORDER BY vignette",
                )
                .bind(user)
                .fetch_all(&self.pool)
                .await?)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn calibration_rows(
                &self,
            ) -> Result<Vec<$crate::server::db::calibration::CalibrationRow>, $crate::server::db::DbError> {
                Ok(sqlx::query_as(
                    "SELECT c.user_id, u.display_name, c.team_id, c.vignette, c.channel, c.reference \
                     FROM calibration_answers c JOIN users u ON u.id = c.user_id \
                     WHERE NOT u.disabled ORDER BY u.display_name, c.user_id, c.vignette",
                )
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}
pub(crate) use impl_calibration_store;
