//! The tokens page's data.

use tower_sessions::Session;

use super::*;
use crate::api::guard::staff;
use crate::domain::role::Role;
use crate::error::AppError;
use crate::server::db::tokens::ApiToken;

/// A token draft sent with problems, kept in the session for the form.
pub type TokenDraft = (TokenForm, Vec<String>);
pub(crate) const TOKEN_DRAFT: &str = "token_draft";
/// The secret of the token just issued, kept in the session until the page shows it once.
pub(crate) const FRESH_TOKEN: &str = "fresh_token";

fn status(t: &ApiToken, now: time::OffsetDateTime) -> &'static str {
    if t.revoked_at.is_some() {
        "revoked"
    } else if t.live_at(now) {
        "active"
    } else {
        "expired"
    }
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn overview() -> AppResult<TokensView> {
    let (state, _) = staff(Role::can_manage_users)?;
    let lang = crate::request::request_lang();
    let session: Session = leptos_axum::extract().await?;
    let take = |e: tower_sessions::session::Error| AppError::broken(format!("session: {e}"));
    let fresh: Option<FreshToken> = session.remove(FRESH_TOKEN).await.map_err(take)?;
    let draft: Option<TokenDraft> = session.remove(TOKEN_DRAFT).await.map_err(take)?;
    let now = time::OffsetDateTime::now_utc();
    let day = |t: time::OffsetDateTime| crate::api::help::day(lang, t.date());
    let tokens = state
        .db
        .tokens()
        .await?
        .iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name.clone(),
            team: t.team_name.clone(),
            scopes: t
                .scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            created: format!("{} ({})", day(t.created_at), t.created_by_name),
            expires: day(t.expires_at),
            status: status(t, now).to_owned(),
        })
        .collect();
    let teams = state
        .db
        .teams()
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let (form, errors) = draft.unwrap_or_else(|| {
        (
            TokenForm {
                scopes: vec!["cases:read".into()],
                days: "90".into(),
                ..TokenForm::default()
            },
            Vec::new(),
        )
    });
    Ok(TokensView {
        tokens,
        teams,
        fresh,
        form,
        errors,
    })
}
