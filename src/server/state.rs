//! Shared application state, injected into axum handlers and (through context) into
//! server functions. Tests build their own.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::server::config::Config;
use crate::server::db::Repository;

#[derive(Clone)]
pub struct AppState {
    /// Behind an `Arc`: the state is cloned into every layer of every request.
    pub leptos_options: Arc<LeptosOptions>,
    pub db: Arc<dyn Repository>,
    pub config: Arc<Config>,
    /// The storage checks behind `/healthz` and the pause on writes when the disk is full.
    pub health: Arc<crate::server::health::Health>,
    /// The secret that draws the adjustments of published statistics (`domain::disclosure`).
    pub disclosure: Arc<crate::domain::disclosure::Secret>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        LeptosOptions::clone(&state.leptos_options)
    }
}
