//! The directory's form posts (administrators) and the caseworker's agreement of a plan.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::response::Redirect;
use axum_extra::extract::Form;
use serde::Deserialize;
use tower_sessions::Session;

use super::server::*;
use crate::api::guard::{StaffUser, by_staff, permit};
use crate::domain::Outcome;
use crate::domain::help::{FieldProblem, OfferForm, PlanForm};
use crate::domain::privacy::looks_like_cpr;
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use crate::server::db::{NewAudit, PlanOwner, User};
use crate::server::state::AppState;

fn admin(user: StaffUser) -> AppResult<User> {
    permit(user.0, Role::can_manage_users)
}

fn codes(problems: &[FieldProblem]) -> Vec<String> {
    problems.iter().map(FieldProblem::code).collect()
}

async fn keep_draft(session: &Session, draft: OfferDraft) -> AppResult<()> {
    session
        .insert(OFFER_DRAFT, draft)
        .await
        .map_err(|e| AppError::broken(format!("session: {e}")))
}

/// The form checked against the teams that exist; with problems, back to `page` with
/// what was typed kept.
async fn checked(
    state: &AppState,
    session: &Session,
    id: Option<i64>,
    form: OfferForm,
    page: &str,
) -> AppResult<crate::domain::help::OfferFields> {
    let teams: Vec<i64> = state.db.teams().await?.iter().map(|t| t.id).collect();
    match form.check(&teams) {
        Ok(fields) => Ok(fields),
        Err(problems) => {
            let first = problems
                .first()
                .map(FieldProblem::code)
                .unwrap_or_default();
            keep_draft(session, (id, form, codes(&problems))).await?;
            Err(AppError::invalid("offer", &first).on_form(page))
        }
    }
}

/// POST /admin/help: a new offer.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_offer(
    State(state): State<AppState>,
    session: Session,
    user: StaffUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(form): Form<OfferForm>,
) -> AppResult<Redirect> {
    let me = admin(user)?;
    let fields = checked(&state, &session, None, form, "/admin/help/new").await?;
    let line = by_staff(&me, "help.offer.create", &addr.ip().to_string());
    let id = state.db.create_offer(&fields, Some(&line)).await?;
    Ok(Redirect::to(&format!("/admin/help?saved={id}")))
}

/// POST /admin/help/{offer}: the offer changed.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update_offer(
    State(state): State<AppState>,
    session: Session,
    user: StaffUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(id): Path<i64>,
    Form(form): Form<OfferForm>,
) -> AppResult<Redirect> {
    let me = admin(user)?;
    state.db.offer(id).await?.ok_or(AppError::NotFound)?;
    let here = format!("/admin/help/{id}");
    let fields = checked(&state, &session, Some(id), form, &here).await?;
    let line = NewAudit {
        detail: format!("offer {id}"),
        ..by_staff(&me, "help.offer.update", &addr.ip().to_string())
    };
    if !state.db.update_offer(id, &fields, Some(&line)).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/admin/help?saved={id}")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RetireForm {
    retired: String,
}

/// POST /admin/help/{offer}/retire: retired (`retired=yes`) or offered again.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn retire_offer(
    State(state): State<AppState>,
    user: StaffUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(id): Path<i64>,
    Form(form): Form<RetireForm>,
) -> AppResult<Redirect> {
    let me = admin(user)?;
    let retired = match form.retired.trim() {
        "yes" => true,
        "no" => false,
        _ => return Err(AppError::invalid("retired", "retired").on_form(&format!("/admin/help/{id}"))),
    };
    let line = NewAudit {
        detail: format!("offer {id}, retired {retired}"),
        ..by_staff(&me, "help.offer.retire", &addr.ip().to_string())
    };
    if !state.db.retire_offer(id, retired, Some(&line)).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/admin/help?saved={id}")))
}

/// The settings form: the default job centre, and each team's contact line (`team` and
/// `contact` repeat, one pair per team, in the same order).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    default_team: String,
    team: Vec<String>,
    contact: Vec<String>,
}

/// POST /admin/help/settings
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_settings(
    State(state): State<AppState>,
    user: StaffUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(form): Form<SettingsForm>,
) -> AppResult<Redirect> {
    let me = admin(user)?;
    let back = |code: &str| AppError::invalid("settings", code).on_form("/admin/help#settings");
    let teams: Vec<i64> = state.db.teams().await?.iter().map(|t| t.id).collect();
    let default_team = match form.default_team.trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(id) if teams.contains(&id) => Some(id),
            _ => return Err(back("default_team_invalid")),
        },
    };
    if form.team.len() != form.contact.len() {
        return Err(back("contact_invalid"));
    }
    let mut lines = Vec::new();
    for (team, contact) in form.team.iter().zip(&form.contact) {
        let Some(id) = team.trim().parse::<i64>().ok().filter(|id| teams.contains(id)) else {
            return Err(back("contact_invalid"));
        };
        let contact = contact.trim();
        if contact.chars().count() > crate::domain::help::LINE_MAX {
            return Err(back("contact_long"));
        }
        if looks_like_cpr(contact) {
            return Err(back("contact_cpr"));
        }
        lines.push((id, contact.to_owned()));
    }
    let line = NewAudit {
        detail: format!("default team {default_team:?}, {} contact lines", lines.len()),
        ..by_staff(&me, "help.settings", &addr.ip().to_string())
    };
    state
        .db
        .save_help_settings(default_team, &lines, Some(&line))
        .await?;
    Ok(Redirect::to("/admin/help?saved=settings#settings"))
}

/// POST /interview/{token}/plan: the steps agreed with the person, each with a due date,
/// the next screening and a note, stored as the interview's next plan version.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn agree_plan(
    State(state): State<AppState>,
    session: Session,
    user: StaffUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    Form(form): Form<PlanForm>,
) -> AppResult<Redirect> {
    let agreed_by = user.0.id;
    let (a, line) = crate::api::interview::authorized_interview(
        &state,
        user,
        &token,
        "interview.plan.agree",
        addr,
    )
    .await?;
    let Some(stored) = state.db.result(a.id).await? else {
        return Err(AppError::invalid("plan", "unfinished").on_form(&format!("/interview/{token}")));
    };
    let o: Outcome = serde_json::from_value(stored.outcome)
        .map_err(|e| AppError::broken(format!("stored outcome: {e}")))?;
    let today = time::OffsetDateTime::now_utc().date();
    let offers = plan_steps(&state, a.team_id).await?;
    let plan = match form.check(&o.next_steps, today, offers) {
        Ok(plan) => plan,
        Err(problems) => {
            let first = problems
                .first()
                .map(FieldProblem::code)
                .unwrap_or_default();
            put_plan_draft(&session, (token.clone(), form, codes(&problems))).await?;
            return Err(AppError::invalid("plan", &first)
                .on_form(&format!("/interview/{token}/result?plan={{}}#plan")));
        }
    };
    let owner = PlanOwner {
        assessment_id: a.id,
        case_id: a.case_id,
        team_id: a.team_id,
        agreed_by: Some(agreed_by),
        agreed_at: time::OffsetDateTime::now_utc(),
    };
    state.db.add_plan(owner, &plan, Some(&line)).await?;
    Ok(Redirect::to(&format!("/interview/{token}/result?agreed=1#plan")))
}
