//! The manager dashboard and item analysis: how many recipients can use self-service, who
//! is kept from it and why, read from the statistics cubes under one filter. Every figure
//! is published by disclosure control (`domain::disclosure`): adjusted a little, and
//! hidden below k. Charts are server-rendered SVG, each followed by the same numbers.
//! The server side is split by action: `filters`, `publish`, `dashboard`, `items`,
//! `export`.

use crate::error::AppResult;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::domain::stats::Shown;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StatTable {
    pub columns: Vec<String>,
    /// Row label and one value per column.
    pub rows: Vec<(String, Vec<Shown>)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Section {
    /// Anchor and chart id.
    pub id: String,
    pub title: String,
    /// The conclusion in words: the chart's text alternative and the figure caption.
    pub summary: String,
    /// The SVG, or `None` with a message when the chart could not be drawn.
    pub svg: Option<String>,
    pub chart_error: Option<String>,
    pub table: StatTable,
    /// Shown instead of `table` when set: figures worked out from published counts (a
    /// share with its interval), as text, under the same columns' kind of heading.
    pub text: Option<TextTable>,
    /// Findings in words shown above the chart (the fairness monitor's flags).
    pub notes: Vec<String>,
    /// Where the figures come from, when not the finished assessments.
    pub source: Option<String>,
}

/// A table of texts: row label and one text per column.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TextTable {
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<String>)>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Filters {
    pub team: Option<String>,
    pub band: Option<String>,
    pub mode: Option<String>,
    pub language: Option<String>,
    /// `YYYY-MM`, inclusive.
    pub from: Option<String>,
    pub until: Option<String>,
}

/// A management view beside the dashboard (override analysis): its filters and sections.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AnalysisView {
    pub filters: Filters,
    pub teams: Vec<(i64, String)>,
    /// The quarters the period can start and end with (`YYYY-Qn`), newest first.
    pub periods: Vec<String>,
    pub k: u64,
    pub total: Shown,
    pub sections: Vec<Section>,
    pub error: Option<String>,
    pub error_message: Option<String>,
    /// The query string of the current filters, for the export link.
    pub query: String,
    /// Only the period can be chosen (the view compares groups itself).
    pub period_only: bool,
    /// No filters at all.
    pub no_filters: bool,
    /// How the figures are worked out, in paragraphs.
    pub method: Vec<String>,
}

#[server(endpoint = "stats/load/calibration")]
pub async fn load_calibration_stats() -> AppResult<AnalysisView> {
    server::calibration_stats().await
}

#[server(endpoint = "stats/load/agreement")]
pub async fn load_agreement(
    from: Option<String>,
    until: Option<String>,
) -> AppResult<AnalysisView> {
    server::agreement(Filters {
        from,
        until,
        ..Filters::default()
    })
    .await
}

#[server(endpoint = "stats/load/fairness")]
pub async fn load_fairness(from: Option<String>, until: Option<String>) -> AppResult<AnalysisView> {
    server::fairness(Filters {
        from,
        until,
        ..Filters::default()
    })
    .await
}

#[server(endpoint = "stats/load/overrides")]
pub async fn load_overrides(
    team: Option<String>,
    band: Option<String>,
    mode: Option<String>,
    language: Option<String>,
    from: Option<String>,
    until: Option<String>,
) -> AppResult<AnalysisView> {
    server::overrides(Filters {
        team,
        band,
        mode,
        language,
        from,
        until,
    })
    .await
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DashboardView {
    pub filters: Filters,
    pub teams: Vec<(i64, String)>,
    /// The quarters the period can start and end with (`YYYY-Qn`), newest first.
    pub periods: Vec<String>,
    pub k: u64,
    pub total: Shown,
    pub sections: Vec<Section>,
    /// A filter value that could not be used, by field, and what is wrong with it.
    pub error: Option<String>,
    pub error_message: Option<String>,
    /// Whether this account may download rows per assessment, for which years, and why
    /// the last try was refused (field id, message).
    pub may_export_rows: bool,
    pub years: Vec<i32>,
    pub rows_error: Option<(String, String)>,
    /// The query string of the current filters, for the export links.
    pub query: String,
}

/// One item's answers: counts per option, "don't understand" and missing, of `asked`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ItemRow {
    pub item: String,
    pub question: String,
    pub asked: Shown,
    /// Option label and count, then "don't understand", then missing.
    pub counts: Vec<(String, Shown)>,
    /// Shares of `asked`, in whole per cent, when the counts are shown.
    pub answered_percent: Option<u64>,
    pub dont_understand_percent: Option<u64>,
    pub missing_percent: Option<u64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AlphaRow {
    pub dimension: String,
    pub items: usize,
    /// People who answered every item of the dimension.
    pub complete: Shown,
    /// Hidden when fewer than k people answered every item, or when undefined.
    pub alpha: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ItemsView {
    pub filters: Filters,
    pub teams: Vec<(i64, String)>,
    pub k: u64,
    pub alphas: Vec<AlphaRow>,
    pub items: Vec<ItemRow>,
    pub error: Option<String>,
    pub error_message: Option<String>,
}

#[server(endpoint = "stats/load/items")]
pub async fn load_items(
    team: Option<String>,
    band: Option<String>,
    mode: Option<String>,
    language: Option<String>,
    from: Option<String>,
    until: Option<String>,
) -> AppResult<ItemsView> {
    server::items(Filters {
        team,
        band,
        mode,
        language,
        from,
        until,
    })
    .await
}

#[server(endpoint = "stats/load/dashboard")]
pub async fn load_dashboard(
    team: Option<String>,
    band: Option<String>,
    mode: Option<String>,
    language: Option<String>,
    from: Option<String>,
    until: Option<String>,
    rows_error: Option<String>,
) -> AppResult<DashboardView> {
    server::dashboard(
        Filters {
            team,
            band,
            mode,
            language,
            from,
            until,
        },
        rows_error,
    )
    .await
}

#[cfg(feature = "ssr")]
pub use server::{
    FilterError, ItemSeries, PublishedItems, ROW_COLUMNS, StatsView, aggregates_csv, agreement_csv,
    alpha_rows, build, build_agreement, build_fairness, build_overrides, calibration_csv,
    fairness_csv, item_series, overrides_csv, parse_filters, publish_items, rows_csv,
};

crate::api::server_side!(
    agreement,
    calibration,
    dashboard,
    export,
    fairness,
    filters,
    items,
    overrides,
    plans,
    publish
);
#[cfg(feature = "ssr")]
use server::*;
