//! The case pages: a new case, one case with its assessments and invites, an invite slip.

use super::server::*;
use crate::error::{AppError, AppResult};

use time::OffsetDateTime;

use super::*;
use crate::api::guard::{audit, by_staff, case_for, page_address, staff};
use crate::api::questionnaire::format_resume_code;
use crate::domain::Mode;
use crate::domain::role::Role;
use crate::server::db::AssessmentSummary;

#[tracing::instrument(level = "debug", skip_all)]
pub async fn new_case() -> AppResult<NewCaseView> {
    let (state, user) = staff(Role::can_run_interviews)?;
    let teams = state.db.teams().await?;
    let team = teams
        .iter()
        .find(|t| Some(t.id) == user.team_id)
        .map(|t| t.name.clone());
    let caseworkers = state
        .db
        .users()
        .await?
        .into_iter()
        .filter(|u| {
            u.role.can_run_interviews()
                && !u.disabled
                && u.team_id.is_some()
                && u.team_id == user.team_id
        })
        .map(|u| (u.id, u.display_name))
        .collect();
    Ok(NewCaseView {
        team,
        caseworkers,
        me: user.id,
    })
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn case(id: i64) -> AppResult<CaseView> {
    let (state, user) = staff(Role::can_run_interviews)?;
    let case = case_for(&state, &user, id).await?;
    let assessments = state.db.assessments_of_case(id).await?;
    let invites = state.db.invites_of_case(id).await?;
    let plans = state.db.plans_of_case(id).await?;
    audit(
        &state,
        crate::server::db::NewAudit {
            case_id: Some(id),
            ..by_staff(&user, "case.view", &page_address().await)
        },
    )
    .await?;
    let lang = crate::request::request_lang();
    let now = OffsetDateTime::now_utc();
    let finished: Vec<&AssessmentSummary> = assessments
        .iter()
        .filter(|a| a.finished_at.is_some())
        .collect();
    let movement = finished
        .iter()
        .filter_map(|a| channel_name(a.override_channel.or(a.channel), lang))
        .collect();
    let latest = finished.iter().copied().max_by_key(|a| a.finished_at);
    Ok(CaseView {
        id,
        reference: case.reference.clone(),
        age_band: band(&case),
        team: case.team_name.clone(),
        caseworker: case.caseworker_name.clone(),
        created: date(lang, case.created_at),
        due: due_date(latest, &plans).map(|d| day(lang, d)),
        plans: plans
            .iter()
            .rev()
            .map(|p| {
                let dates = p
                    .plan
                    .earliest_date()
                    .map(|d| lang.t_args("cw-plan-first-date", &[("date", day(lang, d))]))
                    .unwrap_or_default();
                format!(
                    "{} {} {}",
                    lang.t_args(
                        "cw-plan-version-line",
                        &[
                            ("version", p.version.to_string()),
                            ("date", day(lang, p.agreed_at.date())),
                            ("by", p.agreed_by.clone().unwrap_or_default()),
                        ],
                    ),
                    lang.t_args("cw-plan-steps-count", &[("count", p.plan.steps.len().to_string())]),
                    dates
                )
                .trim_end()
                .to_owned()
            })
            .collect(),
        movement,
        assessments: assessments
            .iter()
            .rev()
            .map(|a| AssessmentRow {
                date: date(lang, a.finished_at.unwrap_or(a.started_at)),
                mode: a.mode,
                finished: a.finished_at.is_some(),
                channel: channel_name(a.channel, lang),
                override_channel: channel_name(a.override_channel, lang),
                borderline: a.borderline,
                provisional: a.provisional,
                href: match (a.mode, &a.token, a.finished_at) {
                    (Mode::Interview, Some(t), Some(_)) => Some(format!("/interview/{t}/result")),
                    (Mode::Interview, Some(t), None) => Some(format!("/interview/{t}")),
                    _ => None,
                },
            })
            .collect(),
        invites: invites
            .iter()
            .rev()
            .map(|i| InviteRow {
                id: i.id,
                code: format_resume_code(&i.code),
                created: date(lang, i.created_at),
                expires: date(lang, i.expires_at),
                status: if i.used_at.is_some() {
                    "used"
                } else if i.expires_at <= now {
                    "expired"
                } else {
                    "open"
                }
                .into(),
            })
            .collect(),
    })
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn invite(case_id: i64, invite_id: i64) -> AppResult<InviteSlip> {
    let (state, user) = staff(Role::can_run_interviews)?;
    let case = case_for(&state, &user, case_id).await?;
    let invite = match state.db.invite(invite_id).await? {
        Some(i) if i.case_id == case.id => i,
        _ => return Err(AppError::not_found()),
    };
    audit(
        &state,
        crate::server::db::NewAudit {
            case_id: Some(case_id),
            detail: format!("invite {invite_id}"),
            ..by_staff(&user, "invite.view", &page_address().await)
        },
    )
    .await?;
    // The configured address, never the request's Host header (which the sender chooses).
    let base = state.config.public_url.trim_end_matches('/');
    Ok(InviteSlip {
        case_id,
        reference: case.reference,
        code: format_resume_code(&invite.code),
        address: format!("{base}/self/invite"),
        expires: date(crate::request::request_lang(), invite.expires_at),
    })
}
