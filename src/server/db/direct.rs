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
//! - **Answer saves are committed in groups** (`groups.rs`): the writer's turn is the one
//!   connection of the `writer` pool, the fair queue every other write joins, and a group
//!   runs on a blocking thread in one transaction, each save in a savepoint of its own
//!   (lock, upsert, audit line, the answers after the change), with one commit
//!   (`direct_saves.rs`).
//!
//! What sqlx learned the hard way holds here too: a statement's error is always read (the
//! `rusqlite` calls step each statement to its end), and a connection SQLite leaves inside
//! a transaction after a failed write (`SQLITE_FULL` rolls back by itself) is closed, not
//! kept.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::direct_saves::commit_group;
use super::groups::{Groups, Job, Saved};
use super::queries::{SELECT_ANSWERS, assessment_columns};
use super::{Assessment, AssessmentId, DbError, StoredAnswer, stored_answer};

/// Read connections kept for reuse; more are opened under a burst and closed after it.
const READERS_KEPT: usize = 8;
/// The most saves one group commits: SQLite holds its write lock for the whole group.
const GROUP_MOST: usize = 256;

/// The connections of the direct path to one database file.
pub(crate) struct Direct {
    path: Arc<PathBuf>,
    readers: Mutex<Vec<Connection>>,
    /// Used only by whoever holds the writer's turn.
    writer: Arc<Mutex<Option<Connection>>>,
    /// Saves waiting for a group.
    pub(super) groups: Groups,
}

impl Direct {
    pub(crate) fn new(path: PathBuf) -> Direct {
        Direct {
            path: Arc::new(path),
            readers: Mutex::new(Vec::new()),
            writer: Arc::new(Mutex::new(None)),
            groups: Groups::new(GROUP_MOST),
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

    /// Stores one answer of an unfinished assessment, with its audit line, in the next
    /// group of saves (`groups.rs`); `turn` is the writer's turn (the writer pool's one
    /// connection, the fair queue every other write joins).
    pub(crate) async fn save_open_answer<T, E, Turn>(
        &self,
        turn: impl Fn() -> Turn,
        job: Job,
    ) -> Result<Saved, DbError>
    where
        DbError: From<E>,
        T: Send + 'static,
        Turn: Future<Output = Result<T, E>>,
    {
        let commit = |jobs: Vec<Job>| {
            let (path, slot) = (Arc::clone(&self.path), Arc::clone(&self.writer));
            // A panic on that thread gives no outcomes: the saves are told they were lost.
            async move {
                tokio::task::spawn_blocking(move || commit_group(&path, &slot, &jobs))
                    .await
                    .unwrap_or_default()
            }
        };
        self.groups.save(job, turn, commit).await
    }
}

/// A connection to `path` with the app's settings (`SqliteRepository::connect_options`).
pub(super) fn open(path: &std::path::Path, write: bool) -> rusqlite::Result<Connection> {
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

pub(super) fn answers(conn: &Connection, id: AssessmentId) -> Result<Vec<StoredAnswer>, DbError> {
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
pub(super) fn stamp(at: OffsetDateTime) -> Result<String, DbError> {
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
