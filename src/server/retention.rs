//! Retention: a case with no activity for the configured number of months loses its
//! identifying data (the same erasure as on request); its finished results stay,
//! detached, for statistics. What belongs to no case expires too: an unfinished
//! anonymous self-assessment or case-less interview after [`UNFINISHED_KEPT`] without an
//! answer (its resume code stops working), one started without a single answer after
//! [`EMPTY_KEPT`], and a finished one keeps only its result after the retention period.
//! Runs at start-up and then every hour.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use crate::server::db::{CaseId, DbError, NewAudit, Repository};

/// The moment `months` calendar months before `now` (the last day of a shorter month).
pub fn cutoff(now: OffsetDateTime, months: u32) -> OffsetDateTime {
    crate::domain::calendar::shift_months(now.date(), -i64::from(months))
        .with_time(now.time())
        .assume_utc()
}

/// How long an unfinished assessment without a case is kept after its last answer.
pub const UNFINISHED_KEPT: time::Duration = time::Duration::days(30);
/// How long a self-assessment that was started but never answered is kept.
pub const EMPTY_KEPT: time::Duration = time::Duration::hours(1);

/// Erases every case inactive since `cutoff` (auditing each) and expires what belongs to
/// no case; returns the erased case ids.
pub async fn erase_inactive(
    db: &dyn Repository,
    cutoff: OffsetDateTime,
) -> Result<Vec<CaseId>, DbError> {
    let now = OffsetDateTime::now_utc();
    let (deleted, stripped) = db
        .expire_caseless(now - UNFINISHED_KEPT, now - EMPTY_KEPT, cutoff)
        .await?;
    if deleted + stripped > 0 {
        tracing::info!(
            deleted,
            stripped,
            "retention: expired assessments without a case"
        );
    }
    let mut erased = Vec::new();
    for id in db.inactive_cases(cutoff).await? {
        let line = NewAudit {
            actor: "system".into(),
            action: "case.erase".into(),
            address: "-".into(),
            detail: "retention period ended".into(),
            ..NewAudit::default()
        };
        if db.erase_case(id, Some(&line)).await? {
            erased.push(id);
        }
    }
    // Old failed sign-ins have done their job.
    db.clear_login_failures(None, OffsetDateTime::now_utc() - time::Duration::days(1))
        .await?;
    Ok(erased)
}

/// The hourly job. A failed run is logged and tried again the next hour.
pub fn spawn_hourly(db: Arc<dyn Repository>, months: u32) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(Duration::from_secs(60 * 60));
        loop {
            every_hour.tick().await;
            match erase_inactive(db.as_ref(), cutoff(OffsetDateTime::now_utc(), months)).await {
                Ok(ids) if !ids.is_empty() => {
                    tracing::info!(cases = ids.len(), "retention: erased inactive cases")
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "retention run failed"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::cutoff;
    use time::macros::datetime;

    #[test]
    fn cutoff_counts_calendar_months() {
        assert_eq!(
            cutoff(datetime!(2026-11-25 10:00 UTC), 24),
            datetime!(2024-11-25 10:00 UTC)
        );
        assert_eq!(
            cutoff(datetime!(2026-03-31 00:00 UTC), 1),
            datetime!(2026-02-28 00:00 UTC)
        );
        assert_eq!(
            cutoff(datetime!(2026-01-15 00:00 UTC), 13),
            datetime!(2024-12-15 00:00 UTC)
        );
    }
}
