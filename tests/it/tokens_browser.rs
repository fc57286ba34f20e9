//! The tokens page and the API documentation in headless Chromium: an administrator
//! issues a token through the form at 320 px and sees its secret once (JavaScript on: with it off, Chromium hung on the sign-in click here; the forms post without it all the same); both pages have 0
//! axe violations in da, en and ar and never scroll sideways.

use digiparat::domain::role::Role;

use crate::cases_browser::{add_staff, sign_in};
use crate::helpers::axe::assert_no_violations;
use crate::helpers::chrome::{Browser, Js};
use crate::helpers::{Db, TestResult, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_issues_a_token_in_the_browser() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    app.db.create_team("Jobcenter Nord", None).await?;
    add_staff(&app, "adam", "Adam Admin", Role::Admin, None).await?;
    let b = Browser::start_with(Js::On, Some(320)).await;
    sign_in(&app, &b, "adam").await?;
    b.goto(&app.url("/admin/tokens?lang=en")).await;
    // Sent empty: every problem named, nothing issued.
    b.find("#token-days").await.clear().await?;
    b.click_to_next_page("form[action='/admin/tokens'] button")
        .await;
    let summary = b.find(".error-summary").await.text().await?;
    assert!(
        summary.contains("Enter a name.") && summary.contains("Choose a team."),
        "{summary}"
    );
    assert_no_violations(&b, "en /admin/tokens with errors").await;
    b.assert_no_horizontal_scroll("en /admin/tokens with errors")
        .await;
    b.find("#token-name").await.send_keys("Case system").await?;
    b.find("#token-team option:nth-child(2)")
        .await
        .click()
        .await?;
    b.find("#token-days").await.send_keys("30").await?;
    b.click_to_next_page("form[action='/admin/tokens'] button")
        .await;
    let secret = b.find("code.secret").await.text().await?;
    assert!(secret.starts_with("dpt_") && secret.len() == 68, "{secret}");
    assert_no_violations(&b, "en /admin/tokens with a fresh token").await;
    b.assert_no_horizontal_scroll("en /admin/tokens with a fresh token")
        .await;
    assert_eq!(app.db.tokens().await?.len(), 1);
    for lang in ["da", "en", "ar"] {
        for page in ["/admin/tokens", "/api/docs"] {
            b.goto(&app.url(&format!("{page}?lang={lang}"))).await;
            assert!(
                !b.eval("document.body.innerText")
                    .await
                    .to_string()
                    .contains(&secret),
                "the secret is shown again"
            );
            assert_no_violations(&b, &format!("{lang} {page}")).await;
            b.assert_no_horizontal_scroll(&format!("{lang} {page}"))
                .await;
        }
    }
    b.close().await;
    Ok(())
}
