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
pub use server::{change_password, login, logout, wait_before_try};

#[cfg(feature = "ssr")]
mod server {
    use std::net::SocketAddr;

    use axum::extract::{ConnectInfo, Form, State};
    use axum::response::{IntoResponse, Redirect, Response};
    use serde::Deserialize;
    use tower_sessions::Session;

    use crate::api::guard::by_staff;
    use crate::domain::role::Role;
    use crate::server::auth::{self, AuthError, MIN_PASSWORD_LEN};
    use crate::server::db::NewAudit;
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

    /// Failed sign-ins are remembered this long.
    pub const THROTTLE_WINDOW: time::Duration = time::Duration::minutes(15);
    /// Failures from one address at one account before each further try has to wait.
    pub const FREE_TRIES_PER_ACCOUNT: usize = 5;
    /// Failures from one address (at any accounts) before each further try has to wait.
    pub const FREE_TRIES_PER_ADDRESS: usize = 20;
    /// The longest wait between two tries.
    pub const MAX_WAIT: time::Duration = time::Duration::seconds(60);

    /// How long a try must still wait, given the failures counted under one key (newest
    /// first) and how many are free: 1 s after the first failure beyond them, then twice as
    /// long after each further one, at most a minute, counted from the last failure. A
    /// throttle, never a lock: the right person with the right password gets in after at
    /// most a minute, and failures from other addresses never slow an account down.
    pub fn wait_before_try(
        failures: &[time::OffsetDateTime],
        free: usize,
        now: time::OffsetDateTime,
    ) -> Option<time::Duration> {
        let beyond = failures.len().checked_sub(free)?;
        let last = *failures.first()?;
        let wait = time::Duration::seconds(1i64 << beyond.min(6)).min(MAX_WAIT);
        let ready = last + wait;
        (ready > now).then(|| ready - now)
    }

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
            match state.db.login_failures_since(key, since).await {
                Ok(failures) if wait_before_try(&failures, free, now).is_some() => {
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
            if let Err(e) = state.db.record_login_failure(&keys, Some(&line)).await {
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
        if let Err(e) = state
            .db
            .audit(&by_staff(&user, "auth.sign_in", &addr.ip().to_string()))
            .await
        {
            return failed(e.into());
        }
        let next = if user.must_change_password {
            "/account/password"
        } else {
            home(user.role)
        };
        Redirect::to(next).into_response()
    }

    /// POST /logout
    pub async fn logout(
        State(state): State<AppState>,
        session: Session,
        ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ) -> Response {
        if let Ok(Some(user)) = auth::current_user(&session, state.db.as_ref()).await
            && let Err(e) = state
                .db
                .audit(&by_staff(&user, "auth.sign_out", &addr.ip().to_string()))
                .await
        {
            return failed(e.into());
        }
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
        ConnectInfo(addr): ConnectInfo<SocketAddr>,
        Form(form): Form<PasswordForm>,
    ) -> Response {
        let user = match auth::current_user(&session, state.db.as_ref()).await {
            Ok(Some(user)) => user,
            Ok(None) => return Redirect::to("/login").into_response(),
            Err(e) => return failed(e),
        };
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
            return Redirect::to(&format!("/account/password?error={kind}")).into_response();
        }
        let hash = match auth::hash_password_off_executor(form.new.clone()).await {
            Ok(h) => h,
            Err(e) => return failed(e),
        };
        let line = by_staff(&user, "account.password", &addr.ip().to_string());
        if let Err(e) = state
            .db
            .set_password(user.id, &hash, false, Some(&line))
            .await
        {
            return failed(e.into());
        }
        // Every other session of the account has ended; this one goes on under a new id.
        let renewed = match state.db.user(user.id).await {
            Ok(Some(user)) => auth::sign_in(&session, &user).await,
            Ok(None) => return Redirect::to("/login").into_response(),
            Err(e) => Err(e.into()),
        };
        match renewed {
            Ok(()) => Redirect::to(home(user.role)).into_response(),
            Err(e) => failed(e),
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::server::{FREE_TRIES_PER_ADDRESS, MAX_WAIT, wait_before_try};
    use time::macros::datetime;

    #[test]
    fn the_wait_doubles_after_the_free_tries_and_stops_at_a_minute() {
        let now = datetime!(2026-11-30 10:00:00 UTC);
        let failures = |n: usize, last: time::OffsetDateTime| vec![last; n];
        assert_eq!(wait_before_try(&failures(4, now), 5, now), None);
        assert_eq!(
            wait_before_try(&failures(5, now), 5, now),
            Some(time::Duration::seconds(1))
        );
        assert_eq!(
            wait_before_try(&failures(7, now), 5, now),
            Some(time::Duration::seconds(4))
        );
        let long_ago = now - time::Duration::seconds(5);
        assert_eq!(wait_before_try(&failures(7, long_ago), 5, now), None);
        assert_eq!(wait_before_try(&failures(40, now), 5, now), Some(MAX_WAIT));
        // An address gets more free tries than one account at it.
        assert_eq!(
            wait_before_try(&failures(19, now), FREE_TRIES_PER_ADDRESS, now),
            None
        );
        assert!(wait_before_try(&failures(20, now), FREE_TRIES_PER_ADDRESS, now).is_some());
    }
}
