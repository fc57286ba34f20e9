//! A recipient's open assessment on PostgreSQL, read from this app instance's memory when
//! it is known to be what the database holds: a question page then costs no round trip.
//!
//! A kept copy is served only when all of these hold:
//! - **Nobody else changed it since.** Every change to an assessment or its answers, by
//!   any instance, any statement, makes the database announce the assessment's id
//!   (triggers of migration 0021, `NOTIFY digiparat_assessments`); this instance listens
//!   and drops the copies named. A copy read while an announcement arrived is not kept.
//! - **The recipient's own writes are in it.** Each write of a recipient (a `POST` with
//!   their device) answers with a new stamp in a cookie (`server::write_stamp`), and a
//!   copy is kept with the stamp its request carried. A page asked for after a write,
//!   from whichever instance, carries the new stamp and so is read from the database,
//!   whether or not the announcement of the write has arrived yet.
//! - **The listener is connected.** While its connection is down, no copy is served or
//!   kept; when it is back, every copy is dropped, since announcements may have been lost.
//!
//! For answer saves an instance also knows the open assessment itself (not its answers)
//! by token, until an announcement for it: a save needs its id, instrument and case, and
//! checks under lock that it is still there and open, so this needs no stamp.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::oneshot;

use super::{Assessment, AssessmentId, StoredAnswer};

/// The channel the triggers of migration 0021 announce on.
pub(crate) const CHANNEL: &str = "digiparat_assessments";
/// The most copies kept (a few KB each); when full, all are dropped and kept anew.
const MOST: usize = 4096;
/// How many recent announcements are remembered to tell whether a read raced one.
const RECENT: usize = 1024;

/// What a device token names, as read.
pub(crate) type Read = (Assessment, Vec<StoredAnswer>);

/// The kept copies of one app instance and what the listener has heard.
pub(crate) struct PgReads {
    live: AtomicBool,
    /// Counts announcements (and every drop of all copies): a read that starts and ends at
    /// the same count raced none.
    heard: AtomicU64,
    kept: Mutex<Kept>,
    /// Dropped with this: the listener ends.
    _stop: oneshot::Sender<()>,
}

#[derive(Default)]
struct Kept {
    by_token: HashMap<String, Copy>,
    tokens: HashMap<AssessmentId, String>,
    /// Open assessments by token, for saves, and their tokens by id.
    facts: HashMap<String, Assessment>,
    fact_tokens: HashMap<AssessmentId, String>,
    /// The latest announcements, as (count after it, id); `None` means every assessment.
    recent: VecDeque<(u64, Option<AssessmentId>)>,
}

struct Copy {
    stamp: Option<String>,
    read: Read,
}

/// A read's start: what the listener had heard by then.
pub(crate) struct Ticket(u64);

impl PgReads {
    /// Copies kept as announcements of `pool`'s database say; the listener runs until
    /// the returned value is dropped.
    pub(crate) async fn start(pool: &PgPool) -> Arc<PgReads> {
        let (stop, gone) = oneshot::channel();
        let reads = Arc::new(PgReads {
            live: AtomicBool::new(false),
            heard: AtomicU64::new(0),
            kept: Mutex::new(Kept::default()),
            _stop: stop,
        });
        let first = listen(pool).await;
        tokio::spawn(run(Arc::downgrade(&reads), pool.clone(), first, gone));
        reads
    }

    /// The copy for `token` if it may be served to a request with `stamp`.
    pub(crate) fn get(&self, token: &str, stamp: Option<&str>) -> Option<Read> {
        if !self.live.load(Ordering::Acquire) {
            return None;
        }
        let kept = self.kept.lock().ok()?;
        let copy = kept.by_token.get(token)?;
        (copy.stamp.as_deref() == stamp).then(|| copy.read.clone())
    }

    /// Before reading from the database.
    pub(crate) fn ticket(&self) -> Ticket {
        Ticket(self.heard.load(Ordering::Acquire))
    }

    /// Keeps what was read for `token` under `stamp`, unless an announcement for it (or
    /// for all) arrived since `ticket`, or the listener is down.
    pub(crate) fn keep(&self, ticket: Ticket, token: &str, stamp: Option<&str>, read: &Read) {
        if !self.live.load(Ordering::Acquire) {
            return;
        }
        let Ok(mut kept) = self.kept.lock() else {
            return;
        };
        if self.raced(&kept, &ticket, read.0.id) {
            return;
        }
        if kept.by_token.len() >= MOST {
            kept.by_token.clear();
            kept.tokens.clear();
        }
        kept.tokens.insert(read.0.id, token.to_owned());
        kept.by_token.insert(
            token.to_owned(),
            Copy {
                stamp: stamp.map(str::to_owned),
                read: read.clone(),
            },
        );
    }

    /// Whether an announcement for `id` (or for all) arrived since `ticket`, or may have.
    fn raced(&self, kept: &Kept, ticket: &Ticket, id: AssessmentId) -> bool {
        if self.heard.load(Ordering::Acquire) == ticket.0 {
            return false;
        }
        let covered = kept.recent.front().is_some_and(|(n, _)| *n <= ticket.0 + 1);
        !covered
            || kept
                .recent
                .iter()
                .any(|(n, heard)| *n > ticket.0 && heard.is_none_or(|h| h == id))
    }

    /// The open assessment `token` names as this instance knows it, for a save.
    pub(crate) fn facts(&self, token: &str) -> Option<Assessment> {
        if !self.live.load(Ordering::Acquire) {
            return None;
        }
        self.kept.lock().ok()?.facts.get(token).cloned()
    }

    /// Knows `a`, read for `token` after `ticket`, if it is open and no announcement for
    /// it arrived since. The person's own writes do not drop it (`forget`): only the
    /// database's announcements do.
    pub(crate) fn keep_facts(&self, ticket: Ticket, token: &str, a: &Assessment) {
        if !self.live.load(Ordering::Acquire) || a.finished_at.is_some() {
            return;
        }
        let Ok(mut kept) = self.kept.lock() else {
            return;
        };
        if self.raced(&kept, &ticket, a.id) {
            return;
        }
        if kept.facts.len() >= MOST {
            kept.facts.clear();
            kept.fact_tokens.clear();
        }
        kept.fact_tokens.insert(a.id, token.to_owned());
        kept.facts.insert(token.to_owned(), a.clone());
    }

    /// Drops the copy for `token`, and keeps no read of it that started before.
    pub(crate) fn forget(&self, token: &str) {
        let Ok(mut kept) = self.kept.lock() else {
            return;
        };
        let id = kept.by_token.remove(token).map(|copy| copy.read.0.id);
        if let Some(id) = id {
            kept.tokens.remove(&id);
        }
        let n = self.heard.fetch_add(1, Ordering::AcqRel) + 1;
        // Without a copy its id is unknown: every read under way is not kept.
        remember(&mut kept.recent, n, id);
    }

    /// How many copies are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.kept
            .lock()
            .map(|k| k.by_token.len())
            .unwrap_or_default()
    }

    /// An announcement: `payload` is ids separated by commas, or `*` for all.
    fn heard(&self, payload: &str) {
        let ids: Option<Vec<AssessmentId>> = if payload == "*" {
            None
        } else {
            payload
                .split(',')
                .map(|id| id.trim().parse().ok())
                .collect::<Option<Vec<_>>>()
        };
        let Ok(mut kept) = self.kept.lock() else {
            return;
        };
        match ids {
            Some(ids) => {
                for id in ids {
                    let n = self.heard.fetch_add(1, Ordering::AcqRel) + 1;
                    remember(&mut kept.recent, n, Some(id));
                    if let Some(token) = kept.tokens.remove(&id) {
                        kept.by_token.remove(&token);
                    }
                    if let Some(token) = kept.fact_tokens.remove(&id) {
                        kept.facts.remove(&token);
                    }
                }
            }
            // All, or an announcement this version cannot read: drop every copy.
            None => {
                let n = self.heard.fetch_add(1, Ordering::AcqRel) + 1;
                remember(&mut kept.recent, n, None);
                kept.by_token.clear();
                kept.tokens.clear();
                kept.facts.clear();
                kept.fact_tokens.clear();
            }
        }
    }

    /// The listener is down (`false`) or back (`true`); either way every copy goes.
    fn set_live(&self, live: bool) {
        if !live {
            self.live.store(false, Ordering::Release);
        }
        self.heard("*");
        if live {
            self.live.store(true, Ordering::Release);
        }
    }
}

fn remember(recent: &mut VecDeque<(u64, Option<AssessmentId>)>, n: u64, id: Option<AssessmentId>) {
    if recent.len() >= RECENT {
        recent.pop_front();
    }
    recent.push_back((n, id));
}

/// A listener on `pool`'s database, listening.
async fn listen(pool: &PgPool) -> Option<PgListener> {
    let mut listener = match PgListener::connect_with(pool).await {
        Ok(listener) => listener,
        Err(e) => {
            tracing::warn!(error = %e, "no listener for changed assessments: pages read the database");
            return None;
        }
    };
    match listener.listen(CHANNEL).await {
        Ok(()) => Some(listener),
        Err(e) => {
            tracing::warn!(error = %e, "could not listen for changed assessments");
            None
        }
    }
}

/// Hears announcements until `reads` is dropped (`gone`); reconnects every second when
/// the connection is lost, dropping every copy. A wait for the next announcement is only
/// ever abandoned at the end: one abandoned midway could lose an announcement.
async fn run(
    reads: Weak<PgReads>,
    pool: PgPool,
    mut listener: Option<PgListener>,
    mut gone: oneshot::Receiver<()>,
) {
    loop {
        let Some(mut l) = listener.take() else {
            match reads.upgrade() {
                Some(r) => r.set_live(false),
                None => return,
            }
            tokio::select! {
                _ = &mut gone => return,
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
            listener = listen(&pool).await;
            continue;
        };
        match reads.upgrade() {
            Some(r) => r.set_live(true),
            None => return,
        }
        loop {
            let next = tokio::select! {
                _ = &mut gone => return,
                next = l.try_recv() => next,
            };
            let Some(r) = reads.upgrade() else {
                return;
            };
            match next {
                Ok(Some(notice)) => r.heard(notice.payload()),
                // Lost: `try_recv` says so with `None` (or an error).
                Ok(None) | Err(_) => {
                    r.set_live(false);
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads() -> PgReads {
        PgReads {
            live: AtomicBool::new(true),
            heard: AtomicU64::new(0),
            kept: Mutex::new(Kept::default()),
            _stop: oneshot::channel().0,
        }
    }

    fn read(id: AssessmentId) -> Read {
        let assessment = Assessment {
            id,
            instrument: "digiparat-1".into(),
            mode: crate::domain::Mode::SelfAssessment,
            language: "da".into(),
            started_at: time::OffsetDateTime::UNIX_EPOCH,
            finished_at: None,
            token: Some("tok".into()),
            resume_code: None,
            note: None,
            case_id: None,
            team_id: None,
            age_band: None,
            created_by: None,
        };
        (assessment, Vec::new())
    }

    #[test]
    fn a_copy_is_served_only_with_its_stamp_and_until_announced() {
        let r = reads();
        let t = r.ticket();
        r.keep(t, "tok", Some("s1"), &read(7));
        assert!(r.get("tok", Some("s1")).is_some());
        assert!(
            r.get("tok", Some("s2")).is_none(),
            "a newer stamp reads the database"
        );
        assert!(r.get("tok", None).is_none());
        r.heard("3,7");
        assert!(r.get("tok", Some("s1")).is_none(), "announced: dropped");
        r.keep(r.ticket(), "tok", None, &read(7));
        let t = r.ticket();
        r.forget("tok");
        assert!(r.get("tok", None).is_none(), "forgotten: dropped");
        r.keep(t, "tok", None, &read(7));
        assert!(
            r.get("tok", None).is_none(),
            "a read from before the forgetting"
        );
    }

    #[test]
    fn a_read_that_raced_an_announcement_for_it_is_not_kept() {
        let r = reads();
        let t = r.ticket();
        r.heard("7");
        r.keep(t, "tok", None, &read(7));
        assert!(r.get("tok", None).is_none());
        // An announcement for another assessment does not stop it.
        let t = r.ticket();
        r.heard("8");
        r.keep(t, "tok", None, &read(7));
        assert!(r.get("tok", None).is_some());
    }

    #[test]
    fn an_open_assessment_is_known_for_saves_until_announced() {
        let r = reads();
        r.keep_facts(r.ticket(), "tok", &read(7).0);
        r.forget("tok");
        assert_eq!(
            r.facts("tok").map(|a| a.id),
            Some(7),
            "the person's own write leaves it"
        );
        r.heard("7");
        assert!(r.facts("tok").is_none(), "announced: dropped");
        let t = r.ticket();
        r.heard("7");
        r.keep_facts(t, "tok", &read(7).0);
        assert!(
            r.facts("tok").is_none(),
            "a read that raced an announcement"
        );
        let mut done = read(7).0;
        done.finished_at = Some(time::OffsetDateTime::UNIX_EPOCH);
        r.keep_facts(r.ticket(), "tok", &done);
        assert!(r.facts("tok").is_none(), "a finished one is read each time");
        r.keep_facts(r.ticket(), "tok", &read(7).0);
        r.set_live(false);
        assert!(
            r.facts("tok").is_none(),
            "nothing while the listener is down"
        );
        r.set_live(true);
        assert!(r.facts("tok").is_none(), "nor what was known before");
    }

    #[test]
    fn nothing_is_served_or_kept_while_the_listener_is_down() {
        let r = reads();
        r.keep(r.ticket(), "tok", None, &read(7));
        r.set_live(false);
        assert!(r.get("tok", None).is_none());
        r.keep(r.ticket(), "tok", None, &read(7));
        r.set_live(true);
        assert!(
            r.get("tok", None).is_none(),
            "copies from before the loss are gone"
        );
        r.heard("*");
        assert_eq!(r.len(), 0);
        r.heard("not ids");
        assert_eq!(r.len(), 0);
    }
}
