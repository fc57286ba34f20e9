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

#[tracing::instrument(level = "debug", skip_all)]
pub async fn instrument(Path(id): Path<String>) -> Result<Json<&'static Instrument>, AppError> {
    Instrument::bundled(&id).map(Json).ok_or(AppError::NotFound)
}
