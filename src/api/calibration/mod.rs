//! Caseworker calibration (`domain::calibration`): a caseworker takes a round of three
//! vignettes at `/calibration`, filling in the interview form from each description; the
//! answers are scored like an interview but stored as calibration answers, never as an
//! assessment. After the round they see their channels beside the reference. Managers see
//! agreement by team (`/dashboard/calibration`, in `stats`).

use crate::error::AppResult;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::interview::FormSection;

/// One round as the caseworker sees it on the calibration start page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RoundStatus {
    pub round: u32,
    /// Vignettes answered, of `of`.
    pub done: usize,
    pub of: usize,
    /// The first unanswered vignette's number (1-based), if any.
    pub next: Option<usize>,
    /// When the round is complete: how many agreed with the reference.
    pub agreed: Option<usize>,
}

/// A vignette to answer: its description, then the interview's items.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VignetteView {
    pub round: u32,
    pub number: usize,
    pub of: usize,
    pub name: String,
    pub paragraphs: Vec<String>,
    pub sections: Vec<FormSection>,
}

/// One vignette of a finished round: the caseworker's channel and the reference.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RoundRow {
    pub name: String,
    pub yours: Option<String>,
    pub reference: String,
    pub same: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RoundResult {
    pub round: u32,
    pub rows: Vec<RoundRow>,
    pub agreed: usize,
    pub of: usize,
    /// A round not yet finished: the number of the first unanswered vignette.
    pub next: Option<usize>,
}

#[server(endpoint = "calibration/load/home")]
pub async fn load_calibration() -> AppResult<Vec<RoundStatus>> {
    server::home().await
}

#[server(endpoint = "calibration/load/vignette")]
pub async fn load_vignette(
    round: u32,
    number: usize,
    errors: Option<String>,
) -> AppResult<VignetteView> {
    server::vignette(round, number, errors).await
}

#[server(endpoint = "calibration/load/result")]
pub async fn load_round_result(round: u32) -> AppResult<RoundResult> {
    server::round_result(round).await
}

#[cfg(feature = "ssr")]
pub use server::answer;

crate::api::server_side!(pages);
