//! The recipient's hot paths on SQLite, run whole on the calling thread.
//!
//! sqlx runs each SQLite connection on a thread of its own, and every statement is a
//! message to that thread and back: a question page cost 3 such round trips and an answer
//! save about 14, each two thread wake-ups, for 1 % of work in SQLite itself (BENCHMARKS.md,
//! "What the profile showed"). Here the same statements (`queries.rs` holds them once for
//! both paths) run on connections of our own, on the thread that asks:
//!
//! - **Reads** (a device's assessment and its answers) take one of a few kept connections
//!   in WAL mode, which never wait for the writer. A read of one row and its answers is a
//!   few microseconds, less than a thread hand-off, so it runs inline.
//! - **Answer saves are committed in groups.** A save joins a queue and waits for the
//!   writer's turn (the one connection of the `writer` pool, the fair queue every other
//!   write joins). Whoever gets the turn takes every save queued by then and runs them in
//!   one transaction on a blocking thread, each in a savepoint of its own (lock, upsert,
//!   audit line, the answers after the change), commits once, and hands each its outcome;
//!   a save whose outcome came while it waited does not need the turn. Under a surge the
//!   saves of a group share one commit and one write of each page; alone, a save is a
//!   group of one. Nothing is acknowledged before its group's commit, and a save that
//!   fails (or whose group fails to commit) is told so and leaves nothing behind.
//!
//! What sqlx learned the hard way holds here too: a statement's error is always read (the
//! `rusqlite` calls step each statement to its end), and a connection SQLite leaves inside
//! a transaction after a failed write (`SQLITE_FULL` rolls back by itself) is closed, not
//! kept.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::cases::{INSERT_AUDIT, TOUCH_CASE};
use super::cube::{LOCK_ASSESSMENT, LOCK_CASE_OF};
use super::queries::{SELECT_ANSWERS, UPSERT_ANSWER, assessment_columns};
use super::{AnsweredBy, Assessment, AssessmentId, DbError, NewAudit, StoredAnswer, stored_answer};

/// Read connections kept for reuse; more are opened under a burst and closed after it.
const READERS_KEPT: usize = 8;

/// The connections of the direct path to one database file.
pub(crate) struct Direct {
    path: Arc<PathBuf>,
    readers: Mutex<Vec<Connection>>,
    /// Used only by whoever holds the writer's turn.
    writer: Arc<Mutex<Option<Connection>>>,
    /// Saves waiting for a group.
    queue: Mutex<Vec<Job>>,
    /// Groups committed (or tried) so far.
    groups: AtomicU64,
}

/// One queued answer save, and where its outcome goes.
struct Job {
    id: AssessmentId,
    item: String,
    value: String,
    by: AnsweredBy,
    trail: Option<NewAudit>,
    reply: oneshot::Sender<Result<Saved, DbError>>,
}

/// What a save of an open assessment's answer found.
pub(crate) enum Saved {
    /// Stored; the assessment's answers after the change.
    Answers(Vec<StoredAnswer>),
    /// The assessment was finished meanwhile: nothing was stored.
    Finished,
}

impl Saved {
    /// The answers after the change, or `None` when nothing was stored.
    pub(crate) fn answers(self) -> Option<Vec<StoredAnswer>> {
        match self {
            Saved::Answers(stored) => Some(stored),
            Saved::Finished => None,
        }
    }
}

impl Direct {
    pub(crate) fn new(path: PathBuf) -> Direct {
        Direct {
            path: Arc::new(path),
            readers: Mutex::new(Vec::new()),
            writer: Arc::new(Mutex::new(None)),
            queue: Mutex::new(Vec::new()),
            groups: AtomicU64::new(0),
        }
    }

    /// A connection with the app's settings (`SqliteRepository::connect_options`).
    fn open(&self, write: bool) -> rusqlite::Result<Connection> {
        open(&self.path, write)
    }

    /// Runs `f` on a kept read connection (or a new one).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T, DbError>) -> Result<T, DbError> {
        let kept = self.readers.lock().ok().and_then(|mut r| r.pop());
        let conn = match kept {
            Some(conn) => conn,
            None => self.open(false)?,
        };
        let out = f(&conn);
        if conn.is_autocommit()
            && let Ok(mut readers) = self.readers.lock()
            && readers.len() < READERS_KEPT
        {
            readers.push(conn);
        }
        out
    }

    /// The assessment a device token names, if any.
    pub(crate) fn assessment_by_token(&self, token: &str) -> Result<Option<Assessment>, DbError> {
        self.read(|conn| by_token(conn, token))
    }

    /// An assessment's answers in the order they were last changed.
    pub(crate) fn answers(&self, id: AssessmentId) -> Result<Vec<StoredAnswer>, DbError> {
        self.read(|conn| answers(conn, id))
    }

    /// The assessment a device token names, with its answers, in one read transaction.
    pub(crate) fn assessment_with_answers_by_token(
        &self,
        token: &str,
    ) -> Result<Option<(Assessment, Vec<StoredAnswer>)>, DbError> {
        self.read(|conn| {
            let tx = conn.unchecked_transaction()?;
            let found = match by_token(&tx, token)? {
                Some(a) => {
                    let stored = answers(&tx, a.id)?;
                    Some((a, stored))
                }
                None => None,
            };
            tx.finish()?;
            Ok(found)
        })
    }

    /// Stores one answer of an unfinished assessment, with its audit line, and gives the
    /// answers after the change: `store_answers!` for one answer of an open assessment.
    /// The save joins the queue; `turn` is the writer's turn (the writer pool's one
    /// connection), and whoever gets it first commits the queued saves as a group.
    pub(crate) async fn save_open_answer<T, E>(
        &self,
        turn: impl Future<Output = Result<T, E>>,
        id: AssessmentId,
        item: &str,
        value: &serde_json::Value,
        by: AnsweredBy,
        trail: Option<&NewAudit>,
    ) -> Result<Saved, DbError>
    where
        DbError: From<E>,
    {
        let (reply, mut outcome) = oneshot::channel();
        self.queue.lock().map_err(|_| poisoned())?.push(Job {
            id,
            item: item.to_owned(),
            value: value.to_string(),
            by,
            trail: trail.cloned(),
            reply,
        });
        tokio::select! {
            biased;
            done = &mut outcome => return done.unwrap_or_else(|_| Err(lost())),
            held = turn => {
                let held = held?;
                self.commit_queued().await;
                drop(held);
            }
        }
        outcome.await.unwrap_or_else(|_| Err(lost()))
    }

    /// Runs every queued save (but those whose caller is gone) as one group, on a blocking
    /// thread; the caller holds the writer's turn.
    async fn commit_queued(&self) {
        let jobs: Vec<Job> = match self.queue.lock() {
            Ok(mut queue) => queue.drain(..).filter(|j| !j.reply.is_closed()).collect(),
            Err(_) => return,
        };
        if jobs.is_empty() {
            return;
        }
        self.groups.fetch_add(1, Ordering::Relaxed);
        let (path, slot) = (Arc::clone(&self.path), Arc::clone(&self.writer));
        // A panic on that thread drops the jobs, and their callers are told they were lost.
        let _ = tokio::task::spawn_blocking(move || commit_group(&path, &slot, jobs)).await;
    }
}

/// The queue's or a connection's lock was poisoned by a panic.
fn poisoned() -> DbError {
    DbError::Corrupt("a lock of the direct SQLite path is poisoned".into())
}

/// A save's group ended without an outcome for it (a panic): nothing is acknowledged.
fn lost() -> DbError {
    DbError::Corrupt("the answer's group of saves ended without an outcome".into())
}

/// Commits `jobs` in one transaction on the direct writer, each in a savepoint: a save
/// that fails is rolled back alone and told why; when the group cannot commit (or SQLite
/// abandons its transaction), every save is told so and nothing of the group is stored.
fn commit_group(path: &std::path::Path, slot: &Mutex<Option<Connection>>, jobs: Vec<Job>) {
    let outcomes = match slot.lock() {
        Ok(mut slot) => match slot.take().map_or_else(|| open(path, true), Ok) {
            Ok(mut conn) => {
                let outcomes = group_in(&mut conn, &jobs);
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
    };
    for (job, outcome) in jobs.into_iter().zip(outcomes) {
        let _ = job.reply.send(outcome);
    }
}

/// The outcome of each job of a group, in order.
fn group_in(conn: &mut Connection, jobs: &[Job]) -> Vec<Result<Saved, DbError>> {
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

/// A connection to `path` with the app's settings (`SqliteRepository::connect_options`).
fn open(path: &std::path::Path, write: bool) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "query_only", !write)?;
    conn.set_prepared_statement_cache_capacity(16);
    Ok(conn)
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

fn by_token(conn: &Connection, token: &str) -> Result<Option<Assessment>, DbError> {
    let mut statement = conn.prepare_cached(concat!(
        assessment_columns!(),
        " FROM assessments WHERE token = $1"
    ))?;
    let row = statement
        .query_row([token], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, Option<String>>(5)?,
                row.get::<_, Option<String>>(6)?,
                row.get::<_, Option<String>>(7)?,
                row.get::<_, Option<String>>(8)?,
                (
                    row.get::<_, Option<i64>>(9)?,
                    row.get::<_, Option<i64>>(10)?,
                    row.get::<_, Option<String>>(11)?,
                    row.get::<_, Option<i64>>(12)?,
                ),
            ))
        })
        .optional()?;
    let Some((id, instrument, mode, language, started, finished, token, resume, note, rest)) = row
    else {
        return Ok(None);
    };
    let (case_id, team_id, age_band, created_by) = rest;
    Ok(Some(Assessment {
        id,
        instrument,
        mode: mode
            .parse()
            .map_err(|e: crate::domain::UnknownCode| DbError::Corrupt(e.to_string()))?,
        language,
        started_at: time_of(&started)?,
        finished_at: finished.as_deref().map(time_of).transpose()?,
        token,
        resume_code: resume,
        note,
        case_id,
        team_id,
        age_band,
        created_by,
    }))
}

fn answers(conn: &Connection, id: AssessmentId) -> Result<Vec<StoredAnswer>, DbError> {
    let mut statement = conn.prepare_cached(SELECT_ANSWERS)?;
    let rows = statement.query_map([id], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
        ))
    })?;
    rows.map(|row| {
        let (item, value, by, at) = row?;
        stored_answer((item, value, by, time_of(&at)?))
    })
    .collect()
}

/// A time as sqlx stores an `OffsetDateTime` in SQLite (RFC 3339), so that both paths
/// write, and sort, the same text.
fn stamp(at: OffsetDateTime) -> Result<String, DbError> {
    at.format(&Rfc3339)
        .map_err(|e| DbError::Corrupt(format!("a time could not be written: {e}")))
}

/// A stored time, in the RFC 3339 text sqlx writes.
fn time_of(text: &str) -> Result<OffsetDateTime, DbError> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| DbError::Corrupt(format!("time {text:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::db::{Repository, SqliteRepository};

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
        let groups = repo.direct().map(|d| d.groups.load(Ordering::Relaxed));
        assert!(
            groups.is_some_and(|g| g < 16),
            "64 saves took {groups:?} groups"
        );
        Ok(())
    }

    #[test]
    fn times_are_written_as_sqlx_writes_them() -> Result<(), DbError> {
        let at = time::macros::datetime!(2026-12-01 14:38:44.5 UTC);
        assert_eq!(stamp(at)?, "2026-12-01T14:38:44.5Z");
        assert_eq!(time_of(&stamp(at)?)?, at);
        assert!(time_of("yesterday").is_err());
        Ok(())
    }
}
