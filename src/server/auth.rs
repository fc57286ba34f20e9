//! Staff sign-in: argon2id password hashes, database-backed sessions (shared by every app
//! instance on the same database), and the first administrator on a new installation.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

use crate::domain::role::Role;
use crate::server::db::{DbError, NewUser, Repository, Sessions, User};

const USER_KEY: &str = "user_id";
/// The account's session generation when this session was signed in.
const EPOCH_KEY: &str = "session_epoch";
/// Shortest password accepted when a person chooses one.
pub const MIN_PASSWORD_LEN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("could not hash the password: {0}")]
    Hash(String),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("the session store failed: {0}")]
    Session(String),
}

impl From<AuthError> for crate::error::AppError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Db(db) => db.into(),
            other => crate::error::AppError::broken(format!("sign-in: {other}")),
        }
    }
}

/// An argon2id hash in PHC format, with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Hashes on a blocking thread: argon2 takes tens of milliseconds of CPU, which would
/// stall every other request on the async executor.
pub async fn hash_password_off_executor(password: String) -> Result<String, AuthError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AuthError::Hash(e.to_string()))?
}

/// Whether `password` matches `hash`, checked on a blocking thread. Without a hash (an
/// unknown username) it is checked against a dummy hash, so that a sign-in takes as long
/// whether or not the account exists.
pub async fn password_matches(password: String, hash: Option<String>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    tokio::task::spawn_blocking(move || {
        let hash = hash.unwrap_or_else(|| {
            DUMMY
                .get_or_init(|| hash_password("not anybody's password").unwrap_or_default())
                .clone()
        });
        verify_password(&password, &hash)
    })
    .await
    .unwrap_or(false)
}

/// The session layer: an HttpOnly, SameSite=Lax cookie that expires after 8 idle hours,
/// signed with a key derived from `DIGIPARAT_SESSION_SECRET`. A cookie not signed with it
/// (forged, or from before the secret was changed) is no session: changing the secret
/// signs everybody out, and several app instances share sessions only if they share it.
pub fn session_layer(
    sessions: Sessions,
    secure_cookies: bool,
    secret: &crate::server::config::Secret,
) -> SessionManagerLayer<Sessions, tower_sessions::service::SignedCookie> {
    use blake2::Digest;
    let key = tower_sessions::cookie::Key::from(&blake2::Blake2b512::digest(secret.expose()));
    SessionManagerLayer::new(sessions)
        .with_signed(key)
        .with_name("dp_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure_cookies)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::hours(8),
        ))
}

/// The signed-in staff member, if any. A disabled account counts as signed out, and so
/// does a session signed in before the account's password changed or was reset, or the
/// account was disabled (its session generation has moved on): that session is ended.
pub async fn current_user(
    session: &Session,
    db: &dyn Repository,
) -> Result<Option<User>, AuthError> {
    let session_error = |e: tower_sessions::session::Error| AuthError::Session(e.to_string());
    let id: Option<i64> = session.get(USER_KEY).await.map_err(session_error)?;
    let Some(id) = id else { return Ok(None) };
    let epoch: i64 = session
        .get(EPOCH_KEY)
        .await
        .map_err(session_error)?
        .unwrap_or(0);
    match db.user(id).await? {
        Some(user) if !user.disabled && user.session_epoch == epoch => Ok(Some(user)),
        _ => {
            session.flush().await.map_err(session_error)?;
            Ok(None)
        }
    }
}

/// Signs in: a new session id (against fixation), then the user and the account's
/// current session generation.
pub async fn sign_in(session: &Session, user: &User) -> Result<(), AuthError> {
    let session_error = |e: tower_sessions::session::Error| AuthError::Session(e.to_string());
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(USER_KEY, user.id)
        .await
        .map_err(session_error)?;
    session
        .insert(EPOCH_KEY, user.session_epoch)
        .await
        .map_err(session_error)
}

pub async fn sign_out(session: &Session) -> Result<(), AuthError> {
    session
        .flush()
        .await
        .map_err(|e| AuthError::Session(e.to_string()))
}

/// On a new installation, creates the administrator `admin`. Returns the one-time password
/// to print when it was generated (not when it came from `DIGIPARAT_ADMIN_PASSWORD`).
pub async fn ensure_admin(
    db: &dyn Repository,
    configured: Option<&str>,
) -> Result<Option<String>, AuthError> {
    if db.count_active_admins().await? > 0 {
        return Ok(None);
    }
    let generated = configured.is_none().then(one_time_password);
    let password = configured
        .map(str::to_owned)
        .or_else(|| generated.clone())
        .unwrap_or_default();
    db.create_user(
        &NewUser {
            username: "admin".into(),
            display_name: "Administrator".into(),
            role: Role::Admin,
            team_id: None,
            password_hash: hash_password(&password)?,
            must_change_password: true,
        },
        None,
    )
    .await?;
    Ok(generated)
}

/// 16 characters from an alphabet without look-alikes, ≈ 80 bits.
pub fn one_time_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzACDEFHJKLMNPRTUVWXY34679";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() -> Result<(), AuthError> {
        let a = hash_password("correct horse battery")?;
        let b = hash_password("correct horse battery")?;
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "no salt");
        assert!(verify_password("correct horse battery", &a));
        assert!(!verify_password("correct horse battery!", &a));
        assert!(!verify_password("anything", "not a hash"));
        assert_eq!(one_time_password().len(), 16);
        Ok(())
    }
}
