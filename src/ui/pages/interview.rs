//! The caseworker's pages: start an interview, all questions on one page, the result with
//! the override, and the blank paper questionnaire.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::interview::{
    CaseworkerResult, FormItem, FormSection, InterviewView, load_interview, load_interview_result,
    load_interview_start, load_paper,
};
use crate::i18n::use_lang;
use crate::ui::components::choices::ChoiceList;
use crate::ui::components::error_summary::{ErrorSummary, FieldError, InlineError};
use crate::ui::components::layout::{Frame, Page};
use crate::ui::components::loaded::loaded;
use crate::ui::components::print_button::PrintButton;

#[component]
pub fn InterviewStart() -> impl IntoView {
    loaded(load_interview_start, |()| view! { <InterviewStartPage /> })
}

#[component]
fn InterviewStartPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Page title=lang.t("iv-start-title") frame=Frame::Staff>
            <h1>{lang.t("iv-start-title")}</h1>
            <p class="lead">{lang.t("iv-start-lead")}</p>
            <form method="post" action="/interview/start" novalidate>
                <button type="submit" class="button button-primary">{lang.t("iv-start-button")}</button>
            </form>
            <p class="resume-link"><a href="/paper">{lang.t("iv-paper-link")}</a></p>
        </Page>
    }
}

fn token_param() -> String {
    use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default()
}

#[component]
pub fn InterviewForm() -> impl IntoView {
    let token = token_param();
    let errors = use_query_map().read_untracked().get("errors");
    loaded(
        move || load_interview(token.clone(), errors.clone()),
        |v: InterviewView| view! { <InterviewPage v /> },
    )
}

#[component]
fn InterviewPage(v: InterviewView) -> impl IntoView {
    let lang = use_lang();
    let mut errors: Vec<FieldError> = v
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
    if let Some(m) = &v.note_error {
        errors.push(FieldError {
            target_id: "note".into(),
            message: m.clone(),
        });
    }
    let has_error = !errors.is_empty();
    let contents = v
        .sections
        .iter()
        .map(|s| view! { <li><a href=format!("#{}", s.anchor)>{s.heading.clone()}</a></li> })
        .collect_view();
    let sections = form_sections(v.sections);
    let note_error = v.note_error.clone();
    let note_has_error = note_error.is_some();
    let note_described = if note_error.is_some() {
        "note-hint note-error"
    } else {
        "note-hint"
    };
    view! {
        <Page title=lang.t("iv-title") has_error frame=Frame::Staff>
            <ErrorSummary errors />
            <h1>{lang.t("iv-title")}</h1>
            <nav class="anchor-links d-print-none" aria-labelledby="contents-heading">
                <h2 id="contents-heading" class="h-small">{lang.t("iv-contents")}</h2>
                <ul>
                    {contents}
                    <li><a href="#note-section">{lang.t("iv-note-heading")}</a></li>
                </ul>
            </nav>
            <form method="post" action=format!("/interview/{}/answers", v.token) novalidate class="interview-form">
                {sections}
                <section aria-labelledby="note-section">
                    <h2 id="note-section">{lang.t("iv-note-heading")}</h2>
                    <div class="form-group" class:form-group-error=note_has_error>
                        <label for="note" class="label">{lang.t("iv-note-label")}</label>
                        <p id="note-hint" class="hint">{lang.t("iv-note-hint")}</p>
                        {note_error.map(|m| view! { <InlineError id="note-error".to_owned() message=m /> })}
                        // Leptos writes textarea children raw: escaped here, so a note
                        // can never close the box and add markup.
                        <textarea id="note" name="note" class="input textarea" rows="4" aria-describedby=note_described>
                            {crate::html::escape(&v.note)}
                        </textarea>
                    </div>
                </section>
                <button type="submit" class="button button-primary">{lang.t("iv-submit")}</button>
            </form>
        </Page>
    }
}

/// The form's sections, each a headed group of its questions.
pub(crate) fn form_sections(sections: Vec<FormSection>) -> impl IntoView {
    sections
        .into_iter()
        .map(|s| {
            view! {
                <section aria-labelledby=format!("{}-heading", s.anchor)>
                    <h2 id=s.anchor.clone()><span id=format!("{}-heading", s.anchor)>{s.heading}</span></h2>
                    {s.items.into_iter().map(|i| view! { <ItemFieldset i /> }).collect_view()}
                </section>
            }
        })
        .collect_view()
}

/// One question as a fieldset with the same choices the person gets on their own.
#[component]
fn ItemFieldset(i: FormItem) -> impl IntoView {
    let hint_id = format!("{}-hint", i.id);
    let error_id = format!("{}-error", i.id);
    let described = if i.error.is_some() {
        format!("{hint_id} {error_id}")
    } else {
        hint_id.clone()
    };
    view! {
        <div class="form-group" class:form-group-error=i.error.is_some() id=format!("item-{}", i.id)>
            <fieldset aria-describedby=described>
                <legend class="legend-question">
                    <span class="item-number">{format!("{}. ", i.number)}</span>
                    {i.question.clone()}
                </legend>
                <p id=hint_id class="hint">{i.hint.clone()}</p>
                {i.error.clone().map(|m| view! { <InlineError id=error_id.clone() message=m /> })}
                <ChoiceList
                    choices=i.choices.clone()
                    selected=i.selected.clone()
                    multi=i.multi
                    name=i.id.clone()
                    id_prefix=i.id.clone()
                    class="radios-inline"
                />
            </fieldset>
        </div>
    }
}

#[component]
pub fn InterviewResult() -> impl IntoView {
    let token = token_param();
    let error = use_query_map().read_untracked().get("error");
    loaded(
        move || load_interview_result(token.clone(), error.clone()),
        |r: CaseworkerResult| view! { <ResultPage r /> },
    )
}

fn list_or_none(items: Vec<String>, none: String) -> impl IntoView {
    if items.is_empty() {
        view! { <p>{none}</p> }.into_any()
    } else {
        view! { <ul class="plain-list">{items.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}</ul> }.into_any()
    }
}

#[component]
fn ResultPage(r: CaseworkerResult) -> impl IntoView {
    let lang = use_lang();
    let field = r.error_field.clone().unwrap_or_default();
    let first_of =
        |list: &[(String, String)]| list.first().map(|c| c.0.clone()).unwrap_or_default();
    let mut errors: Vec<FieldError> = r
        .error
        .iter()
        .map(|m| FieldError {
            target_id: match field.as_str() {
                "reason" => "reason".to_owned(),
                "category" => format!("category-{}", first_of(&r.override_reasons)),
                _ => format!("channel-{}", first_of(&r.channels)),
            },
            message: m.clone(),
        })
        .collect();
    let first_step = r
        .steps
        .first()
        .map(|s| format!("plan-step-{}", s.code))
        .unwrap_or_default();
    errors.extend(r.plan_errors.iter().map(|(field, message)| FieldError {
        target_id: match field.as_str() {
            "plan-steps" => first_step.clone(),
            other => other.to_owned(),
        },
        message: message.clone(),
    }));
    let has_error = !errors.is_empty();
    let error_on = |name: &str| r.error.clone().filter(|_| field == name);
    let (reason_error, channel_error, category_error) = (
        error_on("reason"),
        error_on("channel"),
        error_on("category"),
    );
    let reason_has_error = reason_error.is_some();
    let channel_has_error = channel_error.is_some();
    let category_has_error = category_error.is_some();
    let reason_described = reason_error.as_ref().map(|_| "reason-error");
    let channel_described = channel_error.as_ref().map(|_| "channel-error");
    let category_described = category_error.as_ref().map(|_| "category-error");
    let category_radios = r
        .override_reasons
        .iter()
        .map(|(code, text)| {
            let id = format!("category-{code}");
            view! {
                <div class="radio">
                    <input type="radio" id=id.clone() name="category" value=code.clone() />
                    <label for=id>{text.clone()}</label>
                </div>
            }
        })
        .collect_view();
    let none = lang.t("cw-none");
    let score_rows = r
        .scores
        .iter()
        .map(|s| {
            let score = s
                .score
                .map(|n| n.to_string())
                .unwrap_or_else(|| lang.t("cw-unknown"));
            view! {
                <tr>
                    <th scope="row">{s.dimension.clone()}</th>
                    <td class="num">{score}</td>
                    <td class="num">{format!("{} %", s.coverage_percent)}</td>
                </tr>
            }
        })
        .collect_view();
    let channel_radios = r
        .channels
        .iter()
        .map(|(code, name)| {
            let id = format!("channel-{code}");
            view! {
                <div class="radio">
                    <input type="radio" id=id.clone() name="channel" value=code.clone() />
                    <label for=id>{name.clone()}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <Page title=lang.t("cw-result-title") has_error frame=Frame::Staff>
            <ErrorSummary errors />
            {r.case_id.map(|id| view! {
                <a class="back-link d-print-none" href=format!("/cases/{id}")>{lang.t("cw-back-to-case")}</a>
            })}
            <h1>{lang.t("cw-result-title")}</h1>
            <dl class="result-summary">
                <div><dt>{lang.t("cw-channel")}</dt><dd class="result-channel" data-channel=r.channel.as_str()>{r.channel_name.clone()}</dd></div>
                <div><dt>{lang.t("cw-rule")}</dt><dd data-rule=r.rule.to_string()>{r.rule_text.clone()}</dd></div>
                {r.chosen.clone().map(|(name, reason)| view! {
                    <div class="override-current"><dt>{lang.t("cw-override-current")}</dt><dd><strong>{name}</strong>" – "{reason}</dd></div>
                })}
            </dl>
            {r.provisional.then(|| view! { <p class="mark mark-provisional">{lang.t("cw-provisional")}</p> })}
            {r.borderline.then(|| view! { <p class="mark mark-borderline">{lang.t("cw-borderline")}</p> })}
            <h2>{lang.t("cw-scores")}</h2>
            <div class="table-wrap" role="region" tabindex="0" aria-label=lang.t("cw-scores")>
                <table class="table">
                    <thead><tr><th scope="col">{lang.t("cw-dimension")}</th><th scope="col" class="num">{lang.t("cw-score")}</th><th scope="col" class="num">{lang.t("cw-coverage")}</th></tr></thead>
                    <tbody>{score_rows}</tbody>
                </table>
            </div>
            <h2>{lang.t("cw-reasons")}</h2>
            {list_or_none(r.reasons.clone(), none.clone())}
            <h2>{lang.t("cw-flags")}</h2>
            {list_or_none(r.flags.clone(), none.clone())}
            <h2>{lang.t("cw-grounds")}</h2>
            {list_or_none(r.grounds.clone(), none.clone())}
            <p class="hint">{lang.t("cw-grounds-note")}</p>
            <h2>{lang.t("cw-next-steps")}</h2>
            <crate::ui::pages::help::StepList steps=r.steps.clone() />
            {r.note.clone().map(|n| view! { <h2>{lang.t("cw-note")}</h2><p class="note-text">{n}</p> })}
            <section aria-labelledby="override" class="card d-print-none">
                <h2 id="override">{lang.t("cw-override-title")}</h2>
                <p>{lang.t("cw-override-lead")}</p>
                <form method="post" action=format!("/interview/{}/override", r.token) novalidate>
                    <div class="form-group" class:form-group-error=channel_has_error>
                        <fieldset aria-describedby=channel_described>
                            <legend class="legend-question">{lang.t("cw-override-channel")}</legend>
                            {channel_error.map(|m| view! { <InlineError id="channel-error".to_owned() message=m /> })}
                            <div class="radios">{channel_radios}</div>
                        </fieldset>
                    </div>
                    <div class="form-group" class:form-group-error=category_has_error>
                        <fieldset aria-describedby=category_described>
                            <legend class="legend-question">{lang.t("cw-override-category")}</legend>
                            {category_error.map(|m| view! { <InlineError id="category-error".to_owned() message=m /> })}
                            <div class="radios">{category_radios}</div>
                        </fieldset>
                    </div>
                    <div class="form-group" class:form-group-error=reason_has_error>
                        <label for="reason" class="label">{lang.t("cw-override-reason")}</label>
                        {reason_error.map(|m| view! { <InlineError id="reason-error".to_owned() message=m /> })}
                        <textarea id="reason" name="reason" class="input textarea" rows="3" aria-describedby=reason_described></textarea>
                    </div>
                    <button type="submit" class="button button-primary">{lang.t("cw-override-save")}</button>
                </form>
            </section>
            <crate::ui::pages::plan::PlanForm r=r.clone() />
            <div class="button-row d-print-none">
                <a class="button button-secondary" href=format!("/interview/{}", r.token)>{lang.t("cw-edit-answers")}</a>
                <PrintButton label=lang.t("result-print") />
            </div>
            <p class="resume-link d-print-none"><a href="/interview">{lang.t("cw-new")}</a></p>
        </Page>
    }
}

#[component]
pub fn PaperQuestionnaire() -> impl IntoView {
    loaded(load_paper, |sections: Vec<FormSection>| {
        let lang = use_lang();
        let items = || sections.iter().flat_map(|s| s.items.iter());
        let multi = items().find(|i| i.multi).map(|i| i.number).unwrap_or(0);
        let skills: Vec<usize> = items()
            .filter(|i| i.id.starts_with('S') && i.id.as_str() < "S7")
            .map(|i| i.number)
            .collect();
        let skip_note = match (skills.first(), skills.last()) {
            (Some(from), Some(to)) => lang.t_args(
                "paper-skip",
                &[("from", from.to_string()), ("to", to.to_string())],
            ),
            _ => String::new(),
        };
        let lead = lang.t_args("paper-lead", &[("multi", multi.to_string())]);
        let body = sections
            .into_iter()
            .map(|s| {
                let items = s
                    .items
                    .into_iter()
                    .map(|i| {
                        let boxes = i
                            .choices
                            .into_iter()
                            .map(|c| view! { <li><span class="tick-box" aria-hidden="true"></span>{c.label}</li> })
                            .collect_view();
                        let note = (i.id == "U1").then(|| skip_note.clone());
                        view! {
                            <div class="paper-item">
                                <h3>{format!("{}. ", i.number)}{i.question}</h3>
                                <ul class="tick-list">{boxes}</ul>
                                {note.map(|n| view! { <p class="hint">{n}</p> })}
                            </div>
                        }
                    })
                    .collect_view();
                view! { <h2>{s.heading}</h2>{items} }
            })
            .collect_view();
        view! {
            <Page title=lang.t("paper-title")>
                <h1>{lang.t("paper-title")}</h1>
                <p class="lead">{lead}</p>
                <div class="d-print-none"><PrintButton label=lang.t("paper-print") /></div>
                {body}
            </Page>
        }
    })
}
