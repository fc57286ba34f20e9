//! The app's own cookies: read by name, and made alike (the whole site, kept from scripts
//! and from other sites' requests).

use http::HeaderMap;
use http::header::COOKIE;

/// The value of the cookie `name` in `headers`.
pub fn cookie_named(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// A cookie for the whole site that scripts cannot read and other sites' requests do
/// not carry (but links to it do), kept `days`; `Secure` when the service runs over HTTPS.
pub fn site_cookie(name: &str, value: &str, secure: bool, days: i64) -> String {
    cookie::Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(cookie::SameSite::Lax)
        .max_age(cookie::time::Duration::days(days))
        .build()
        .to_string()
}
