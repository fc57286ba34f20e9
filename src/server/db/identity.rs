//! Accounts of staff who sign in through the municipality's identity provider (made and
//! updated at each sign-in, "just in time"), and the installation's sign-in settings.

use async_trait::async_trait;

use super::*;
use crate::domain::role::Role;

/// The hash stored for an account that signs in through the provider: not a PHC string, so
/// no password ever matches it.
pub const NO_PASSWORD: &str = "!identity-provider";

/// A person as the identity provider vouched for them at this sign-in.
#[derive(Clone, Debug, PartialEq)]
pub struct ProviderIdentity {
    pub issuer: String,
    pub subject: String,
    /// The username wanted for a new account (taken names get a suffix).
    pub username: String,
    pub display_name: String,
    /// The role and team their claims map to; `None`: no role here any more.
    pub grant: Option<(Role, Option<TeamId>)>,
    /// The client's address, for the audit lines.
    pub address: String,
}

/// What a sign-in through the provider came to.
#[derive(Clone, Debug, PartialEq)]
pub enum ProviderSignIn {
    /// The account, made or brought up to date with the claims.
    Admitted(User),
    /// The claims no longer map to a role: the account (if any) is now disabled and its
    /// sessions have ended.
    NoRole,
    /// The account was disabled here (by an administrator, or an earlier refusal).
    Disabled,
}

#[async_trait]
pub trait IdentityStore {
    /// Makes or updates the account of `who`, or disables it when the claims map to no
    /// role, with the audit lines, in one transaction.
    async fn sign_in_through_provider(
        &self,
        who: &ProviderIdentity,
    ) -> Result<ProviderSignIn, DbError>;
    /// Whether every local account may sign in with a password (else only local
    /// administrators: break-glass).
    async fn local_sign_in_for_everyone(&self) -> Result<bool, DbError>;
    async fn set_local_sign_in_for_everyone(
        &self,
        everyone: bool,
        trail: Option<&NewAudit>,
    ) -> Result<(), DbError>;
}

/// A free username: `wanted`, or `wanted-2`, `wanted-3`, … when taken.
macro_rules! free_username {
    ($tx:ident, $wanted:expr) => {{
        let wanted: &str = $wanted;
        let mut name = wanted.to_owned();
        let mut n = 1;
        loop {
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
                .bind(&name)
                .fetch_optional(&mut *$tx)
                .await?;
            if taken.is_none() {
                break name;
            }
            n += 1;
            name = format!("{wanted}-{n}");
        }
    }};
}

/// Implements `IdentityStore` for a repository type with a `pool` and a `writer`.
macro_rules! impl_identity_store {
    ($repo:ty) => {
        #[async_trait::async_trait]
        impl $crate::server::db::IdentityStore for $repo {
            #[tracing::instrument(level = "debug", skip_all)]
            async fn sign_in_through_provider(
                &self,
                who: &$crate::server::db::ProviderIdentity,
            ) -> Result<$crate::server::db::ProviderSignIn, $crate::server::db::DbError> {
                use $crate::server::db::{NewAudit, ProviderSignIn, User};
                let mut tx = self.writer.begin().await?;
                let found: Option<User> = sqlx::query_as(concat!(
                    "SELECT ",
                    $crate::server::db::user_columns!(),
                    " FROM users WHERE oidc_issuer = $1 AND oidc_subject = $2"
                ))
                .bind(&who.issuer)
                .bind(&who.subject)
                .fetch_optional(&mut *tx)
                .await?;
                let line = |user: Option<&User>, action: &str, detail: String| NewAudit {
                    actor_id: user.map(|u| u.id),
                    actor: match user {
                        Some(u) => format!("user:{}", u.username),
                        None => format!("provider:{}", who.username),
                    },
                    action: action.to_owned(),
                    address: who.address.clone(),
                    detail,
                    ..NewAudit::default()
                };
                let outcome = match (found, who.grant) {
                    (Some(user), _) if user.disabled => {
                        let entry = line(Some(&user), "auth.sign_in_refused", "account disabled".into());
                        $crate::server::db::cases::audit_on!(tx, &entry, None, None);
                        ProviderSignIn::Disabled
                    }
                    (Some(user), None) => {
                        // The provider no longer gives this person a role here: the account
                        // is disabled and every session of it ends.
                        sqlx::query(
                            "UPDATE users SET disabled = TRUE, session_epoch = session_epoch + 1 WHERE id = $1",
                        )
                        .bind(user.id)
                        .execute(&mut *tx)
                        .await?;
                        let entry = line(Some(&user), "auth.sign_in_refused", "no role in the provider's claims: account disabled".into());
                        $crate::server::db::cases::audit_on!(tx, &entry, None, None);
                        ProviderSignIn::NoRole
                    }
                    (None, None) => {
                        let entry = line(None, "auth.sign_in_refused", "no role in the provider's claims".into());
                        $crate::server::db::cases::audit_on!(tx, &entry, None, None);
                        ProviderSignIn::NoRole
                    }
                    (Some(user), Some((role, team_id))) => {
                        sqlx::query(
                            "UPDATE users SET display_name = $1, role = $2, team_id = $3 WHERE id = $4",
                        )
                        .bind(&who.display_name)
                        .bind(role.as_str())
                        .bind(team_id)
                        .bind(user.id)
                        .execute(&mut *tx)
                        .await?;
                        let changed = user.role != role || user.team_id != team_id;
                        let detail = if changed {
                            format!("identity provider; role {role}, team {team_id:?} (was {}, {:?})", user.role, user.team_id)
                        } else {
                            "identity provider".to_owned()
                        };
                        $crate::server::db::cases::audit_on!(tx, &line(Some(&user), "auth.sign_in", detail), None, None);
                        ProviderSignIn::Admitted(User {
                            display_name: who.display_name.clone(),
                            role,
                            team_id,
                            ..user
                        })
                    }
                    (None, Some((role, team_id))) => {
                        let username = $crate::server::db::identity::free_username!(tx, &who.username);
                        let id: i64 = sqlx::query_scalar(
                            "INSERT INTO users (username, display_name, role, team_id, password_hash, \
                             must_change_password, disabled, created_at, oidc_issuer, oidc_subject) \
                             VALUES ($1, $2, $3, $4, $5, FALSE, FALSE, $6, $7, $8) RETURNING id",
                        )
                        .bind(&username)
                        .bind(&who.display_name)
                        .bind(role.as_str())
                        .bind(team_id)
                        .bind($crate::server::db::identity::NO_PASSWORD)
                        .bind(time::OffsetDateTime::now_utc())
                        .bind(&who.issuer)
                        .bind(&who.subject)
                        .fetch_all(&mut *tx)
                        .await
                        .and_then($crate::server::db::returned)?;
                        let user: User = sqlx::query_as(concat!(
                            "SELECT ",
                            $crate::server::db::user_columns!(),
                            " FROM users WHERE id = $1"
                        ))
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                        let made = line(Some(&user), "account.created", format!("user {id} from the identity provider: role {role}, team {team_id:?}"));
                        $crate::server::db::cases::audit_on!(tx, &made, None, None);
                        $crate::server::db::cases::audit_on!(tx, &line(Some(&user), "auth.sign_in", "identity provider".into()), None, None);
                        ProviderSignIn::Admitted(user)
                    }
                };
                tx.commit().await?;
                Ok(outcome)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn local_sign_in_for_everyone(&self) -> Result<bool, $crate::server::db::DbError> {
                let everyone: Option<bool> =
                    sqlx::query_scalar("SELECT local_for_everyone FROM sign_in_settings WHERE id = 1")
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(everyone.unwrap_or(true))
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn set_local_sign_in_for_everyone(
                &self,
                everyone: bool,
                trail: Option<&$crate::server::db::NewAudit>,
            ) -> Result<(), $crate::server::db::DbError> {
                let mut tx = self.writer.begin().await?;
                sqlx::query("UPDATE sign_in_settings SET local_for_everyone = $1 WHERE id = 1")
                    .bind(everyone)
                    .execute(&mut *tx)
                    .await?;
                $crate::server::db::cases::trail_on!(tx, trail, None, None);
                tx.commit().await?;
                Ok(())
            }
        }
    };
}
pub(crate) use {free_username, impl_identity_store};
