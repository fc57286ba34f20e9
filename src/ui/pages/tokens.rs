//! `/admin/tokens`: the API tokens of machine clients. An administrator issues one for a
//! team (its secret shown once, right after), sees them all, and revokes one.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::tokens::{TokenRow, TokensView, load_tokens};
use crate::domain::token::Scope;
use crate::i18n::{Lang, use_lang};
use crate::ui::components::error_summary::{ErrorSummary, FieldError, InlineError};
use crate::ui::components::layout::{Frame, Page};
use crate::ui::components::loaded::loaded;
use crate::ui::components::table::ListTable;

#[component]
pub fn TokensAdmin() -> impl IntoView {
    loaded(load_tokens, |v: TokensView| view! { <TokensPage v /> })
}

/// The field's element id and its message, for an error code such as `name_missing`.
fn problem(lang: Lang, code: &str) -> FieldError {
    let (field, problem) = code.rsplit_once('_').unwrap_or((code, ""));
    let target_id = match field {
        "name" => "token-name",
        "team" => "token-team",
        "scopes" => "token-scope-cases-read",
        _ => "token-days",
    };
    FieldError {
        target_id: target_id.to_owned(),
        message: lang.t(&format!("tokens-error-{field}-{problem}")),
    }
}

fn row(lang: Lang, t: TokenRow) -> impl IntoView {
    let revoke = (t.status == "active").then(|| {
        view! {
            <form method="post" action=format!("/admin/tokens/{}/revoke", t.id) >
                <button type="submit" class="button button-secondary">
                    {lang.t("tokens-revoke")}<span class="visually-hidden">{format!(" {}", t.name)}</span>
                </button>
            </form>
        }
    });
    view! {
        <tr>
            <th scope="row">{t.name.clone()}</th>
            <td>{t.team}</td>
            <td><code>{t.scopes}</code></td>
            <td>{t.created}</td>
            <td>{t.expires}</td>
            <td>{lang.t(&format!("tokens-status-{}", t.status))}</td>
            <td>{revoke}</td>
        </tr>
    }
}

#[component]
fn TokensPage(v: TokensView) -> impl IntoView {
    let lang = use_lang();
    let revoked = use_query_map().read_untracked().get("revoked").is_some();
    let errors: Vec<FieldError> = v.errors.iter().map(|c| problem(lang, c)).collect();
    let error_on = |id: &str| {
        errors
            .iter()
            .find(|e| e.target_id == id)
            .map(|e| e.message.clone())
    };
    let (name_error, team_error, scope_error, days_error) = (
        error_on("token-name"),
        error_on("token-team"),
        error_on("token-scope-cases-read"),
        error_on("token-days"),
    );
    let (name_bad, team_bad, scope_bad, days_bad) = (
        name_error.is_some(),
        team_error.is_some(),
        scope_error.is_some(),
        days_error.is_some(),
    );
    let has_error = !errors.is_empty();
    let form = v.form.clone();
    let team_options = v
        .teams
        .iter()
        .map(|(id, name)| {
            view! { <option value=id.to_string() selected=form.team == id.to_string()>{name.clone()}</option> }
        })
        .collect_view();
    let scope_boxes = Scope::ALL
        .iter()
        .map(|s| {
            let id = format!("token-scope-{}", s.as_str().replace(':', "-"));
            let checked = form.scopes.iter().any(|x| x == s.as_str());
            view! {
                <div class="radio">
                    <input type="checkbox" id=id.clone() name="scopes" value=s.as_str() checked=checked />
                    <label for=id>
                        <code>{s.as_str()}</code>": "{lang.t(&format!("tokens-scope-{}", s.as_str().replace(':', "-")))}
                    </label>
                </div>
            }
        })
        .collect_view();
    let empty = v.tokens.is_empty();
    let rows = v.tokens.into_iter().map(|t| row(lang, t)).collect_view();
    let fresh = v.fresh.map(|f| {
        view! {
            <section class="alert alert-success" role="status" aria-labelledby="fresh-token">
                <h2 id="fresh-token">{lang.t_args("tokens-fresh-title", &[("name", f.name)])}</h2>
                <p>{lang.t("tokens-fresh-once")}</p>
                <p><code class="secret" dir="ltr" translate="no">{f.secret}</code></p>
            </section>
        }
    });
    view! {
        <Page title=lang.t("tokens-title") has_error frame=Frame::StaffWide>
            <ErrorSummary errors=errors.clone() />
            {fresh}
            {revoked.then(|| view! { <div class="alert alert-success" role="status"><p>{lang.t("tokens-revoked")}</p></div> })}
            <h1>{lang.t("tokens-title")}</h1>
            <p class="lead">{lang.t("tokens-lead")}</p>
            <p><a href="/api/docs">{lang.t("tokens-docs")}</a></p>
            {if empty {
                view! { <p>{lang.t("tokens-none")}</p> }.into_any()
            } else {
                view! {
                    <ListTable caption=lang.t("tokens-list") columns=vec![
                        lang.t("tokens-field-name").into_any(),
                        lang.t("tokens-field-team").into_any(),
                        lang.t("tokens-field-scopes").into_any(),
                        lang.t("tokens-col-created").into_any(),
                        lang.t("tokens-col-expires").into_any(),
                        lang.t("admin-status").into_any(),
                        view! { <span class="visually-hidden">{lang.t("tokens-col-actions")}</span> }.into_any(),
                    ]>
                        {rows}
                    </ListTable>
                }.into_any()
            }}
            <section class="card" aria-labelledby="new-token">
                <h2 id="new-token">{lang.t("tokens-new")}</h2>
                <form method="post" action="/admin/tokens" novalidate>
                    <div class="form-group" class:form-group-error=name_bad>
                        <label class="label" for="token-name">{lang.t("tokens-field-name")}</label>
                        <p class="hint" id="token-name-hint">{lang.t("tokens-name-hint")}</p>
                        {name_error.map(|m| view! { <InlineError id="token-name-error".to_owned() message=m /> })}
                        <input class="input input-wide" type="text" id="token-name" name="name" value=form.name.clone() aria-describedby="token-name-hint" />
                    </div>
                    <div class="form-group" class:form-group-error=team_bad>
                        <label class="label" for="token-team">{lang.t("tokens-field-team")}</label>
                        {team_error.map(|m| view! { <InlineError id="token-team-error".to_owned() message=m /> })}
                        <select class="input" id="token-team" name="team">
                            <option value="" selected=form.team.is_empty()>{lang.t("tokens-choose-team")}</option>
                            {team_options}
                        </select>
                    </div>
                    <fieldset class="form-group" class:form-group-error=scope_bad>
                        <legend class="label">{lang.t("tokens-field-scopes")}</legend>
                        {scope_error.map(|m| view! { <InlineError id="token-scopes-error".to_owned() message=m /> })}
                        {scope_boxes}
                    </fieldset>
                    <div class="form-group" class:form-group-error=days_bad>
                        <label class="label" for="token-days">{lang.t("tokens-field-days")}</label>
                        <p class="hint" id="token-days-hint">{lang.t("tokens-days-hint")}</p>
                        {days_error.map(|m| view! { <InlineError id="token-days-error".to_owned() message=m /> })}
                        <input class="input input-year" type="text" inputmode="numeric" id="token-days" name="days" value=form.days.clone() aria-describedby="token-days-hint" />
                    </div>
                    <button type="submit" class="button button-primary">{lang.t("tokens-issue")}</button>
                </form>
            </section>
            <p><a href="/admin">{lang.t("help-back-admin")}</a></p>
        </Page>
    }
}
