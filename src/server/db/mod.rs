//! The repository: the only place with SQL. One interface, an SQLite and a PostgreSQL
//! implementation; both run the same statements (written once in `queries.rs`) and keep
//! their own migrations, applied at start-up.

mod cases;
mod cube;
mod postgres;
mod queries;
mod sessions;
mod sqlite;
pub mod stats;

use std::sync::Arc;

use async_trait::async_trait;
use time::OffsetDateTime;

pub use cases::{
    AssessmentSummary, AuditEntry, AuditFilter, Case, CaseId, CaseStore, Invite, NewAudit, NewCase,
    Team, TeamId,
};
pub use postgres::PgRepository;
pub use sessions::Sessions;
pub use sqlite::SqliteRepository;
pub use stats::{CubeCells, ExportRow, SeedAssessment, SeedCase, StatsFilter, StatsStore};

use crate::server::config::DatabaseUrl;

pub type AssessmentId = i64;
pub type UserId = i64;

/// A staff account as stored; the password only as an argon2id hash.
#[derive(Clone, Debug, PartialEq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: crate::domain::role::Role,
    pub team_id: Option<i64>,
    pub password_hash: String,
    pub must_change_password: bool,
    pub disabled: bool,
}

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
    /// `self` or `interview`, as the instrument defines modes.
    pub mode: String,
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

#[derive(Clone, Debug, PartialEq)]
pub struct Assessment {
    pub id: AssessmentId,
    pub instrument: String,
    pub mode: String,
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
    pub channel: String,
    pub reason: String,
    pub at: OffsetDateTime,
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

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("the database could not be reached or answered with an error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("the database schema could not be brought up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("no assessment with id {0}")]
    NoSuchAssessment(AssessmentId),
    #[error("stored data is not as expected: {0}")]
    Corrupt(String),
    #[error("{0} already exists")]
    Duplicate(&'static str),
}

#[async_trait]
pub trait Repository: CaseStore + StatsStore + Send + Sync + 'static {
    fn backend(&self) -> Backend;
    /// A round trip to the database, for `/healthz`.
    async fn ping(&self) -> Result<(), DbError>;
    async fn create_assessment(&self, new: &NewAssessment) -> Result<AssessmentId, DbError>;
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
    async fn create_user(&self, new: &NewUser) -> Result<UserId, DbError>;
    async fn user(&self, id: UserId) -> Result<Option<User>, DbError>;
    async fn user_by_username(&self, username: &str) -> Result<Option<User>, DbError>;
    async fn set_password(
        &self,
        id: UserId,
        password_hash: &str,
        must_change: bool,
    ) -> Result<(), DbError>;
    async fn count_active_admins(&self) -> Result<i64, DbError>;
    /// The session store on the same database, so several app instances share sessions.
    fn sessions(&self) -> Sessions;
    /// Records a caseworker's override; the computed channel stays as it was.
    async fn set_override(
        &self,
        id: AssessmentId,
        channel: &str,
        reason: &str,
    ) -> Result<(), DbError>;
    /// Stores (or replaces) the answer to one item; an acknowledged answer is durable.
    async fn save_answer(
        &self,
        id: AssessmentId,
        item: &str,
        value: &serde_json::Value,
        by: AnsweredBy,
    ) -> Result<(), DbError>;
    /// Stores several answers and the caseworker's note at once (the interview form): all of
    /// it, or none. A `null` value records that an item is now unanswered.
    async fn save_answers(
        &self,
        id: AssessmentId,
        answers: &[(String, serde_json::Value)],
        by: AnsweredBy,
        note: Option<&str>,
    ) -> Result<(), DbError>;
    /// Answers in the order they were last changed.
    async fn answers(&self, id: AssessmentId) -> Result<Vec<StoredAnswer>, DbError>;
    /// Marks the assessment finished and stores its result, both or neither.
    async fn finish(&self, id: AssessmentId, result: &StoredResult) -> Result<(), DbError>;
    async fn result(&self, id: AssessmentId) -> Result<Option<StoredResult>, DbError>;
}

/// Opens the configured database, creating an SQLite file if needed, and migrates it.
pub async fn connect(url: &DatabaseUrl) -> Result<Arc<dyn Repository>, DbError> {
    Ok(match url {
        DatabaseUrl::Sqlite(u) => Arc::new(SqliteRepository::connect(u).await?),
        DatabaseUrl::Postgres(u) => Arc::new(PgRepository::connect(u).await?),
    })
}

fn parse_json(text: &str, what: &str) -> Result<serde_json::Value, DbError> {
    serde_json::from_str(text).map_err(|e| DbError::Corrupt(format!("{what}: {e}")))
}
