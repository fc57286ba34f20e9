//! The self-assessment pages: the resume code, one question per page, check answers,
//! the result in plain words, and continuing with a code.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::self_assessment::{
    CheckGroup, CodeView, QuestionView, ResultView, load_self_check, load_self_code,
    load_self_question, load_self_result,
};
use crate::i18n::use_lang;
use crate::ui::components::choices::ChoiceList;
use crate::ui::components::error_summary::{ErrorSummary, FieldError, InlineError};
use crate::ui::components::layout::Page;
use crate::ui::components::loaded::loaded;
use crate::ui::components::print_button::PrintButton;
use crate::ui::components::read_aloud::ReadAloudButton;

#[component]
pub fn SelfCode() -> impl IntoView {
    loaded(load_self_code, |v: CodeView| {
        let lang = use_lang();
        view! {
            <Page title=lang.t("code-title")>
                <h1>{lang.t("code-title")}</h1>
                <p class="resume-code">
                    <bdi>{v.code.clone()}</bdi>
                </p>
                <p class="lead">{lang.t("code-body")}</p>
                <a class="button button-primary" href=v.next_href>{lang.t("code-continue")}</a>
            </Page>
        }
    })
}

#[component]
pub fn SelfQuestion() -> impl IntoView {
    let item = use_params_map()
        .read_untracked()
        .get("item")
        .unwrap_or_default();
    let query = use_query_map().read_untracked().clone();
    let error = query.get("error");
    let from_check = query.get("from").as_deref() == Some("check");
    loaded(
        move || load_self_question(item.clone(), error.clone(), from_check),
        |v: QuestionView| {
            view! { <QuestionForm v /> }
        },
    )
}

#[component]
fn QuestionForm(v: QuestionView) -> impl IntoView {
    let lang = use_lang();
    let first_id = v
        .choices
        .first()
        .map(|c| format!("answer-{}", c.code))
        .unwrap_or_default();
    let errors: Vec<FieldError> = v
        .error
        .iter()
        .map(|m| FieldError {
            target_id: first_id.clone(),
            message: m.clone(),
        })
        .collect();
    let has_error = v.error.is_some();
    let described_by = if has_error {
        "q-hint q-error"
    } else {
        "q-hint"
    };
    let progress = match v.total {
        Some(total) => lang.t_args(
            "progress",
            &[
                ("current", v.position.to_string()),
                ("total", total.to_string()),
            ],
        ),
        None => lang.t_args(
            "progress-first",
            &[
                ("current", v.position.to_string()),
                ("total", v.most.to_string()),
            ],
        ),
    };
    view! {
        <Page title=v.question.clone() has_error>
            <a class="back-link d-print-none" href=v.back_href.clone()>{lang.t("back")}</a>
            <ErrorSummary errors />
            <p class="progress">{progress}</p>
            // The text above says the same; the bar is for the eye only.
            {v.total.map(|total| view! {
                <progress class="progress-bar" max=total.to_string() value=v.position.to_string() aria-hidden="true"></progress>
            })}
            <form method="post" action="/self/answer" novalidate>
                <input type="hidden" name="item" value=v.item.clone() />
                {v.from_check.then(|| view! { <input type="hidden" name="from" value="check" /> })}
                <div class="form-group" class:form-group-error=has_error>
                    <fieldset id="question" aria-describedby=described_by>
                        <legend>
                            <h1>{v.question.clone()}</h1>
                        </legend>
                        <p id="q-hint" class="hint">{v.hint.clone()}</p>
                        <details class="explain">
                            <summary>{lang.t("explain-summary")}</summary>
                            <p>{v.explain.clone()}</p>
                        </details>
                        {v.error.clone().map(|m| view! { <InlineError id="q-error".to_owned() message=m /> })}
                        <ChoiceList
                            choices=v.choices.clone()
                            selected=v.selected.clone()
                            multi=v.multi
                            name="answer".to_owned()
                            id_prefix="answer".to_owned()
                        />
                    </fieldset>
                </div>
                <ReadAloudButton target="question" />
                <div>
                    <button type="submit" class="button button-primary">{lang.t("next")}</button>
                </div>
            </form>
        </Page>
    }
}

#[component]
pub fn SelfCheck() -> impl IntoView {
    loaded(load_self_check, |groups: Vec<CheckGroup>| {
        let lang = use_lang();
        let sections = groups
            .into_iter()
            .map(|g| {
                let rows = g
                    .rows
                    .into_iter()
                    .map(|r| {
                        let hidden =
                            lang.t_args("check-change-hidden", &[("question", r.question.clone())]);
                        let answer = r.answer.unwrap_or_else(|| lang.t("check-not-answered"));
                        view! {
                            <div class="summary-row">
                                <dt>{r.question}</dt>
                                <dd>{answer}</dd>
                                <dd class="summary-action d-print-none">
                                    <a href=format!("/self/q/{}?from=check", r.item)>
                                        {lang.t("check-change")}
                                        <span class="visually-hidden">" " {hidden}</span>
                                    </a>
                                </dd>
                            </div>
                        }
                    })
                    .collect_view();
                view! {
                    <h2>{g.heading}</h2>
                    <dl class="summary-list">{rows}</dl>
                }
            })
            .collect_view();
        view! {
            <Page title=lang.t("check-title")>
                <h1>{lang.t("check-title")}</h1>
                <p class="lead">{lang.t("check-lead")}</p>
                {sections}
                <form method="post" action="/self/finish" novalidate>
                    <button type="submit" class="button button-primary">{lang.t("check-send")}</button>
                </form>
            </Page>
        }
    })
}

#[component]
pub fn SelfResult() -> impl IntoView {
    loaded(load_self_result, |v: ResultView| {
        let lang = use_lang();
        view! {
            <Page title=lang.t("result-title")>
                <div class="alert alert-success" role="status">
                    <p>{lang.t("result-sent")}</p>
                </div>
                <div id="result-text">
                    <h1>{lang.t("result-title")}</h1>
                    <p class="result-channel lead" data-channel=v.channel.clone()>{v.channel_sentence.clone()}</p>
                    {(!v.reasons.is_empty()).then(|| view! {
                        <h2>{lang.t("result-why")}</h2>
                        <ul class="plain-list">
                            {v.reasons.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}
                        </ul>
                    })}
                    <h2>{lang.t("result-next")}</h2>
                    <crate::ui::pages::help::StepList steps=v.steps.clone() />
                    <p class="reassurance">{v.you_decide.clone()}</p>
                </div>
                <dl class="result-meta">
                    <div><dt>{lang.t("result-code")}</dt><dd><bdi>{v.code.clone()}</bdi></dd></div>
                    <div><dt>{lang.t("result-date")}</dt><dd><bdi>{v.date.clone()}</bdi></dd></div>
                </dl>
                <p class="d-print-none"><a class="button button-primary" href="/self/plan">{lang.t("plan-open")}</a></p>
                <div class="button-row">
                    <ReadAloudButton target="result-text" />
                    <PrintButton label=lang.t("result-print") />
                </div>
            </Page>
        }
    })
}

/// The resume code from another device: the answers so far continue here.
#[component]
pub fn SelfResume() -> impl IntoView {
    view! { <CodeForm code=Code::Resume /> }
}

/// Which code a code form takes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// The invite code from the job centre (the self-assessment joins the case).
    Invite,
    /// The resume code of an unfinished self-assessment.
    Resume,
}

impl Code {
    /// Where the form posts, and its texts: title, hint, button, empty, unknown.
    fn parts(self) -> (&'static str, [&'static str; 5]) {
        match self {
            Code::Invite => (
                "/self/invite",
                [
                    "invite-title",
                    "invite-hint",
                    "invite-button",
                    "error-invite-empty",
                    "error-invite-unknown",
                ],
            ),
            Code::Resume => (
                "/self/resume",
                [
                    "resume-title",
                    "resume-hint",
                    "resume-button",
                    "error-code-empty",
                    "error-code-unknown",
                ],
            ),
        }
    }
}

/// One code to type (a resume code, or the job centre's invite code), as a page whose
/// h1 is the field's label.
#[component]
pub fn CodeForm(code: Code) -> impl IntoView {
    let lang = use_lang();
    let (action, keys) = code.parts();
    let [title, hint, button, empty, unknown] = keys.map(|k| lang.t(k));
    let error = use_query_map().read_untracked().get("error");
    let message = error.as_deref().map(|e| match e {
        "empty" => empty.clone(),
        _ => unknown.clone(),
    });
    let has_error = message.is_some();
    let errors: Vec<FieldError> = message
        .iter()
        .map(|m| FieldError {
            target_id: "code".into(),
            message: m.clone(),
        })
        .collect();
    let described_by = if has_error {
        "code-hint code-error"
    } else {
        "code-hint"
    };
    view! {
        <Page title=title.clone() has_error>
            <a class="back-link d-print-none" href="/self/intro">{lang.t("back")}</a>
            <ErrorSummary errors />
            <form method="post" action=action novalidate>
                <div class="form-group" class:form-group-error=has_error>
                    <h1><label for="code">{title}</label></h1>
                    <p id="code-hint" class="hint">{hint}</p>
                    {message.clone().map(|m| view! { <InlineError id="code-error".to_owned() message=m /> })}
                    <input
                        class="input input-code"
                        id="code"
                        name="code"
                        type="text"
                        autocomplete="off"
                        autocapitalize="characters"
                        spellcheck="false"
                        aria-describedby=described_by
                    />
                </div>
                <button type="submit" class="button button-primary">{button}</button>
            </form>
        </Page>
    }
}
