//! The stamp of a recipient's last write. Every write of a recipient (a request other than
//! `GET` or `HEAD` that carries their device cookie or sets it) is answered with a new
//! random stamp in the cookie `dp_stamp`, set after the write is stored. A page that reads
//! their assessment passes the stamp on (`Repository::assessment_with_answers_by_token`):
//! a copy of the assessment an app instance keeps is served only to requests with the
//! stamp it was read under, so a page asked for after a write, from whichever instance,
//! shows that write. The stamp is no secret and names nothing: a made-up one only makes
//! the page read the database. This instance's own copy is dropped at once as well.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderValue, Method};

use crate::api::self_assessment::DEVICE_COOKIE;
use crate::server::state::AppState;

/// The stamp's cookie.
pub const STAMP_COOKIE: &str = "dp_stamp";

/// The stamp a request carries.
pub fn stamp_of(headers: &HeaderMap) -> Option<String> {
    crate::server::cookies::cookie_named(headers, STAMP_COOKIE)
}

/// Gives a recipient's write a new stamp once it is answered (`Secure` as the device
/// cookie).
pub async fn stamp_writes(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let secure = state.config.secure_cookies;
    if matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    let device = crate::server::cookies::cookie_named(req.headers(), DEVICE_COOKIE);
    let mut response = next.run(req).await;
    let set = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| cookie::Cookie::parse(v).ok())
        .find(|c| c.name() == DEVICE_COOKIE)
        .map(|c| c.value().to_owned());
    // This instance's copies of what the device names (before and after) are dropped at
    // once; other instances hear of the change from the database.
    for token in device.iter().chain(set.iter()) {
        state.db.forget_kept(token);
    }
    if device.is_some() || set.is_some() {
        let stamp = hex::encode(rand::random::<[u8; 12]>());
        let c = crate::server::cookies::site_cookie(STAMP_COOKIE, &stamp, secure, 7);
        if let Ok(value) = HeaderValue::from_str(&c) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}
