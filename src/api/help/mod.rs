//! The help directory behind the next steps, and the personal plan: administrators keep
//! the job centres' offers at `/admin/help`; a result shows the offers under each next
//! step; the plan is one printable page the person takes home; a caseworker agrees a plan
//! on the interview's result page, stored as a version beside the computed result.

use crate::error::AppResult;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::help::OfferForm;

/// An offer as a person sees it, in their language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfferView {
    pub id: i64,
    pub name: String,
    /// The name (or the description) is the Danish text: there is none in the reader's.
    pub in_danish: bool,
    pub description: String,
    pub address: String,
    pub hours: String,
    pub phone: String,
    /// `tel:` and the digits of `phone`.
    pub tel: String,
    pub web: String,
    pub languages: String,
    pub free: bool,
    pub step_free: bool,
    pub retired: bool,
}

/// A next step with the offers that help with it, and (in a plan) what was agreed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    pub code: String,
    pub text: String,
    pub offers: Vec<OfferView>,
    /// Agreed in the current plan.
    pub agreed: bool,
    /// The agreed due date, as the reader's language writes it.
    pub due: Option<String>,
    /// The same date for a date field (`2026-12-24`), or what was typed.
    pub due_value: String,
}

/// The personal plan: one printable page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanView {
    pub channel_sentence: String,
    pub you_decide: String,
    pub steps: Vec<StepView>,
    /// The next screening's date, when one is known.
    pub next_screening: Option<String>,
    /// The job centre's contact line (an interview's plan).
    pub contact: Option<String>,
    /// "Agreed on … (version n)" for an agreed plan.
    pub agreed: Option<String>,
    pub note: Option<String>,
    pub date: String,
    pub back_href: String,
}

/// A line of the directory's list.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OfferRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub steps: String,
    pub teams: String,
    pub retired: bool,
}

/// A team's settings on the directory page: its contact line.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TeamContact {
    pub id: i64,
    pub name: String,
    pub contact: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HelpOverview {
    pub offers: Vec<OfferRow>,
    pub teams: Vec<TeamContact>,
    pub default_team: Option<i64>,
}

/// The offer form: empty, a stored offer, or what was sent with its problems.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OfferEdit {
    pub id: Option<i64>,
    pub form: OfferForm,
    pub retired: bool,
    /// Problem codes (`name_da_missing`), in the form's order.
    pub errors: Vec<String>,
    pub teams: Vec<(i64, String)>,
}

#[server(endpoint = "admin/load/help")]
pub async fn load_help() -> AppResult<HelpOverview> {
    server::overview().await
}

#[server(endpoint = "admin/load/offer")]
pub async fn load_offer(id: Option<i64>) -> AppResult<OfferEdit> {
    server::offer(id).await
}

#[server(endpoint = "self/load/plan")]
pub async fn load_self_plan() -> AppResult<PlanView> {
    server::self_plan().await
}

#[server(endpoint = "interview/load/plan")]
pub async fn load_interview_plan(token: String) -> AppResult<PlanView> {
    server::interview_plan(token).await
}

#[cfg(feature = "ssr")]
pub use server::{agree_plan, create_offer, retire_offer, save_settings, update_offer};
#[cfg(feature = "ssr")]
pub(crate) use server::{day, draft_plan, help_team, iso, step_views, take_plan_draft};

crate::api::server_side!(views, pages, forms);
