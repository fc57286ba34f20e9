//! Administration pages: accounts and teams, one account, and the audit trail.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::admin::{
    AdminOverview, AdminUser, AuditQuery, AuditView, load_admin, load_admin_user, load_audit,
};
use crate::domain::role::Role;
use crate::i18n::Lang;
use crate::i18n::use_lang;
use crate::ui::components::error_summary::{ErrorSummary, InlineError, PageError};
use crate::ui::components::layout::{Frame, Page};
use crate::ui::components::loaded::loaded;
use crate::ui::components::table::ListTable;

fn query(name: &str) -> Option<String> {
    use_query_map().read_untracked().get(name)
}

/// The field an error code belongs to, and its message.
fn admin_error(lang: Lang, code: &str) -> (&'static str, String) {
    let (field, key) = match code {
        "username" => ("username", "error-admin-username"),
        "username_taken" => ("username", "error-admin-username-taken"),
        "display_name_missing" => ("display_name", "error-admin-name-missing"),
        "display_name_long" => ("display_name", "error-admin-name-long"),
        "display_name_cpr" => ("display_name", "error-admin-name-cpr"),
        "role" => ("role", "error-admin-role"),
        "team" | "team_required" => ("team", "error-admin-team-required"),
        "last_admin" => ("role", "error-admin-last-admin"),
        "team_name_missing" => ("team_name", "error-admin-name-missing"),
        "team_name_long" => ("team_name", "error-admin-name-long"),
        "team_name_cpr" => ("team_name", "error-admin-name-cpr"),
        "team_name_taken" => ("team_name", "error-admin-team-taken"),
        "sign_in_choice" | "sign_in_no_provider" => ("local-everyone", "error-admin-sign-in"),
        "external_password" => ("display_name", "admin-reset-external"),
        _ => ("username", "error-login-unavailable"),
    };
    (field, lang.t(key))
}

/// The `?error=` of the page: the field it belongs to, with its message.
fn page_error(lang: Lang) -> PageError {
    PageError::new(query("error").map(|c| {
        let (field, message) = admin_error(lang, &c);
        (field.to_owned(), message)
    }))
}

fn role_options(lang: Lang, current: Option<String>) -> impl IntoView {
    Role::ALL
        .into_iter()
        .map(|r| {
            view! {
                <option value=r.as_str() selected=current.as_deref() == Some(r.as_str())>
                    {lang.t(&format!("role-{}", r.as_str()))}
                </option>
            }
        })
        .collect_view()
}

fn team_options(lang: Lang, teams: Vec<(i64, String)>, current: Option<i64>) -> impl IntoView {
    let none =
        view! { <option value="" selected=current.is_none()>{lang.t("admin-no-team")}</option> };
    let rest = teams
        .into_iter()
        .map(|(id, name)| {
            view! { <option value=id.to_string() selected=current == Some(id)>{name}</option> }
        })
        .collect_view();
    view! { {none} {rest} }
}

/// A labelled select or input with its inline error.
#[component]
fn Labelled(
    id: &'static str,
    label: String,
    error: Option<String>,
    children: Children,
) -> impl IntoView {
    let has_error = error.is_some();
    view! {
        <div class="form-group" class:form-group-error=has_error>
            <label class="label" for=id>{label}</label>
            {error.map(|m| view! { <InlineError id=format!("{id}-error") message=m /> })}
            {children()}
        </div>
    }
}

#[component]
pub fn AdminPage() -> impl IntoView {
    loaded(load_admin, |v: AdminOverview| view! { <Overview v /> })
}

#[component]
fn Overview(v: AdminOverview) -> impl IntoView {
    let lang = use_lang();
    let error = page_error(lang);
    let errors = error.summary();
    let (username_error, name_error, role_error, team_error, team_name_error) = (
        error.on("username"),
        error.on("display_name"),
        error.on("role"),
        error.on("team"),
        error.on("team_name"),
    );
    let has_error = error.is_some();
    let team_choices = team_options(lang, v.teams.clone(), None);
    let users = v
        .users
        .iter()
        .map(|u| {
            view! {
                <tr>
                    <th scope="row"><a href=format!("/admin/users/{}", u.id)>{u.username.clone()}</a></th>
                    <td>{u.display_name.clone()}</td>
                    <td>{lang.t(&format!("role-{}", u.role))}</td>
                    <td>{u.team.clone().unwrap_or_default()}</td>
                    <td>{lang.t(if u.disabled { "admin-disabled" } else { "admin-active" })}</td>
                </tr>
            }
        })
        .collect_view();
    let teams = v
        .teams
        .iter()
        .map(|(_, n)| view! { <li>{n.clone()}</li> })
        .collect_view();
    let sign_in = v
        .sign_in
        .clone()
        .map(|s| view! { <SignInSection s error=error.on("local-everyone") /> });
    view! {
        <Page title=lang.t("admin-title") has_error frame=Frame::StaffWide>
            <ErrorSummary errors />
            <h1>{lang.t("admin-title")}</h1>
            <h2 id="users">{lang.t("admin-users")}</h2>
            <ListTable caption=lang.t("admin-users") columns=vec![lang.t("login-username").into_any(), lang.t("admin-name").into_any(), lang.t("account-role").into_any(), lang.t("case-team").into_any(), lang.t("admin-status").into_any()]>
                {users}
            </ListTable>
            <h2 id="new-user">{lang.t("admin-new-user")}</h2>
            <form method="post" action="/admin/users" novalidate>
                <Labelled id="username" label=lang.t("login-username") error=username_error>
                    <input class="input" id="username" name="username" type="text" autocomplete="off" spellcheck="false" />
                </Labelled>
                <Labelled id="display_name" label=lang.t("admin-name") error=name_error>
                    <input class="input input-wide" id="display_name" name="display_name" type="text" autocomplete="off" />
                </Labelled>
                <Labelled id="role" label=lang.t("account-role") error=role_error>
                    <select class="input" id="role" name="role">{role_options(lang, Some("caseworker".into()))}</select>
                </Labelled>
                <Labelled id="team" label=lang.t("case-team") error=team_error>
                    <select class="input" id="team" name="team">{team_choices}</select>
                </Labelled>
                <button type="submit" class="button button-primary">{lang.t("admin-create-user")}</button>
            </form>
            <h2 id="teams">{lang.t("admin-teams")}</h2>
            <ul class="plain-list">{teams}</ul>
            <form method="post" action="/admin/teams" novalidate>
                <Labelled id="team_name" label=lang.t("admin-team-name") error=team_name_error>
                    <input class="input input-wide" id="team_name" name="team_name" type="text" autocomplete="off" />
                </Labelled>
                <button type="submit" class="button button-secondary">{lang.t("admin-create-team")}</button>
            </form>
            {sign_in}
        </Page>
    }
}

/// Who may still sign in with a password once the identity provider is configured.
#[component]
fn SignInSection(s: crate::api::admin::SignInSettings, error: Option<String>) -> impl IntoView {
    let lang = use_lang();
    let provider = [("provider", s.provider.clone())];
    let saved = query("saved").as_deref() == Some("sign_in");
    let has_error = error.is_some();
    view! {
        <h2 id="sign-in">{lang.t("admin-sign-in")}</h2>
        {saved.then(|| view! { <div class="alert alert-success" role="status"><p>{lang.t("admin-saved")}</p></div> })}
        <p>{lang.t_args("admin-sign-in-lead", &provider)}</p>
        <form method="post" action="/admin/sign-in" novalidate>
            <div class="form-group" class:form-group-error=has_error>
                <fieldset>
                    <legend class="legend-question">{lang.t("admin-sign-in-legend")}</legend>
                    {error.map(|m| view! { <InlineError id="local-error".to_owned() message=m /> })}
                    <div class="radios">
                        <div class="radio">
                            <input type="radio" id="local-everyone" name="local" value="everyone" checked=s.local_for_everyone />
                            <label for="local-everyone">{lang.t("admin-sign-in-everyone")}</label>
                        </div>
                        <div class="radio">
                            <input type="radio" id="local-admins" name="local" value="admins" checked=!s.local_for_everyone />
                            <label for="local-admins">{lang.t("admin-sign-in-admins")}</label>
                        </div>
                    </div>
                </fieldset>
            </div>
            <button type="submit" class="button button-secondary">{lang.t("admin-save")}</button>
        </form>
    }
}

#[component]
pub fn AdminUserPage() -> impl IntoView {
    let id = use_params_map()
        .read_untracked()
        .get("user")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(-1);
    loaded(
        move || load_admin_user(id),
        |v: AdminUser| view! { <UserForm v /> },
    )
}

#[component]
fn UserForm(v: AdminUser) -> impl IntoView {
    let lang = use_lang();
    let error = page_error(lang);
    let errors = error.summary();
    let (name_error, role_error, team_error) =
        (error.on("display_name"), error.on("role"), error.on("team"));
    let has_error = error.is_some();
    let saved = query("saved").is_some();
    let u = v.user.clone();
    let role_choices = role_options(lang, Some(u.role.clone()));
    let team_choices = team_options(lang, v.teams.clone(), v.team_id);
    let title = lang.t_args("admin-user-title", &[("username", u.username.clone())]);
    view! {
        <Page title=title.clone() has_error frame=Frame::Staff>
            <a class="back-link d-print-none" href="/admin">{lang.t("back")}</a>
            <ErrorSummary errors />
            {saved.then(|| view! { <div class="alert alert-success" role="status"><p>{lang.t("admin-saved")}</p></div> })}
            {v.new_password.clone().map(|p| view! {
                <div class="alert alert-success" role="status">
                    <p>{lang.t("admin-new-password")}</p>
                    <p class="slip-big" dir="ltr"><code data-password="">{p}</code></p>
                    <p>{lang.t("admin-new-password-hint")}</p>
                </div>
            })}
            <h1>{title}</h1>
            <form method="post" action=format!("/admin/users/{}", u.id) novalidate>
                <Labelled id="display_name" label=lang.t("admin-name") error=name_error>
                    <input class="input input-wide" id="display_name" name="display_name" type="text"
                        autocomplete="off" value=u.display_name.clone() />
                </Labelled>
                <Labelled id="role" label=lang.t("account-role") error=role_error>
                    <select class="input" id="role" name="role">{role_choices}</select>
                </Labelled>
                <Labelled id="team" label=lang.t("case-team") error=team_error>
                    <select class="input" id="team" name="team">{team_choices}</select>
                </Labelled>
                <div class="form-group">
                    <div class="radio">
                        <input type="checkbox" id="disabled" name="disabled" value="yes" checked=u.disabled />
                        <label for="disabled">{lang.t("admin-disable")}</label>
                    </div>
                </div>
                <div class="form-group">
                    <div class="radio">
                        <input type="checkbox" id="rows" name="rows" value="yes" checked=u.may_export_rows aria-describedby="rows-hint" />
                        <label for="rows">{lang.t("admin-rows")}</label>
                    </div>
                    <p class="hint" id="rows-hint">{lang.t("admin-rows-hint")}</p>
                </div>
                <button type="submit" class="button button-primary">{lang.t("admin-save")}</button>
            </form>
            <h2>{lang.t("admin-reset-heading")}</h2>
            {if u.external {
                view! { <p>{lang.t("admin-reset-external")}</p> }.into_any()
            } else {
                view! {
                    <p>{lang.t("admin-reset-text")}</p>
                    <form method="post" action=format!("/admin/users/{}/password", u.id) novalidate>
                        <button type="submit" class="button button-secondary">{lang.t("admin-reset-button")}</button>
                    </form>
                }.into_any()
            }}
        </Page>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let q = AuditQuery {
        actor: query("actor"),
        action: query("action"),
        case: query("case"),
        from: query("from"),
        until: query("until"),
    };
    loaded(
        move || {
            let q = q.clone();
            load_audit(q.actor, q.action, q.case, q.from, q.until)
        },
        |v: AuditView| view! { <AuditLog v /> },
    )
}

#[component]
fn AuditLog(v: AuditView) -> impl IntoView {
    let lang = use_lang();
    let error = PageError::new(v.error.clone().map(|f| (f, lang.t("error-audit-filter"))));
    let errors = error.summary();
    let (case_error, from_error, until_error) =
        (error.on("case"), error.on("from"), error.on("until"));
    let has_error = error.is_some();
    let q = v.query.clone();
    let count = v.rows.len();
    let rows = v
        .rows
        .into_iter()
        .map(|r| {
            view! {
                <tr>
                    <td>{r.at}</td>
                    <td><bdi>{r.actor}</bdi></td>
                    <td>{r.action}</td>
                    <td class="num">{r.case_id.map(|c| c.to_string()).unwrap_or_default()}</td>
                    <td>{r.address}</td>
                    <td>{r.detail}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Page title=lang.t("audit-title") has_error frame=Frame::StaffWide>
            <ErrorSummary errors />
            <h1>{lang.t("audit-title")}</h1>
            <p class="lead">{lang.t("audit-lead")}</p>
            <form method="get" action="/admin/audit" class="filter-form" role="search">
                <Labelled id="actor" label=lang.t("audit-actor") error=None>
                    <input class="input" id="actor" name="actor" type="text" value=q.actor.clone() />
                </Labelled>
                <Labelled id="action" label=lang.t("audit-action") error=None>
                    <input class="input" id="action" name="action" type="text" value=q.action.clone() />
                </Labelled>
                <Labelled id="case" label=lang.t("audit-case") error=case_error>
                    <input class="input input-year" id="case" name="case" type="text" inputmode="numeric" value=q.case.clone() />
                </Labelled>
                <Labelled id="from" label=lang.t("audit-from") error=from_error>
                    <input class="input" id="from" name="from" type="date" value=q.from.clone() />
                </Labelled>
                <Labelled id="until" label=lang.t("audit-until") error=until_error>
                    <input class="input" id="until" name="until" type="date" value=q.until.clone() />
                </Labelled>
                <button type="submit" class="button button-secondary">{lang.t("cases-filter")}</button>
            </form>
            <p role="status">{lang.t_args("audit-count", &[("count", count.to_string()), ("limit", v.limit.to_string())])}</p>
            // Scrolls on its own when wide: a keyboard can reach it (WCAG 2.1.1).
            <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t("audit-title")>
                <table class="table">
                    <caption class="visually-hidden">{lang.t("audit-title")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{lang.t("audit-at")}</th>
                            <th scope="col">{lang.t("audit-actor")}</th>
                            <th scope="col">{lang.t("audit-action")}</th>
                            <th scope="col" class="num">{lang.t("audit-case")}</th>
                            <th scope="col">{lang.t("audit-address")}</th>
                            <th scope="col">{lang.t("audit-detail")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </Page>
    }
}
