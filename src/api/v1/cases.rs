//! The case endpoints for a case system: create a case, hand out an invite code, list a
//! case's assessments, read its latest result, erase it. The route table has checked the
//! token and its scope; each handler checks the case is of the token's team (another
//! team's case is "not found"), and writes an audit line naming the token before the
//! data is read, or in the same transaction as the write.

use std::net::SocketAddr;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};
use time::OffsetDateTime;

use super::error::{ApiError, ErrorBody};
use super::model::*;
use crate::domain::case::{parse_birth_year, parse_reference};
use crate::domain::{Instrument, Outcome};
use crate::server::db::{Case, DbError, NewAudit, NewCase};
use crate::server::state::AppState;
use crate::server::tokens::ApiClient;

/// The refusals every token route can answer.
#[derive(utoipa::IntoResponses)]
pub enum Refusals {
    /// No token, an unknown, revoked or expired one.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// The token lacks the scope.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// Too many calls with this token.
    #[response(status = 429)]
    TooMany(ErrorBody),
    /// The database is unavailable; nothing was changed.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// The audit line of one call by `client` from `addr`.
pub(super) fn line(
    client: &ApiClient,
    action: &str,
    addr: SocketAddr,
    case: Option<i64>,
) -> NewAudit {
    NewAudit {
        actor_id: None,
        actor: client.actor(),
        action: action.to_owned(),
        case_id: case,
        address: addr.ip().to_string(),
        ..NewAudit::default()
    }
}

/// The case `id` of the client's team.
pub(super) async fn team_case(
    state: &AppState,
    client: &ApiClient,
    id: &str,
) -> Result<Case, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::not_found("case"))?;
    match state.db.case(id).await? {
        Some(case) if case.team_id == client.0.team_id => Ok(case),
        _ => Err(ApiError::not_found("case")),
    }
}

/// A JSON body of type `T`, or a 415 or 400 that says what is wrong.
pub(super) fn json_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<T, ApiError> {
    let json = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim().to_ascii_lowercase();
            v == "application/json" || (v.starts_with("application/") && v.ends_with("+json"))
        });
    if !json {
        return Err(ApiError::unsupported_media_type());
    }
    serde_json::from_slice(body).map_err(ApiError::bad_json)
}

/// Create a case.
///
/// Idempotent by reference: when the team already has a case with the reference, the
/// answer is 409 with its `id`, and nothing is created.
#[utoipa::path(
    post, path = "/api/v1/cases", tag = "cases",
    request_body = NewCaseBody,
    responses(
        (status = 201, description = "Created", body = CaseBody,
         headers(("Location" = String, description = "The case's address"))),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 409, description = "A case with this reference exists", body = ErrorBody),
        (status = 415, description = "The body is not application/json", body = ErrorBody),
        (status = 422, description = "A field cannot be used (e.g. a CPR number)", body = ErrorBody),
        Refusals,
    ),
    security(("token" = ["cases:write"]))
)]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_case(
    State(state): State<AppState>,
    client: ApiClient,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let new: NewCaseBody = json_body(&headers, &body)?;
    // As the document says: at most 40 characters as sent (spaces count), none a control
    // character; then the form's own checks (not blank, not a CPR number).
    if new.reference.chars().count() > crate::domain::case::MAX_REFERENCE_CHARS {
        return Err(ApiError::invalid("reference", "reference_too_long"));
    }
    if new.reference.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "reference",
            "reference_control_character",
        ));
    }
    let reference =
        parse_reference(&new.reference).map_err(|e| ApiError::invalid("reference", e.as_str()))?;
    let birth_year = parse_birth_year(
        &new.birth_year.to_string(),
        OffsetDateTime::now_utc().year(),
    )
    .map_err(|e| ApiError::invalid("birth_year", e.as_str()))?;
    let team_id = client.0.team_id;
    if let Some(existing) = state.db.case_by_reference(team_id, &reference).await? {
        return Err(ApiError::case_exists(existing.id));
    }
    let new = NewCase {
        reference: reference.clone(),
        birth_year,
        team_id,
        caseworker_id: None,
    };
    let id = match state
        .db
        .create_case(&new, Some(&line(&client, "api.case.create", addr, None)))
        .await
    {
        Ok(id) => id,
        // Another call made it in between.
        Err(DbError::Duplicate(_)) => {
            let existing = state.db.case_by_reference(team_id, &reference).await?;
            return Err(
                existing.map_or_else(ApiError::unavailable, |c| ApiError::case_exists(c.id))
            );
        }
        Err(e) => return Err(e.into()),
    };
    let case = state.db.case(id).await?.ok_or_else(ApiError::unavailable)?;
    Ok((
        StatusCode::CREATED,
        [(http::header::LOCATION, format!("/api/v1/cases/{id}"))],
        Json(CaseBody::from(&case)),
    )
        .into_response())
}

/// Read a case.
#[utoipa::path(
    get, path = "/api/v1/cases/{case}", tag = "cases",
    params(("case" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The case", body = CaseBody),
        (status = 404, description = "No such case in the token's team", body = ErrorBody),
        Refusals,
    ),
    security(("token" = ["cases:read"]))
)]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn read_case(
    State(state): State<AppState>,
    client: ApiClient,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(case): Path<String>,
) -> Result<Json<CaseBody>, ApiError> {
    let case = team_case(&state, &client, &case).await?;
    state
        .db
        .audit(&line(&client, "api.case.read", addr, Some(case.id)))
        .await?;
    Ok(Json(CaseBody::from(&case)))
}

/// Hand out an invite code.
///
/// A one-time code with which the person starts their self-assessment at `url`; it
/// expires after the job centre's invite period.
#[utoipa::path(
    post, path = "/api/v1/cases/{case}/invites", tag = "cases",
    params(("case" = i64, Path, description = "The case's id")),
    responses(
        (status = 201, description = "Created", body = InviteBody),
        (status = 404, description = "No such case in the token's team", body = ErrorBody),
        Refusals,
    ),
    security(("token" = ["cases:write"]))
)]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_invite(
    State(state): State<AppState>,
    client: ApiClient,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(case): Path<String>,
) -> Result<Response, ApiError> {
    let case = team_case(&state, &client, &case).await?;
    let trail = line(&client, "api.invite.create", addr, Some(case.id));
    let id = crate::api::cases::issue_invite(&state, case.id, client.0.created_by, &trail).await?;
    let invite = state
        .db
        .invite(id)
        .await?
        .ok_or_else(ApiError::unavailable)?;
    Ok((
        StatusCode::CREATED,
        Json(InviteBody::of(&invite, &state.config.public_url)),
    )
        .into_response())
}

/// List a case's assessments, oldest first.
#[utoipa::path(
    get, path = "/api/v1/cases/{case}/assessments", tag = "cases",
    params(("case" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The assessments", body = Vec<AssessmentBody>),
        (status = 404, description = "No such case in the token's team", body = ErrorBody),
        Refusals,
    ),
    security(("token" = ["cases:read"]))
)]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn assessments(
    State(state): State<AppState>,
    client: ApiClient,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(case): Path<String>,
) -> Result<Json<Vec<AssessmentBody>>, ApiError> {
    let case = team_case(&state, &client, &case).await?;
    state
        .db
        .audit(&line(&client, "api.assessments.list", addr, Some(case.id)))
        .await?;
    let list = state.db.assessments_of_case(case.id).await?;
    Ok(Json(list.iter().map(AssessmentBody::from).collect()))
}

/// Read the latest result of a case.
///
/// The newest finished assessment: the channel computed and after the caseworker's
/// override, the rule, reasons, next steps, possible exemption grounds, and whether the
/// result is provisional or borderline, with texts in `lang`.
#[utoipa::path(
    get, path = "/api/v1/cases/{case}/result", tag = "cases",
    params(("case" = i64, Path, description = "The case's id"), LangQuery),
    responses(
        (status = 200, description = "The latest result", body = ResultBody),
        (status = 404, description = "No such case in the token's team (`not_found`), or no finished assessment yet (`no_result`)", body = ErrorBody),
        (status = 422, description = "An unknown language", body = ErrorBody),
        Refusals,
    ),
    security(("token" = ["cases:read"]))
)]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn latest_result(
    State(state): State<AppState>,
    client: ApiClient,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(case): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<ResultBody>, ApiError> {
    let case = team_case(&state, &client, &case).await?;
    // Read by hand, so that a repeated or unknown parameter is a 422 like any bad value.
    let query = query.unwrap_or_default();
    let langs: Vec<&str> = query
        .split('&')
        .filter_map(|pair| pair.strip_prefix("lang="))
        .collect();
    let lang = match langs.as_slice() {
        [] | ["da"] => "da",
        ["en"] => "en",
        ["ar"] => "ar",
        _ => return Err(ApiError::invalid("lang", "unknown_language")),
    };
    state
        .db
        .audit(&line(&client, "api.result.read", addr, Some(case.id)))
        .await?;
    let latest = state
        .db
        .assessments_of_case(case.id)
        .await?
        .into_iter()
        .filter(|a| a.finished_at.is_some() && a.channel.is_some())
        .max_by_key(|a| (a.finished_at, a.id))
        .ok_or_else(ApiError::no_result)?;
    let stored = state
        .db
        .result(latest.id)
        .await?
        .ok_or_else(ApiError::no_result)?;
    let outcome: Outcome = serde_json::from_value(stored.outcome.clone())
        .map_err(|e| ApiError::from(DbError::Corrupt(format!("result {}: {e}", latest.id))))?;
    let instrument = Instrument::bundled(&outcome.instrument).unwrap_or(Instrument::dr1());
    let coded = |code: &str, text: &str| Coded {
        code: code.to_owned(),
        text: text.to_owned(),
    };
    let computed = ChannelCode::from(outcome.channel);
    let override_ = stored.override_.as_ref().map(|o| OverrideBody {
        channel: o.channel.into(),
        at: rfc3339(o.at),
    });
    Ok(Json(ResultBody {
        case_id: case.id,
        assessment_id: latest.id,
        instrument: outcome.instrument.clone(),
        mode: latest.mode.into(),
        finished_at: latest.finished_at.map(rfc3339).unwrap_or_default(),
        channel: computed,
        channel_after_override: override_.as_ref().map_or(computed, |o| o.channel),
        override_,
        rule: outcome.rule,
        rule_text: instrument.rule_text(outcome.rule, lang).to_owned(),
        provisional: outcome.provisional,
        borderline: outcome.borderline,
        scores: ScoresBody {
            access: outcome.scores.access,
            skills: outcome.scores.skills,
            motivation: outcome.scores.motivation,
        },
        reasons: outcome
            .reasons
            .iter()
            .map(|r| coded(r.as_str(), instrument.reason_for_caseworker(*r, lang)))
            .collect(),
        next_steps: outcome
            .next_steps
            .iter()
            .map(|s| coded(s.as_str(), instrument.next_step_text(*s, lang)))
            .collect(),
        exemption_grounds: outcome
            .exemption_grounds
            .iter()
            .map(|g| coded(g.as_str(), instrument.exemption_ground_text(*g, lang)))
            .collect(),
        flags: outcome
            .flags
            .iter()
            .map(|f| coded(f.as_str(), instrument.flag_text(*f, lang)))
            .collect(),
        language: lang.to_owned(),
    }))
}

/// Erase a case.
///
/// On the person's request: the case, its reference, invites, answers and notes go; the
/// finished results stay, detached from any person, for statistics.
#[utoipa::path(
    delete, path = "/api/v1/cases/{case}", tag = "cases",
    params(("case" = i64, Path, description = "The case's id")),
    responses(
        (status = 204, description = "Erased"),
        (status = 404, description = "No such case in the token's team", body = ErrorBody),
        Refusals,
    ),
    security(("token" = ["cases:write"]))
)]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn erase_case(
    State(state): State<AppState>,
    client: ApiClient,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(case): Path<String>,
) -> Result<StatusCode, ApiError> {
    let case = team_case(&state, &client, &case).await?;
    let trail = NewAudit {
        detail: "on request".into(),
        ..line(&client, "api.case.erase", addr, Some(case.id))
    };
    if state.db.erase_case(case.id, Some(&trail)).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("case"))
    }
}
