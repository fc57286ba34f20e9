//! A group of answer saves on the direct SQLite path (`groups.rs` holds the queue and
//! `direct.rs` the turn): the saves in one transaction, each in a savepoint of its own,
//! one commit, and each save's own outcome.

use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use time::OffsetDateTime;

use super::DbError;
use super::cases::{INSERT_AUDIT, TOUCH_CASE};
use super::cube::{LOCK_ASSESSMENT, LOCK_CASE_OF};
use super::direct::{answers, open, stamp};
use super::groups::{Job, Outcomes, Saved, poisoned};
use super::queries::UPSERT_ANSWER;

/// Commits `jobs` in one transaction on the direct writer, each in a savepoint: a save
/// that fails is rolled back alone and told why; when the group cannot commit (or SQLite
/// abandons its transaction), every save is told so and nothing of the group is stored.
pub(super) fn commit_group(
    path: &std::path::Path,
    slot: &Mutex<Option<Connection>>,
    jobs: &[Job],
) -> Outcomes {
    match slot.lock() {
        Ok(mut slot) => match slot.take().map_or_else(|| open(path, true), Ok) {
            Ok(mut conn) => {
                let outcomes = group_in(&mut conn, jobs);
                // A connection SQLite left inside a transaction (a failed write it rolled
                // back by itself, or a failed ROLLBACK) is closed here; the next group
                // opens a fresh one.
                if conn.is_autocommit() {
                    *slot = Some(conn);
                } else {
                    tracing::warn!("closing the direct SQLite writer left inside a transaction");
                }
                outcomes
            }
            Err(e) => jobs.iter().map(|_| Err(again(&e))).collect(),
        },
        Err(_) => jobs.iter().map(|_| Err(poisoned())).collect(),
    }
}

/// The outcome of each job of a group, in order.
fn group_in(conn: &mut Connection, jobs: &[Job]) -> Outcomes {
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => return jobs.iter().map(|_| Err(again(&e))).collect(),
    };
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        let outcome = match tx.execute_batch("SAVEPOINT save") {
            Ok(()) => save_in(&tx, job),
            Err(e) => Err(DbError::from(e)),
        };
        if tx.is_autocommit() {
            // SQLite gave up the whole transaction (e.g. SQLITE_FULL): nothing of the
            // group is stored, and no later save may run outside it.
            let why = match outcome {
                Err(DbError::Direct(e)) => again(&e),
                _ => DbError::Corrupt("the group's transaction ended early".into()),
            };
            return jobs.iter().map(|_| Err(again_db(&why))).collect();
        }
        let end = match outcome {
            Ok(Saved::Answers(_)) => "RELEASE save",
            // Nothing was written, or what was is undone.
            _ => "ROLLBACK TO save; RELEASE save",
        };
        if let Err(e) = tx.execute_batch(end) {
            return jobs.iter().map(|_| Err(again(&e))).collect();
        }
        outcomes.push(outcome);
    }
    match tx.commit() {
        Ok(()) => outcomes,
        Err(e) => jobs.iter().map(|_| Err(again(&e))).collect(),
    }
}

/// The same error again, for each save of a group it ended.
fn again(e: &rusqlite::Error) -> DbError {
    match e {
        rusqlite::Error::SqliteFailure(code, message) => {
            DbError::Direct(rusqlite::Error::SqliteFailure(*code, message.clone()))
        }
        other => DbError::Direct(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
            Some(other.to_string()),
        )),
    }
}

/// `again` for any error of the database.
fn again_db(e: &DbError) -> DbError {
    match e {
        DbError::Direct(e) => again(e),
        other => DbError::Corrupt(other.to_string()),
    }
}

/// One save inside the group's transaction: lock, upsert, audit line, the answers after.
fn save_in(tx: &Connection, job: &Job) -> Result<Saved, DbError> {
    let id = job.id;
    tx.prepare_cached(LOCK_CASE_OF)?.execute([id])?;
    let finished: Option<Option<String>> = tx
        .prepare_cached(LOCK_ASSESSMENT)?
        .query_row([id], |row| row.get(0))
        .optional()?;
    match finished {
        None => return Err(DbError::NoSuchAssessment(id)),
        // Rolled back to its savepoint: nothing was written.
        Some(Some(_)) => return Ok(Saved::Finished),
        Some(None) => {}
    }
    let now = stamp(OffsetDateTime::now_utc())?;
    tx.prepare_cached(UPSERT_ANSWER)?.execute(params![
        id,
        job.item,
        job.value,
        job.by.as_str(),
        now
    ])?;
    if let Some(entry) = &job.trail {
        let case_id = entry.case_id;
        tx.prepare_cached(INSERT_AUDIT)?.execute(params![
            now,
            entry.actor_id,
            entry.actor,
            entry.action,
            case_id,
            entry.assessment_id.or(Some(id)),
            entry.address,
            entry.detail
        ])?;
        if let Some(case_id) = case_id {
            tx.prepare_cached(TOUCH_CASE)?
                .execute(params![now, case_id])?;
        }
    }
    Ok(Saved::Answers(answers(tx, id)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::db::{AnsweredBy, Repository, SqliteRepository};

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// A burst of saves is committed in a few groups, not one by one, and each save
    /// gets its own outcome: stored with the answers after it, refused because its
    /// assessment is finished, or failed because there is no such assessment. None of
    /// the failures undoes another save of its group.
    #[tokio::test]
    async fn a_burst_of_saves_shares_commits_and_each_gets_its_own_outcome() -> TestResult {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}", dir.path().join("burst.db").display());
        let repo = SqliteRepository::connect(&url).await?;
        let mut ids = Vec::new();
        for (token, finished) in [("open", false), ("done", true)] {
            let row: (i64,) = sqlx::query_as(
                "INSERT INTO assessments (instrument, mode, language, started_at, finished_at, token) \
                 VALUES ('dr-1', 'self', 'da', $1, $2, $3) RETURNING id",
            )
            .bind(OffsetDateTime::now_utc())
            .bind(finished.then(OffsetDateTime::now_utc))
            .bind(token)
            .fetch_one(repo.pool())
            .await?;
            ids.push(row.0);
        }
        let (open, done, missing) = (ids[0], ids[1], 424_242);
        let value = serde_json::json!("none");
        let saves = (0..64).map(|n| {
            let id = match n % 16 {
                0 => done,
                1 => missing,
                _ => open,
            };
            let (repo, value, item) = (&repo, &value, format!("X{n}"));
            async move {
                let outcome = repo
                    .save_open_answer(id, &item, value, AnsweredBy::Recipient, None)
                    .await;
                (id, item, outcome)
            }
        });
        let outcomes = futures_util::future::join_all(saves).await;
        for (id, item, outcome) in outcomes {
            match (id, outcome) {
                (id, Ok(Some(stored))) if id == open => {
                    assert!(
                        stored.iter().any(|s| s.item == item),
                        "{item} not in its answers"
                    );
                }
                (id, Ok(None)) if id == done => {}
                (_, Err(DbError::NoSuchAssessment(424_242))) if id == missing => {}
                (id, other) => panic!("{item} of {id}: {other:?}"),
            }
        }
        assert_eq!(repo.answers(open).await?.len(), 56);
        assert!(repo.answers(done).await?.is_empty());
        let groups = repo.direct().map(|d| d.groups.count());
        assert!(
            groups.is_some_and(|g| g < 16),
            "64 saves took {groups:?} groups"
        );
        Ok(())
    }
}
