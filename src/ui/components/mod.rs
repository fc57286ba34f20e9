//! Reusable pieces of pages.

pub mod error_summary;
pub mod layout;
pub mod read_aloud;
