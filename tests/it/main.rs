//! One integration binary: helpers that start the app on port 0 with a fresh database,
//! a headless Chromium driver, axe-core checks, and the tests that use them.

mod helpers;

mod accounts;
mod analysis_browser;
mod api;
mod authz;
mod browser;
mod cases;
mod cases_browser;
mod dashboard;
mod database;
mod disclosure;
mod durability;
mod fairness;
mod fuzz_api;
mod hardening;
mod help;
mod help_browser;
mod http;
mod integration_api;
mod interview;
mod interview_browser;
mod lifecycle;
mod oidc;
mod oidc_browser;
mod overrides;
mod page_cache;
mod reads;
mod saves;
mod security;
mod self_browser;
mod self_flow;
mod tokens_browser;
mod valid_html;
