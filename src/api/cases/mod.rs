//! Recipients' cases for caseworkers: the caseload of their own team, a new case, one
//! case over time, starting an interview or handing out an invite code, and the GDPR
//! operations (export everything held, erase on request). Every access is audited.

use crate::error::AppResult;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaseloadRow {
    pub id: i64,
    pub reference: String,
    pub age_band: String,
    pub caseworker: Option<String>,
    /// Day of the latest finished assessment, in the reader's language.
    pub latest: Option<String>,
    pub channel: Option<String>,
    pub override_channel: Option<String>,
    pub borderline: bool,
    pub provisional: bool,
    /// Re-screening date after a provisional or borderline result.
    pub due: Option<String>,
    pub overdue: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaseloadView {
    pub team: Option<String>,
    pub query: String,
    pub sort: String,
    /// The cases of this page (at most 50).
    pub rows: Vec<CaseloadRow>,
    /// Cases that match the search, on all pages.
    pub matching: usize,
    /// Cases of the team.
    pub total: usize,
    /// This page, from 1, and how many there are.
    pub page: usize,
    pub pages: usize,
    pub erased: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NewCaseView {
    pub team: Option<String>,
    pub caseworkers: Vec<(i64, String)>,
    pub me: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AssessmentRow {
    pub date: String,
    pub mode: crate::domain::Mode,
    pub finished: bool,
    pub channel: Option<String>,
    pub override_channel: Option<String>,
    pub borderline: bool,
    pub provisional: bool,
    /// The caseworker's view of an interview.
    pub href: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InviteRow {
    pub id: i64,
    pub code: String,
    pub created: String,
    pub expires: String,
    /// `open`, `used` or `expired`.
    pub status: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaseView {
    pub id: i64,
    pub reference: String,
    pub age_band: String,
    pub team: String,
    pub caseworker: Option<String>,
    pub created: String,
    pub assessments: Vec<AssessmentRow>,
    /// Channels of finished assessments, oldest first (computed, or the override).
    pub movement: Vec<String>,
    pub due: Option<String>,
    /// The agreed plans, newest first, one line each.
    pub plans: Vec<String>,
    pub invites: Vec<InviteRow>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InviteSlip {
    pub case_id: i64,
    pub reference: String,
    pub code: String,
    pub address: String,
    pub expires: String,
}

#[server(endpoint = "cases/load/list")]
pub async fn load_caseload(
    query: Option<String>,
    sort: Option<String>,
    page: Option<String>,
    erased: Option<String>,
) -> AppResult<CaseloadView> {
    server::caseload(
        query.unwrap_or_default(),
        sort.unwrap_or_default(),
        page.and_then(|p| p.trim().parse().ok()).unwrap_or(1),
        erased.is_some(),
    )
    .await
}

#[server(endpoint = "cases/load/new")]
pub async fn load_new_case() -> AppResult<NewCaseView> {
    server::new_case().await
}

#[server(endpoint = "cases/load/case")]
pub async fn load_case(id: i64) -> AppResult<CaseView> {
    server::case(id).await
}

#[server(endpoint = "cases/load/invite")]
pub async fn load_invite(case: i64, invite: i64) -> AppResult<InviteSlip> {
    server::invite(case, invite).await
}

#[cfg(feature = "ssr")]
pub(crate) use server::issue_invite;
#[cfg(feature = "ssr")]
pub use server::{create, create_invite, erase, export, start_interview};

crate::api::server_side!(caseload, export, forms, pages);
