//! Disclosure control on both databases. The attack of `domain::disclosure::attack` runs
//! over 1,000 datasets in the unit tests; here its datasets are stored in SQLite and
//! PostgreSQL, and the server must publish, through the JSON a browser gets, exactly the
//! figures the attack read for every view it offers. Also: the same view gives the same
//! figures every time, and no JSON of the dashboard or the item analysis carries a count
//! under k.

use digiparat::domain::demo::DemoRng;
use digiparat::domain::disclosure::Figure;
use digiparat::domain::disclosure::attack::{
    self, PLANTS, Person, QUARTERS, Seen, WATCHED, all_ranges, all_series,
};
use digiparat::domain::role::Role;
use digiparat::server::db::{AnsweredBy, NewAssessment, NewCase, SeedAssessment, SeedCase};
use serde_json::{Value, json};

use crate::both_backends;
use crate::cases::{Error, staff};
use crate::helpers::{Db, TestApp, TestResult, spawn_app};

both_backends!(
    the_server_publishes_exactly_the_figures_the_attack_reads,
    the_same_view_gives_the_same_figures_every_time,
    no_json_of_the_statistics_carries_a_count_under_k,
);

/// Stores a dataset of the attack as one case per person, with their record keys.
async fn store_people(app: &TestApp, people: &[Person]) -> TestResult {
    let cases: Vec<SeedCase> = people
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let fact = p.fact(i as i64 + 1);
            let grounds: Vec<&str> = fact
                .codes
                .iter()
                .filter(|(k, _)| k == "ground")
                .map(|(_, c)| c.as_str())
                .collect();
            let outcome =
                json!({"reasons": ["no_mitid"], "exemption_grounds": grounds, "flags": []});
            SeedCase {
                case: NewCase {
                    reference: format!("person-{i}"),
                    birth_year: 1980,
                    team_id: p.team,
                    caseworker_id: None,
                },
                assessments: vec![SeedAssessment {
                    new: NewAssessment {
                        instrument: "dr-1".into(),
                        mode: p.mode.parse().unwrap_or_default(),
                        language: p.language.into(),
                        team_id: Some(p.team),
                        age_band: Some(p.band.into()),
                        ..NewAssessment::default()
                    },
                    answers: Vec::new(),
                    by: AnsweredBy::Recipient,
                    result: digiparat::server::db::StoredResult {
                        instrument: "dr-1".into(),
                        channel: fact.channel.clone(),
                        rule: 1,
                        provisional: false,
                        borderline: false,
                        score_access: Some(40),
                        score_skills: Some(40),
                        score_motivation: Some(40),
                        outcome,
                        computed_at: fact.finished_at,
                        override_: None,
                    },
                    record_key: Some(p.key),
                }],
            }
        })
        .collect();
    app.db.seed_batch(&cases).await?;
    Ok(())
}

/// The form's fields for one series and range of quarters.
fn form(series: &str, range: (usize, usize)) -> Vec<(String, String)> {
    let mut fields = vec![
        ("from".to_owned(), QUARTERS[range.0].to_owned()),
        ("until".to_owned(), QUARTERS[range.1].to_owned()),
    ];
    if let Some((field, value)) = series.split_once(':') {
        fields.push((field.to_owned(), value.to_owned()));
    }
    fields
}

async fn server_fn(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    fields: &[(String, String)],
) -> Result<Value, Error> {
    let res = client.post(app.url(path)).form(fields).send().await?;
    assert_eq!(res.status(), 200, "{path} {fields:?}");
    Ok(res.json().await?)
}

/// A figure of the JSON (`{"Count": n}` or `"Hidden"`).
fn figure(v: &Value) -> Figure {
    match v.get("Count").and_then(Value::as_u64) {
        Some(n) => Figure::Count(n),
        None => Figure::FewerThanK,
    }
}

/// The figures of `Seen` in the dashboard's JSON.
fn seen_in(json: &Value) -> Result<(Figure, [Figure; 5]), Error> {
    let section = |id: &str| -> Result<&Value, Error> {
        json["sections"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["id"] == id))
            .map(|s| &s["table"]["rows"])
            .ok_or_else(|| format!("no section {id}").into())
    };
    let channels = section("channels")?;
    let grounds = section("grounds")?;
    let at = |rows: &Value, row: usize, col: usize| figure(&rows[row][1][col]);
    assert_eq!(WATCHED.len(), 5);
    Ok((
        figure(&json["total"]),
        [
            at(grounds, 4, 0),
            at(channels, 0, 0),
            at(channels, 1, 0),
            at(channels, 0, 1),
            at(channels, 1, 1),
        ],
    ))
}

async fn the_server_publishes_exactly_the_figures_the_attack_reads(db: Db) -> TestResult {
    let mut rng = DemoRng::new(match db {
        Db::Sqlite => 11,
        Db::Postgres => 12,
    });
    for (d, plant) in PLANTS.iter().enumerate() {
        let app = spawn_app(db).await;
        for (i, name) in ["Nord", "Syd", "Vest"].iter().enumerate() {
            let id = app.db.create_team(name, None).await?;
            assert_eq!(id, attack::TEAMS[i], "the attack's team ids are 1, 2, 3");
        }
        let people = attack::dataset(&mut rng, *plant, d % 2 == 0);
        store_people(&app, &people).await?;
        let (manager, _) = staff(&app, "mia", Role::Manager, None).await?;
        let secret = app.db.disclosure_secret().await?;
        let first = server_fn(&manager, &app, "/api/stats/load/dashboard", &[]).await?;
        let k = first["k"].as_u64().ok_or("no k")?;
        let model: Vec<Seen> = attack::read_every_view(&people, &secret, k);
        let mut views = 0;
        for (i, (series, range)) in all_series()
            .iter()
            .flat_map(|s| all_ranges().into_iter().map(move |r| (s.clone(), r)))
            .enumerate()
        {
            let json = server_fn(
                &manager,
                &app,
                "/api/stats/load/dashboard",
                &form(&series, range),
            )
            .await?;
            assert!(
                json["error"].is_null(),
                "{series} {range:?}: {}",
                json["error"]
            );
            let (people_fig, figures) = seen_in(&json)?;
            assert_eq!(people_fig, model[i].people, "{series} {range:?}: people");
            assert_eq!(figures, model[i].figures, "{series} {range:?}");
            views += 1;
        }
        assert_eq!(views, model.len());
    }
    Ok(())
}

async fn the_same_view_gives_the_same_figures_every_time(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    digiparat::server::seed::seed_demo(app.db.as_ref(), 80, 5).await?;
    let (manager, _) = staff(&app, "mads", Role::Manager, None).await?;
    let fields = vec![("band".to_owned(), "25-34".to_owned())];
    let first = server_fn(&manager, &app, "/api/stats/load/dashboard", &fields).await?;
    for _ in 0..99 {
        let again = server_fn(&manager, &app, "/api/stats/load/dashboard", &fields).await?;
        assert_eq!(again["total"], first["total"]);
        assert_eq!(again["sections"], first["sections"]);
    }
    // A new application instance on the same database uses the same secret.
    assert_eq!(
        app.db.disclosure_secret().await?.to_hex(),
        app.db.disclosure_secret().await?.to_hex()
    );
    Ok(())
}

/// Every `{"Count": n}` in a JSON value.
fn counts(v: &Value, out: &mut Vec<u64>) {
    match v {
        Value::Object(map) => {
            if let (1, Some(n)) = (map.len(), map.get("Count").and_then(Value::as_u64)) {
                out.push(n);
            }
            for x in map.values() {
                counts(x, out);
            }
        }
        Value::Array(list) => list.iter().for_each(|x| counts(x, out)),
        _ => {}
    }
}

async fn no_json_of_the_statistics_carries_a_count_under_k(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    digiparat::server::seed::seed_demo(app.db.as_ref(), 40, 9).await?;
    let (manager, _) = staff(&app, "maia", Role::Manager, None).await?;
    let teams = app.db.stats_teams().await?;
    let mut checked = 0;
    let mut filters: Vec<Vec<(String, String)>> = vec![Vec::new()];
    filters.extend(
        teams
            .iter()
            .map(|(id, _)| vec![("team".to_owned(), id.to_string())]),
    );
    filters.push(vec![("language".to_owned(), "ar".to_owned())]);
    filters.push(vec![("mode".to_owned(), "interview".to_owned())]);
    for f in &filters {
        for path in ["/api/stats/load/dashboard", "/api/stats/load/items"] {
            let json = server_fn(&manager, &app, path, f).await?;
            let k = json["k"].as_u64().ok_or("no k")?;
            let mut found = Vec::new();
            counts(&json, &mut found);
            assert!(found.iter().all(|n| *n >= k), "{path} {f:?}: {found:?}");
            checked += found.len();
        }
    }
    assert!(checked > 100, "too few figures checked: {checked}");
    Ok(())
}

/// Usefulness on demo data: for every view of at least 1,000 people (everyone or one
/// narrowing, times every range of quarters), the published total is within 1 % of the
/// truth and every channel's share, as the dashboard rounds it, within 1 percentage point.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_of_a_thousand_people_stay_within_one_percent() -> TestResult {
    use digiparat::domain::cube::{self, COMPUTED};
    use digiparat::domain::disclosure::{Range, quarter_of_month};
    let app = spawn_app(Db::Sqlite).await;
    digiparat::server::seed::seed_demo(app.db.as_ref(), 4000, 21).await?;
    // A fixed secret, so the measurement is the same on every run (BENCHMARKS.md).
    let secret = digiparat::domain::disclosure::Secret::new([21; 32]);
    let teams = app.db.stats_teams().await?;
    // Every series the form offers.
    let mut series = vec!["all".to_owned()];
    series.extend(teams.iter().map(|(id, _)| format!("team:{id}")));
    for band in ["under-25", "25-34", "35-44", "45-54", "55+"] {
        series.push(format!("band:{band}"));
    }
    series.extend(["mode:self", "mode:interview"].map(String::from));
    series.extend(["language:da", "language:en", "language:ar"].map(String::from));
    let (mut views, mut worst_total, mut worst_share) = (0, 0.0_f64, 0.0_f64);
    for name in &series {
        let months = app.db.cube_series(name, None).await?;
        let quarters: Vec<String> = cube::quarters(&months).into_keys().collect();
        for (a, from) in quarters.iter().enumerate() {
            for until in &quarters[a..] {
                let range = Range {
                    from: Some(from.clone()),
                    until: Some(until.clone()),
                };
                let mut truth = [0i64; 3];
                for (month, row) in &months {
                    if quarter_of_month(month).is_some_and(|q| range.contains(&q)) {
                        for c in 0..3 {
                            truth[c] += row[COMPUTED + c];
                        }
                    }
                }
                let people: i64 = truth.iter().sum();
                if people < 1000 {
                    continue;
                }
                views += 1;
                let published = cube::publish_view(&secret, name, &months, &range);
                let off = (published.people - people).abs() as f64 / people as f64;
                worst_total = worst_total.max(off);
                assert!(
                    off <= 0.01,
                    "{name} {range:?}: {} for {people}",
                    published.people
                );
                for c in 0..3 {
                    // As the dashboard shows it: one decimal.
                    let shown = (published.slots[COMPUTED + c] as f64 * 1000.0
                        / published.people as f64)
                        .round()
                        / 10.0;
                    let true_share = truth[c] as f64 * 100.0 / people as f64;
                    worst_share = worst_share.max((shown - true_share).abs());
                    assert!(
                        (shown - true_share).abs() <= 1.0,
                        "{name} {range:?} channel {c}: {shown:.1} % for {true_share:.2} %"
                    );
                }
            }
        }
    }
    eprintln!(
        "usefulness: {views} views of 1,000 or more; worst total {:.3} %, worst share {worst_share:.2} points",
        worst_total * 100.0
    );
    assert!(views >= 50, "too few large views: {views}");
    Ok(())
}
