//! One error type for the HTTP surface: logs the cause once, and shows the person or
//! the calling system a safe message with the right status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::server::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("the request body is not valid: {0}")]
    BadRequest(String),
    #[error("{message}")]
    Unprocessable { message: String, item: Option<String> },
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Database(#[from] DbError),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::BadRequest(why) => {
                (StatusCode::BAD_REQUEST, Json(json!({"error": format!("The request body is not valid: {why}")})))
                    .into_response()
            }
            AppError::Unprocessable { message, item } => {
                (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"error": message, "item": item}))).into_response()
            }
            AppError::NotFound => (StatusCode::NOT_FOUND, Json(json!({"error": "Not found."}))).into_response(),
            AppError::Database(e) => {
                tracing::error!(error = %e, "database error");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    Json(json!({"error": "The service cannot reach its database right now. Try again in a moment."})),
                )
                    .into_response()
            }
        }
    }
}
