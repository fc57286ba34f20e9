//! Staff sign-in, the account page (who is signed in, sign out) and changing the password
//! (required at first sign-in of an account with a one-time password).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::auth::{AccountView, load_account};
use crate::i18n::Lang;
use crate::i18n::use_lang;
use crate::ui::components::error_summary::{ErrorSummary, FieldError, InlineError};
use crate::ui::components::layout::{Frame, Page};
use crate::ui::components::loaded::loaded;

fn query_error() -> Option<String> {
    use_query_map().read_untracked().get("error")
}

/// A labelled text field with its error; `kind` is the input type.
#[component]
fn Field(
    id: &'static str,
    label: String,
    kind: &'static str,
    autocomplete: &'static str,
    #[prop(optional)] hint: Option<String>,
    error: Option<String>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described: Vec<String> = [
        hint.as_ref().map(|_| hint_id.clone()),
        error.as_ref().map(|_| error_id.clone()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let described = (!described.is_empty()).then(|| described.join(" "));
    view! {
        <div class="form-group" class:form-group-error=error.is_some()>
            <label class="label" for=id>{label}</label>
            {hint.map(|h| view! { <p id=hint_id.clone() class="hint">{h}</p> })}
            {error.clone().map(|m| view! { <InlineError id=error_id.clone() message=m /> })}
            <input class="input input-wide" id=id name=id type=kind autocomplete=autocomplete aria-describedby=described />
        </div>
    }
}

#[component]
pub fn Login() -> impl IntoView {
    let lang = use_lang();
    let provider = crate::api::auth::provider_name();
    let error = query_error();
    let message = error.as_deref().map(|e| match e {
        "missing" => lang.t("error-login-missing"),
        "unavailable" => lang.t("error-login-unavailable"),
        "throttled" => lang.t("error-login-throttled"),
        "local-off" => lang.t("error-login-local-off"),
        "oidc" => lang.t("error-login-oidc"),
        "oidc-off" => lang.t("error-login-oidc-off"),
        "oidc-no-role" => lang.t("error-login-oidc-no-role"),
        "oidc-disabled" => lang.t("error-login-oidc-disabled"),
        _ => lang.t("error-login-invalid"),
    });
    // Errors of the provider's sign-in belong to its button, the rest to the form.
    let at_provider = provider.is_some() && error.as_deref().is_some_and(|e| e.starts_with("oidc"));
    let target = if at_provider {
        "oidc-start"
    } else {
        "username"
    };
    let errors: Vec<FieldError> = message
        .iter()
        .map(|m| FieldError {
            target_id: target.into(),
            message: m.clone(),
        })
        .collect();
    let form_error = message.clone().filter(|_| !at_provider);
    let provider_error = message.clone().filter(|_| at_provider);
    let provider_part = provider.map(|name| {
        let named = [("provider", name)];
        let has_error = provider_error.is_some();
        view! {
            <p>{lang.t_args("login-oidc-lead", &named)}</p>
            <div class="form-group" class:form-group-error=has_error>
                {provider_error.map(|m| view! { <InlineError id="oidc-start-error".to_owned() message=m /> })}
                <a id="oidc-start" class="button button-primary" href="/auth/oidc/start">{lang.t_args("login-oidc-button", &named)}</a>
            </div>
            <h2>{lang.t("login-local-heading")}</h2>
            <p>{lang.t("login-local-lead")}</p>
        }
    });
    let lead = provider_part
        .is_none()
        .then(|| view! { <p>{lang.t("login-lead")}</p> });
    view! {
        <Page title=lang.t("login-title") has_error=message.is_some() frame=Frame::Staff>
            <ErrorSummary errors />
            <h1>{lang.t("login-title")}</h1>
            {lead}
            {provider_part}
            <form method="post" action="/auth/login" novalidate>
                <Field id="username" label=lang.t("login-username") kind="text" autocomplete="username" error=form_error />
                <Field id="password" label=lang.t("login-password") kind="password" autocomplete="current-password" error=None />
                <button type="submit" class="button button-primary">{lang.t("login-button")}</button>
            </form>
        </Page>
    }
}

fn role_name(lang: Lang, role: &str) -> String {
    lang.t(&format!("role-{role}"))
}

#[component]
pub fn Account() -> impl IntoView {
    loaded(load_account, |account: Option<AccountView>| {
        let lang = use_lang();
        view! {
            <Page title=lang.t("account-title") frame=Frame::Staff>
                <h1>{lang.t("account-title")}</h1>
                {match account {
                    None => view! {
                        <p>{lang.t("account-not-signed-in")}</p>
                        <p><a href="/login">{lang.t("login-title")}</a></p>
                    }.into_any(),
                    Some(a) => view! {
                        <p class="lead">{lang.t_args("account-signed-in", &[("name", a.display_name.clone()), ("username", a.username.clone())])}</p>
                        <dl class="result-meta">
                            <div><dt>{lang.t("account-role")}</dt><dd data-role=a.role.clone()>{role_name(lang, &a.role)}</dd></div>
                        </dl>
                        {(!a.external).then(|| view! { <p><a href="/account/password">{lang.t("account-change-password")}</a></p> })}
                        <form method="post" action="/auth/logout" novalidate>
                            <button type="submit" class="button button-secondary">{lang.t("account-logout")}</button>
                        </form>
                    }.into_any(),
                }}
            </Page>
        }
    })
}

#[component]
pub fn ChangePassword() -> impl IntoView {
    let error = query_error();
    loaded(load_account, move |account: Option<AccountView>| {
        let lang = use_lang();
        let Some(account) = account else {
            return view! {
                <Page title=lang.t("password-title") frame=Frame::Staff>
                    <h1>{lang.t("password-title")}</h1>
                    <p><a href="/login">{lang.t("login-title")}</a></p>
                </Page>
            }
            .into_any();
        };
        if account.external {
            return view! {
                <Page title=lang.t("password-title") frame=Frame::Staff>
                    <h1>{lang.t("password-title")}</h1>
                    <p>{lang.t("password-external")}</p>
                </Page>
            }
            .into_any();
        }
        let (target, message) = match error.as_deref() {
            Some("current") => ("current", Some(lang.t("error-password-current"))),
            Some("short") => ("new", Some(lang.t("error-password-short"))),
            Some("confirm") => ("confirm", Some(lang.t("error-password-confirm"))),
            Some("same") => ("new", Some(lang.t("error-password-same"))),
            _ => ("", None),
        };
        let errors: Vec<FieldError> = message
            .iter()
            .map(|m| FieldError {
                target_id: target.into(),
                message: m.clone(),
            })
            .collect();
        let error_for = |id: &str| message.clone().filter(|_| target == id);
        let (current_error, new_error, confirm_error) =
            (error_for("current"), error_for("new"), error_for("confirm"));
        let has_error = message.is_some();
        view! {
            <Page title=lang.t("password-title") has_error frame=Frame::Staff>
                <ErrorSummary errors />
                <h1>{lang.t("password-title")}</h1>
                {account.must_change_password.then(|| view! { <p class="mark">{lang.t("password-must-change")}</p> })}
                <form method="post" action="/auth/password" novalidate>
                    <Field id="current" label=lang.t("password-current") kind="password" autocomplete="current-password" error=current_error />
                    <Field id="new" label=lang.t("password-new") kind="password" autocomplete="new-password" hint=lang.t("password-new-hint") error=new_error />
                    <Field id="confirm" label=lang.t("password-confirm") kind="password" autocomplete="new-password" error=confirm_error />
                    <button type="submit" class="button button-primary">{lang.t("password-button")}</button>
                </form>
            </Page>
        }
        .into_any()
    })
}
