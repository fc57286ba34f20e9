//! The directory's pages (administrators) and the personal plan's page (the recipient's
//! device, or the caseworker of the interview).

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use tower_sessions::Session;

use super::views::{day, help_team, step_views};
use super::*;
use crate::api::guard::{audit, page_address, staff};
use crate::domain::help::OfferForm;
use crate::domain::role::Role;
use crate::domain::{Channel, Instrument, Outcome};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::server::db::{Assessment, StoredResult};
use crate::server::state::AppState;

/// An offer sent with problems, kept in the session for the form it came from: the offer's
/// id (none for a new one), what was typed, and the problem codes.
pub type OfferDraft = (Option<i64>, OfferForm, Vec<String>);
pub(crate) const OFFER_DRAFT: &str = "offer_draft";

fn short_steps(lang: Lang, steps: &[crate::domain::NextStep]) -> String {
    steps
        .iter()
        .map(|s| lang.t(&format!("help-step-{s}")))
        .collect::<Vec<_>>()
        .join(", ")
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn overview() -> AppResult<HelpOverview> {
    let (state, _) = staff(Role::can_manage_users)?;
    let lang = crate::request::request_lang();
    let teams = state.db.teams().await?;
    let contacts = state.db.team_contacts().await?;
    let team_name = |id: i64| {
        teams
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name.clone())
            .unwrap_or_default()
    };
    let offers = state
        .db
        .offers()
        .await?
        .into_iter()
        .map(|o| OfferRow {
            id: o.id,
            name: o.fields.name.da.clone(),
            kind: lang.t(&format!("help-kind-{}", o.fields.kind)),
            steps: short_steps(lang, &o.fields.steps),
            teams: if o.fields.teams.is_empty() {
                lang.t("help-all-teams")
            } else {
                o.fields
                    .teams
                    .iter()
                    .map(|t| team_name(*t))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            retired: o.retired,
        })
        .collect();
    Ok(HelpOverview {
        offers,
        teams: teams
            .iter()
            .map(|t| TeamContact {
                id: t.id,
                name: t.name.clone(),
                contact: contacts
                    .iter()
                    .find(|(id, _)| *id == t.id)
                    .map(|(_, c)| c.clone())
                    .unwrap_or_default(),
            })
            .collect(),
        default_team: state.db.default_help_team().await?,
    })
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn offer(id: Option<i64>) -> AppResult<OfferEdit> {
    let (state, _) = staff(Role::can_manage_users)?;
    let teams: Vec<(i64, String)> = state
        .db
        .teams()
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let session: Session = leptos_axum::extract().await?;
    let draft: Option<OfferDraft> = session
        .remove(OFFER_DRAFT)
        .await
        .map_err(|e| AppError::broken(format!("session: {e}")))?;
    let stored = match id {
        Some(id) => Some(state.db.offer(id).await?.ok_or_else(AppError::not_found)?),
        None => None,
    };
    let retired = stored.as_ref().is_some_and(|o| o.retired);
    let (form, errors) = match draft.filter(|(of, _, _)| *of == id) {
        Some((_, form, errors)) => (form, errors),
        None => (
            stored
                .map(|o| OfferForm::of(&o.fields))
                .unwrap_or_default(),
            Vec::new(),
        ),
    };
    Ok(OfferEdit {
        id,
        form,
        retired,
        errors,
        teams,
    })
}

/// The plan's page parts every plan has: the channel in one sentence and "You decide".
fn plan_head(instrument: &Instrument, channel: Channel, lang: Lang) -> (String, String) {
    (
        instrument
            .channel_sentence(channel, lang.code())
            .to_owned(),
        instrument.you_decide(lang.code()).to_owned(),
    )
}

fn outcome_of(stored: StoredResult) -> AppResult<Outcome> {
    serde_json::from_value(stored.outcome)
        .map_err(|e| AppError::broken(format!("stored outcome: {e}")))
}

/// The next screening: the agreed date, else the re-screening date of a provisional or
/// borderline result.
fn next_screening(
    lang: Lang,
    a: &Assessment,
    o: &Outcome,
    agreed: Option<time::Date>,
) -> Option<String> {
    agreed
        .or_else(|| {
            crate::domain::policy::rescreen_due(a.finished_at?.date(), o.provisional, o.borderline)
        })
        .map(|d| day(lang, d))
}

fn finished_day(lang: Lang, a: &Assessment) -> String {
    a.finished_at
        .map(|t| day(lang, t.date()))
        .unwrap_or_default()
}

/// The recipient's plan: every next step of their result with the offers of their job
/// centre, on one printable page.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn self_plan() -> AppResult<PlanView> {
    let (state, a) = crate::api::self_assessment::current().await?;
    let Some(stored) = state.db.result(a.id).await? else {
        return Err(AppError::moved("/self/check"));
    };
    let address = match leptos_axum::extract::<ConnectInfo<SocketAddr>>().await {
        Ok(ConnectInfo(addr)) => addr,
        Err(_) => SocketAddr::from(([0, 0, 0, 0], 0)),
    };
    crate::api::self_assessment::audit_recipient(&state, &a, "self.plan.view", "", address)
        .await?;
    let instrument = crate::api::self_assessment::instrument_of(&a)?;
    let o = outcome_of(stored)?;
    let lang = crate::request::request_lang();
    let team = help_team(&state, a.team_id).await?;
    let (channel_sentence, you_decide) = plan_head(instrument, o.channel, lang);
    Ok(PlanView {
        channel_sentence,
        you_decide,
        steps: step_views(&state, instrument, &o.next_steps, team, lang, None).await?,
        next_screening: next_screening(lang, &a, &o, None),
        contact: None,
        agreed: None,
        note: None,
        date: finished_day(lang, &a),
        back_href: "/self/result".into(),
    })
}

/// The plan of an interview: the latest agreed version, else every next step.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn interview_plan(token: String) -> AppResult<PlanView> {
    let (state, user) = crate::api::interview::caseworker_page()?;
    let Some(a) = crate::api::interview::interview(&state, &user, &token).await? else {
        return Err(AppError::not_found());
    };
    audit(
        &state,
        crate::api::interview::entry(&user, "interview.plan.view", &a, &page_address().await),
    )
    .await?;
    let Some(stored) = state.db.result(a.id).await? else {
        return Err(AppError::moved(&format!("/interview/{token}")));
    };
    let instrument =
        Instrument::bundled(&a.instrument).ok_or_else(|| AppError::broken("unknown instrument"))?;
    let o = outcome_of(stored)?;
    let lang = crate::request::request_lang();
    let plans = state.db.plans_of_assessment(a.id).await?;
    let latest = plans.last();
    let steps: Vec<crate::domain::NextStep> = match latest {
        Some(p) => p.plan.steps.iter().map(|s| s.step).collect(),
        None => o.next_steps.clone(),
    };
    let (channel_sentence, you_decide) = plan_head(instrument, o.channel, lang);
    Ok(PlanView {
        channel_sentence,
        you_decide,
        steps: step_views(
            &state,
            instrument,
            &steps,
            a.team_id,
            lang,
            latest.map(|p| &p.plan),
        )
        .await?,
        next_screening: next_screening(lang, &a, &o, latest.and_then(|p| p.plan.next_screening)),
        contact: contact_line(&state, a.team_id).await?,
        agreed: latest.map(|p| {
            lang.t_args(
                "plan-agreed-on",
                &[
                    ("date", day(lang, p.agreed_at.date())),
                    ("version", p.version.to_string()),
                ],
            )
        }),
        note: latest
            .map(|p| p.plan.note.clone())
            .filter(|n| !n.is_empty()),
        date: finished_day(lang, &a),
        back_href: format!("/interview/{token}/result"),
    })
}

/// The contact line of the interview's job centre, when it has one.
async fn contact_line(state: &AppState, team: Option<i64>) -> AppResult<Option<String>> {
    let Some(team) = team else { return Ok(None) };
    Ok(state
        .db
        .team_contacts()
        .await?
        .into_iter()
        .find(|(id, line)| *id == team && !line.trim().is_empty())
        .map(|(_, line)| line))
}
