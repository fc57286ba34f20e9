//! `digiparat seed-demo`: fills the database with synthetic cases and finished assessments
//! (correlated answers from `domain::demo`, spread over six teams and 24 months), for
//! demonstrations and benchmarks. Every result is scored by the real core.

use time::{OffsetDateTime, Time};

use crate::domain::case::AgeBand;
use crate::domain::demo::{DemoRng, generate_case};
use crate::domain::{Answers, Instrument, evaluate};
use crate::server::db::{
    AnsweredBy, DbError, NewAssessment, NewCase, Repository, SeedAssessment, SeedCase, StoredResult,
};

pub const TEAMS: [&str; 6] = [
    "Jobcenter Nord",
    "Jobcenter Syd",
    "Jobcenter Øst",
    "Jobcenter Vest",
    "Jobcenter Midt",
    "Jobcenter Centrum",
];
const MONTHS: u32 = 24;

#[derive(Debug, Default)]
pub struct SeedReport {
    pub cases: usize,
    pub assessments: usize,
}

/// The teams' ids, creating the teams that are missing.
async fn teams(db: &dyn Repository) -> Result<Vec<i64>, DbError> {
    let mut ids = Vec::new();
    for name in TEAMS {
        let existing = db.teams().await?.into_iter().find(|t| t.name == name);
        ids.push(match existing {
            Some(t) => t.id,
            None => db.create_team(name, None).await?,
        });
    }
    Ok(ids)
}

/// A day `months_back` months before `now`'s month, at noon UTC.
fn day_in_past(now: OffsetDateTime, months_back: u32, day: u8) -> OffsetDateTime {
    let first = crate::domain::calendar::first_of_month(now.date());
    let month = crate::domain::calendar::shift_months(first, -i64::from(months_back));
    month
        .replace_day(day.clamp(1, 28))
        .map(|d| {
            d.with_time(Time::from_hms(12, 0, 0).unwrap_or(Time::MIDNIGHT))
                .assume_utc()
        })
        .unwrap_or(now)
}

/// Cases per transaction: large enough that inserts go many rows at a time.
const BATCH: usize = 1000;

/// Adds `cases` synthetic cases with their assessments; the same seed gives the same data.
/// Cases are written `BATCH` at a time, each batch in one transaction with the cube.
pub async fn seed_demo(
    db: &dyn Repository,
    cases: usize,
    seed: u64,
) -> Result<SeedReport, DbError> {
    let team_ids = teams(db).await?;
    let instrument = Instrument::dr1();
    let now = OffsetDateTime::now_utc();
    let mut rng = DemoRng::new(seed);
    // Record keys from a stream of their own: the same seed gives the same published
    // figures, and the demo data stay what they were before keys existed.
    let mut keys = DemoRng::new(seed ^ 0x6b65_7973);
    // Overrides from a third stream, for the same reason.
    let mut overrides = DemoRng::new(seed ^ 0x6f76_6572);
    let mut report = SeedReport::default();
    let mut batch = Vec::with_capacity(BATCH.min(cases));
    for n in 0..cases {
        let case = generate_case(&mut rng, team_ids.len(), now.year(), MONTHS);
        let team_id = team_ids.get(case.team).copied().unwrap_or(team_ids[0]);
        let band = AgeBand::of(case.birth_year, now.year()).as_str().to_owned();
        let mut assessments = Vec::with_capacity(case.assessments.len());
        for a in case.assessments {
            let parsed = Answers::parse(instrument, a.mode, &a.answers)
                .map_err(|e| DbError::Corrupt(format!("demo answers: {}", e.message)))?;
            let outcome = evaluate(instrument, &parsed);
            let mut result = StoredResult::of(&outcome);
            result.computed_at =
                day_in_past(now, MONTHS - 1 - a.month_offset.min(MONTHS - 1), a.day);
            if a.mode == crate::domain::Mode::Interview {
                result.override_ = demo_override(&mut overrides, &outcome, result.computed_at);
            }
            let by = match a.mode {
                crate::domain::Mode::Interview => AnsweredBy::Caseworker,
                crate::domain::Mode::SelfAssessment => AnsweredBy::Recipient,
            };
            assessments.push(SeedAssessment {
                new: NewAssessment {
                    instrument: instrument.id().to_owned(),
                    mode: a.mode,
                    language: a.language.to_owned(),
                    team_id: Some(team_id),
                    age_band: Some(band.clone()),
                    ..NewAssessment::default()
                },
                answers: a.answers.into_iter().collect(),
                record_key: Some((keys.next_u64() >> 32) as i64),
                by,
                result,
            });
        }
        report.assessments += assessments.len();
        report.cases += 1;
        batch.push(SeedCase {
            case: NewCase {
                reference: format!("DEMO-{seed}-{n:07}"),
                birth_year: case.birth_year,
                team_id,
                caseworker_id: None,
            },
            assessments,
        });
        if batch.len() == BATCH {
            db.seed_batch(&batch).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        db.seed_batch(&batch).await?;
    }
    seed_help(db, &team_ids).await?;
    Ok(report)
}

/// About one interview in eight gets a caseworker's override, with a category, so the
/// override analysis has data: mostly toward less digital (the person asked for paper,
/// or difficulties were seen), some toward more.
fn demo_override(
    rng: &mut DemoRng,
    outcome: &crate::domain::Outcome,
    at: OffsetDateTime,
) -> Option<crate::server::db::Override> {
    use crate::domain::{Channel, OverrideReason};
    let draw = rng.next_u64() % 64;
    if draw >= 8 {
        return None;
    }
    let (channel, category, reason) = match (outcome.channel, draw) {
        (Channel::SelfService, 0..=4) => (
            Channel::Assisted,
            OverrideReason::ObservedDifficulties,
            "Had trouble with MitID at the desk.",
        ),
        (Channel::SelfService, _) => (
            Channel::Analogue,
            OverrideReason::PersonAsked,
            "Asked for letters on paper.",
        ),
        (Channel::Assisted, 0..=3) => (
            Channel::Analogue,
            OverrideReason::Health,
            "Health makes screens hard just now.",
        ),
        (Channel::Assisted, 4..=5) => (
            Channel::Analogue,
            OverrideReason::Language,
            "Needs an interpreter for letters.",
        ),
        (Channel::Assisted, _) => (
            Channel::SelfService,
            OverrideReason::Other,
            "Managed every task shown, on their own.",
        ),
        (Channel::Analogue, _) => (
            Channel::Assisted,
            OverrideReason::Other,
            "A daughter helps with Digital Post.",
        ),
    };
    Some(crate::server::db::Override {
        channel,
        reason: reason.to_owned(),
        at,
        category: Some(category),
    })
}

/// Plans for the newest finished interviews of `teams` (at most `DEMO_PLANS`), agreed when
/// each result was computed: the first two next steps that have offers, with those offers,
/// so the dashboard's plan statistics have data. Once: teams that have plans keep them.
async fn seed_plans(db: &dyn Repository, teams: &[i64]) -> Result<(), DbError> {
    const DEMO_PLANS: usize = 200;
    let offers = db.offers().await?;
    for &team in teams {
        if !db.plans_of_team(team).await?.is_empty() {
            continue;
        }
        let mut interviews: Vec<_> = db
            .assessments_of_team(team)
            .await?
            .into_iter()
            .filter(|a| a.mode == crate::domain::Mode::Interview && a.finished_at.is_some())
            .collect();
        interviews.sort_by_key(|a| std::cmp::Reverse(a.finished_at));
        for a in interviews.into_iter().take(DEMO_PLANS) {
            let Some(result) = db.result(a.id).await? else {
                continue;
            };
            let outcome: crate::domain::Outcome = serde_json::from_value(result.outcome)
                .map_err(|e| DbError::Corrupt(format!("demo outcome: {e}")))?;
            let steps: Vec<crate::domain::help::PlanStep> = outcome
                .next_steps
                .iter()
                .filter_map(|&step| {
                    let named: Vec<i64> =
                        crate::domain::help::offers_for(&offers, step, Some(team))
                            .into_iter()
                            .map(|o| o.id)
                            .collect();
                    (!named.is_empty()).then_some(crate::domain::help::PlanStep {
                        step,
                        due: None,
                        offers: named,
                    })
                })
                .take(2)
                .collect();
            if steps.is_empty() {
                continue;
            }
            let owner = crate::server::db::PlanOwner {
                assessment_id: a.id,
                case_id: Some(a.case_id),
                team_id: Some(team),
                agreed_by: None,
                agreed_at: result.computed_at,
            };
            let plan = crate::domain::help::AgreedPlan {
                steps,
                next_screening: None,
                note: String::new(),
            };
            db.add_plan(owner, &plan, None).await?;
        }
    }
    Ok(())
}

/// A help directory for the first two demo job centres, their contact lines, and the
/// first as the job centre of anonymous self-assessments; once (offers already there
/// are kept as they are).
async fn seed_help(db: &dyn Repository, team_ids: &[i64]) -> Result<(), DbError> {
    let (Some(&nord), Some(&syd)) = (team_ids.first(), team_ids.get(1)) else {
        return Ok(());
    };
    let existing = db.offers().await?;
    for offer in crate::domain::demo::demo_offers(nord, syd) {
        if !existing.iter().any(|o| o.fields.name.da == offer.name.da) {
            db.create_offer(&offer, None).await?;
        }
    }
    let mut contacts = Vec::new();
    for (id, line) in db.team_contacts().await? {
        if line.is_empty() && (id == nord || id == syd) {
            contacts.push((
                id,
                crate::domain::demo::demo_contact_line(id == nord).to_owned(),
            ));
        }
    }
    seed_plans(db, &[nord, syd]).await?;
    let default = match db.default_help_team().await? {
        Some(t) => Some(t),
        None => Some(nord),
    };
    db.save_help_settings(default, &contacts, None).await
}
