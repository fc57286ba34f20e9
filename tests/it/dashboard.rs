//! The manager dashboard on both databases: counts equal a direct count of what was
//! stored, small counts are hidden and cannot be recovered by subtraction, the CSV
//! carries the same numbers, and only managers and administrators get in. In Chromium:
//! every chart with its table, a team filter in the URL, the export, and axe-core.

use digiparat::api::stats::{Filters, Section, Shown, StatsView, build, parse_filters};
use digiparat::domain::cube;
use digiparat::domain::disclosure::MAX_LEVEL;
use digiparat::domain::role::Role;
use digiparat::domain::{Answers, Instrument, Mode, evaluate};
use digiparat::i18n::Lang;
use digiparat::server::db::StoredResult;
use digiparat::server::db::{AnsweredBy, NewAssessment};
use serde_json::{Map, Value, json};

use crate::both_backends;
use crate::cases::{Error, staff};
use crate::helpers::axe::assert_no_violations;
use crate::helpers::chrome::{Browser, Js};
use crate::helpers::{Db, TestApp, TestResult, spawn_app};

both_backends!(
    counts_equal_a_direct_count_of_the_stored_results,
    small_counts_are_hidden_and_cannot_be_recovered,
    alpha_is_computed_from_the_stored_answers,
    demo_data_fills_every_chart,
    the_cube_equals_a_fresh_count_after_every_kind_of_write,
    analysts_get_pseudonymised_rows,
);

/// `digiparat recount-stats --check` finds a cube that drifted, `recount-stats` repairs it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recount_command_finds_and_repairs_a_drifted_cube() -> TestResult {
    use sqlx::Connection;
    let app = spawn_app(Db::Sqlite).await;
    digiparat::server::seed::seed_demo(app.db.as_ref(), 20, 5).await?;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_digiparat"))
            .args(args)
            .env("DATABASE_URL", &app.database_url)
            .env(
                "DIGIPARAT_SESSION_SECRET",
                "a-test-secret-of-at-least-32-chars!",
            )
            .env("DIGIPARAT_LOG", "warn")
            .output()
    };
    let ok = run(&["recount-stats", "--check"])?;
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let mut c = sqlx::SqliteConnection::connect(&app.database_url).await?;
    sqlx::query("UPDATE stat_cube SET computed_analogue = computed_analogue + 3")
        .execute(&mut c)
        .await?;
    let drifted = run(&["recount-stats", "--check"])?;
    assert!(!drifted.status.success(), "a drifted cube passed the check");
    assert!(String::from_utf8_lossy(&drifted.stderr).contains("differ from a fresh count"));
    let repaired = run(&["recount-stats"])?;
    assert!(
        repaired.status.success(),
        "{}",
        String::from_utf8_lossy(&repaired.stderr)
    );
    assert_eq!(app.db.stored_cube().await?, app.db.counted_cube().await?);
    // The item cube is checked and repaired as well.
    sqlx::query("UPDATE stat_items SET total = total + 1 WHERE slot = 'people'")
        .execute(&mut c)
        .await?;
    let drifted = run(&["recount-stats", "--check"])?;
    assert!(
        !drifted.status.success(),
        "a drifted item cube passed the check"
    );
    assert!(String::from_utf8_lossy(&drifted.stderr).contains("item figures"));
    assert!(run(&["recount-stats"])?.status.success());
    assert_eq!(app.db.stored_items().await?, app.db.counted_items().await?);
    let bad = run(&["recount-stats", "--all"])?;
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--all is not understood"));
    Ok(())
}

const PERSONAS: &str = include_str!("../data/dr-1-public.json");

/// Persona answers by id, with the mode they were written for.
fn personas() -> Vec<(Mode, Map<String, Value>)> {
    let all: Vec<Value> = serde_json::from_str(PERSONAS).unwrap_or_default();
    all.iter()
        .filter_map(|p| {
            let mode = if p["mode"] == "interview" {
                Mode::Interview
            } else {
                Mode::SelfAssessment
            };
            Some((mode, p["answers"].as_object()?.clone()))
        })
        .collect()
}

/// Stores one finished assessment of `team` with the persona's answers; returns its channel.
async fn store(
    app: &TestApp,
    team: i64,
    language: &str,
    mode: Mode,
    answers: &Map<String, Value>,
    case: Option<i64>,
) -> Result<String, Error> {
    let parsed = Answers::parse(Instrument::dr1(), mode, answers).map_err(|e| format!("{e:?}"))?;
    let outcome = evaluate(Instrument::dr1(), &parsed);
    let list: Vec<(String, Value)> = answers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    app.db
        .record_complete(
            &NewAssessment {
                instrument: "dr-1".into(),
                mode: mode.as_str().parse()?,
                language: language.into(),
                team_id: Some(team),
                age_band: Some("25-34".into()),
                case_id: case,
                ..NewAssessment::default()
            },
            &list,
            AnsweredBy::Recipient,
            &StoredResult::of(&outcome),
        )
        .await?;
    Ok(outcome.channel.as_str().to_owned())
}

fn count(s: Shown) -> Option<u64> {
    match s {
        Shown::Count(n) => Some(n),
        Shown::Hidden => None,
    }
}

/// The dashboard of some filters as the server builds it, with the installation's secret.
pub async fn published(
    app: &TestApp,
    filters: &Filters,
    k: u64,
) -> Result<(Shown, Vec<Section>), Error> {
    let view = parse_filters(filters).map_err(|e| format!("{e:?}"))?;
    let secret = app.db.disclosure_secret().await?;
    Ok(build(app.db.as_ref(), &secret, &view, k, Lang::Da).await?)
}

/// The true counts of a view, every slot, added up here from the cube's cells (not from
/// the sums by series the dashboard reads).
pub async fn truth(app: &TestApp, view: &StatsView) -> Result<Vec<i64>, Error> {
    let f = &view.filter;
    let mut sums = vec![0i64; cube::SLOTS];
    for (cell, row) in &app.db.stored_cube().await? {
        let quarter =
            digiparat::domain::disclosure::quarter_of_month(&cell.month).unwrap_or_default();
        let inside = f.team_id.is_none_or(|t| t == cell.team_id)
            && f.age_band.as_ref().is_none_or(|b| *b == cell.age_band)
            && f.mode.as_ref().is_none_or(|m| *m == cell.mode)
            && f.language.as_ref().is_none_or(|l| *l == cell.language)
            && view.range.contains(&quarter);
        if inside {
            for (s, n) in sums.iter_mut().zip(row) {
                *s += n;
            }
        }
    }
    Ok(sums)
}

/// A shown figure is its true count adjusted by at most the largest adjustment.
fn near(shown: Shown, truth: i64, what: &str) {
    if let Shown::Count(n) = shown {
        assert!(
            (n as i64 - truth).abs() <= 2 * MAX_LEVEL,
            "{what}: shown {n}, true {truth}"
        );
    }
}

/// The cube's counts under every kind of filter equal a direct count of what was stored,
/// and every published figure is within the largest adjustment of them.
async fn counts_equal_a_direct_count_of_the_stored_results(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let north = app.db.create_team("Nord", None).await?;
    let south = app.db.create_team("Syd", None).await?;
    let people = personas();
    let mut expected: std::collections::HashMap<(i64, String, &str), u64> = Default::default();
    for round in 0..6 {
        for (i, (mode, answers)) in people.iter().enumerate() {
            let team = if (i + round) % 3 == 0 { south } else { north };
            let language = ["da", "ar", "en"][(i + round) % 3];
            let channel = store(&app, team, language, *mode, answers, None).await?;
            *expected.entry((team, channel, language)).or_default() += 1;
        }
    }
    for (team, language) in [(None, None), (Some(north), None), (None, Some("ar"))] {
        let filters = Filters {
            team: team.map(|t| t.to_string()),
            language: language.map(str::to_owned),
            ..Filters::default()
        };
        let view = parse_filters(&filters).map_err(|e| format!("{e:?}"))?;
        let truth = truth(&app, &view).await?;
        // k = 1: every figure shown, so every figure can be compared.
        let (total, sections) = published(&app, &filters, 1).await?;
        let channels = sections
            .iter()
            .find(|s| s.id == "channels")
            .ok_or("no channel section")?;
        let mut want_total = 0;
        for (c, (row, channel)) in channels
            .table
            .rows
            .iter()
            .zip(["analogue", "assisted", "self_service"])
            .enumerate()
        {
            let want: u64 = expected
                .iter()
                .filter(|((t, ch, l), _)| {
                    team.is_none_or(|x| x == *t)
                        && ch == channel
                        && language.is_none_or(|x| x == *l)
                })
                .map(|(_, n)| *n)
                .sum();
            want_total += want;
            assert_eq!(
                truth[cube::COMPUTED + c],
                want as i64,
                "{channel} under {team:?}/{language:?}"
            );
            // No overrides were made: after overrides equals computed.
            assert_eq!(truth[cube::AFTER + c], want as i64);
            near(row.1[0], want as i64, channel);
            near(row.1[1], want as i64, channel);
        }
        near(total, want_total as i64, "total");
        assert!(count(total).is_some(), "the total is hidden at k = 1");
        for d in 0..3 {
            let bins: i64 = (0..cube::SCORE_BANDS)
                .map(|b| truth[cube::SCORES + d * cube::SCORE_BANDS + b])
                .sum();
            assert_eq!(
                bins, want_total as i64,
                "score bins of dimension {d} do not add up"
            );
        }
        for s in &sections {
            assert!(s.chart_error.is_none(), "{}: {:?}", s.id, s.chart_error);
            assert_eq!(s.svg.is_some(), !s.table.rows.is_empty(), "{}", s.id);
        }
    }
    Ok(())
}

async fn small_counts_are_hidden_and_cannot_be_recovered(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let team = app.db.create_team("Lille", None).await?;
    let people = personas();
    // Pick one persona per channel, then store 25, 3 and 40 of them.
    let mut by_channel: std::collections::HashMap<String, (Mode, Map<String, Value>)> =
        Default::default();
    for (mode, answers) in &people {
        let parsed =
            Answers::parse(Instrument::dr1(), *mode, answers).map_err(|e| format!("{e:?}"))?;
        let channel = evaluate(Instrument::dr1(), &parsed)
            .channel
            .as_str()
            .to_owned();
        by_channel
            .entry(channel)
            .or_insert((*mode, answers.clone()));
    }
    for (channel, n) in [("analogue", 25), ("assisted", 3), ("self_service", 40)] {
        let (mode, answers) = by_channel
            .get(channel)
            .ok_or(format!("no persona for {channel}"))?;
        for _ in 0..n {
            store(&app, team, "da", *mode, answers, None).await?;
        }
    }
    let (total, sections) = published(&app, &Filters::default(), 10).await?;
    let channels = sections
        .iter()
        .find(|s| s.id == "channels")
        .ok_or("no channels")?;
    let computed: Vec<Shown> = channels.table.rows.iter().map(|(_, v)| v[0]).collect();
    near(total, 68, "total");
    let shown_total = count(total).ok_or("the total is hidden")?;
    // 3 stays under 10 whatever its adjustment; 25 and 40 are shown, adjusted.
    assert_eq!(computed[1], Shown::Hidden);
    near(computed[0], 25, "analogue");
    near(computed[2], 40, "self-service");
    assert!(count(computed[0]).is_some() && count(computed[2]).is_some());
    // No table on the page shows a count from 1 to 9.
    for s in &sections {
        for (label, values) in &s.table.rows {
            for v in values {
                if let Shown::Count(n) = v {
                    assert!(*n == 0 || *n >= 10, "{}: {label} shows {n}", s.id);
                }
            }
        }
    }
    // The same through HTTP: the page and the CSV, for a manager; nobody else.
    let (manager, _) = staff(&app, "mona", Role::Manager, None).await?;
    let page = manager.get(app.url("/dashboard")).send().await?;
    assert_eq!(page.status(), 200);
    let html = page.text().await?;
    assert!(
        html.contains("skjult (under 10)"),
        "no hidden marker on the page"
    );
    // Eight sections of results, two of agreed plans (`api::stats::plans`).
    assert_eq!(html.matches("<figure").count(), 10, "sections missing");
    assert_eq!(
        html.matches("<svg").count(),
        html.matches("role=\"img\"").count()
    );
    let csv = manager.get(app.url("/dashboard/export.csv")).send().await?;
    assert_eq!(csv.status(), 200);
    let text = csv.text().await?;
    assert!(text.starts_with("table,row,column,count"), "{text}");
    assert!(text.contains(&format!("total,,,{shown_total}")), "{text}");
    // The hidden 3 is "<10" in the file too; 25 may be published as it is (an adjustment
    // of 0), so only the small count is looked for.
    let channel_lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("channels,"))
        .collect();
    assert!(channel_lines.iter().all(|l| !l.ends_with(",3")), "{text}");
    assert!(channel_lines.iter().any(|l| l.ends_with(",<10")), "{text}");
    let bad = manager
        .get(app.url("/dashboard?from=last-year"))
        .send()
        .await?
        .text()
        .await?;
    assert!(bad.contains("<title>Fejl: "), "a bad filter gives no error");
    // Two narrowings at once are refused, naming what to do.
    let two = manager
        .get(app.url(&format!("/dashboard?team={team}&language=da")))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        two.contains("<title>Fejl: "),
        "two narrowings gave no error"
    );
    assert!(
        two.contains("Vælg kun én af team, alder, form og sprog ad gangen"),
        "{two}"
    );
    let csv_two = manager
        .get(app.url(&format!("/dashboard/export.csv?team={team}&language=da")))
        .send()
        .await?;
    assert_eq!(csv_two.status(), 400);
    let (cw, _) = staff(&app, "carsten", Role::Caseworker, Some(team)).await?;
    assert_eq!(cw.get(app.url("/dashboard")).send().await?.status(), 403);
    assert_eq!(
        cw.get(app.url("/dashboard/export.csv"))
            .send()
            .await?
            .status(),
        403
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manager_sees_every_chart_filters_by_team_and_exports() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let north = app.db.create_team("Nord", None).await?;
    let south = app.db.create_team("Syd", None).await?;
    for (i, (mode, answers)) in personas().iter().cycle().take(60).enumerate() {
        let team = if i % 2 == 0 { north } else { south };
        store(&app, team, "da", *mode, answers, None).await?;
    }
    let (_, maja) = crate::cases::staff(&app, "maja", Role::Manager, None).await?;
    // With the rows permission, so the rows form is on the page axe checks.
    allow_rows(&app, maja, Role::Manager).await?;
    crate::cases::staff(&app, "kim", Role::Caseworker, Some(north)).await?;
    let b = Browser::start_with(Js::On, Some(640)).await;
    crate::cases_browser::sign_in(&app, &b, "maja").await?;
    b.goto(&app.url("/dashboard")).await;
    let figures = b.eval("document.querySelectorAll('figure').length").await;
    let tables = b
        .eval("document.querySelectorAll('table[data-table]').length")
        .await;
    let charts = b
        .eval("document.querySelectorAll('figure svg[role=img] title').length")
        .await;
    assert_eq!(figures, json!(10));
    assert_eq!(tables, json!(10));
    let drawn = b
        .eval("document.querySelectorAll('figure svg').length")
        .await;
    assert_eq!(charts, drawn, "a chart lacks its title");
    assert!(
        drawn.as_u64().unwrap_or(0) >= 6,
        "too few charts drawn: {drawn}"
    );
    assert_no_violations(&b, "dashboard").await;
    b.assert_no_horizontal_scroll("dashboard").await;
    let all = b.find("[data-total]").await.text().await?;
    b.find(&format!("#team option[value='{north}']"))
        .await
        .click()
        .await?;
    b.click_to_next_page("form[action='/dashboard'] button")
        .await;
    assert!(
        b.path().await.contains(&format!("team={north}")),
        "{}",
        b.path().await
    );
    let filtered = b.find("[data-total]").await.text().await?;
    assert_ne!(all, filtered, "the team filter changed nothing");
    let export = b
        .find("a[href^='/dashboard/export.csv']")
        .await
        .attr("href")
        .await?
        .ok_or("no export")?;
    assert!(export.contains(&format!("team={north}")), "{export}");
    let status = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.text().then(t => done([r.status, r.headers.get('content-type'), t.split('\\n')[0]])));",
            vec![json!(export)],
        )
        .await?;
    assert_eq!(
        status,
        json!([200, "text/csv; charset=utf-8", "table,row,column,count"])
    );
    b.goto(&app.url("/dashboard?lang=ar")).await;
    assert_no_violations(&b, "dashboard ar").await;
    b.goto(&app.url("/dashboard?from=bad&lang=da")).await;
    assert_no_violations(&b, "dashboard with a filter error").await;
    b.goto(&app.url("/dashboard?rows_error=purpose&lang=en"))
        .await;
    assert!(b.find("#rows-purpose").await.attr("name").await?.as_deref() == Some("purpose"));
    assert_no_violations(&b, "dashboard with a rows error").await;
    b.assert_no_horizontal_scroll("dashboard with the rows form")
        .await;
    for lang in ["da", "en", "ar"] {
        b.goto(&app.url(&format!("/dashboard/items?lang={lang}")))
            .await;
        assert_no_violations(&b, &format!("item analysis {lang}")).await;
        b.assert_no_horizontal_scroll(&format!("item analysis {lang}"))
            .await;
    }
    b.close().await;

    let b = Browser::start(Js::On).await;
    crate::cases_browser::sign_in(&app, &b, "kim").await?;
    b.goto(&app.url("/dashboard")).await;
    assert!(
        b.find("h1").await.text().await?.contains("ikke adgang"),
        "a caseworker saw the dashboard"
    );
    assert_eq!(
        b.eval("document.querySelectorAll('figure').length").await,
        json!(0)
    );
    b.close().await;
    Ok(())
}

/// Cronbach's alpha from the stored answers equals alpha computed by hand from the answers
/// that were stored (complete respondents only), and the item page shows it.
async fn alpha_is_computed_from_the_stored_answers(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let team = app.db.create_team("Alfa", None).await?;
    let people = personas();
    let instrument = Instrument::dr1();
    let motivation: Vec<&digiparat::domain::Item> = instrument
        .items()
        .iter()
        .filter(|i| {
            i.dimension() == Some(digiparat::domain::Dimension::Motivation)
                && i.only_mode().is_none()
        })
        .collect();
    let mut rows: Vec<Vec<f64>> = Vec::new();
    for _ in 0..3 {
        for (mode, answers) in &people {
            store(&app, team, "da", *mode, answers, None).await?;
            let row: Option<Vec<f64>> = motivation
                .iter()
                .map(|item| {
                    let code = answers.get(item.id())?.as_str()?;
                    match item.option(code)?.points()? {
                        digiparat::domain::Points::Twelfths(p) => {
                            let p = f64::from(p.min(12));
                            Some(if item.is_reverse() { 12.0 - p } else { p })
                        }
                        _ => None,
                    }
                })
                .collect();
            rows.extend(row);
        }
    }
    let by_hand =
        digiparat::domain::stats::cronbach_alpha(&rows).ok_or("alpha undefined by hand")?;
    let series =
        digiparat::api::stats::item_series(app.db.as_ref(), &StatsView::everyone()).await?;
    let secret = app.db.disclosure_secret().await?;
    let items = digiparat::api::stats::publish_items(&series, &secret, &StatsView::everyone(), 2);
    let alphas = digiparat::api::stats::alpha_rows(&items, Lang::Da);
    let m = &alphas[2];
    near(m.complete, rows.len() as i64, "complete respondents");
    assert_eq!(m.alpha.as_deref(), Some(format!("{by_hand:.2}").as_str()));
    // The page shows it, to a manager.
    let (manager, _) = staff(&app, "alma", Role::Manager, None).await?;
    let page = manager
        .get(app.url("/dashboard/items"))
        .send()
        .await?
        .text()
        .await?;
    assert!(page.contains("Cronbachs alfa"), "no alpha section");
    if rows.len() >= 10 {
        assert!(
            page.contains(&format!("{by_hand:.2}")),
            "the page does not show alpha {by_hand:.2}"
        );
    }
    assert!(page.contains("data-item=\"U1\""), "no item tables");
    Ok(())
}

/// `seed-demo` data: valid, spread over teams and months, and every chart gets numbers.
async fn demo_data_fills_every_chart(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let report = digiparat::server::seed::seed_demo(app.db.as_ref(), 120, 7).await?;
    assert_eq!(report.cases, 120);
    assert!(report.assessments > 120, "no case has a second assessment");
    let (total, sections) = published(&app, &Filters::default(), 1).await?;
    near(total, report.assessments as i64, "total");
    for s in &sections {
        assert!(
            s.svg.is_some(),
            "{}: nothing drawn ({:?})",
            s.id,
            s.chart_error
        );
    }
    let trend = sections
        .iter()
        .find(|s| s.id == "trend")
        .ok_or("no trend")?;
    assert!(
        trend.table.rows.len() >= 8,
        "quarters: {}",
        trend.table.rows.len()
    );
    let movement = sections
        .iter()
        .find(|s| s.id == "movement")
        .ok_or("no movement")?;
    let moved: u64 = movement
        .table
        .rows
        .iter()
        .flat_map(|(_, v)| v.iter().filter_map(|c| count(*c)))
        .sum();
    assert!(moved > 0, "no case moved between assessments");
    assert_eq!(app.db.stats_teams().await?.len(), 6);
    // Seeding again adds, with the same teams.
    digiparat::server::seed::seed_demo(app.db.as_ref(), 5, 8).await?;
    assert_eq!(app.db.stats_teams().await?.len(), 6);
    Ok(())
}

/// The statistics cube kept by each write equals a count from scratch: after finished
/// results with and without a case, overrides of a case's first and latest assessment, an
/// erasure and demo data. Movement follows the override of the latest assessment, leaves
/// with an erased case, and a database whose cube was lost is counted again on start.
async fn the_cube_equals_a_fresh_count_after_every_kind_of_write(db: Db) -> TestResult {
    use digiparat::server::db::NewCase;
    let app = spawn_app(db).await;
    let team = app.db.create_team("Nord", None).await?;
    let people = personas();
    let mut cases = Vec::new();
    for n in 0..4 {
        cases.push(
            app.db
                .create_case(
                    &NewCase {
                        reference: format!("KUBE-{n}"),
                        birth_year: 1980,
                        team_id: team,
                        caseworker_id: None,
                    },
                    None,
                )
                .await?,
        );
    }
    // Two to four assessments per case, one anonymous in between.
    let mut ids_of_case: Vec<Vec<i64>> = vec![Vec::new(); cases.len()];
    for (i, (mode, answers)) in people.iter().enumerate().take(12) {
        let c = i % cases.len();
        store(&app, team, "da", *mode, answers, Some(cases[c])).await?;
        store(&app, team, "ar", *mode, answers, None).await?;
        let ids = app.db.assessments_of_case(cases[c]).await?;
        ids_of_case[c] = ids.iter().map(|a| a.id).collect();
    }
    assert_cube_exact(&app, "after finishing").await?;

    let moved = |cells: &digiparat::server::db::CubeCells| -> Vec<i64> {
        (0..9)
            .map(|i| {
                cells
                    .values()
                    .map(|c| c[digiparat::domain::cube::MOVES + i])
                    .sum()
            })
            .collect()
    };
    // Movement, counted directly: channel after override at the first and latest.
    let direct = |cases: Vec<Vec<i64>>| {
        let app = &app;
        async move {
            let mut m = vec![0i64; 9];
            for ids in cases {
                let mut ends = Vec::new();
                for id in [ids.iter().min(), ids.iter().max()].into_iter().flatten() {
                    let r = app.db.result(*id).await?.ok_or("no result")?;
                    let ch = r
                        .override_
                        .map(|o| o.channel.as_str().to_owned())
                        .unwrap_or(r.channel);
                    ends.push(
                        ["analogue", "assisted", "self_service"]
                            .iter()
                            .position(|c| *c == ch)
                            .ok_or("channel")?,
                    );
                }
                m[ends[0] * 3 + ends[1]] += 1;
            }
            Ok::<_, Error>(m)
        }
    };
    assert_eq!(
        moved(&app.db.stored_cube().await?),
        direct(ids_of_case.clone()).await?
    );
    // Override the latest of case 0 to analogue, the first of case 1 twice.
    let latest = *ids_of_case[0].iter().max().ok_or("no assessment")?;
    let first = *ids_of_case[1].iter().min().ok_or("no assessment")?;
    app.db
        .set_override(
            latest,
            digiparat::domain::Channel::Analogue,
            digiparat::domain::OverrideReason::Other,
            "Kender personen",
            None,
        )
        .await?;
    app.db
        .set_override(
            first,
            digiparat::domain::Channel::SelfService,
            digiparat::domain::OverrideReason::Other,
            "Kender personen",
            None,
        )
        .await?;
    app.db
        .set_override(
            first,
            digiparat::domain::Channel::Assisted,
            digiparat::domain::OverrideReason::Other,
            "Kender personen bedre",
            None,
        )
        .await?;
    assert_cube_exact(&app, "after overrides").await?;
    assert_eq!(
        moved(&app.db.stored_cube().await?),
        direct(ids_of_case.clone()).await?
    );

    // A finished interview corrected, one answer and several at once, then scored again.
    let corrected = *ids_of_case[3].iter().max().ok_or("no assessment")?;
    let before = app.db.stored_items().await?;
    app.db
        .save_answer(
            corrected,
            "U1",
            &json!("dont_understand"),
            AnsweredBy::Caseworker,
            None,
        )
        .await?;
    app.db
        .save_answers(
            corrected,
            &[
                ("U2".to_owned(), json!("dont_understand")),
                ("H1".to_owned(), json!("no")),
            ],
            AnsweredBy::Caseworker,
            Some("Rettet"),
            None,
        )
        .await?;
    assert_ne!(
        app.db.stored_items().await?,
        before,
        "a correction left the item cube"
    );
    assert_cube_exact(&app, "after correcting a finished interview").await?;
    // Answers of an unfinished assessment are not counted.
    let open = app
        .db
        .create_assessment(
            &NewAssessment {
                instrument: "dr-1".into(),
                mode: digiparat::domain::Mode::SelfAssessment,
                language: "da".into(),
                team_id: Some(team),
                ..NewAssessment::default()
            },
            None,
        )
        .await?;
    app.db
        .save_answer(
            open,
            "U1",
            &json!("dont_understand"),
            AnsweredBy::Recipient,
            None,
        )
        .await?;
    assert_cube_exact(&app, "after an unfinished answer").await?;

    // Retention strips the answers of old anonymous assessments: they leave the items.
    let far = time::OffsetDateTime::now_utc() + time::Duration::days(1);
    app.db.expire_caseless(far, far, far).await?;
    assert_cube_exact(&app, "after retention").await?;

    // Erasure keeps the results but not the case's movement.
    assert!(app.db.erase_case(cases[2], None).await?);
    assert_cube_exact(&app, "after erasure").await?;
    let mut kept = ids_of_case.clone();
    kept.remove(2);
    assert_eq!(moved(&app.db.stored_cube().await?), direct(kept).await?);
    let all = truth(&app, &StatsView::everyone()).await?;
    assert_eq!(
        all[cube::COMPUTED..cube::COMPUTED + 3].iter().sum::<i64>(),
        2 * people.len().min(12) as i64,
        "an erased case's results left the statistics"
    );

    digiparat::server::seed::seed_demo(app.db.as_ref(), 40, 3).await?;
    assert_cube_exact(&app, "after demo data").await?;

    // A lost cube is counted again when the application starts.
    let wanted = app.db.stored_cube().await?;
    let wanted_items = app.db.stored_items().await?;
    // The tables' slot columns are the layout's, in its order; then all three are lost.
    macro_rules! columns_then_lose {
        ($conn:ty) => {{
            use sqlx::{Column, Connection, Row};
            let mut c = <$conn>::connect(&app.database_url).await?;
            let mut names = Vec::new();
            for table in ["stat_cube", "stat_series"] {
                let row = sqlx::query(&format!("SELECT * FROM {table}"))
                    .fetch_one(&mut c)
                    .await?;
                names.push(
                    row.columns()
                        .iter()
                        .map(|c| c.name().to_owned())
                        .collect::<Vec<_>>(),
                );
            }
            for table in ["stat_cube", "stat_series", "stat_items"] {
                sqlx::query(&format!("DELETE FROM {table}"))
                    .execute(&mut c)
                    .await?;
            }
            names
        }};
    }
    let columns = match db {
        Db::Sqlite => columns_then_lose!(sqlx::SqliteConnection),
        Db::Postgres => columns_then_lose!(sqlx::PgConnection),
    };
    // The same columns as the slots (read by name; later migrations append theirs).
    let sorted = |names: &[String]| {
        let mut v = names.to_vec();
        v.sort();
        v
    };
    let slots = sorted(&digiparat::domain::cube::slot_names());
    assert_eq!(sorted(&columns[0][5..]), slots);
    assert_eq!(sorted(&columns[1][2..]), slots);
    assert!(app.db.stored_cube().await?.is_empty());
    let url = digiparat::server::config::DatabaseUrl::parse(&app.database_url)?;
    let again = digiparat::server::db::connect(&url).await?;
    assert_eq!(
        again.stored_cube().await?,
        wanted,
        "the cube was not counted on start"
    );
    assert_eq!(
        again.stored_items().await?,
        wanted_items,
        "the item cube was not counted on start"
    );
    assert_eq!(again.stored_series().await?, cube::by_series(&wanted));
    assert!(again.rebuild_cube().await? > 0);
    assert_eq!(again.stored_cube().await?, wanted);
    assert_eq!(again.stored_series().await?, cube::by_series(&wanted));
    assert_eq!(again.stored_items().await?, wanted_items);
    Ok(())
}

async fn assert_cube_exact(app: &TestApp, when: &str) -> TestResult {
    let stored = app.db.stored_cube().await?;
    let counted = app.db.counted_cube().await?;
    assert!(!counted.is_empty(), "{when}: nothing counted");
    assert_eq!(
        stored, counted,
        "{when}: the cube differs from a fresh count"
    );
    assert_eq!(
        app.db.stored_series().await?,
        cube::by_series(&counted),
        "{when}: the sums by series differ from a fresh count"
    );
    let stored = app.db.stored_items().await?;
    let counted = app.db.counted_items().await?;
    assert!(!counted.is_empty(), "{when}: no item figures counted");
    assert_eq!(
        stored, counted,
        "{when}: the item cube differs from a fresh count"
    );
    Ok(())
}

/// Allows a statistics account to download rows per assessment, as an administrator does.
pub async fn allow_rows(app: &TestApp, id: i64, role: Role) -> TestResult {
    let user = app.db.user(id).await?.ok_or("no such user")?;
    app.db
        .update_user(
            id,
            &user.display_name,
            role,
            user.team_id,
            false,
            true,
            None,
        )
        .await?;
    Ok(())
}

/// Asks for the rows file of a year (`""`: every year) with a purpose.
pub async fn rows_file(
    client: &reqwest::Client,
    app: &TestApp,
    fields: &[(&str, &str)],
) -> Result<reqwest::Response, Error> {
    Ok(client
        .post(app.url("/dashboard/rows.csv"))
        .form(fields)
        .send()
        .await?)
}

const PURPOSE: &str = "Analyse af kanalvalg 2025 til ledelsesrapport";

/// `/dashboard/rows.csv`: a permission of its own; one line per finished assessment of a
/// whole year, one pseudonym per case that does not carry over to the next file, no case
/// reference or exact time, the purpose asked for and audited, and refused to caseworkers
/// and to managers without the permission.
async fn analysts_get_pseudonymised_rows(db: Db) -> TestResult {
    use digiparat::api::stats::ROW_COLUMNS;
    use digiparat::server::db::AuditFilter;
    let app = spawn_app(db).await;
    let report = digiparat::server::seed::seed_demo(app.db.as_ref(), 30, 11).await?;
    let people = personas();
    let extra_team = app.db.create_team("Uden sag", None).await?;
    store(&app, extra_team, "en", people[0].0, &people[0].1, None).await?;
    let (manager, id) = staff(&app, "mette", Role::Manager, None).await?;
    // Without the permission: 403, and nothing in the audit trail.
    let res = rows_file(&manager, &app, &[("year", ""), ("purpose", PURPOSE)]).await?;
    assert_eq!(res.status(), 403);
    allow_rows(&app, id, Role::Manager).await?;
    let res = rows_file(&manager, &app, &[("year", ""), ("purpose", PURPOSE)]).await?;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/csv")),
        "not CSV"
    );
    let text = res.text().await?;
    assert!(!text.contains("DEMO-"), "a case reference was exported");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
    assert_eq!(header, ROW_COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    assert_eq!(rows.len(), report.assessments + 1);
    let mut seen = std::collections::BTreeSet::new();
    for r in &rows {
        assert!(
            &r[1] == "*" || (r[1].len() == 7 && &r[1][4..6] == "-Q"),
            "quarter: {:?}",
            &r[1]
        );
        if r[0].is_empty() {
            continue;
        }
        assert_eq!(r[0].len(), 16, "pseudonym {:?}", &r[0]);
        seen.insert(r[0].to_owned());
    }
    assert_eq!(seen.len(), report.cases, "one pseudonym per case");
    // The one person of "Uden sag" is unique: their team is given up.
    assert!(
        !rows.iter().any(|r| &r[2] == "Uden sag"),
        "a team of one person is shown"
    );
    let codes = |column: usize| {
        rows.iter().flat_map(move |r| {
            r[column]
                .split(';')
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
    };
    assert!(codes(13).count() > 0, "no reasons");
    for c in codes(13) {
        assert!(
            c.parse::<digiparat::domain::ReasonCode>().is_ok(),
            "reason {c}"
        );
    }
    for c in codes(14) {
        assert!(
            c.parse::<digiparat::domain::ExemptionGround>().is_ok(),
            "ground {c}"
        );
    }
    assert_k_anonymous(&rows, 10)?;

    // No narrower filter than a year; a purpose is needed, without a CPR number.
    for narrow in [
        ("team", "1"),
        ("band", "25-34"),
        ("mode", "self"),
        ("language", "da"),
        ("from", "2025-Q1"),
    ] {
        let res = rows_file(
            &manager,
            &app,
            &[("year", ""), ("purpose", PURPOSE), narrow],
        )
        .await?;
        assert_eq!(res.status(), 400, "{narrow:?}");
    }
    for (purpose, field) in [
        ("kort", "purpose"),
        ("Til sag 010190-1234 om kanal", "purpose_cpr"),
    ] {
        let res = rows_file(&manager, &app, &[("year", ""), ("purpose", purpose)]).await?;
        assert_eq!(res.status(), 303);
        let to = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert_eq!(to, format!("/dashboard?rows_error={field}#rows"));
    }
    let page = manager
        .get(app.url("/dashboard?rows_error=purpose"))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        page.contains("Skriv formålet med at hente rækkerne"),
        "no error shown"
    );
    assert!(page.contains("id=\"rows-purpose\""), "no purpose field");
    let res = rows_file(&manager, &app, &[("year", "1999"), ("purpose", PURPOSE)]).await?;
    assert_eq!(res.status(), 303);
    // One year: only that year's quarters.
    let this_year = time::OffsetDateTime::now_utc().year().to_string();
    let res = rows_file(
        &manager,
        &app,
        &[("year", &this_year), ("purpose", PURPOSE)],
    )
    .await?;
    let text = res.text().await?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let year_rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    assert!(!year_rows.is_empty() && year_rows.len() < rows.len());
    assert!(
        year_rows
            .iter()
            .all(|r| &r[1] == "*" || r[1].starts_with(&this_year))
    );

    let audit = app
        .db
        .audit_entries(&AuditFilter {
            action: Some("statistics.rows".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await?;
    assert_eq!(audit.len(), 2, "downloads not audited");
    assert!(
        audit.iter().all(|a| a.entry.detail.contains(PURPOSE)),
        "the purpose is not in the trail"
    );
    let (cw, _) = staff(&app, "carl", Role::Caseworker, Some(extra_team)).await?;
    assert_eq!(
        rows_file(&cw, &app, &[("year", ""), ("purpose", PURPOSE)])
            .await?
            .status(),
        403
    );
    Ok(())
}

/// Every combination of quasi-identifiers (quarter, team, age band, mode, language) in a
/// rows file is held by at least k rows or carries a `*`; every code by at least k rows.
fn assert_k_anonymous(rows: &[csv::StringRecord], k: usize) -> TestResult {
    let mut combos: std::collections::HashMap<Vec<String>, usize> = Default::default();
    let mut codes: std::collections::HashMap<String, usize> = Default::default();
    for r in rows {
        *combos
            .entry((1..=5).map(|i| r[i].to_owned()).collect())
            .or_default() += 1;
        for column in [13, 14] {
            for c in r[column].split(';').filter(|c| !c.is_empty()) {
                *codes.entry(format!("{column}:{c}")).or_default() += 1;
            }
        }
    }
    for (combo, n) in &combos {
        assert!(
            *n >= k || combo.iter().any(|v| v == "*"),
            "{combo:?} is held by {n} rows"
        );
    }
    for (code, n) in &codes {
        assert!(*n >= k, "{code} is held by {n} rows");
    }
    Ok(())
}
