//! The HTTP surface: health, the JSON API, the pages and static files, wrapped in
//! language resolution, compression and request logging.

use axum::Router;
use axum::middleware;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::app::{App, shell};
use crate::server::state::AppState;
use crate::server::{access, auth, lang, security};

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let sessions = auth::session_layer(state.db.sessions(), state.config.secure_cookies);
    Router::new()
        .merge(crate::api::routes())
        .leptos_routes(&state, routes, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(lang::resolve_language))
        .layer(middleware::from_fn(no_store_personal_pages))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            access::enforce,
        ))
        .layer(sessions)
        .layer(middleware::from_fn(security::same_origin_writes))
        .layer(middleware::from_fn(security::headers))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Pages with a person's answers or a staff session must not stay in a shared computer's
/// cache or back-forward history.
async fn no_store_personal_pages(
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let personal = [
        "/self/",
        "/interview",
        "/account",
        "/cases",
        "/admin",
        "/dashboard",
    ]
    .iter()
    .any(|p| req.uri().path().starts_with(p));
    let mut response = next.run(req).await;
    if personal {
        response.headers_mut().insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        );
    }
    response
}
