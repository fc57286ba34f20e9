//! API tokens for machine clients, kept by administrators at `/admin/tokens`: issue one for
//! a team with scopes and an expiry (its secret is shown once, right after), see them all,
//! revoke one. Every change is audited.

use crate::error::AppResult;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::token::TokenForm;

/// A token as the list shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub team: String,
    pub scopes: String,
    pub created: String,
    pub expires: String,
    /// `active`, `expired` or `revoked`.
    pub status: String,
}

/// The secret of a token just issued: shown on this page load only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FreshToken {
    pub name: String,
    pub secret: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TokensView {
    pub tokens: Vec<TokenRow>,
    pub teams: Vec<(i64, String)>,
    pub fresh: Option<FreshToken>,
    /// What was sent with problems, and the problem codes (`name_missing`).
    pub form: TokenForm,
    pub errors: Vec<String>,
}

#[server(endpoint = "admin/load/tokens")]
pub async fn load_tokens() -> AppResult<TokensView> {
    server::overview().await
}

#[cfg(feature = "ssr")]
pub use server::{create_token, revoke_token};

crate::api::server_side!(pages, forms);
