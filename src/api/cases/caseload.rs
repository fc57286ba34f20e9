//! The caseload: each case's latest channel, marks and the re-screening date, with search and sorting.

use crate::error::AppResult;
use time::{Date, OffsetDateTime};

use super::*;
use crate::api::guard::{audit, by_staff, page_address, staff};
use crate::domain::case::AgeBand;
use crate::domain::role::Role;
use crate::domain::{Channel, Instrument};
use crate::i18n::Lang;
use crate::server::db::{AssessmentSummary, Case, StoredPlan};

/// A moment's day in the reader's language (`30. nov. 2026`).
pub fn date(lang: Lang, t: OffsetDateTime) -> String {
    day(lang, t.date())
}

/// A calendar day in the reader's language.
pub fn day(lang: Lang, d: Date) -> String {
    lang.day(d.day(), u8::from(d.month()), d.year())
}

/// Cases on one page of the caseload.
pub const PAGE_SIZE: usize = 50;

pub(crate) fn this_year() -> i32 {
    OffsetDateTime::now_utc().year()
}

pub(crate) fn band(case: &Case) -> String {
    AgeBand::of(case.birth_year, this_year())
        .as_str()
        .to_owned()
}

/// When the case is next due: the first date of the plan agreed on the latest result
/// (its steps' due dates and its next screening), else the re-screening date of a
/// provisional or borderline latest result.
pub(crate) fn due_date(latest: Option<&AssessmentSummary>, plans: &[StoredPlan]) -> Option<Date> {
    let a = latest?;
    let planned = plans
        .iter()
        .filter(|p| p.assessment_id == a.id)
        .max_by_key(|p| p.version)
        .and_then(|p| p.plan.earliest_date());
    planned.or_else(|| {
        crate::domain::policy::rescreen_due(a.finished_at?.date(), a.provisional, a.borderline)
    })
}

pub(crate) fn channel_name(channel: Option<Channel>, lang: Lang) -> Option<String> {
    Some(
        Instrument::dr1()
            .channel_name(channel?, lang.code())
            .to_owned(),
    )
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn caseload(
    query: String,
    sort: String,
    page: usize,
    erased: bool,
) -> AppResult<CaseloadView> {
    let (state, user) = staff(Role::can_run_interviews)?;
    let lang = crate::request::request_lang();
    let Some(team_id) = user.team_id else {
        return Ok(CaseloadView {
            team: None,
            query,
            sort,
            rows: Vec::new(),
            matching: 0,
            total: 0,
            page: 1,
            pages: 1,
            erased,
        });
    };
    let team = state
        .db
        .teams()
        .await?
        .into_iter()
        .find(|t| t.id == team_id)
        .map(|t| t.name);
    let cases = state.db.cases_of_team(team_id).await?;
    let assessments = state.db.assessments_of_team(team_id).await?;
    let plans = state.db.plans_of_team(team_id).await?;
    audit(
        &state,
        crate::server::db::NewAudit {
            detail: format!("team {team_id}, {} cases", cases.len()),
            ..by_staff(&user, "caseload.view", &page_address().await)
        },
    )
    .await?;
    let today = OffsetDateTime::now_utc().date();
    let total = cases.len();
    let needle = query.trim().to_lowercase();
    let mut rows: Vec<(Option<Date>, Option<OffsetDateTime>, CaseloadRow)> = cases
        .iter()
        .filter(|c| needle.is_empty() || c.reference.to_lowercase().contains(&needle))
        .map(|c| {
            let latest = assessments
                .iter()
                .filter(|a| a.case_id == c.id && a.finished_at.is_some())
                .max_by_key(|a| a.finished_at);
            let due = due_date(latest, &plans);
            let finished = latest.and_then(|a| a.finished_at);
            let row = CaseloadRow {
                id: c.id,
                reference: c.reference.clone(),
                age_band: band(c),
                caseworker: c.caseworker_name.clone(),
                latest: finished.map(|t| date(lang, t)),
                channel: channel_name(latest.and_then(|a| a.channel), lang),
                override_channel: channel_name(latest.and_then(|a| a.override_channel), lang),
                borderline: latest.is_some_and(|a| a.borderline),
                provisional: latest.is_some_and(|a| a.provisional),
                due: due.map(|d| day(lang, d)),
                overdue: due.is_some_and(|d| d <= today),
            };
            (due, finished, row)
        })
        .collect();
    // What is due comes first unless the caseworker sorts otherwise.
    let sort = match sort.as_str() {
        "reference" | "latest" => sort,
        _ => "due".to_owned(),
    };
    match sort.as_str() {
        // Newest result first; never-assessed cases last.
        "latest" => rows.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| a.2.reference.cmp(&b.2.reference))
        }),
        "reference" => rows.sort_by(|a, b| {
            a.2.reference
                .to_lowercase()
                .cmp(&b.2.reference.to_lowercase())
        }),
        // Most urgent first; cases without a due date last.
        _ => rows.sort_by_key(|(due, _, r)| (due.is_none(), *due, r.reference.to_lowercase())),
    }
    let matching = rows.len();
    let pages = matching.div_ceil(PAGE_SIZE).max(1);
    let page = page.clamp(1, pages);
    Ok(CaseloadView {
        team,
        query,
        sort,
        rows: rows
            .into_iter()
            .skip((page - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .map(|(_, _, r)| r)
            .collect(),
        matching,
        total,
        page,
        pages,
        erased,
    })
}
