//! The dashboard: its sections, charts and tables from one published view.

use crate::error::AppResult;
use time::OffsetDateTime;

use super::*;
use crate::api::guard::staff;
use crate::domain::cube;
use crate::domain::disclosure::Secret;
use crate::domain::role::Role;
use crate::domain::{Channel, Dimension, Instrument, ReasonCode};
use crate::i18n::Lang;
use crate::server::charts::{BarChart, BarSeries, render_bar};
use crate::server::db::{DbError, Repository};

/// A section with a bar chart drawn from its table (first `chart_rows` rows).
pub(crate) fn section(
    id: &str,
    title: String,
    summary: String,
    table: StatTable,
    lang: Lang,
    chart_rows: usize,
) -> Section {
    let rows = &table.rows[table.rows.len().saturating_sub(chart_rows)..];
    let chart = BarChart {
        id: id.to_owned(),
        title: title.clone(),
        description: summary.clone(),
        categories: rows.iter().map(|(label, _)| label.clone()).collect(),
        series: table
            .columns
            .iter()
            .enumerate()
            .map(|(j, name)| BarSeries {
                name: name.clone(),
                values: rows
                    .iter()
                    .map(|(_, v)| v.get(j).copied().map(value).unwrap_or(f64::NAN))
                    .collect(),
            })
            .collect(),
        lang,
    };
    let (svg, chart_error) = match render_bar(&chart) {
        // Nothing to draw is not an error: the page says so in words.
        _ if rows.is_empty() => (None, None),
        Ok(svg) => (Some(svg), None),
        Err(e) => {
            tracing::warn!(chart = id, error = %e, "chart not drawn");
            (None, Some(e.to_string()))
        }
    };
    Section {
        id: id.to_owned(),
        title,
        summary,
        svg,
        chart_error,
        table,
        text: None,
        notes: Vec::new(),
        source: None,
    }
}

/// Everything on the dashboard, from the database, for the language `lang`: every
/// figure published by `domain::disclosure`, nothing of a view under k people.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn build(
    db: &dyn Repository,
    secret: &Secret,
    view: &StatsView,
    k: u64,
    lang: Lang,
) -> Result<(Shown, Vec<Section>), DbError> {
    let instrument = Instrument::dr1();
    let code = lang.code();
    let channel_names: Vec<String> = Channel::ALL
        .iter()
        .map(|c| instrument.channel_name(*c, code).to_owned())
        .collect();

    let months = db.cube_series(&view.series, view.filter.until).await?;
    let published = cube::publish_view(secret, &view.series, &months, &view.range);
    let shower = Shower::of(published.people, k);
    let fig = |slot: usize| shower.show(published.slots.get(slot).copied().unwrap_or(0));
    let shown_total = shower.show(published.people);
    let mut sections = Vec::new();
    let channel_table = StatTable {
        columns: vec![lang.t("dash-computed"), lang.t("dash-after-override")],
        rows: channel_names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                (
                    name.clone(),
                    vec![fig(cube::COMPUTED + i), fig(cube::AFTER + i)],
                )
            })
            .collect(),
    };
    let self_service = match share_tenths(fig(cube::COMPUTED + 2), shown_total) {
        Some(tenths) => {
            let point = if lang == Lang::Da { "," } else { "." };
            let percent = format!("{}{point}{}", tenths / 10, tenths % 10);
            lang.t_args("dash-channels-summary", &[("percent", percent)])
        }
        None => lang.t("dash-channels-summary-hidden"),
    };
    sections.push(section(
        "channels",
        lang.t("dash-channels"),
        self_service,
        channel_table,
        lang,
        3,
    ));

    // Scores in ten bands of ten points (90–100 together), one column per dimension.
    let dims = [Dimension::Access, Dimension::Skills, Dimension::Motivation];
    let labels: Vec<String> = (0..10)
        .map(|b| {
            if b == 9 {
                "90–100".to_owned()
            } else {
                format!("{}–{}", b * 10, b * 10 + 9)
            }
        })
        .chain([lang.t("dash-not-scored")])
        .collect();
    let score_table = StatTable {
        columns: dims
            .iter()
            .map(|d| instrument.dimension_name(*d, code).to_owned())
            .collect(),
        rows: labels
            .into_iter()
            .enumerate()
            .map(|(band, label)| {
                let values = (0..dims.len())
                    .map(|d| fig(cube::SCORES + d * cube::SCORE_BANDS + band))
                    .collect();
                (label, values)
            })
            .collect(),
    };
    let mut chart_table = score_table.clone();
    chart_table.rows.truncate(10);
    let mut scores = section(
        "scores",
        lang.t("dash-scores"),
        lang.t("dash-scores-summary"),
        chart_table,
        lang,
        10,
    );
    scores.table = score_table;
    sections.push(scores);

    // Blockers, grounds and reasons: a person can have several.
    let reason_slot = |r: ReasonCode| {
        ReasonCode::ALL
            .iter()
            .position(|x| *x == r)
            .map_or(usize::MAX, |i| cube::REASONS + i)
    };
    let blockers = [
        (ReasonCode::NoDevice, "dash-blocker-device"),
        (ReasonCode::NoInternet, "dash-blocker-internet"),
        (ReasonCode::NoMitid, "dash-blocker-mitid"),
    ];
    let blocker_table = StatTable {
        columns: vec![lang.t("dash-people")],
        rows: blockers
            .iter()
            .map(|(c, key)| (lang.t(key), vec![fig(reason_slot(*c))]))
            .collect(),
    };
    sections.push(section(
        "blockers",
        lang.t("dash-blockers"),
        lang.t("dash-blockers-summary"),
        blocker_table,
        lang,
        3,
    ));
    let grounds = crate::domain::ExemptionGround::ALL;
    let ground_table = StatTable {
        columns: vec![lang.t("dash-people")],
        rows: grounds
            .iter()
            .enumerate()
            .map(|(i, g)| {
                (
                    instrument.exemption_ground_text(*g, code).to_owned(),
                    vec![fig(cube::GROUNDS + i)],
                )
            })
            .collect(),
    };
    sections.push(section(
        "grounds",
        lang.t("dash-grounds"),
        lang.t("dash-grounds-summary"),
        ground_table,
        lang,
        10,
    ));
    // Shown reasons by their published figure, largest first; hidden ones after them
    // in the instrument's order, so the order says nothing about hidden figures.
    let mut reasons: Vec<(String, Shown)> = ReasonCode::ALL
        .iter()
        .map(|r| {
            (
                instrument.reason_for_caseworker(*r, code).to_owned(),
                fig(reason_slot(*r)),
            )
        })
        .collect();
    reasons.sort_by(|a, b| {
        Shown::ranked(&a.1, &b.1).then_with(|| match (a.1, b.1) {
            (Shown::Count(_), Shown::Count(_)) => a.0.cmp(&b.0),
            _ => std::cmp::Ordering::Equal,
        })
    });
    let reason_table = StatTable {
        columns: vec![lang.t("dash-people")],
        rows: reasons
            .into_iter()
            .map(|(label, n)| (label, vec![n]))
            .collect(),
    };
    sections.push(section(
        "reasons",
        lang.t("dash-reasons"),
        lang.t("dash-reasons-summary"),
        reason_table,
        lang,
        10,
    ));

    let marks_table = StatTable {
        columns: vec![lang.t("dash-people")],
        rows: vec![
            (lang.t("mark-borderline"), vec![fig(cube::BORDERLINE)]),
            (lang.t("mark-provisional"), vec![fig(cube::PROVISIONAL)]),
        ],
    };
    sections.push(section(
        "marks",
        lang.t("dash-marks"),
        lang.t("dash-marks-summary"),
        marks_table,
        lang,
        2,
    ));

    // Movement from the first to the latest assessment of the same case.
    // Cases are counted in the cell of their latest assessment (see `domain::cube`).
    let movement_table = StatTable {
        columns: channel_names.clone(),
        rows: channel_names
            .iter()
            .enumerate()
            .map(|(first, name)| {
                let values = (0..3)
                    .map(|latest| fig(cube::MOVES + first * 3 + latest))
                    .collect();
                (name.clone(), values)
            })
            .collect(),
    };
    sections.push(section(
        "movement",
        lang.t("dash-movement"),
        lang.t("dash-movement-summary"),
        movement_table,
        lang,
        3,
    ));

    // Trend: channels by quarter (the chart shows the latest ten quarters); nothing of
    // a quarter under k people.
    let trend_table = StatTable {
        columns: channel_names.clone(),
        rows: published
            .periods
            .iter()
            .map(|(quarter, people, channels)| {
                let each = Shower {
                    visible: shower.visible && Shower::of(*people, k).visible,
                    k,
                };
                (
                    quarter.clone(),
                    channels.iter().map(|n| each.show(*n)).collect(),
                )
            })
            .collect(),
    };
    sections.push(section(
        "trend",
        lang.t("dash-trend"),
        lang.t("dash-trend-summary"),
        trend_table,
        lang,
        10,
    ));
    sections.extend(super::plans::sections(db, secret, view, k, lang).await?);
    Ok((shown_total, sections))
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn dashboard(filters: Filters, rows_error: Option<String>) -> AppResult<DashboardView> {
    let (state, user) = staff(Role::can_view_statistics)?;
    let lang = crate::request::request_lang();
    let rows_error = rows_error.and_then(|field| {
        let message = match field.as_str() {
            "year" => "error-rows-year",
            "purpose" => "error-rows-purpose",
            "purpose_cpr" => "error-rows-cpr",
            _ => return None,
        };
        let id = if field == "year" {
            "rows-year"
        } else {
            "rows-purpose"
        };
        Some((id.to_owned(), lang.t(message)))
    });
    let teams = state.db.stats_teams().await?;
    let k = state.config.min_cell;
    let query = query_string(&filters);
    let (view, error) = match parse_filters(&filters) {
        Ok(v) => (v, None),
        Err(e) => (StatsView::everyone(), Some(e)),
    };
    let (total, sections) = build(state.db.as_ref(), &state.disclosure, &view, k, lang).await?;
    Ok(DashboardView {
        filters: Filters {
            from: view.range.from.clone().or(filters.from),
            until: view.range.until.clone().or(filters.until),
            ..filters
        },
        teams,
        periods: recent_quarters(OffsetDateTime::now_utc(), 5),
        may_export_rows: user.may_export_rows,
        years: (0..5)
            .map(|back| OffsetDateTime::now_utc().year() - back)
            .collect(),
        rows_error,
        k,
        total,
        sections,
        error: error.map(|e| e.field.to_owned()),
        error_message: error.map(|e| lang.t(e.message)),
        query,
    })
}
