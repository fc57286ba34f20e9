//! The manager dashboard: how many recipients can use self-service, who is kept from it
//! and why, computed from stored results under the page's filters. Every count that
//! covers fewer than k people is hidden, and so is any count that would give one away
//! by subtraction. Charts are server-rendered SVG, each followed by the same numbers.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One number in a table: shown, or hidden by disclosure control.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Shown {
    Count(u64),
    Hidden,
}

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

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DashboardView {
    pub filters: Filters,
    pub teams: Vec<(i64, String)>,
    pub k: u64,
    pub total: Shown,
    pub sections: Vec<Section>,
    /// A filter value that could not be read, by field.
    pub error: Option<String>,
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
    pub complete: u64,
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
}

#[server(endpoint = "stats/load/items")]
pub async fn load_items(
    team: Option<String>,
    band: Option<String>,
    mode: Option<String>,
    language: Option<String>,
    from: Option<String>,
    until: Option<String>,
) -> Result<ItemsView, ServerFnError> {
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
) -> Result<DashboardView, ServerFnError> {
    server::dashboard(Filters {
        team,
        band,
        mode,
        language,
        from,
        until,
    })
    .await
}

#[cfg(feature = "ssr")]
pub use server::{
    ItemTally, ROW_COLUMNS, aggregates_csv, alpha_rows, build, item_tally, parse_filters, rows_csv,
};

#[cfg(feature = "ssr")]
mod server {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use axum::extract::{Query, State};
    use axum::response::{IntoResponse, Response};
    use leptos::prelude::*;
    use time::{Date, Month, OffsetDateTime, Time};
    use tower_sessions::Session;

    use super::*;
    use crate::api::guard::{db_error, staff_form, staff_page};
    use crate::domain::case::AgeBand;
    use crate::domain::cube;
    use crate::domain::role::Role;
    use crate::domain::stats::{AlphaSums, Cell, rate, suppress, suppress_table};
    use crate::domain::{Channel, Dimension, Instrument, Mode, Points, ReasonCode};
    use crate::i18n::Lang;
    use crate::server::charts::{BarChart, BarSeries, render_bar};
    use crate::server::db::{DbError, ExportRow, Repository, StatsFilter};
    use crate::server::state::AppState;

    fn shown(c: Cell) -> Shown {
        match c {
            Cell::Count(n) => Shown::Count(n),
            Cell::Suppressed => Shown::Hidden,
        }
    }

    fn month_start(text: &str) -> Option<OffsetDateTime> {
        let (y, m) = text.trim().split_once('-')?;
        let year: i32 = y.parse().ok()?;
        let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
        Some(
            Date::from_calendar_date(year, month, 1)
                .ok()?
                .with_time(Time::MIDNIGHT)
                .assume_utc(),
        )
    }

    fn next_month(t: OffsetDateTime) -> OffsetDateTime {
        let (y, m) = (t.year(), t.month());
        let (y, m) = if m == Month::December {
            (y + 1, Month::January)
        } else {
            (y, m.next())
        };
        Date::from_calendar_date(y, m, 1)
            .map(|d| d.with_time(Time::MIDNIGHT).assume_utc())
            .unwrap_or(t)
    }

    /// The filters as the database takes them; the name of the first bad field otherwise.
    pub fn parse_filters(f: &Filters) -> Result<StatsFilter, &'static str> {
        let some = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let team_id = match some(&f.team) {
            None => None,
            Some(t) => Some(t.parse::<i64>().map_err(|_| "team")?),
        };
        let age_band = match some(&f.band) {
            None => None,
            Some(b) => Some(AgeBand::parse(&b).ok_or("band")?.as_str().to_owned()),
        };
        let mode = match some(&f.mode) {
            None => None,
            Some(m) if m == "self" || m == "interview" => Some(m),
            Some(_) => return Err("mode"),
        };
        let language = match some(&f.language) {
            None => None,
            Some(l) => Some(Lang::from_code(&l).ok_or("language")?.code().to_owned()),
        };
        let from = match some(&f.from) {
            None => None,
            Some(t) => Some(month_start(&t).ok_or("from")?),
        };
        let until = match some(&f.until) {
            None => None,
            Some(t) => Some(next_month(month_start(&t).ok_or("until")?)),
        };
        Ok(StatsFilter {
            team_id,
            age_band,
            mode,
            language,
            from,
            until,
        })
    }

    fn query_string(f: &Filters) -> String {
        [
            ("team", &f.team),
            ("band", &f.band),
            ("mode", &f.mode),
            ("language", &f.language),
            ("from", &f.from),
            ("until", &f.until),
        ]
        .iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|s| !s.is_empty())
                .map(|v| format!("{k}={}", encode(v)))
        })
        .collect::<Vec<_>>()
        .join("&")
    }

    fn encode(v: &str) -> String {
        v.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }

    /// One column of counts, suppressed as a distribution with its total.
    fn column(counts: &[u64], k: u64) -> (Vec<Shown>, Shown) {
        let (cells, total) = suppress(counts, k);
        (cells.into_iter().map(shown).collect(), shown(total))
    }

    /// Counts of things a person can have several of (reasons, grounds): there is no total
    /// to subtract from, so each count is hidden on its own when it is small.
    fn each(count: u64, k: u64) -> Shown {
        if count > 0 && count < k {
            Shown::Hidden
        } else {
            Shown::Count(count)
        }
    }

    fn value(s: Shown) -> f64 {
        match s {
            Shown::Count(n) => n as f64,
            Shown::Hidden => f64::NAN,
        }
    }

    /// A section with a bar chart drawn from its table (first `chart_rows` rows).
    fn section(
        id: &str,
        title: String,
        summary: String,
        table: StatTable,
        horizontal: bool,
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
            horizontal,
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
        }
    }

    /// Everything on the dashboard, from the database, for the language `lang`.
    pub async fn build(
        db: &dyn Repository,
        f: &StatsFilter,
        k: u64,
        lang: Lang,
    ) -> Result<(Shown, Vec<Section>), DbError> {
        let instrument = Instrument::dr1();
        let code = lang.code();
        let channel_names: Vec<String> = Channel::ALL
            .iter()
            .map(|c| instrument.channel_name(*c, code).to_owned())
            .collect();

        let totals = db.cube_totals(f).await?;
        let slot = |i: usize| totals.get(i).map_or(0, |n| u64::try_from(*n).unwrap_or(0));
        let computed: Vec<u64> = (0..3).map(|i| slot(cube::COMPUTED + i)).collect();
        let after: Vec<u64> = (0..3).map(|i| slot(cube::AFTER + i)).collect();
        let total: u64 = computed.iter().sum();
        let (borderline, provisional) = (slot(cube::BORDERLINE), slot(cube::PROVISIONAL));
        let (computed_cells, shown_total) = column(&computed, k);
        let (after_cells, _) = column(&after, k);
        let mut sections = Vec::new();
        let channel_table = StatTable {
            columns: vec![lang.t("dash-computed"), lang.t("dash-after-override")],
            rows: channel_names
                .iter()
                .enumerate()
                .map(|(i, name)| (name.clone(), vec![computed_cells[i], after_cells[i]]))
                .collect(),
        };
        let self_service = match computed_cells[2] {
            Shown::Count(n) if total > 0 => lang.t_args(
                "dash-channels-summary",
                &[("percent", format!("{}", (n * 100 + total / 2) / total))],
            ),
            _ => lang.t("dash-channels-summary-hidden"),
        };
        sections.push(section(
            "channels",
            lang.t("dash-channels"),
            self_service,
            channel_table,
            false,
            3,
        ));

        // Scores in ten bands of ten points (90–100 together), one column per dimension.
        let dims = [Dimension::Access, Dimension::Skills, Dimension::Motivation];
        let columns: Vec<(Vec<Shown>, Shown)> = (0..dims.len())
            .map(|d| {
                let counts: Vec<u64> = (0..cube::SCORE_BANDS)
                    .map(|band| slot(cube::SCORES + d * cube::SCORE_BANDS + band))
                    .collect();
                column(&counts, k)
            })
            .collect();
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
                .map(|(i, label)| (label, columns.iter().map(|(cells, _)| cells[i]).collect()))
                .collect(),
        };
        let mut chart_table = score_table.clone();
        chart_table.rows.truncate(10);
        let mut scores = section(
            "scores",
            lang.t("dash-scores"),
            lang.t("dash-scores-summary"),
            chart_table,
            false,
            10,
        );
        scores.table = score_table;
        sections.push(scores);

        // Blockers, grounds and reasons: a person can have several, so each count stands alone.
        let reason_count = |r: ReasonCode| {
            ReasonCode::ALL
                .iter()
                .position(|x| *x == r)
                .map_or(0, |i| slot(cube::REASONS + i))
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
                .map(|(c, key)| (lang.t(key), vec![each(reason_count(*c), k)]))
                .collect(),
        };
        sections.push(section(
            "blockers",
            lang.t("dash-blockers"),
            lang.t("dash-blockers-summary"),
            blocker_table,
            true,
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
                        vec![each(slot(cube::GROUNDS + i), k)],
                    )
                })
                .collect(),
        };
        sections.push(section(
            "grounds",
            lang.t("dash-grounds"),
            lang.t("dash-grounds-summary"),
            ground_table,
            true,
            10,
        ));
        let mut reasons: Vec<(String, u64)> = ReasonCode::ALL
            .iter()
            .map(|r| {
                (
                    instrument.reason_for_caseworker(*r, code).to_owned(),
                    reason_count(*r),
                )
            })
            .filter(|(_, n)| *n > 0)
            .collect();
        reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        // Hidden counts cannot be ranked in public: they go last, in a fixed order.
        let (big, small): (Vec<_>, Vec<_>) = reasons.into_iter().partition(|(_, n)| *n >= k);
        let reason_table = StatTable {
            columns: vec![lang.t("dash-people")],
            rows: big
                .into_iter()
                .chain(small)
                .map(|(label, n)| (label, vec![each(n, k)]))
                .collect(),
        };
        sections.push(section(
            "reasons",
            lang.t("dash-reasons"),
            lang.t("dash-reasons-summary"),
            reason_table,
            true,
            10,
        ));

        let marks_table = StatTable {
            columns: vec![lang.t("dash-people")],
            rows: vec![
                (lang.t("mark-borderline"), vec![each(borderline, k)]),
                (lang.t("mark-provisional"), vec![each(provisional, k)]),
            ],
        };
        sections.push(section(
            "marks",
            lang.t("dash-marks"),
            lang.t("dash-marks-summary"),
            marks_table,
            true,
            2,
        ));

        // Movement from the first to the latest assessment of the same case.
        // Cases are counted in the cell of their latest assessment (see `domain::cube`).
        let moves: Vec<Vec<u64>> = (0..3)
            .map(|first| {
                (0..3)
                    .map(|latest| slot(cube::MOVES + first * 3 + latest))
                    .collect()
            })
            .collect();
        let moved = suppress_table(&moves, k);
        let movement_table = StatTable {
            columns: channel_names.clone(),
            rows: channel_names
                .iter()
                .cloned()
                .zip(
                    moved
                        .cells
                        .iter()
                        .map(|r| r.iter().copied().map(shown).collect()),
                )
                .collect(),
        };
        sections.push(section(
            "movement",
            lang.t("dash-movement"),
            lang.t("dash-movement-summary"),
            movement_table,
            false,
            3,
        ));

        // Trend: channels by month (the chart shows the latest ten months).
        let monthly = db.cube_months(f).await?;
        let months: Vec<String> = monthly.iter().map(|(m, _)| m.clone()).collect();
        let grid: Vec<Vec<u64>> = monthly
            .iter()
            .map(|(_, n)| n.iter().map(|x| u64::try_from(*x).unwrap_or(0)).collect())
            .collect();
        let trend = suppress_table(&grid, k);
        let trend_table = StatTable {
            columns: channel_names.clone(),
            rows: months
                .into_iter()
                .zip(
                    trend
                        .cells
                        .iter()
                        .map(|r| r.iter().copied().map(shown).collect()),
                )
                .collect(),
        };
        sections.push(section(
            "trend",
            lang.t("dash-trend"),
            lang.t("dash-trend-summary"),
            trend_table,
            false,
            10,
        ));
        Ok((shown_total, sections))
    }

    /// An answer's worth in twelfths, reverse items turned; `None` when it does not count.
    fn twelfths(item: &crate::domain::Item, value: &serde_json::Value) -> Option<i64> {
        let code = value.as_str()?;
        match item.option(code)?.points()? {
            Points::Twelfths(p) => {
                let p = i64::from(p.min(12));
                Some(if item.is_reverse() { 12 - p } else { p })
            }
            Points::Missing | Points::NotApplicable => None,
        }
    }

    /// One item's answers so far.
    #[derive(Clone, Debug, Default)]
    struct ItemCount {
        asked: u64,
        answered: u64,
        dont_understand: u64,
        by_option: Vec<u64>,
    }

    /// The item analysis, counted one assessment at a time: memory does not grow with the
    /// number of assessments.
    pub struct ItemTally {
        items: Vec<ItemCount>,
        /// Per dimension: the instrument's indices of the items alpha is over, and the sums.
        alpha: Vec<(Dimension, Vec<usize>, AlphaSums)>,
    }

    impl Default for ItemTally {
        fn default() -> Self {
            let instrument = Instrument::dr1();
            let items = instrument
                .items()
                .iter()
                .map(|i| ItemCount {
                    by_option: vec![0; i.options().len()],
                    ..ItemCount::default()
                })
                .collect();
            // Items asked in one mode only (the observed task) are left out of alpha, so
            // both modes compare.
            let alpha = [Dimension::Access, Dimension::Skills, Dimension::Motivation]
                .into_iter()
                .map(|d| {
                    let of: Vec<usize> = instrument
                        .items()
                        .iter()
                        .enumerate()
                        .filter(|(_, i)| i.dimension() == Some(d) && i.only_mode().is_none())
                        .map(|(j, _)| j)
                        .collect();
                    let sums = AlphaSums::new(of.len());
                    (d, of, sums)
                })
                .collect();
            ItemTally { items, alpha }
        }
    }

    impl ItemTally {
        /// One finished assessment's answers.
        pub fn add(&mut self, mode: Mode, answers: &BTreeMap<String, serde_json::Value>) {
            let instrument = Instrument::dr1();
            for (item, count) in instrument.items().iter().zip(&mut self.items) {
                if !item.applies_in(mode) {
                    continue;
                }
                count.asked += 1;
                let codes: Vec<&str> = match answers.get(item.id()) {
                    Some(serde_json::Value::String(c)) => vec![c.as_str()],
                    Some(serde_json::Value::Array(l)) => {
                        l.iter().filter_map(|v| v.as_str()).collect()
                    }
                    _ => Vec::new(),
                };
                if codes.iter().any(|c| {
                    *c == "dont_understand" || *c == crate::api::questionnaire::UI_DONT_UNDERSTAND
                }) {
                    count.dont_understand += 1;
                } else if !codes.is_empty() {
                    count.answered += 1;
                }
                for c in codes {
                    if let Some(i) = item
                        .options()
                        .iter()
                        .position(|o| o.code() == c && c != "dont_understand")
                    {
                        count.by_option[i] += 1;
                    }
                }
            }
            for (_, of, sums) in &mut self.alpha {
                let row: Option<Vec<i64>> = of
                    .iter()
                    .map(|j| {
                        let item = &instrument.items()[*j];
                        answers.get(item.id()).and_then(|v| twelfths(item, v))
                    })
                    .collect();
                if let Some(row) = row {
                    sums.add(&row);
                }
            }
        }
    }

    /// Reads the answers of finished assessments under the filters into a tally, a chunk
    /// at a time from a database cursor.
    pub async fn item_tally(
        db: Arc<dyn Repository>,
        f: &StatsFilter,
    ) -> Result<ItemTally, DbError> {
        let (tx, mut rx) = tokio::sync::mpsc::channel(4);
        let filter = f.clone();
        let reader = tokio::spawn(async move { db.item_answers(&filter, tx).await });
        let mut tally = ItemTally::default();
        let mut current: Option<(i64, Mode, BTreeMap<String, serde_json::Value>)> = None;
        while let Some(chunk) = rx.recv().await {
            for (id, mode, item, value) in chunk {
                let value = serde_json::from_str(&value).unwrap_or(serde_json::Value::Null);
                if current.as_ref().is_none_or(|(last, _, _)| *last != id) {
                    if let Some((_, mode, answers)) = current.take() {
                        tally.add(mode, &answers);
                    }
                    let mode = if mode == "interview" {
                        Mode::Interview
                    } else {
                        Mode::SelfAssessment
                    };
                    current = Some((id, mode, BTreeMap::new()));
                }
                if let Some((_, _, answers)) = current.as_mut() {
                    answers.insert(item, value);
                }
            }
        }
        if let Some((_, mode, answers)) = current.take() {
            tally.add(mode, &answers);
        }
        match reader.await {
            Ok(result) => result?,
            Err(e) => return Err(DbError::Corrupt(format!("item reader stopped: {e}"))),
        }
        Ok(tally)
    }

    /// Cronbach's alpha per dimension over the people who answered all its items.
    pub fn alpha_rows(tally: &ItemTally, k: u64, lang: Lang) -> Vec<AlphaRow> {
        let instrument = Instrument::dr1();
        tally
            .alpha
            .iter()
            .map(|(d, of, sums)| {
                let complete = sums.n();
                let alpha = (complete >= k)
                    .then(|| sums.alpha())
                    .flatten()
                    .map(|a| format!("{a:.2}"));
                AlphaRow {
                    dimension: instrument.dimension_name(*d, lang.code()).to_owned(),
                    items: of.len(),
                    complete,
                    alpha,
                }
            })
            .collect()
    }

    pub async fn items(filters: Filters) -> Result<ItemsView, ServerFnError> {
        let (state, _) = staff_page(Role::can_view_statistics).await?;
        let lang = crate::ui::request_lang();
        let code = lang.code();
        let teams = state.db.stats_teams().await.map_err(db_error)?;
        let k = state.config.min_cell;
        let (parsed, error) = match parse_filters(&filters) {
            Ok(f) => (f, None),
            Err(field) => (StatsFilter::default(), Some(field.to_owned())),
        };
        let tally = item_tally(state.db.clone(), &parsed)
            .await
            .map_err(db_error)?;
        let instrument = Instrument::dr1();
        let percent = |part: u64, whole: u64| rate(part, whole).map(|r| (r * 100.0).round() as u64);
        let items = instrument
            .items()
            .iter()
            .zip(&tally.items)
            .map(|(item, n)| {
                let asked = n.asked;
                // People, not answers: a multi-choice item's options can overlap, so its
                // option counts are each hidden alone; the rest is one distribution.
                let missing = asked.saturating_sub(n.answered + n.dont_understand);
                let (summary, shown_asked) = column(&[n.answered, n.dont_understand, missing], k);
                let mut counts: Vec<(String, Shown)> = item
                    .options()
                    .iter()
                    .zip(&n.by_option)
                    .filter(|(o, _)| o.code() != "dont_understand")
                    .map(|(o, c)| (o.label(code).to_owned(), each(*c, k)))
                    .collect();
                counts.push((lang.t("items-dont-understand"), summary[1]));
                counts.push((lang.t("items-missing"), summary[2]));
                let shown_share = |s: Shown, part: u64| match s {
                    Shown::Count(_) => percent(part, asked),
                    Shown::Hidden => None,
                };
                ItemRow {
                    item: item.id().to_owned(),
                    question: item.question(code).to_owned(),
                    asked: shown_asked,
                    answered_percent: shown_share(summary[0], n.answered),
                    dont_understand_percent: shown_share(summary[1], n.dont_understand),
                    missing_percent: shown_share(summary[2], missing),
                    counts,
                }
            })
            .collect();
        Ok(ItemsView {
            filters,
            teams,
            k,
            alphas: alpha_rows(&tally, k, lang),
            items,
            error,
        })
    }

    pub async fn dashboard(filters: Filters) -> Result<DashboardView, ServerFnError> {
        let (state, _) = staff_page(Role::can_view_statistics).await?;
        let lang = crate::ui::request_lang();
        let teams = state.db.stats_teams().await.map_err(db_error)?;
        let k = state.config.min_cell;
        let query = query_string(&filters);
        let (parsed, error) = match parse_filters(&filters) {
            Ok(f) => (f, None),
            Err(field) => (StatsFilter::default(), Some(field.to_owned())),
        };
        let (total, sections) = build(state.db.as_ref(), &parsed, k, lang)
            .await
            .map_err(db_error)?;
        Ok(DashboardView {
            filters,
            teams,
            k,
            total,
            sections,
            error,
            query,
        })
    }

    /// GET /dashboard/export.csv: every table on the page, as the page shows it.
    pub async fn aggregates_csv(
        State(state): State<AppState>,
        session: Session,
        lang: axum::Extension<Lang>,
        Query(filters): Query<Filters>,
    ) -> Response {
        if let Err(refused) = staff_form(&state, &session, Role::can_view_statistics).await {
            return refused;
        }
        let Ok(parsed) = parse_filters(&filters) else {
            return (
                http::StatusCode::BAD_REQUEST,
                "A filter value cannot be read.",
            )
                .into_response();
        };
        let k = state.config.min_cell;
        let (total, sections) = match build(state.db.as_ref(), &parsed, k, *lang).await {
            Ok(built) => built,
            Err(e) => return crate::error::AppError::Database(e).into_response(),
        };
        let mut out = crate::server::csv_out::CsvOut::with_capacity(4096);
        let hidden = format!("<{k}");
        let text = |s: Shown| match s {
            Shown::Count(n) => n.to_string(),
            Shown::Hidden => hidden.clone(),
        };
        let mut write = || -> Result<(), csv::Error> {
            out.record(["table", "row", "column", "count"])?;
            out.record(["total", "", "", &text(total)])?;
            for s in &sections {
                for (label, values) in &s.table.rows {
                    for (column, v) in s.table.columns.iter().zip(values) {
                        out.record([s.id.as_str(), label, column, &text(*v)])?;
                    }
                }
            }
            Ok(())
        };
        if let Err(e) = write() {
            tracing::error!(error = %e, "csv");
            return (
                http::StatusCode::INTERNAL_SERVER_ERROR,
                "The export could not be written.",
            )
                .into_response();
        }
        match out.into_bytes() {
            Ok(bytes) => (
                [
                    (http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        http::header::CONTENT_DISPOSITION,
                        "attachment; filename=\"digiparat-aggregates.csv\"",
                    ),
                ],
                bytes,
            )
                .into_response(),
            Err(e) => {
                tracing::error!(error = %e, "csv");
                (
                    http::StatusCode::INTERNAL_SERVER_ERROR,
                    "The export could not be written.",
                )
                    .into_response()
            }
        }
    }

    /// The header of the pseudonymised rows.
    pub const ROW_COLUMNS: [&str; 15] = [
        "person",
        "month",
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

    /// GET /dashboard/rows.csv: one line per finished assessment under the filters, for
    /// analysts. No case reference, no exact dates, no notes: the person is a pseudonym
    /// that holds only within this file (the same for the assessments of one case, empty
    /// without a case), the finish time is a month, the birth year an age band. Streamed
    /// in chunks from a database cursor, so memory stays flat whatever the size. The
    /// download is audited.
    pub async fn rows_csv(
        State(state): State<AppState>,
        session: Session,
        axum::extract::ConnectInfo(addr): axum::extract::ConnectInfo<std::net::SocketAddr>,
        Query(filters): Query<Filters>,
    ) -> Response {
        let user = match staff_form(&state, &session, Role::can_view_statistics).await {
            Ok(user) => user,
            Err(refused) => return refused,
        };
        let Ok(parsed) = parse_filters(&filters) else {
            return (
                http::StatusCode::BAD_REQUEST,
                "A filter value cannot be read.",
            )
                .into_response();
        };
        let teams: BTreeMap<i64, String> = match state.db.stats_teams().await {
            Ok(t) => t.into_iter().collect(),
            Err(e) => return crate::error::AppError::Database(e).into_response(),
        };
        if let Err(r) = crate::api::guard::audit_form(
            &state,
            crate::api::guard::by_staff(&user, "statistics.rows", &addr.ip().to_string()),
        )
        .await
        {
            return r;
        }
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
        let Some(writer) = RowWriter::new(teams) else {
            return (
                http::StatusCode::INTERNAL_SERVER_ERROR,
                "The export could not be started.",
            )
                .into_response();
        };
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
        (
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
            .into_response()
    }

    /// A keyed hash over 64 bits, for pseudonyms.
    type PseudonymMac = blake2::Blake2bMac<blake2::digest::consts::U8>;

    /// Turns rows into CSV.
    struct RowWriter {
        teams: BTreeMap<i64, String>,
        /// Keyed with 32 random bytes that are never stored: the pseudonyms of one file
        /// cannot be linked to another file's, nor back to a case.
        mac: PseudonymMac,
        header: bool,
    }

    impl RowWriter {
        fn new(teams: BTreeMap<i64, String>) -> Option<RowWriter> {
            use blake2::digest::KeyInit;
            let key: [u8; 32] = rand::random();
            Some(RowWriter {
                teams,
                mac: PseudonymMac::new_from_slice(&key).ok()?,
                header: true,
            })
        }

        /// The same 16 hex digits for every assessment of a case, within this file.
        fn pseudonym(&self, case: i64) -> String {
            use blake2::digest::Mac;
            let mut mac = self.mac.clone();
            mac.update(&case.to_le_bytes());
            hex::encode(mac.finalize().into_bytes())
        }

        fn write(&mut self, rows: &[ExportRow]) -> std::io::Result<Vec<u8>> {
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
                let team = r
                    .team_id
                    .and_then(|t| self.teams.get(&t))
                    .map_or("", String::as_str);
                out.record([
                    person.as_str(),
                    &r.month,
                    team,
                    r.age_band.as_deref().unwrap_or(""),
                    &r.mode,
                    &r.language,
                    &r.channel,
                    r.override_channel.as_deref().unwrap_or(&r.channel),
                    if r.borderline { "1" } else { "0" },
                    if r.provisional { "1" } else { "0" },
                    &number(r.score_access),
                    &number(r.score_skills),
                    &number(r.score_motivation),
                    &r.codes_of("reason"),
                    &r.codes_of("ground"),
                ])?;
            }
            out.into_bytes()
        }
    }
}
