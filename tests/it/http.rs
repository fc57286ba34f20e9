//! The HTTP surface without a browser: health, pages, language, the no-JS form path.

use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};

use crate::both_backends;
use crate::helpers::{Db, TestResult, spawn_app};

/// What a browser sends with a plain form post; it tells the server to answer with a redirect.
const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

both_backends!(
    healthz_reports_the_database,
    landing_page_renders_in_danish_by_default
);

async fn healthz_reports_the_database(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let res = app.client().get(app.url("/healthz")).send().await?;
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await?;
    let backend = match db {
        Db::Sqlite => "sqlite",
        Db::Postgres => "postgres",
    };
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], backend);
    assert_eq!(body["checks"]["read"], "ok");
    assert_eq!(body["checks"]["write"], "ok", "a write did not commit");
    if db == Db::Sqlite {
        assert_eq!(body["checks"]["disk"]["status"], "ok");
        assert!(body["checks"]["disk"]["free_bytes"].as_u64().is_some());
    }
    Ok(())
}

async fn landing_page_renders_in_danish_by_default(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let res = app.client().get(app.url("/")).send().await?;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await?;
    assert!(html.contains(r#"<html lang="da" dir="ltr""#), "{html}");
    assert!(html.contains(r##"href="#main""##), "no skip link");
    assert!(
        html.contains(r#"href="/accessibility""#),
        "no accessibility statement link"
    );
    assert!(html.contains(r#"href="/self""#), "no way in for recipients");
    Ok(())
}

#[tokio::test]
async fn arabic_is_right_to_left_and_remembered() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let res = app.client().get(app.url("/?lang=ar")).send().await?;
    let cookie = res
        .headers()
        .get(SET_COOKIE)
        .ok_or("no language cookie")?
        .to_str()?
        .to_owned();
    assert!(cookie.starts_with("lang=ar"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let html = res.text().await?;
    assert!(html.contains(r#"<html lang="ar" dir="rtl""#));
    // The cookie alone keeps Arabic on the next page.
    let html = app
        .client()
        .get(app.url("/accessibility"))
        .header("cookie", "lang=ar")
        .send()
        .await?
        .text()
        .await?;
    assert!(html.contains(r#"<html lang="ar" dir="rtl""#));
    assert!(html.contains("بيان إمكانية الوصول"));
    // A language switcher link keeps the page and names each language in itself.
    assert!(
        html.contains(r#"href="?lang=da" lang="da" hreflang="da""#),
        "{html}"
    );
    Ok(())
}

#[tokio::test]
async fn unknown_pages_get_a_friendly_404() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let res = app.client().get(app.url("/no/such/page")).send().await?;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = res.text().await?;
    assert!(html.contains("Siden findes ikke"), "{html}");
    assert!(html.contains(r#"href="/""#));
    Ok(())
}

#[tokio::test]
async fn language_form_posts_and_redirects_without_javascript() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let action = "/api/self/language";
    let page = app
        .client()
        .get(app.url("/self"))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        page.contains(&format!(r#"action="{action}""#)),
        "form does not post to {action}"
    );
    assert!(page.contains("novalidate") && !page.contains("required"));

    let chosen = app
        .client()
        .post(app.url(action))
        .header("referer", app.url("/self"))
        .header("accept", BROWSER_ACCEPT)
        .form(&[("lang", "en")])
        .send()
        .await?;
    assert_eq!(chosen.status(), StatusCode::FOUND);
    assert_eq!(
        chosen.headers().get(LOCATION).ok_or("no redirect")?,
        "/self/intro"
    );
    let cookie = chosen
        .headers()
        .get(SET_COOKIE)
        .ok_or("no cookie")?
        .to_str()?;
    assert!(cookie.starts_with("lang=en"), "{cookie}");

    // A browser posts an empty body when no radio is chosen.
    let empty = app
        .client()
        .post(app.url(action))
        .header("referer", app.url("/self"))
        .header("accept", BROWSER_ACCEPT)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await?;
    assert_eq!(empty.status(), StatusCode::FOUND);
    assert_eq!(
        empty.headers().get(LOCATION).ok_or("no redirect")?,
        "/self?error=choose_language"
    );
    let page = app
        .client()
        .get(app.url("/self?error=choose_language"))
        .send()
        .await?
        .text()
        .await?;
    assert!(page.contains("<title>Fejl: "), "error title missing");
    assert!(
        page.contains(r##"href="#lang-da""##),
        "summary does not link to the first radio"
    );
    assert!(page.contains(r#"id="lang-da""#));
    Ok(())
}

/// Leptos stops every resource of the process from loading while any app builds its route
/// list (a process-wide flag, leptos-rs/leptos#4773), and a page whose data first polls in
/// that window never answers. Several app instances share a process here (and may in a
/// host that embeds the app): one starting must never stall another's pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_answer_while_other_apps_start() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let starting = tokio::spawn(async {
        for _ in 0..24 {
            drop(spawn_app(Db::Sqlite).await);
        }
    });
    // Visitors asking all the time, so that some page loads its data while an app starts.
    let visitors = (0..8).map(|_| {
        let url = app.url("/account");
        let starting = starting.abort_handle();
        tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(5))
                .build()?;
            let mut answered = 0;
            while !starting.is_finished() {
                let res = client.get(&url).send().await;
                let res = res.map_err(|e| format!("after {answered} pages, /account: {e}"))?;
                assert_eq!(res.status(), StatusCode::OK);
                let page = res.text().await?;
                assert!(page.contains("Du er ikke logget ind"), "{page}");
                answered += 1;
            }
            Ok::<usize, Box<dyn std::error::Error + Send + Sync>>(answered)
        })
    });
    let visitors: Vec<_> = visitors.collect();
    starting.await?;
    for visitor in visitors {
        let answered = visitor.await??;
        assert!(
            answered > 10,
            "only {answered} pages while the apps started"
        );
    }
    Ok(())
}
