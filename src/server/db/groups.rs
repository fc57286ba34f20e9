//! Recipients' answer saves committed in groups, on either backend.
//!
//! A save joins a queue and waits for its outcome and, meanwhile, for a turn. Whoever
//! gets a turn takes the saves queued by then (at most a group's worth), commits them in
//! one transaction and hands each its own outcome; a save whose outcome came while it
//! waited does not need the turn. Alone, a save is a group of one; under a surge the
//! saves of a group share one commit (and on PostgreSQL one round trip). Nothing is
//! acknowledged before its group's commit, and a save that fails, or whose group fails to
//! commit, is told so and leaves nothing behind.
//!
//! The turn is the backend's: SQLite's one writer connection (`direct.rs`, whose group is
//! `direct_saves.rs`), or a few permits on PostgreSQL (`pg_saves.rs`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::oneshot;

use super::{AnsweredBy, AssessmentId, DbError, NewAudit, StoredAnswer};

/// One answer save of an open assessment.
pub(crate) struct Job {
    pub(crate) id: AssessmentId,
    pub(crate) item: String,
    /// The answer as JSON text.
    pub(crate) value: String,
    pub(crate) by: AnsweredBy,
    pub(crate) trail: Option<NewAudit>,
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

/// Each save's outcome, in the order of the group's jobs.
pub(crate) type Outcomes = Vec<Result<Saved, DbError>>;

type Reply = oneshot::Sender<Result<Saved, DbError>>;

/// The queue of saves waiting for a group.
pub(crate) struct Groups {
    queue: Mutex<Vec<(Job, Reply)>>,
    /// The most saves one group takes.
    most: usize,
    /// Groups committed (or tried) so far.
    count: AtomicU64,
}

impl Groups {
    pub(crate) fn new(most: usize) -> Groups {
        Groups {
            queue: Mutex::new(Vec::new()),
            most: most.max(1),
            count: AtomicU64::new(0),
        }
    }

    /// Groups committed (or tried) so far.
    #[cfg(test)]
    pub(crate) fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// Queues `job` and gives its outcome. While it waits, it asks for a turn (`turn`);
    /// holding one, it commits the next group with `commit`, which gives an outcome for
    /// each job it was handed, in order.
    ///
    /// The group runs as a task of its own, holding the turn until it has answered every
    /// save of it: a caller that goes away (a closed connection) cannot leave the others
    /// without an answer or free the turn early.
    pub(crate) async fn save<T, E, Turn, Commit, Done>(
        &self,
        job: Job,
        turn: impl Fn() -> Turn,
        commit: Commit,
    ) -> Result<Saved, DbError>
    where
        DbError: From<E>,
        T: Send + 'static,
        Turn: Future<Output = Result<T, E>>,
        Commit: Fn(Vec<Job>) -> Done,
        Done: Future<Output = Outcomes> + Send + 'static,
    {
        let (reply, mut outcome) = oneshot::channel();
        self.queue
            .lock()
            .map_err(|_| poisoned())?
            .push((job, reply));
        loop {
            tokio::select! {
                biased;
                done = &mut outcome => return done.unwrap_or_else(|_| Err(lost())),
                held = turn() => {
                    // Failing to get a turn leaves the job queued; its reply is closed once
                    // this returns, and no group takes a job whose caller is gone.
                    let held = held?;
                    if let Some(group) = self.next_group(held, &commit) {
                        // A panic in the group drops its replies: its saves are told they
                        // were lost.
                        let _ = group.await;
                    }
                }
            }
        }
    }

    /// Starts the next group (but the jobs whose caller is gone), holding the turn `held`.
    fn next_group<T, Done>(
        &self,
        held: T,
        commit: impl Fn(Vec<Job>) -> Done,
    ) -> Option<tokio::task::JoinHandle<()>>
    where
        T: Send + 'static,
        Done: Future<Output = Outcomes> + Send + 'static,
    {
        let taken: Vec<(Job, Reply)> = {
            let mut queue = self.queue.lock().ok()?;
            queue.retain(|(_, reply)| !reply.is_closed());
            let n = queue.len().min(self.most);
            queue.drain(..n).collect()
        };
        if taken.is_empty() {
            return None;
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let (jobs, replies): (Vec<Job>, Vec<Reply>) = taken.into_iter().unzip();
        let done = commit(jobs);
        Some(tokio::spawn(async move {
            let outcomes = done.await;
            drop(held);
            // A group that gave no outcome for every save drops the replies unanswered.
            if outcomes.len() == replies.len() {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(outcome);
                }
            }
        }))
    }
}

/// The queue's or a connection's lock was poisoned by a panic.
pub(crate) fn poisoned() -> DbError {
    DbError::Corrupt("a lock of the answer saves is poisoned".into())
}

/// A save's group ended without an outcome for it (a panic): nothing is acknowledged.
pub(crate) fn lost() -> DbError {
    DbError::Corrupt("the answer's group of saves ended without an outcome".into())
}
