//! Everything that only runs on the server: configuration, logging, state, the HTTP
//! router and the database.

pub mod access;
pub mod auth;
pub mod charts;
pub mod client;
pub mod config;
pub mod cookies;
pub mod csv_out;
pub mod db;
pub mod document;
pub mod errors;
pub mod health;
pub mod lang;
pub mod oidc;
pub mod page_cache;
pub mod retention;
pub mod router;
pub mod security;
pub mod seed;
pub mod serve;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod tokens;
pub mod write_stamp;
