//! The management views and calibration in headless Chromium: a caseworker completes a
//! calibration round of three vignettes and sees their agreement; a manager sees all four
//! views (overrides, fairness, self versus observed, calibration) with their tables; a
//! caseworker is refused the manager views. 0 axe violations and no sideways scrolling on
//! every new page in da, en and ar. Calibration answers are stored on both databases.

use digiparat::domain::calibration::Vignettes;
use digiparat::domain::role::Role;
use digiparat::domain::{Channel, Mode};
use digiparat::server::db::{CalibrationAnswer, NewAssessment};
use serde_json::Value;

use crate::cases::{Error, staff};
use crate::helpers::axe::assert_no_violations;
use crate::helpers::chrome::{Browser, Js};
use crate::helpers::{Db, TestApp, TestResult, spawn_app};

/// Some finished assessments, so every view has figures.
async fn some_results(app: &TestApp, team: i64) -> Result<(), Error> {
    for i in 0..40 {
        let id = app
            .db
            .create_assessment(
                &NewAssessment {
                    instrument: "dr-1".into(),
                    mode: if i % 2 == 0 {
                        Mode::SelfAssessment
                    } else {
                        Mode::Interview
                    },
                    language: ["da", "en", "ar"][i % 3].into(),
                    team_id: Some(team),
                    age_band: Some(["25-34", "55+"][i % 2].into()),
                    ..NewAssessment::default()
                },
                None,
            )
            .await?;
        let channel = ["analogue", "assisted", "self_service"][i % 3];
        app.db
            .finish(id, &crate::database::result(channel, 6), None)
            .await?;
    }
    Ok(())
}

/// Other caseworkers' answers to round 1, each agreeing on all but `wrong` vignettes.
async fn colleagues(app: &TestApp, team: i64, names: &[&str]) -> Result<(), Error> {
    let round = Vignettes::dr1().round(1);
    for (n, name) in names.iter().enumerate() {
        let (_, user) = staff(app, name, Role::Caseworker, Some(team)).await?;
        for (i, v) in round.iter().enumerate() {
            let wrong = if v.channel == Channel::Assisted {
                Channel::Analogue
            } else {
                Channel::Assisted
            };
            let channel = if i == n % 3 { wrong } else { v.channel };
            app.db
                .save_calibration(&CalibrationAnswer {
                    user_id: user,
                    vignette: v.id.clone(),
                    round: 1,
                    team_id: Some(team),
                    channel: channel.as_str().into(),
                    reference: v.channel.as_str().into(),
                    answers: "{}".into(),
                    answered_at: time::OffsetDateTime::now_utc(),
                })
                .await?;
        }
    }
    Ok(())
}

async fn a_round_of_calibration_and_the_four_management_views(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let team = app.db.create_team("Nord", None).await?;
    some_results(&app, team).await?;
    colleagues(&app, team, &["ulla", "viggo", "wenche"]).await?;
    let (_, kim) = staff(&app, "kim", Role::Caseworker, Some(team)).await?;
    staff(&app, "maja", Role::Manager, None).await?;
    let round = Vignettes::dr1().round(1);

    let b = Browser::start_with(Js::On, Some(640)).await;
    crate::cases_browser::sign_in(&app, &b, "kim").await?;
    b.goto(&app.url("/calibration?lang=en")).await;
    assert_no_violations(&b, "en /calibration").await;
    b.click_to_next_page("li[data-round='1'] a").await;
    for (i, v) in round.iter().enumerate() {
        assert_eq!(b.path().await, format!("/calibration/1/vignette/{}", i + 1));
        let text = b.find("[data-vignette]").await.text().await?;
        assert!(!text.is_empty(), "the vignette's description is shown");
        if i == 0 {
            for lang in ["da", "ar", "en"] {
                b.goto(&app.url(&format!("/calibration/1/vignette/1?lang={lang}")))
                    .await;
                assert_no_violations(&b, &format!("{lang} calibration vignette")).await;
                b.assert_no_horizontal_scroll(&format!("{lang} calibration vignette"))
                    .await;
            }
        }
        // Kim answers as the reference does, except that the first description's person
        // is said to be exempt from Digital Post (analogue, unless that is the reference).
        let mut answers = v.answers.clone();
        if i == 0 {
            answers.insert("A4".into(), Value::String("exempt".into()));
        }
        for (item, value) in &answers {
            let codes: Vec<&str> = match value {
                Value::String(c) => vec![c.as_str()],
                Value::Array(l) => l.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            for code in codes {
                b.find(&format!("label[for='{item}-{code}']"))
                    .await
                    .click()
                    .await?;
            }
        }
        b.click_to_next_page(".interview-form button[type=submit]")
            .await;
    }
    assert_eq!(b.path().await, "/calibration/1/result");
    let first_differs = round[0].channel != Channel::Analogue;
    let want = if first_differs { 2 } else { 3 };
    let agreed = b.find("[data-agreed]").await.attr("data-agreed").await?;
    assert_eq!(agreed.as_deref(), Some(want.to_string().as_str()));
    let summary = b.find("[data-agreed]").await.text().await?;
    assert!(summary.contains(&format!("{want} of 3")), "{summary}");
    for lang in ["da", "en", "ar"] {
        b.goto(&app.url(&format!("/calibration/1/result?lang={lang}")))
            .await;
        assert_no_violations(&b, &format!("{lang} calibration result")).await;
        b.assert_no_horizontal_scroll(&format!("{lang} calibration result"))
            .await;
        b.goto(&app.url(&format!("/calibration?lang={lang}"))).await;
        assert_no_violations(&b, &format!("{lang} calibration")).await;
    }
    // Kim's answers are stored (not as an assessment).
    let stored = app.db.calibration_of(kim).await?;
    assert_eq!(stored.len(), 3);
    // A caseworker is refused the manager's views.
    for path in [
        "/dashboard/overrides",
        "/dashboard/fairness",
        "/dashboard/agreement",
        "/dashboard/calibration",
    ] {
        b.goto(&app.url(path)).await;
        let h1 = b.find("h1").await.text().await?;
        assert!(
            !h1.contains("Calibration by team") && !h1.contains("Fairness"),
            "{path}: {h1}"
        );
        assert_eq!(
            b.eval("document.querySelectorAll('table[data-table]').length")
                .await,
            serde_json::json!(0),
            "{path}"
        );
    }
    b.close().await;

    let b = Browser::start_with(Js::On, Some(640)).await;
    crate::cases_browser::sign_in(&app, &b, "maja").await?;
    for (path, tables) in [
        ("/dashboard/overrides", 8),
        ("/dashboard/fairness", 6),
        ("/dashboard/agreement", 3),
        ("/dashboard/calibration", 3),
    ] {
        for lang in ["da", "en", "ar"] {
            b.goto(&app.url(&format!("{path}?lang={lang}"))).await;
            let n = b
                .eval("document.querySelectorAll('table[data-table]').length")
                .await;
            assert_eq!(n, serde_json::json!(tables), "{lang} {path}");
            let charts = b
                .eval("document.querySelectorAll('figure svg title, figure p').length")
                .await;
            assert!(
                charts.as_u64().unwrap_or(0) >= 1,
                "{lang} {path}: no chart or message"
            );
            assert_no_violations(&b, &format!("{lang} {path}")).await;
            b.assert_no_horizontal_scroll(&format!("{lang} {path}"))
                .await;
        }
    }
    // Calibration by team: four caseworkers of Nord took part; Kim's and the others'
    // agreement together; fewer than five, so nobody is named.
    b.goto(&app.url("/dashboard/calibration?lang=en")).await;
    let row = b
        .eval("[...document.querySelectorAll('table[data-table=cal-teams] tbody tr')].map(r => r.innerText).join('|')")
        .await;
    let row = row.as_str().unwrap_or_default().to_owned();
    let agreed = want + 3 * 2;
    let percent = (agreed * 100 + 6) / 12;
    assert!(
        row.contains("Nord\t4\t12\t") && row.contains(&format!("\t{percent}\t")),
        "{row}"
    );
    let named = b
        .eval("document.querySelectorAll('table[data-table=cal-named] tbody tr').length")
        .await;
    assert_eq!(named, serde_json::json!(0));
    let page = b.eval("document.body.innerText").await;
    assert!(
        !page.as_str().unwrap_or_default().contains("Test kim"),
        "a name is shown"
    );
    b.close().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calibration_round_and_management_views_in_chromium() -> TestResult {
    a_round_of_calibration_and_the_four_management_views(Db::Sqlite).await
}

/// Names appear once five caseworkers of a team took part; answers survive on both
/// databases and a later answer replaces an earlier one.
async fn named_scores_need_five_caseworkers(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let team = app.db.create_team("Syd", None).await?;
    colleagues(&app, team, &["a1", "a2", "a3", "a4"]).await?;
    let (manager, _) = staff(&app, "maja", Role::Manager, None).await?;
    let page = |m: reqwest::Client| {
        let url = app.url("/dashboard/calibration?lang=en");
        async move { m.get(url).send().await?.text().await }
    };
    let before = page(manager.clone()).await?;
    assert!(!before.contains("Test a1 (Syd)"), "named with four");
    colleagues(&app, team, &["a5"]).await?;
    let after = page(manager.clone()).await?;
    assert!(after.contains("Test a1 (Syd)"), "not named with five");
    let csv = manager
        .get(app.url("/dashboard/calibration.csv?lang=en"))
        .send()
        .await?
        .text()
        .await?;
    assert!(csv.contains("cal-teams,Syd,Caseworkers,5"), "{csv}");
    Ok(())
}

crate::both_backends!(named_scores_need_five_caseworkers);
