//! The repository: the only place with SQL. One interface, an SQLite and a PostgreSQL
//! implementation; both run the same statements (written once in `queries.rs`) and keep
//! their own migrations, applied at start-up.

mod accounts;
mod answer_store;
pub mod calibration;
mod cases;
mod cube;
pub(crate) mod direct;
mod direct_saves;
mod export;
mod groups;
pub mod help;
pub mod identity;
mod invites;
mod item_rows;
mod open_answer;
mod pg_reads;
mod pg_saves;
mod postgres;
mod queries;
mod retention;
mod seed;
mod sessions;
mod sqlite;
pub mod stats;
pub mod tokens;
mod types;

use std::sync::Arc;

use async_trait::async_trait;
use time::OffsetDateTime;

pub use accounts::AccountStore;
pub use calibration::{CalibrationAnswer, CalibrationRow, CalibrationStore};
pub use cases::{
    AssessmentSummary, AuditEntry, AuditFilter, Case, CaseId, CaseStore, Invite, NewAudit, NewCase,
    Team, TeamId,
};
pub use export::ExportStore;
pub use help::{HelpStore, PlanFact, PlanOwner, StoredPlan};
pub use identity::{IdentityStore, ProviderIdentity, ProviderSignIn};
pub use invites::InviteStore;
pub use postgres::PgRepository;
pub use retention::RetentionStore;
pub use seed::{SeedAssessment, SeedCase, SeedStore};
pub use sessions::Sessions;
pub use sqlite::{SqliteRepository, pool_options as sqlite_pool_options};
pub use stats::{CubeCells, ExportProfile, ExportRow, StatsFilter, StatsStore};
pub use tokens::TokenStore;

use crate::server::config::DatabaseUrl;

pub type AssessmentId = i64;
pub type UserId = i64;

/// A staff account as stored; the password only as an argon2id hash. Read as a row of
/// `user_columns!()`.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    #[sqlx(try_from = "String")]
    pub role: crate::domain::role::Role,
    pub team_id: Option<i64>,
    pub password_hash: String,
    pub must_change_password: bool,
    pub disabled: bool,
    /// Raised by every password change, reset, disabling and enabling: a session signed in
    /// under an older value is no longer valid.
    pub session_epoch: i64,
    /// May download person-level rows (`/dashboard/rows.csv`).
    pub may_export_rows: bool,
    /// The person's subject at the identity provider, for an account made by signing in
    /// there (`server::oidc`); such an account has no password. `None`: a local account.
    pub oidc_subject: Option<String>,
}

/// The columns of a `User`.
macro_rules! user_columns {
    () => {
        "id, username, display_name, role, team_id, password_hash, must_change_password, disabled, session_epoch, may_export_rows, oidc_subject"
    };
}
pub(crate) use user_columns;

#[derive(Clone, Debug, PartialEq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: crate::domain::role::Role,
    pub team_id: Option<i64>,
    pub password_hash: String,
    pub must_change_password: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Who gave an answer: the recipient themself, or a caseworker in an interview.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnsweredBy {
    Recipient,
    Caseworker,
}

impl AnsweredBy {
    pub fn as_str(self) -> &'static str {
        match self {
            AnsweredBy::Recipient => "recipient",
            AnsweredBy::Caseworker => "caseworker",
        }
    }

    fn parse(s: &str) -> Result<AnsweredBy, DbError> {
        match s {
            "recipient" => Ok(AnsweredBy::Recipient),
            "caseworker" => Ok(AnsweredBy::Caseworker),
            other => Err(DbError::Corrupt(format!("answered_by {other:?}"))),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewAssessment {
    pub instrument: String,
    /// Who answers: the person alone, or a caseworker in an interview.
    pub mode: crate::domain::Mode,
    pub language: String,
    /// A long random secret naming the assessment in a cookie or a link.
    pub token: Option<String>,
    /// The short code a recipient can read aloud or write down to resume elsewhere.
    pub resume_code: Option<String>,
    pub note: Option<String>,
    /// The case it belongs to; `None` for an anonymous self-assessment.
    pub case_id: Option<CaseId>,
    /// Kept on the assessment itself so a result detached from its case still counts.
    pub team_id: Option<TeamId>,
    pub age_band: Option<String>,
    /// The caseworker who started it (interviews).
    pub created_by: Option<UserId>,
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct Assessment {
    pub id: AssessmentId,
    pub instrument: String,
    pub mode: crate::domain::Mode,
    pub language: String,
    pub started_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
    pub token: Option<String>,
    pub resume_code: Option<String>,
    pub note: Option<String>,
    pub case_id: Option<CaseId>,
    pub team_id: Option<TeamId>,
    pub age_band: Option<String>,
    pub created_by: Option<UserId>,
}

/// A caseworker's choice of another channel, kept beside the computed one.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    pub channel: crate::domain::Channel,
    pub reason: String,
    pub at: OffsetDateTime,
    /// The reason's category; `None` for an override from before it was asked.
    pub category: Option<crate::domain::OverrideReason>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StoredAnswer {
    pub item: String,
    /// The answer exactly as given: a code, or a list of codes (U2), as JSON.
    pub value: serde_json::Value,
    pub answered_by: AnsweredBy,
    pub answered_at: OffsetDateTime,
}

/// A computed result as stored: the summary columns statistics need, and the whole
/// outcome as JSON so that re-scoring can be compared with what was shown.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredResult {
    pub instrument: String,
    pub channel: String,
    pub rule: i16,
    pub provisional: bool,
    pub borderline: bool,
    pub score_access: Option<i16>,
    pub score_skills: Option<i16>,
    pub score_motivation: Option<i16>,
    pub outcome: serde_json::Value,
    pub computed_at: OffsetDateTime,
    /// Set only by `set_override`; `finish` never writes it.
    pub override_: Option<Override>,
}

impl StoredResult {
    /// The result of an evaluation as it is stored, computed now.
    pub fn of(outcome: &crate::domain::Outcome) -> StoredResult {
        let score = |s: Option<u8>| s.map(i16::from);
        StoredResult {
            instrument: outcome.instrument.clone(),
            channel: outcome.channel.as_str().to_owned(),
            rule: i16::from(outcome.rule),
            provisional: outcome.provisional,
            borderline: outcome.borderline,
            score_access: score(outcome.scores.access),
            score_skills: score(outcome.scores.skills),
            score_motivation: score(outcome.scores.motivation),
            outcome: serde_json::to_value(outcome).unwrap_or(serde_json::Value::Null),
            computed_at: time::OffsetDateTime::now_utc(),
            override_: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("the database could not be reached or answered with an error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("the database schema could not be brought up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the database could not be reached or answered with an error: {0}")]
    Direct(#[from] rusqlite::Error),
    #[error("no assessment with id {0}")]
    NoSuchAssessment(AssessmentId),
    #[error("stored data is not as expected: {0}")]
    Corrupt(String),
    #[error("{0} already exists")]
    Duplicate(&'static str),
    #[error("the database refused the write: {0}")]
    Refused(String),
}

#[async_trait]
pub trait Repository:
    AccountStore
    + CaseStore
    + InviteStore
    + RetentionStore
    + StatsStore
    + ExportStore
    + HelpStore
    + TokenStore
    + IdentityStore
    + CalibrationStore
    + SeedStore
    + Send
    + Sync
    + 'static
{
    fn backend(&self) -> Backend;
    /// A round trip to the database, for `/healthz`.
    async fn ping(&self) -> Result<(), DbError>;
    /// Commits a one-row write and reports whether the commit succeeded, for `/healthz`.
    async fn probe_write(&self) -> Result<(), DbError>;
    /// The folder the database's files are in, when they are on this machine (SQLite).
    fn storage_dir(&self) -> Option<std::path::PathBuf>;
    /// Writes that change what is held about a person take the audit line that records
    /// them (`trail`): it is stored, with the case's activity, in the write's transaction.
    async fn create_assessment(
        &self,
        new: &NewAssessment,
        trail: Option<&NewAudit>,
    ) -> Result<AssessmentId, DbError>;
    async fn assessment(&self, id: AssessmentId) -> Result<Option<Assessment>, DbError>;
    async fn assessment_by_token(&self, token: &str) -> Result<Option<Assessment>, DbError>;
    async fn assessment_by_resume_code(&self, code: &str) -> Result<Option<Assessment>, DbError>;
    /// Creates an assessment with all its answers and its result in one transaction
    /// (the caseworker interview): all of it is stored, or none.
    async fn record_complete(
        &self,
        new: &NewAssessment,
        answers: &[(String, serde_json::Value)],
        by: AnsweredBy,
        result: &StoredResult,
    ) -> Result<AssessmentId, DbError>;
    /// The session store on the same database, so several app instances share sessions.
    fn sessions(&self) -> Sessions;
    /// Records a caseworker's override; the computed channel stays as it was.
    async fn set_override(
        &self,
        id: AssessmentId,
        channel: crate::domain::Channel,
        category: crate::domain::OverrideReason,
        reason: &str,
        trail: Option<&NewAudit>,
    ) -> Result<(), DbError>;
    /// Stores (or replaces) the answer to one item; an acknowledged answer is durable.
    async fn save_answer(
        &self,
        id: AssessmentId,
        item: &str,
        value: &serde_json::Value,
        by: AnsweredBy,
        trail: Option<&NewAudit>,
    ) -> Result<(), DbError>;
    /// Stores several answers and the caseworker's note at once (the interview form): all of
    /// it, or none. A `null` value records that an item is now unanswered.
    async fn save_answers(
        &self,
        id: AssessmentId,
        answers: &[(String, serde_json::Value)],
        by: AnsweredBy,
        note: Option<&str>,
        trail: Option<&NewAudit>,
    ) -> Result<(), DbError>;
    /// The recipient's save: stores one answer of an unfinished assessment with its audit
    /// line and gives the answers after the change, in one transaction; `None` (nothing
    /// stored) when the assessment was finished meanwhile.
    async fn save_open_answer(
        &self,
        id: AssessmentId,
        item: &str,
        value: &serde_json::Value,
        by: AnsweredBy,
        trail: Option<&NewAudit>,
    ) -> Result<Option<Vec<StoredAnswer>>, DbError>;
    /// Answers in the order they were last changed.
    async fn answers(&self, id: AssessmentId) -> Result<Vec<StoredAnswer>, DbError>;
    /// The assessment a device token names, with its answers, read on one connection.
    /// `stamp` is the stamp of the device's last write (`server::write_stamp`): on
    /// PostgreSQL a copy kept under it may be served (`pg_reads.rs`).
    async fn assessment_with_answers_by_token(
        &self,
        token: &str,
        stamp: Option<&str>,
    ) -> Result<Option<(Assessment, Vec<StoredAnswer>)>, DbError>;
    /// The assessment a device token names, for an answer save: on PostgreSQL as this
    /// instance knows it while the database announces no change to it (`pg_reads.rs`),
    /// with no round trip. It may lag behind: the save itself checks, under lock, that the
    /// assessment is still there and open (`save_open_answer`).
    async fn assessment_to_save(&self, token: &str) -> Result<Option<Assessment>, DbError>;
    /// Drops any copy this instance keeps of what `token` names (`pg_reads.rs`): called
    /// once a write of the device is answered.
    fn forget_kept(&self, token: &str);
    /// Marks the assessment finished and stores its result, both or neither.
    async fn finish(
        &self,
        id: AssessmentId,
        result: &StoredResult,
        trail: Option<&NewAudit>,
    ) -> Result<(), DbError>;
    async fn result(&self, id: AssessmentId) -> Result<Option<StoredResult>, DbError>;
}

/// Opens the configured database, creating an SQLite file if needed, and migrates it.
pub async fn connect(url: &DatabaseUrl) -> Result<Arc<dyn Repository>, DbError> {
    Ok(match url {
        DatabaseUrl::Sqlite(u) => Arc::new(SqliteRepository::connect(u).await?),
        DatabaseUrl::Postgres(u) => Arc::new(PgRepository::connect(u).await?),
    })
}

/// An answer row as both backends read it: item, value (JSON text), by, at.
pub(crate) fn stored_answer(
    (item, value, by, answered_at): (String, String, String, OffsetDateTime),
) -> Result<StoredAnswer, DbError> {
    Ok(StoredAnswer {
        value: parse_json(&value, &item)?,
        answered_by: AnsweredBy::parse(&by)?,
        item,
        answered_at,
    })
}

fn parse_json(text: &str, what: &str) -> Result<serde_json::Value, DbError> {
    serde_json::from_str(text).map_err(|e| DbError::Corrupt(format!("{what}: {e}")))
}

/// The one row a `RETURNING` statement gives. Read with `fetch_all`, the statement runs to
/// its end, so an error of its last step is reported — SQLite commits an autocommit write
/// there, and `fetch_one`/`fetch_optional` stop after the first row and drop that error
/// (launchbadge/sqlx#2099, #3430). A test keeps every `RETURNING` on this path.
pub(crate) fn returned<T>(rows: Vec<T>) -> Result<T, sqlx::Error> {
    returned_optional(rows)?.ok_or(sqlx::Error::RowNotFound)
}

/// At most one row of a `RETURNING` statement, read to its end (see [`returned`]).
pub(crate) fn returned_optional<T>(rows: Vec<T>) -> Result<Option<T>, sqlx::Error> {
    let mut rows = rows.into_iter();
    match (rows.next(), rows.next()) {
        (first, None) => Ok(first),
        (Some(_), Some(_)) => Err(sqlx::Error::Protocol(
            "a statement meant to give one row gave more".into(),
        )),
        (None, Some(_)) => Err(sqlx::Error::RowNotFound),
    }
}

#[cfg(test)]
mod tests;
