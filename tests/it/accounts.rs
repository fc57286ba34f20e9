//! Staff accounts on both databases: the first administrator, signing in and out,
//! the forced password change, and sessions shared by two app instances on PostgreSQL.

use digiparat::domain::role::Role;
use digiparat::server::auth::hash_password;
use digiparat::server::db::NewUser;

use crate::both_backends;
use crate::helpers::app::{fresh_pg_database, spawn_configured, spawn_with};
use crate::helpers::{Db, TestApp, TestResult, location, spawn_app};
use crate::self_flow::device;

both_backends!(
    first_start_creates_one_admin_who_must_change_password,
    caseworker_signs_in_and_out
);

pub async fn add_user(
    app: &TestApp,
    username: &str,
    role: Role,
    password: &str,
) -> Result<i64, Box<dyn std::error::Error + Send + Sync>> {
    Ok(app
        .db
        .create_user(
            &NewUser {
                username: username.into(),
                display_name: format!("Test {username}"),
                role,
                team_id: None,
                password_hash: hash_password(password)?,
                must_change_password: false,
            },
            None,
        )
        .await?)
}

pub(crate) async fn login(
    app: &TestApp,
    dev: &reqwest::Client,
    username: &str,
    password: &str,
) -> Result<String, reqwest::Error> {
    let res = dev
        .post(app.url("/auth/login"))
        .form(&[("username", username), ("password", password)])
        .send()
        .await?;
    Ok(location(&res))
}

async fn first_start_creates_one_admin_who_must_change_password(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    assert_eq!(app.db.count_active_admins().await?, 1);
    let admin = app.db.user_by_username("admin").await?.ok_or("no admin")?;
    assert_eq!(admin.role, Role::Admin);
    assert!(admin.must_change_password);
    assert!(admin.password_hash.starts_with("$argon2id$"));
    // A known password for the rest of the test, still to be changed at first sign-in.
    app.db
        .set_password(admin.id, &hash_password("one-time-password-1")?, true, None)
        .await?;
    let dev = device();
    assert_eq!(
        login(&app, &dev, "admin", "one-time-password-1").await?,
        "/account/password"
    );
    let change = |current: &'static str, new: &'static str, confirm: &'static str| {
        let req = dev.post(app.url("/auth/password")).form(&[
            ("current", current),
            ("new", new),
            ("confirm", confirm),
        ]);
        async move { req.send().await.map(|r| location(&r)) }
    };
    assert_eq!(
        change("wrong", "a-much-better-secret", "a-much-better-secret").await?,
        "/account/password?error=current"
    );
    assert_eq!(
        change("one-time-password-1", "short", "short").await?,
        "/account/password?error=short"
    );
    assert_eq!(
        change(
            "one-time-password-1",
            "a-much-better-secret",
            "a-much-better-secre"
        )
        .await?,
        "/account/password?error=confirm"
    );
    assert_eq!(
        change(
            "one-time-password-1",
            "a-much-better-secret",
            "a-much-better-secret"
        )
        .await?,
        "/admin"
    );
    assert!(
        !app.db
            .user(admin.id)
            .await?
            .ok_or("admin vanished")?
            .must_change_password
    );
    let fresh = device();
    assert_eq!(
        login(&app, &fresh, "admin", "one-time-password-1").await?,
        "/login?error=invalid"
    );
    assert_eq!(
        login(&app, &fresh, "admin", "a-much-better-secret").await?,
        "/admin"
    );
    Ok(())
}

async fn caseworker_signs_in_and_out(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    add_user(&app, "kirsten", Role::Caseworker, "kirstens-long-password").await?;
    let dev = device();
    assert_eq!(
        login(&app, &dev, "kirsten", "nope").await?,
        "/login?error=invalid"
    );
    assert_eq!(
        login(&app, &dev, "nobody", "kirstens-long-password").await?,
        "/login?error=invalid"
    );
    assert_eq!(login(&app, &dev, "", "").await?, "/login?error=missing");
    let page = dev.get(app.url("/account")).send().await?.text().await?;
    assert!(
        page.contains("Du er ikke logget ind"),
        "signed in after failures"
    );

    assert_eq!(
        login(&app, &dev, "kirsten", "kirstens-long-password").await?,
        "/cases"
    );
    let page = dev.get(app.url("/account")).send().await?.text().await?;
    assert!(
        page.contains(r#"data-role="caseworker""#) && page.contains("Test kirsten"),
        "{page}"
    );
    let out = dev.post(app.url("/auth/logout")).send().await?;
    assert_eq!(location(&out), "/");
    let page = dev.get(app.url("/account")).send().await?.text().await?;
    assert!(
        page.contains("Du er ikke logget ind"),
        "still signed in after logout"
    );
    Ok(())
}

/// Two app instances on one PostgreSQL database with one session secret: a session made on
/// one works on the other. A third with another secret does not accept the cookie.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_shared_by_two_instances_on_postgres() -> TestResult {
    let url = fresh_pg_database().await;
    let secret = [(
        "DIGIPARAT_SESSION_SECRET",
        "shared-by-every-instance-0123456789",
    )];
    let first = spawn_configured(tempfile::tempdir()?, url.clone(), &secret).await;
    let second = spawn_configured(tempfile::tempdir()?, url.clone(), &secret).await;
    let stranger = spawn_with(tempfile::tempdir()?, url).await;
    assert_eq!(
        second.db.count_active_admins().await?,
        1,
        "the second instance made another admin"
    );
    add_user(&first, "jonas", Role::Manager, "jonas-long-password").await?;
    let dev = device();
    assert_eq!(
        login(&first, &dev, "jonas", "jonas-long-password").await?,
        "/dashboard"
    );
    // Cookies are not port-bound, so the same browser sends the session to both instances.
    let page = dev.get(second.url("/account")).send().await?.text().await?;
    assert!(
        page.contains(r#"data-role="manager""#),
        "the second instance does not know the session"
    );
    let page = dev
        .get(stranger.url("/account"))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        page.contains("Du er ikke logget ind"),
        "an instance with another secret accepted the session cookie"
    );
    dev.post(second.url("/auth/logout")).send().await?;
    let page = dev.get(first.url("/account")).send().await?.text().await?;
    assert!(
        page.contains("Du er ikke logget ind"),
        "logout on one instance did not end the session"
    );
    Ok(())
}

/// A "browser" signed in with a fresh account of `role`.
pub async fn signed_in_device(
    app: &TestApp,
    role: Role,
) -> Result<reqwest::Client, Box<dyn std::error::Error + Send + Sync>> {
    let name = format!(
        "{}-{:x}",
        role.as_str(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_nanos()
    );
    add_user(app, &name, role, "a-long-test-password").await?;
    let dev = device();
    let to = login(app, &dev, &name, "a-long-test-password").await?;
    assert!(
        !to.starts_with("/login"),
        "could not sign in as {role}: {to}"
    );
    Ok(dev)
}

/// Interviews are for caseworkers: anonymous people are sent to sign in, other roles refused.
#[tokio::test]
async fn only_caseworkers_reach_interviews() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let anonymous = device();
    assert_eq!(
        location(&anonymous.get(app.url("/interview")).send().await?),
        "/login"
    );
    assert_eq!(
        location(&anonymous.post(app.url("/interview/start")).send().await?),
        "/login"
    );
    let caseworker = signed_in_device(&app, Role::Caseworker).await?;
    let token = crate::interview::start_interview(&app, &caseworker).await?;
    for role in [Role::Manager, Role::Admin] {
        let dev = signed_in_device(&app, role).await?;
        assert_eq!(
            dev.get(app.url("/interview")).send().await?.status(),
            403,
            "{role}"
        );
        assert_eq!(
            dev.get(app.url(&format!("/interview/{token}")))
                .send()
                .await?
                .status(),
            403,
            "{role}"
        );
        assert_eq!(
            dev.post(app.url("/interview/start")).send().await?.status(),
            403,
            "{role}"
        );
        let res = dev
            .post(app.url(&format!("/interview/{token}/answers")))
            .form(&[("A1", "none")])
            .send()
            .await?;
        assert_eq!(res.status(), 403, "{role}");
    }
    assert_eq!(
        location(
            &anonymous
                .get(app.url(&format!("/interview/{token}/result")))
                .send()
                .await?
        ),
        "/login"
    );
    let a = app.db.assessment_by_token(&token).await?.ok_or("missing")?;
    assert!(
        app.db.answers(a.id).await?.is_empty(),
        "a refused post was stored"
    );
    Ok(())
}
