//! Shared application state, injected into axum handlers and (through context) into
//! server functions. Tests build their own.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::server::config::Config;
use crate::server::db::Repository;

/// The state is cloned into every layer and handler of every request: one `Arc` to count,
/// not one per part (the counts are shared between the cores, so each costs).
#[derive(Clone)]
pub struct AppState(Arc<Parts>);

impl AppState {
    pub fn new(parts: Parts) -> Self {
        AppState(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = Parts;
    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// What the application shares between requests.
pub struct Parts {
    pub leptos_options: Arc<LeptosOptions>,
    pub db: Arc<dyn Repository>,
    pub config: Arc<Config>,
    /// The storage checks behind `/healthz` and the pause on writes when the disk is full.
    pub health: Arc<crate::server::health::Health>,
    /// The secret that draws the adjustments of published statistics (`domain::disclosure`).
    pub disclosure: Arc<crate::domain::disclosure::Secret>,
    /// The pages that depend on the language only, made once per language.
    pub pages: Arc<crate::server::page_cache::PageCache>,
    /// Calls per API token (`server::tokens`).
    pub api_limits: Arc<crate::server::tokens::Limiter>,
    /// Staff sign-in through the identity provider, when configured (`server::oidc`).
    pub oidc: Option<Arc<crate::server::oidc::Oidc>>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        LeptosOptions::clone(&state.leptos_options)
    }
}
