//! Server functions behind the forms, and the JSON API for other systems.
//! One capability per file: authorize → load → domain → store.

pub mod auth;

/// The error text of a page load refused for the signed-in person's role.
pub const FORBIDDEN: &str = "forbidden";
pub mod interview;
pub mod language;
pub mod questionnaire;
#[cfg(feature = "ssr")]
pub mod score;
pub mod self_assessment;

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
        .merge(guessable_routes())
        .route("/auth/logout", post(auth::logout))
        .route("/auth/password", post(auth::change_password))
        .route("/interview/start", post(interview::start))
        .route("/interview/{token}/answers", post(interview::save))
        .route(
            "/interview/{token}/override",
            post(interview::override_channel),
        )
        .layer(DefaultBodyLimit::max(score::MAX_BODY_BYTES))
}

/// Routes that take a secret a person types (a resume code, a password): each address
/// gets 10 tries at once, then one more every 6 seconds, so codes cannot be guessed.
#[cfg(feature = "ssr")]
fn guessable_routes() -> axum::Router<AppState> {
    use axum::routing::post;
    use tower_governor::GovernorLayer;
    use tower_governor::governor::GovernorConfigBuilder;
    let config = GovernorConfigBuilder::default()
        .per_second(6)
        .burst_size(10)
        .finish();
    let router = axum::Router::new()
        .route("/self/resume", post(self_assessment::resume))
        .route("/auth/login", post(auth::login));
    match config {
        Some(config) => router.layer(GovernorLayer::new(config)),
        // Only reachable with a zero period or burst, which the constants above are not.
        None => router,
    }
}
