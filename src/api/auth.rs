//! Staff sign-in, sign-out and changing one's password. Plain form posts that redirect,
//! so they work without JavaScript; failures never say whether the username exists.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccountView {
    pub username: String,
    pub display_name: String,
    /// `admin`, `manager` or `caseworker`.
    pub role: String,
    pub must_change_password: bool,
}

/// The signed-in staff member; `None` when nobody is signed in.
#[server(endpoint = "account/load")]
pub async fn load_account() -> Result<Option<AccountView>, ServerFnError> {
    let state = use_context::<crate::server::state::AppState>()
        .ok_or_else(|| ServerFnError::new("no state"))?;
    let session: tower_sessions::Session = leptos_axum::extract().await?;
    let user = crate::server::auth::current_user(&session, state.db.as_ref())
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    Ok(user.map(|u| AccountView {
        username: u.username,
        display_name: u.display_name,
        role: u.role.as_str().to_owned(),
        must_change_password: u.must_change_password,
    }))
}

#[cfg(feature = "ssr")]
pub use server::{change_password, login, logout};

#[cfg(feature = "ssr")]
mod server {
    use std::net::SocketAddr;

    use axum::extract::{ConnectInfo, Form, State};
    use axum::response::{IntoResponse, Redirect, Response};
    use serde::Deserialize;
    use tower_sessions::Session;

    use crate::domain::role::Role;
    use crate::server::auth::{self, AuthError, MIN_PASSWORD_LEN, hash_password, verify_password};
    use crate::server::state::AppState;

    #[derive(Deserialize)]
    pub struct LoginForm {
        #[serde(default)]
        username: String,
        #[serde(default)]
        password: String,
    }

    fn failed(e: AuthError) -> Response {
        tracing::error!(error = %e, "sign-in");
        match e {
            AuthError::Db(db) => crate::error::AppError::Database(db).into_response(),
            _ => Redirect::to("/login?error=unavailable").into_response(),
        }
    }

    /// Where each role starts after signing in.
    fn home(role: Role) -> &'static str {
        match role {
            Role::Caseworker => "/cases",
            Role::Admin => "/admin",
            Role::Manager => "/dashboard",
        }
    }

    /// Failed sign-ins allowed per account and per address within `THROTTLE_WINDOW`.
    pub const MAX_FAILURES: i64 = 5;
    pub const THROTTLE_WINDOW: time::Duration = time::Duration::minutes(15);

    /// POST /login
    pub async fn login(
        State(state): State<AppState>,
        session: Session,
        ConnectInfo(addr): ConnectInfo<SocketAddr>,
        Form(form): Form<LoginForm>,
    ) -> Response {
        let username = form.username.trim();
        if username.is_empty() || form.password.is_empty() {
            return Redirect::to("/login?error=missing").into_response();
        }
        // Counted in the database, so every app instance sees the same failures.
        let keys = [
            format!("user:{}", username.to_lowercase()),
            format!("addr:{}", addr.ip()),
        ];
        let since = time::OffsetDateTime::now_utc() - THROTTLE_WINDOW;
        for key in &keys {
            match state.db.login_failures_since(key, since).await {
                Ok(n) if n >= MAX_FAILURES => {
                    return Redirect::to("/login?error=throttled").into_response();
                }
                Ok(_) => {}
                Err(e) => return failed(e.into()),
            }
        }
        let user = match state.db.user_by_username(username).await {
            Ok(user) => user,
            Err(e) => return failed(e.into()),
        };
        // The same answer for an unknown name, a wrong password and a disabled account.
        let Some(user) =
            user.filter(|u| !u.disabled && verify_password(&form.password, &u.password_hash))
        else {
            if let Err(e) = state.db.record_login_failure(&keys).await {
                return failed(e.into());
            }
            return Redirect::to("/login?error=invalid").into_response();
        };
        if let Err(e) = state.db.clear_login_failures(Some(&keys[0]), since).await {
            return failed(e.into());
        }
        if let Err(e) = auth::sign_in(&session, &user).await {
            return failed(e);
        }
        let next = if user.must_change_password {
            "/account/password"
        } else {
            home(user.role)
        };
        Redirect::to(next).into_response()
    }

    /// POST /logout
    pub async fn logout(session: Session) -> Response {
        match auth::sign_out(&session).await {
            Ok(()) => Redirect::to("/").into_response(),
            Err(e) => failed(e),
        }
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
    pub async fn change_password(
        State(state): State<AppState>,
        session: Session,
        Form(form): Form<PasswordForm>,
    ) -> Response {
        let user = match auth::current_user(&session, state.db.as_ref()).await {
            Ok(Some(user)) => user,
            Ok(None) => return Redirect::to("/login").into_response(),
            Err(e) => return failed(e),
        };
        let error = if !verify_password(&form.current, &user.password_hash) {
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
            return Redirect::to(&format!("/account/password?error={kind}")).into_response();
        }
        let hash = match hash_password(&form.new) {
            Ok(h) => h,
            Err(e) => return failed(e),
        };
        match state.db.set_password(user.id, &hash, false).await {
            Ok(()) => Redirect::to(home(user.role)).into_response(),
            Err(e) => failed(e.into()),
        }
    }
}
