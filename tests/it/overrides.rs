//! Override analysis on crafted data, on both databases: the cube's override counts are
//! exact (rate, direction, category, rule), and every figure on `/dashboard/overrides` and
//! in its CSV is the published one (within the largest adjustment, hidden below k). A
//! manager sees the page in da, en and ar with 0 axe violations; a caseworker is refused.

use digiparat::api::stats::{Filters, Section, Shown, StatsView, build_overrides, parse_filters};
use digiparat::domain::cube;
use digiparat::domain::disclosure::MAX_LEVEL;
use digiparat::domain::role::Role;
use digiparat::domain::{Channel, Mode, OverrideReason};
use digiparat::i18n::Lang;
use digiparat::server::db::NewAssessment;

use crate::cases::{Error, staff};
use crate::dashboard::truth;
use crate::database::result;
use crate::helpers::axe::assert_no_violations;
use crate::helpers::chrome::{Browser, Js};
use crate::helpers::{Db, TestApp, TestResult, location, spawn_app};

/// `n` finished assessments of `team` whose channel `computed` was decided by `rule`; the
/// first `overridden` of them changed to `to` for `why`.
#[allow(clippy::too_many_arguments)]
async fn craft(
    app: &TestApp,
    team: i64,
    n: usize,
    computed: &str,
    rule: i16,
    overridden: usize,
    to: Channel,
    why: OverrideReason,
) -> Result<(), Error> {
    for i in 0..n {
        let id = app
            .db
            .create_assessment(
                &NewAssessment {
                    instrument: "dr-1".into(),
                    mode: Mode::Interview,
                    language: "da".into(),
                    team_id: Some(team),
                    age_band: Some("35-44".into()),
                    ..NewAssessment::default()
                },
                None,
            )
            .await?;
        app.db.finish(id, &result(computed, rule), None).await?;
        if i < overridden {
            app.db
                .set_override(id, to, why, "said in the interview", None)
                .await?;
        }
    }
    Ok(())
}

fn table<'a>(sections: &'a [Section], id: &str) -> Result<&'a Section, Error> {
    Ok(sections
        .iter()
        .find(|s| s.id == id)
        .ok_or(format!("no section {id}"))?)
}

/// A published figure: its true count adjusted by at most the largest adjustment, or
/// hidden, which only a count near or under k may be.
fn near(shown: Shown, truth: i64, what: &str) -> TestResult {
    match shown {
        Shown::Count(n) if (n as i64 - truth).abs() <= 2 * MAX_LEVEL => Ok(()),
        Shown::Hidden if truth < K + 2 * MAX_LEVEL => Ok(()),
        other => Err(format!("{what}: {other:?}, true {truth}").into()),
    }
}

/// A figure far enough above k that it must be shown.
fn shown_near(shown: Shown, truth: i64, what: &str) -> TestResult {
    assert!(
        truth >= K + 2 * MAX_LEVEL,
        "{what}: {truth} is too small to insist on"
    );
    match shown {
        Shown::Hidden => Err(format!("{what}: hidden, true {truth}").into()),
        _ => near(shown, truth, what),
    }
}

const K: i64 = 10;

async fn override_rate_and_direction_are_exact_then_published(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let north = app.db.create_team("Nord", None).await?;
    let south = app.db.create_team("Syd", None).await?;
    use Channel::{Analogue, Assisted, SelfService};
    use OverrideReason::{Language, ObservedDifficulties, Other, PersonAsked};
    // Nord: 52 suggested self-service by rule 6, 12 changed to paper because the person
    // asked and 12 to assisted after observed difficulties (24 toward less digital); 30
    // analogue by rule 1, 11 changed to assisted for language; 20 assisted by rule 4, 10
    // changed to self-service (other): 21 toward more digital. 45 of 102 overridden.
    craft(
        &app,
        north,
        40,
        "self_service",
        6,
        12,
        Analogue,
        PersonAsked,
    )
    .await?;
    craft(
        &app,
        north,
        12,
        "self_service",
        6,
        12,
        Assisted,
        ObservedDifficulties,
    )
    .await?;
    craft(&app, north, 30, "analogue", 1, 11, Assisted, Language).await?;
    craft(&app, north, 20, "assisted", 4, 10, SelfService, Other).await?;
    // Syd: three people, one overridden: too few to show anything of.
    craft(&app, south, 3, "assisted", 4, 1, Analogue, PersonAsked).await?;
    // Overriding to the suggested channel itself is no override.
    craft(&app, south, 1, "analogue", 1, 1, Analogue, Other).await?;

    // Exact, before protection: the cube's counts for everyone.
    let everyone = StatsView::everyone();
    let t = truth(&app, &everyone).await?;
    let reason = |r: OverrideReason| {
        cube::OVERRIDE_REASONS
            + OverrideReason::ALL
                .iter()
                .position(|x| *x == r)
                .unwrap_or(99)
    };
    let expected = [
        (cube::OVERRIDDEN, 46, "overridden"),
        (cube::OVERRIDDEN_LESS, 25, "toward less digital"),
        (cube::OVERRIDDEN_MORE, 21, "toward more digital"),
        (cube::CHANGES + 2 * 3, 12, "self-service to analogue"),
        (cube::CHANGES + 2 * 3 + 1, 12, "self-service to assisted"),
        (cube::CHANGES + 2 * 3 + 2, 28, "self-service kept"),
        (
            cube::CHANGES,
            20,
            "analogue kept (one 'override' to itself)",
        ),
        (cube::CHANGES + 1 * 3, 1, "assisted to analogue"),
        (reason(PersonAsked), 13, "person asked"),
        (reason(ObservedDifficulties), 12, "observed"),
        (reason(Language), 11, "language"),
        (
            reason(Other),
            10,
            "other (the same channel again is not counted)",
        ),
        (reason(OverrideReason::Health), 0, "health"),
        (cube::RULES + 5, 52, "rule 6 decided"),
        (cube::RULES_OVERRIDDEN + 5, 24, "rule 6 overridden"),
        (cube::RULES, 31, "rule 1 decided"),
        (cube::RULES_OVERRIDDEN, 11, "rule 1 overridden"),
        (cube::RULES + 3, 23, "rule 4 decided"),
        (cube::RULES_OVERRIDDEN + 3, 11, "rule 4 overridden"),
    ];
    for (slot, want, what) in expected {
        assert_eq!(t[slot], want, "{what}");
    }
    let mut nord = everyone.clone();
    nord.filter.team_id = Some(north);
    let t_nord = truth(&app, &nord).await?;
    assert_eq!(
        (t_nord[cube::OVERRIDDEN], t_nord[cube::OVERRIDDEN_LESS]),
        (45, 24)
    );

    // Published: the server's sections, with the installation's secret.
    let k = K as u64;
    let secret = app.db.disclosure_secret().await?;
    let teams = app.db.stats_teams().await?;
    let view = parse_filters(&Filters::default()).map_err(|e| format!("{e:?}"))?;
    let (total, sections) =
        build_overrides(app.db.as_ref(), &secret, &view, k, Lang::En, &teams).await?;
    shown_near(total, 106, "people")?;
    let channels = table(&sections, "ov-channels")?;
    let row = |s: &Section, label: &str| -> Result<Vec<Shown>, Error> {
        Ok(s.table
            .rows
            .iter()
            .find(|(l, _)| l.contains(label))
            .map(|(_, v)| v.clone())
            .ok_or(format!("no row {label} in {}", s.id))?)
    };
    // Suggested self-service: 12 to paper, 12 to assisted, 28 kept.
    let self_service = row(channels, "own")?;
    near(self_service[0], 12, "self-service to paper")?;
    near(self_service[1], 12, "self-service to assisted")?;
    shown_near(self_service[2], 28, "self-service kept")?;
    let by_team = table(&sections, "ov-by-team")?;
    let nord_row = row(by_team, "Nord")?;
    shown_near(nord_row[0], 102, "Nord people")?;
    shown_near(nord_row[1], 45, "Nord overridden")?;
    shown_near(nord_row[2], 24, "Nord less digital")?;
    shown_near(nord_row[3], 21, "Nord more digital")?;
    assert!(
        row(by_team, "Syd")?.iter().all(|v| *v == Shown::Hidden),
        "Syd's 4 people shown"
    );
    let reasons = table(&sections, "ov-reasons")?;
    near(row(reasons, "asked")?[0], 13, "person asked")?;
    let health = row(reasons, "Health")?[0];
    assert!(
        matches!(health, Shown::Hidden | Shown::Count(0)),
        "health: {health:?}"
    );
    let rules = table(&sections, "ov-by-rule")?;
    shown_near(rules.table.rows[5].1[0], 52, "rule 6")?;
    shown_near(rules.table.rows[5].1[1], 24, "rule 6 overridden")?;

    // The page and its CSV show the same published figures; a caseworker gets neither.
    let (manager, _) = staff(&app, "maja", Role::Manager, None).await?;
    let csv = manager
        .get(app.url("/dashboard/overrides.csv?lang=en"))
        .send()
        .await?;
    assert_eq!(csv.status(), 200);
    let text = csv.text().await?;
    let shown = match nord_row[1] {
        Shown::Count(n) => n,
        Shown::Hidden => return Err("hidden".into()),
    };
    assert!(
        text.contains(&format!("ov-by-team,Nord,Another channel chosen,{shown}")),
        "{text}"
    );
    assert!(
        text.contains("ov-by-team,Syd,Another channel chosen,<10"),
        "{text}"
    );
    assert!(
        !text.contains("said in the interview"),
        "free text in statistics"
    );
    let page = manager
        .get(app.url("/dashboard/overrides?lang=en"))
        .send()
        .await?
        .text()
        .await?;
    assert!(page.contains("Overrides by team") && !page.contains("said in the interview"));
    let (caseworker, _) = staff(&app, "kim", Role::Caseworker, Some(north)).await?;
    for path in ["/dashboard/overrides", "/dashboard/overrides.csv"] {
        let res = caseworker.get(app.url(path)).send().await?;
        assert_eq!(res.status(), 403, "{path} as a caseworker");
    }
    let res = app
        .client()
        .get(app.url("/dashboard/overrides"))
        .send()
        .await?;
    assert_eq!(location(&res), "/login");

    if db == Db::Sqlite {
        let b = Browser::start_with(Js::On, Some(640)).await;
        crate::cases_browser::sign_in(&app, &b, "maja").await?;
        for lang in ["da", "en", "ar"] {
            b.goto(&app.url(&format!("/dashboard/overrides?lang={lang}")))
                .await;
            let tables = b
                .eval("document.querySelectorAll('table[data-table]').length")
                .await;
            assert_eq!(tables, serde_json::json!(8), "{lang}");
            assert_no_violations(&b, &format!("{lang} /dashboard/overrides")).await;
            b.assert_no_horizontal_scroll(&format!("{lang} /dashboard/overrides"))
                .await;
        }
        b.close().await;
    }
    Ok(())
}

crate::both_backends!(override_rate_and_direction_are_exact_then_published);
