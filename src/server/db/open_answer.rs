//! A recipient's open assessment, the hottest paths of the app: reading it with its
//! answers (every question page) and saving one answer, each in the fewest hand-offs.
//! Saves are committed in groups (`groups.rs`): on SQLite by the direct path
//! (`direct.rs`), on PostgreSQL as one call of the function of migration 0020 per group
//! (`pg_saves.rs`); an in-memory SQLite database saves in a transaction of sqlx
//! statements. On SQLite the read is one job on the calling thread; on PostgreSQL a copy
//! kept in memory while it is known to be current (`pg_reads.rs`), or one statement.

/// The body of `Repository::assessment_with_answers_by_token` for a repository `$repo`.
macro_rules! open_answers_by_token {
    ($repo:expr, $token:expr, $stamp:expr) => {{
        use sqlx::{FromRow, Row};
        let (token, stamp): (&str, Option<&str>) = ($token, $stamp);
        if let Some(direct) = $repo.direct() {
            return direct.assessment_with_answers_by_token(token);
        }
        // A copy this instance keeps, when it is known to be current (`pg_reads.rs`).
        let reads = $repo.pg_reads();
        if let Some(read) = reads.and_then(|r| r.get(token, stamp)) {
            return Ok(Some(read));
        }
        let ticket = reads.map(|r| r.ticket());
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
        let read = (assessment, stored);
        if let (Some(reads), Some(ticket)) = (reads, ticket) {
            reads.keep(ticket, token, stamp, &read);
        }
        Ok(Some(read))
    }};
}

/// The body of `Repository::save_open_answer` for a repository `$repo`.
macro_rules! save_open_answer {
    ($repo:expr, $id:expr, $item:expr, $value:expr, $by:expr, $trail:expr) => {{
        let (id, item, value, by, trail) = ($id, $item, $value, $by, $trail);
        let job = || $crate::server::db::groups::Job {
            id,
            item: item.to_owned(),
            value: value.to_string(),
            by,
            trail: trail.cloned(),
        };
        // Queued, and committed in a group by whoever gets a turn (`groups.rs`).
        if let Some(direct) = $repo.direct() {
            return direct
                .save_open_answer(|| $repo.writer.acquire(), job())
                .await
                .map($crate::server::db::groups::Saved::answers);
        }
        if let Some(saves) = $repo.pg_saves() {
            return saves
                .save(job())
                .await
                .map($crate::server::db::groups::Saved::answers);
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

/// `Repository::forget_kept`, an item of the impl of `Repository` (it is not `async`).
macro_rules! forget_kept {
    () => {
        fn forget_kept(&self, token: &str) {
            if let Some(reads) = self.pg_reads() {
                reads.forget(token);
            }
        }
    };
}

/// The open assessment a device token names, for a save (`Repository::assessment_to_save`):
/// on PostgreSQL as this instance knows it (`pg_reads.rs`), else as read.
macro_rules! assessment_to_save {
    ($repo:expr, $token:expr) => {{
        let token: &str = $token;
        let Some(reads) = $repo.pg_reads() else {
            return $crate::server::db::Repository::assessment_by_token($repo, token).await;
        };
        if let Some(known) = reads.facts(token) {
            return Ok(Some(known));
        }
        let ticket = reads.ticket();
        let found = $crate::server::db::Repository::assessment_by_token($repo, token).await?;
        if let Some(a) = &found {
            reads.keep_facts(ticket, token, a);
        }
        Ok(found)
    }};
}

pub(crate) use {assessment_to_save, forget_kept, open_answers_by_token, save_open_answer};
