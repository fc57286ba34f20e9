//! The frame around every page: skip link, header with the service title and the
//! language switcher, the main landmark, and the footer with help and policy links.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::Lang;
use crate::i18n::use_lang;
use crate::request::request_query;

/// Whom a page is for: the recipient's pages keep a calm reading measure and a footer
/// that speaks to citizens; staff pages get a footer for staff, and data pages (lists,
/// tables, charts) the full width of a desktop, with running text kept to its measure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Frame {
    #[default]
    Citizen,
    Staff,
    StaffWide,
}

#[component]
pub fn Page(
    /// The page's own title; the browser title adds the service name and, on errors, "Fejl: ".
    title: String,
    /// True when the page shows validation errors (GOV.UK: prefix the title with "Error: ").
    #[prop(optional)]
    has_error: bool,
    /// Whom the page is for (the citizen's frame unless said otherwise).
    #[prop(optional)]
    frame: Frame,
    children: Children,
) -> impl IntoView {
    let lang = use_lang();
    let browser_title = if has_error {
        format!(
            "{} {title} – {}",
            lang.t("error-prefix"),
            lang.t("product-name")
        )
    } else {
        format!("{title} – {}", lang.t("product-name"))
    };
    let container = if frame == Frame::StaffWide {
        "container container-wide"
    } else {
        "container"
    };
    view! {
        <Title text=browser_title />
        <a class="skip-link" href="#main">{lang.t("skip-link")}</a>
        <header class="site-header">
            <div class=format!("{container} site-header-inner")>
                <a class="brand" href="/">
                    <span class="brand-name">{lang.t("product-name")}</span>
                    <span class="brand-service">{lang.t("service-title")}</span>
                </a>
                <LangSwitch lang />
            </div>
            {staff_nav(lang, container)}
        </header>
        <main id="main" class=container tabindex="-1">
            {children()}
        </main>
        <footer class="site-footer d-print-none">
            <div class=container>
                {if frame == Frame::Citizen {
                    view! {
                        <p>{lang.t("footer-about")}</p>
                        <p>{lang.t("footer-help")}</p>
                    }
                    .into_any()
                } else {
                    view! {
                        <p>{lang.t("footer-staff-about")}</p>
                        <p>{lang.t("footer-staff-help")}</p>
                    }
                    .into_any()
                }}
                <nav aria-label=lang.t("footer-links-label")>
                    <ul class="footer-links">
                        <li><a href="/accessibility">{lang.t("footer-accessibility")}</a></li>
                        <li><a href="/privacy">{lang.t("footer-privacy")}</a></li>
                    </ul>
                </nav>
            </div>
        </footer>
    }
}

/// For signed-in staff: who is signed in, their own pages, and signing out.
fn staff_nav(lang: Lang, container: &'static str) -> Option<impl IntoView> {
    #[cfg(feature = "ssr")]
    let user = crate::request::request_extension::<crate::server::access::SignedIn>().map(|s| s.0);
    #[cfg(not(feature = "ssr"))]
    let user: Option<()> = None;
    #[cfg(feature = "ssr")]
    let links = user.as_ref().map(|u| {
        let mut links: Vec<(&'static str, String)> = Vec::new();
        if u.role.can_run_interviews() {
            links.push(("/cases", lang.t("nav-cases")));
            links.push(("/calibration", lang.t("nav-calibration")));
        }
        if u.role.can_view_statistics() {
            links.push(("/dashboard", lang.t("nav-dashboard")));
        }
        if u.role.can_manage_users() {
            links.push(("/admin", lang.t("nav-admin")));
            links.push(("/admin/audit", lang.t("nav-audit")));
            links.push(("/admin/help", lang.t("nav-help")));
            links.push(("/admin/tokens", lang.t("nav-tokens")));
        }
        links.push(("/account", u.display_name.clone()));
        links
    });
    #[cfg(not(feature = "ssr"))]
    let links: Option<Vec<(&'static str, String)>> = user.map(|_| Vec::new());
    links.map(|links| {
        view! {
            <nav class="staff-nav d-print-none" aria-label=lang.t("nav-staff-label")>
                <div class=format!("{container} staff-nav-inner")>
                    <ul>
                        {links
                            .into_iter()
                            .map(|(href, label)| view! { <li><a href=href>{label}</a></li> })
                            .collect_view()}
                    </ul>
                    <form method="post" action="/auth/logout" novalidate>
                        <button type="submit" class="link-button">{lang.t("account-logout")}</button>
                    </form>
                </div>
            </nav>
        }
    })
}

/// DKFDS language switcher: each language named in its own language with `lang`, the
/// current one first and bold, the others plain links back to the same page.
#[component]
fn LangSwitch(lang: Lang) -> impl IntoView {
    let query = request_query();
    let others = Lang::ALL
        .into_iter()
        .filter(move |l| *l != lang)
        .map(move |other| {
            let mut params: Vec<String> = query
                .iter()
                .filter(|(k, _)| k != "lang")
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            params.push(format!("lang={}", other.code()));
            // Relative to the current page: never a host-relative path taken from the request.
            let href = format!("?{}", params.join("&"));
            view! {
                <li>
                    <a href=href lang=other.code() hreflang=other.code()>
                        {other.native_name()}
                    </a>
                </li>
            }
        });
    view! {
        <nav class="lang-switch d-print-none" aria-label=lang.t("lang-switch-label")>
            <ul>
                <li>
                    <strong lang=lang.code() aria-current="true">{lang.native_name()}</strong>
                </li>
                {others.collect_view()}
            </ul>
        </nav>
    }
}
