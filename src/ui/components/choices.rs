//! The answer choices of one question: real answers, an "or" divider, then the ways out.
//! The self-assessment and the interview show the same choices the same way.

use leptos::prelude::*;

use crate::api::questionnaire::Choice;
use crate::i18n::use_lang;

#[component]
pub fn ChoiceList(
    choices: Vec<Choice>,
    selected: Vec<String>,
    /// Checkboxes instead of radios (several answers allowed).
    multi: bool,
    /// The form field name; each input's id is `{id_prefix}-{code}`.
    name: String,
    id_prefix: String,
    /// Extra class on the list (the interview's denser layout).
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    let kind = if multi { "checkbox" } else { "radio" };
    let choice = |c: &Choice| {
        let id = format!("{id_prefix}-{}", c.code);
        view! {
            <div class="radio">
                <input type=kind id=id.clone() name=name.clone() value=c.code.clone() checked=selected.contains(&c.code) />
                <label for=id>{c.label.clone()}</label>
            </div>
        }
    };
    let answers = choices
        .iter()
        .filter(|c| !c.opt_out)
        .map(choice)
        .collect_view();
    let opt_outs = choices
        .iter()
        .filter(|c| c.opt_out)
        .map(choice)
        .collect_view();
    view! {
        <div class=format!("radios {class}")>
            {answers}
            <p class="divider" aria-hidden="true">{lang.t("divider-or")}</p>
            {opt_outs}
        </div>
    }
}
