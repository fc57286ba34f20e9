//! Invite codes: handed out for a case, shown on a slip, redeemed once for the case's
//! self-assessment.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::*;

#[async_trait]
pub trait InviteStore {
    async fn create_invite(
        &self,
        case_id: CaseId,
        code: &str,
        created_by: UserId,
        expires_at: OffsetDateTime,
        trail: Option<&NewAudit>,
    ) -> Result<i64, DbError>;
    async fn invite(&self, id: i64) -> Result<Option<Invite>, DbError>;
    async fn invites_of_case(&self, case_id: CaseId) -> Result<Vec<Invite>, DbError>;
    /// Uses an unexpired, unused invite code: creates the case's self-assessment and marks
    /// the code used, in one transaction. `None` when no such code can be used now.
    async fn redeem_invite(
        &self,
        code: &str,
        new: &super::NewAssessment,
        trail: Option<&NewAudit>,
    ) -> Result<Option<(AssessmentId, CaseId)>, DbError>;
}

/// Implements `InviteStore` for a repository type with a `pool` of database `$db`.
macro_rules! impl_invite_store {
    ($repo:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::server::db::InviteStore for $repo {
            #[tracing::instrument(level = "debug", skip_all)]
            async fn create_invite(
                &self,
                case_id: $crate::server::db::CaseId,
                code: &str,
                created_by: $crate::server::db::UserId,
                expires_at: time::OffsetDateTime,
                trail: Option<&$crate::server::db::NewAudit>,
            ) -> Result<i64, $crate::server::db::DbError> {
                let now = time::OffsetDateTime::now_utc();
                let mut tx = self.writer.begin().await?;
                let id: Result<i64, sqlx::Error> = sqlx::query_scalar(
                    "INSERT INTO invites (case_id, code, created_by, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(case_id)
                .bind(code)
                .bind(created_by)
                .bind(now)
                .bind(expires_at)
                .fetch_all(&mut *tx)
                .await
                .and_then($crate::server::db::returned);
                let id = id.map_err(|e| $crate::server::db::cases::unique_or(e, "that invite code"))?;
                // The line names the invite, known only now.
                let line = trail.map(|e| $crate::server::db::NewAudit { detail: format!("invite {id}"), ..e.clone() });
                $crate::server::db::cases::trail_on!(tx, line.as_ref(), Some(case_id), None);
                tx.commit().await?;
                Ok(id)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn invite(&self, id: i64) -> Result<Option<$crate::server::db::Invite>, $crate::server::db::DbError> {
                Ok(sqlx::query_as(concat!($crate::server::db::cases::invite_select!(), " WHERE id = $1")).bind(id).fetch_optional(&self.pool).await?)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn invites_of_case(&self, case_id: $crate::server::db::CaseId) -> Result<Vec<$crate::server::db::Invite>, $crate::server::db::DbError> {
                Ok(sqlx::query_as(concat!($crate::server::db::cases::invite_select!(), " WHERE case_id = $1 ORDER BY created_at, id")).bind(case_id).fetch_all(&self.pool).await?)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn redeem_invite(
                &self,
                code: &str,
                new: &$crate::server::db::NewAssessment,
                trail: Option<&$crate::server::db::NewAudit>,
            ) -> Result<Option<($crate::server::db::AssessmentId, $crate::server::db::CaseId)>, $crate::server::db::DbError> {
                let now = time::OffsetDateTime::now_utc();
                let mut tx = self.writer.begin().await?;
                // Claiming the code first makes two devices racing for it get one winner.
                let claimed: Option<(i64, i64)> = sqlx::query_as(
                    "UPDATE invites SET used_at = $1 WHERE code = $2 AND used_at IS NULL AND expires_at > $1 \
                     RETURNING id, case_id",
                )
                .bind(now)
                .bind(code)
                .fetch_all(&mut *tx)
                .await
                .and_then($crate::server::db::returned_optional)?;
                let Some((invite_id, case_id)) = claimed else {
                    tx.rollback().await?;
                    return Ok(None);
                };
                let case: Option<(i64, i32)> = sqlx::query_as("SELECT team_id, birth_year FROM cases WHERE id = $1")
                    .bind(case_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some((team_id, birth_year)) = case else {
                    tx.rollback().await?;
                    return Ok(None);
                };
                let this_year = now.year();
                let new = $crate::server::db::NewAssessment {
                    case_id: Some(case_id),
                    team_id: Some(team_id),
                    age_band: Some($crate::domain::case::AgeBand::of(birth_year, this_year).as_str().to_owned()),
                    ..new.clone()
                };
                let id = insert_assessment!(&mut *tx, &new)?;
                sqlx::query("UPDATE invites SET assessment_id = $1 WHERE id = $2")
                    .bind(id)
                    .bind(invite_id)
                    .execute(&mut *tx)
                    .await?;
                $crate::server::db::cases::touch_case_on!(&mut *tx, case_id, now);
                $crate::server::db::cases::trail_on!(tx, trail, Some(case_id), Some(id));
                tx.commit().await?;
                Ok(Some((id, case_id)))
            }
        }
    };
}
pub(crate) use impl_invite_store;
