//! Signing in through the municipality's identity provider: `/auth/oidc/start` sends the
//! person there, `/auth/oidc/callback` takes them back in. Every failure ends on the
//! sign-in page with a plain message; the log says what went wrong.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, Query, State};
use axum::response::Redirect;
use tower_sessions::Session;

use crate::api::auth::home;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::server::auth;
use crate::server::db::{ProviderIdentity, ProviderSignIn};
use crate::server::oidc::{Answer, OidcError, Pending};
use crate::server::state::AppState;

const PENDING_KEY: &str = "oidc_pending";
/// The ID token of this session's sign-in: the hint for ending the provider's session.
pub const ID_TOKEN_KEY: &str = "oidc_id_token";

fn session_error(e: tower_sessions::session::Error) -> AppError {
    AppError::broken(format!("sign-in session: {e}"))
}

/// The sign-in page with one of its messages.
fn back(error: &str) -> Redirect {
    Redirect::to(&format!("/login?error={error}"))
}

/// GET /auth/oidc/start
#[tracing::instrument(level = "debug", skip_all)]
pub async fn start(
    State(state): State<AppState>,
    session: Session,
    Extension(lang): Extension<Lang>,
) -> AppResult<Redirect> {
    let Some(oidc) = state.oidc.as_ref() else {
        return Ok(back("oidc-off"));
    };
    match oidc.begin(lang.code()).await {
        Ok((url, pending)) => {
            session
                .insert(PENDING_KEY, pending)
                .await
                .map_err(session_error)?;
            Ok(Redirect::to(&url))
        }
        Err(e) => {
            tracing::error!(error = %e, "sign-in through the identity provider cannot start");
            Ok(back("oidc"))
        }
    }
}

/// GET /auth/oidc/callback
#[tracing::instrument(level = "debug", skip_all)]
pub async fn callback(
    State(state): State<AppState>,
    session: Session,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Query(answer): Query<Answer>,
) -> AppResult<Redirect> {
    let Some(oidc) = state.oidc.as_ref() else {
        return Ok(back("oidc-off"));
    };
    // One answer per start: a second use of the same state finds nothing here.
    let pending: Option<Pending> = session.remove(PENDING_KEY).await.map_err(session_error)?;
    let verified = match oidc.finish(pending, &answer).await {
        Ok(verified) => verified,
        Err(e) => {
            let level_is_error = !matches!(e, OidcError::Provider(_) | OidcError::NotStarted);
            if level_is_error {
                tracing::error!(error = %e, "sign-in through the identity provider refused");
            } else {
                tracing::warn!(error = %e, "sign-in through the identity provider refused");
            }
            return Ok(back("oidc"));
        }
    };
    let grant = match oidc.config.grant(&verified.groups) {
        None => None,
        Some((role, None)) => Some((role, None)),
        Some((role, Some(team_name))) => {
            let teams = state.db.teams().await?;
            match teams.iter().find(|t| t.name == team_name) {
                Some(team) => Some((role, Some(team.id))),
                None => {
                    tracing::error!(
                        team = team_name,
                        "DIGIPARAT_OIDC_ROLES names a team that does not exist: create it at /admin"
                    );
                    return Ok(back("oidc"));
                }
            }
        }
    };
    let who = ProviderIdentity {
        issuer: oidc.config.issuer.clone(),
        subject: verified.subject.clone(),
        username: verified.username.clone(),
        display_name: verified.display_name.clone(),
        grant,
        address: addr.ip().to_string(),
    };
    match state.db.sign_in_through_provider(&who).await? {
        ProviderSignIn::Admitted(user) => {
            auth::sign_in(&session, &user).await?;
            session
                .insert(ID_TOKEN_KEY, verified.id_token)
                .await
                .map_err(session_error)?;
            Ok(Redirect::to(home(user.role)))
        }
        ProviderSignIn::NoRole => {
            tracing::warn!(
                user = %verified.username,
                claim = %oidc.config.role_claim,
                "signed in at the provider, but no group maps to a role here"
            );
            Ok(back("oidc-no-role"))
        }
        ProviderSignIn::Disabled => Ok(back("oidc-disabled")),
    }
}
