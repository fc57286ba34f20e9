//! Server functions behind the forms, and the JSON API for other systems.
//! One capability per file: authorize → load → domain → store.

/// The server side of a capability folder: one file per action, each compiled only for
/// the server, and one namespace `server` that gathers them for the files beside them.
macro_rules! server_side {
    ($($action:ident),+) => {
        $(#[cfg(feature = "ssr")] mod $action;)+
        #[cfg(feature = "ssr")]
        mod server {
            $(#[allow(unused_imports)] pub use super::$action::*;)+
        }
    };
}
pub(crate) use server_side;

pub mod admin;
pub mod auth;
pub mod calibration;
pub mod cases;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod help;
pub mod interview;
pub mod language;
#[cfg(feature = "ssr")]
pub mod oidc;
pub mod questionnaire;
#[cfg(feature = "ssr")]
pub mod score;
pub mod self_assessment;
pub mod stats;
pub mod tokens;
#[cfg(feature = "ssr")]
pub mod v1;

#[cfg(feature = "ssr")]
use crate::server::state::AppState;

/// One route handled outside Leptos: its rule in the route table (method, path, kind and
/// who may use it) and its handler, declared together.
#[cfg(feature = "ssr")]
pub type RouteEntry = (
    crate::server::access::Rule,
    axum::routing::MethodRouter<AppState>,
);

/// The form posts, downloads, the JSON API and health: every route that is not a page or
/// a server function, each with its rule (`server::access::rules` reads them from here).
#[cfg(feature = "ssr")]
pub fn route_table() -> Vec<RouteEntry> {
    use crate::domain::token::Scope::{CasesRead, CasesWrite};
    use crate::server::access::Access::{
        Admin, Caseworker, Public, Recipient, Staff, Statistics, Token,
    };
    use crate::server::access::Kind::{Api, Form};
    use crate::server::access::rule;
    use axum::routing::{delete, get, post};
    vec![
        (
            rule("GET", "/healthz", Api, Public),
            get(crate::server::health::healthz),
        ),
        (
            rule("POST", "/api/v1/score", Api, Public),
            post(score::score),
        ),
        (
            rule("GET", "/api/v1/instruments/{id}", Api, Public),
            get(score::instrument),
        ),
        (
            rule("GET", "/api/v1/instruments/{id}/fhir", Api, Public),
            get(v1::instrument_fhir),
        ),
        (
            rule("GET", "/api/v1/openapi.json", Api, Public),
            get(v1::openapi_json),
        ),
        (rule("GET", "/api/docs", Api, Public), get(v1::docs::page)),
        (
            rule("POST", "/api/v1/cases", Api, Token(CasesWrite)),
            post(v1::cases::create_case),
        ),
        (
            rule("GET", "/api/v1/cases/{case}", Api, Token(CasesRead)),
            get(v1::cases::read_case),
        ),
        (
            rule("DELETE", "/api/v1/cases/{case}", Api, Token(CasesWrite)),
            delete(v1::cases::erase_case),
        ),
        (
            rule(
                "POST",
                "/api/v1/cases/{case}/invites",
                Api,
                Token(CasesWrite),
            ),
            post(v1::cases::create_invite),
        ),
        (
            rule(
                "GET",
                "/api/v1/cases/{case}/assessments",
                Api,
                Token(CasesRead),
            ),
            get(v1::cases::assessments),
        ),
        (
            rule("GET", "/api/v1/cases/{case}/result", Api, Token(CasesRead)),
            get(v1::cases::latest_result),
        ),
        (
            rule(
                "GET",
                "/api/v1/assessments/{assessment}/fhir",
                Api,
                Token(CasesRead),
            ),
            get(v1::response_fhir),
        ),
        (
            rule("POST", "/admin/tokens", Form, Admin),
            post(tokens::create_token),
        ),
        (
            rule("POST", "/admin/tokens/{api_token}/revoke", Form, Admin),
            post(tokens::revoke_token),
        ),
        (
            rule("POST", "/self/answer", Form, Recipient),
            post(self_assessment::answer),
        ),
        (
            rule("POST", "/self/finish", Form, Recipient),
            post(self_assessment::finish),
        ),
        (
            rule("POST", "/auth/logout", Form, Public),
            post(auth::logout),
        ),
        (
            rule("GET", "/auth/oidc/start", Form, Public),
            get(oidc::start),
        ),
        (
            rule("GET", "/auth/oidc/callback", Form, Public),
            get(oidc::callback),
        ),
        (
            rule("POST", "/admin/sign-in", Form, Admin),
            post(admin::set_sign_in),
        ),
        (
            rule("POST", "/auth/password", Form, Staff),
            post(auth::change_password),
        ),
        (
            rule("POST", "/interview/start", Form, Caseworker),
            post(interview::start),
        ),
        (
            rule("POST", "/interview/{token}/answers", Form, Caseworker),
            post(interview::save),
        ),
        (
            rule("POST", "/interview/{token}/override", Form, Caseworker),
            post(interview::override_channel),
        ),
        (
            rule("POST", "/interview/{token}/plan", Form, Caseworker),
            post(help::agree_plan),
        ),
        (
            rule("POST", "/cases", Form, Caseworker),
            post(cases::create),
        ),
        (
            rule("POST", "/cases/{case}/interview", Form, Caseworker),
            post(cases::start_interview),
        ),
        (
            rule("POST", "/cases/{case}/invites", Form, Caseworker),
            post(cases::create_invite),
        ),
        (
            rule(
                "POST",
                "/calibration/{round}/vignette/{number}",
                Form,
                Caseworker,
            ),
            post(calibration::answer),
        ),
        (
            rule("POST", "/cases/{case}/erase", Form, Caseworker),
            post(cases::erase),
        ),
        (
            rule("GET", "/cases/{case}/export.json", Api, Caseworker),
            get(cases::export),
        ),
        (
            rule("POST", "/admin/teams", Form, Admin),
            post(admin::create_team),
        ),
        (
            rule("POST", "/admin/users", Form, Admin),
            post(admin::create_user),
        ),
        (
            rule("POST", "/admin/users/{user}", Form, Admin),
            post(admin::update_user),
        ),
        (
            rule("POST", "/admin/users/{user}/password", Form, Admin),
            post(admin::reset_password),
        ),
        (
            rule("POST", "/admin/help", Form, Admin),
            post(help::create_offer),
        ),
        (
            rule("POST", "/admin/help/settings", Form, Admin),
            post(help::save_settings),
        ),
        (
            rule("POST", "/admin/help/{offer}", Form, Admin),
            post(help::update_offer),
        ),
        (
            rule("POST", "/admin/help/{offer}/retire", Form, Admin),
            post(help::retire_offer),
        ),
        (
            rule("GET", "/dashboard/export.csv", Api, Statistics),
            get(stats::aggregates_csv),
        ),
        (
            rule("GET", "/dashboard/overrides.csv", Api, Statistics),
            get(stats::overrides_csv),
        ),
        (
            rule("GET", "/dashboard/fairness.csv", Api, Statistics),
            get(stats::fairness_csv),
        ),
        (
            rule("GET", "/dashboard/calibration.csv", Api, Statistics),
            get(stats::calibration_csv),
        ),
        (
            rule("GET", "/dashboard/agreement.csv", Api, Statistics),
            get(stats::agreement_csv),
        ),
        (
            rule("POST", "/dashboard/rows.csv", Form, Statistics),
            post(stats::rows_csv),
        ),
    ]
}

/// Routes that take a secret a person types (a resume code, an invite code, a password).
#[cfg(feature = "ssr")]
pub fn guessable_route_table() -> Vec<RouteEntry> {
    use crate::server::access::Access::Public;
    use crate::server::access::Kind::Form;
    use crate::server::access::rule;
    use axum::routing::post;
    vec![
        (
            rule("POST", "/self/resume", Form, Public),
            post(self_assessment::resume),
        ),
        (
            rule("POST", "/self/invite", Form, Public),
            post(self_assessment::invite),
        ),
        (rule("POST", "/auth/login", Form, Public), post(auth::login)),
    ]
}

/// Routes that create something for anyone who asks (a new self-assessment).
#[cfg(feature = "ssr")]
pub fn creating_route_table() -> Vec<RouteEntry> {
    use crate::server::access::Access::Public;
    use crate::server::access::Kind::Form;
    use crate::server::access::rule;
    use axum::routing::post;
    vec![(
        rule("POST", "/self/start", Form, Public),
        post(self_assessment::start),
    )]
}

/// Every route of the three tables.
#[cfg(feature = "ssr")]
pub fn all_routes() -> Vec<RouteEntry> {
    let mut all = route_table();
    all.extend(guessable_route_table());
    all.extend(creating_route_table());
    all
}

#[cfg(feature = "ssr")]
fn router_of(table: Vec<RouteEntry>) -> axum::Router<AppState> {
    table
        .into_iter()
        .fold(axum::Router::new(), |r, (rule, handler)| {
            r.route(rule.path, handler)
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
