//! Staff sign in through a real OpenID provider in headless Chromium, on both databases: a
//! caseworker lands on their own team's caseload, signing out ends the provider's session
//! too, a manager lands on the dashboard, a person whose group is removed at the provider
//! is refused at the next sign-in and their old session ends, and tampered ID tokens
//! (signature, audience, issuer, expiry, a replayed nonce) are refused. The changed
//! sign-in pages have 0 axe violations in da, en and ar.

use digiparat::domain::role::Role;
use digiparat::server::db::NewCase;

use crate::cases_browser::{add_staff, sign_in};
use crate::helpers::axe::assert_no_violations;
use crate::helpers::chrome::{Browser, Js};
use crate::helpers::oidc::{PROVIDER_NAME, Provider, spawn_with_provider};
use crate::helpers::{Db, TestApp, TestResult, location};

/// Clicks "Sign in with …" and, when the provider asks, signs `login` in there.
async fn provider_sign_in(b: &Browser, app: &TestApp, login: &str) -> TestResult {
    b.goto(&app.url("/login?lang=en")).await;
    let button = b.find("#oidc-start").await.text().await?;
    assert_eq!(button, format!("Sign in with {PROVIDER_NAME}"));
    b.click_to_next_page("#oidc-start").await;
    if b.client
        .current_url()
        .await?
        .as_str()
        .contains("/interaction/")
    {
        b.find("input[name=login]").await.send_keys(login).await?;
        b.find("input[name=password]")
            .await
            .send_keys("any")
            .await?;
        b.click_to_next_page("button[type=submit]").await;
    }
    Ok(())
}

/// Signs out in the app and confirms at the provider; back on the app's front page.
async fn sign_out_everywhere(b: &Browser, app: &TestApp) -> TestResult {
    b.goto(&app.url("/account?lang=en")).await;
    b.click_to_next_page("form[action='/auth/logout'] button")
        .await;
    let at = b.client.current_url().await?;
    assert!(
        at.as_str().contains("/session/end"),
        "not sent to the provider: {at}"
    );
    b.click_to_next_page("button[value=yes]").await;
    assert!(
        b.client
            .current_url()
            .await?
            .as_str()
            .starts_with(&app.base_url)
    );
    Ok(())
}

async fn signed_in_as(b: &Browser, app: &TestApp) -> Option<String> {
    b.goto(&app.url("/account?lang=en")).await;
    let text = b.find("main").await.text().await.ok()?;
    (!text.contains("You are not signed in")).then_some(text)
}

async fn staff_sign_in_through_the_identity_provider(db: Db) -> TestResult {
    let (app, provider) = spawn_with_provider(db).await;
    let teams = app.db.teams().await?;
    for (team, reference) in teams
        .iter()
        .map(|t| (t.id, format!("{}-REF-1", t.name.replace(' ', ""))))
    {
        app.db
            .create_case(
                &NewCase {
                    reference,
                    birth_year: 1980,
                    team_id: team,
                    caseworker_id: None,
                },
                None,
            )
            .await?;
    }
    let b = Browser::start_with(Js::On, Some(320)).await;
    for lang in ["da", "en", "ar"] {
        b.goto(&app.url(&format!("/login?lang={lang}"))).await;
        assert_no_violations(&b, &format!("{lang} /login with a provider")).await;
        b.assert_no_horizontal_scroll(&format!("{lang} /login with a provider"))
            .await;
    }

    // The caseworker: through the provider onto her own team's caseload.
    provider_sign_in(&b, &app, "karen").await?;
    assert_eq!(b.path().await, "/cases");
    let caseload = b.find("main").await.text().await?;
    assert!(
        caseload.contains("TeamA-REF-1") && !caseload.contains("TeamB-REF-1"),
        "{caseload}"
    );

    // Signing out ends the provider's session too: the next sign-in asks again.
    sign_out_everywhere(&b, &app).await?;
    assert_eq!(signed_in_as(&b, &app).await, None);
    b.goto(&app.url("/login?lang=en")).await;
    b.click_to_next_page("#oidc-start").await;
    assert!(
        b.client
            .current_url()
            .await?
            .as_str()
            .contains("/interaction/"),
        "the provider's session survived"
    );

    // The manager lands on the dashboard.
    b.find("input[name=login]").await.send_keys("mads").await?;
    b.find("input[name=password]")
        .await
        .send_keys("any")
        .await?;
    b.click_to_next_page("button[type=submit]").await;
    assert_eq!(b.path().await, "/dashboard");
    sign_out_everywhere(&b, &app).await?;

    // Lone signs in; the provider then takes her group away.
    provider_sign_in(&b, &app, "lone").await?;
    assert_eq!(b.path().await, "/cases");
    let old_session = b
        .client
        .get_named_cookie("dp_session")
        .await?
        .value()
        .to_owned();
    provider.set_groups("lone", &[]).await;
    b.client.delete_cookie("dp_session").await?;
    provider_sign_in(&b, &app, "lone").await?;
    assert_eq!(b.path().await, "/login?error=oidc-no-role");
    let shown = b.find("#oidc-start-error").await.text().await?;
    assert!(shown.contains("does not give you access"), "{shown}");
    for lang in ["da", "en", "ar"] {
        b.goto(&app.url(&format!("/login?lang={lang}&error=oidc-no-role")))
            .await;
        assert_no_violations(&b, &format!("{lang} /login refused by role")).await;
    }
    let account = app.db.user_by_username("lone").await?.ok_or("no account")?;
    assert!(account.disabled, "the account was not disabled");
    let res = app
        .client()
        .get(app.url("/cases"))
        .header("cookie", format!("dp_session={old_session}"))
        .send()
        .await?;
    assert_eq!(location(&res), "/login", "the old session still works");

    // Tampered ID tokens. Karen signs in for real first (the provider keeps her token
    // for the replay); each spoilt token is then refused and signs nobody in.
    b.goto(&format!("{}/session/end", provider.issuer)).await;
    b.click_to_next_page("button[value=yes]").await;
    provider_sign_in(&b, &app, "karen").await?;
    assert_eq!(b.path().await, "/cases");
    for mode in ["signature", "audience", "issuer", "expired", "replay"] {
        b.client.delete_cookie("dp_session").await?;
        tamper_and_expect_refusal(&b, &app, &provider, mode).await?;
    }
    // Unspoilt, the same sign-in works.
    b.client.delete_cookie("dp_session").await?;
    provider_sign_in(&b, &app, "karen").await?;
    assert_eq!(b.path().await, "/cases");
    b.close().await;
    Ok(())
}

async fn tamper_and_expect_refusal(
    b: &Browser,
    app: &TestApp,
    provider: &Provider,
    mode: &str,
) -> TestResult {
    provider.tamper(mode).await;
    provider_sign_in(b, app, "karen").await?;
    assert_eq!(
        b.path().await,
        "/login?error=oidc",
        "a token with a bad {mode} was taken"
    );
    assert_eq!(
        signed_in_as(b, app).await,
        None,
        "signed in with a bad {mode}"
    );
    Ok(())
}

/// The administrator's sign-in settings, in every language.
async fn the_sign_in_settings_are_accessible(db: Db) -> TestResult {
    let (app, _provider) = spawn_with_provider(db).await;
    add_staff(&app, "ida", "Ida Admin", Role::Admin, None).await?;
    let b = Browser::start_with(Js::On, Some(320)).await;
    sign_in(&app, &b, "ida").await?;
    b.goto(&app.url("/admin?lang=en")).await;
    b.find("#local-admins").await.click().await?;
    b.click_to_next_page("form[action='/admin/sign-in'] button")
        .await;
    assert!(!app.db.local_sign_in_for_everyone().await?);
    for lang in ["da", "en", "ar"] {
        b.goto(&app.url(&format!("/admin?lang={lang}&saved=sign_in")))
            .await;
        assert!(b.find("#local-admins").await.is_selected().await?);
        assert_no_violations(&b, &format!("{lang} /admin with sign-in settings")).await;
        b.assert_no_horizontal_scroll(&format!("{lang} /admin with sign-in settings"))
            .await;
    }
    b.close().await;
    Ok(())
}

crate::both_backends!(
    staff_sign_in_through_the_identity_provider,
    the_sign_in_settings_are_accessible
);
