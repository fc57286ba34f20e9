//! Protections around the forms on both databases: cross-site posts refused (CSRF),
//! sign-in throttled per account and per address, the security headers with a nonce on
//! every inline script, and account administration (one-time passwords, disabling).

use std::net::{IpAddr, Ipv4Addr};

use digiparat::domain::role::Role;

use crate::both_backends;
use crate::cases::{PASSWORD, staff};
use crate::helpers::{Db, TestResult, location, spawn_app};
use crate::self_flow::device;

both_backends!(
    cross_site_posts_are_refused,
    sign_in_is_throttled_per_account_and_per_address,
    administrators_manage_accounts_and_teams,
);

/// A cookie-keeping client that connects from another loopback address.
fn device_from(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .default_headers(crate::helpers::same_origin())
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

async fn cross_site_posts_are_refused(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let team = app.db.create_team("Team C", None).await?;
    let (cw, _) = staff(&app, "carl", Role::Caseworker, Some(team)).await?;
    let own_origin = app.base_url.clone();
    for (path, body) in [
        (
            "/cases",
            vec![("reference", "CSRF-1"), ("birth_year", "1980")],
        ),
        ("/self/start", vec![]),
        ("/auth/logout", vec![]),
    ] {
        for (header, value) in [
            ("origin", "http://evil.example"),
            ("origin", "null"),
            ("referer", "http://evil.example/page"),
            ("sec-fetch-site", "cross-site"),
        ] {
            let res = cw
                .post(app.url(path))
                .header(header, value)
                .form(&body)
                .send()
                .await?;
            assert_eq!(res.status(), 403, "{path} with {header}: {value}");
        }
    }
    // A post with neither Origin nor Referer nor Sec-Fetch-Site: same-origin (#12).
    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let res = bare.post(app.url("/self/start")).send().await?;
    assert_eq!(res.status(), 403, "a post without Origin or Referer");
    let res = bare
        .post(app.url("/self/start"))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await?;
    assert_eq!(res.status(), 303);
    // Other systems' JSON API needs none of them.
    let res = bare
        .post(app.url("/api/v1/score"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await?;
    assert_ne!(res.status(), 403);
    let team_cases = app.db.cases_of_team(team).await?;
    assert!(team_cases.is_empty(), "a cross-site post created a case");
    // Still signed in: the cross-site logout did nothing.
    let page = cw.get(app.url("/cases")).send().await?;
    assert_eq!(page.status(), 200);
    // The same post from the service's own pages works.
    let res = cw
        .post(app.url("/cases"))
        .header("origin", own_origin.as_str())
        .form(&[("reference", "CSRF-1"), ("birth_year", "1980")])
        .send()
        .await?;
    assert!(location(&res).starts_with("/cases/"), "{}", location(&res));

    // Security headers, and a nonce on every inline script matching the policy's.
    let res = device().get(app.url("/self/intro")).send().await?;
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let csp = header("content-security-policy");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"));
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("referrer-policy"), "same-origin");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .ok_or("no nonce in the policy")?
        .to_owned();
    let html = res.text().await?;
    let inline_scripts = html
        .split("<script")
        .skip(1)
        .filter(|s| !s.split('>').next().unwrap_or_default().contains("src="))
        .count();
    let with_nonce = html.matches(&format!("nonce=\"{nonce}\"")).count();
    assert!(inline_scripts > 0, "no inline script to check");
    assert!(
        with_nonce >= inline_scripts,
        "{inline_scripts} inline scripts, {with_nonce} nonces"
    );
    let again = device().get(app.url("/self/intro")).send().await?;
    let csp2 = again
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert_ne!(csp, csp2, "the nonce is reused");
    Ok(())
}

async fn sign_in_is_throttled_per_account_and_per_address(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    for name in ["alice", "bob"] {
        crate::accounts::add_user(&app, name, Role::Manager, PASSWORD).await?;
    }
    let login = |dev: reqwest::Client, name: &'static str, password: &'static str| {
        let url = app.url("/auth/login");
        async move {
            let res = dev
                .post(url)
                .form(&[("username", name), ("password", password)])
                .send()
                .await?;
            Ok::<String, reqwest::Error>(location(&res))
        }
    };
    // (The guessable routes also allow an address 10 tries at once, then one every 6 s:
    // this test stays within that.)
    let here = device_from(11);
    for _ in 0..5 {
        assert_eq!(
            login(here.clone(), "alice", "wrong").await?,
            "/login?error=invalid"
        );
    }
    // Nobody can lock alice out: from another address she gets in at once (#12).
    assert_eq!(
        login(device_from(12), "alice", PASSWORD).await?,
        "/dashboard"
    );
    // From the guessing address she has to wait a little (back-off), never for long.
    assert_eq!(
        login(here.clone(), "alice", PASSWORD).await?,
        "/login?error=throttled"
    );
    let page = here
        .get(app.url("/login?error=throttled"))
        .send()
        .await?
        .text()
        .await?;
    assert!(page.contains("For mange forsøg"), "no throttling message");
    // Another account at the same address is not held up by alice's failures.
    assert_eq!(login(here.clone(), "bob", PASSWORD).await?, "/dashboard");
    // After 5 failures the wait is 1 s.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(login(here.clone(), "alice", PASSWORD).await?, "/dashboard");
    // A successful sign-in forgets the account's earlier failures from that address.
    for _ in 0..4 {
        login(device_from(14), "bob", "wrong").await?;
    }
    assert_eq!(login(device_from(14), "bob", PASSWORD).await?, "/dashboard");
    for _ in 0..4 {
        login(device_from(14), "bob", "wrong").await?;
    }
    assert_eq!(login(device_from(14), "bob", PASSWORD).await?, "/dashboard");
    Ok(())
}

async fn administrators_manage_accounts_and_teams(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let (admin, admin_id) = staff(&app, "ada", Role::Admin, None).await?;
    let res = admin
        .post(app.url("/admin/teams"))
        .form(&[("team_name", "Jobcenter Midt")])
        .send()
        .await?;
    assert_eq!(location(&res), "/admin?created=team#teams");
    let dup = admin
        .post(app.url("/admin/teams"))
        .form(&[("team_name", "Jobcenter Midt")])
        .send()
        .await?;
    assert_eq!(location(&dup), "/admin?error=team_name_taken");
    let team = app
        .db
        .teams()
        .await?
        .into_iter()
        .find(|t| t.name == "Jobcenter Midt")
        .ok_or("team missing")?;

    let without_team = admin
        .post(app.url("/admin/users"))
        .form(&[
            ("username", "nina"),
            ("display_name", "Nina"),
            ("role", "caseworker"),
            ("team", ""),
        ])
        .send()
        .await?;
    assert_eq!(location(&without_team), "/admin?error=team_required");
    let team_id = team.id.to_string();
    let created = admin
        .post(app.url("/admin/users"))
        .form(&[
            ("username", "Nina"),
            ("display_name", "Nina Berg"),
            ("role", "caseworker"),
            ("team", team_id.as_str()),
        ])
        .send()
        .await?;
    let user_page = location(&created);
    assert!(user_page.starts_with("/admin/users/"), "{user_page}");
    let page = admin.get(app.url(&user_page)).send().await?.text().await?;
    let password = page
        .split("data-password=\"\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .ok_or("the one-time password is not shown")?
        .to_owned();
    let again = admin.get(app.url(&user_page)).send().await?.text().await?;
    assert!(
        !again.contains(&password),
        "the one-time password is shown twice"
    );

    let nina = device_from(21);
    let first = nina
        .post(app.url("/auth/login"))
        .form(&[("username", "nina"), ("password", password.as_str())])
        .send()
        .await?;
    assert_eq!(
        location(&first),
        "/account/password",
        "must change the password first"
    );

    // Disabling ends her access; the last administrator cannot be disabled.
    let disable = admin
        .post(app.url(&user_page))
        .form(&[
            ("display_name", "Nina Berg"),
            ("role", "caseworker"),
            ("team", team_id.as_str()),
            ("disabled", "yes"),
        ])
        .send()
        .await?;
    assert_eq!(location(&disable), format!("{user_page}?saved=1"));
    assert_eq!(nina.get(app.url("/cases")).send().await?.status(), 303);
    // The last active administrator can be neither disabled nor demoted (the first
    // administrator, made at start-up, is disabled so that Ada is the last).
    let first_admin = app.db.user_by_username("admin").await?.ok_or("no admin")?;
    app.db.set_disabled(first_admin.id, true).await?;
    for form in [
        vec![
            ("display_name", "Ada"),
            ("role", "admin"),
            ("disabled", "yes"),
        ],
        vec![("display_name", "Ada"), ("role", "manager")],
    ] {
        let last = admin
            .post(app.url(&format!("/admin/users/{admin_id}")))
            .form(&form)
            .send()
            .await?;
        assert_eq!(
            location(&last),
            format!("/admin/users/{admin_id}?error=last_admin")
        );
    }

    // A reset gives a new one-time password; the old one stops working.
    let nina_id: i64 = user_page.trim_start_matches("/admin/users/").parse()?;
    app.db.set_disabled(nina_id, false).await?;
    let reset = admin
        .post(app.url(&format!("{user_page}/password")))
        .send()
        .await?;
    assert_eq!(location(&reset), user_page);
    let fresh = device_from(22)
        .post(app.url("/auth/login"))
        .form(&[("username", "nina"), ("password", password.as_str())])
        .send()
        .await?;
    assert_eq!(location(&fresh), "/login?error=invalid");
    // Others cannot administrate.
    let (cw, _) = staff(&app, "carla", Role::Caseworker, Some(team.id)).await?;
    let refused = cw
        .post(app.url("/admin/teams"))
        .form(&[("team_name", "Sneaky")])
        .send()
        .await?;
    assert_eq!(refused.status(), 403);
    Ok(())
}
