//! What is stored and which cookie is used, in plain words.

use leptos::prelude::*;

use crate::i18n::use_lang;
use crate::ui::components::layout::Page;

#[component]
pub fn Privacy() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Page title=lang.t("privacy-title")>
            <h1>{lang.t("privacy-title")}</h1>
            <p>{lang.t("privacy-body")}</p>
        </Page>
    }
}
