//! The friendly 404 page: says what happened and offers the way home, with status 404.

use leptos::prelude::*;

use crate::app::use_lang;
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
