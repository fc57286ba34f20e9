//! The friendly 404 page: says what happened and offers the way home, with status 404.

use leptos::prelude::*;

use crate::i18n::use_lang;
use crate::ui::components::layout::Page;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let lang = use_lang();
    view! {
        <Page title=lang.t("not-found-title")>
            <h1>{lang.t("not-found-title")}</h1>
            <p>{lang.t("not-found-body")}</p>
            <p><a href="/">{lang.t("not-found-home")}</a></p>
        </Page>
    }
}

/// Shown with status 403 when the signed-in person's role does not open the page. It
/// stands in for the whole app, so it provides the page metadata itself.
#[component]
pub fn Forbidden() -> impl IntoView {
    leptos_meta::provide_meta_context();
    let lang = use_lang();
    view! {
        <Page title=lang.t("forbidden-title")>
            <h1>{lang.t("forbidden-title")}</h1>
            <p>{lang.t("forbidden-body")}</p>
            <p><a href="/account">{lang.t("forbidden-account")}</a></p>
        </Page>
    }
}
