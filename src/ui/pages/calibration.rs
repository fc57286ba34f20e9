//! A caseworker's calibration: the rounds, one vignette at a time with the interview's
//! questions under its description, and the round's result beside the reference.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::calibration::{
    RoundResult, RoundStatus, VignetteView, load_calibration, load_round_result, load_vignette,
};
use crate::i18n::use_lang;
use crate::ui::components::error_summary::{ErrorSummary, FieldError};
use crate::ui::components::layout::{Frame, Page};
use crate::ui::components::loaded::loaded;
use crate::ui::pages::interview::form_sections;

fn param(name: &str) -> String {
    use_params_map()
        .read_untracked()
        .get(name)
        .unwrap_or_default()
}

#[component]
pub fn CalibrationHome() -> impl IntoView {
    loaded(
        load_calibration,
        |rounds: Vec<RoundStatus>| view! { <HomePage rounds /> },
    )
}

#[component]
fn HomePage(rounds: Vec<RoundStatus>) -> impl IntoView {
    let lang = use_lang();
    let items = rounds
        .into_iter()
        .map(|r| {
            let title = lang.t_args("cal-round", &[("round", r.round.to_string())]);
            let (status, link, label) = match (r.next, r.agreed) {
                (None, Some(agreed)) => (
                    lang.t_args(
                        "cal-round-done",
                        &[("agreed", agreed.to_string()), ("of", r.of.to_string())],
                    ),
                    format!("/calibration/{}/result", r.round),
                    lang.t("cal-see-result"),
                ),
                (Some(next), _) => (
                    lang.t_args(
                        "cal-round-progress",
                        &[("done", r.done.to_string()), ("of", r.of.to_string())],
                    ),
                    format!("/calibration/{}/vignette/{next}", r.round),
                    lang.t(if r.done == 0 {
                        "cal-start"
                    } else {
                        "cal-continue"
                    }),
                ),
                (None, None) => (String::new(), String::new(), String::new()),
            };
            view! {
                <li class="round" data-round=r.round>
                    <h2 class="h-small">{title}</h2>
                    <p>{status}</p>
                    <a class="button button-secondary" href=link>{label}</a>
                </li>
            }
        })
        .collect_view();
    view! {
        <Page title=lang.t("cal-title") frame=Frame::Staff>
            <h1>{lang.t("cal-title")}</h1>
            <p class="lead">{lang.t("cal-lead")}</p>
            <ul class="plain-list rounds">{items}</ul>
        </Page>
    }
}

#[component]
pub fn CalibrationVignette() -> impl IntoView {
    let round = param("round").parse::<u32>().unwrap_or(0);
    let number = param("number").parse::<usize>().unwrap_or(0);
    let errors = use_query_map().read_untracked().get("errors");
    loaded(
        move || load_vignette(round, number, errors.clone()),
        |v: VignetteView| view! { <VignettePage v /> },
    )
}

#[component]
fn VignettePage(v: VignetteView) -> impl IntoView {
    let lang = use_lang();
    let errors: Vec<FieldError> = v
        .sections
        .iter()
        .flat_map(|s| s.items.iter())
        .filter_map(|i| {
            let first = i.choices.first()?;
            Some(FieldError {
                target_id: format!("{}-{}", i.id, first.code),
                message: i.error.clone()?,
            })
        })
        .collect();
    let has_error = !errors.is_empty();
    let title = lang.t_args(
        "cal-vignette-title",
        &[
            ("number", v.number.to_string()),
            ("of", v.of.to_string()),
            ("round", v.round.to_string()),
        ],
    );
    let sections = form_sections(v.sections);
    view! {
        <Page title=title.clone() has_error frame=Frame::Staff>
            <a class="back-link" href="/calibration">{lang.t("cal-back")}</a>
            <ErrorSummary errors />
            <p class="hint">{title.clone()}</p>
            <h1>{v.name.clone()}</h1>
            <div class="vignette" data-vignette="">
                {v.paragraphs.into_iter().map(|p| view! { <p>{p}</p> }).collect_view()}
            </div>
            <p class="hint">{lang.t("cal-form-hint")}</p>
            <form method="post" action=format!("/calibration/{}/vignette/{}", v.round, v.number) novalidate class="interview-form">
                {sections}
                <button type="submit" class="button button-primary">
                    {lang.t(if v.number < v.of { "cal-next" } else { "cal-finish" })}
                </button>
            </form>
        </Page>
    }
}

#[component]
pub fn CalibrationResult() -> impl IntoView {
    let round = param("round").parse::<u32>().unwrap_or(0);
    loaded(
        move || load_round_result(round),
        |r: RoundResult| view! { <ResultPage r /> },
    )
}

#[component]
fn ResultPage(r: RoundResult) -> impl IntoView {
    let lang = use_lang();
    let title = lang.t_args("cal-result-title", &[("round", r.round.to_string())]);
    let body = match r.next {
        Some(next) => view! {
            <p>{lang.t("cal-result-unfinished")}</p>
            <a class="button button-primary" href=format!("/calibration/{}/vignette/{next}", r.round)>{lang.t("cal-continue")}</a>
        }
        .into_any(),
        None => {
            let rows = r
                .rows
                .into_iter()
                .map(|row| {
                    view! {
                        <tr data-same=row.same.to_string()>
                            <th scope="row">{row.name}</th>
                            <td>{row.yours.unwrap_or_default()}</td>
                            <td>{row.reference}</td>
                            <td>{lang.t(if row.same { "cal-same" } else { "cal-different" })}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <p class="lead" data-agreed=r.agreed>
                    {lang.t_args("cal-result-summary", &[("agreed", r.agreed.to_string()), ("of", r.of.to_string())])}
                </p>
                <div class="table-wrap" role="region" tabindex="0" aria-label=title.clone()>
                    <table class="table">
                        <caption>{title.clone()}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{lang.t("cal-vignette")}</th>
                                <th scope="col">{lang.t("cal-yours")}</th>
                                <th scope="col">{lang.t("cal-reference")}</th>
                                <th scope="col">{lang.t("cal-compared")}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                <p>{lang.t("cal-result-note")}</p>
            }
            .into_any()
        }
    };
    view! {
        <Page title=title.clone() frame=Frame::Staff>
            <a class="back-link" href="/calibration">{lang.t("cal-back")}</a>
            <h1>{title.clone()}</h1>
            {body}
        </Page>
    }
}
