//! Staff sign-in. Accounts arrive with the accounts issue; until then the page says so
//! plainly instead of showing a form that cannot work.

use leptos::prelude::*;

use crate::app::use_lang;
use crate::ui::components::layout::Page;

#[component]
pub fn Login() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Page title=lang.t("login-title")>
            <h1>{lang.t("login-title")}</h1>
            <p>{lang.t("login-pending")}</p>
        </Page>
    }
}
