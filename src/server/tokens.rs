//! Machine clients' tokens: the secret handed out once, its hash as stored, and the check
//! of a request's `Authorization: Bearer …` against a route's scope, with a rate limit per
//! token. `server::access` calls [`authenticate`] for every route whose rule names a scope,
//! before any handler runs; the handler then finds the token as [`ApiClient`].

use std::num::NonZeroU32;

use blake2::Digest;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use http::HeaderMap;
use time::OffsetDateTime;

use crate::api::v1::error::ApiError;
use crate::domain::token::Scope;
use crate::server::db::tokens::ApiToken;
use crate::server::state::AppState;

/// Every secret starts with this, so that secret scanners and people recognise one.
pub const PREFIX: &str = "dpt_";

/// A fresh secret: the prefix and 256 random bits in hex.
pub fn new_secret() -> String {
    format!("{PREFIX}{}", hex::encode(rand::random::<[u8; 32]>()))
}

/// The stored form of a secret. A secret of 256 random bits needs no slow hash: nobody
/// can guess one from its hash, and the check stays one lookup.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(blake2::Blake2b512::digest(secret.as_bytes()))
}

/// The token a request was made with, put into the request for the handler.
#[derive(Clone, Debug)]
pub struct ApiClient(pub ApiToken);

impl ApiClient {
    /// The actor of this client's audit lines.
    pub fn actor(&self) -> String {
        format!("token:{}", self.0.name)
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ApiClient {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<ApiClient>().cloned().ok_or_else(|| {
            ApiError::unauthorized("token_missing", "Send Authorization: Bearer <token>.")
        })
    }
}

/// Requests per token: `per_minute` at once, then one more every `60/per_minute` s.
pub struct Limiter(DefaultKeyedRateLimiter<i64>);

impl Limiter {
    pub fn per_minute(per_minute: u32) -> Limiter {
        let n = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        Limiter(RateLimiter::keyed(Quota::per_minute(n)))
    }

    fn admit(&self, token: i64) -> bool {
        self.0.check_key(&token).is_ok()
    }
}

/// The live token of `headers` that carries `scope`, or why not.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    scope: Scope,
) -> Result<ApiClient, ApiError> {
    let header = headers.get(http::header::AUTHORIZATION).ok_or_else(|| {
        ApiError::unauthorized("token_missing", "Send Authorization: Bearer <token>.")
    })?;
    let secret = header
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .filter(|s| s.starts_with(PREFIX))
        .ok_or_else(|| {
            ApiError::unauthorized(
                "token_invalid",
                "The Authorization header is not Bearer with a Digiparat token.",
            )
        })?;
    let token = state
        .db
        .token_by_hash(&secret_hash(secret))
        .await?
        .ok_or_else(|| ApiError::unauthorized("token_invalid", "The token is not known."))?;
    if token.revoked_at.is_some() {
        return Err(ApiError::unauthorized(
            "token_revoked",
            "The token was revoked.",
        ));
    }
    if !token.live_at(OffsetDateTime::now_utc()) {
        return Err(ApiError::unauthorized(
            "token_expired",
            "The token has expired.",
        ));
    }
    if !state.api_limits.admit(token.id) {
        return Err(ApiError::rate_limited());
    }
    if !token.scopes.contains(&scope) {
        return Err(ApiError::forbidden(scope));
    }
    Ok(ApiClient(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_fresh_and_only_their_hash_is_kept() {
        let a = new_secret();
        let b = new_secret();
        assert_ne!(a, b);
        assert!(a.starts_with(PREFIX) && a.len() == PREFIX.len() + 64);
        assert_eq!(secret_hash(&a), secret_hash(&a));
        assert_ne!(secret_hash(&a), secret_hash(&b));
        assert!(!secret_hash(&a).contains(&a[PREFIX.len()..]));
    }

    #[test]
    fn the_limit_is_per_token() {
        let limits = Limiter::per_minute(2);
        assert!(limits.admit(1) && limits.admit(1));
        assert!(!limits.admit(1));
        assert!(limits.admit(2));
    }
}
