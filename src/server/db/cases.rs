//! Teams, staff administration, recipients' cases, invite codes, the audit trail, sign-in
//! throttling and the GDPR operations (retention, erasure). Written once for both
//! backends, like `queries.rs`; filtered lists use `QueryBuilder`, which knows each
//! dialect's placeholders.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::{AssessmentId, DbError, UserId};

pub type CaseId = i64;
pub type TeamId = i64;

#[derive(Clone, Debug, PartialEq)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NewCase {
    pub reference: String,
    pub birth_year: i32,
    pub team_id: TeamId,
    pub caseworker_id: Option<UserId>,
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct Case {
    pub id: CaseId,
    pub reference: String,
    pub birth_year: i32,
    pub team_id: TeamId,
    pub team_name: String,
    pub caseworker_id: Option<UserId>,
    pub caseworker_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub last_activity_at: OffsetDateTime,
}

/// One assessment of a case as lists show it: when, how, and the channel it gave.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct AssessmentSummary {
    pub id: AssessmentId,
    pub case_id: CaseId,
    pub mode: crate::domain::Mode,
    pub started_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
    pub token: Option<String>,
    pub channel: Option<crate::domain::Channel>,
    pub override_channel: Option<crate::domain::Channel>,
    pub provisional: bool,
    pub borderline: bool,
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct Invite {
    pub id: i64,
    pub case_id: CaseId,
    pub code: String,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
    pub assessment_id: Option<AssessmentId>,
}

/// One line of the audit trail, as written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewAudit {
    pub actor_id: Option<UserId>,
    /// `user:<username>`, `recipient` or `system`.
    pub actor: String,
    pub action: String,
    pub case_id: Option<CaseId>,
    pub assessment_id: Option<AssessmentId>,
    pub address: String,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: OffsetDateTime,
    pub entry: NewAudit,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuditFilter {
    /// Part of the actor, e.g. a username.
    pub actor: Option<String>,
    pub action: Option<String>,
    pub case_id: Option<CaseId>,
    pub from: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
    pub limit: i64,
}

#[async_trait]
pub trait CaseStore {
    async fn create_case(&self, new: &NewCase, trail: Option<&NewAudit>)
    -> Result<CaseId, DbError>;
    async fn case(&self, id: CaseId) -> Result<Option<Case>, DbError>;
    async fn cases_of_team(&self, team_id: TeamId) -> Result<Vec<Case>, DbError>;
    /// Every assessment of every case of the team, oldest first (one query for a caseload).
    async fn assessments_of_team(&self, team_id: TeamId)
    -> Result<Vec<AssessmentSummary>, DbError>;
    async fn assessments_of_case(&self, case_id: CaseId)
    -> Result<Vec<AssessmentSummary>, DbError>;
    /// Records activity on a case (it restarts the retention period).
    async fn touch_case(&self, case_id: CaseId) -> Result<(), DbError>;
}

/// Implements `CaseStore` for a repository type with a `pool` of database `$db`.
macro_rules! impl_case_store {
    ($repo:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::server::db::CaseStore for $repo {
            #[tracing::instrument(level = "debug", skip_all)]
            async fn create_case(&self, new: &$crate::server::db::NewCase, trail: Option<&$crate::server::db::NewAudit>) -> Result<$crate::server::db::CaseId, $crate::server::db::DbError> {
                let now = time::OffsetDateTime::now_utc();
                let mut tx = self.writer.begin().await?;
                let id: Result<i64, sqlx::Error> = sqlx::query_scalar(
                    "INSERT INTO cases (reference, birth_year, team_id, caseworker_id, created_at, last_activity_at) \
                     VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
                )
                .bind(&new.reference)
                .bind(new.birth_year)
                .bind(new.team_id)
                .bind(new.caseworker_id)
                .bind(now)
                .fetch_all(&mut *tx)
                .await
                .and_then($crate::server::db::returned);
                let id = id.map_err(|e| $crate::server::db::cases::unique_or(e, "a case with that reference"))?;
                $crate::server::db::cases::trail_on!(tx, trail, Some(id), None);
                tx.commit().await?;
                Ok(id)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn case(&self, id: $crate::server::db::CaseId) -> Result<Option<$crate::server::db::Case>, $crate::server::db::DbError> {
                Ok(sqlx::query_as(concat!($crate::server::db::cases::case_select!(), " WHERE c.id = $1")).bind(id).fetch_optional(&self.pool).await?)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn cases_of_team(&self, team_id: $crate::server::db::TeamId) -> Result<Vec<$crate::server::db::Case>, $crate::server::db::DbError> {
                Ok(sqlx::query_as(concat!($crate::server::db::cases::case_select!(), " WHERE c.team_id = $1 ORDER BY c.reference")).bind(team_id).fetch_all(&self.pool).await?)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn assessments_of_team(&self, team_id: $crate::server::db::TeamId) -> Result<Vec<$crate::server::db::AssessmentSummary>, $crate::server::db::DbError> {
                Ok(sqlx::query_as(concat!(
                    $crate::server::db::cases::summary_select!(),
                    " WHERE a.case_id IN (SELECT id FROM cases WHERE team_id = $1) ORDER BY a.started_at, a.id"
                )).bind(team_id).fetch_all(&self.pool).await?)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn assessments_of_case(&self, case_id: $crate::server::db::CaseId) -> Result<Vec<$crate::server::db::AssessmentSummary>, $crate::server::db::DbError> {
                Ok(sqlx::query_as(concat!(
                    $crate::server::db::cases::summary_select!(),
                    " WHERE a.case_id = $1 ORDER BY a.started_at, a.id"
                )).bind(case_id).fetch_all(&self.pool).await?)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn touch_case(&self, case_id: $crate::server::db::CaseId) -> Result<(), $crate::server::db::DbError> {
                $crate::server::db::cases::touch_case_on!(&self.writer, case_id, time::OffsetDateTime::now_utc());
                Ok(())
            }

        }
    };
}

pub(crate) use impl_case_store;

/// A case's last activity: at, case.
pub(crate) const TOUCH_CASE: &str = "UPDATE cases SET last_activity_at = $1 WHERE id = $2";
/// One audit line: at, actor id, actor, action, case, assessment, address, detail.
pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log (at, actor_id, actor, action, case_id, assessment_id, address, detail) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// Records activity on a case on any executor: it restarts the retention period.
macro_rules! touch_case_on {
    ($exec:expr, $case_id:expr, $now:expr) => {
        sqlx::query($crate::server::db::cases::TOUCH_CASE)
            .bind($now)
            .bind($case_id)
            .execute($exec)
            .await?
    };
}
pub(crate) use touch_case_on;

/// Inserts an audit line on the transaction `$tx`; a case or assessment the write only
/// learns itself (an invite redeemed, a case created) fills the line's empty ids. Gives
/// the line's case.
macro_rules! audit_on {
    ($tx:ident, $entry:expr, $case:expr, $assessment:expr) => {{
        let entry: &$crate::server::db::NewAudit = $entry;
        let case_id: Option<i64> = entry.case_id.or($case);
        let assessment_id: Option<i64> = entry.assessment_id.or($assessment);
        sqlx::query($crate::server::db::cases::INSERT_AUDIT)
            .bind(time::OffsetDateTime::now_utc())
            .bind(entry.actor_id)
            .bind(&entry.actor)
            .bind(&entry.action)
            .bind(case_id)
            .bind(assessment_id)
            .bind(&entry.address)
            .bind(&entry.detail)
            .execute(&mut *$tx)
            .await?;
        case_id
    }};
}
pub(crate) use audit_on;

/// Writes a write's audit line, and for a case its activity, inside the write's own
/// transaction `$tx`: either the write, its audit line and the case's activity are all
/// stored, or none of them.
macro_rules! trail_on {
    ($tx:ident, $trail:expr, $case:expr, $assessment:expr) => {
        if let Some(entry) = $trail {
            if let Some(case_id) =
                $crate::server::db::cases::audit_on!($tx, entry, $case, $assessment)
            {
                $crate::server::db::cases::touch_case_on!(
                    &mut *$tx,
                    case_id,
                    time::OffsetDateTime::now_utc()
                );
            }
        }
    };
}
pub(crate) use trail_on;

macro_rules! case_select {
    () => {
        "SELECT c.id, c.reference, c.birth_year, c.team_id, t.name AS team_name, c.caseworker_id, \
         u.display_name AS caseworker_name, c.created_at, c.last_activity_at FROM cases c JOIN teams t ON t.id = c.team_id \
         LEFT JOIN users u ON u.id = c.caseworker_id"
    };
}
macro_rules! summary_select {
    () => {
        "SELECT a.id, a.case_id, a.mode, a.started_at, a.finished_at, a.token, r.channel, \
         r.override_channel, COALESCE(r.provisional, FALSE) AS provisional, \
         COALESCE(r.borderline, FALSE) AS borderline FROM assessments a \
         LEFT JOIN results r ON r.assessment_id = a.id"
    };
}
macro_rules! invite_select {
    () => {
        "SELECT id, case_id, code, created_by, created_at, expires_at, used_at, assessment_id FROM invites"
    };
}
pub(crate) use {case_select, invite_select, summary_select};

pub(crate) type AuditRow = (
    i64,
    OffsetDateTime,
    Option<i64>,
    String,
    String,
    Option<i64>,
    Option<i64>,
    String,
    String,
);

pub(crate) fn audit_from_row(r: AuditRow) -> AuditEntry {
    let (id, at, actor_id, actor, action, case_id, assessment_id, address, detail) = r;
    AuditEntry {
        id,
        at,
        entry: NewAudit {
            actor_id,
            actor,
            action,
            case_id,
            assessment_id,
            address,
            detail,
        },
    }
}

/// A unique-constraint violation is the person's duplicate, not a database failure.
pub(crate) fn unique_or(e: sqlx::Error, what: &'static str) -> DbError {
    match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => DbError::Duplicate(what),
        other => DbError::Sqlx(other),
    }
}
