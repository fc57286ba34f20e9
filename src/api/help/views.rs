//! Offers and next steps as a reader sees them, shared by the results, the plan and the
//! caseworker's plan form; and the session's draft of a plan sent with problems.

use time::Date;
use tower_sessions::Session;

use super::{OfferView, StepView};
use crate::domain::help::{AgreedPlan, Offer, PlanForm, PlanStep, offers_for, parse_day, tel_href};
use crate::domain::{Instrument, NextStep};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::server::db::TeamId;
use crate::server::state::AppState;

/// An offer in the reader's language; Danish where there is no text in theirs.
pub fn offer_view(offer: &Offer, lang: Lang) -> OfferView {
    let f = &offer.fields;
    let (name, name_da) = f.name.get(lang.code());
    let (description, description_da) = f.description.get(lang.code());
    OfferView {
        id: offer.id,
        name: name.to_owned(),
        in_danish: name_da || description_da,
        description: description.to_owned(),
        address: f.address.clone(),
        hours: f.hours.clone(),
        tel: if f.phone.is_empty() {
            String::new()
        } else {
            tel_href(&f.phone)
        },
        phone: f.phone.clone(),
        web: f.web.clone(),
        languages: f.languages.clone(),
        free: f.free,
        step_free: f.step_free,
        retired: offer.retired,
    }
}

/// The job centre whose offers a result shows: the assessment's team, or for an
/// anonymous self-assessment the one the administrator chose.
pub async fn help_team(state: &AppState, team: Option<TeamId>) -> AppResult<Option<TeamId>> {
    match team {
        Some(t) => Ok(Some(t)),
        None => Ok(state.db.default_help_team().await?),
    }
}

/// The steps with their offers for `team`. With a `plan`, its steps are marked agreed with
/// their dates and show the offers the plan named (a retired one too).
pub async fn step_views(
    state: &AppState,
    instrument: &Instrument,
    steps: &[NextStep],
    team: Option<TeamId>,
    lang: Lang,
    plan: Option<&AgreedPlan>,
) -> AppResult<Vec<StepView>> {
    let offers = state.db.offers().await?;
    Ok(steps
        .iter()
        .map(|&step| {
            let agreed = plan.and_then(|p| p.steps.iter().find(|s| s.step == step));
            let shown: Vec<OfferView> = match agreed {
                Some(a) if !a.offers.is_empty() => offers
                    .iter()
                    .filter(|o| a.offers.contains(&o.id))
                    .map(|o| offer_view(o, lang))
                    .collect(),
                _ => offers_for(&offers, step, team)
                    .into_iter()
                    .map(|o| offer_view(o, lang))
                    .collect(),
            };
            let due = agreed.and_then(|a| a.due);
            StepView {
                code: step.as_str().to_owned(),
                text: instrument.next_step_text(step, lang.code()).to_owned(),
                offers: shown,
                agreed: agreed.is_some(),
                due: due.map(|d| day(lang, d)),
                due_value: due.map(iso).unwrap_or_default(),
            }
        })
        .collect())
}

/// The ids of the offers under each step for `team` now (what a new plan names).
pub async fn plan_steps(
    state: &AppState,
    team: Option<TeamId>,
) -> AppResult<impl Fn(NextStep) -> Vec<i64> + use<>> {
    let offers = state.db.offers().await?;
    Ok(move |step| {
        offers_for(&offers, step, team)
            .into_iter()
            .map(|o| o.id)
            .collect()
    })
}

/// What a plan form sent with problems shows again: the ticked steps with the dates that
/// could be read.
pub fn draft_plan(form: &PlanForm, offered: &[NextStep]) -> Option<AgreedPlan> {
    let steps = form
        .steps
        .iter()
        .filter_map(|s| s.trim().parse::<NextStep>().ok())
        .filter(|s| offered.contains(s))
        .map(|step| PlanStep {
            step,
            due: form
                .due_for
                .iter()
                .position(|f| f.trim() == step.as_str())
                .and_then(|i| form.due.get(i))
                .and_then(|d| parse_day(d)),
            offers: Vec::new(),
        })
        .collect();
    Some(AgreedPlan {
        steps,
        next_screening: parse_day(&form.next_screening),
        note: form.note.clone(),
    })
}

pub fn day(lang: Lang, d: Date) -> String {
    lang.day(d.day(), u8::from(d.month()), d.year())
}

pub fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A plan sent with problems, kept in the session for the form it came from.
pub type PlanDraft = (String, PlanForm, Vec<String>);

const PLAN_DRAFT: &str = "plan_draft";

pub(crate) async fn put_plan_draft(session: &Session, draft: PlanDraft) -> AppResult<()> {
    session
        .insert(PLAN_DRAFT, draft)
        .await
        .map_err(|e| AppError::broken(format!("session: {e}")))
}

/// The draft of the plan form of interview `token`, taken out of the session.
pub(crate) async fn take_plan_draft(token: &str) -> AppResult<Option<(PlanForm, Vec<String>)>> {
    let session: Session = leptos_axum::extract().await?;
    let draft: Option<PlanDraft> = session
        .remove(PLAN_DRAFT)
        .await
        .map_err(|e| AppError::broken(format!("session: {e}")))?;
    Ok(draft
        .filter(|(t, _, _)| t == token)
        .map(|(_, form, errors)| (form, errors)))
}
