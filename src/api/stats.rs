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
    rows_error: Option<String>,
) -> Result<DashboardView, ServerFnError> {
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
    FilterError, ItemSeries, PublishedItems, ROW_COLUMNS, StatsView, aggregates_csv, alpha_rows,
    build, item_series, parse_filters, publish_items, rows_csv,
};

#[cfg(feature = "ssr")]
mod server {
    use std::collections::BTreeMap;

    use axum::extract::{Query, State};
    use axum::response::{IntoResponse, Response};
    use leptos::prelude::*;
    use time::{Date, Month, OffsetDateTime, Time};
    use tower_sessions::Session;

    use super::*;
    use crate::api::guard::{db_error, staff_form, staff_page};
    use crate::domain::anonymity;
    use crate::domain::case::AgeBand;
    use crate::domain::cube;
    use crate::domain::item_cube;
    use crate::domain::disclosure::{Figure, Range, Secret, Tally as KeyTally, quarter_of_month};
    use crate::domain::role::Role;
    use crate::domain::stats::AlphaSums;
    use crate::domain::{Channel, Dimension, Instrument, ReasonCode};
    use crate::i18n::Lang;
    use crate::server::charts::{BarChart, BarSeries, render_bar};
    use crate::server::db::{DbError, ExportRow, Repository, StatsFilter};
    use crate::server::state::AppState;

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

    /// The quarters of the last `years` years up to the one of `now`, newest first.
    pub fn recent_quarters(now: OffsetDateTime, years: i32) -> Vec<String> {
        let this = 4 * now.year() + i32::from((u8::from(now.month()) - 1) / 3);
        (0..4 * years)
            .map(|back| {
                let q = this - back;
                format!("{}-Q{}", q.div_euclid(4), q.rem_euclid(4) + 1)
            })
            .collect()
    }

    /// A filter value that cannot be used: the field and the message key.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct FilterError {
        pub field: &'static str,
        pub message: &'static str,
    }

    impl FilterError {
        fn unreadable(field: &'static str) -> FilterError {
            FilterError {
                field,
                message: "error-dash-filter",
            }
        }
    }

    /// One view of the statistics: the database's filter, the series it narrows to and
    /// its range of whole quarters (`domain::disclosure`).
    #[derive(Clone, Debug, PartialEq)]
    pub struct StatsView {
        pub filter: StatsFilter,
        pub series: String,
        pub range: Range,
    }

    impl StatsView {
        /// Everyone, all the time.
        pub fn everyone() -> StatsView {
            StatsView {
                filter: StatsFilter::default(),
                series: crate::domain::disclosure::EVERYONE.to_owned(),
                range: Range::default(),
            }
        }
    }

    /// `YYYY-Qn`, or `YYYY-MM` for the quarter it falls in: the quarter's name and the
    /// start of its first month.
    fn quarter_start(text: &str) -> Option<(String, OffsetDateTime)> {
        let text = text.trim();
        let (year, rest) = text.split_once('-')?;
        let first_month = match rest.strip_prefix('Q').or_else(|| rest.strip_prefix('q')) {
            Some(q) => {
                let q: u8 = q.parse().ok()?;
                (1..=4).contains(&q).then_some(3 * (q - 1) + 1)?
            }
            None => {
                let m: u8 = rest.parse().ok()?;
                (1..=12).contains(&m).then_some(3 * ((m - 1) / 3) + 1)?
            }
        };
        let start = month_start(&format!("{year}-{first_month:02}"))?;
        Some((
            quarter_of_month(&format!("{year}-{first_month:02}"))?,
            start,
        ))
    }

    /// The filters as the database and the publisher take them. At most one of team, age
    /// band, mode and language narrows a view, and periods are whole quarters: that keeps
    /// the views that overlap a person few (`domain::disclosure`).
    pub fn parse_filters(f: &Filters) -> Result<StatsView, FilterError> {
        let some = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let team_id = match some(&f.team) {
            None => None,
            Some(t) => Some(
                t.parse::<i64>()
                    .map_err(|_| FilterError::unreadable("team"))?,
            ),
        };
        let age_band = match some(&f.band) {
            None => None,
            Some(b) => Some(
                AgeBand::parse(&b)
                    .ok_or(FilterError::unreadable("band"))?
                    .as_str()
                    .to_owned(),
            ),
        };
        let mode = match some(&f.mode) {
            None => None,
            Some(m) if m == "self" || m == "interview" => Some(m),
            Some(_) => return Err(FilterError::unreadable("mode")),
        };
        let language = match some(&f.language) {
            None => None,
            Some(l) => Some(
                Lang::from_code(&l)
                    .ok_or(FilterError::unreadable("language"))?
                    .code()
                    .to_owned(),
            ),
        };
        let from = match some(&f.from) {
            None => None,
            Some(t) => Some(quarter_start(&t).ok_or(FilterError::unreadable("from"))?),
        };
        let until = match some(&f.until) {
            None => None,
            Some(t) => Some(quarter_start(&t).ok_or(FilterError::unreadable("until"))?),
        };
        if let (Some((a, _)), Some((b, _))) = (&from, &until)
            && a > b
        {
            return Err(FilterError {
                field: "until",
                message: "error-dash-period-order",
            });
        }
        let narrowing: Vec<(&'static str, String)> = [
            ("team", team_id.map(|t| t.to_string())),
            ("band", age_band.clone()),
            ("mode", mode.clone()),
            ("language", language.clone()),
        ]
        .into_iter()
        .filter_map(|(field, v)| v.map(|v| (field, v)))
        .collect();
        let series = match narrowing.as_slice() {
            [] => crate::domain::disclosure::EVERYONE.to_owned(),
            [(field, value)] => crate::domain::disclosure::series_name(field, value),
            [_, (second, _), ..] => {
                return Err(FilterError {
                    field: second,
                    message: "error-dash-one-filter",
                });
            }
        };
        // The end is exclusive on the database's side: the start of the next quarter.
        let until_time = until
            .as_ref()
            .map(|(_, start)| next_month(next_month(next_month(*start))));
        Ok(StatsView {
            filter: StatsFilter {
                team_id,
                age_band,
                mode,
                language,
                from: from.as_ref().map(|(_, t)| *t),
                until: until_time,
            },
            series,
            range: Range {
                from: from.map(|(q, _)| q),
                until: until.map(|(q, _)| q),
            },
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

    /// What a manager sees of a published value; nothing of a view under k people.
    #[derive(Clone, Copy)]
    struct Shower {
        k: u64,
        visible: bool,
    }

    impl Shower {
        fn of(people: i64, k: u64) -> Shower {
            Shower {
                k,
                visible: Figure::shown(people, k).count().is_some(),
            }
        }

        fn show(self, published: i64) -> Shown {
            match Figure::shown(published, self.k) {
                Figure::Count(n) if self.visible => Shown::Count(n),
                _ => Shown::Hidden,
            }
        }
    }

    /// A share in tenths of a per cent of two shown figures: channel shares are shown with
    /// one decimal, so a view of 1,000 people stays within a point of the truth.
    fn share_tenths(part: Shown, whole: Shown) -> Option<u64> {
        match (part, whole) {
            (Shown::Count(p), Shown::Count(w)) if w > 0 => Some((p * 1000 + w / 2) / w),
            _ => None,
        }
    }

    /// A share in whole per cent of two shown figures.
    fn share(part: Shown, whole: Shown) -> Option<u64> {
        match (part, whole) {
            (Shown::Count(p), Shown::Count(w)) if w > 0 => Some((p * 100 + w / 2) / w),
            _ => None,
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

    /// Everything on the dashboard, from the database, for the language `lang`: every
    /// figure published by `domain::disclosure`, nothing of a view under k people.
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
            false,
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
            false,
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
            true,
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
        reasons.sort_by(|a, b| match (a.1, b.1) {
            (Shown::Count(x), Shown::Count(y)) => y.cmp(&x).then_with(|| a.0.cmp(&b.0)),
            (Shown::Count(_), Shown::Hidden) => std::cmp::Ordering::Less,
            (Shown::Hidden, Shown::Count(_)) => std::cmp::Ordering::Greater,
            (Shown::Hidden, Shown::Hidden) => std::cmp::Ordering::Equal,
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
            true,
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
            true,
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
            false,
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
            false,
            10,
        ));
        Ok((shown_total, sections))
    }

    /// A series' item cube (`domain::item_cube`), every quarter up to the end of a view's
    /// range (published figures look back before its start, `domain::disclosure`).
    pub struct ItemSeries {
        quarters: BTreeMap<String, item_cube::Quarter>,
    }

    pub async fn item_series(db: &dyn Repository, view: &StatsView) -> Result<ItemSeries, DbError> {
        let rows = db
            .item_series(&view.series, view.range.until.as_deref())
            .await?;
        Ok(ItemSeries {
            quarters: item_cube::quarters_of(rows),
        })
    }

    /// The item analysis of a view, every figure published (`domain::disclosure`).
    pub struct PublishedItems {
        pub people: Shown,
        /// Per item: asked, then each option, then don't understand, then missing.
        pub items: Vec<(Shown, Vec<Shown>, Shown, Shown)>,
        /// Per dimension: complete answer sets and alpha (2 decimals) when at least k.
        pub alphas: Vec<(Dimension, usize, Shown, Option<String>)>,
    }

    pub fn publish_items(
        series: &ItemSeries,
        secret: &Secret,
        view: &StatsView,
        k: u64,
    ) -> PublishedItems {
        let layout = item_cube::Layout::get();
        let quarters: Vec<(&String, &item_cube::Quarter)> = series
            .quarters
            .iter()
            .filter(|(_, q)| q[layout.people][0] > 0)
            .collect();
        let published = crate::domain::disclosure::Series {
            name: view.series.clone(),
            periods: quarters.iter().map(|(p, _)| (*p).clone()).collect(),
        };
        let publish = |slot: usize| {
            let tallies: Vec<KeyTally> = quarters
                .iter()
                .map(|(_, q)| item_cube::Layout::tally(q, slot))
                .collect();
            published.publish(secret, layout.name(slot), &tallies, &view.range)
        };
        let people = publish(layout.people);
        let shower = Shower::of(people, k);
        let items = layout
            .items
            .iter()
            .map(|slots| {
                (
                    shower.show(publish(slots.asked)),
                    slots.options.iter().map(|o| shower.show(publish(*o))).collect(),
                    shower.show(publish(slots.dont_understand)),
                    shower.show(publish(slots.missing)),
                )
            })
            .collect();
        let alphas = layout
            .alpha
            .iter()
            .enumerate()
            .map(|(d, a)| {
                let complete = shower.show(publish(a.complete));
                let mut sums = AlphaSums::new(a.of.len());
                for (period, q) in &quarters {
                    if view.range.contains(period) {
                        sums.merge(&layout.alpha_sums(q, d));
                    }
                }
                // Only from at least k complete answer sets, by the published count and
                // the true one alike.
                let alpha = match complete {
                    Shown::Count(_) if sums.n() >= k => sums.alpha().map(|a| format!("{a:.2}")),
                    _ => None,
                };
                (a.dimension, a.of.len(), complete, alpha)
            })
            .collect();
        PublishedItems {
            people: shower.show(people),
            items,
            alphas,
        }
    }

    /// Cronbach's alpha per dimension over the people who answered all its items.
    pub fn alpha_rows(published: &PublishedItems, lang: Lang) -> Vec<AlphaRow> {
        let instrument = Instrument::dr1();
        published
            .alphas
            .iter()
            .map(|(d, items, complete, alpha)| AlphaRow {
                dimension: instrument.dimension_name(*d, lang.code()).to_owned(),
                items: *items,
                complete: *complete,
                alpha: alpha.clone(),
            })
            .collect()
    }

    pub async fn items(filters: Filters) -> Result<ItemsView, ServerFnError> {
        let (state, _) = staff_page(Role::can_view_statistics).await?;
        let lang = crate::ui::request_lang();
        let code = lang.code();
        let teams = state.db.stats_teams().await.map_err(db_error)?;
        let k = state.config.min_cell;
        let (view, error) = match parse_filters(&filters) {
            Ok(v) => (v, None),
            Err(e) => (StatsView::everyone(), Some(e)),
        };
        let series = item_series(state.db.as_ref(), &view)
            .await
            .map_err(db_error)?;
        let published = publish_items(&series, &state.disclosure, &view, k);
        let instrument = Instrument::dr1();
        let items = instrument
            .items()
            .iter()
            .zip(&published.items)
            .map(|(item, (asked, options, dont, missing))| {
                // People, not answers: a multi-choice item's options can overlap.
                let mut counts: Vec<(String, Shown)> = item
                    .options()
                    .iter()
                    .zip(options)
                    .filter(|(o, _)| o.code() != "dont_understand")
                    .map(|(o, c)| (o.label(code).to_owned(), *c))
                    .collect();
                counts.push((lang.t("items-dont-understand"), *dont));
                counts.push((lang.t("items-missing"), *missing));
                let answered = match (asked, dont, missing) {
                    (Shown::Count(a), Shown::Count(d), Shown::Count(m)) => {
                        Shown::Count(a.saturating_sub(d + m))
                    }
                    _ => Shown::Hidden,
                };
                ItemRow {
                    item: item.id().to_owned(),
                    question: item.question(code).to_owned(),
                    asked: *asked,
                    answered_percent: share(answered, *asked),
                    dont_understand_percent: share(*dont, *asked),
                    missing_percent: share(*missing, *asked),
                    counts,
                }
            })
            .collect();
        Ok(ItemsView {
            filters,
            teams,
            k,
            alphas: alpha_rows(&published, lang),
            items,
            error: error.map(|e| e.field.to_owned()),
            error_message: error.map(|e| lang.t(e.message)),
        })
    }

    pub async fn dashboard(
        filters: Filters,
        rows_error: Option<String>,
    ) -> Result<DashboardView, ServerFnError> {
        let (state, user) = staff_page(Role::can_view_statistics).await?;
        let lang = crate::ui::request_lang();
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
        let teams = state.db.stats_teams().await.map_err(db_error)?;
        let k = state.config.min_cell;
        let query = query_string(&filters);
        let (view, error) = match parse_filters(&filters) {
            Ok(v) => (v, None),
            Err(e) => (StatsView::everyone(), Some(e)),
        };
        let (total, sections) = build(state.db.as_ref(), &state.disclosure, &view, k, lang)
            .await
            .map_err(db_error)?;
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
        let view = match parse_filters(&filters) {
            Ok(v) => v,
            Err(e) => return (http::StatusCode::BAD_REQUEST, lang.t(e.message)).into_response(),
        };
        let k = state.config.min_cell;
        let (total, sections) =
            match build(state.db.as_ref(), &state.disclosure, &view, k, *lang).await {
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
    fn rows_refused(field: &str) -> Response {
        axum::response::Redirect::to(&format!("/dashboard?rows_error={field}#rows")).into_response()
    }

    /// The calendar year of a rows file: `Ok(None)` for every year.
    fn rows_year(text: &str) -> Result<Option<(OffsetDateTime, OffsetDateTime)>, ()> {
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
    pub async fn rows_csv(
        State(state): State<AppState>,
        session: Session,
        axum::extract::ConnectInfo(addr): axum::extract::ConnectInfo<std::net::SocketAddr>,
        axum::Form(fields): axum::Form<Vec<(String, String)>>,
    ) -> Response {
        let user = match staff_form(&state, &session, Role::can_view_statistics).await {
            Ok(user) => user,
            Err(refused) => return refused,
        };
        if !user.may_export_rows {
            return (
                http::StatusCode::FORBIDDEN,
                "Downloading rows per assessment needs a permission an administrator gives.",
            )
                .into_response();
        }
        let field = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map_or("", |(_, v)| v.as_str())
        };
        // A whole year at least: no narrower filter is taken.
        if let Some(narrow) = ["team", "band", "mode", "language", "from", "until"]
            .iter()
            .find(|n| !field(n).trim().is_empty())
        {
            return (
                http::StatusCode::BAD_REQUEST,
                format!("Rows are for a whole year; the filter {narrow} is not taken."),
            )
                .into_response();
        }
        let Ok(year) = rows_year(field("year")) else {
            return rows_refused("year");
        };
        let purpose = field("purpose").trim();
        let length = purpose.chars().count();
        if !(10..=500).contains(&length) {
            return rows_refused("purpose");
        }
        if crate::domain::privacy::looks_like_cpr(purpose) {
            return rows_refused("purpose_cpr");
        }
        let parsed = StatsFilter {
            from: year.map(|(a, _)| a),
            until: year.map(|(_, b)| b),
            ..StatsFilter::default()
        };
        let teams: BTreeMap<i64, String> = match state.db.stats_teams().await {
            Ok(t) => t.into_iter().collect(),
            Err(e) => return crate::error::AppError::Database(e).into_response(),
        };
        let k = state.config.min_cell;
        let profile = match state.db.export_profile(&parsed).await {
            Ok(p) => p,
            Err(e) => return crate::error::AppError::Database(e).into_response(),
        };
        let plan = anonymity::plan(&profile.combos, k);
        let rare = anonymity::rare_codes(&profile.codes, k);
        let year_text = year.map_or_else(|| "all years".to_owned(), |(a, _)| a.year().to_string());
        let line = crate::server::db::NewAudit {
            detail: format!("rows of {year_text}; purpose: {purpose}"),
            ..crate::api::guard::by_staff(&user, "statistics.rows", &addr.ip().to_string())
        };
        if let Err(r) = crate::api::guard::audit_form(&state, line).await {
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
        let Some(writer) = RowWriter::new(teams, plan, rare) else {
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

    /// Turns rows into CSV, k-anonymous by the plan.
    struct RowWriter {
        teams: BTreeMap<i64, String>,
        plan: anonymity::Plan,
        rare: std::collections::BTreeSet<String>,
        /// Keyed with 32 random bytes that are never stored: the pseudonyms of one file
        /// cannot be linked to another file's, nor back to a case.
        mac: PseudonymMac,
        header: bool,
    }

    impl RowWriter {
        fn new(
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
        fn pseudonym(&self, case: i64) -> String {
            use blake2::digest::Mac;
            let mut mac = self.mac.clone();
            mac.update(&case.to_le_bytes());
            hex::encode(mac.finalize().into_bytes())
        }

        /// A row's codes of one kind, leaving out the rare ones.
        fn codes(&self, r: &ExportRow, kind: &str) -> String {
            r.codes_of(kind)
                .split(';')
                .filter(|c| !c.is_empty() && !self.rare.contains(&format!("{kind}:{c}")))
                .collect::<Vec<_>>()
                .join(";")
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
}
