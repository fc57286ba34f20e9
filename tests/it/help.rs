//! The help directory and the personal plan over HTTP on both databases: an administrator
//! keeps the offers (every problem named, what was typed kept, changes audited, retired
//! offers kept by the plans that named them); results and plans show the offers of the
//! person's job centre; a caseworker agrees plans in versions that never overwrite the
//! computed result; the caseload and the case page use the plan; offers and plans survive a
//! restart, and erasure and retention take the plans with the case.

use digiparat::domain::role::Role;
use digiparat::domain::{Instrument, Mode, NextStep, evaluate};
use digiparat::i18n::Lang;
use digiparat::server::db::AuditFilter;
use serde_json::{Map, Value};
use time::{Duration, OffsetDateTime};

use crate::both_backends;
use crate::cases::{Error, create_case, staff};
use crate::helpers::{Db, TestApp, TestResult, location, spawn_app};

both_backends!(
    an_administrator_keeps_the_directory_and_results_show_it,
    a_caseworker_agrees_plans_in_versions_beside_the_result,
    retention_takes_the_plans_of_caseless_interviews,
);

const PERSONAS: &str = include_str!("../data/dr-1-public.json");

/// Answers of `mode` whose first two next steps (what the result page shows) include
/// `step`, among at least two steps: a public persona, with the blockers that lead to the
/// step set where it needs them (no MitID, and no device).
pub fn persona_with(mode: Mode, step: NextStep) -> Map<String, Value> {
    let all: Vec<Value> = serde_json::from_str(PERSONAS).unwrap_or_default();
    let instrument = Instrument::dr1();
    let variants: [&[(&str, &str)]; 3] =
        [&[("A3", "none"), ("A1", "none")], &[("A3", "none")], &[]];
    variants
        .iter()
        .flat_map(|changes| all.iter().map(move |p| (changes, p)))
        .filter_map(|(changes, p)| {
            if p["mode"] != mode.as_str() && mode == Mode::SelfAssessment {
                return None;
            }
            let mut answers = p["answers"].as_object()?.clone();
            if mode == Mode::SelfAssessment {
                answers.remove("O1");
            }
            for (item, code) in changes.iter() {
                answers.insert((*item).to_owned(), Value::String((*code).to_owned()));
            }
            let parsed = digiparat::domain::Answers::parse(instrument, mode, &answers).ok()?;
            let o = evaluate(instrument, &parsed);
            (o.next_steps.len() >= 2 && o.next_steps.iter().take(2).any(|s| *s == step))
                .then_some(answers)
        })
        .next()
        .unwrap_or_else(|| panic!("no {mode:?} answers with {step} among the first steps"))
}

/// The offer form's fields, as an administrator fills them in.
pub fn offer_form<'a>(
    name_da: &'a str,
    name_ar: &'a str,
    phone: &'a str,
    team: &'a str,
) -> Vec<(&'static str, &'a str)> {
    vec![
        ("kind", "borgerservice"),
        ("name_da", name_da),
        ("name_ar", name_ar),
        ("description_da", "Hjælp til MitID."),
        ("description_ar", "مساعدة في MitID."),
        ("steps", "mitid_help"),
        ("steps", "exemption_request"),
        ("teams", team),
        ("address", "Testvej 1, 9999 Testby"),
        ("hours", "Man-tor 10-15"),
        ("phone", phone),
        ("languages", "dansk, arabisk"),
        ("free", "yes"),
    ]
}

/// Posts a form and returns where it sends the person.
async fn post(
    app: &TestApp,
    dev: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> Result<String, Error> {
    let res = dev.post(app.url(path)).form(form).send().await?;
    assert_eq!(res.status(), 303, "{path}");
    Ok(location(&res))
}

async fn page(app: &TestApp, dev: &reqwest::Client, path: &str) -> Result<String, Error> {
    let res = dev.get(app.url(path)).send().await?;
    assert_eq!(res.status(), 200, "{path}");
    Ok(res.text().await?)
}

/// A finished anonymous self-assessment of `answers` stored directly (as `/self/finish`
/// would), and its result page on the device that holds its cookie, in `lang`.
async fn stored_result(
    app: &TestApp,
    answers: &Map<String, Value>,
    lang: &str,
) -> Result<(reqwest::Client, String), Error> {
    let instrument = Instrument::dr1();
    let parsed = digiparat::domain::Answers::parse(instrument, Mode::SelfAssessment, answers)
        .map_err(|e| format!("{e:?}"))?;
    let outcome = evaluate(instrument, &parsed);
    let token = format!(
        "device-{}",
        OffsetDateTime::now_utc().unix_timestamp_nanos()
    );
    let list: Vec<(String, Value)> = answers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    app.db
        .record_complete(
            &digiparat::server::db::NewAssessment {
                instrument: "dr-1".into(),
                mode: Mode::SelfAssessment,
                language: lang.into(),
                token: Some(token.clone()),
                ..Default::default()
            },
            &list,
            digiparat::server::db::AnsweredBy::Recipient,
            &digiparat::server::db::StoredResult::of(&outcome),
        )
        .await?;
    let mut headers = crate::helpers::same_origin();
    headers.insert(
        reqwest::header::COOKIE,
        format!("dp_self={token}; lang={lang}").parse()?,
    );
    let dev = reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()?;
    let html = page(app, &dev, "/self/result").await?;
    Ok((dev, html))
}

async fn an_administrator_keeps_the_directory_and_results_show_it(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let nord = app.db.create_team("Jobcenter Nord", None).await?;
    let syd = app.db.create_team("Jobcenter Syd", None).await?;
    let (admin, _) = staff(&app, "admin1", Role::Admin, None).await?;
    let nord_text = nord.to_string();

    // Every problem is named, and what was typed comes back.
    let mut bad = offer_form("", "", "call us", &nord_text);
    bad.push(("web", "javascript:alert(1)"));
    let to = post(&app, &admin, "/admin/help", &bad).await?;
    assert!(
        to.starts_with("/admin/help/new?error=name_da_missing"),
        "{to}"
    );
    let form = page(&app, &admin, &to).await?;
    assert!(form.contains("error-summary"), "no error summary");
    for message in [
        "Skriv Navn på dansk.",
        "Skriv et telefonnummer",
        "Skriv en webadresse",
    ] {
        assert!(form.contains(message), "the form does not say {message:?}");
    }
    assert!(
        form.contains(r#"value="Testvej 1, 9999 Testby""#),
        "the address typed was lost"
    );
    assert!(
        form.contains(r#"value="call us""#),
        "the phone typed was lost"
    );
    assert!(
        app.db.offers().await?.is_empty(),
        "a refused offer was stored"
    );

    // A valid offer for Nord.
    let good = offer_form(
        "Borgerservice Testby",
        "خدمة المواطنين",
        "+45 70 00 00 01",
        &nord_text,
    );
    let to = post(&app, &admin, "/admin/help", &good).await?;
    let id: i64 = to
        .strip_prefix("/admin/help?saved=")
        .and_then(|i| i.parse().ok())
        .ok_or(format!("not saved: {to}"))?;
    let list = page(&app, &admin, "/admin/help").await?;
    assert!(list.contains("Borgerservice Testby") && list.contains("Jobcenter Nord"));

    // Anonymous self-assessments see Nord's offers.
    let settings = [
        ("default_team", nord_text.as_str()),
        ("team", &nord_text),
        ("contact", "Ring 70 00 00 09"),
    ];
    let to = post(&app, &admin, "/admin/help/settings", &settings).await?;
    assert!(to.starts_with("/admin/help?saved"), "{to}");
    assert_eq!(app.db.default_help_team().await?, Some(nord));

    let answers = persona_with(Mode::SelfAssessment, NextStep::MitidHelp);
    let (recipient, result) = stored_result(&app, &answers, "ar").await?;
    assert!(
        result.contains("خدمة المواطنين"),
        "the Arabic name is not shown"
    );
    assert!(result.contains(r#"href="tel:+4570000001""#), "no tel: link");
    assert!(result.contains(r#"dir="rtl""#));
    // The description has no English text: shown in Danish, and marked as such.
    let (_, english) = stored_result(&app, &answers, "en").await?;
    assert!(english.contains("Borgerservice Testby") && english.contains("in Danish only"));
    let plan = page(&app, &recipient, "/self/plan").await?;
    assert!(plan.contains("خدمة المواطنين") && plan.contains("tel:+4570000001"));

    // An edit shows at once; the change is audited.
    let mut edited = good.clone();
    edited.retain(|(k, _)| *k != "hours");
    edited.push(("hours", "Fredag 8-12"));
    let to = post(&app, &admin, &format!("/admin/help/{id}"), &edited).await?;
    assert_eq!(to, format!("/admin/help?saved={id}"));
    let (_, again) = stored_result(&app, &answers, "da").await?;
    assert!(again.contains("Fredag 8-12"), "the edit is not shown");

    // Syd's people do not see Nord's offer; a retired offer is shown to no one new.
    let to = post(
        &app,
        &admin,
        "/admin/help/settings",
        &[("default_team", &syd.to_string())],
    )
    .await?;
    assert!(to.starts_with("/admin/help?saved"));
    let (_, syd_result) = stored_result(&app, &answers, "da").await?;
    assert!(!syd_result.contains("Borgerservice Testby"));
    post(
        &app,
        &admin,
        "/admin/help/settings",
        &[("default_team", nord_text.as_str())],
    )
    .await?;
    let to = post(
        &app,
        &admin,
        &format!("/admin/help/{id}/retire"),
        &[("retired", "yes")],
    )
    .await?;
    assert_eq!(to, format!("/admin/help?saved={id}"));
    let (_, retired) = stored_result(&app, &answers, "da").await?;
    assert!(
        !retired.contains("Borgerservice Testby"),
        "a retired offer is shown"
    );

    let actions: Vec<String> = app
        .db
        .audit_entries(&AuditFilter {
            limit: 1000,
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|e| e.entry.action)
        .collect();
    for action in [
        "help.offer.create",
        "help.offer.update",
        "help.offer.retire",
        "help.settings",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action} not audited");
    }

    // A caseworker cannot keep the directory.
    let (caseworker, _) = staff(&app, "cw1", Role::Caseworker, Some(nord)).await?;
    let refused = caseworker
        .post(app.url("/admin/help"))
        .form(&good)
        .send()
        .await?;
    assert_eq!(refused.status(), 403);

    // Offers survive a restart, the retired one as retired.
    let app = app.restart().await;
    let offers = app.db.offers().await?;
    assert_eq!(offers.len(), 1);
    assert!(offers[0].retired && offers[0].fields.hours == "Fredag 8-12");
    Ok(())
}

fn form_of(answers: &Map<String, Value>) -> Vec<(String, String)> {
    let mut form = Vec::new();
    for (item, value) in answers {
        match value {
            Value::String(code) => form.push((item.clone(), code.clone())),
            Value::Array(list) => form.extend(
                list.iter()
                    .filter_map(|v| v.as_str())
                    .map(|c| (item.clone(), c.to_owned())),
            ),
            _ => {}
        }
    }
    form
}

/// An interview of `answers`, finished; returns its token.
pub async fn finished_interview(
    app: &TestApp,
    dev: &reqwest::Client,
    case: Option<i64>,
    answers: &Map<String, Value>,
) -> Result<String, Error> {
    let start = match case {
        Some(c) => {
            dev.post(app.url(&format!("/cases/{c}/interview")))
                .send()
                .await?
        }
        None => dev.post(app.url("/interview/start")).send().await?,
    };
    let to = location(&start);
    let token = to
        .strip_prefix("/interview/")
        .ok_or(format!("no interview: {to}"))?
        .to_owned();
    let saved = dev
        .post(app.url(&format!("/interview/{token}/answers")))
        .form(&form_of(answers))
        .send()
        .await?;
    assert_eq!(location(&saved), format!("/interview/{token}/result"));
    Ok(token)
}

fn iso(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

async fn a_caseworker_agrees_plans_in_versions_beside_the_result(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let team = app.db.create_team("Jobcenter Nord", None).await?;
    let (admin, _) = staff(&app, "admin1", Role::Admin, None).await?;
    let team_text = team.to_string();
    post(
        &app,
        &admin,
        "/admin/help",
        &offer_form("Borgerservice Testby", "", "70 00 00 01", &team_text),
    )
    .await?;
    post(
        &app,
        &admin,
        "/admin/help/settings",
        &[
            ("default_team", ""),
            ("team", &team_text),
            ("contact", "Ring 70 00 00 09, man-fre 9-12"),
        ],
    )
    .await?;
    let (cw, _) = staff(&app, "cw1", Role::Caseworker, Some(team)).await?;
    let case = create_case(&app, &cw, "NORD-1").await?;
    let answers = persona_with(Mode::Interview, NextStep::MitidHelp);
    let token = finished_interview(&app, &cw, Some(case), &answers).await?;
    let result_path = format!("/interview/{token}/result");
    let result = page(&app, &cw, &result_path).await?;
    assert!(
        result.contains("Borgerservice Testby"),
        "no offer under the step"
    );
    assert!(result.contains(&format!(r#"action="/interview/{token}/plan""#)));
    let a = app
        .db
        .assessment_by_token(&token)
        .await?
        .ok_or("no interview")?;
    let computed = app.db.result(a.id).await?.ok_or("no result")?;
    let steps = {
        let o: digiparat::domain::Outcome = serde_json::from_value(computed.outcome.clone())?;
        o.next_steps
    };
    let other = steps
        .iter()
        .find(|s| **s != NextStep::MitidHelp)
        .ok_or("the persona has one next step only")?
        .as_str();

    // Problems come back named, with what was typed.
    let today = OffsetDateTime::now_utc().date();
    let past = iso(today - Duration::days(3));
    let to = post(
        &app,
        &cw,
        &format!("/interview/{token}/plan"),
        &[
            ("steps", "mitid_help"),
            ("due_for", "mitid_help"),
            ("due", &past),
            ("note", "Ringer selv"),
        ],
    )
    .await?;
    assert!(
        to.starts_with(&format!("{result_path}?plan=due_past")),
        "{to}"
    );
    let again = page(&app, &cw, &to).await?;
    assert!(
        again.contains("Datoen er passeret"),
        "the problem is not named"
    );
    assert!(again.contains("Ringer selv"), "the note typed was lost");
    let refused = post(
        &app,
        &cw,
        &format!("/interview/{token}/plan"),
        &[("steps", "mitid_help"), ("note", "CPR 010190-1234")],
    )
    .await?;
    assert!(refused.contains("plan=note_cpr"), "{refused}");
    assert!(app.db.plans_of_assessment(a.id).await?.is_empty());

    // Two steps, one with a due date: version 1; then version 2 with an earlier date.
    let due1 = today + Duration::days(20);
    let due2 = today + Duration::days(10);
    for due in [due1, due2] {
        let due = iso(due);
        let to = post(
            &app,
            &cw,
            &format!("/interview/{token}/plan"),
            &[
                ("steps", "mitid_help"),
                ("steps", other),
                ("due_for", "mitid_help"),
                ("due", &due),
                ("due_for", other),
                ("due", ""),
                ("note", "Ringer selv til Borgerservice."),
            ],
        )
        .await?;
        assert_eq!(to, format!("{result_path}?agreed=1#plan"));
    }
    let plans = app.db.plans_of_assessment(a.id).await?;
    assert_eq!(plans.iter().map(|p| p.version).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(plans[0].plan.steps.len(), 2);
    assert_eq!(
        plans[0].plan.steps[0].due,
        Some(due1),
        "version 1 was changed"
    );
    assert_eq!(plans[1].plan.earliest_date(), Some(due2));
    assert!(
        !plans[1].plan.steps[0].offers.is_empty(),
        "the plan names no offer"
    );
    let after = app.db.result(a.id).await?.ok_or("no result")?;
    assert_eq!(
        after.outcome, computed.outcome,
        "the computed result changed"
    );

    // The caseload and the case page use the plan's date; the case history lists both.
    let shown = Lang::Da.day(due2.day(), u8::from(due2.month()), due2.year());
    let caseload = page(&app, &cw, "/cases").await?;
    assert!(
        caseload.contains(&shown),
        "the caseload does not show {shown}"
    );
    let case_page = page(&app, &cw, &format!("/cases/{case}")).await?;
    assert!(case_page.contains("Udgave 2") && case_page.contains("Udgave 1"));
    // The printed plan: the agreed steps, the date and the job centre's contact line.
    let plan = page(&app, &cw, &format!("/interview/{token}/plan")).await?;
    assert!(plan.contains(&shown) && plan.contains("Ring 70 00 00 09"));
    assert!(plan.contains("Du bestemmer. Du kan altid bede om papir."));
    let export: Value = cw
        .get(app.url(&format!("/cases/{case}/export.json")))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(export["plans"].as_array().map(Vec::len), Some(2));

    // Statistics count the plan (its latest version) only through disclosure control:
    // one plan is fewer than k, so no figure of it is shown.
    let (manager, _) = staff(&app, "boss1", Role::Manager, Some(team)).await?;
    let dashboard = page(&app, &manager, &format!("/dashboard?team={team}")).await?;
    assert!(dashboard.contains(r#"id="plans""#), "no plan statistics");
    assert!(
        dashboard.contains("For få aftalte planer i perioden"),
        "a plan count under k is shown"
    );

    // Plans survive a restart; erasing the case erases them.
    let app = app.restart().await;
    assert_eq!(app.db.plans_of_case(case).await?.len(), 2);
    assert!(app.db.erase_case(case, None).await?);
    assert!(app.db.plans_of_case(case).await?.is_empty());
    assert!(
        app.db.plans_of_assessment(a.id).await?.is_empty(),
        "a plan outlived its case"
    );
    Ok(())
}

async fn retention_takes_the_plans_of_caseless_interviews(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let team = app.db.create_team("Jobcenter Nord", None).await?;
    let (cw, _) = staff(&app, "cw1", Role::Caseworker, Some(team)).await?;
    let answers = persona_with(Mode::Interview, NextStep::MitidHelp);
    let token = finished_interview(&app, &cw, None, &answers).await?;
    let to = post(
        &app,
        &cw,
        &format!("/interview/{token}/plan"),
        &[("steps", "mitid_help"), ("note", "Aftalt i telefonen.")],
    )
    .await?;
    assert!(to.ends_with("agreed=1#plan"), "{to}");
    let a = app
        .db
        .assessment_by_token(&token)
        .await?
        .ok_or("no interview")?;
    assert_eq!(app.db.plans_of_assessment(a.id).await?.len(), 1);
    let now = OffsetDateTime::now_utc();
    // Not yet old: kept.
    app.db
        .expire_caseless(
            now - Duration::days(30),
            now - Duration::days(1),
            now - Duration::days(1),
        )
        .await?;
    assert_eq!(app.db.plans_of_assessment(a.id).await?.len(), 1);
    // Past the retention of finished results: the plan goes with the note and answers.
    app.db
        .expire_caseless(
            now - Duration::days(30),
            now - Duration::days(1),
            now + Duration::days(1),
        )
        .await?;
    assert!(app.db.plans_of_assessment(a.id).await?.is_empty());
    Ok(())
}
