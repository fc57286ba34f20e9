//! The HTML shell and the route table. Every page is rendered on the server; only the
//! islands (small interactive parts) are hydrated in the browser.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::ui::pages::{
    accessibility::AccessibilityStatement,
    admin::{AdminPage, AdminUserPage, AuditPage},
    analysis::{Agreement, CalibrationStats, Fairness, Overrides},
    calibration::{CalibrationHome, CalibrationResult, CalibrationVignette},
    case::{CasePage, InviteSlipPage},
    cases::{Caseload, NewCase},
    dashboard::{Dashboard, ItemAnalysis},
    help::{HelpAdmin, NewOfferPage, OfferPage},
    home::Home,
    interview::{InterviewForm, InterviewResult, InterviewStart, PaperQuestionnaire},
    login::{Account, ChangePassword, Login},
    not_found::{Forbidden, NotFound},
    plan::{InterviewPlan, SelfPlan},
    privacy::Privacy,
    self_flow::{SelfCheck, SelfCode, SelfQuestion, SelfResult, SelfResume},
    self_start::{SelfIntro, SelfInvite, SelfStart},
    tokens::TokensAdmin,
};

/// The document around every page. `lang` and `dir` come from the language the server
/// resolved for this request (query, then cookie, then Danish), never from guessing.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = crate::request::request_lang();
    provide_context(lang);
    // The inline hydration scripts carry the nonce of this response's security policy.
    #[cfg(feature = "ssr")]
    if let Some(nonce) = crate::request::request_extension::<crate::server::security::CspNonce>() {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
    let denied = crate::request::request_denied();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code() dir=lang.dir()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href="/pkg/digiparat.css" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                {if denied { Either::Left(view! { <Forbidden /> }) } else { Either::Right(view! { <App /> }) }}
            </body>
        </html>
    }
}

fn title_text(text: String) -> String {
    if cfg!(feature = "ssr") {
        crate::html::escape(&text)
    } else {
        text
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        // leptos_meta writes the title into the server's HTML as it is: every page title
        // (a case reference, a team name) is escaped on its way there. The browser's own
        // `document.title` takes plain text, so the client applies no formatter.
        <Title formatter=title_text />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("") view=Home />
                <Route path=path!("self") view=SelfStart />
                <Route path=path!("self/intro") view=SelfIntro />
                <Route path=path!("self/resume") view=SelfResume />
                // Pages with stored data render whole before sending: no JavaScript needed.
                <Route path=path!("self/code") view=SelfCode ssr=SsrMode::Async />
                <Route path=path!("self/q/:item") view=SelfQuestion ssr=SsrMode::Async />
                <Route path=path!("self/check") view=SelfCheck ssr=SsrMode::Async />
                <Route path=path!("self/result") view=SelfResult ssr=SsrMode::Async />
                <Route path=path!("self/plan") view=SelfPlan ssr=SsrMode::Async />
                <Route path=path!("interview") view=InterviewStart ssr=SsrMode::Async />
                <Route path=path!("interview/:token") view=InterviewForm ssr=SsrMode::Async />
                <Route path=path!("interview/:token/result") view=InterviewResult ssr=SsrMode::Async />
                <Route path=path!("interview/:token/plan") view=InterviewPlan ssr=SsrMode::Async />
                <Route path=path!("paper") view=PaperQuestionnaire ssr=SsrMode::Async />
                <Route path=path!("login") view=Login />
                <Route path=path!("account") view=Account ssr=SsrMode::Async />
                <Route path=path!("account/password") view=ChangePassword ssr=SsrMode::Async />
                <Route path=path!("self/invite") view=SelfInvite />
                <Route path=path!("cases") view=Caseload ssr=SsrMode::Async />
                <Route path=path!("cases/new") view=NewCase ssr=SsrMode::Async />
                <Route path=path!("cases/:case") view=CasePage ssr=SsrMode::Async />
                <Route path=path!("cases/:case/invites/:invite") view=InviteSlipPage ssr=SsrMode::Async />
                <Route path=path!("dashboard") view=Dashboard ssr=SsrMode::Async />
                <Route path=path!("dashboard/items") view=ItemAnalysis ssr=SsrMode::Async />
                <Route path=path!("dashboard/overrides") view=Overrides ssr=SsrMode::Async />
                <Route path=path!("dashboard/fairness") view=Fairness ssr=SsrMode::Async />
                <Route path=path!("dashboard/agreement") view=Agreement ssr=SsrMode::Async />
                <Route path=path!("dashboard/calibration") view=CalibrationStats ssr=SsrMode::Async />
                <Route path=path!("calibration") view=CalibrationHome ssr=SsrMode::Async />
                <Route path=path!("calibration/:round/vignette/:number") view=CalibrationVignette ssr=SsrMode::Async />
                <Route path=path!("calibration/:round/result") view=CalibrationResult ssr=SsrMode::Async />
                <Route path=path!("admin") view=AdminPage ssr=SsrMode::Async />
                <Route path=path!("admin/users/:user") view=AdminUserPage ssr=SsrMode::Async />
                <Route path=path!("admin/audit") view=AuditPage ssr=SsrMode::Async />
                <Route path=path!("admin/help") view=HelpAdmin ssr=SsrMode::Async />
                <Route path=path!("admin/help/new") view=NewOfferPage ssr=SsrMode::Async />
                <Route path=path!("admin/help/:offer") view=OfferPage ssr=SsrMode::Async />
                <Route path=path!("admin/tokens") view=TokensAdmin ssr=SsrMode::Async />
                <Route path=path!("accessibility") view=AccessibilityStatement />
                <Route path=path!("privacy") view=Privacy />
            </Routes>
        </Router>
    }
}
