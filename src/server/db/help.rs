//! The help directory (offers kept by administrators, never deleted, only retired), the
//! job centre shown to anonymous self-assessments, and the plans caseworkers agree: each
//! agreement a new version beside the computed result.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::*;
use crate::domain::help::{AgreedPlan, Offer, OfferFields};

/// An agreed plan as stored: its version of the assessment's plans and who agreed it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredPlan {
    pub id: i64,
    pub assessment_id: AssessmentId,
    pub case_id: Option<CaseId>,
    pub version: i64,
    pub agreed_by: Option<String>,
    pub agreed_at: OffsetDateTime,
    pub plan: AgreedPlan,
}

/// Where a new plan belongs: the assessment, its case and team, and who agreed it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlanOwner {
    pub assessment_id: AssessmentId,
    pub case_id: Option<CaseId>,
    pub team_id: Option<TeamId>,
    /// The caseworker; `None` for demo data.
    pub agreed_by: Option<UserId>,
    pub agreed_at: OffsetDateTime,
}

#[async_trait]
pub trait HelpStore {
    /// Every offer, retired ones too, in the order they were made.
    async fn offers(&self) -> Result<Vec<Offer>, DbError>;
    async fn offer(&self, id: i64) -> Result<Option<Offer>, DbError>;
    async fn create_offer(
        &self,
        fields: &OfferFields,
        trail: Option<&NewAudit>,
    ) -> Result<i64, DbError>;
    /// False when there is no such offer.
    async fn update_offer(
        &self,
        id: i64,
        fields: &OfferFields,
        trail: Option<&NewAudit>,
    ) -> Result<bool, DbError>;
    /// Retires an offer (or brings it back); plans that named it keep it. False when there
    /// is no such offer.
    async fn retire_offer(
        &self,
        id: i64,
        retired: bool,
        trail: Option<&NewAudit>,
    ) -> Result<bool, DbError>;
    /// The team whose offers an anonymous self-assessment is shown.
    async fn default_help_team(&self) -> Result<Option<TeamId>, DbError>;
    /// Sets the default team and the contact lines of the teams named, together.
    async fn save_help_settings(
        &self,
        default_team: Option<TeamId>,
        contacts: &[(TeamId, String)],
        trail: Option<&NewAudit>,
    ) -> Result<(), DbError>;
    /// Each team's contact line (how a person reaches the job centre), by team id.
    async fn team_contacts(&self) -> Result<Vec<(TeamId, String)>, DbError>;
    /// Stores an agreed plan as the assessment's next version; returns the version.
    async fn add_plan(
        &self,
        owner: PlanOwner,
        plan: &AgreedPlan,
        trail: Option<&NewAudit>,
    ) -> Result<i64, DbError>;
    /// The assessment's plans, oldest version first.
    async fn plans_of_assessment(&self, id: AssessmentId) -> Result<Vec<StoredPlan>, DbError>;
    /// The plans of a case's assessments, oldest first.
    async fn plans_of_case(&self, case_id: CaseId) -> Result<Vec<StoredPlan>, DbError>;
    /// The plans of a team's cases, oldest first (the caseload's dates).
    async fn plans_of_team(&self, team_id: TeamId) -> Result<Vec<StoredPlan>, DbError>;
    /// For statistics: the latest version of every assessment's plan, with its team,
    /// when it was agreed, its record key, and the offers its steps name.
    async fn plan_facts(&self) -> Result<Vec<PlanFact>, DbError>;
}

/// One plan as statistics count it.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanFact {
    pub team_id: Option<TeamId>,
    pub agreed_at: OffsetDateTime,
    pub record_key: i64,
    pub offers: Vec<i64>,
}

mod rows;
pub(crate) use rows::{OfferRow, PlanRow, PlanStepRow, assemble, offer_select, plan_select, words};

/// Implements `HelpStore` for a repository type with `pool` and `writer` of database `$db`.
macro_rules! impl_help_store {
    ($repo:ty, $db:ty) => {
        impl $repo {
            /// The plans `filter` picks (a `WHERE` on `p`, one parameter), with their steps.
            async fn plans_where(
                &self,
                filter: &str,
                value: i64,
            ) -> Result<Vec<$crate::server::db::help::StoredPlan>, $crate::server::db::DbError> {
                let mut conn = self.pool.acquire().await?;
                let rows: Vec<$crate::server::db::help::PlanRow> = sqlx::query_as(&format!(
                    "{} WHERE {filter} ORDER BY p.agreed_at, p.id",
                    $crate::server::db::help::plan_select!()
                ))
                .bind(value)
                .fetch_all(&mut *conn)
                .await?;
                let steps: Vec<$crate::server::db::help::PlanStepRow> = sqlx::query_as(&format!(
                    "SELECT s.plan_id, s.step, s.due, s.offers FROM plan_steps s JOIN plans p ON p.id = s.plan_id \
                     WHERE {filter}"
                ))
                .bind(value)
                .fetch_all(&mut *conn)
                .await?;
                $crate::server::db::help::assemble(rows, steps)
            }
        }

        #[async_trait::async_trait]
        impl $crate::server::db::help::HelpStore for $repo {
            #[tracing::instrument(level = "debug", skip_all)]
            async fn offers(&self) -> Result<Vec<$crate::domain::help::Offer>, $crate::server::db::DbError> {
                let rows: Vec<$crate::server::db::help::OfferRow> =
                    sqlx::query_as(concat!($crate::server::db::help::offer_select!(), " ORDER BY id"))
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter().map($crate::server::db::help::OfferRow::offer).collect()
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn offer(&self, id: i64) -> Result<Option<$crate::domain::help::Offer>, $crate::server::db::DbError> {
                let row: Option<$crate::server::db::help::OfferRow> =
                    sqlx::query_as(concat!($crate::server::db::help::offer_select!(), " WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map($crate::server::db::help::OfferRow::offer).transpose()
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn create_offer(
                &self,
                f: &$crate::domain::help::OfferFields,
                trail: Option<&$crate::server::db::NewAudit>,
            ) -> Result<i64, $crate::server::db::DbError> {
                use $crate::server::db::help::words;
                let now = time::OffsetDateTime::now_utc();
                let mut tx = self.writer.begin().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO help_offers (kind, name_da, name_en, name_ar, description_da, description_en, \
                     description_ar, steps, teams, address, hours, phone, web, languages, free, step_free, \
                     created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) \
                     RETURNING id",
                )
                .bind(f.kind.as_str())
                .bind(&f.name.da)
                .bind(&f.name.en)
                .bind(&f.name.ar)
                .bind(&f.description.da)
                .bind(&f.description.en)
                .bind(&f.description.ar)
                .bind(words(&f.steps))
                .bind(words(&f.teams))
                .bind(&f.address)
                .bind(&f.hours)
                .bind(&f.phone)
                .bind(&f.web)
                .bind(&f.languages)
                .bind(f.free)
                .bind(f.step_free)
                .bind(now)
                .fetch_all(&mut *tx)
                .await
                .and_then($crate::server::db::returned)?;
                let line = trail.map(|e| $crate::server::db::NewAudit { detail: format!("offer {id}"), ..e.clone() });
                $crate::server::db::cases::trail_on!(tx, line.as_ref(), None, None);
                tx.commit().await?;
                Ok(id)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn update_offer(
                &self,
                id: i64,
                f: &$crate::domain::help::OfferFields,
                trail: Option<&$crate::server::db::NewAudit>,
            ) -> Result<bool, $crate::server::db::DbError> {
                use $crate::server::db::help::words;
                let mut tx = self.writer.begin().await?;
                let done = sqlx::query(
                    "UPDATE help_offers SET kind = $1, name_da = $2, name_en = $3, name_ar = $4, \
                     description_da = $5, description_en = $6, description_ar = $7, steps = $8, teams = $9, \
                     address = $10, hours = $11, phone = $12, web = $13, languages = $14, free = $15, \
                     step_free = $16, updated_at = $17 WHERE id = $18",
                )
                .bind(f.kind.as_str())
                .bind(&f.name.da)
                .bind(&f.name.en)
                .bind(&f.name.ar)
                .bind(&f.description.da)
                .bind(&f.description.en)
                .bind(&f.description.ar)
                .bind(words(&f.steps))
                .bind(words(&f.teams))
                .bind(&f.address)
                .bind(&f.hours)
                .bind(&f.phone)
                .bind(&f.web)
                .bind(&f.languages)
                .bind(f.free)
                .bind(f.step_free)
                .bind(time::OffsetDateTime::now_utc())
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                $crate::server::db::cases::trail_on!(tx, trail, None, None);
                tx.commit().await?;
                Ok(true)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn retire_offer(
                &self,
                id: i64,
                retired: bool,
                trail: Option<&$crate::server::db::NewAudit>,
            ) -> Result<bool, $crate::server::db::DbError> {
                let mut tx = self.writer.begin().await?;
                let at = retired.then(time::OffsetDateTime::now_utc);
                let done = sqlx::query("UPDATE help_offers SET retired_at = $1, updated_at = $2 WHERE id = $3")
                    .bind(at)
                    .bind(time::OffsetDateTime::now_utc())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() != 1 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                $crate::server::db::cases::trail_on!(tx, trail, None, None);
                tx.commit().await?;
                Ok(true)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn default_help_team(&self) -> Result<Option<$crate::server::db::TeamId>, $crate::server::db::DbError> {
                let team: Option<Option<i64>> =
                    sqlx::query_scalar("SELECT default_team_id FROM help_settings WHERE id = 1")
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(team.flatten())
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn save_help_settings(
                &self,
                team: Option<$crate::server::db::TeamId>,
                contacts: &[($crate::server::db::TeamId, String)],
                trail: Option<&$crate::server::db::NewAudit>,
            ) -> Result<(), $crate::server::db::DbError> {
                let mut tx = self.writer.begin().await?;
                for (id, line) in contacts {
                    sqlx::query("UPDATE teams SET contact_line = $1 WHERE id = $2")
                        .bind(line)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(
                    "INSERT INTO help_settings (id, default_team_id) VALUES (1, $1) \
                     ON CONFLICT (id) DO UPDATE SET default_team_id = excluded.default_team_id",
                )
                .bind(team)
                .execute(&mut *tx)
                .await?;
                $crate::server::db::cases::trail_on!(tx, trail, None, None);
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn team_contacts(&self) -> Result<Vec<($crate::server::db::TeamId, String)>, $crate::server::db::DbError> {
                Ok(sqlx::query_as("SELECT id, contact_line FROM teams ORDER BY id")
                    .fetch_all(&self.pool)
                    .await?)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn add_plan(
                &self,
                owner: $crate::server::db::help::PlanOwner,
                plan: &$crate::domain::help::AgreedPlan,
                trail: Option<&$crate::server::db::NewAudit>,
            ) -> Result<i64, $crate::server::db::DbError> {
                use $crate::server::db::help::words;
                let mut tx = self.writer.begin().await?;
                let made: Result<(i64, i64), sqlx::Error> = sqlx::query_as(
                    "INSERT INTO plans (assessment_id, case_id, team_id, version, agreed_by, agreed_at, next_screening, note, record_key) \
                     SELECT $1, $2, $3, COALESCE(MAX(version), 0) + 1, $4, $5, $6, $7, $8 FROM plans WHERE assessment_id = $1 \
                     RETURNING id, CAST(version AS BIGINT)",
                )
                .bind(owner.assessment_id)
                .bind(owner.case_id)
                .bind(owner.team_id)
                .bind(owner.agreed_by)
                .bind(owner.agreed_at)
                .bind(plan.next_screening)
                .bind(&plan.note)
                .bind(i64::from(rand::random::<u32>()))
                .fetch_all(&mut *tx)
                .await
                .and_then($crate::server::db::returned);
                let (plan_id, version) =
                    made.map_err(|e| $crate::server::db::cases::unique_or(e, "a plan agreed at the same moment"))?;
                for s in &plan.steps {
                    sqlx::query("INSERT INTO plan_steps (plan_id, step, due, offers) VALUES ($1, $2, $3, $4)")
                        .bind(plan_id)
                        .bind(s.step.as_str())
                        .bind(s.due)
                        .bind(words(&s.offers))
                        .execute(&mut *tx)
                        .await?;
                }
                let line = trail.map(|e| $crate::server::db::NewAudit {
                    detail: format!("plan version {version}, {} steps", plan.steps.len()),
                    ..e.clone()
                });
                $crate::server::db::cases::trail_on!(tx, line.as_ref(), owner.case_id, Some(owner.assessment_id));
                tx.commit().await?;
                Ok(version)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn plans_of_assessment(&self, id: $crate::server::db::AssessmentId) -> Result<Vec<$crate::server::db::help::StoredPlan>, $crate::server::db::DbError> {
                self.plans_where("p.assessment_id = $1", id).await
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn plans_of_case(&self, case_id: $crate::server::db::CaseId) -> Result<Vec<$crate::server::db::help::StoredPlan>, $crate::server::db::DbError> {
                self.plans_where("p.case_id = $1", case_id).await
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn plan_facts(&self) -> Result<Vec<$crate::server::db::help::PlanFact>, $crate::server::db::DbError> {
                let latest = "SELECT id FROM plans p WHERE version = (SELECT MAX(version) FROM plans q WHERE q.assessment_id = p.assessment_id)";
                let mut conn = self.pool.acquire().await?;
                let plans: Vec<(i64, Option<i64>, time::OffsetDateTime, i64)> = sqlx::query_as(&format!(
                    "SELECT id, team_id, agreed_at, CAST(record_key AS BIGINT) FROM plans WHERE id IN ({latest}) ORDER BY id"
                ))
                .fetch_all(&mut *conn)
                .await?;
                let steps: Vec<(i64, String)> = sqlx::query_as(&format!(
                    "SELECT plan_id, offers FROM plan_steps WHERE plan_id IN ({latest})"
                ))
                .fetch_all(&mut *conn)
                .await?;
                let mut facts = Vec::with_capacity(plans.len());
                for (id, team_id, agreed_at, record_key) in plans {
                    let mut offers = Vec::new();
                    for (_, list) in steps.iter().filter(|(p, _)| *p == id) {
                        for o in list.split_whitespace() {
                            let o: i64 = o.parse().map_err(|_| $crate::server::db::DbError::Corrupt(format!("plan offers: {o:?}")))?;
                            if !offers.contains(&o) {
                                offers.push(o);
                            }
                        }
                    }
                    facts.push($crate::server::db::help::PlanFact { team_id, agreed_at, record_key, offers });
                }
                Ok(facts)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn plans_of_team(&self, team_id: $crate::server::db::TeamId) -> Result<Vec<$crate::server::db::help::StoredPlan>, $crate::server::db::DbError> {
                self.plans_where("p.case_id IN (SELECT id FROM cases WHERE team_id = $1)", team_id).await
            }
        }
    };
}
pub(crate) use impl_help_store;
