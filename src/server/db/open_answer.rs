//! A recipient's open assessment, the hottest paths of the app: reading it with its
//! answers (every question page) and saving one answer, each in the fewest hand-offs.
//! On SQLite the read is one job on the calling thread and saves are committed in
//! groups (`direct.rs`); elsewhere the read is one
//! statement, and the save is one round trip on PostgreSQL (the function of migration
//! 0019) and a transaction of sqlx statements on an in-memory SQLite database.

/// The body of `Repository::assessment_with_answers_by_token` for a repository `$repo`.
macro_rules! open_answers_by_token {
    ($repo:expr, $token:expr) => {{
        use sqlx::{FromRow, Row};
        let token: &str = $token;
        if let Some(direct) = $repo.direct() {
            return direct.assessment_with_answers_by_token(token);
        }
        // One statement, one round trip: the assessment on every row with one of its
        // answers, or once with none.
        // (The answers' columns are named apart from the assessment's: no prefixes.)
        let rows = sqlx::query(concat!(
            $crate::server::db::queries::assessment_columns!(),
            ", item, value, answered_by, answered_at FROM assessments \
             LEFT JOIN answers ON assessment_id = id WHERE token = $1 \
             ORDER BY answered_at, item"
        ))
        .bind(token)
        .fetch_all(&$repo.pool)
        .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let assessment = $crate::server::db::Assessment::from_row(first)?;
        let mut stored = Vec::with_capacity(rows.len());
        for row in &rows {
            let item: Option<String> = row.try_get("item")?;
            if let Some(item) = item {
                stored.push($crate::server::db::stored_answer((
                    item,
                    row.try_get("value")?,
                    row.try_get("answered_by")?,
                    row.try_get("answered_at")?,
                ))?);
            }
        }
        Ok(Some((assessment, stored)))
    }};
}

/// The body of `Repository::save_open_answer` for a repository `$repo` of `$backend`.
macro_rules! save_open_answer {
    ($repo:expr, $backend:expr, $id:expr, $item:expr, $value:expr, $by:expr, $trail:expr) => {{
        let (id, item, value, by, trail) = ($id, $item, $value, $by, $trail);
        if let Some(direct) = $repo.direct() {
            // Queued, and committed in a group by whoever gets the writer's turn.
            return direct
                .save_open_answer($repo.writer.acquire(), id, item, value, by, trail)
                .await
                .map($crate::server::db::direct::Saved::answers);
        }
        if $backend == $crate::server::db::Backend::Postgres {
            // One round trip: the same statements in a function (migration 0019).
            let line = trail.cloned().unwrap_or_default();
            let rows: Result<Vec<(String, String, String, time::OffsetDateTime)>, sqlx::Error> =
                sqlx::query_as(
                    "SELECT a_item, a_value, a_by, a_at FROM save_open_answer(\
                     $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                )
                .bind(id)
                .bind(item)
                .bind(value.to_string())
                .bind(by.as_str())
                .bind(time::OffsetDateTime::now_utc())
                .bind(trail.is_some())
                .bind(line.actor_id)
                .bind(&line.actor)
                .bind(&line.action)
                .bind(line.case_id)
                .bind(line.assessment_id.or(Some(id)))
                .bind(&line.address)
                .bind(&line.detail)
                .fetch_all(&$repo.writer)
                .await;
            let rows = match rows {
                Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("P0002") => {
                    return Err($crate::server::db::DbError::NoSuchAssessment(id));
                }
                other => other?,
            };
            if rows.is_empty() {
                return Ok(None);
            }
            return rows
                .into_iter()
                .map($crate::server::db::stored_answer)
                .collect::<Result<Vec<_>, $crate::server::db::DbError>>()
                .map(Some);
        }
        let mut tx = $repo.writer.begin().await?;
        let finished = $crate::server::db::cube::lock_assessment!(&mut tx, id)
            .ok_or($crate::server::db::DbError::NoSuchAssessment(id))?;
        if finished {
            tx.rollback().await?;
            return Ok(None);
        }
        $crate::server::db::queries::upsert_answer!(&mut *tx, id, item, value, by)?;
        $crate::server::db::cases::trail_on!(tx, trail, None, Some(id));
        let stored = $crate::server::db::queries::select_answers!(&mut *tx, id)?;
        tx.commit().await?;
        Ok(Some(stored))
    }};
}

pub(crate) use {open_answers_by_token, save_open_answer};
