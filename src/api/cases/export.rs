//! A case's data as JSON for the person's right of access.

use super::server::*;
use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::api::guard::{StaffUser, audit, by_staff};
use crate::error::AppResult;
use crate::server::db::{Case, DbError};
use crate::server::state::AppState;

/// GET /cases/{case}/export.json: everything held about one case (GDPR art. 15).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn export(
    State(state): State<AppState>,
    user: StaffUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(case_id): Path<i64>,
) -> AppResult<Response> {
    let (user, case) = caseworker_case(&state, user, case_id).await?;
    audit(
        &state,
        crate::server::db::NewAudit {
            case_id: Some(case.id),
            ..by_staff(&user, "case.export", &addr.ip().to_string())
        },
    )
    .await?;
    let body = export_json(&state, &case).await?;
    Ok((
        [
            (
                http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"case-{}.json\"", case.id),
            ),
            (http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Json(body),
    )
        .into_response())
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> Value {
    t.format(&time::format_description::well_known::Rfc3339)
        .map(Value::String)
        .unwrap_or(Value::Null)
}

#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn export_json(state: &AppState, case: &Case) -> Result<Value, DbError> {
    let mut assessments = Vec::new();
    for summary in state.db.assessments_of_case(case.id).await? {
        let Some(a) = state.db.assessment(summary.id).await? else {
            continue;
        };
        let answers: Vec<Value> = state
            .db
            .answers(a.id)
            .await?
            .into_iter()
            .map(|s| {
                json!({"item": s.item, "value": s.value, "answered_by": s.answered_by.as_str(),
                       "answered_at": rfc3339(s.answered_at)})
            })
            .collect();
        let result = state.db.result(a.id).await?.map(|r| {
            json!({
                "channel": r.channel, "rule": r.rule, "provisional": r.provisional,
                "borderline": r.borderline,
                "scores": {"access": r.score_access, "skills": r.score_skills, "motivation": r.score_motivation},
                "computed_at": rfc3339(r.computed_at),
                "override": r.override_.map(|o| json!({"channel": o.channel, "category": o.category.map(|c| c.as_str()), "reason": o.reason, "at": rfc3339(o.at)})),
                "outcome": r.outcome,
            })
        });
        assessments.push(json!({
            "id": a.id, "instrument": a.instrument, "mode": a.mode, "language": a.language,
            "started_at": rfc3339(a.started_at), "finished_at": a.finished_at.map(rfc3339),
            "note": a.note, "answers": answers, "result": result,
        }));
    }
    let invites: Vec<Value> = state
        .db
        .invites_of_case(case.id)
        .await?
        .into_iter()
        .map(|i| {
            json!({"code": i.code, "created_at": rfc3339(i.created_at),
                   "expires_at": rfc3339(i.expires_at), "used_at": i.used_at.map(rfc3339)})
        })
        .collect();
    // Agreed plans: the steps with their dates, the next screening and the note.
    let plans: Vec<Value> = state
        .db
        .plans_of_case(case.id)
        .await?
        .into_iter()
        .map(|p| {
            let steps: Vec<Value> = p
                .plan
                .steps
                .iter()
                .map(|s| json!({"step": s.step, "due": s.due.map(crate::api::help::iso), "offers": s.offers}))
                .collect();
            json!({"assessment_id": p.assessment_id, "version": p.version, "agreed_at": rfc3339(p.agreed_at),
                   "steps": steps, "next_screening": p.plan.next_screening.map(crate::api::help::iso),
                   "note": p.plan.note})
        })
        .collect();
    // Who looked is told by role and time: staff usernames and addresses are the staff's
    // own personal data, not the person's.
    let roles: std::collections::HashMap<i64, &'static str> = state
        .db
        .users()
        .await?
        .into_iter()
        .map(|u| (u.id, u.role.as_str()))
        .collect();
    let audit: Vec<Value> = state
        .db
        .audit_entries(&crate::server::db::AuditFilter {
            case_id: Some(case.id),
            limit: 10_000,
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|e| {
            let by = match e.entry.actor_id {
                Some(id) => roles.get(&id).copied().unwrap_or("staff"),
                None if e.entry.actor == "recipient" => "you",
                None => "system",
            };
            json!({"at": rfc3339(e.at), "by": by, "action": e.entry.action, "detail": e.entry.detail})
        })
        .collect();
    Ok(json!({
        "exported_at": rfc3339(OffsetDateTime::now_utc()),
        "case": {
            "id": case.id, "reference": case.reference, "birth_year": case.birth_year,
            "age_band": band(case), "team": case.team_name,
            "created_at": rfc3339(case.created_at), "last_activity_at": rfc3339(case.last_activity_at),
        },
        "assessments": assessments,
        "invites": invites,
        "plans": plans,
        "audit": audit,
    }))
}
