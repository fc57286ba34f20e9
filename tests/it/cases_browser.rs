//! Cases in headless Chromium: a caseworker creates a case and hands out an invite code,
//! the recipient completes /self with it, and the caseworker sees the result in the
//! caseload; axe-core on the case and administration pages (Danish and Arabic); and
//! stored XSS payloads in every free-text field, none of which runs.

use digiparat::domain::role::Role;
use digiparat::domain::{Answers, Instrument, Mode, evaluate};
use digiparat::server::db::StoredResult;
use digiparat::server::db::{AnsweredBy, NewAssessment, NewCase, NewUser};

use crate::cases::PASSWORD;
use crate::helpers::axe::assert_no_violations;
use crate::helpers::chrome::{Browser, Js};
use crate::helpers::{Db, TestApp, TestResult, spawn_app};

pub(crate) async fn add_staff(
    app: &TestApp,
    name: &str,
    display: &str,
    role: Role,
    team: Option<i64>,
) -> Result<i64, Box<dyn std::error::Error + Send + Sync>> {
    Ok(app
        .db
        .create_user(
            &NewUser {
                username: name.into(),
                display_name: display.into(),
                role,
                team_id: team,
                password_hash: digiparat::server::auth::hash_password(PASSWORD)?,
                must_change_password: false,
            },
            None,
        )
        .await?)
}

/// Signs in through the form with the test password, and checks it worked.
pub(crate) async fn sign_in(app: &TestApp, b: &Browser, name: &str) -> TestResult {
    b.goto(&app.url("/login")).await;
    b.find("#username").await.send_keys(name).await?;
    b.find("#password").await.send_keys(PASSWORD).await?;
    b.click_to_next_page("form[action='/auth/login'] button")
        .await;
    assert!(
        !b.path().await.starts_with("/login"),
        "{name} was not signed in"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invite_code_brings_the_recipients_result_into_the_caseload() -> TestResult {
    let app = spawn_app(Db::Postgres).await;
    let team = app.db.create_team("Jobcenter Øst", None).await?;
    add_staff(&app, "mette", "Mette Holm", Role::Caseworker, Some(team)).await?;

    let b = Browser::start(Js::On).await;
    sign_in(&app, &b, "mette").await?;
    assert_eq!(b.path().await, "/cases");
    b.click_to_next_page("a[href='/cases/new']").await;
    b.find("#reference").await.send_keys("ØST-118").await?;
    b.find("#birth_year").await.send_keys("1979").await?;
    b.click_to_next_page("form[action='/cases'] button").await;
    let case_path = b.path().await;
    assert!(case_path.starts_with("/cases/"), "{case_path}");
    b.click_to_next_page("form[action$='/invites'] button")
        .await;
    let code = b
        .find("[data-code]")
        .await
        .attr("data-code")
        .await?
        .ok_or("no code on the slip")?;
    b.close().await;

    // The recipient, on a browser without JavaScript.
    let r = Browser::start(Js::Off).await;
    r.goto(&app.url("/self")).await;
    r.find("label[for='lang-da']").await.click().await?;
    r.click_to_next_page("form button[type=submit]").await;
    assert_eq!(r.path().await, "/self/intro");
    r.click_to_next_page("a[href='/self/invite']").await;
    r.find("#code")
        .await
        .send_keys(&code.to_lowercase())
        .await?;
    r.click_to_next_page("form[action='/self/invite'] button")
        .await;
    assert_eq!(r.path().await, "/self/code");
    r.goto(&app.url("/self/q/U1")).await;
    let mut answered = 0;
    while r.path().await.starts_with("/self/q/") {
        // The first real answer of each question.
        r.find(".radios .radio label").await.click().await?;
        r.click_to_next_page("form[action='/self/answer'] button[type=submit]")
            .await;
        answered += 1;
        assert!(answered < 40, "the questionnaire does not end");
    }
    assert_eq!(r.path().await, "/self/check");
    r.click_to_next_page("form[action='/self/finish'] button")
        .await;
    assert_eq!(r.path().await, "/self/result");
    r.close().await;

    let b = Browser::start(Js::On).await;
    sign_in(&app, &b, "mette").await?;
    let computed = b
        .find("tr[data-case] td[data-channel='computed']")
        .await
        .text()
        .await?;
    assert!(
        !computed.is_empty() && computed != "Ingen",
        "no result in the caseload: {computed:?}"
    );
    b.goto(&app.url(&case_path)).await;
    let movement = b.find("[data-movement]").await.text().await?;
    assert_eq!(
        movement, computed,
        "the case page disagrees with the caseload"
    );
    b.close().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_and_admin_pages_have_no_axe_violations() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let team = app.db.create_team("Jobcenter Vest", None).await?;
    add_staff(&app, "vera", "Vera Lund", Role::Caseworker, Some(team)).await?;
    add_staff(&app, "adam", "Adam Admin", Role::Admin, None).await?;
    let boss = add_staff(&app, "birk", "Birk Boss", Role::Manager, Some(team)).await?;
    let case = app
        .db
        .create_case(
            &NewCase {
                reference: "VEST-9".into(),
                birth_year: 1996,
                team_id: team,
                caseworker_id: None,
            },
            None,
        )
        .await?;

    let b = Browser::start_with(Js::On, Some(640)).await;
    sign_in(&app, &b, "vera").await?;
    b.goto(&app.url(&format!("/cases/{case}"))).await;
    b.click_to_next_page("form[action$='/invites'] button")
        .await;
    let slip = b.path().await;
    for lang in ["da", "en", "ar"] {
        for page in [
            "/cases".to_owned(),
            "/cases?q=vest&sort=due".to_owned(),
            "/cases/new".to_owned(),
            "/cases/new?errors=reference_cpr,birth_year_range".to_owned(),
            format!("/cases/{case}"),
            format!("/cases/{case}?error=confirm"),
            slip.clone(),
        ] {
            let sep = if page.contains('?') { '&' } else { '?' };
            b.goto(&app.url(&format!("{page}{sep}lang={lang}"))).await;
            assert_no_violations(&b, &format!("{lang} {page}")).await;
            b.assert_no_horizontal_scroll(&format!("{lang} {page}"))
                .await;
            b.assert_labels_readable(&format!("{lang} {page}")).await;
        }
    }
    b.close().await;

    let b = Browser::start_with(Js::On, Some(640)).await;
    sign_in(&app, &b, "adam").await?;
    assert_eq!(b.path().await, "/admin");
    for lang in ["da", "en", "ar"] {
        for page in [
            "/admin".to_owned(),
            "/admin?error=username_taken".to_owned(),
            format!("/admin/users/{boss}"),
            format!("/admin/users/{boss}?error=last_admin"),
            "/admin/audit".to_owned(),
            "/admin/audit?from=bad".to_owned(),
            "/cases".to_owned(),
        ] {
            let sep = if page.contains('?') { '&' } else { '?' };
            b.goto(&app.url(&format!("{page}{sep}lang={lang}"))).await;
            assert_no_violations(&b, &format!("{lang} {page}")).await;
            b.assert_no_horizontal_scroll(&format!("{lang} {page}"))
                .await;
            b.assert_labels_readable(&format!("{lang} {page}")).await;
        }
    }
    // The administrator is refused the caseload with the forbidden page.
    let refused = b.client.goto(&app.url("/cases?lang=da")).await;
    assert!(refused.is_ok());
    assert!(b.find("h1").await.text().await?.contains("ikke adgang"));
    b.close().await;
    Ok(())
}

const PAYLOADS: [&str; 5] = [
    "<script>window.__xss=1</script>",
    "<img src=x onerror=\"window.__xss=2\">",
    "\"><svg onload=window.__xss=3>",
    "</title><script>window.__xss=4</script>",
    "' onfocus='window.__xss=5' autofocus='",
];

/// Every payload is on the page as text, no element came from one, and nothing ran.
async fn assert_inert(b: &Browser, page: &str) {
    let ran = b.eval("window.__xss === undefined").await;
    assert_eq!(ran, serde_json::json!(true), "{page}: a payload ran");
    let injected = b
        .eval(
            "document.querySelectorAll('img[src=\"x\"], svg[onload], [onfocus], [onerror]').length",
        )
        .await;
    assert_eq!(
        injected,
        serde_json::json!(0),
        "{page}: a payload became markup"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_xss_payloads_are_shown_as_text_and_never_run() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let team = app.db.create_team(PAYLOADS[0], None).await?;
    let cw = add_staff(&app, "xcw", PAYLOADS[1], Role::Caseworker, Some(team)).await?;
    let victim = add_staff(&app, "xvictim", PAYLOADS[4], Role::Manager, Some(team)).await?;
    add_staff(&app, "xadmin", PAYLOADS[3], Role::Admin, None).await?;
    let case = app
        .db
        .create_case(
            &NewCase {
                reference: PAYLOADS[2].into(),
                birth_year: 1988,
                team_id: team,
                caseworker_id: Some(cw),
            },
            None,
        )
        .await?;
    let mut answers = serde_json::Map::new();
    answers.insert("U1".into(), serde_json::json!("daily"));
    let parsed = Answers::parse(Instrument::dr1(), Mode::Interview, &answers)
        .map_err(|e| format!("{e:?}"))?;
    let outcome = evaluate(Instrument::dr1(), &parsed);
    let id = app
        .db
        .record_complete(
            &NewAssessment {
                instrument: "dr-1".into(),
                mode: digiparat::domain::Mode::Interview,
                language: "da".into(),
                token: Some("xss-interview".into()),
                note: Some(PAYLOADS.join(" ")),
                case_id: Some(case),
                team_id: Some(team),
                created_by: Some(cw),
                ..NewAssessment::default()
            },
            &[("U1".into(), serde_json::json!("daily"))],
            AnsweredBy::Caseworker,
            &StoredResult::of(&outcome),
        )
        .await?;
    app.db
        .set_override(
            id,
            digiparat::domain::Channel::Analogue,
            digiparat::domain::OverrideReason::Other,
            PAYLOADS[3],
            None,
        )
        .await?;

    let b = Browser::start(Js::On).await;
    sign_in(&app, &b, "xcw").await?;
    for page in [
        "/cases".to_owned(),
        format!("/cases/{case}"),
        "/interview/xss-interview/result".to_owned(),
        "/cases/new".to_owned(),
    ] {
        b.goto(&app.url(&page)).await;
        assert_inert(&b, &page).await;
    }
    b.goto(&app.url("/interview/xss-interview/result")).await;
    let text = b.eval("document.body.innerText").await;
    let text = text.as_str().unwrap_or_default();
    for p in PAYLOADS {
        assert!(text.contains(p), "the note does not show {p} as text");
    }
    b.goto(&app.url(&format!("/cases/{case}"))).await;
    let title = b.eval("document.title").await;
    assert!(
        title.as_str().unwrap_or_default().contains(PAYLOADS[2]),
        "{title}"
    );
    b.close().await;

    let b = Browser::start(Js::On).await;
    sign_in(&app, &b, "xadmin").await?;
    for page in [
        "/admin".to_owned(),
        format!("/admin/users/{victim}"),
        "/admin/audit".to_owned(),
    ] {
        b.goto(&app.url(&page)).await;
        assert_inert(&b, &page).await;
    }
    b.goto(&app.url("/admin")).await;
    let text = b.eval("document.body.innerText").await;
    let text = text.as_str().unwrap_or_default();
    for p in [PAYLOADS[0], PAYLOADS[1], PAYLOADS[3], PAYLOADS[4]] {
        assert!(text.contains(p), "the admin page does not show {p} as text");
    }
    b.close().await;
    Ok(())
}

/// Where the crawl's screenshots go (not committed): `target/screenshots/`.
fn screenshot_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots")
}

/// Every staff page, at 320 px (a phone, JavaScript on, checked by axe too) and 1280 px
/// (a desktop, JavaScript off), in da, en and ar: no sideways scrolling, no label of a form control squeezed or under 60 px, chart text
/// that never overlaps, leaves its chart or renders under 12 px, and screenshots of the
/// dashboard, the caseload and a case for people to look at.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_pages_fit_a_phone_and_a_desktop() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    digiparat::server::seed::seed_demo(app.db.as_ref(), 400, 11).await?;
    let teams = app.db.teams().await?;
    let team = teams.first().ok_or("the demo made no team")?.id;
    add_staff(&app, "cw", "Carl Worker", Role::Caseworker, Some(team)).await?;
    add_staff(&app, "mgr", "Mia Manager", Role::Manager, None).await?;
    let admin = add_staff(&app, "adm", "Ada Admin", Role::Admin, None).await?;
    let cases = app.db.cases_of_team(team).await?;
    let case = cases.first().ok_or("the demo made no case")?.id;
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir)?;
    let crawl: [(&str, Vec<String>); 3] = [
        (
            "cw",
            vec![
                "/cases".into(),
                "/cases?sort=reference&page=2".into(),
                "/cases/new".into(),
                format!("/cases/{case}"),
                "/interview".into(),
                "/account".into(),
            ],
        ),
        ("mgr", vec!["/dashboard".into(), "/dashboard/items".into()]),
        (
            "adm",
            vec![
                "/admin".into(),
                format!("/admin/users/{admin}"),
                "/admin/audit".into(),
            ],
        ),
    ];
    let pictures = ["/dashboard", "/cases", &format!("/cases/{case}")];
    for width in [320, 1280] {
        for (who, pages) in &crawl {
            // The phone runs JavaScript, the desktop does without: both must work.
            let js = if width < 1280 { Js::On } else { Js::Off };
            let b = Browser::start_with(js, (width < 1280).then_some(width)).await;
            sign_in(&app, &b, who).await?;
            for lang in ["da", "en", "ar"] {
                for page in pages {
                    let sep = if page.contains('?') { '&' } else { '?' };
                    b.goto(&app.url(&format!("{page}{sep}lang={lang}"))).await;
                    let what = format!("{lang} {page} at {width} px");
                    // axe runs as a script in the page, which JavaScript off forbids; the
                    // page is the same server-rendered HTML either way.
                    if js == Js::On {
                        assert_no_violations(&b, &what).await;
                    }
                    b.assert_no_horizontal_scroll(&what).await;
                    b.assert_labels_readable(&what).await;
                    if page.starts_with("/dashboard") {
                        b.assert_chart_text_clear(&what, 12.0).await;
                    }
                    if pictures.contains(&page.as_str()) && lang != "en" {
                        let name = page.trim_start_matches('/').replace('/', "-");
                        let png = b.client.screenshot().await?;
                        std::fs::write(dir.join(format!("{name}-{lang}-{width}.png")), png)?;
                        // And the first charts, which are below the fold.
                        if page == "/dashboard" {
                            b.eval("document.querySelector('figure').scrollIntoView(), 0")
                                .await;
                            let png = b.client.screenshot().await?;
                            std::fs::write(
                                dir.join(format!("{name}-charts-{lang}-{width}.png")),
                                png,
                            )?;
                        }
                    }
                }
            }
            b.close().await;
        }
    }
    Ok(())
}
