//! The HTTP surface: health, the JSON API, the pages and static files, wrapped in
//! language resolution, compression and request logging.

use axum::Router;
use axum::middleware;
use leptos::config::LeptosOptions;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::app::{App, shell};
use crate::server::state::AppState;
use crate::server::{
    access, auth, document, errors, health, lang, page_cache, security, write_stamp,
};

/// The router inside one stack of middleware, built once. The stack wraps the router as a
/// whole rather than each route (`Router::layer` puts every layer around every route, each
/// in a box of its own, and a request cloned and dropped that chain of boxes: #15's
/// profile). It also runs for requests no route takes (404, 405) as for every other one.
/// The first layer is the outermost.
pub fn router(state: AppState) -> Router {
    let routes = routes();
    let options = LeptosOptions::clone(&state.leptos_options);
    let sessions = auth::session_layer(
        state.db.sessions(),
        state.config.secure_cookies,
        &state.config.session_secret,
    );
    let app = Router::new()
        .merge(crate::api::routes())
        .leptos_routes(&state, routes, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state.clone());
    let stack = ServiceBuilder::new()
        // Everything inside sees the client, not a trusted proxy in front of it.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            client_address,
        ))
        .layer(TraceLayer::new_for_http())
        .layer(CompressionLayer::new())
        // Over HTTPS, browsers are told to use nothing else for a year.
        .layer(tower::util::option_layer(state.config.secure_cookies.then(
            || {
                SetResponseHeaderLayer::if_not_present(
                    http::header::STRICT_TRANSPORT_SECURITY,
                    http::HeaderValue::from_static("max-age=31536000; includeSubDomains"),
                )
            },
        )))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        // Pages that depend on the language only, made once (it keeps finished pages).
        .layer(middleware::from_fn_with_state(
            state.clone(),
            page_cache::serve,
        ))
        // Every page mended into valid HTML and sent whole (it needs the nonce: inside).
        .layer(middleware::from_fn(document::finish))
        // Inside the security headers, so the page it makes gets them too.
        .layer(middleware::from_fn(errors::html_for_browsers))
        .layer(middleware::from_fn(security::same_origin_writes))
        // A recipient's write gets a new stamp once it is stored (`write_stamp`).
        .layer(middleware::from_fn_with_state(
            state.clone(),
            write_stamp::stamp_writes,
        ))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            access::enforce,
        ))
        .layer(middleware::from_fn(no_store_personal_pages))
        .layer(middleware::from_fn(lang::resolve_language))
        .layer(RequestBodyTimeoutLayer::new(state.config.body_timeout))
        .map_request(|req: http::Request<_>| req.map(axum::body::Body::new))
        .layer(middleware::from_fn(limit_server_function_bodies))
        .layer(middleware::from_fn_with_state(
            state,
            health::pause_writes_when_disk_low,
        ))
        .service(app);
    Router::new().fallback_service(stack)
}

/// The app's routes, worked out once per process. Leptos works them out by running the app
/// with every resource of the process held back (a process-wide flag, leptos-rs/leptos#4773):
/// a page of another app instance in the same process whose data first loaded in that
/// window waited for it for ever, and its visitor got no answer. Worked out once, before
/// the first instance serves, no page can meet the flag.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::LazyLock<Vec<AxumRouteListing>> =
        std::sync::LazyLock::new(|| generate_route_list(App));
    ROUTES.clone()
}

/// Pages with a person's answers or a staff session, and the server functions that load
/// their data, must not stay in a shared computer's cache or back-forward history.
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
    .any(|p| req.uri().path().starts_with(p))
        || (req.uri().path().starts_with("/api/") && !req.uri().path().starts_with("/api/v1/"))
        || req.uri().path().starts_with("/api/v1/cases")
        || req.uri().path().starts_with("/api/v1/assessments");
    let mut response = next.run(req).await;
    if personal {
        response.headers_mut().insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        );
    }
    response
}

/// The largest body a server function takes (they carry a few fields: a filter, an item).
pub const SERVER_FN_MAX_BODY: usize = 64 * 1024;

/// How much of an oversized body is still read (and dropped) before answering 413, so
/// that the client, still sending, gets the answer instead of a reset connection.
const DRAIN_AT_MOST: usize = 1024 * 1024;

/// Server functions read their whole body; above the limit they answer 413 (naming the
/// limit), never a 500 — whether the size was announced or the body simply kept coming.
async fn limit_server_function_bodies(
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    use futures_util::StreamExt;
    let path = req.uri().path();
    if !path.starts_with("/api/") || path.starts_with("/api/v1/") {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let mut stream = body.into_data_stream();
    let mut kept: Vec<u8> = Vec::new();
    let mut seen = 0usize;
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            return (
                http::StatusCode::BAD_REQUEST,
                "The request did not arrive whole.",
            )
                .into_response();
        };
        seen += chunk.len();
        if seen <= SERVER_FN_MAX_BODY {
            kept.extend_from_slice(&chunk);
        } else if seen > DRAIN_AT_MOST {
            break;
        }
    }
    if seen > SERVER_FN_MAX_BODY {
        return (
            http::StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "The request is larger than {} KiB.",
                SERVER_FN_MAX_BODY / 1024
            ),
        )
            .into_response();
    }
    next.run(axum::extract::Request::from_parts(
        parts,
        axum::body::Body::from(kept),
    ))
    .await
}

/// Puts the client's address into the request as `ConnectInfo<SocketAddr>`: the TCP peer,
/// or behind a proxy listed in `DIGIPARAT_TRUSTED_PROXIES`, the client it forwards for.
async fn client_address(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    use axum::extract::ConnectInfo;
    let peer = req
        .extensions()
        .get::<ConnectInfo<crate::server::serve::Peer>>()
        .map(|ConnectInfo(p)| p.0);
    if let Some(peer) = peer {
        let client = state.config.trusted_proxies.client(peer, req.headers());
        req.extensions_mut().insert(ConnectInfo(client));
    }
    next.run(req).await
}
