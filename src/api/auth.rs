//! Staff sign-in, sign-out and changing one's password. Plain form posts that redirect,
//! so they work without JavaScript; failures never say whether the username exists.

use crate::error::AppResult;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccountView {
    pub username: String,
    pub display_name: String,
    /// `admin`, `manager` or `caseworker`.
    pub role: String,
    pub must_change_password: bool,
    /// Signs in through the identity provider (no password here).
    pub external: bool,
}

/// The identity provider's name for the sign-in button, when one is configured.
pub fn provider_name() -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        use_context::<crate::server::state::AppState>()
            .and_then(|s| s.oidc.as_ref().map(|o| o.config.name.clone()))
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// The signed-in staff member; `None` when nobody is signed in.
#[server(endpoint = "account/load")]
pub async fn load_account() -> AppResult<Option<AccountView>> {
    let state = crate::api::guard::app_state()?;
    let session: tower_sessions::Session = leptos_axum::extract().await?;
    let user = crate::server::auth::current_user(&session, state.db.as_ref()).await?;
    Ok(user.map(|u| AccountView {
        username: u.username,
        display_name: u.display_name,
        role: u.role.as_str().to_owned(),
        must_change_password: u.must_change_password,
        external: u.oidc_subject.is_some(),
    }))
}

#[cfg(feature = "ssr")]
pub use server::{change_password, home, login, logout};

#[cfg(feature = "ssr")]
mod server {
    use std::net::SocketAddr;

    use axum::extract::{ConnectInfo, State};
    use axum::response::Redirect;
    use axum_extra::extract::Form;
    use serde::Deserialize;
    use tower_sessions::Session;

    use crate::api::guard::{StaffUser, by_staff};
    use crate::domain::policy::{
        FREE_TRIES_PER_ACCOUNT, FREE_TRIES_PER_ADDRESS, THROTTLE_WINDOW, wait_before_try,
    };
    use crate::domain::role::Role;
    use crate::error::{AppError, AppResult};
    use crate::server::auth::{self, MIN_PASSWORD_LEN};
    use crate::server::db::NewAudit;
    use crate::server::state::AppState;

    #[derive(Deserialize)]
    pub struct LoginForm {
        #[serde(default)]
        username: String,
        #[serde(default)]
        password: String,
    }

    fn back(form: &str, reason: &str) -> AppError {
        AppError::invalid("password", reason).on_form(form)
    }

    /// Where each role starts after signing in.
    pub fn home(role: Role) -> &'static str {
        match role {
            Role::Caseworker => "/cases",
            Role::Admin => "/admin",
            Role::Manager => "/dashboard",
        }
    }

    /// POST /login
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn login(
        State(state): State<AppState>,
        session: Session,
        ConnectInfo(addr): ConnectInfo<SocketAddr>,
        Form(form): Form<LoginForm>,
    ) -> AppResult<Redirect> {
        let username = form.username.trim();
        if username.is_empty() || form.password.is_empty() {
            return Err(back("/login", "missing"));
        }
        // Counted in the database, so every app instance sees the same failures: per
        // account from this address, and per address.
        let keys = [
            format!("user:{}|addr:{}", username.to_lowercase(), addr.ip()),
            format!("addr:{}", addr.ip()),
        ];
        let now = time::OffsetDateTime::now_utc();
        let since = now - THROTTLE_WINDOW;
        for (key, free) in keys
            .iter()
            .zip([FREE_TRIES_PER_ACCOUNT, FREE_TRIES_PER_ADDRESS])
        {
            let failures = state.db.login_failures_since(key, since).await?;
            if wait_before_try(&failures, free, now).is_some() {
                return Err(back("/login", "throttled"));
            }
        }
        let user = state.db.user_by_username(username).await?;
        // The same answer, after the same work, for an unknown name, a wrong password and
        // a disabled account.
        let hash = user.as_ref().map(|u| u.password_hash.clone());
        let matches = auth::password_matches(form.password.clone(), hash).await;
        let Some(user) = user.filter(|u| matches && !u.disabled) else {
            // The typed name, cut short: it may be a password typed into the wrong box.
            let typed: String = username.chars().take(3).collect();
            let line = NewAudit {
                actor: format!("unknown:{typed}…"),
                action: "auth.sign_in_failed".into(),
                address: addr.ip().to_string(),
                ..NewAudit::default()
            };
            state.db.record_login_failure(&keys, Some(&line)).await?;
            return Err(back("/login", "invalid"));
        };
        state.db.clear_login_failures(Some(&keys[0]), since).await?;
        // With the identity provider in charge, a password opens only a local
        // administrator's account (break-glass) — if an administrator chose so.
        let break_glass = user.role == Role::Admin && user.oidc_subject.is_none();
        if state.oidc.is_some() && !break_glass && !state.db.local_sign_in_for_everyone().await? {
            let line = by_staff(&user, "auth.sign_in_refused", &addr.ip().to_string());
            let line = NewAudit {
                detail: "password sign-in is for local administrators only".into(),
                ..line
            };
            state.db.audit(&line).await?;
            return Err(back("/login", "local-off"));
        }
        auth::sign_in(&session, &user).await?;
        state
            .db
            .audit(&by_staff(&user, "auth.sign_in", &addr.ip().to_string()))
            .await?;
        let next = if user.must_change_password {
            "/account/password"
        } else {
            home(user.role)
        };
        Ok(Redirect::to(next))
    }

    /// POST /logout
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn logout(
        State(state): State<AppState>,
        session: Session,
        ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ) -> AppResult<Redirect> {
        if let Ok(Some(user)) = auth::current_user(&session, state.db.as_ref()).await {
            state
                .db
                .audit(&by_staff(&user, "auth.sign_out", &addr.ip().to_string()))
                .await?;
        }
        let id_token: Option<String> = session
            .get(crate::api::oidc::ID_TOKEN_KEY)
            .await
            .ok()
            .flatten();
        auth::sign_out(&session).await?;
        // Signed in through the provider: end the session there too, where it offers that.
        if let (Some(oidc), Some(id_token)) = (state.oidc.as_ref(), id_token)
            && let Some(url) = oidc.logout_url(&id_token).await
        {
            return Ok(Redirect::to(&url));
        }
        Ok(Redirect::to("/"))
    }

    #[derive(Deserialize)]
    pub struct PasswordForm {
        #[serde(default)]
        current: String,
        #[serde(default)]
        new: String,
        #[serde(default)]
        confirm: String,
    }

    /// POST /account/password
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn change_password(
        State(state): State<AppState>,
        session: Session,
        StaffUser(user): StaffUser,
        ConnectInfo(addr): ConnectInfo<SocketAddr>,
        Form(form): Form<PasswordForm>,
    ) -> AppResult<Redirect> {
        let current_ok =
            auth::password_matches(form.current.clone(), Some(user.password_hash.clone())).await;
        let error = if !current_ok {
            Some("current")
        } else if form.new.chars().count() < MIN_PASSWORD_LEN {
            Some("short")
        } else if form.new != form.confirm {
            Some("confirm")
        } else if form.new == form.current {
            Some("same")
        } else {
            None
        };
        if let Some(kind) = error {
            return Err(back("/account/password", kind));
        }
        let hash = auth::hash_password_off_executor(form.new.clone()).await?;
        let line = by_staff(&user, "account.password", &addr.ip().to_string());
        state
            .db
            .set_password(user.id, &hash, false, Some(&line))
            .await?;
        // Every other session of the account has ended; this one goes on under a new id.
        let renewed = state.db.user(user.id).await?.ok_or(AppError::SignIn)?;
        auth::sign_in(&session, &renewed).await?;
        Ok(Redirect::to(home(user.role)))
    }
}
