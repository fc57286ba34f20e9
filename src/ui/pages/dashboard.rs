//! The manager dashboard: filters as a GET form (so a view can be bookmarked), then each
//! chart in a figure with its conclusion as caption, followed by the same numbers as a
//! table. Hidden counts are marked in words, never by colour alone.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::stats::{DashboardView, Section, Shown, load_dashboard};
use crate::domain::case::AgeBand;
use crate::i18n::Lang;
use crate::i18n::use_lang;
use crate::ui::components::error_summary::{ErrorSummary, FieldError};
use crate::ui::components::layout::{Frame, Page};
use crate::ui::components::loaded::loaded;
use crate::ui::pages::cases::age_band_label;

/// The statistics filters in the address, as both statistics pages read them.
pub(crate) fn filters_in_address() -> crate::api::stats::Filters {
    let q = |name: &str| use_query_map().read_untracked().get(name);
    crate::api::stats::Filters {
        team: q("team"),
        band: q("band"),
        mode: q("mode"),
        language: q("language"),
        from: q("from"),
        until: q("until"),
    }
}

#[component]
pub fn Dashboard() -> impl IntoView {
    let f = filters_in_address();
    let rows_error = use_query_map().read_untracked().get("rows_error");
    loaded(
        move || {
            let (f, e) = (f.clone(), rows_error.clone());
            load_dashboard(f.team, f.band, f.mode, f.language, f.from, f.until, e)
        },
        |v: DashboardView| view! { <DashboardPage v /> },
    )
}

/// `2026-Q3` in words.
pub(crate) fn quarter_label(lang: Lang, quarter: &str) -> String {
    match quarter.split_once("-Q") {
        Some((year, q)) => lang.t_args(
            "dash-quarter",
            &[("year", year.to_owned()), ("quarter", q.to_owned())],
        ),
        None => quarter.to_owned(),
    }
}

pub(crate) fn cell_text(lang: Lang, s: Shown, k: u64) -> String {
    match s {
        Shown::Count(n) => n.to_string(),
        Shown::Hidden => lang.t_args("dash-hidden", &[("k", k.to_string())]),
    }
}

/// A select for one filter; `options` are (value, label) and the first entry means "all".
pub(crate) fn select(
    id: &'static str,
    label: String,
    all: String,
    options: Vec<(String, String)>,
    current: Option<String>,
) -> impl IntoView {
    let current = current.unwrap_or_default();
    view! {
        <div class="form-group">
            <label class="label" for=id>{label}</label>
            <select class="input" id=id name=id>
                <option value="" selected=current.is_empty()>{all}</option>
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        let selected = value == current;
                        view! { <option value=value selected=selected>{text}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// The statistics filters' selects: team, age band, mode, language and the period.
pub(crate) fn filter_selects(
    lang: Lang,
    teams: Vec<(i64, String)>,
    f: crate::api::stats::Filters,
    quarters: Vec<(String, String)>,
) -> impl IntoView {
    let teams = teams
        .iter()
        .map(|(id, name)| (id.to_string(), name.clone()))
        .collect();
    let bands = AgeBand::ALL
        .iter()
        .map(|b| (b.as_str().to_owned(), age_band_label(lang, b.as_str())))
        .collect();
    let modes = crate::domain::Mode::ALL
        .iter()
        .map(|m| {
            let label = match m {
                crate::domain::Mode::SelfAssessment => "case-mode-self",
                crate::domain::Mode::Interview => "case-mode-interview",
            };
            (m.as_str().to_owned(), lang.t(label))
        })
        .collect();
    let languages = Lang::ALL
        .iter()
        .map(|l| (l.code().to_owned(), l.native_name().to_owned()))
        .collect();
    view! {
        {select("team", lang.t("case-team"), lang.t("dash-all"), teams, f.team.clone())}
        {select("band", lang.t("case-age"), lang.t("dash-all"), bands, f.band.clone())}
        {select("mode", lang.t("case-mode"), lang.t("dash-all"), modes, f.mode.clone())}
        {select("language", lang.t("dash-language"), lang.t("dash-all"), languages, f.language.clone())}
        {period_selects(lang, f, quarters)}
    }
}

/// A statistics page's filter error (field and message) for the error summary, and its
/// quarters in words for the period selects.
pub(crate) fn filter_errors_and_quarters(
    lang: Lang,
    error: &Option<String>,
    message: &Option<String>,
    periods: &[String],
) -> (Vec<FieldError>, Vec<(String, String)>) {
    let errors = error
        .iter()
        .map(|field| FieldError {
            target_id: field.clone(),
            message: message
                .clone()
                .unwrap_or_else(|| lang.t("error-dash-filter")),
        })
        .collect();
    let quarters = periods
        .iter()
        .map(|q| (q.clone(), quarter_label(lang, q)))
        .collect();
    (errors, quarters)
}

/// The period selects alone, for views that compare groups themselves.
pub(crate) fn period_selects(
    lang: Lang,
    f: crate::api::stats::Filters,
    quarters: Vec<(String, String)>,
) -> impl IntoView {
    view! {
        {select("from", lang.t("dash-from"), lang.t("dash-any-quarter"), quarters.clone(), f.from.clone())}
        {select("until", lang.t("dash-until"), lang.t("dash-any-quarter"), quarters, f.until.clone())}
    }
}

#[component]
fn DashboardPage(v: DashboardView) -> impl IntoView {
    let lang = use_lang();
    let k = v.k;
    let (errors, quarters) =
        filter_errors_and_quarters(lang, &v.error, &v.error_message, &v.periods);
    let errors: Vec<FieldError> = errors
        .into_iter()
        .chain(v.rows_error.iter().map(|(id, message)| FieldError {
            target_id: id.clone(),
            message: message.clone(),
        }))
        .collect();
    let has_error = !errors.is_empty();
    let rows_section = v.may_export_rows.then(|| {
        let purpose_error = v
            .rows_error
            .as_ref()
            .filter(|(id, _)| id == "rows-purpose")
            .map(|(_, m)| m.clone());
        let year_error = v
            .rows_error
            .as_ref()
            .filter(|(id, _)| id == "rows-year")
            .map(|(_, m)| m.clone());
        let (year_invalid, purpose_invalid) = (year_error.is_some(), purpose_error.is_some());
        let years: Vec<(String, String)> = v
            .years
            .iter()
            .map(|y| (y.to_string(), y.to_string()))
            .collect();
        view! {
            <section aria-labelledby="rows" class="stat-section">
                <h2 id="rows">{lang.t("dash-rows-heading")}</h2>
                <p>{lang.t_args("dash-rows-text", &[("k", k.to_string())])}</p>
                <form method="post" action="/dashboard/rows.csv" novalidate>
                    <div class="form-group" class:form-group-error=year_invalid>
                        {year_error.map(|m| view! { <p class="error-message" id="rows-year-error">{m}</p> })}
                        <label class="label" for="rows-year">{lang.t("dash-rows-year")}</label>
                        <select class="input" id="rows-year" name="year">
                            <option value="" selected=true>{lang.t("dash-rows-all-years")}</option>
                            {years
                                .into_iter()
                                .map(|(value, text): (String, String)| view! { <option value=value>{text}</option> })
                                .collect_view()}
                        </select>
                    </div>
                    <div class="form-group" class:form-group-error=purpose_invalid>
                        <label class="label" for="rows-purpose">{lang.t("dash-rows-purpose")}</label>
                        {purpose_error.map(|m| view! { <p class="error-message" id="rows-purpose-error">{m}</p> })}
                        <textarea class="input input-wide" id="rows-purpose" name="purpose" rows="3" maxlength="500"></textarea>
                    </div>
                    <button type="submit" class="button button-secondary">{lang.t("dash-rows-button")}</button>
                </form>
            </section>
        }
    });
    let f = v.filters.clone();
    let with_query = |path: &str| {
        if v.query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", v.query)
        }
    };
    let export = with_query("/dashboard/export.csv");
    let items = with_query("/dashboard/items");
    let overrides = with_query("/dashboard/overrides");
    let contents = v
        .sections
        .iter()
        .map(|s| view! { <li><a href=format!("#{}", s.id)>{s.title.clone()}</a></li> })
        .collect_view();
    let sections = v
        .sections
        .into_iter()
        .map(|s| view! { <StatSection s lang k /> })
        .collect_view();
    view! {
        <Page title=lang.t("dash-title") has_error frame=Frame::StaffWide>
            <ErrorSummary errors />
            <h1>{lang.t("dash-title")}</h1>
            <p class="lead">{lang.t_args("dash-lead", &[("k", k.to_string())])}</p>
            <form method="get" action="/dashboard" class="filter-form" role="search" aria-label=lang.t("dash-filters")>
                {filter_selects(lang, v.teams.clone(), f.clone(), quarters)}
                <p class="hint filter-hint">{lang.t("dash-one-filter-hint")}</p>
                <button type="submit" class="button button-secondary">{lang.t("cases-filter")}</button>
            </form>
            <p role="status" data-total="">
                {lang.t_args("dash-total", &[("count", cell_text(lang, v.total, k))])}
            </p>
            <ul class="link-list">
                <li><a href=export download="">{lang.t("dash-export")}</a></li>
                <li><a href=items>{lang.t("items-link")}</a></li>
                <li><a href=overrides>{lang.t("ov-link")}</a></li>
                <li><a href="/dashboard/fairness">{lang.t("fair-link")}</a></li>
                <li><a href="/dashboard/agreement">{lang.t("agree-link")}</a></li>
                <li><a href="/dashboard/calibration">{lang.t("cal-stats-link")}</a></li>
            </ul>
            <nav class="anchor-links" aria-labelledby="dash-contents">
                <h2 id="dash-contents" class="h-small">{lang.t("iv-contents")}</h2>
                <ul>{contents}</ul>
            </nav>
            {sections}
            {rows_section}
        </Page>
    }
}

#[component]
pub(crate) fn StatSection(s: Section, lang: Lang, k: u64) -> impl IntoView {
    let chart = match (s.svg, s.chart_error) {
        (Some(svg), _) => view! { <div class="chart" inner_html=svg></div> }.into_any(),
        (None, Some(_)) => view! { <p class="mark">{lang.t("dash-chart-error")}</p> }.into_any(),
        (None, None) => view! { <p>{lang.t("dash-no-data")}</p> }.into_any(),
    };
    // A table of texts (shares with intervals) stands in for the counts when there is one.
    let hidden = cell_text(lang, Shown::Hidden, k);
    let (columns, rows): (Vec<String>, Vec<(String, Vec<(String, bool)>)>) = match s.text {
        Some(t) => (
            t.columns,
            t.rows
                .into_iter()
                .map(|(label, v)| {
                    let cells = v
                        .into_iter()
                        .map(|c| {
                            let h = c == hidden;
                            (c, h)
                        })
                        .collect();
                    (label, cells)
                })
                .collect(),
        ),
        None => (
            s.table.columns,
            s.table
                .rows
                .into_iter()
                .map(|(label, v)| {
                    let cells = v
                        .into_iter()
                        .map(|c| (cell_text(lang, c, k), matches!(c, Shown::Hidden)))
                        .collect();
                    (label, cells)
                })
                .collect(),
        ),
    };
    let head = columns
        .iter()
        .map(|c| view! { <th scope="col" class="num">{c.clone()}</th> })
        .collect_view();
    let rows = rows
        .into_iter()
        .map(|(label, values)| {
            view! {
                <tr>
                    <th scope="row">{label}</th>
                    {values
                        .into_iter()
                        .map(|(text, hidden)| view! { <td class="num" data-hidden=hidden.then_some("")>{text}</td> })
                        .collect_view()}
                </tr>
            }
        })
        .collect_view();
    let notes = (!s.notes.is_empty()).then(|| {
        view! {
            <div class="mark" data-notes="">
                {s.notes.iter().map(|n| view! { <p>{n.clone()}</p> }).collect_view()}
            </div>
        }
    });
    let region = s.title.clone();
    view! {
        <section aria-labelledby=format!("{}-heading", s.id) class="stat-section">
            <h2 id=s.id.clone()><span id=format!("{}-heading", s.id)>{s.title.clone()}</span></h2>
            {notes}
            <figure>
                {chart}
                <figcaption>{s.summary.clone()} " " {s.source.clone().unwrap_or_else(|| lang.t("dash-source"))}</figcaption>
            </figure>
            <div class="table-wrap" role="region" tabindex="0" aria-label=region>
                <table class="table" data-table=s.id.clone()>
                    <caption>{s.title}</caption>
                    <thead><tr><th scope="col">{lang.t("dash-category")}</th>{head}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
pub fn ItemAnalysis() -> impl IntoView {
    let f = filters_in_address();
    loaded(
        move || {
            let f = f.clone();
            crate::api::stats::load_items(f.team, f.band, f.mode, f.language, f.from, f.until)
        },
        |v: crate::api::stats::ItemsView| view! { <ItemsPage v /> },
    )
}

/// Per item: how it was answered; per dimension: Cronbach's alpha, explained in words.
#[component]
fn ItemsPage(v: crate::api::stats::ItemsView) -> impl IntoView {
    let lang = use_lang();
    let k = v.k;
    let percent = |p: Option<u64>| {
        p.map(|p| format!("{p} %"))
            .unwrap_or_else(|| lang.t_args("dash-hidden", &[("k", k.to_string())]))
    };
    let alphas = v
        .alphas
        .iter()
        .map(|a| {
            view! {
                <tr>
                    <th scope="row">{a.dimension.clone()}</th>
                    <td class="num">{a.items}</td>
                    <td class="num">{cell_text(lang, a.complete, k)}</td>
                    <td class="num" data-alpha="">{a.alpha.clone().unwrap_or_else(|| lang.t("items-alpha-none"))}</td>
                </tr>
            }
        })
        .collect_view();
    let items = v
        .items
        .into_iter()
        .map(|i| {
            let counts = i
                .counts
                .into_iter()
                .map(|(label, n)| view! { <tr><th scope="row">{label}</th><td class="num">{cell_text(lang, n, k)}</td></tr> })
                .collect_view();
            view! {
                <section class="stat-section" aria-labelledby=format!("item-{}", i.item)>
                    <h3 id=format!("item-{}", i.item)>{format!("{}: {}", i.item, i.question)}</h3>
                    <p>
                        {lang.t_args("items-summary", &[
                            ("asked", cell_text(lang, i.asked, k)),
                            ("answered", percent(i.answered_percent)),
                            ("dont", percent(i.dont_understand_percent)),
                            ("missing", percent(i.missing_percent)),
                        ])}
                    </p>
                    <div class="table-wrap" role="region" tabindex="0" aria-label=i.item.clone()>
                        <table class="table" data-item=i.item.clone()>
                            <caption class="visually-hidden">{i.item.clone()}</caption>
                            <thead><tr><th scope="col">{lang.t("items-answer")}</th><th scope="col" class="num">{lang.t("dash-people")}</th></tr></thead>
                            <tbody>{counts}</tbody>
                        </table>
                    </div>
                </section>
            }
        })
        .collect_view();
    view! {
        <Page title=lang.t("items-title") has_error=v.error.is_some() frame=Frame::StaffWide>
            <a class="back-link d-print-none" href="/dashboard">{lang.t("items-back")}</a>
            <h1>{lang.t("items-title")}</h1>
            <p class="lead">{lang.t_args("items-lead", &[("k", k.to_string())])}</p>
            <h2>{lang.t("items-alpha-heading")}</h2>
            <p>{lang.t("items-alpha-explain")}</p>
            <div class="table-wrap" role="region" tabindex="0" aria-label=lang.t("items-alpha-heading")>
                <table class="table" data-table="alpha">
                    <caption class="visually-hidden">{lang.t("items-alpha-heading")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{lang.t("dash-category")}</th>
                            <th scope="col" class="num">{lang.t("items-count")}</th>
                            <th scope="col" class="num">{lang.t("items-complete")}</th>
                            <th scope="col" class="num">{lang.t("items-alpha")}</th>
                        </tr>
                    </thead>
                    <tbody>{alphas}</tbody>
                </table>
            </div>
            <h2>{lang.t("items-per-item")}</h2>
            <p>{lang.t("items-per-item-explain")}</p>
            {items}
        </Page>
    }
}
