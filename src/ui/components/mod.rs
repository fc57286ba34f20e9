//! Reusable pieces of pages.

pub mod choices;
pub mod error_summary;
pub mod layout;
pub mod loaded;
pub mod print_button;
pub mod read_aloud;
pub mod table;
