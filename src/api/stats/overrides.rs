//! Override analysis (`/dashboard/overrides`): how often caseworkers choose another channel
//! than the suggested one, in which direction, after which rule, and why (the reason's
//! category; its free text is never counted). The overall figures follow the page's filter;
//! the breakdowns by team, age band, language and mode read one series per group for the
//! chosen period, since disclosure control publishes one filter at a time. Every figure is
//! published like the dashboard's (`domain::disclosure`).

use time::OffsetDateTime;

use super::*;
use crate::api::guard::staff;
use crate::domain::cube::{self, PublishedView};
use crate::domain::disclosure::{Range, Secret, series_name};
use crate::domain::role::Role;
use crate::domain::{Channel, Instrument, Mode, OverrideReason};
use crate::i18n::Lang;
use crate::server::db::{DbError, Repository};

/// The published figures of one series, as a manager may see them.
pub(crate) struct Figures {
    shower: Shower,
    view: PublishedView,
}

impl Figures {
    pub(crate) async fn of(
        db: &dyn Repository,
        secret: &Secret,
        series: &str,
        until: Option<OffsetDateTime>,
        range: &Range,
        k: u64,
        wanted: &[usize],
    ) -> Result<Figures, DbError> {
        let months = db.cube_series(series, until).await?;
        let view = cube::publish_slots(secret, series, &months, range, wanted);
        Ok(Figures {
            shower: Shower::of(view.people, k),
            view,
        })
    }

    pub(crate) fn people(&self) -> Shown {
        self.shower.show(self.view.people)
    }

    pub(crate) fn slot(&self, slot: usize) -> Shown {
        self.shower
            .show(self.view.slots.get(slot).copied().unwrap_or(0))
    }
}

/// The groups of each breakdown: id, filter field, and (series value, label) per group.
pub(crate) fn groups(lang: Lang, teams: &[(i64, String)]) -> Vec<(&'static str, &'static str, Vec<(String, String)>)> {
    let bands = crate::domain::case::AgeBand::ALL
        .iter()
        .map(|b| (b.as_str().to_owned(), crate::i18n::age_band_label(lang, b.as_str())))
        .collect();
    let languages = Lang::ALL
        .iter()
        .map(|l| (l.code().to_owned(), l.native_name().to_owned()))
        .collect();
    let modes = Mode::ALL
        .iter()
        .map(|m| {
            let key = match m {
                Mode::SelfAssessment => "case-mode-self",
                Mode::Interview => "case-mode-interview",
            };
            (m.as_str().to_owned(), lang.t(key))
        })
        .collect();
    vec![
        (
            "team",
            "team",
            teams.iter().map(|(id, n)| (id.to_string(), n.clone())).collect(),
        ),
        ("band", "band", bands),
        ("language", "language", languages),
        ("mode", "mode", modes),
    ]
}

const OVERRIDE_SLOTS: [usize; 3] = [cube::OVERRIDDEN, cube::OVERRIDDEN_LESS, cube::OVERRIDDEN_MORE];

/// Every section of the override analysis.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn build_overrides(
    db: &dyn Repository,
    secret: &Secret,
    view: &StatsView,
    k: u64,
    lang: Lang,
    teams: &[(i64, String)],
) -> Result<(Shown, Vec<Section>), DbError> {
    let instrument = Instrument::dr1();
    let code = lang.code();
    let until = view.filter.until;
    let all: Vec<usize> = (0..cube::SLOTS).collect();
    let f = Figures::of(db, secret, &view.series, until, &view.range, k, &all).await?;
    let total = f.people();
    let channel_names: Vec<String> = Channel::ALL
        .iter()
        .map(|c| instrument.channel_name(*c, code).to_owned())
        .collect();
    let direction_columns = vec![lang.t("ov-less-digital"), lang.t("ov-more-digital")];
    let mut sections = Vec::new();

    // By the suggested channel (rows) and the channel chosen (columns): the diagonal kept.
    let table = StatTable {
        columns: channel_names.clone(),
        rows: channel_names
            .iter()
            .enumerate()
            .map(|(from, name)| {
                let to = (0..3).map(|to| f.slot(cube::CHANGES + from * 3 + to)).collect();
                (name.clone(), to)
            })
            .collect(),
    };
    let summary = match (f.slot(cube::OVERRIDDEN), total) {
        (Shown::Count(n), Shown::Count(of)) if of > 0 => lang.t_args(
            "ov-summary",
            &[
                ("count", n.to_string()),
                ("total", of.to_string()),
                ("percent", share(Shown::Count(n), Shown::Count(of)).unwrap_or(0).to_string()),
                ("less", count_text(f.slot(cube::OVERRIDDEN_LESS), lang, k)),
                ("more", count_text(f.slot(cube::OVERRIDDEN_MORE), lang, k)),
            ],
        ),
        _ => lang.t("ov-summary-hidden"),
    };
    sections.push(section("ov-channels", lang.t("ov-channels"), summary, table, lang, 3));

    // Each breakdown: one published series per group.
    for (id, field, members) in groups(lang, teams) {
        let mut rows = Vec::with_capacity(members.len());
        for (value, label) in members {
            let g = Figures::of(db, secret, &series_name(field, &value), until, &view.range, k, &OVERRIDE_SLOTS).await?;
            rows.push((
                label,
                vec![
                    g.people(),
                    g.slot(cube::OVERRIDDEN),
                    g.slot(cube::OVERRIDDEN_LESS),
                    g.slot(cube::OVERRIDDEN_MORE),
                ],
            ));
        }
        let table = StatTable {
            columns: [
                vec![lang.t("dash-people"), lang.t("ov-overridden")],
                direction_columns.clone(),
            ]
            .concat(),
            rows,
        };
        let mut chart = table.clone();
        chart.columns.drain(..2);
        chart.rows.iter_mut().for_each(|(_, v)| {
            v.drain(..2);
        });
        let sid = format!("ov-by-{id}");
        let mut s = section(&sid, lang.t(&sid), lang.t("ov-by-summary"), chart, lang, 10);
        s.table = table;
        sections.push(s);
    }

    // By the rule that decided the suggested channel.
    let rule_table = StatTable {
        columns: vec![lang.t("ov-decided"), lang.t("ov-overridden")],
        rows: (1..=6u8)
            .map(|rule| {
                let i = usize::from(rule - 1);
                (
                    format!("{rule}. {}", instrument.rule_text(rule, code)),
                    vec![f.slot(cube::RULES + i), f.slot(cube::RULES_OVERRIDDEN + i)],
                )
            })
            .collect(),
    };
    sections.push(section("ov-by-rule", lang.t("ov-by-rule"), lang.t("ov-by-rule-summary"), rule_table, lang, 6));

    // Why: the category of each override's reason.
    let reason_table = StatTable {
        columns: vec![lang.t("ov-overridden")],
        rows: OverrideReason::ALL
            .iter()
            .enumerate()
            .map(|(i, r)| (instrument.override_reason_text(*r, code).to_owned(), vec![f.slot(cube::OVERRIDE_REASONS + i)]))
            .chain([(lang.t("ov-unrecorded"), vec![f.slot(cube::OVERRIDE_REASONS + OverrideReason::ALL.len())])])
            .collect(),
    };
    sections.push(section("ov-reasons", lang.t("ov-reasons"), lang.t("ov-reasons-summary"), reason_table, lang, 6));

    // Trend by quarter (the period of every published figure).
    let months = db.cube_series(&view.series, until).await?;
    let shower = Shower::of(f.view.people, k);
    let trend = cube::publish_trend(secret, &view.series, &months, &view.range, &OVERRIDE_SLOTS)
        .into_iter()
        .map(|(quarter, people, values)| {
            let each = Shower {
                visible: shower.visible && Shower::of(people, k).visible,
                k,
            };
            let mut row = vec![each.show(people)];
            row.extend(values.into_iter().map(|v| each.show(v)));
            (quarter, row)
        })
        .collect();
    let trend_table = StatTable {
        columns: [vec![lang.t("dash-people"), lang.t("ov-overridden")], direction_columns].concat(),
        rows: trend,
    };
    let mut chart = trend_table.clone();
    chart.columns.drain(..2);
    chart.rows.iter_mut().for_each(|(_, v)| {
        v.drain(..2);
    });
    let mut s = section("ov-trend", lang.t("ov-trend"), lang.t("ov-trend-summary"), chart, lang, 10);
    s.table = trend_table;
    sections.push(s);
    Ok((total, sections))
}

fn count_text(s: Shown, lang: Lang, k: u64) -> String {
    match s {
        Shown::Count(n) => n.to_string(),
        Shown::Hidden => lang.t_args("dash-hidden", &[("k", k.to_string())]),
    }
}

/// The page's data: filters, then every section.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn overrides(filters: Filters) -> crate::error::AppResult<AnalysisView> {
    let (state, _) = staff(Role::can_view_statistics)?;
    let lang = crate::request::request_lang();
    let teams = state.db.stats_teams().await?;
    let k = state.config.min_cell;
    let query = query_string(&filters);
    let (view, error) = match parse_filters(&filters) {
        Ok(v) => (v, None),
        Err(e) => (StatsView::everyone(), Some(e)),
    };
    let (total, sections) =
        build_overrides(state.db.as_ref(), &state.disclosure, &view, k, lang, &teams).await?;
    Ok(AnalysisView {
        filters: Filters {
            from: view.range.from.clone().or(filters.from),
            until: view.range.until.clone().or(filters.until),
            ..filters
        },
        teams,
        periods: recent_quarters(OffsetDateTime::now_utc(), 5),
        k,
        total,
        sections,
        error: error.map(|e| e.field.to_owned()),
        error_message: error.map(|e| lang.t(e.message)),
        query,
        period_only: false,
        no_filters: false,
        method: Vec::new(),
    })
}
