//! Landing page: what the tool is for, in plain words, with a way in for each kind of user.

use leptos::prelude::*;

use crate::i18n::use_lang;
use crate::ui::components::{layout::Page, read_aloud::ReadAloudButton};

#[component]
pub fn Home() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Page title=lang.t("home-title")>
            <div id="home-intro" class="readable">
                <h1>{lang.t("home-title")}</h1>
                <p class="lead">{lang.t("home-lead")}</p>
            </div>
            <section class="card card-primary" aria-labelledby="recipient-heading">
                <h2 id="recipient-heading">{lang.t("home-recipient-heading")}</h2>
                <p>{lang.t("home-recipient-text")}</p>
                <a class="button button-start" href="/self">
                    {lang.t("home-recipient-start")}
                </a>
                <p class="reassurance">{lang.t("home-paper")}</p>
            </section>
            <ReadAloudButton target="home-intro" />
            <section class="card" aria-labelledby="staff-heading">
                <h2 id="staff-heading">{lang.t("home-staff-heading")}</h2>
                <ul class="link-list">
                    <li><a href="/login">{lang.t("home-caseworker")}</a></li>
                    <li><a href="/login">{lang.t("home-manager")}</a></li>
                </ul>
            </section>
        </Page>
    }
}
