//! The downloads: published aggregates (`export.csv`) and k-anonymous rows per assessment.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use serde::Deserialize;
use time::{Date, Month, OffsetDateTime, Time};

use super::*;
use crate::api::guard::{StaffUser, audit, by_staff, permit};
use crate::domain::anonymity;
use crate::domain::disclosure::quarter_of_month;
use crate::domain::role::Role;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::server::db::{ExportRow, StatsFilter};
use crate::server::state::AppState;

/// GET /dashboard/export.csv: every table on the page, as the page shows it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn aggregates_csv(
    State(state): State<AppState>,
    user: StaffUser,
    lang: axum::Extension<Lang>,
    Query(filters): Query<Filters>,
) -> AppResult<Response> {
    permit(user.0, Role::can_view_statistics)?;
    let view =
        parse_filters(&filters).map_err(|e| AppError::invalid(e.field, &lang.t(e.message)))?;
    let k = state.config.min_cell;
    let (total, sections) = build(state.db.as_ref(), &state.disclosure, &view, k, *lang).await?;
    sections_csv(total, &sections, k, "digiparat-aggregates.csv")
}

/// GET /dashboard/overrides.csv: every table of the override analysis, as the page shows it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn overrides_csv(
    State(state): State<AppState>,
    user: StaffUser,
    lang: axum::Extension<Lang>,
    Query(filters): Query<Filters>,
) -> AppResult<Response> {
    permit(user.0, Role::can_view_statistics)?;
    let view =
        parse_filters(&filters).map_err(|e| AppError::invalid(e.field, &lang.t(e.message)))?;
    let k = state.config.min_cell;
    let teams = state.db.stats_teams().await?;
    let (total, sections) =
        super::overrides::build_overrides(state.db.as_ref(), &state.disclosure, &view, k, *lang, &teams)
            .await?;
    sections_csv(total, &sections, k, "digiparat-overrides.csv")
}

/// The period of a download's filter; an unusable one is refused with its field named.
fn period_of(filters: Filters, lang: Lang) -> AppResult<PeriodView> {
    let p = PeriodView::of(filters);
    match p.error {
        Some(e) => Err(AppError::invalid(e.field, &lang.t(e.message))),
        None => Ok(p),
    }
}

/// GET /dashboard/fairness.csv: every table of the fairness monitor, as the page shows it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn fairness_csv(
    State(state): State<AppState>,
    user: StaffUser,
    lang: axum::Extension<Lang>,
    Query(filters): Query<Filters>,
) -> AppResult<Response> {
    permit(user.0, Role::can_view_statistics)?;
    let p = period_of(filters, *lang)?;
    let k = state.config.min_cell;
    let margin = state.config.fairness_margin_points as f64;
    let (total, sections) =
        super::fairness::build_fairness(state.db.as_ref(), &state.disclosure, &p.view, k, *lang, margin)
            .await?;
    sections_csv(total, &sections, k, "digiparat-fairness.csv")
}

/// GET /dashboard/calibration.csv: the calibration view's tables.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn calibration_csv(
    State(state): State<AppState>,
    user: StaffUser,
    lang: axum::Extension<Lang>,
) -> AppResult<Response> {
    permit(user.0, Role::can_view_statistics)?;
    let (total, sections) = super::calibration::build_calibration(
        state.db.as_ref(),
        *lang,
        state.config.calibration_min_people,
    )
    .await?;
    let k = super::calibration::MIN_TEAM as u64;
    sections_csv(total, &sections, k, "digiparat-calibration.csv")
}

/// GET /dashboard/agreement.csv: every table of the self-versus-observed view.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn agreement_csv(
    State(state): State<AppState>,
    user: StaffUser,
    lang: axum::Extension<Lang>,
    Query(filters): Query<Filters>,
) -> AppResult<Response> {
    permit(user.0, Role::can_view_statistics)?;
    let p = period_of(filters, *lang)?;
    let k = state.config.min_cell;
    let (total, sections) =
        super::agreement::build_agreement(state.db.as_ref(), &state.disclosure, &p.view, k, *lang)
            .await?;
    sections_csv(total, &sections, k, "digiparat-agreement.csv")
}

/// Every table of a page as CSV, one figure per line; hidden figures as `<k`. A table of
/// texts (shares with their intervals) is written as the page shows it, and then the
/// last column is named `value`.
pub(crate) fn sections_csv(
    total: Shown,
    sections: &[Section],
    k: u64,
    filename: &str,
) -> AppResult<Response> {
    let mut out = crate::server::csv_out::CsvOut::with_capacity(4096);
    let hidden = format!("<{k}");
    let text = |s: Shown| match s {
        Shown::Count(n) => n.to_string(),
        Shown::Hidden => hidden.clone(),
    };
    let mut write = || -> Result<(), csv::Error> {
        let texts = sections.iter().any(|s| s.text.is_some());
        out.record(["table", "row", "column", if texts { "value" } else { "count" }])?;
        out.record(["total", "", "", &text(total)])?;
        for s in sections {
            if let Some(t) = &s.text {
                for (label, values) in &t.rows {
                    for (column, v) in t.columns.iter().zip(values) {
                        out.record([s.id.as_str(), label, column, v])?;
                    }
                }
                continue;
            }
            for (label, values) in &s.table.rows {
                for (column, v) in s.table.columns.iter().zip(values) {
                    out.record([s.id.as_str(), label, column, &text(*v)])?;
                }
            }
        }
        Ok(())
    };
    write().map_err(|e| AppError::broken(format!("csv: {e}")))?;
    let bytes = out
        .into_bytes()
        .map_err(|e| AppError::broken(format!("csv: {e}")))?;
    let disposition = format!("attachment; filename=\"{filename}\"");
    Ok((
        [
            (
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                http::header::CONTENT_DISPOSITION,
                http::HeaderValue::from_str(&disposition)
                    .map_err(|e| AppError::broken(format!("csv: {e}")))?,
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The header of the pseudonymised rows.
pub const ROW_COLUMNS: [&str; 15] = [
    "person",
    "quarter",
    "team",
    "age_band",
    "mode",
    "language",
    "channel",
    "channel_after_override",
    "borderline",
    "provisional",
    "score_access",
    "score_skills",
    "score_motivation",
    "reasons",
    "exemption_grounds",
];

/// Why a rows download was refused, as `?rows_error=` on the dashboard.
pub(crate) fn rows_refused(field: &str) -> AppError {
    AppError::invalid(field, field).on_form("/dashboard?rows_error={}#rows")
}

/// The rows form: a year (or none, for all years) and the purpose. The dashboard's
/// filters are named too, so that a narrower view is refused by name.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RowsForm {
    year: String,
    purpose: String,
    team: String,
    band: String,
    mode: String,
    language: String,
    from: String,
    until: String,
}

/// The calendar year of a rows file: `Ok(None)` for every year.
pub(crate) fn rows_year(text: &str) -> Result<Option<(OffsetDateTime, OffsetDateTime)>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let year: i32 = text.parse().map_err(|_| ())?;
    if !(2000..=2100).contains(&year) {
        return Err(());
    }
    let start = |y: i32| {
        Date::from_calendar_date(y, Month::January, 1)
            .map(|d| d.with_time(Time::MIDNIGHT).assume_utc())
            .map_err(|_| ())
    };
    Ok(Some((start(year)?, start(year + 1)?)))
}

/// POST /dashboard/rows.csv: one line per finished assessment of a whole year (or of
/// every year), for analysts, to an account an administrator allowed it; the purpose is
/// asked for and kept in the audit trail. No case reference, no exact dates, no notes:
/// the person is a pseudonym that holds only within this file (the same for the
/// assessments of one case, empty without a case), the finish time is a quarter, the
/// birth year an age band. The quasi-identifiers (team, age band, quarter, mode,
/// language) are made k-anonymous by local suppression and codes held by fewer than
/// k rows are left out (`domain::anonymity`), from a first count of the file; then the
/// rows are streamed in chunks from a database cursor, so memory stays flat.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn rows_csv(
    State(state): State<AppState>,
    user: StaffUser,
    axum::extract::ConnectInfo(addr): axum::extract::ConnectInfo<std::net::SocketAddr>,
    Form(form): Form<RowsForm>,
) -> AppResult<Response> {
    let user = permit(user.0, Role::can_view_statistics)?;
    // Downloading rows per assessment needs a permission an administrator gives.
    if !user.may_export_rows {
        return Err(AppError::forbidden());
    }
    // A whole year at least: no narrower filter is taken.
    let filters = [
        ("team", &form.team),
        ("band", &form.band),
        ("mode", &form.mode),
        ("language", &form.language),
        ("from", &form.from),
        ("until", &form.until),
    ];
    if let Some((narrow, _)) = filters.iter().find(|(_, v)| !v.trim().is_empty()) {
        return Err(AppError::invalid(narrow, "rows are for a whole year"));
    }
    let year = rows_year(&form.year).map_err(|()| rows_refused("year"))?;
    let purpose = form.purpose.trim();
    let length = purpose.chars().count();
    if !(10..=500).contains(&length) {
        return Err(rows_refused("purpose"));
    }
    if crate::domain::privacy::looks_like_cpr(purpose) {
        return Err(rows_refused("purpose_cpr"));
    }
    let parsed = StatsFilter {
        from: year.map(|(a, _)| a),
        until: year.map(|(_, b)| b),
        ..StatsFilter::default()
    };
    let teams: BTreeMap<i64, String> = state.db.stats_teams().await?.into_iter().collect();
    let k = state.config.min_cell;
    let profile = state.db.export_profile(&parsed).await?;
    let plan = anonymity::plan(&profile.combos, k);
    let rare = anonymity::rare_codes(&profile.codes, k);
    let year_text = year.map_or_else(|| "all years".to_owned(), |(a, _)| a.year().to_string());
    let line = crate::server::db::NewAudit {
        detail: format!("rows of {year_text}; purpose: {purpose}"),
        ..by_staff(&user, "statistics.rows", &addr.ip().to_string())
    };
    audit(&state, line).await?;
    // A few chunks in flight at most: memory stays flat however many rows there are.
    let (rows_tx, rows_rx) = tokio::sync::mpsc::channel(4);
    let (failed_tx, failed_rx) = tokio::sync::oneshot::channel::<String>();
    let db = state.db.clone();
    tokio::spawn(async move {
        // Keeps the channel open until a failure is told, so the body sees it.
        let keep = rows_tx.clone();
        if let Err(e) = db.export_rows(&parsed, rows_tx).await {
            tracing::error!(error = %e, "rows export");
            let _ = failed_tx.send(e.to_string());
        }
        drop(keep);
    });
    let writer =
        RowWriter::new(teams, plan, rare).ok_or_else(|| AppError::broken("pseudonym key"))?;
    // Fused: a compressing layer polls once more after the end, and an unfused stream
    // panics there, truncating the download in every browser.
    let body = futures_util::StreamExt::fuse(futures_util::stream::unfold(
        (rows_rx, failed_rx, writer),
        |(mut rx, mut failed, mut writer)| async move {
            let Some(chunk) = rx.recv().await else {
                return failed.try_recv().ok().map(|e| {
                    let error = std::io::Error::other(format!("export stopped: {e}"));
                    (Err(error), (rx, failed, writer))
                });
            };
            let bytes = writer.write(&chunk).map(axum::body::Bytes::from);
            Some((bytes, (rx, failed, writer)))
        },
    ));
    Ok((
        [
            (http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"digiparat-assessments.csv\"",
            ),
            (http::header::CACHE_CONTROL, "no-store"),
        ],
        axum::body::Body::from_stream(body),
    )
        .into_response())
}

/// A keyed hash over 64 bits, for pseudonyms.
type PseudonymMac = blake2::Blake2bMac<blake2::digest::consts::U8>;

/// Turns rows into CSV, k-anonymous by the plan.
pub(crate) struct RowWriter {
    teams: BTreeMap<i64, String>,
    plan: anonymity::Plan,
    rare: std::collections::BTreeSet<String>,
    /// Keyed with 32 random bytes that are never stored: the pseudonyms of one file
    /// cannot be linked to another file's, nor back to a case.
    mac: PseudonymMac,
    header: bool,
}

impl RowWriter {
    pub(crate) fn new(
        teams: BTreeMap<i64, String>,
        plan: anonymity::Plan,
        rare: std::collections::BTreeSet<String>,
    ) -> Option<RowWriter> {
        use blake2::digest::KeyInit;
        let key: [u8; 32] = rand::random();
        Some(RowWriter {
            teams,
            plan,
            rare,
            mac: PseudonymMac::new_from_slice(&key).ok()?,
            header: true,
        })
    }

    /// The same 16 hex digits for every assessment of a case, within this file.
    pub(crate) fn pseudonym(&self, case: i64) -> String {
        use blake2::digest::Mac;
        let mut mac = self.mac.clone();
        mac.update(&case.to_le_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// A row's codes of one kind, leaving out the rare ones.
    pub(crate) fn codes(&self, r: &ExportRow, kind: &str) -> String {
        r.codes_of(kind)
            .split(';')
            .filter(|c| !c.is_empty() && !self.rare.contains(&format!("{kind}:{c}")))
            .collect::<Vec<_>>()
            .join(";")
    }

    pub(crate) fn write(&mut self, rows: &[ExportRow]) -> std::io::Result<Vec<u8>> {
        let mut out = crate::server::csv_out::CsvOut::with_capacity(rows.len() * 120);
        if std::mem::take(&mut self.header) {
            out.record(ROW_COLUMNS)?;
        }
        let number = |s: Option<i64>| s.map(|n| n.to_string()).unwrap_or_default();
        for r in rows {
            let person = r
                .case_id
                .map(|case| self.pseudonym(case))
                .unwrap_or_default();
            let quarter = quarter_of_month(&r.month).unwrap_or_default();
            let combo: anonymity::Combo = [
                r.team_id.map(|t| t.to_string()).unwrap_or_default(),
                r.age_band.clone().unwrap_or_default(),
                quarter,
                r.mode.clone(),
                r.language.clone(),
            ];
            let [team, band, quarter, mode, language] = self.plan.apply(&combo);
            let team = match team.parse::<i64>() {
                Ok(id) => self.teams.get(&id).cloned().unwrap_or_default(),
                Err(_) => team,
            };
            out.record([
                person.as_str(),
                &quarter,
                &team,
                &band,
                &mode,
                &language,
                &r.channel,
                r.override_channel.as_deref().unwrap_or(&r.channel),
                if r.borderline { "1" } else { "0" },
                if r.provisional { "1" } else { "0" },
                &number(r.score_access),
                &number(r.score_skills),
                &number(r.score_motivation),
                &self.codes(r, "reason"),
                &self.codes(r, "ground"),
            ])?;
        }
        out.into_bytes()
    }
}
