//! The statements of the repository, written once for both backends: `$n` parameters,
//! `RETURNING` and the column types used here mean the same in SQLite and PostgreSQL.
//! Where the dialects differ, the backend files hold their own code.
//! The statements the SQLite direct path (`direct.rs`) runs as well are constants here,
//! so both paths run the very same SQL.

/// Stores (or replaces) one answer: assessment, item, value (JSON text), by, at.
pub(crate) const UPSERT_ANSWER: &str = "INSERT INTO answers (assessment_id, item, value, answered_by, answered_at) \
     VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (assessment_id, item) DO UPDATE SET \
     value = excluded.value, answered_by = excluded.answered_by, \
     answered_at = excluded.answered_at";

/// An assessment's answers in the order they were last changed.
pub(crate) const SELECT_ANSWERS: &str = "SELECT item, value, answered_by, answered_at FROM answers \
     WHERE assessment_id = $1 ORDER BY answered_at, item";

/// The columns of an `Assessment`, in its field order.
macro_rules! assessment_columns {
    () => {
        "SELECT id, instrument, mode, language, started_at, finished_at, token, resume_code, note, \
         case_id, team_id, age_band, created_by"
    };
}
pub(crate) use assessment_columns;

/// Inserts an assessment row on any executor and returns its id.
macro_rules! insert_assessment {
    ($exec:expr, $new:expr) => {{
        let new: &$crate::server::db::NewAssessment = $new;
        let id: Result<i64, sqlx::Error> = sqlx::query_scalar(
            "INSERT INTO assessments (instrument, mode, language, started_at, token, resume_code, note, \
             case_id, team_id, age_band, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(&new.instrument)
        .bind(new.mode)
        .bind(&new.language)
        .bind(time::OffsetDateTime::now_utc())
        .bind(&new.token)
        .bind(&new.resume_code)
        .bind(&new.note)
        .bind(new.case_id)
        .bind(new.team_id)
        .bind(&new.age_band)
        .bind(new.created_by)
        .fetch_all($exec)
        .await
        .and_then($crate::server::db::returned);
        id.map_err($crate::server::db::DbError::from)
    }};
}

/// Stores (or replaces) one answer on any executor.
macro_rules! upsert_answer {
    ($exec:expr, $id:expr, $item:expr, $value:expr, $by:expr) => {{
        let by: $crate::server::db::AnsweredBy = $by;
        let value: &serde_json::Value = $value;
        sqlx::query($crate::server::db::queries::UPSERT_ANSWER)
            .bind($id)
            .bind($item)
            .bind(value.to_string())
            .bind(by.as_str())
            .bind(time::OffsetDateTime::now_utc())
            .execute($exec)
            .await
    }};
}

/// Selects one assessment by a unique column.
macro_rules! select_assessment {
    ($pool:expr, $column:literal, $value:expr) => {{
        let row: Option<$crate::server::db::Assessment> = sqlx::query_as(concat!(
            $crate::server::db::queries::assessment_columns!(),
            " FROM assessments WHERE ",
            $column,
            " = $1"
        ))
        .bind($value)
        .fetch_optional($pool)
        .await?;
        Ok(row)
    }};
}

/// An assessment's answers in the order they were last changed.
macro_rules! select_answers {
    ($executor:expr, $id:expr) => {{
        let rows: Vec<(String, String, String, time::OffsetDateTime)> =
            sqlx::query_as($crate::server::db::queries::SELECT_ANSWERS)
                .bind($id)
                .fetch_all($executor)
                .await?;
        rows.into_iter()
            .map($crate::server::db::stored_answer)
            .collect::<Result<Vec<_>, $crate::server::db::DbError>>()
    }};
}

/// Marks an assessment finished and upserts its computed result inside a transaction.
/// The override columns are left alone: a re-computation never erases a caseworker's choice.
macro_rules! finish_in {
    ($tx:expr, $id:expr, $r:expr) => {{
        let id: $crate::server::db::AssessmentId = $id;
        let r: &$crate::server::db::StoredResult = $r;
        async {
            // The statistics cube changes by this assessment's facts and its case's movement.
            let touched = $crate::server::db::cube::cube_lock_assessment!($tx, id);
            let before = $crate::server::db::cube::cube_tally!($tx, &touched);
            let updated = sqlx::query("UPDATE assessments SET finished_at = $1 WHERE id = $2")
                .bind(r.computed_at)
                .bind(id)
                .execute(&mut **$tx)
                .await?;
            if updated.rows_affected() != 1 {
                return Err($crate::server::db::DbError::NoSuchAssessment(id));
            }
            sqlx::query(
                "INSERT INTO results (assessment_id, instrument, channel, rule, provisional, \
                 borderline, score_access, score_skills, score_motivation, outcome, computed_at, \
                 record_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
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
            // A new result's record key (`domain::disclosure`); a re-computation keeps it.
            .bind(i64::from(rand::random::<u32>()))
            .execute(&mut **$tx)
            .await?;
            // The outcome's codes beside it, for statistics; replaced with the result.
            sqlx::query("DELETE FROM result_codes WHERE assessment_id = $1")
                .bind(id)
                .execute(&mut **$tx)
                .await?;
            for (kind, code) in $crate::server::db::stats::outcome_codes(&r.outcome) {
                sqlx::query("INSERT INTO result_codes (assessment_id, kind, code) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(kind)
                    .bind(code)
                    .execute(&mut **$tx)
                    .await?;
            }
            let after = $crate::server::db::cube::cube_tally!($tx, &touched);
            $crate::server::db::cube::cube_apply!($tx, &$crate::server::db::cube::Counted::change(&before, &after));
            Ok::<(), $crate::server::db::DbError>(())
        }
        .await
    }};
}

/// Implements `Repository` for a type with a `pool: sqlx::Pool<DB>` field.
macro_rules! impl_repository {
    ($repo:ty, $backend:expr) => {
        #[async_trait::async_trait]
        impl $crate::server::db::Repository for $repo {
            fn backend(&self) -> $crate::server::db::Backend {
                $backend
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn ping(&self) -> Result<(), $crate::server::db::DbError> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn probe_write(&self) -> Result<(), $crate::server::db::DbError> {
                let mut tx = self.writer.begin().await?;
                sqlx::query(
                    "INSERT INTO health_probe (id, checked_at) VALUES (1, $1) \
                     ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
                )
                .bind(time::OffsetDateTime::now_utc())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            fn storage_dir(&self) -> Option<std::path::PathBuf> {
                self.storage_dir.clone()
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn create_assessment(
                &self,
                new: &$crate::server::db::NewAssessment,
                trail: Option<&$crate::server::db::NewAudit>,
            ) -> Result<$crate::server::db::AssessmentId, $crate::server::db::DbError> {
                let mut tx = self.writer.begin().await?;
                let id = insert_assessment!(&mut *tx, new)?;
                $crate::server::db::cases::trail_on!(tx, trail, new.case_id, Some(id));
                tx.commit().await?;
                Ok(id)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn record_complete(
                &self,
                new: &$crate::server::db::NewAssessment,
                answers: &[(String, serde_json::Value)],
                by: $crate::server::db::AnsweredBy,
                result: &$crate::server::db::StoredResult,
            ) -> Result<$crate::server::db::AssessmentId, $crate::server::db::DbError> {
                let mut tx = self.writer.begin().await?;
                let id = insert_assessment!(&mut *tx, new)?;
                for (item, value) in answers {
                    upsert_answer!(&mut *tx, id, item, value, by)?;
                }
                finish_in!(&mut tx, id, result)?;
                tx.commit().await?;
                Ok(id)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn set_override(
                &self,
                id: $crate::server::db::AssessmentId,
                channel: $crate::domain::Channel,
                category: $crate::domain::OverrideReason,
                reason: &str,
                trail: Option<&$crate::server::db::NewAudit>,
            ) -> Result<(), $crate::server::db::DbError> {
                let mut tx = self.writer.begin().await?;
                let touched = $crate::server::db::cube::cube_lock_assessment!(&mut tx, id);
                let before = $crate::server::db::cube::cube_tally!(&mut tx, &touched);
                let done = sqlx::query(
                    "UPDATE results SET override_channel = $1, override_reason = $2, overridden_at = $3, \
                     override_category = $5 WHERE assessment_id = $4",
                )
                .bind(channel.as_str())
                .bind(reason)
                .bind(time::OffsetDateTime::now_utc())
                .bind(id)
                .bind(category.as_str())
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Err($crate::server::db::DbError::NoSuchAssessment(id));
                }
                let after = $crate::server::db::cube::cube_tally!(&mut tx, &touched);
                $crate::server::db::cube::cube_apply!(&mut tx, &$crate::server::db::cube::Counted::change(&before, &after));
                $crate::server::db::cases::trail_on!(tx, trail, None, Some(id));
                tx.commit().await?;
                Ok(())
            }

            fn sessions(&self) -> $crate::server::db::Sessions {
                $crate::server::db::Sessions::from(self.pool.clone())
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn assessment_by_token(&self, token: &str) -> Result<Option<$crate::server::db::Assessment>, $crate::server::db::DbError> {
                if let Some(direct) = self.direct() {
                    return direct.assessment_by_token(token);
                }
                select_assessment!(&self.pool, "token", token)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn assessment_by_resume_code(&self, code: &str) -> Result<Option<$crate::server::db::Assessment>, $crate::server::db::DbError> {
                select_assessment!(&self.pool, "resume_code", code)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn assessment(&self, id: $crate::server::db::AssessmentId) -> Result<Option<$crate::server::db::Assessment>, $crate::server::db::DbError> {
                select_assessment!(&self.pool, "id", id)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn save_answer(
                &self,
                id: $crate::server::db::AssessmentId,
                item: &str,
                value: &serde_json::Value,
                by: $crate::server::db::AnsweredBy,
                trail: Option<&$crate::server::db::NewAudit>,
            ) -> Result<(), $crate::server::db::DbError> {
                store_answers!(self, id, [(item, value)], by, None, trail)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn save_answers(
                &self,
                id: $crate::server::db::AssessmentId,
                answers: &[(String, serde_json::Value)],
                by: $crate::server::db::AnsweredBy,
                note: Option<&str>,
                trail: Option<&$crate::server::db::NewAudit>,
            ) -> Result<(), $crate::server::db::DbError> {
                let answers = answers.iter().map(|(item, value)| (item.as_str(), value));
                store_answers!(self, id, answers, by, Some(note), trail)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn answers(
                &self,
                id: $crate::server::db::AssessmentId,
            ) -> Result<Vec<$crate::server::db::StoredAnswer>, $crate::server::db::DbError> {
                if let Some(direct) = self.direct() {
                    return direct.answers(id);
                }
                select_answers!(&self.pool, id)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn save_open_answer(
                &self,
                id: $crate::server::db::AssessmentId,
                item: &str,
                value: &serde_json::Value,
                by: $crate::server::db::AnsweredBy,
                trail: Option<&$crate::server::db::NewAudit>,
            ) -> Result<Option<Vec<$crate::server::db::StoredAnswer>>, $crate::server::db::DbError> {
                $crate::server::db::open_answer::save_open_answer!(self, id, item, value, by, trail)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn assessment_with_answers_by_token(
                &self,
                token: &str,
                stamp: Option<&str>,
            ) -> Result<Option<($crate::server::db::Assessment, Vec<$crate::server::db::StoredAnswer>)>, $crate::server::db::DbError> {
                $crate::server::db::open_answer::open_answers_by_token!(self, token, stamp)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn assessment_to_save(
                &self,
                token: &str,
            ) -> Result<Option<$crate::server::db::Assessment>, $crate::server::db::DbError> {
                $crate::server::db::open_answer::assessment_to_save!(self, token)
            }

            $crate::server::db::open_answer::forget_kept!();

            #[tracing::instrument(level = "debug", skip_all)]
            async fn finish(
                &self,
                id: $crate::server::db::AssessmentId,
                r: &$crate::server::db::StoredResult,
                trail: Option<&$crate::server::db::NewAudit>,
            ) -> Result<(), $crate::server::db::DbError> {
                let mut tx = self.writer.begin().await?;
                finish_in!(&mut tx, id, r)?;
                $crate::server::db::cases::trail_on!(tx, trail, None, Some(id));
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn result(
                &self,
                id: $crate::server::db::AssessmentId,
            ) -> Result<Option<$crate::server::db::StoredResult>, $crate::server::db::DbError> {
                #[allow(clippy::type_complexity)] // one row of the results table
                let row: Option<(String, String, i16, bool, bool, Option<i16>, Option<i16>, Option<i16>, String, time::OffsetDateTime, Option<$crate::domain::Channel>, Option<String>, Option<time::OffsetDateTime>, Option<String>)> =
                    sqlx::query_as(
                        "SELECT instrument, channel, rule, provisional, borderline, score_access, \
                         score_skills, score_motivation, outcome, computed_at, \
                         override_channel, override_reason, overridden_at, override_category \
                         FROM results WHERE assessment_id = $1",
                    )
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(|(instrument, channel, rule, provisional, borderline, a, s, m, outcome, computed_at, oc, or, oat, category)| {
                    let override_ = match (oc, or, oat) {
                        (Some(channel), Some(reason), Some(at)) => Some($crate::server::db::Override {
                            channel,
                            reason,
                            at,
                            category: category.and_then(|c| c.parse().ok()),
                        }),
                        _ => None,
                    };
                    Ok($crate::server::db::StoredResult {
                        override_,
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

pub(crate) use super::answer_store::store_answers;
pub(crate) use {
    finish_in, impl_repository, insert_assessment, select_answers, select_assessment, upsert_answer,
};
