//! The scoring API for other municipal systems: `POST /api/v1/score` scores a set of
//! answers and stores nothing; `GET /api/v1/instruments/{id}` returns the instrument.

use axum::Json;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::domain::{Instrument, score_request};
use crate::error::AppError;

/// Request bodies above this are refused with 413 before they are read whole.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Score a set of answers.
///
/// Scores answers by the instrument's rules and stores nothing
/// (`../shared/design/instrument.md`, "The scoring API").
#[utoipa::path(
    post, path = "/api/v1/score", tag = "scoring",
    request_body = ScoreRequestDoc,
    responses(
        (status = 200, description = "The outcome", body = OutcomeDoc),
        (status = 400, description = "The body is not such JSON", body = ScoreErrorDoc),
        (status = 413, description = "The body is larger than 64 KiB"),
        (status = 422, description = "An unknown item or code (named), or an unknown instrument or mode (`item` null)", body = ScoreErrorDoc),
    )
)]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn score(body: Bytes) -> Response {
    match score_request(&body) {
        Ok(outcome) => Json(outcome).into_response(),
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
            (status, Json(e.body())).into_response()
        }
    }
}

/// Read the instrument: items, options and texts in every language.
#[utoipa::path(
    get, path = "/api/v1/instruments/{id}", tag = "scoring",
    params(("id" = String, Path, description = "The instrument, `dr-1`")),
    responses(
        (status = 200, description = "The instrument definition", body = Object),
        (status = 404, description = "No such instrument"),
    )
)]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn instrument(Path(id): Path<String>) -> Result<Json<&'static Instrument>, AppError> {
    Instrument::bundled(&id).map(Json).ok_or(AppError::NotFound)
}

/// What `POST /api/v1/score` takes (for the OpenAPI document; the handler reads the body
/// itself, so that every malformed body gets the contract's error).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
#[schema(example = json!({"instrument": "dr-1", "mode": "self", "answers": {"A1": "phone_only", "U2": ["banking"]}}))]
pub struct ScoreRequestDoc {
    #[schema(value_type = String, pattern = "^dr-1$")]
    instrument: String,
    mode: ScoreMode,
    /// Item id to an option code, or a list of codes for U2; `null` for unanswered.
    #[schema(value_type = Object)]
    answers: serde_json::Value,
}

/// Who answers: the person alone (`self`) or with a caseworker (`interview`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub enum ScoreMode {
    #[schema(rename = "self")]
    SelfAssessment,
    #[schema(rename = "interview")]
    Interview,
}

/// The outcome of scoring.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct OutcomeDoc {
    instrument: String,
    /// `self_service`, `assisted` or `analogue`.
    channel: String,
    #[schema(minimum = 1, maximum = 6)]
    rule: u8,
    provisional: bool,
    borderline: bool,
    /// `access`, `skills`, `motivation`: 0–100 or `null` (unknown).
    #[schema(value_type = Object)]
    scores: serde_json::Value,
    /// Answered / applicable per dimension, unrounded.
    #[schema(value_type = Object)]
    coverage: serde_json::Value,
    reasons: Vec<String>,
    flags: Vec<String>,
    exemption_grounds: Vec<String>,
    next_steps: Vec<String>,
}

/// The scoring contract's error: a message and the first offending item, or `null`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ScoreErrorDoc {
    error: String,
    item: Option<String>,
}
