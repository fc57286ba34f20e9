//! Staff sign-in through a real OpenID provider (oidc-provider from npm), over HTTP, on
//! both databases: accounts made and kept up to date from the claims, a missing team in
//! the mapping, an unreachable provider, password sign-in kept for the break-glass
//! administrator only, and every step in the audit trail.

use digiparat::domain::role::Role;
use digiparat::server::db::{AuditFilter, Repository};

use crate::cases_browser::add_staff;
use crate::helpers::oidc::{browser_like, sign_in_through_provider, spawn_with_provider};
use crate::helpers::{Db, TestApp, TestResult, location, spawn_app};

async fn actions(
    db: &dyn Repository,
    actor: &str,
) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
    let mut lines: Vec<String> = db
        .audit_entries(&AuditFilter {
            actor: Some(actor.into()),
            limit: 1000,
            ..AuditFilter::default()
        })
        .await?
        .into_iter()
        .map(|e| format!("{} {}", e.entry.action, e.entry.detail))
        .collect();
    lines.reverse();
    Ok(lines)
}

async fn password_login(
    app: &TestApp,
    username: &str,
    password: &str,
) -> Result<String, reqwest::Error> {
    crate::accounts::login(app, &app.client(), username, password).await
}

async fn accounts_follow_the_providers_claims(db: Db) -> TestResult {
    let (app, provider) = spawn_with_provider(db).await;
    let team_a = app
        .db
        .teams()
        .await?
        .into_iter()
        .find(|t| t.name == "Team A")
        .ok_or("no team")?;

    // First sign-in: the account is made with the mapped role and team, no password.
    let karen = browser_like();
    assert_eq!(
        sign_in_through_provider(&app, &karen, "karen").await?,
        "/cases"
    );
    let account = app
        .db
        .user_by_username("karen")
        .await?
        .ok_or("no account made")?;
    assert_eq!(
        (account.role, account.team_id),
        (Role::Caseworker, Some(team_a.id))
    );
    assert_eq!(account.display_name, "Karen Caseworker");
    assert_eq!(account.oidc_subject.as_deref(), Some("karen"));
    assert!(
        !account.password_hash.starts_with("$argon2"),
        "a password hash was stored"
    );
    let page = karen
        .get(app.url("/account?lang=en"))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        page.contains("Karen Caseworker") && !page.contains("/account/password"),
        "{page}"
    );
    // No password opens it, not even the marker stored in its place.
    for (password, error) in [
        ("", "missing"),
        ("!identity-provider", "invalid"),
        ("any", "invalid"),
    ] {
        assert_eq!(
            password_login(&app, "karen", password).await?,
            format!("/login?error={error}")
        );
    }

    let page = karen
        .get(app.url("/account/password?lang=en"))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        page.contains("You sign in with your work account") && !page.contains("id=\"current\""),
        "{page}"
    );
    // An administrator cannot give it a password either.
    add_staff(&app, "ida", "Ida Admin", Role::Admin, None).await?;
    let admin = browser_like();
    admin
        .post(app.url("/auth/login"))
        .form(&[("username", "ida"), ("password", crate::cases::PASSWORD)])
        .send()
        .await?;
    let res = admin
        .post(app.url(&format!("/admin/users/{}/password", account.id)))
        .send()
        .await?;
    assert_eq!(res.url().query(), Some("error=external_password"));
    let after = app.db.user(account.id).await?.ok_or("account gone")?;
    assert_eq!(
        after.password_hash, account.password_hash,
        "a password was set"
    );
    let page = admin
        .get(app.url(&format!("/admin/users/{}?lang=en", account.id)))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        page.contains("It has no password here") && !page.contains("/password\""),
        "{page}"
    );

    // The provider moves her to the managers: the next sign-in follows, same account.
    provider.set_groups("karen", &["dp-managers"]).await;
    assert_eq!(
        sign_in_through_provider(&app, &karen, "karen").await?,
        "/dashboard"
    );
    let moved = app
        .db
        .user_by_username("karen")
        .await?
        .ok_or("account gone")?;
    assert_eq!(
        (moved.id, moved.role, moved.team_id),
        (account.id, Role::Manager, None)
    );
    assert_eq!(
        app.db
            .users()
            .await?
            .iter()
            .filter(|u| u.oidc_subject.is_some())
            .count(),
        1
    );

    // A group mapped to a team that does not exist: refused, no account made.
    provider.set_groups("lone", &["dp-ghosts"]).await;
    let lone = browser_like();
    assert_eq!(
        sign_in_through_provider(&app, &lone, "lone").await?,
        "/login?error=oidc"
    );
    assert!(app.db.user_by_username("lone").await?.is_none());

    // A local account with the same name as a provider's user keeps its name; the
    // provider's user gets another.
    add_staff(
        &app,
        "mads",
        "Mads Local",
        Role::Caseworker,
        Some(team_a.id),
    )
    .await?;
    assert_eq!(
        sign_in_through_provider(&app, &browser_like(), "mads").await?,
        "/dashboard"
    );
    let local = app
        .db
        .user_by_username("mads")
        .await?
        .ok_or("local mads gone")?;
    assert_eq!(
        (local.display_name.as_str(), local.oidc_subject.as_deref()),
        ("Mads Local", None)
    );
    let from_provider = app
        .db
        .user_by_username("mads-2")
        .await?
        .ok_or("no mads-2")?;
    assert_eq!(
        (from_provider.role, from_provider.oidc_subject.as_deref()),
        (Role::Manager, Some("mads"))
    );

    let trail: Vec<String> = actions(app.db.as_ref(), "karen")
        .await?
        .into_iter()
        .filter(|a| a.starts_with("auth.") || a.starts_with("account."))
        .collect();
    assert_eq!(trail.len(), 3, "{trail:?}");
    assert!(
        trail[0].starts_with("account.created user ") && trail[0].contains("role caseworker"),
        "{trail:?}"
    );
    assert_eq!(trail[1], "auth.sign_in identity provider");
    assert!(
        trail[2].starts_with("auth.sign_in identity provider; role manager"),
        "{trail:?}"
    );
    Ok(())
}

async fn password_sign_in_can_be_kept_for_the_break_glass_administrator(db: Db) -> TestResult {
    let (app, _provider) = spawn_with_provider(db).await;
    let team = app.db.teams().await?[0].id;
    add_staff(&app, "ida", "Ida Admin", Role::Admin, None).await?;
    add_staff(&app, "carl", "Carl Local", Role::Caseworker, Some(team)).await?;
    let password = crate::cases::PASSWORD;
    // By default every local account may still use its password.
    assert_eq!(password_login(&app, "carl", password).await?, "/cases");

    let admin = browser_like();
    let res = admin
        .post(app.url("/auth/login"))
        .form(&[("username", "ida"), ("password", password)])
        .send()
        .await?;
    assert_eq!(res.url().path(), "/admin");
    let page = admin
        .get(app.url("/admin?lang=en"))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        page.contains("Testkommune") && page.contains("id=\"local-admins\""),
        "no sign-in settings"
    );
    // A choice that is neither: named, nothing changed.
    let res = admin
        .post(app.url("/admin/sign-in"))
        .form(&[("local", "nobody")])
        .send()
        .await?;
    assert_eq!(res.url().query(), Some("error=sign_in_choice"));
    assert!(app.db.local_sign_in_for_everyone().await?);
    let res = admin
        .post(app.url("/admin/sign-in"))
        .form(&[("local", "admins")])
        .send()
        .await?;
    assert_eq!(res.url().query(), Some("saved=sign_in"));
    assert!(!app.db.local_sign_in_for_everyone().await?);

    // Carl's right password no longer opens his account; the administrator's still does.
    assert_eq!(
        password_login(&app, "carl", password).await?,
        "/login?error=local-off"
    );
    assert_eq!(
        password_login(&app, "carl", "wrong password").await?,
        "/login?error=invalid"
    );
    assert_eq!(password_login(&app, "ida", password).await?, "/admin");
    let page = app
        .client()
        .get(app.url("/login?lang=en&error=local-off"))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        page.contains("only for the emergency administrator"),
        "{page}"
    );

    assert!(
        actions(app.db.as_ref(), "ida")
            .await?
            .contains(&"settings.sign_in password sign-in: local administrators only".to_owned())
    );
    assert!(actions(app.db.as_ref(), "carl").await?.contains(
        &"auth.sign_in_refused password sign-in is for local administrators only".to_owned()
    ));
    Ok(())
}

async fn an_unreachable_provider_ends_on_the_sign_in_page(db: Db) -> TestResult {
    let port = crate::helpers::chrome::free_port().to_string();
    let issuer = format!("http://127.0.0.1:{port}");
    let app = crate::helpers::app::spawn_app_with(
        db,
        &[
            ("DIGIPARAT_OIDC_ISSUER", &issuer),
            ("DIGIPARAT_OIDC_CLIENT_ID", "x"),
            ("DIGIPARAT_OIDC_CLIENT_SECRET", "y"),
            ("DIGIPARAT_OIDC_ROLES", "g=manager"),
        ],
    )
    .await;
    let res = app.client().get(app.url("/auth/oidc/start")).send().await?;
    assert_eq!(location(&res), "/login?error=oidc");
    // An answer nobody asked for (no sign-in started in this session) changes nothing.
    let res = app
        .client()
        .get(app.url("/auth/oidc/callback?code=abc&state=xyz"))
        .send()
        .await?;
    assert_eq!(location(&res), "/login?error=oidc");
    let page = app
        .client()
        .get(app.url("/login?lang=en&error=oidc"))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        page.contains("did not work") && page.contains("Sign in with 127.0.0.1"),
        "{page}"
    );
    // Without a provider the routes say so plainly.
    let plain = spawn_app(db).await;
    let res = plain
        .client()
        .get(plain.url("/auth/oidc/start"))
        .send()
        .await?;
    assert_eq!(location(&res), "/login?error=oidc-off");
    let page = plain
        .client()
        .get(plain.url("/login?lang=en"))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        !page.contains("oidc-start"),
        "a provider button without a provider"
    );
    Ok(())
}

crate::both_backends!(
    accounts_follow_the_providers_claims,
    password_sign_in_can_be_kept_for_the_break_glass_administrator,
    an_unreachable_provider_ends_on_the_sign_in_page,
);
