//! The integration API for case systems (`/api/v1`): tokens issued by an administrator,
//! scopes and teams enforced, revoked and expired tokens refused, typed errors, every call
//! audited with the token's name, and the OpenAPI document covering every route.

use digiparat::domain::role::Role;
use digiparat::domain::token::Scope;
use digiparat::domain::{Answers, Instrument, Mode, evaluate};
use digiparat::server::db::tokens::NewToken;
use digiparat::server::db::{AnsweredBy, AuditFilter, NewAssessment, StoredResult};
use digiparat::server::tokens::{new_secret, secret_hash};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::both_backends;
use crate::cases::{Error, staff};
use crate::helpers::{Db, TestApp, TestResult, spawn_app};

both_backends!(
    a_case_system_creates_invites_reads_and_erases,
    scopes_teams_revocation_and_expiry_are_enforced,
    an_administrator_issues_a_token_shown_once_and_revokes_it,
    the_openapi_document_covers_every_api_route,
);

/// A token stored directly for `team`, made by `admin`; returns its secret.
pub async fn token(
    app: &TestApp,
    name: &str,
    team: i64,
    admin: i64,
    scopes: &[Scope],
    expires_in: Duration,
) -> Result<String, Error> {
    let secret = new_secret();
    app.db
        .create_token(
            &NewToken {
                name: name.into(),
                team_id: team,
                scopes: scopes.to_vec(),
                secret_hash: secret_hash(&secret),
                created_by: admin,
                expires_at: OffsetDateTime::now_utc() + expires_in,
            },
            None,
        )
        .await?;
    Ok(secret)
}

/// A team, an administrator, and a token of the team with both scopes.
pub async fn setup(app: &TestApp, team: &str) -> Result<(i64, i64, String), Error> {
    let team_id = app.db.create_team(team, None).await?;
    let admin = app
        .db
        .create_user(
            &digiparat::server::db::NewUser {
                username: format!("admin-{team}"),
                display_name: "Admin".into(),
                role: Role::Admin,
                team_id: None,
                password_hash: "not a hash".into(),
                must_change_password: false,
            },
            None,
        )
        .await?;
    let secret = token(
        app,
        &format!("Case system {team}"),
        team_id,
        admin,
        &Scope::ALL,
        Duration::days(30),
    )
    .await?;
    Ok((team_id, admin, secret))
}

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    secret: Option<&str>,
    body: Option<Value>,
) -> Result<(u16, Value), Error> {
    let mut req = app.client().request(method, app.url(path));
    if let Some(secret) = secret {
        req = req.bearer_auth(secret);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await?;
    let status = res.status().as_u16();
    let text = res.text().await?;
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).map_err(|e| format!("{path}: {e}: {text}"))?
    };
    Ok((status, json))
}

/// A finished interview of the case, stored directly.
async fn finished_interview(app: &TestApp, case: i64, team: i64) -> Result<i64, Error> {
    let raw = [
        ("U1", json!("daily")),
        ("A1", json!("none")),
        ("U2", json!(["banking"])),
    ];
    let mut map = serde_json::Map::new();
    for (k, v) in &raw {
        map.insert((*k).into(), v.clone());
    }
    let parsed =
        Answers::parse(Instrument::dr1(), Mode::Interview, &map).map_err(|e| format!("{e:?}"))?;
    let outcome = evaluate(Instrument::dr1(), &parsed);
    let id = app
        .db
        .record_complete(
            &NewAssessment {
                instrument: "dr-1".into(),
                mode: Mode::Interview,
                language: "da".into(),
                token: Some(format!("api-interview-{case}")),
                case_id: Some(case),
                team_id: Some(team),
                ..NewAssessment::default()
            },
            &raw.iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect::<Vec<_>>(),
            AnsweredBy::Caseworker,
            &StoredResult::of(&outcome),
        )
        .await?;
    Ok(id)
}

async fn a_case_system_creates_invites_reads_and_erases(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let (team, _, secret) = setup(&app, "North").await?;
    let s = Some(secret.as_str());
    use reqwest::Method as M;

    let (status, case) = call(
        &app,
        M::POST,
        "/api/v1/cases",
        s,
        Some(json!({"reference": "J-1", "birth_year": 1980})),
    )
    .await?;
    assert_eq!(status, 201, "{case}");
    let id = case["id"].as_i64().ok_or("no id")?;
    assert_eq!(case["reference"], "J-1");
    assert_eq!(case["team"], "North");
    // The same reference again: 409 with the existing id, nothing new.
    let (status, again) = call(
        &app,
        M::POST,
        "/api/v1/cases",
        s,
        Some(json!({"reference": "J-1", "birth_year": 1980})),
    )
    .await?;
    assert_eq!(
        (status, again["code"].as_str(), again["id"].as_i64()),
        (409, Some("case_exists"), Some(id))
    );
    assert_eq!(app.db.cases_of_team(team).await?.len(), 1);
    // Bad input: each a 4xx naming what is wrong, nothing stored.
    let (status, cpr) = call(
        &app,
        M::POST,
        "/api/v1/cases",
        s,
        Some(json!({"reference": "010190-1234", "birth_year": 1990})),
    )
    .await?;
    assert_eq!(
        (status, cpr["code"].as_str(), cpr["field"].as_str()),
        (422, Some("invalid"), Some("reference"))
    );
    assert!(
        !cpr.to_string().contains("010190"),
        "the CPR number is echoed: {cpr}"
    );
    let (status, year) = call(
        &app,
        M::POST,
        "/api/v1/cases",
        s,
        Some(json!({"reference": "J-2", "birth_year": 1800})),
    )
    .await?;
    assert_eq!((status, year["field"].as_str()), (422, Some("birth_year")));
    let (status, shape) = call(
        &app,
        M::POST,
        "/api/v1/cases",
        s,
        Some(json!({"reference": 7})),
    )
    .await?;
    assert_eq!((status, shape["code"].as_str()), (400, Some("bad_json")));
    let res = app
        .client()
        .post(app.url("/api/v1/cases"))
        .bearer_auth(&secret)
        .body("reference=J-3")
        .send()
        .await?;
    assert_eq!(res.status().as_u16(), 415);
    assert_eq!(app.db.cases_of_team(team).await?.len(), 1);

    let (status, invite) = call(
        &app,
        M::POST,
        &format!("/api/v1/cases/{id}/invites"),
        s,
        None,
    )
    .await?;
    assert_eq!(status, 201, "{invite}");
    let code = invite["code"].as_str().ok_or("no code")?.replace('-', "");
    assert!(
        app.db
            .invites_of_case(id)
            .await?
            .iter()
            .any(|i| i.code == code)
    );

    let (status, none) = call(&app, M::GET, &format!("/api/v1/cases/{id}/result"), s, None).await?;
    assert_eq!((status, none["code"].as_str()), (404, Some("no_result")));
    let assessment = finished_interview(&app, id, team).await?;
    let (status, list) = call(
        &app,
        M::GET,
        &format!("/api/v1/cases/{id}/assessments"),
        s,
        None,
    )
    .await?;
    assert_eq!(status, 200);
    assert_eq!(list[0]["id"].as_i64(), Some(assessment));
    assert_eq!(list[0]["mode"], "interview");
    let (status, result) = call(
        &app,
        M::GET,
        &format!("/api/v1/cases/{id}/result?lang=en"),
        s,
        None,
    )
    .await?;
    assert_eq!(status, 200, "{result}");
    let stored = app.db.result(assessment).await?.ok_or("no stored result")?;
    assert_eq!(result["channel"], stored.channel.as_str());
    assert_eq!(result["channel_after_override"], stored.channel.as_str());
    assert_eq!(result["rule"].as_i64(), Some(i64::from(stored.rule)));
    assert_eq!(result["instrument"], "dr-1");
    assert_eq!(result["language"], "en");
    assert!(
        result["finished_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    let outcome_steps = stored.outcome["next_steps"].clone();
    let api_steps: Vec<Value> = result["next_steps"]
        .as_array()
        .ok_or("no steps")?
        .iter()
        .map(|s| s["code"].clone())
        .collect();
    assert_eq!(Value::Array(api_steps), outcome_steps);
    assert!(
        result["next_steps"][0]["text"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );

    let res = app
        .client()
        .get(app.url(&format!("/api/v1/assessments/{assessment}/fhir")))
        .bearer_auth(&secret)
        .send()
        .await?;
    assert_eq!(res.status().as_u16(), 200);
    let fhir: Value = res.json().await?;
    assert_eq!(fhir["resourceType"], "QuestionnaireResponse");
    assert_eq!(fhir["status"], "completed");
    assert!(
        !fhir.to_string().contains("J-1"),
        "the case reference is in the response"
    );

    let (status, _) = call(&app, M::DELETE, &format!("/api/v1/cases/{id}"), s, None).await?;
    assert_eq!(status, 204);
    let (status, gone) = call(&app, M::GET, &format!("/api/v1/cases/{id}"), s, None).await?;
    assert_eq!((status, gone["code"].as_str()), (404, Some("not_found")));
    assert!(app.db.case(id).await?.is_none());

    // Every call is in the audit trail under the token's name.
    let lines = app
        .db
        .audit_entries(&AuditFilter {
            limit: 1000,
            ..AuditFilter::default()
        })
        .await?;
    let actions: Vec<&str> = lines
        .iter()
        .filter(|l| l.entry.actor == "token:Case system North")
        .map(|l| l.entry.action.as_str())
        .collect();
    for action in [
        "api.case.create",
        "api.invite.create",
        "api.assessments.list",
        "api.result.read",
        "api.response.fhir",
        "api.case.erase",
    ] {
        assert!(
            actions.contains(&action),
            "{action} is not audited: {actions:?}"
        );
    }
    Ok(())
}

async fn scopes_teams_revocation_and_expiry_are_enforced(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let (team_a, admin, write_read) = setup(&app, "A").await?;
    let (team_b, _, _) = setup(&app, "B").await?;
    use reqwest::Method as M;
    let (_, case) = call(
        &app,
        M::POST,
        "/api/v1/cases",
        Some(&write_read),
        Some(json!({"reference": "A-1", "birth_year": 1970})),
    )
    .await?;
    let id = case["id"].as_i64().ok_or("no id")?;
    let case_path = format!("/api/v1/cases/{id}");

    let read = token(
        &app,
        "reader",
        team_a,
        admin,
        &[Scope::CasesRead],
        Duration::days(1),
    )
    .await?;
    let (status, body) = call(
        &app,
        M::POST,
        "/api/v1/cases",
        Some(&read),
        Some(json!({"reference": "A-2", "birth_year": 1970})),
    )
    .await?;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("scope_missing")),
        "a read token wrote"
    );
    let (status, _) = call(&app, M::DELETE, &case_path, Some(&read), None).await?;
    assert_eq!(status, 403);
    let (status, _) = call(&app, M::GET, &case_path, Some(&read), None).await?;
    assert_eq!(status, 200);

    let write = token(
        &app,
        "writer",
        team_a,
        admin,
        &[Scope::CasesWrite],
        Duration::days(1),
    )
    .await?;
    let (status, _) = call(
        &app,
        M::GET,
        &format!("{case_path}/result"),
        Some(&write),
        None,
    )
    .await?;
    assert_eq!(status, 403, "a write-only token read");

    let other = token(
        &app,
        "other team",
        team_b,
        admin,
        &Scope::ALL,
        Duration::days(1),
    )
    .await?;
    for (method, path) in [
        (M::GET, case_path.clone()),
        (M::GET, format!("{case_path}/assessments")),
        (M::GET, format!("{case_path}/result")),
        (M::POST, format!("{case_path}/invites")),
        (M::DELETE, case_path.clone()),
    ] {
        let (status, body) = call(&app, method.clone(), &path, Some(&other), None).await?;
        assert_eq!(
            (status, body["code"].as_str()),
            (404, Some("not_found")),
            "team B's token: {method} {path}"
        );
    }
    assert!(app.db.case(id).await?.is_some());

    let (status, body) = call(&app, M::GET, &case_path, None, None).await?;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("token_missing"))
    );
    let (status, body) = call(&app, M::GET, &case_path, Some("dpt_0000"), None).await?;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("token_invalid"))
    );
    let expired = token(
        &app,
        "old",
        team_a,
        admin,
        &Scope::ALL,
        Duration::seconds(-1),
    )
    .await?;
    let (status, body) = call(&app, M::GET, &case_path, Some(&expired), None).await?;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("token_expired"))
    );
    let revoked = token(&app, "gone", team_a, admin, &Scope::ALL, Duration::days(1)).await?;
    let revoked_id = app
        .db
        .tokens()
        .await?
        .into_iter()
        .find(|t| t.name == "gone")
        .ok_or("no token")?
        .id;
    assert!(app.db.revoke_token(revoked_id, None).await?);
    let (status, body) = call(&app, M::GET, &case_path, Some(&revoked), None).await?;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("token_revoked"))
    );
    // A signed-in caseworker's session is no token.
    let (cw, _) = staff(&app, "cw-a", Role::Caseworker, Some(team_a)).await?;
    assert_eq!(
        cw.get(app.url(&case_path)).send().await?.status().as_u16(),
        401
    );
    Ok(())
}

async fn an_administrator_issues_a_token_shown_once_and_revokes_it(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let team = app.db.create_team("East", None).await?;
    let (admin, _) = staff(&app, "root", Role::Admin, None).await?;
    // A form with problems comes back with each named, nothing issued.
    let res = admin
        .post(app.url("/admin/tokens"))
        .form(&[("name", ""), ("team", ""), ("days", "0")])
        .send()
        .await?;
    assert_eq!(res.status().as_u16(), 303);
    let page = admin
        .get(app.url("/admin/tokens"))
        .send()
        .await?
        .text()
        .await?;
    for message in [
        "Skriv et navn.",
        "Vælg et team.",
        "Vælg mindst én slags adgang.",
        "fra 1 til 366",
    ] {
        assert!(page.contains(message), "no {message:?} on the page");
    }
    assert!(app.db.tokens().await?.is_empty());

    let team_text = team.to_string();
    let form = [
        ("name", "Case system"),
        ("team", team_text.as_str()),
        ("scopes", "cases:read"),
        ("scopes", "cases:write"),
        ("days", "30"),
    ];
    let res = admin
        .post(app.url("/admin/tokens"))
        .form(&form)
        .send()
        .await?;
    assert_eq!(res.status().as_u16(), 303);
    let page = admin
        .get(app.url("/admin/tokens"))
        .send()
        .await?
        .text()
        .await?;
    let at = page.find("dpt_").ok_or("the new secret is not shown")?;
    let secret: String = page[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    assert_eq!(secret.len(), 4 + 64, "{secret}");
    let again = admin
        .get(app.url("/admin/tokens"))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        !again.contains(&secret),
        "the secret is shown a second time"
    );
    assert!(again.contains("Case system"));
    let stored = app.db.tokens().await?;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].scopes, vec![Scope::CasesRead, Scope::CasesWrite]);
    assert!(
        app.db.token_by_hash(&secret).await?.is_none(),
        "the secret itself is stored"
    );

    let (status, _) = call(
        &app,
        reqwest::Method::POST,
        "/api/v1/cases",
        Some(&secret),
        Some(json!({"reference": "E-1", "birth_year": 1990})),
    )
    .await?;
    assert_eq!(status, 201);
    let res = admin
        .post(app.url(&format!("/admin/tokens/{}/revoke", stored[0].id)))
        .send()
        .await?;
    assert_eq!(res.status().as_u16(), 303);
    let (status, body) = call(
        &app,
        reqwest::Method::GET,
        "/api/v1/cases/1",
        Some(&secret),
        None,
    )
    .await?;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("token_revoked"))
    );
    let lines = app
        .db
        .audit_entries(&AuditFilter {
            limit: 1000,
            ..AuditFilter::default()
        })
        .await?;
    for action in ["token.create", "token.revoke"] {
        assert!(
            lines
                .iter()
                .any(|l| l.entry.action == action && l.entry.actor == "user:root"),
            "{action} is not audited"
        );
    }
    Ok(())
}

async fn the_openapi_document_covers_every_api_route(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let res = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await?;
    assert_eq!(res.status().as_u16(), 200);
    let doc: Value = res.json().await?;
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().ok_or("no paths")?;
    for (rule, _) in digiparat::api::all_routes() {
        if !rule.path.starts_with("/api/v1/") || rule.path == "/api/v1/openapi.json" {
            continue;
        }
        let item = paths
            .get(rule.path)
            .ok_or(format!("{} is not documented", rule.path))?;
        let method = rule.method.to_ascii_lowercase();
        let op = item
            .get(&method)
            .ok_or(format!("{} {} is not documented", rule.method, rule.path))?;
        let responses = op["responses"].as_object().ok_or("no responses")?;
        assert!(
            responses.keys().any(|s| s.starts_with('4')),
            "{} {}: no error answers",
            rule.method,
            rule.path
        );
    }
    assert!(doc["components"]["securitySchemes"]["token"].is_object());
    let docs = app.client().get(app.url("/api/docs")).send().await?;
    assert_eq!(docs.status().as_u16(), 200);
    let html = docs.text().await?;
    assert!(html.contains("<code>POST /api/v1/cases</code>"));
    Ok(())
}

/// With the data folder below its floor, the API's writes are refused with 503
/// `unavailable` and store nothing, like form posts; reads and scoring go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_writes_pause_when_the_disk_is_low() -> TestResult {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}/test.db", dir.path().display());
    // A floor of a terabyte: this disk is always below it.
    let app =
        crate::helpers::app::spawn_configured(dir, url, &[("DIGIPARAT_MIN_FREE_MB", "1000000")])
            .await;
    let (team, _, secret) = setup(&app, "Low").await?;
    let body = json!({"reference": "L-1", "birth_year": 1980});
    let mut refused = None;
    // The storage watch looks every second.
    for _ in 0..50 {
        let (status, answer) = call(
            &app,
            reqwest::Method::POST,
            "/api/v1/cases",
            Some(&secret),
            Some(body.clone()),
        )
        .await?;
        if status == 503 {
            refused = Some(answer);
            break;
        }
        assert_eq!(status, 201, "{answer}");
        app.db
            .erase_case(answer["id"].as_i64().ok_or("no id")?, None)
            .await?;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let refused = refused.ok_or("writes were never paused")?;
    assert_eq!(refused["code"], "unavailable");
    assert!(app.db.cases_of_team(team).await?.is_empty());
    let res = app
        .client()
        .post(app.url("/api/v1/score"))
        .json(&json!({"instrument": "dr-1", "mode": "self", "answers": {}}))
        .send()
        .await?;
    assert_eq!(res.status().as_u16(), 200);
    Ok(())
}
