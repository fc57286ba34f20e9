//! One file per route.

pub mod accessibility;
pub mod admin;
pub mod analysis;
pub mod calibration;
pub mod case;
pub mod cases;
pub mod dashboard;
pub mod help;
pub mod home;
pub mod interview;
pub mod login;
pub mod not_found;
pub mod plan;
pub mod privacy;
pub mod self_flow;
pub mod self_start;
pub mod tokens;
