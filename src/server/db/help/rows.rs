//! The rows of the help directory and of plans as the database gives them, and how they
//! become the domain's offers and plans.

use time::{Date, OffsetDateTime};

use super::StoredPlan;
use crate::domain::help::{AgreedPlan, Offer, OfferFields, PlanStep, Texts};
use crate::server::db::DbError;

/// An offer's row.
#[derive(sqlx::FromRow)]
pub(crate) struct OfferRow {
    id: i64,
    kind: String,
    name_da: String,
    name_en: String,
    name_ar: String,
    description_da: String,
    description_en: String,
    description_ar: String,
    steps: String,
    teams: String,
    address: String,
    hours: String,
    phone: String,
    web: String,
    languages: String,
    free: bool,
    step_free: bool,
    retired_at: Option<OffsetDateTime>,
}

macro_rules! offer_select {
    () => {
        "SELECT id, kind, name_da, name_en, name_ar, description_da, description_en, description_ar, \
         steps, teams, address, hours, phone, web, languages, free, step_free, retired_at FROM help_offers"
    };
}
pub(crate) use offer_select;

/// Codes or ids written space-separated in one column.
pub(crate) fn words<T: ToString>(list: &[T]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn parse_words<T: std::str::FromStr>(text: &str, what: &str) -> Result<Vec<T>, DbError> {
    text.split_whitespace()
        .map(|w| {
            w.parse()
                .map_err(|_| DbError::Corrupt(format!("{what}: {w:?}")))
        })
        .collect()
}

impl OfferRow {
    pub(crate) fn offer(self) -> Result<Offer, DbError> {
        Ok(Offer {
            id: self.id,
            retired: self.retired_at.is_some(),
            fields: OfferFields {
                kind: self
                    .kind
                    .parse()
                    .map_err(|_| DbError::Corrupt(format!("offer kind {:?}", self.kind)))?,
                name: Texts {
                    da: self.name_da,
                    en: self.name_en,
                    ar: self.name_ar,
                },
                description: Texts {
                    da: self.description_da,
                    en: self.description_en,
                    ar: self.description_ar,
                },
                steps: parse_words(&self.steps, "offer steps")?,
                teams: parse_words(&self.teams, "offer teams")?,
                address: self.address,
                hours: self.hours,
                phone: self.phone,
                web: self.web,
                languages: self.languages,
                free: self.free,
                step_free: self.step_free,
            },
        })
    }
}

/// A plan's row, with the name of who agreed it.
#[derive(sqlx::FromRow)]
pub(crate) struct PlanRow {
    pub(crate) id: i64,
    assessment_id: i64,
    case_id: Option<i64>,
    version: i64,
    agreed_by: Option<String>,
    agreed_at: OffsetDateTime,
    next_screening: Option<Date>,
    note: String,
}

/// A plan step's row.
#[derive(sqlx::FromRow)]
pub(crate) struct PlanStepRow {
    plan_id: i64,
    step: String,
    due: Option<Date>,
    offers: String,
}

macro_rules! plan_select {
    () => {
        "SELECT p.id, p.assessment_id, p.case_id, CAST(p.version AS BIGINT) AS version, \
         u.display_name AS agreed_by, p.agreed_at, p.next_screening, p.note \
         FROM plans p LEFT JOIN users u ON u.id = p.agreed_by"
    };
}
pub(crate) use plan_select;

/// The plans of `rows` with their steps from `steps`.
pub(crate) fn assemble(
    rows: Vec<PlanRow>,
    steps: Vec<PlanStepRow>,
) -> Result<Vec<StoredPlan>, DbError> {
    let mut plans = Vec::with_capacity(rows.len());
    for r in rows {
        let mut own = Vec::new();
        for s in steps.iter().filter(|s| s.plan_id == r.id) {
            own.push(PlanStep {
                step: s
                    .step
                    .parse()
                    .map_err(|_| DbError::Corrupt(format!("plan step {:?}", s.step)))?,
                due: s.due,
                offers: parse_words(&s.offers, "plan offers")?,
            });
        }
        own.sort_by_key(|s| s.step);
        plans.push(StoredPlan {
            id: r.id,
            assessment_id: r.assessment_id,
            case_id: r.case_id,
            version: r.version,
            agreed_by: r.agreed_by,
            agreed_at: r.agreed_at,
            plan: AgreedPlan {
                steps: own,
                next_screening: r.next_screening,
                note: r.note,
            },
        });
    }
    Ok(plans)
}
