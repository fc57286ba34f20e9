//! Who may reach which route: one table for every page, form post, server function and
//! JSON route, enforced here by role before any handler runs. Handlers then check the
//! object itself (a case of the caseworker's own team, the recipient's own assessment).
//! The authorization tests are generated from the same table, and fail when a route of the
//! app is missing from it.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http::{Method, StatusCode};
use tower_sessions::Session;

use crate::domain::role::Role;
use crate::server::auth::current_user;
use crate::server::db::User;
use crate::server::state::AppState;

/// Who may use a route, before the object itself is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Anyone; the handler serves only the assessment named by the device cookie.
    Recipient,
    /// Any signed-in staff member (their own account).
    Staff,
    /// Caseworkers; the handler serves only their own team's cases and interviews.
    Caseworker,
    /// Managers and administrators: aggregates only.
    Statistics,
    /// Administrators: accounts, teams and the audit trail.
    Admin,
    /// A machine client with an API token carrying the scope (`Authorization: Bearer`);
    /// the handler serves only the token's team's cases. A session is no token.
    Token(crate::domain::token::Scope),
}

impl Access {
    /// Whether a signed-in person of `role` passes the role check.
    pub fn admits(self, role: Option<Role>) -> bool {
        match self {
            Access::Public | Access::Recipient => true,
            Access::Staff => role.is_some(),
            Access::Caseworker => role.is_some_and(Role::can_run_interviews),
            Access::Statistics => role.is_some_and(Role::can_view_statistics),
            Access::Admin => role.is_some_and(Role::can_manage_users),
            Access::Token(_) => false,
        }
    }
}

/// How a refusal is shown: a page gets the forbidden page, the rest a status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Page,
    Form,
    ServerFn,
    Api,
    Static,
}

#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub method: &'static str,
    /// `{name}` matches one path segment; a trailing `/*` matches the rest.
    pub path: &'static str,
    pub kind: Kind,
    pub access: Access,
}

pub const fn rule(method: &'static str, path: &'static str, kind: Kind, access: Access) -> Rule {
    Rule {
        method,
        path,
        kind,
        access,
    }
}

use Access::{Admin, Caseworker, Public, Recipient, Statistics};
use Kind::{Page, ServerFn, Static};

/// The rules of the pages, the server functions and the static files. The form posts,
/// downloads and the JSON API carry their rule beside their handler (`api::route_table`),
/// so each of those routes is declared once; `rules()` is the whole table. A literal path
/// comes before a pattern that would also match it (`/cases/new` before `/cases/{case}`).
pub const PAGE_RULES: &[Rule] = &[
    // Pages
    rule("GET", "/", Page, Public),
    rule("GET", "/self", Page, Public),
    rule("GET", "/self/intro", Page, Public),
    rule("GET", "/self/resume", Page, Public),
    rule("GET", "/self/invite", Page, Public),
    rule("GET", "/self/code", Page, Recipient),
    rule("GET", "/self/q/{item}", Page, Recipient),
    rule("GET", "/self/check", Page, Recipient),
    rule("GET", "/self/result", Page, Recipient),
    rule("GET", "/self/plan", Page, Recipient),
    rule("GET", "/interview", Page, Caseworker),
    rule("GET", "/interview/{token}", Page, Caseworker),
    rule("GET", "/interview/{token}/result", Page, Caseworker),
    rule("GET", "/interview/{token}/plan", Page, Caseworker),
    rule("GET", "/paper", Page, Public),
    rule("GET", "/login", Page, Public),
    rule("GET", "/account", Page, Public),
    rule("GET", "/account/password", Page, Public),
    rule("GET", "/accessibility", Page, Public),
    rule("GET", "/privacy", Page, Public),
    rule("GET", "/cases", Page, Caseworker),
    rule("GET", "/cases/new", Page, Caseworker),
    rule("GET", "/cases/{case}", Page, Caseworker),
    rule("GET", "/cases/{case}/invites/{invite}", Page, Caseworker),
    rule("GET", "/admin", Page, Admin),
    rule("GET", "/admin/users/{user}", Page, Admin),
    rule("GET", "/admin/audit", Page, Admin),
    rule("GET", "/admin/help", Page, Admin),
    rule("GET", "/admin/help/new", Page, Admin),
    rule("GET", "/admin/help/{offer}", Page, Admin),
    rule("GET", "/admin/tokens", Page, Admin),
    rule("GET", "/dashboard", Page, Statistics),
    rule("GET", "/dashboard/items", Page, Statistics),
    rule("GET", "/dashboard/overrides", Page, Statistics),
    rule("GET", "/dashboard/fairness", Page, Statistics),
    rule("GET", "/dashboard/agreement", Page, Statistics),
    rule("GET", "/dashboard/calibration", Page, Statistics),
    rule("GET", "/calibration", Page, Caseworker),
    rule(
        "GET",
        "/calibration/{round}/vignette/{number}",
        Page,
        Caseworker,
    ),
    rule("GET", "/calibration/{round}/result", Page, Caseworker),
    // Server functions (page data and the language choice)
    rule("POST", "/api/self/language", ServerFn, Public),
    rule("POST", "/api/account/load", ServerFn, Public),
    rule("POST", "/api/self/load/code", ServerFn, Recipient),
    rule("POST", "/api/self/load/question", ServerFn, Recipient),
    rule("POST", "/api/self/load/check", ServerFn, Recipient),
    rule("POST", "/api/self/load/result", ServerFn, Recipient),
    rule("POST", "/api/self/load/plan", ServerFn, Recipient),
    rule("POST", "/api/interview/load/start", ServerFn, Caseworker),
    rule("POST", "/api/interview/load/form", ServerFn, Caseworker),
    rule("POST", "/api/interview/load/result", ServerFn, Caseworker),
    rule("POST", "/api/interview/load/plan", ServerFn, Caseworker),
    rule("POST", "/api/interview/load/paper", ServerFn, Public),
    rule("POST", "/api/cases/load/list", ServerFn, Caseworker),
    rule("POST", "/api/cases/load/new", ServerFn, Caseworker),
    rule("POST", "/api/cases/load/case", ServerFn, Caseworker),
    rule("POST", "/api/cases/load/invite", ServerFn, Caseworker),
    rule("POST", "/api/admin/load/overview", ServerFn, Admin),
    rule("POST", "/api/admin/load/user", ServerFn, Admin),
    rule("POST", "/api/admin/load/audit", ServerFn, Admin),
    rule("POST", "/api/admin/load/help", ServerFn, Admin),
    rule("POST", "/api/admin/load/offer", ServerFn, Admin),
    rule("POST", "/api/admin/load/tokens", ServerFn, Admin),
    rule("POST", "/api/stats/load/dashboard", ServerFn, Statistics),
    rule("POST", "/api/stats/load/items", ServerFn, Statistics),
    rule("POST", "/api/stats/load/overrides", ServerFn, Statistics),
    rule("POST", "/api/stats/load/fairness", ServerFn, Statistics),
    rule("POST", "/api/stats/load/agreement", ServerFn, Statistics),
    rule("POST", "/api/stats/load/calibration", ServerFn, Statistics),
    rule("POST", "/api/calibration/load/home", ServerFn, Caseworker),
    rule(
        "POST",
        "/api/calibration/load/vignette",
        ServerFn,
        Caseworker,
    ),
    rule("POST", "/api/calibration/load/result", ServerFn, Caseworker),
    // Static files
    rule("GET", "/pkg/*", Static, Public),
    rule("GET", "/favicon.svg", Static, Public),
];

/// Whether `path` matches the rule's pattern.
pub fn matches(pattern: &str, path: &str) -> bool {
    if let Some(prefix) = pattern.strip_suffix("/*") {
        return path.starts_with(prefix) && path[prefix.len()..].starts_with('/');
    }
    let mut want = pattern.split('/');
    let mut got = path.split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) if w.starts_with('{') && w.ends_with('}') => {
                if g.is_empty() {
                    return false;
                }
            }
            (Some(w), Some(g)) if w == g => {}
            _ => return false,
        }
    }
}

/// Every route of the application with its rule: the pages' and server functions' here,
/// and the rest from the routes themselves.
pub fn rules() -> &'static [Rule] {
    static ALL: std::sync::LazyLock<Vec<Rule>> = std::sync::LazyLock::new(|| {
        PAGE_RULES
            .iter()
            .copied()
            .chain(crate::api::all_routes().into_iter().map(|(rule, _)| rule))
            .collect()
    });
    &ALL
}

/// The rule for a request, if the route is known.
pub fn rule_for(method: &Method, path: &str) -> Option<&'static Rule> {
    let method = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    rules()
        .iter()
        .find(|r| r.method == method && matches(r.path, path))
}

/// Marks a page request refused by role: the shell renders the forbidden page for it.
#[derive(Clone, Copy, Debug)]
pub struct Denied;

/// The signed-in staff member, put into the request for handlers that want it.
#[derive(Clone, Debug)]
pub struct SignedIn(pub User);

/// Applies the table: a person without the role is sent to sign in, or refused.
pub async fn enforce(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(rule) = rule_for(req.method(), req.uri().path()) else {
        // Unknown routes end at the 404 page; nothing there is personal.
        return next.run(req).await;
    };
    // A machine client: its token, never a session.
    if let Access::Token(scope) = rule.access {
        return match crate::server::tokens::authenticate(&state, req.headers(), scope).await {
            Ok(client) => {
                req.extensions_mut().insert(client);
                next.run(req).await
            }
            Err(refusal) => refusal.into_response(),
        };
    }
    // Public forms and data skip the lookup (the recipient's answers stay fast); public
    // pages still learn who is signed in, for the staff menu.
    if matches!(rule.access, Access::Public | Access::Recipient) && rule.kind != Kind::Page {
        return next.run(req).await;
    }
    let user = match req.extensions().get::<Session>() {
        Some(session) => match current_user(session, state.db.as_ref()).await {
            Ok(user) => user,
            Err(e) => {
                tracing::error!(error = %e, "access: session");
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The sign-in service is unavailable.",
                )
                    .into_response();
            }
        },
        None => None,
    };
    // A one-time password must be replaced before anything else a staff member can do:
    // the password form, its page and signing out stay open.
    let staff_only = !matches!(rule.access, Access::Public | Access::Recipient);
    if staff_only
        && rule.path != "/auth/password"
        && user.as_ref().is_some_and(|u| u.must_change_password)
    {
        return match rule.kind {
            Kind::Page | Kind::Form => Redirect::to("/account/password").into_response(),
            _ => (
                StatusCode::FORBIDDEN,
                "Choose a new password at /account/password first.",
            )
                .into_response(),
        };
    }
    let role = user.as_ref().map(|u| u.role);
    if rule.access.admits(role) {
        if let Some(user) = user {
            req.extensions_mut().insert(SignedIn(user));
        }
        return next.run(req).await;
    }
    match (rule.kind, user.is_some()) {
        (Kind::Page | Kind::Form, false) => Redirect::to("/login").into_response(),
        (Kind::Page, true) => {
            req.extensions_mut().insert(Denied);
            let mut response = next.run(req).await;
            *response.status_mut() = StatusCode::FORBIDDEN;
            response
        }
        (_, false) => (StatusCode::UNAUTHORIZED, "Sign in first.").into_response(),
        (_, true) => (
            StatusCode::FORBIDDEN,
            "Your role does not give access to this.",
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_segments() {
        assert!(matches("/cases/{case}", "/cases/12"));
        assert!(!matches("/cases/{case}", "/cases/12/erase"));
        assert!(!matches("/cases/{case}", "/cases/"));
        assert!(matches("/pkg/*", "/pkg/digiparat.wasm"));
        assert!(!matches("/pkg/*", "/pkgx"));
        assert_eq!(
            rule_for(&Method::GET, "/cases/new").map(|r| r.path),
            Some("/cases/new")
        );
        assert_eq!(
            rule_for(&Method::HEAD, "/cases/7").map(|r| r.access),
            Some(Access::Caseworker)
        );
        assert!(rule_for(&Method::DELETE, "/cases/7").is_none());
    }

    #[test]
    fn roles_pass_only_their_own_doors() {
        assert!(Access::Caseworker.admits(Some(Role::Caseworker)));
        assert!(!Access::Caseworker.admits(Some(Role::Admin)));
        assert!(!Access::Caseworker.admits(None));
        assert!(Access::Statistics.admits(Some(Role::Manager)));
        assert!(!Access::Statistics.admits(Some(Role::Caseworker)));
        assert!(Access::Admin.admits(Some(Role::Admin)));
        assert!(!Access::Admin.admits(Some(Role::Manager)));
        assert!(Access::Public.admits(None));
        assert!(Access::Staff.admits(Some(Role::Manager)) && !Access::Staff.admits(None));
        let token = Access::Token(crate::domain::token::Scope::CasesRead);
        assert!(!token.admits(Some(Role::Admin)) && !token.admits(None));
    }
}
