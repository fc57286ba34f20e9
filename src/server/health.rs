//! `GET /healthz`: 200 when the database answers, 503 with a plain message otherwise.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::server::db::Backend;
use crate::server::state::AppState;

pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let backend = match state.db.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    match tokio::time::timeout(Duration::from_secs(3), state.db.ping()).await {
        Ok(Ok(())) => (
            StatusCode::OK,
            Json(json!({"status": "ok", "database": backend})),
        ),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: database error");
            unavailable(
                backend,
                "The database does not answer. Check that it is running and reachable.",
            )
        }
        Err(_) => {
            tracing::warn!("health check: database timed out");
            unavailable(backend, "The database did not answer within 3 seconds.")
        }
    }
}

fn unavailable(backend: &str, message: &str) -> (StatusCode, Json<Value>) {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({"status": "unavailable", "database": backend, "message": message})),
    )
}
