//! Server functions behind the forms, and the JSON API for other systems.
//! One capability per file: authorize → load → domain → store.

pub mod admin;
pub mod auth;
pub mod cases;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod interview;
pub mod language;
pub mod questionnaire;
#[cfg(feature = "ssr")]
pub mod score;
pub mod self_assessment;
pub mod stats;

#[cfg(feature = "ssr")]
use crate::server::state::AppState;

/// One route handled outside Leptos: its method, path and handler.
#[cfg(feature = "ssr")]
pub type RouteEntry = (
    &'static str,
    &'static str,
    axum::routing::MethodRouter<AppState>,
);

/// The form posts, the JSON API and health: every route that is not a page or a server
/// function. The authorization tests read this list, so none can miss the route table.
#[cfg(feature = "ssr")]
pub fn route_table() -> Vec<RouteEntry> {
    use axum::routing::{get, post};
    vec![
        ("GET", "/healthz", get(crate::server::health::healthz)),
        ("POST", "/api/v1/score", post(score::score)),
        ("GET", "/api/v1/instruments/{id}", get(score::instrument)),
        ("POST", "/self/answer", post(self_assessment::answer)),
        ("POST", "/self/finish", post(self_assessment::finish)),
        ("POST", "/auth/logout", post(auth::logout)),
        ("POST", "/auth/password", post(auth::change_password)),
        ("POST", "/interview/start", post(interview::start)),
        ("POST", "/interview/{token}/answers", post(interview::save)),
        (
            "POST",
            "/interview/{token}/override",
            post(interview::override_channel),
        ),
        ("POST", "/cases", post(cases::create)),
        (
            "POST",
            "/cases/{case}/interview",
            post(cases::start_interview),
        ),
        ("POST", "/cases/{case}/invites", post(cases::create_invite)),
        ("POST", "/cases/{case}/erase", post(cases::erase)),
        ("GET", "/cases/{case}/export.json", get(cases::export)),
        ("POST", "/admin/teams", post(admin::create_team)),
        ("POST", "/admin/users", post(admin::create_user)),
        ("POST", "/admin/users/{user}", post(admin::update_user)),
        (
            "POST",
            "/admin/users/{user}/password",
            post(admin::reset_password),
        ),
        ("GET", "/dashboard/export.csv", get(stats::aggregates_csv)),
        ("POST", "/dashboard/rows.csv", post(stats::rows_csv)),
    ]
}

/// Routes that take a secret a person types (a resume code, an invite code, a password).
#[cfg(feature = "ssr")]
pub fn guessable_route_table() -> Vec<RouteEntry> {
    use axum::routing::post;
    vec![
        ("POST", "/self/resume", post(self_assessment::resume)),
        ("POST", "/self/invite", post(self_assessment::invite)),
        ("POST", "/auth/login", post(auth::login)),
    ]
}

/// Routes that create something for anyone who asks (a new self-assessment).
#[cfg(feature = "ssr")]
pub fn creating_route_table() -> Vec<RouteEntry> {
    use axum::routing::post;
    vec![("POST", "/self/start", post(self_assessment::start))]
}

#[cfg(feature = "ssr")]
fn router_of(table: Vec<RouteEntry>) -> axum::Router<AppState> {
    table
        .into_iter()
        .fold(axum::Router::new(), |r, (_, path, handler)| {
            r.route(path, handler)
        })
}

#[cfg(feature = "ssr")]
pub fn routes() -> axum::Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    router_of(route_table())
        .merge(rate_limited(guessable_route_table(), 6, 10))
        .merge(rate_limited(creating_route_table(), 2, 30))
        .layer(DefaultBodyLimit::max(score::MAX_BODY_BYTES))
}

/// Each address gets `burst` requests at once at these routes, then one more every
/// `every_secs` seconds: 10 and 6 s where a secret is guessed (codes, passwords), 30 and
/// 2 s where anyone can create a row (a job centre's shared address still has room).
#[cfg(feature = "ssr")]
fn rate_limited(table: Vec<RouteEntry>, every_secs: u64, burst: u32) -> axum::Router<AppState> {
    use tower_governor::GovernorLayer;
    use tower_governor::governor::GovernorConfigBuilder;
    let config = GovernorConfigBuilder::default()
        .per_second(every_secs)
        .burst_size(burst)
        .finish();
    let router = router_of(table);
    match config {
        Some(config) => router.layer(GovernorLayer::new(config)),
        // Only reachable with a zero period or burst, which the callers never pass.
        None => router,
    }
}
