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
//! - **An answer save** takes the writer's turn (the one connection of the `writer` pool,
//!   the fair queue every other write joins) and, while holding it, runs its whole
//!   transaction here: lock, upsert, audit line, the answers after the change, commit.
//!   One hand-off for the turn instead of fourteen.
//!
//! What sqlx learned the hard way holds here too: a statement's error is always read (the
//! `rusqlite` calls step each statement to its end), and a connection SQLite leaves inside
//! a transaction after a failed write (`SQLITE_FULL` rolls back by itself) is closed, not
//! kept.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

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
    path: PathBuf,
    readers: Mutex<Vec<Connection>>,
    /// Used only while the caller holds the writer's turn.
    writer: Mutex<Option<Connection>>,
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
            path,
            readers: Mutex::new(Vec::new()),
            writer: Mutex::new(None),
        }
    }

    /// A connection with the app's settings (`SqliteRepository::connect_options`).
    fn open(&self, write: bool) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "query_only", !write)?;
        conn.set_prepared_statement_cache_capacity(16);
        Ok(conn)
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
    /// answers after the change: `store_answers!` for one answer of an open assessment,
    /// in one transaction on this thread. The caller must hold the writer's turn (`_turn`,
    /// the writer pool's one connection), so no other write of the app runs meanwhile.
    pub(crate) fn save_open_answer<T>(
        &self,
        _turn: &mut T,
        id: AssessmentId,
        item: &str,
        value: &serde_json::Value,
        by: AnsweredBy,
        trail: Option<&NewAudit>,
    ) -> Result<Saved, DbError> {
        let mut slot = self
            .writer
            .lock()
            .map_err(|_| DbError::Corrupt("the direct writer's lock is poisoned".into()))?;
        let mut conn = match slot.take() {
            Some(conn) => conn,
            None => self.open(true)?,
        };
        let out = save_in(&mut conn, id, item, value, by, trail);
        // A connection SQLite left inside a transaction (a failed write it rolled back by
        // itself, or a failed ROLLBACK) is closed here; the next save opens a fresh one.
        if conn.is_autocommit() {
            *slot = Some(conn);
        } else {
            tracing::warn!("closing the direct SQLite writer left inside a transaction");
        }
        out
    }
}

fn save_in(
    conn: &mut Connection,
    id: AssessmentId,
    item: &str,
    value: &serde_json::Value,
    by: AnsweredBy,
    trail: Option<&NewAudit>,
) -> Result<Saved, DbError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.prepare_cached(LOCK_CASE_OF)?.execute([id])?;
    let finished: Option<Option<String>> = tx
        .prepare_cached(LOCK_ASSESSMENT)?
        .query_row([id], |row| row.get(0))
        .optional()?;
    match finished {
        None => return Err(DbError::NoSuchAssessment(id)),
        // Dropping the transaction rolls it back: nothing was written.
        Some(Some(_)) => return Ok(Saved::Finished),
        Some(None) => {}
    }
    let now = stamp(OffsetDateTime::now_utc())?;
    tx.prepare_cached(UPSERT_ANSWER)?.execute(params![
        id,
        item,
        value.to_string(),
        by.as_str(),
        now
    ])?;
    if let Some(entry) = trail {
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
    let stored = answers(&tx, id)?;
    tx.commit()?;
    Ok(Saved::Answers(stored))
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

    #[test]
    fn times_are_written_as_sqlx_writes_them() -> Result<(), DbError> {
        let at = time::macros::datetime!(2026-12-01 14:38:44.5 UTC);
        assert_eq!(stamp(at)?, "2026-12-01T14:38:44.5Z");
        assert_eq!(time_of(&stamp(at)?)?, at);
        assert!(time_of("yesterday").is_err());
        Ok(())
    }
}
