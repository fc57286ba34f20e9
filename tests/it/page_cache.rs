//! Pages that depend on the language only are made once per language and kept
//! (`server::page_cache`): each request still gets its own nonce, the kept page is byte
//! for byte what the renderer makes, and nothing personal is ever kept or shared.

use digiparat::domain::role::Role;
use digiparat::server::access::{Access, Kind, rules};
use digiparat::server::page_cache::SHARED_PAGES;

use crate::cases::staff;
use crate::helpers::{Db, TestResult, header, spawn_app};

/// The page with its own nonce replaced, and that nonce (from the response's policy).
async fn fetch(res: reqwest::Response) -> Result<(String, String), reqwest::Error> {
    assert_eq!(res.status(), 200, "{}", res.url());
    assert!(res.headers().get("set-cookie").is_none());
    let csp = header(&res, "content-security-policy");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(nonce.len(), 32, "no nonce in {csp:?}");
    let html = res.text().await?;
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the page's scripts do not carry this response's nonce"
    );
    Ok((html.replace(&nonce, "NONCE"), nonce))
}

#[tokio::test]
async fn shared_pages_are_made_once_per_language_with_a_nonce_per_request() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let client = app.client();
    let table = rules();
    for path in SHARED_PAGES {
        assert!(
            table.iter().any(|r| r.method == "GET"
                && r.path == *path
                && r.kind == Kind::Page
                && r.access == Access::Public),
            "{path} is shared but not a public page of the route table"
        );
        for lang in ["da", "en", "ar"] {
            let get = || {
                client
                    .get(app.url(path))
                    .header("cookie", format!("lang={lang}"))
                    .send()
            };
            let (first, first_nonce) = fetch(get().await?).await?;
            let (kept, kept_nonce) = fetch(get().await?).await?;
            assert_ne!(
                first_nonce, kept_nonce,
                "{path}: two responses share a nonce"
            );
            assert_eq!(
                first, kept,
                "{lang} {path}: the kept page differs from the first"
            );
            // Another cookie sends the request to the renderer: the same page.
            let (rendered, _) = fetch(
                client
                    .get(app.url(path))
                    .header("cookie", format!("lang={lang}; other=1"))
                    .send()
                    .await?,
            )
            .await?;
            assert_eq!(
                rendered, kept,
                "{lang} {path}: kept and rendered pages differ"
            );
            let dir = if lang == "ar" { "rtl" } else { "ltr" };
            assert!(kept.contains(&format!("lang=\"{lang}\" dir=\"{dir}\"")));
        }
    }
    assert_eq!(
        app.pages.len(),
        SHARED_PAGES.len() * 3,
        "one kept page per language"
    );
    Ok(())
}

#[tokio::test]
async fn nothing_personal_is_kept_or_served_from_the_kept_pages() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let anonymous = app.client();
    anonymous.get(app.url("/")).send().await?;
    assert_eq!(app.pages.len(), 1);

    // A signed-in caseworker sees their own navigation on the landing page.
    let team = app.db.create_team("Team K", None).await?;
    let (caseworker, _) = staff(&app, "kept", Role::Caseworker, Some(team)).await?;
    let theirs = caseworker.get(app.url("/")).send().await?.text().await?;
    assert!(
        theirs.contains("/auth/logout"),
        "the staff navigation is missing"
    );
    let again = anonymous.get(app.url("/")).send().await?.text().await?;
    assert!(
        !again.contains("/auth/logout"),
        "a staff page was kept and shared"
    );

    // `?lang=` answers with the language cookie: it is rendered, not kept.
    let res = anonymous.get(app.url("/?lang=ar")).send().await?;
    assert!(res.headers().get("set-cookie").is_some());
    assert!(res.text().await?.contains("dir=\"rtl\""));
    // A page not in the list, and a page that is not found, are never kept.
    anonymous.get(app.url("/self/resume")).send().await?;
    anonymous.get(app.url("/self/intro/x")).send().await?;
    assert_eq!(
        app.pages.len(),
        1,
        "only the anonymous Danish landing page is kept"
    );
    Ok(())
}

crate::both_backends!(question_pages_are_kept_by_what_they_show);

/// A device with its token: the start's cookie, for requests that name their cookies.
async fn started(app: &crate::helpers::TestApp) -> Result<(reqwest::Client, String), Error> {
    let dev = crate::self_flow::device();
    let res = dev.post(app.url("/self/start")).send().await?;
    let token = header(&res, "set-cookie")
        .split(';')
        .next()
        .and_then(|c| c.strip_prefix("dp_self="))
        .ok_or("no device cookie")?
        .to_owned();
    Ok((dev, token))
}

async fn answer(
    app: &crate::helpers::TestApp,
    dev: &reqwest::Client,
    item: &str,
    code: &str,
) -> Result<(), Error> {
    let res = dev
        .post(app.url("/self/answer"))
        .form(&[("item", item), ("answer", code)])
        .send()
        .await?;
    assert_eq!(res.status(), 303, "{item}={code}");
    Ok(())
}

type Error = Box<dyn std::error::Error + Send + Sync>;

/// A question page is kept by what it shows (`server::page_cache`, "by view"): the kept
/// page is byte for byte the rendered one, two people whose pages are the same share it,
/// and anything that changes the page (an answer, the language, coming from the check
/// page) is another page; an error message is rendered, not kept.
async fn question_pages_are_kept_by_what_they_show(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let client = app.client();
    let (one, one_token) = started(&app).await?;
    let (two, two_token) = started(&app).await?;
    for dev in [&one, &two] {
        answer(&app, dev, "A1", "phone_only").await?;
    }
    let page = |token: &str, target: &str, lang: &str, extra: &str| {
        client
            .get(app.url(target))
            .header("cookie", format!("dp_self={token}; lang={lang}{extra}"))
            .send()
    };
    let (first, first_nonce) = fetch(page(&one_token, "/self/q/A1", "da", "").await?).await?;
    assert_eq!(app.pages.views(), 1, "the question page was not kept");
    let (again, again_nonce) = fetch(page(&one_token, "/self/q/A1", "da", "").await?).await?;
    assert_ne!(first_nonce, again_nonce, "two responses share a nonce");
    assert_eq!(first, again, "the kept page differs from the first");
    // The same answers on another device: the same page, kept once.
    let (theirs, _) = fetch(page(&two_token, "/self/q/A1", "da", "").await?).await?;
    assert_eq!(theirs, first);
    assert_eq!(app.pages.views(), 1);
    // Another cookie goes to the renderer: it makes the very same page.
    let (rendered, _) = fetch(page(&one_token, "/self/q/A1", "da", "; other=1").await?).await?;
    assert_eq!(rendered, first, "kept and rendered pages differ");
    assert!(first.contains(r#"value="phone_only" checked"#), "{first}");

    // The second device changes its answer: its page changes, the first's does not.
    answer(&app, &two, "A1", "none").await?;
    let (changed, _) = fetch(page(&two_token, "/self/q/A1", "da", "").await?).await?;
    assert_ne!(changed, first);
    assert!(changed.contains(r#"value="none" checked"#));
    let (rendered, _) = fetch(page(&two_token, "/self/q/A1", "da", "; other=1").await?).await?;
    assert_eq!(rendered, changed, "kept and rendered pages differ");
    let (still, _) = fetch(page(&one_token, "/self/q/A1", "da", "").await?).await?;
    assert_eq!(still, first);
    assert_eq!(app.pages.views(), 2);

    // Coming from the check page and another language are pages of their own.
    let (from_check, _) = fetch(page(&one_token, "/self/q/A1?from=check", "da", "").await?).await?;
    assert!(from_check.contains(r#"href="/self/check""#));
    let (arabic, _) = fetch(page(&one_token, "/self/q/A1", "ar", "").await?).await?;
    assert!(arabic.contains(r#"lang="ar" dir="rtl""#));
    assert_eq!(app.pages.views(), 4);
    // An error message is rendered each time, never kept.
    let res = page(&one_token, "/self/q/A1?error=required", "da", "").await?;
    assert_eq!(res.status(), 200);
    assert!(res.text().await?.contains("error-summary"));
    // A page that redirects (a question not on this person's path) is not kept.
    let res = page(&one_token, "/self/q/Z9", "da", "").await?;
    assert_eq!(res.status(), 303);
    assert_eq!(app.pages.views(), 4);
    Ok(())
}
