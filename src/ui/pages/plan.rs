//! The personal plan: the printable page (`/self/plan`, `/interview/:token/plan`) and the
//! form on the interview's result page where the caseworker agrees it.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::help::{PlanView, load_interview_plan, load_self_plan};
use crate::api::interview::CaseworkerResult;
use crate::i18n::use_lang;
use crate::ui::components::error_summary::InlineError;
use crate::ui::components::layout::Page;
use crate::ui::components::loaded::loaded;
use crate::ui::components::print_button::PrintButton;
use crate::ui::pages::help::OfferCard;

#[component]
pub fn SelfPlan() -> impl IntoView {
    loaded(load_self_plan, |v: PlanView| view! { <PlanPage v /> })
}

#[component]
pub fn InterviewPlan() -> impl IntoView {
    let token = use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    loaded(
        move || load_interview_plan(token.clone()),
        |v: PlanView| view! { <PlanPage v /> },
    )
}

/// The most offers a step shows on the printed plan, so every plan fits one A4 page;
/// the result page shows them all.
pub const PLAN_OFFERS_PER_STEP: usize = 2;

/// The personal plan: one printable page in the person's language.
#[component]
fn PlanPage(v: PlanView) -> impl IntoView {
    let lang = use_lang();
    let steps = v
        .steps
        .iter()
        .map(|s| {
            let offers = s
                .offers
                .iter()
                .take(PLAN_OFFERS_PER_STEP)
                .map(|o| view! { <OfferCard offer=o.clone() compact=true /> })
                .collect_view();
            let due = s.due.clone().map(|d| {
                view! { <p class="step-due">{lang.t_args("plan-due", &[("date", d)])}</p> }
            });
            view! {
                <li class="plan-step" data-step=s.code.clone()>
                    <span class="tick-box" aria-hidden="true"></span>
                    <div>
                        <p class="step-text">{s.text.clone()}</p>
                        {due}
                        {offers}
                    </div>
                </li>
            }
        })
        .collect_view();
    let screening = v
        .next_screening
        .clone()
        .unwrap_or_else(|| lang.t("plan-no-screening"));
    view! {
        <Page title=lang.t("plan-title")>
            <div class="plan">
                <h1>{lang.t("plan-title")}</h1>
                <p class="lead result-channel">{v.channel_sentence.clone()}</p>
                <p class="reassurance"><strong>{v.you_decide.clone()}</strong></p>
                {v.agreed.clone().map(|a| view! { <p class="hint">{a}</p> })}
                <h2>{lang.t("plan-steps")}</h2>
                {if v.steps.is_empty() {
                    view! { <p>{lang.t("result-no-steps")}</p> }.into_any()
                } else {
                    view! { <ol class="plan-steps">{steps}</ol> }.into_any()
                }}
                {v.note.clone().map(|n| view! { <h2>{lang.t("plan-note")}</h2><p class="note-text">{n}</p> })}
                <dl class="result-meta plan-meta">
                    <div><dt>{lang.t("plan-next-screening")}</dt><dd>{screening}</dd></div>
                    {v.contact.clone().map(|c| view! { <div><dt>{lang.t("plan-contact")}</dt><dd>{c}</dd></div> })}
                    <div><dt>{lang.t("result-date")}</dt><dd><bdi>{v.date.clone()}</bdi></dd></div>
                </dl>
            </div>
            <div class="button-row d-print-none">
                <PrintButton label=lang.t("plan-print") />
                <a class="button button-secondary" href=v.back_href.clone()>{lang.t("back")}</a>
            </div>
        </Page>
    }
}

/// The plan the caseworker agrees with the person: which steps, by when, the next
/// screening and a note; each save is a new version, listed with the earlier ones.
#[component]
pub fn PlanForm(r: CaseworkerResult) -> impl IntoView {
    let lang = use_lang();
    let error_on = |field: &str| {
        r.plan_errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    };
    let steps_error = error_on("plan-steps");
    let next_error = error_on("plan-next");
    let note_error = error_on("plan-note");
    let agreed = use_query_map().read_untracked().get("agreed").is_some();
    let rows = r
        .steps
        .iter()
        .map(|s| {
            let id = format!("plan-step-{}", s.code);
            let due_id = format!("due-{}", s.code);
            view! {
                <div class="plan-row">
                    <div class="radio">
                        <input type="checkbox" id=id.clone() name="steps" value=s.code.clone() checked=s.agreed />
                        <label for=id>{s.text.clone()}</label>
                    </div>
                    <input type="hidden" name="due_for" value=s.code.clone() />
                    <div class="form-group plan-due">
                        <label class="label" for=due_id.clone()>
                            {lang.t("cw-plan-due-label")}
                            // Which step the date belongs to, for a screen reader that lists the fields.
                            <span class="visually-hidden">": " {s.text.clone()}</span>
                        </label>
                        <input class="input" type="date" id=due_id name="due" value=s.due_value.clone() />
                    </div>
                </div>
            }
        })
        .collect_view();
    let versions = (!r.plans.is_empty()).then(|| {
        view! {
            <h3>{lang.t("cw-plan-versions")}</h3>
            <ul class="plain-list">{r.plans.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ul>
        }
    });
    view! {
        <section id="plan" aria-labelledby="plan-title" class="card d-print-none">
            <h2 id="plan-title">{lang.t("cw-plan-agree-title")}</h2>
            {agreed.then(|| view! { <div class="alert alert-success" role="status"><p>{lang.t("cw-plan-saved")}</p></div> })}
            <p>{lang.t("cw-plan-agree-lead")}</p>
            {versions}
            {if r.steps.is_empty() {
                view! { <p>{lang.t("result-no-steps")}</p> }.into_any()
            } else {
                view! {
                    <form method="post" action=format!("/interview/{}/plan", r.token) novalidate>
                        <div class="form-group" class:form-group-error=steps_error.is_some()>
                            <fieldset>
                                <legend class="legend-question">{lang.t("cw-plan-which-steps")}</legend>
                                {steps_error.clone().map(|m| view! { <InlineError id="plan-steps-error".to_owned() message=m /> })}
                                {rows}
                            </fieldset>
                        </div>
                        <div class="form-group" class:form-group-error=next_error.is_some()>
                            <label class="label" for="plan-next">{lang.t("plan-next-screening")}</label>
                            {next_error.clone().map(|m| view! { <InlineError id="plan-next-error".to_owned() message=m /> })}
                            <input class="input" type="date" id="plan-next" name="next_screening" value=r.plan_next_screening.clone() />
                        </div>
                        <div class="form-group" class:form-group-error=note_error.is_some()>
                            <label class="label" for="plan-note">{lang.t("plan-note")}</label>
                            {note_error.clone().map(|m| view! { <InlineError id="plan-note-error".to_owned() message=m /> })}
                            <textarea id="plan-note" name="note" class="input textarea" rows="3">{r.plan_note.clone()}</textarea>
                        </div>
                        <button type="submit" class="button button-primary">{lang.t("cw-plan-save")}</button>
                    </form>
                }.into_any()
            }}
            <p><a class="button button-secondary" href=format!("/interview/{}/plan", r.token)>{lang.t("cw-plan-open-caseworker")}</a></p>
        </section>
    }
}
