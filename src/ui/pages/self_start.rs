//! The recipient's way in: choose a language first (Danish is preselected nowhere; the
//! person picks), then a short page on what will happen.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

use crate::api::language::ChooseLanguage;
use crate::i18n::Lang;
use crate::i18n::use_lang;
use crate::ui::components::{
    error_summary::{ErrorSummary, FieldError, InlineError},
    layout::Page,
};
use crate::ui::pages::self_flow::{Code, CodeForm};

#[component]
pub fn SelfStart() -> impl IntoView {
    let lang = use_lang();
    let missing =
        use_query_map().read_untracked().get("error").as_deref() == Some("choose_language");
    let first_radio = format!("lang-{}", Lang::ALL[0].code());
    let errors = if missing {
        vec![FieldError {
            target_id: first_radio,
            message: lang.t("error-choose-language"),
        }]
    } else {
        Vec::new()
    };
    let described_by = if missing {
        "lang-hint lang-error"
    } else {
        "lang-hint"
    };
    view! {
        <Page title=lang.t("self-title") has_error=missing>
            <a class="back-link d-print-none" href="/">{lang.t("back")}</a>
            <ErrorSummary errors />
            <form method="post" action=ChooseLanguage::PATH novalidate>
                <div class="form-group" class:form-group-error=missing>
                    <fieldset aria-describedby=described_by>
                        <legend>
                            <h1>{lang.t("self-title")}</h1>
                        </legend>
                        <p id="lang-hint" class="hint">{lang.t("self-hint")}</p>
                        {missing.then(|| view! {
                            <InlineError id="lang-error".to_owned() message=lang.t("error-choose-language") />
                        })}
                        <div class="radios">
                            {Lang::ALL
                                .into_iter()
                                .map(|l| {
                                    let id = format!("lang-{}", l.code());
                                    view! {
                                        <div class="radio">
                                            <input type="radio" id=id.clone() name="lang" value=l.code() />
                                            <label for=id lang=l.code()>{l.native_name()}</label>
                                        </div>
                                    }
                                })
                                .collect_view()}
                        </div>
                    </fieldset>
                </div>
                <button type="submit" class="button button-primary">{lang.t("self-continue")}</button>
            </form>
        </Page>
    }
}

#[component]
pub fn SelfIntro() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Page title=lang.t("intro-title")>
            <a class="back-link d-print-none" href="/self">{lang.t("back")}</a>
            <h1>{lang.t("intro-title")}</h1>
            <p class="lead">{lang.t("intro-body")}</p>
            <p class="reassurance">{lang.t("home-paper")}</p>
            <form method="post" action="/self/start" novalidate>
                <button type="submit" class="button button-start">{lang.t("intro-start")}</button>
            </form>
            <p class="resume-link"><a href="/self/invite">{lang.t("intro-invite")}</a></p>
            <p class="resume-link"><a href="/self/resume">{lang.t("intro-resume")}</a></p>
        </Page>
    }
}

/// The code from the job centre: the self-assessment then belongs to the person's case.
#[component]
pub fn SelfInvite() -> impl IntoView {
    view! { <CodeForm code=Code::Invite /> }
}
