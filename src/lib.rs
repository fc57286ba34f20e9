//! Digiparat: digital-readiness screening for Danish job centres.
//! The crate builds both the server (feature `ssr`) and the WASM islands (feature `hydrate`).

// Deeply nested view types of the one-page interview form need a deeper type-layout query.
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod domain;
pub mod error;
pub mod html;
pub mod i18n;
pub mod request;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod server;

/// Entry point of the WASM bundle: only the interactive islands are hydrated,
/// so a page stays light on old phones and works fully without JavaScript.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
