//! The accessibility statement ("Tilgængelighedserklæring") every Danish public site must have.

use leptos::prelude::*;

use crate::i18n::use_lang;
use crate::ui::components::layout::Page;

#[component]
pub fn AccessibilityStatement() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Page title=lang.t("a11y-title")>
            <h1>{lang.t("a11y-title")}</h1>
            <p class="lead">{lang.t("a11y-intro")}</p>
            <h2>{lang.t("a11y-status-heading")}</h2>
            <p>{lang.t("a11y-status")}</p>
            <h2>{lang.t("a11y-known-heading")}</h2>
            <p>{lang.t("a11y-known")}</p>
            <h2>{lang.t("a11y-contact-heading")}</h2>
            <p>{lang.t("a11y-contact")}</p>
        </Page>
    }
}
