//! Management views beside the dashboard: the override analysis. Filters as a GET form (a
//! view can be bookmarked), then each chart with its conclusion as caption, followed by
//! the same numbers as a table, and the whole as CSV.

use leptos::prelude::*;

use crate::api::stats::{
    AnalysisView, load_agreement, load_calibration_stats, load_fairness, load_overrides,
};
use crate::i18n::use_lang;
use crate::ui::components::error_summary::ErrorSummary;
use crate::ui::components::layout::{Frame, Page};
use crate::ui::components::loaded::loaded;
use crate::ui::pages::dashboard::{
    StatSection, cell_text, filter_errors_and_quarters, filter_selects, filters_in_address,
    period_selects,
};

#[component]
pub fn Overrides() -> impl IntoView {
    let f = filters_in_address();
    loaded(
        move || {
            let f = f.clone();
            load_overrides(f.team, f.band, f.mode, f.language, f.from, f.until)
        },
        |v: AnalysisView| {
            view! {
                <AnalysisPage v path="/dashboard/overrides" title_key="ov-title" lead_key="ov-lead" />
            }
        },
    )
}

#[component]
pub fn Fairness() -> impl IntoView {
    let f = filters_in_address();
    loaded(
        move || load_fairness(f.from.clone(), f.until.clone()),
        |v: AnalysisView| {
            view! {
                <AnalysisPage v path="/dashboard/fairness" title_key="fair-title" lead_key="fair-lead" />
            }
        },
    )
}

#[component]
pub fn Agreement() -> impl IntoView {
    let f = filters_in_address();
    loaded(
        move || load_agreement(f.from.clone(), f.until.clone()),
        |v: AnalysisView| {
            view! {
                <AnalysisPage v path="/dashboard/agreement" title_key="agree-title" lead_key="agree-lead" total_key="agree-total" />
            }
        },
    )
}

#[component]
pub fn CalibrationStats() -> impl IntoView {
    loaded(load_calibration_stats, |v: AnalysisView| {
        view! {
            <AnalysisPage v path="/dashboard/calibration" title_key="cal-stats-title" lead_key="cal-stats-lead" total_key="cal-total" />
        }
    })
}

#[component]
fn AnalysisPage(
    v: AnalysisView,
    path: &'static str,
    title_key: &'static str,
    lead_key: &'static str,
    #[prop(default = "dash-total")] total_key: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    let k = v.k;
    let (errors, quarters) =
        filter_errors_and_quarters(lang, &v.error, &v.error_message, &v.periods);
    let has_error = !errors.is_empty();
    let f = v.filters.clone();
    let export = if v.query.is_empty() {
        format!("{path}.csv")
    } else {
        format!("{path}.csv?{}", v.query)
    };
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
        <Page title=lang.t(title_key) has_error frame=Frame::StaffWide>
            <a class="back-link d-print-none" href="/dashboard">{lang.t("items-back")}</a>
            <ErrorSummary errors />
            <h1>{lang.t(title_key)}</h1>
            <p class="lead">{lang.t_args(lead_key, &[("k", k.to_string())])}</p>
            {(!v.no_filters).then(|| view! {
                <form method="get" action=path class="filter-form" role="search" aria-label=lang.t("dash-filters")>
                    {if v.period_only {
                        period_selects(lang, f.clone(), quarters.clone()).into_any()
                    } else {
                        view! {
                            {filter_selects(lang, v.teams.clone(), f.clone(), quarters.clone())}
                            <p class="hint filter-hint">{lang.t("ov-filter-hint")}</p>
                        }
                            .into_any()
                    }}
                    <button type="submit" class="button button-secondary">{lang.t("cases-filter")}</button>
                </form>
            })}
            <p role="status" data-total="">
                {lang.t_args(total_key, &[("count", cell_text(lang, v.total, k))])}
            </p>
            <ul class="link-list">
                <li><a href=export download="">{lang.t("dash-export")}</a></li>
            </ul>
            <nav class="anchor-links" aria-labelledby="dash-contents">
                <h2 id="dash-contents" class="h-small">{lang.t("iv-contents")}</h2>
                <ul>{contents}</ul>
            </nav>
            {sections}
            {(!v.method.is_empty()).then(|| view! {
                <section aria-labelledby="method-heading" class="stat-section">
                    <h2 id="method-heading">{lang.t("fair-method")}</h2>
                    {v.method.iter().map(|p| view! { <p>{p.clone()}</p> }).collect_view()}
                </section>
            })}
        </Page>
    }
}
