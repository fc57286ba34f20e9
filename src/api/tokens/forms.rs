//! The tokens page's form posts: issue a token, revoke one.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::response::Redirect;
use axum_extra::extract::Form;
use tower_sessions::Session;

use super::server::*;
use crate::api::guard::{StaffUser, by_staff, permit};
use crate::domain::help::FieldProblem;
use crate::domain::role::Role;
use crate::domain::token::TokenForm;
use crate::error::{AppError, AppResult};
use crate::server::db::tokens::NewToken;
use crate::server::state::AppState;
use crate::server::tokens::{new_secret, secret_hash};

use super::FreshToken;

fn broken(e: tower_sessions::session::Error) -> AppError {
    AppError::broken(format!("session: {e}"))
}

/// POST /admin/tokens: a new token; its secret is shown once on the page it goes back to.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_token(
    State(state): State<AppState>,
    session: Session,
    user: StaffUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(form): Form<TokenForm>,
) -> AppResult<Redirect> {
    let me = permit(user.0, Role::can_manage_users)?;
    let teams: Vec<i64> = state.db.teams().await?.iter().map(|t| t.id).collect();
    let fields = match form.check(&teams) {
        Ok(fields) => fields,
        Err(problems) => {
            let codes: Vec<String> = problems.iter().map(FieldProblem::code).collect();
            let first = codes.first().cloned().unwrap_or_default();
            let draft: TokenDraft = (form, codes);
            session.insert(TOKEN_DRAFT, draft).await.map_err(broken)?;
            return Err(AppError::invalid("token", &first).on_form("/admin/tokens#new-token"));
        }
    };
    let secret = new_secret();
    let new = NewToken {
        name: fields.name.clone(),
        team_id: fields.team_id,
        scopes: fields.scopes,
        secret_hash: secret_hash(&secret),
        created_by: me.id,
        expires_at: time::OffsetDateTime::now_utc() + time::Duration::days(i64::from(fields.days)),
    };
    let line = by_staff(&me, "token.create", &addr.ip().to_string());
    state.db.create_token(&new, Some(&line)).await?;
    let fresh = FreshToken {
        name: fields.name,
        secret,
    };
    session.insert(FRESH_TOKEN, fresh).await.map_err(broken)?;
    Ok(Redirect::to("/admin/tokens#fresh-token"))
}

/// POST /admin/tokens/{api_token}/revoke: the token stops working at once.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn revoke_token(
    State(state): State<AppState>,
    user: StaffUser,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(id): Path<i64>,
) -> AppResult<Redirect> {
    let me = permit(user.0, Role::can_manage_users)?;
    let line = by_staff(&me, "token.revoke", &addr.ip().to_string());
    if !state.db.revoke_token(id, Some(&line)).await? {
        return Err(AppError::not_found());
    }
    Ok(Redirect::to("/admin/tokens?revoked=1"))
}
