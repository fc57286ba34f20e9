//! The statements of the repository, written once for both backends: `$n` parameters,
//! `RETURNING` and the column types used here mean the same in SQLite and PostgreSQL.
//! Where the dialects differ, the backend files hold their own code.

/// Implements `Repository` for a type with a `pool: sqlx::Pool<DB>` field.
macro_rules! impl_repository {
    ($repo:ty, $backend:expr) => {
        #[async_trait::async_trait]
        impl $crate::server::db::Repository for $repo {
            fn backend(&self) -> $crate::server::db::Backend {
                $backend
            }

            async fn ping(&self) -> Result<(), $crate::server::db::DbError> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn create_assessment(
                &self,
                new: &$crate::server::db::NewAssessment,
            ) -> Result<$crate::server::db::AssessmentId, $crate::server::db::DbError> {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO assessments (instrument, mode, language, started_at) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(&new.instrument)
                .bind(&new.mode)
                .bind(&new.language)
                .bind(time::OffsetDateTime::now_utc())
                .fetch_one(&self.pool)
                .await?;
                Ok(id)
            }

            async fn assessment(
                &self,
                id: $crate::server::db::AssessmentId,
            ) -> Result<Option<$crate::server::db::Assessment>, $crate::server::db::DbError> {
                let row: Option<(i64, String, String, String, time::OffsetDateTime, Option<time::OffsetDateTime>)> =
                    sqlx::query_as(
                        "SELECT id, instrument, mode, language, started_at, finished_at \
                         FROM assessments WHERE id = $1",
                    )
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.map(|(id, instrument, mode, language, started_at, finished_at)| {
                    $crate::server::db::Assessment { id, instrument, mode, language, started_at, finished_at }
                }))
            }

            async fn save_answer(
                &self,
                id: $crate::server::db::AssessmentId,
                item: &str,
                value: &serde_json::Value,
                by: $crate::server::db::AnsweredBy,
            ) -> Result<(), $crate::server::db::DbError> {
                let done = sqlx::query(
                    "INSERT INTO answers (assessment_id, item, value, answered_by, answered_at) \
                     VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (assessment_id, item) DO UPDATE SET \
                     value = excluded.value, answered_by = excluded.answered_by, \
                     answered_at = excluded.answered_at",
                )
                .bind(id)
                .bind(item)
                .bind(value.to_string())
                .bind(by.as_str())
                .bind(time::OffsetDateTime::now_utc())
                .execute(&self.pool)
                .await;
                match done {
                    Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
                        Err($crate::server::db::DbError::NoSuchAssessment(id))
                    }
                    other => other.map(|_| ()).map_err(Into::into),
                }
            }

            async fn answers(
                &self,
                id: $crate::server::db::AssessmentId,
            ) -> Result<Vec<$crate::server::db::StoredAnswer>, $crate::server::db::DbError> {
                let rows: Vec<(String, String, String, time::OffsetDateTime)> = sqlx::query_as(
                    "SELECT item, value, answered_by, answered_at FROM answers \
                     WHERE assessment_id = $1 ORDER BY answered_at, item",
                )
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(item, value, by, answered_at)| {
                        Ok($crate::server::db::StoredAnswer {
                            value: $crate::server::db::parse_json(&value, &item)?,
                            answered_by: $crate::server::db::AnsweredBy::parse(&by)?,
                            item,
                            answered_at,
                        })
                    })
                    .collect()
            }

            async fn finish(
                &self,
                id: $crate::server::db::AssessmentId,
                r: &$crate::server::db::StoredResult,
            ) -> Result<(), $crate::server::db::DbError> {
                let mut tx = self.pool.begin().await?;
                let updated = sqlx::query("UPDATE assessments SET finished_at = $1 WHERE id = $2")
                    .bind(r.computed_at)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                if updated.rows_affected() != 1 {
                    return Err($crate::server::db::DbError::NoSuchAssessment(id));
                }
                sqlx::query(
                    "INSERT INTO results (assessment_id, instrument, channel, rule, provisional, \
                     borderline, score_access, score_skills, score_motivation, outcome, computed_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                     ON CONFLICT (assessment_id) DO UPDATE SET instrument = excluded.instrument, \
                     channel = excluded.channel, rule = excluded.rule, provisional = excluded.provisional, \
                     borderline = excluded.borderline, score_access = excluded.score_access, \
                     score_skills = excluded.score_skills, score_motivation = excluded.score_motivation, \
                     outcome = excluded.outcome, computed_at = excluded.computed_at",
                )
                .bind(id)
                .bind(&r.instrument)
                .bind(&r.channel)
                .bind(r.rule)
                .bind(r.provisional)
                .bind(r.borderline)
                .bind(r.score_access)
                .bind(r.score_skills)
                .bind(r.score_motivation)
                .bind(r.outcome.to_string())
                .bind(r.computed_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn result(
                &self,
                id: $crate::server::db::AssessmentId,
            ) -> Result<Option<$crate::server::db::StoredResult>, $crate::server::db::DbError> {
                #[allow(clippy::type_complexity)] // one row of the results table
                let row: Option<(String, String, i16, bool, bool, Option<i16>, Option<i16>, Option<i16>, String, time::OffsetDateTime)> =
                    sqlx::query_as(
                        "SELECT instrument, channel, rule, provisional, borderline, score_access, \
                         score_skills, score_motivation, outcome, computed_at \
                         FROM results WHERE assessment_id = $1",
                    )
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(|(instrument, channel, rule, provisional, borderline, a, s, m, outcome, computed_at)| {
                    Ok($crate::server::db::StoredResult {
                        instrument,
                        channel,
                        rule,
                        provisional,
                        borderline,
                        score_access: a,
                        score_skills: s,
                        score_motivation: m,
                        outcome: $crate::server::db::parse_json(&outcome, "result outcome")?,
                        computed_at,
                    })
                })
                .transpose()
            }
        }
    };
}

pub(crate) use impl_repository;
