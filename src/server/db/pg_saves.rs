//! Answer saves on PostgreSQL, committed in groups (`groups.rs`): a group is one call of
//! the function `save_open_answers` (migration 0020), one statement and so one round trip
//! and one commit for every save of it, each save in a subtransaction of its own.
//!
//! A turn is one of [`TURNS`] permits of this app instance: a few groups are in flight at
//! once, each on a connection of the pool, while the next saves queue behind them. The
//! function locks the rows a group changes in one order (cases, then assessments, by id),
//! so groups of this and other instances never deadlock.

use std::sync::Arc;

use sqlx::PgPool;
use tokio::sync::Semaphore;

use super::groups::{Groups, Job, Outcomes, Saved, lost};
use super::{DbError, stored_answer};

/// Groups in flight at once from one app instance.
const TURNS: usize = 2;
/// The most saves in one group: each is a subtransaction, and a backend keeps 64 of those
/// in memory before every snapshot of the server gets slower.
const GROUP_MOST: usize = 32;

/// The queue of answer saves of one app instance and its turns.
pub(crate) struct PgSaves {
    pool: PgPool,
    turns: Arc<Semaphore>,
    pub(super) groups: Groups,
}

/// One row of `save_open_answers`: the save's number (from 1), its outcome, and an answer
/// (`stored`) or the error's SQLSTATE and message (`error`).
type Row = (
    i32,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<time::OffsetDateTime>,
);

impl PgSaves {
    pub(crate) fn new(pool: PgPool) -> PgSaves {
        PgSaves {
            pool,
            turns: Arc::new(Semaphore::new(TURNS)),
            groups: Groups::new(GROUP_MOST),
        }
    }

    /// Stores one answer of an unfinished assessment, with its audit line, in the next
    /// group of saves.
    pub(crate) async fn save(&self, job: Job) -> Result<Saved, DbError> {
        // The semaphore is never closed.
        let turn = || {
            let turns = Arc::clone(&self.turns);
            async move { turns.acquire_owned().await.map_err(|_| lost()) }
        };
        let commit = |jobs| commit_group(self.pool.clone(), jobs);
        self.groups.save(job, turn, commit).await
    }
}

/// One call of `save_open_answers` for `jobs`: each job's outcome, or the call's error for
/// every job (nothing of the group was stored).
async fn commit_group(pool: PgPool, jobs: Vec<Job>) -> Outcomes {
    let rows = call(&pool, &jobs).await;
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => {
            let why = e.to_string();
            return jobs
                .iter()
                .map(|_| Err(DbError::Refused(why.clone())))
                .collect();
        }
    };
    let mut found: Vec<Option<Result<Saved, DbError>>> = jobs.iter().map(|_| None).collect();
    for (n, outcome, item, value, by, at) in rows {
        let i = usize::try_from(n - 1).unwrap_or(usize::MAX);
        let (Some(job), Some(slot)) = (jobs.get(i), found.get_mut(i)) else {
            return jobs.iter().map(|_| Err(unexpected(n, &outcome))).collect();
        };
        let next = match (outcome.as_str(), item, value, by, at) {
            ("stored", Some(item), Some(value), Some(by), Some(at)) => {
                match (slot.take(), stored_answer((item, value, by, at))) {
                    (None, Ok(answer)) => Ok(Saved::Answers(vec![answer])),
                    (Some(Ok(Saved::Answers(mut stored))), Ok(answer)) => {
                        stored.push(answer);
                        Ok(Saved::Answers(stored))
                    }
                    (Some(earlier), Ok(_)) => earlier,
                    (_, Err(e)) => Err(e),
                }
            }
            ("finished", ..) => Ok(Saved::Finished),
            ("missing", ..) => Err(DbError::NoSuchAssessment(job.id)),
            ("error", code, message, ..) => Err(DbError::Refused(format!(
                "{} (SQLSTATE {})",
                message.unwrap_or_default(),
                code.unwrap_or_default()
            ))),
            (other, ..) => Err(unexpected(n, other)),
        };
        *slot = Some(next);
    }
    found
        .into_iter()
        .map(|outcome| outcome.unwrap_or_else(|| Err(lost())))
        .collect()
}

/// The function's call, with the group as arrays (save i is element i of each).
async fn call(pool: &PgPool, jobs: &[Job]) -> Result<Vec<Row>, sqlx::Error> {
    let column = |f: &dyn Fn(&Job) -> Option<String>| jobs.iter().map(f).collect::<Vec<_>>();
    fn line(j: &Job) -> Option<&super::NewAudit> {
        j.trail.as_ref()
    }
    sqlx::query_as(
        "SELECT n, outcome, a_item, a_value, a_by, a_at FROM save_open_answers(\
         $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(jobs.iter().map(|j| j.id).collect::<Vec<i64>>())
    .bind(column(&|j| Some(j.item.clone())))
    .bind(column(&|j| Some(j.value.clone())))
    .bind(column(&|j| Some(j.by.as_str().to_owned())))
    .bind(
        jobs.iter()
            .map(|j| line(j).and_then(|l| l.actor_id))
            .collect::<Vec<_>>(),
    )
    .bind(column(&|j| line(j).map(|l| l.actor.clone())))
    .bind(column(&|j| line(j).map(|l| l.action.clone())))
    .bind(
        jobs.iter()
            .map(|j| line(j).and_then(|l| l.case_id))
            .collect::<Vec<_>>(),
    )
    .bind(
        jobs.iter()
            .map(|j| line(j).and_then(|l| l.assessment_id))
            .collect::<Vec<_>>(),
    )
    .bind(column(&|j| line(j).map(|l| l.address.clone())))
    .bind(column(&|j| line(j).map(|l| l.detail.clone())))
    .fetch_all(pool)
    .await
}

/// A row the function does not give.
fn unexpected(n: i32, outcome: &str) -> DbError {
    DbError::Corrupt(format!("save {n} of a group came back as {outcome:?}"))
}
