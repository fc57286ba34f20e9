//! The integration API against its own OpenAPI document, with real tools from PyPI that
//! `make test` installs into `target/test-venv`:
//!
//! - schemathesis generates requests for every operation (valid and invalid ones, and
//!   sequences such as create → read → erase → read) with a valid token, and checks every
//!   check it has: no 5xx, every status and body as documented, invalid input refused,
//!   calls without or with a wrong token refused, an erased case gone;
//! - the FHIR R4 models of `fhir.resources` validate the instrument's Questionnaire and a
//!   persona's QuestionnaireResponse (`tests/tools/validate_fhir.py`).

use std::path::PathBuf;
use std::process::Command;

use digiparat::domain::{Answers, Instrument, Mode, evaluate};
use digiparat::server::db::{AnsweredBy, NewAssessment, NewCase, StoredResult};
use serde_json::Value;

use crate::both_backends;
use crate::cases::Error;
use crate::helpers::app::spawn_configured;
use crate::helpers::{Db, TestApp, TestResult};

both_backends!(schemathesis_finds_nothing, fhir_exports_are_valid_r4);

const PERSONAS: &str = include_str!("../data/dr-1-public.json");

fn venv_tool(name: &str) -> PathBuf {
    let path =
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/test-venv/bin")).join(name);
    assert!(
        path.exists(),
        "{} is missing: run the tests with `make test`, which installs it",
        path.display()
    );
    path
}

async fn app(db: Db) -> TestApp {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let url = match db {
        Db::Sqlite => format!("sqlite://{}/test.db", dir.path().display()),
        Db::Postgres => crate::helpers::app::fresh_pg_database().await,
    };
    spawn_configured(dir, url, &[("DIGIPARAT_API_RATE_PER_MINUTE", "100000")]).await
}

/// A case of `team` with a persona's finished interview; returns the assessment's id.
async fn persona_interview(app: &TestApp, team: i64) -> Result<(i64, i64), Error> {
    let personas: Vec<Value> = serde_json::from_str(PERSONAS)?;
    let persona = personas
        .iter()
        .find(|p| p["mode"] == "interview")
        .ok_or("no interview persona")?;
    let answers = persona["answers"].as_object().ok_or("no answers")?;
    let parsed = Answers::parse(Instrument::dr1(), Mode::Interview, answers)
        .map_err(|e| format!("{e:?}"))?;
    let outcome = evaluate(Instrument::dr1(), &parsed);
    let case = app
        .db
        .create_case(
            &NewCase {
                reference: "P-1".into(),
                birth_year: 1975,
                team_id: team,
                caseworker_id: None,
            },
            None,
        )
        .await?;
    let id = app
        .db
        .record_complete(
            &NewAssessment {
                instrument: "dr-1".into(),
                mode: Mode::Interview,
                language: "da".into(),
                token: Some("persona-interview".into()),
                case_id: Some(case),
                team_id: Some(team),
                ..NewAssessment::default()
            },
            &answers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Vec<_>>(),
            AnsweredBy::Caseworker,
            &StoredResult::of(&outcome),
        )
        .await?;
    Ok((case, id))
}

async fn schemathesis_finds_nothing(db: Db) -> TestResult {
    let app = app(db).await;
    let (team, _, secret) = crate::integration_api::setup(&app, "Fuzz").await?;
    persona_interview(&app, team).await?;
    let reports = tempfile::tempdir()?;
    let tool = venv_tool("schemathesis");
    let schema = app.url("/api/v1/openapi.json");
    let auth = format!("Authorization: Bearer {secret}");
    let out = tokio::task::spawn_blocking({
        let reports = reports.path().to_owned();
        move || {
            Command::new(tool)
                .arg("--no-color")
                .arg("--config-file")
                .arg(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/tests/tools/schemathesis.toml"
                ))
                .args(["run", &schema, "-H", &auth])
                .args([
                    "--checks",
                    "all",
                    "--max-examples",
                    "15",
                    "--seed",
                    "1",
                    "--workers",
                    "1",
                ])
                .args(["--continue-on-failure", "--report", "json", "--report-dir"])
                .arg(&reports)
                .current_dir(&reports)
                .env(
                    "HYPOTHESIS_STORAGE_DIRECTORY",
                    std::env::temp_dir().join("digiparat-hypothesis"),
                )
                .output()
        }
    })
    .await??;
    let text = String::from_utf8_lossy(&out.stdout);
    let generated = text
        .lines()
        .find_map(|l| {
            l.trim()
                .split_once(" generated")
                .map(|(n, _)| n.trim().to_owned())
        })
        .unwrap_or_default();
    println!("schemathesis on {db:?}: {generated} test cases");
    assert!(
        out.status.success(),
        "schemathesis found problems on {db:?}:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cases: u64 = generated
        .parse()
        .map_err(|_| format!("no count in:\n{text}"))?;
    assert!(cases >= 100, "only {cases} test cases:\n{text}");
    Ok(())
}

fn validate(name: &str, resource: &Value) -> Result<String, Error> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join(format!("{name}.json"));
    std::fs::write(&file, serde_json::to_vec_pretty(resource)?)?;
    let out = Command::new(venv_tool("python"))
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/tools/validate_fhir.py"
        ))
        .arg(&file)
        .output()?;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(said)
    } else {
        Err(format!("{name} is not valid FHIR R4: {said}").into())
    }
}

async fn fhir_exports_are_valid_r4(db: Db) -> TestResult {
    let app = app(db).await;
    let (team, _, secret) = crate::integration_api::setup(&app, "Fhir").await?;
    let (_, assessment) = persona_interview(&app, team).await?;
    let client = app.client();
    let res = client
        .get(app.url("/api/v1/instruments/dr-1/fhir"))
        .send()
        .await?;
    assert_eq!(res.status().as_u16(), 200);
    assert!(crate::helpers::header(&res, "content-type").starts_with("application/fhir+json"));
    let questionnaire: Value = res.json().await?;
    let items = Instrument::dr1().items().len();
    let said = validate("questionnaire", &questionnaire)?;
    assert!(
        said.contains(&format!("valid Questionnaire {items} items")),
        "{said}"
    );
    // Translations ride along; the skip rules are there.
    let text = questionnaire.to_string();
    assert!(text.contains("\"lang\"") && text.contains("\"ar\"") && text.contains("enableWhen"));

    let res = client
        .get(app.url(&format!("/api/v1/assessments/{assessment}/fhir")))
        .bearer_auth(&secret)
        .send()
        .await?;
    assert_eq!(res.status().as_u16(), 200);
    let response: Value = res.json().await?;
    let said = validate("response", &response)?;
    assert!(said.contains("valid QuestionnaireResponse"), "{said}");
    let answered = app
        .db
        .answers(assessment)
        .await?
        .iter()
        .filter(|a| a.value.as_str().is_some() || a.value.as_array().is_some_and(|l| !l.is_empty()))
        .count();
    assert_eq!(response["item"].as_array().map(Vec::len), Some(answered));
    // The validator itself refuses what is not R4.
    let mut broken = response.clone();
    broken["status"] = Value::from("bogus");
    assert!(validate("broken", &broken).is_err());
    Ok(())
}
