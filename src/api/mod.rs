//! Server functions behind the forms, and the JSON API for other systems.
//! One capability per file: authorize → load → domain → store.

pub mod interview;
pub mod language;
pub mod questionnaire;
pub mod self_assessment;
#[cfg(feature = "ssr")]
pub mod score;

#[cfg(feature = "ssr")]
use crate::server::state::AppState;

/// The JSON routes under `/api/v1`, outside the server-function namespace.
#[cfg(feature = "ssr")]
pub fn routes() -> axum::Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/v1/score", post(score::score))
        .route("/api/v1/instruments/{id}", get(score::instrument))
        .route("/self/start", post(self_assessment::start))
        .route("/self/answer", post(self_assessment::answer))
        .route("/self/finish", post(self_assessment::finish))
        .route("/self/resume", post(self_assessment::resume))
        .route("/interview/start", post(interview::start))
        .route("/interview/{token}/answers", post(interview::save))
        .route("/interview/{token}/override", post(interview::override_channel))
        .layer(DefaultBodyLimit::max(score::MAX_BODY_BYTES))
}
