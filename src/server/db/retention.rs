//! Retention and erasure: a case's identifying data deleted on request or after inactivity,
//! and what belongs to no case stripped or deleted after its time. Finished results stay,
//! detached, for statistics, and the statistics cubes change in the same transaction.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::*;

#[async_trait]
pub trait RetentionStore {
    /// Deletes a case's identifying data: the case, its notes, answers, invites and
    /// override reasons, and unfinished assessments. Finished results stay, detached, for
    /// statistics. False when there was no such case.
    async fn erase_case(&self, id: CaseId, trail: Option<&NewAudit>) -> Result<bool, DbError>;
    /// Retention for what belongs to no case (anonymous self-assessments, case-less
    /// interviews), in one transaction: unfinished ones untouched since `unfinished_before`
    /// and empty self-assessments started before `empty_before` are deleted with their
    /// answers and notes; finished ones older than `finished_before` keep only their result
    /// for statistics (answers, note, override reason, device token and resume code go).
    /// Returns how many assessments were deleted and how many were stripped.
    async fn expire_caseless(
        &self,
        unfinished_before: OffsetDateTime,
        empty_before: OffsetDateTime,
        finished_before: OffsetDateTime,
    ) -> Result<(u64, u64), DbError>;
    /// Cases with no activity since `cutoff`, for the retention job.
    async fn inactive_cases(&self, cutoff: OffsetDateTime) -> Result<Vec<CaseId>, DbError>;
}

/// Implements `RetentionStore` for a repository type with a `pool` of database `$db`.
macro_rules! impl_retention_store {
    ($repo:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::server::db::RetentionStore for $repo {
            #[tracing::instrument(level = "debug", skip_all)]
            async fn erase_case(&self, id: $crate::server::db::CaseId, trail: Option<&$crate::server::db::NewAudit>) -> Result<bool, $crate::server::db::DbError> {
                let mut tx = self.writer.begin().await?;
                // Results stay for statistics, detached: the case's movement leaves the cube.
                let touched = $crate::server::db::cube::cube_lock_case!(&mut tx, id);
                let before = $crate::server::db::cube::cube_tally!(&mut tx, &touched);
                let of_case = "SELECT id FROM assessments WHERE case_id = $1";
                sqlx::query("DELETE FROM assessments WHERE case_id = $1 AND finished_at IS NULL")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(&format!("DELETE FROM answers WHERE assessment_id IN ({of_case})"))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(&format!("UPDATE results SET override_reason = NULL WHERE assessment_id IN ({of_case})"))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE assessments SET note = NULL, token = NULL, resume_code = NULL, case_id = NULL WHERE case_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                // The case's agreed plans go with it (their notes and dates are about the person).
                sqlx::query("DELETE FROM plans WHERE case_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM invites WHERE case_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let after = $crate::server::db::cube::cube_tally!(&mut tx, &touched);
                $crate::server::db::cube::cube_apply!(&mut tx, &$crate::server::db::cube::Counted::change(&before, &after));
                let gone = sqlx::query("DELETE FROM cases WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                // The erasure's own line: the case is gone, so nothing to touch.
                if let (1, Some(entry)) = (gone.rows_affected(), trail) {
                    $crate::server::db::cases::audit_on!(tx, entry, Some(id), None);
                }
                tx.commit().await?;
                Ok(gone.rows_affected() == 1)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn expire_caseless(
                &self,
                unfinished_before: time::OffsetDateTime,
                empty_before: time::OffsetDateTime,
                finished_before: time::OffsetDateTime,
            ) -> Result<(u64, u64), $crate::server::db::DbError> {
                let mut tx = self.writer.begin().await?;
                let stale = sqlx::query(
                    "DELETE FROM assessments WHERE case_id IS NULL AND finished_at IS NULL AND started_at < $1 \
                     AND NOT EXISTS (SELECT 1 FROM answers WHERE answers.assessment_id = assessments.id \
                     AND answers.answered_at >= $1)",
                )
                .bind(unfinished_before)
                .execute(&mut *tx)
                .await?;
                let empty = sqlx::query(
                    "DELETE FROM assessments WHERE case_id IS NULL AND finished_at IS NULL AND mode = 'self' \
                     AND started_at < $1 \
                     AND NOT EXISTS (SELECT 1 FROM answers WHERE answers.assessment_id = assessments.id)",
                )
                .bind(empty_before)
                .execute(&mut *tx)
                .await?;
                let old = "SELECT id FROM assessments WHERE case_id IS NULL AND finished_at < $1";
                // Their answers leave the item analysis with them.
                let answered: Vec<i64> = sqlx::query_scalar(
                    "SELECT DISTINCT a.id FROM assessments a JOIN answers an ON an.assessment_id = a.id \
                     WHERE a.case_id IS NULL AND a.finished_at < $1 ORDER BY a.id",
                )
                .bind(finished_before)
                .fetch_all(&mut *tx)
                .await?;
                for ids in answered.chunks(500) {
                    let before = $crate::server::db::cube::cube_tally!(&mut tx, ids);
                    let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
                    sqlx::query(&format!("DELETE FROM answers WHERE assessment_id IN ({})", list.join(", ")))
                        .execute(&mut *tx)
                        .await?;
                    let after = $crate::server::db::cube::cube_tally!(&mut tx, ids);
                    $crate::server::db::cube::cube_apply!(&mut tx, &$crate::server::db::cube::Counted::change(&before, &after));
                }
                // Plans hold a note and dates about the person: they go like the answers.
                sqlx::query(&format!("DELETE FROM plans WHERE case_id IS NULL AND assessment_id IN ({old})"))
                    .bind(finished_before)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(&format!(
                    "UPDATE results SET override_reason = NULL WHERE override_reason IS NOT NULL \
                     AND assessment_id IN ({old})"
                ))
                .bind(finished_before)
                .execute(&mut *tx)
                .await?;
                let stripped = sqlx::query(
                    "UPDATE assessments SET note = NULL, token = NULL, resume_code = NULL \
                     WHERE case_id IS NULL AND finished_at < $1 \
                     AND (note IS NOT NULL OR token IS NOT NULL OR resume_code IS NOT NULL)",
                )
                .bind(finished_before)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok((stale.rows_affected() + empty.rows_affected(), stripped.rows_affected()))
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn inactive_cases(&self, cutoff: time::OffsetDateTime) -> Result<Vec<$crate::server::db::CaseId>, $crate::server::db::DbError> {
                Ok(sqlx::query_scalar("SELECT id FROM cases WHERE last_activity_at < $1 ORDER BY id")
                    .bind(cutoff)
                    .fetch_all(&self.pool)
                    .await?)
            }
        }
    };
}
pub(crate) use impl_retention_store;
