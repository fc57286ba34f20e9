//! Cases over HTTP on both databases: creating them (CPR numbers refused), team scoping,
//! invite codes that attach the recipient's self-assessment to the case, erasure,
//! export, retention, and the append-only audit trail.

use digiparat::domain::role::Role;
use digiparat::server::auth::hash_password;
use digiparat::server::db::{AuditFilter, NewAssessment, NewCase, NewUser};
use serde_json::Value;

use crate::both_backends;
use crate::helpers::{Db, TestApp, TestResult, header, location, spawn_app};
use crate::self_flow::{answer_until_check, device, self_personas};

both_backends!(
    caseworker_creates_cases_and_cpr_numbers_are_refused,
    invite_code_attaches_the_self_assessment_to_the_case,
    teams_see_only_their_own_cases,
    erasure_removes_identifying_data_and_keeps_results,
    export_holds_everything_about_the_case,
    retention_erases_only_inactive_cases,
    audit_log_records_access_and_cannot_be_changed,
    the_caseload_pages_and_sorts_a_thousand_cases,
);

pub type Error = Box<dyn std::error::Error + Send + Sync>;

pub const PASSWORD: &str = "a-long-test-password";

/// A staff account in `team`, signed in on a fresh "browser"; returns it and its id.
pub async fn staff(
    app: &TestApp,
    name: &str,
    role: Role,
    team: Option<i64>,
) -> Result<(reqwest::Client, i64), Error> {
    let id = app
        .db
        .create_user(
            &NewUser {
                username: name.into(),
                display_name: format!("Test {name}"),
                role,
                team_id: team,
                password_hash: hash_password(PASSWORD)?,
                must_change_password: false,
            },
            None,
        )
        .await?;
    let dev = device();
    let res = dev
        .post(app.url("/auth/login"))
        .form(&[("username", name), ("password", PASSWORD)])
        .send()
        .await?;
    let to = location(&res);
    assert!(!to.starts_with("/login"), "{name} could not sign in: {to}");
    Ok((dev, id))
}

/// Creates a case through the form; returns its id.
pub async fn create_case(
    app: &TestApp,
    dev: &reqwest::Client,
    reference: &str,
) -> Result<i64, Error> {
    let res = dev
        .post(app.url("/cases"))
        .form(&[("reference", reference), ("birth_year", "1990")])
        .send()
        .await?;
    let to = location(&res);
    Ok(to
        .strip_prefix("/cases/")
        .and_then(|id| id.parse().ok())
        .ok_or(format!("no case created: {to}"))?)
}

/// Hands out an invite code for the case; returns the code as printed on the slip.
pub async fn invite_code(app: &TestApp, dev: &reqwest::Client, case: i64) -> Result<String, Error> {
    let res = dev
        .post(app.url(&format!("/cases/{case}/invites")))
        .send()
        .await?;
    let slip = location(&res);
    assert!(
        slip.starts_with(&format!("/cases/{case}/invites/")),
        "{slip}"
    );
    // A forged Host header does not reach the printed address (#12).
    let page = dev
        .get(app.url(&slip))
        .header("host", "evil.example")
        .send()
        .await?
        .text()
        .await?;
    assert!(
        !page.contains("evil.example"),
        "the slip prints the request's Host"
    );
    assert!(
        page.contains(&format!("{}/self/invite", app.base_url)),
        "the slip does not print the configured address"
    );
    let code = page
        .split(r#"data-code=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or("no code on the slip")?;
    assert!(page.contains("/self/invite"), "the slip lacks the address");
    Ok(code.to_owned())
}

async fn caseworker_creates_cases_and_cpr_numbers_are_refused(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let team = app.db.create_team("Jobcenter Nord", None).await?;
    let (cw, _) = staff(&app, "karen", Role::Caseworker, Some(team)).await?;
    for (reference, year, errors) in [
        ("010190-1234", "1990", "reference_cpr"),
        ("0101901234", "1990", "reference_cpr"),
        ("", "1990", "reference_missing"),
        ("NORD-1", "19x0", "birth_year_nan"),
        ("NORD-1", "2020", "birth_year_range"),
        ("", "", "reference_missing,birth_year_missing"),
    ] {
        let res = cw
            .post(app.url("/cases"))
            .form(&[("reference", reference), ("birth_year", year)])
            .send()
            .await?;
        let to = location(&res);
        assert!(
            to.starts_with(&format!("/cases/new?errors={errors}")),
            "{reference}/{year}: {to}"
        );
        assert!(
            !to.contains("0101901234") && !to.contains("010190-1234"),
            "CPR echoed: {to}"
        );
        let page = cw.get(app.url(&to)).send().await?.text().await?;
        assert!(
            page.contains("<title>Fejl: "),
            "no error title for {errors}"
        );
    }
    let cpr_page = cw
        .get(app.url("/cases/new?errors=reference_cpr"))
        .send()
        .await?
        .text()
        .await?;
    assert!(cpr_page.contains("ligner et CPR-nummer"), "no CPR message");
    assert!(
        app.db.cases_of_team(team).await?.is_empty(),
        "a bad case was stored"
    );

    let id = create_case(&app, &cw, "NORD-2041").await?;
    let dup = cw
        .post(app.url("/cases"))
        .form(&[("reference", "NORD-2041"), ("birth_year", "1980")])
        .send()
        .await?;
    assert!(location(&dup).starts_with("/cases/new?errors=reference_taken"));
    let case = app.db.case(id).await?.ok_or("case missing")?;
    assert_eq!((case.birth_year, case.team_id), (1990, team));
    let list = cw.get(app.url("/cases")).send().await?.text().await?;
    assert!(
        list.contains("NORD-2041") && list.contains("35–44 år"),
        "{list}"
    );
    let found = cw
        .get(app.url("/cases?q=nord-20"))
        .send()
        .await?
        .text()
        .await?;
    assert!(found.contains("NORD-2041"));
    let none = cw.get(app.url("/cases?q=zzz")).send().await?.text().await?;
    assert!(!none.contains("NORD-2041"), "search does not filter");
    let page = cw
        .get(app.url(&format!("/cases/{id}")))
        .send()
        .await?
        .text()
        .await?;
    assert!(page.contains("Sag NORD-2041"));
    Ok(())
}

async fn invite_code_attaches_the_self_assessment_to_the_case(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let team = app.db.create_team("Jobcenter Syd", None).await?;
    let (cw, cw_id) = staff(&app, "sofie", Role::Caseworker, Some(team)).await?;
    let case = create_case(&app, &cw, "SYD-7").await?;
    let code = invite_code(&app, &cw, case).await?;

    let recipient = device();
    let wrong = recipient
        .post(app.url("/self/invite"))
        .form(&[("code", "AAAA-AAAA-AA")])
        .send()
        .await?;
    assert_eq!(location(&wrong), "/self/invite?error=unknown");
    // Typed as people type: small letters, spaces instead of dashes.
    let typed = code.replace('-', " ").to_lowercase();
    let start = recipient
        .post(app.url("/self/invite"))
        .form(&[("code", typed.as_str())])
        .send()
        .await?;
    assert_eq!(location(&start), "/self/code");
    let (_, answers) = self_personas().into_iter().next().ok_or("no persona")?;
    answer_until_check(&app, &recipient, "/self/q/U1".into(), &answers).await?;
    let finish = recipient.post(app.url("/self/finish")).send().await?;
    assert_eq!(location(&finish), "/self/result");

    // A code works once.
    let again = device()
        .post(app.url("/self/invite"))
        .form(&[("code", code.as_str())])
        .send()
        .await?;
    assert_eq!(location(&again), "/self/invite?error=unknown");
    // An expired code does not work.
    app.db
        .create_invite(
            case,
            "CCCCCCCCCC",
            cw_id,
            time::OffsetDateTime::now_utc() - time::Duration::minutes(1),
            None,
        )
        .await?;
    let expired = device()
        .post(app.url("/self/invite"))
        .form(&[("code", "CCCC-CCCC-CC")])
        .send()
        .await?;
    assert_eq!(location(&expired), "/self/invite?error=unknown");

    let assessments = app.db.assessments_of_case(case).await?;
    assert_eq!(assessments.len(), 1, "{assessments:?}");
    let stored = &assessments[0];
    assert_eq!(stored.mode.as_str(), "self");
    let channel = stored.channel.clone().ok_or("no result on the case")?;
    let a = app.db.assessment(stored.id).await?.ok_or("missing")?;
    assert_eq!(
        (a.team_id, a.age_band.as_deref()),
        (Some(team), Some("35-44"))
    );

    let caseload = cw.get(app.url("/cases")).send().await?.text().await?;
    let name = digiparat::domain::Instrument::dr1()
        .channel_name(channel, "da")
        .to_owned();
    assert!(
        caseload.contains(&name),
        "the caseload lacks the result {name}"
    );
    let page = cw
        .get(app.url(&format!("/cases/{case}")))
        .send()
        .await?
        .text()
        .await?;
    assert!(
        page.contains("Selvtest") && page.contains("Brugt"),
        "{page}"
    );
    Ok(())
}

async fn teams_see_only_their_own_cases(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let a = app.db.create_team("Team A", None).await?;
    let b = app.db.create_team("Team B", None).await?;
    let (cw_a, _) = staff(&app, "anna", Role::Caseworker, Some(a)).await?;
    let (cw_b, _) = staff(&app, "bent", Role::Caseworker, Some(b)).await?;
    let case = create_case(&app, &cw_a, "A-SECRET-1").await?;
    let list_b = cw_b.get(app.url("/cases")).send().await?.text().await?;
    assert!(!list_b.contains("A-SECRET-1"), "team B sees team A's case");
    for path in [
        format!("/cases/{case}"),
        format!("/cases/{case}/export.json"),
    ] {
        let res = cw_b.get(app.url(&path)).send().await?;
        assert_eq!(res.status(), 404, "{path}");
        assert!(!res.text().await?.contains("A-SECRET-1"));
    }
    for path in ["interview", "invites", "erase"] {
        let res = cw_b
            .post(app.url(&format!("/cases/{case}/{path}")))
            .form(&[("confirm", "yes")])
            .send()
            .await?;
        assert_eq!(res.status(), 404, "{path}");
    }
    assert!(
        app.db.case(case).await?.is_some(),
        "team B erased team A's case"
    );
    assert!(app.db.invites_of_case(case).await?.is_empty());
    // An interview of team A's case is team A's.
    let res = cw_a
        .post(app.url(&format!("/cases/{case}/interview")))
        .send()
        .await?;
    let form = location(&res);
    assert!(form.starts_with("/interview/"), "{form}");
    assert_eq!(cw_b.get(app.url(&form)).send().await?.status(), 404);
    assert_eq!(cw_a.get(app.url(&form)).send().await?.status(), 200);
    Ok(())
}

/// An interview on the case with a note and an override: the full set of personal data.
async fn finished_interview(
    app: &TestApp,
    dev: &reqwest::Client,
    case: i64,
) -> Result<(i64, String), Error> {
    let res = dev
        .post(app.url(&format!("/cases/{case}/interview")))
        .send()
        .await?;
    let token = location(&res)
        .strip_prefix("/interview/")
        .ok_or("no interview")?
        .to_owned();
    let saved = dev
        .post(app.url(&format!("/interview/{token}/answers")))
        .form(&[
            ("U1", "daily"),
            ("A1", "none"),
            ("note", "Wants letters on paper"),
        ])
        .send()
        .await?;
    assert_eq!(location(&saved), format!("/interview/{token}/result"));
    let over = dev
        .post(app.url(&format!("/interview/{token}/override")))
        .form(&[
            ("channel", "analogue"),
            ("category", "person_asked"),
            ("reason", "Asked for paper"),
        ])
        .send()
        .await?;
    assert_eq!(location(&over), format!("/interview/{token}/result"));
    let a = app
        .db
        .assessment_by_token(&token)
        .await?
        .ok_or("no interview")?;
    Ok((a.id, token))
}

async fn erasure_removes_identifying_data_and_keeps_results(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let team = app.db.create_team("Team E", None).await?;
    let (cw, _) = staff(&app, "erik", Role::Caseworker, Some(team)).await?;
    let case = create_case(&app, &cw, "ERASE-ME").await?;
    let (assessment, token) = finished_interview(&app, &cw, case).await?;
    invite_code(&app, &cw, case).await?;

    let unconfirmed = cw
        .post(app.url(&format!("/cases/{case}/erase")))
        .form(&[("confirm", "")])
        .send()
        .await?;
    assert_eq!(
        location(&unconfirmed),
        format!("/cases/{case}?error=confirm#erase")
    );
    assert!(
        app.db.case(case).await?.is_some(),
        "erased without confirmation"
    );

    let erased = cw
        .post(app.url(&format!("/cases/{case}/erase")))
        .form(&[("confirm", "yes")])
        .send()
        .await?;
    assert_eq!(location(&erased), "/cases?erased=1");
    assert!(
        app.db.case(case).await?.is_none(),
        "the case is still there"
    );
    assert!(app.db.invites_of_case(case).await?.is_empty());
    assert!(app.db.answers(assessment).await?.is_empty(), "answers kept");
    let a = app
        .db
        .assessment(assessment)
        .await?
        .ok_or("result row gone")?;
    assert_eq!(
        (a.case_id, a.note.as_deref(), a.token.as_deref()),
        (None, None, None)
    );
    assert_eq!(a.team_id, Some(team), "statistics lost the team");
    let result = app.db.result(assessment).await?.ok_or("result deleted")?;
    assert!(
        result.override_.is_none(),
        "the override reason is free text and must go"
    );
    assert_eq!(
        cw.get(app.url(&format!("/interview/{token}")))
            .send()
            .await?
            .status(),
        404
    );
    assert_eq!(
        cw.get(app.url(&format!("/cases/{case}")))
            .send()
            .await?
            .status(),
        404
    );
    let list = cw
        .get(app.url("/cases?erased=1"))
        .send()
        .await?
        .text()
        .await?;
    assert!(!list.contains("ERASE-ME") && list.contains("Sagen er slettet"));
    let audit = app
        .db
        .audit_entries(&AuditFilter {
            case_id: Some(case),
            action: Some("case.erase".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await?;
    assert_eq!(audit.len(), 1, "erasure not audited");
    Ok(())
}

async fn export_holds_everything_about_the_case(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let team = app.db.create_team("Team X", None).await?;
    let (cw, _) = staff(&app, "xenia", Role::Caseworker, Some(team)).await?;
    let case = create_case(&app, &cw, "EXPORT-1").await?;
    finished_interview(&app, &cw, case).await?;
    let code = invite_code(&app, &cw, case).await?;
    let res = cw
        .get(app.url(&format!("/cases/{case}/export.json")))
        .send()
        .await?;
    assert_eq!(res.status(), 200);
    let disposition = header(&res, "content-disposition");
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let body: Value = res.json().await?;
    assert_eq!(body["case"]["reference"], "EXPORT-1");
    assert_eq!(body["case"]["birth_year"], 1990);
    let interview = &body["assessments"][0];
    assert_eq!(interview["note"], "Wants letters on paper");
    assert_eq!(interview["result"]["override"]["reason"], "Asked for paper");
    let answers = interview["answers"].as_array().ok_or("no answers")?;
    assert!(
        answers
            .iter()
            .any(|a| a["item"] == "A1" && a["value"] == "none")
    );
    assert_eq!(body["invites"][0]["code"], code.replace('-', ""));
    let actions: Vec<&str> = body["audit"]
        .as_array()
        .ok_or("no audit")?
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in [
        "case.create",
        "interview.start",
        "invite.create",
        "case.export",
    ] {
        assert!(
            actions.contains(&action),
            "{action} missing from {actions:?}"
        );
    }
    // Staff are named by role, never by username or address (#12).
    let text = body.to_string();
    assert!(
        !text.contains("xenia") && !text.contains("127.0.0.1"),
        "{text}"
    );
    assert!(
        body["audit"]
            .as_array()
            .ok_or("no audit")?
            .iter()
            .all(|e| e.get("address").is_none() && e.get("actor").is_none())
    );
    assert!(
        body["audit"][0]["by"] == "caseworker",
        "{}",
        body["audit"][0]
    );
    Ok(())
}

async fn retention_erases_only_inactive_cases(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let team = app.db.create_team("Team R", None).await?;
    let new_case = |reference: &str| NewCase {
        reference: reference.into(),
        birth_year: 1970,
        team_id: team,
        caseworker_id: None,
    };
    let old = app.db.create_case(&new_case("OLD"), None).await?;
    let finished = app
        .db
        .create_assessment(
            &NewAssessment {
                instrument: "dr-1".into(),
                mode: digiparat::domain::Mode::Interview,
                language: "da".into(),
                case_id: Some(old),
                team_id: Some(team),
                note: Some("private".into()),
                ..NewAssessment::default()
            },
            None,
        )
        .await?;
    app.db
        .save_answer(
            finished,
            "A1",
            &serde_json::json!("none"),
            digiparat::server::db::AnsweredBy::Caseworker,
            None,
        )
        .await?;
    // Whole seconds apart, so the order of stored times cannot be in doubt.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let cutoff = time::OffsetDateTime::now_utc();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let recent = app.db.create_case(&new_case("RECENT"), None).await?;

    let erased = digiparat::server::retention::erase_inactive(app.db.as_ref(), cutoff).await?;
    assert_eq!(erased, vec![old]);
    assert!(app.db.case(old).await?.is_none());
    assert!(
        app.db.case(recent).await?.is_some(),
        "an active case was erased"
    );
    // Unfinished: nothing in it counts, so it is gone with its answers.
    assert!(app.db.assessment(finished).await?.is_none());
    let audit = app
        .db
        .audit_entries(&AuditFilter {
            actor: Some("system".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await?;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].entry.case_id, Some(old));
    // Running again changes nothing.
    assert!(
        digiparat::server::retention::erase_inactive(app.db.as_ref(), cutoff)
            .await?
            .is_empty()
    );
    Ok(())
}

async fn audit_log_records_access_and_cannot_be_changed(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let team = app.db.create_team("Team L", None).await?;
    let (cw, _) = staff(&app, "lars", Role::Caseworker, Some(team)).await?;
    let case = create_case(&app, &cw, "LOG-1").await?;
    cw.get(app.url(&format!("/cases/{case}"))).send().await?;
    cw.get(app.url("/cases")).send().await?;
    let entries = app
        .db
        .audit_entries(&AuditFilter {
            actor: Some("lars".into()),
            limit: 100,
            ..AuditFilter::default()
        })
        .await?;
    let actions: Vec<&str> = entries.iter().map(|e| e.entry.action.as_str()).collect();
    assert_eq!(
        actions,
        ["caseload.view", "case.view", "case.create", "auth.sign_in"],
        "newest first"
    );
    assert!(entries.iter().all(|e| e.entry.address == "127.0.0.1"));
    assert_eq!(entries[1].entry.case_id, Some(case));

    // Only administrators read it, filtered.
    assert_eq!(cw.get(app.url("/admin/audit")).send().await?.status(), 403);
    let (admin, _) = staff(&app, "root2", Role::Admin, None).await?;
    let page = admin
        .get(app.url(&format!("/admin/audit?action=case.view&case={case}")))
        .send()
        .await?
        .text()
        .await?;
    assert!(page.contains("user:lars") && page.contains("case.view"));
    assert!(!page.contains("case.create"), "the filter does not filter");
    let bad = admin
        .get(app.url("/admin/audit?from=yesterday"))
        .send()
        .await?
        .text()
        .await?;
    assert!(bad.contains("<title>Fejl: "), "a bad filter gives no error");
    // A date field holds only a date: what could not be read is not echoed into it.
    crate::helpers::vnu::assert_valid(&[("/admin/audit?from=yesterday".to_owned(), bad)]);

    // The database itself refuses to change or delete a line.
    let truncate = match db {
        Db::Sqlite => "DELETE FROM audit_log WHERE 1", // SQLite has no TRUNCATE
        Db::Postgres => "TRUNCATE audit_log",
    };
    for sql in [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
        truncate,
    ] {
        let refused = match db {
            Db::Sqlite => {
                use sqlx::Connection;
                let mut c = sqlx::SqliteConnection::connect(&app.database_url).await?;
                sqlx::query(sql).execute(&mut c).await.is_err()
            }
            Db::Postgres => {
                use sqlx::Connection;
                let mut c = sqlx::PgConnection::connect(&app.database_url).await?;
                sqlx::query(sql).execute(&mut c).await.is_err()
            }
        };
        assert!(refused, "the audit log allowed: {sql}");
    }
    let after = app
        .db
        .audit_entries(&AuditFilter {
            actor: Some("lars".into()),
            limit: 100,
            ..AuditFilter::default()
        })
        .await?;
    assert_eq!(after.len(), entries.len());
    Ok(())
}

/// The case ids of a caseload page, in the order shown.
fn shown_cases(html: &str) -> Vec<i64> {
    html.split("data-case=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

/// 1,000 cases: 50 a page, what is due first, sortable by column links, and pages and
/// orders that are plain links (no JavaScript: every request here is a plain GET).
async fn the_caseload_pages_and_sorts_a_thousand_cases(db: Db) -> TestResult {
    use digiparat::domain::{Answers, Instrument, Mode, evaluate};
    use digiparat::server::db::{AnsweredBy, StoredResult};
    let app = spawn_app(db).await;
    let team = app.db.create_team("Jobcenter Nord", None).await?;
    let (cw, _) = staff(&app, "pia", Role::Caseworker, Some(team)).await?;
    let mut ids = Vec::with_capacity(1000);
    for n in 0..1000 {
        let new = NewCase {
            reference: format!("NORD-{n:04}"),
            birth_year: 1980,
            team_id: team,
            caseworker_id: None,
        };
        ids.push(app.db.create_case(&new, None).await?);
    }
    // Three cases have a provisional result, and so a re-screening date.
    let mut answers = serde_json::Map::new();
    answers.insert("U1".into(), serde_json::json!("daily"));
    let parsed = Answers::parse(Instrument::dr1(), Mode::SelfAssessment, &answers)
        .map_err(|e| format!("{e:?}"))?;
    let outcome = evaluate(Instrument::dr1(), &parsed);
    assert!(
        outcome.provisional,
        "the fixture needs a provisional result"
    );
    let due = [ids[999], ids[500], ids[7]];
    for case in due {
        let new = NewAssessment {
            instrument: "dr-1".into(),
            language: "da".into(),
            case_id: Some(case),
            team_id: Some(team),
            ..NewAssessment::default()
        };
        let answers = [("U1".to_owned(), serde_json::json!("daily"))];
        let result = StoredResult::of(&outcome);
        app.db
            .record_complete(&new, &answers, AnsweredBy::Recipient, &result)
            .await?;
    }
    let page = |query: &'static str| {
        let (cw, url) = (cw.clone(), app.url(&format!("/cases{query}")));
        async move { cw.get(url).send().await?.text().await }
    };

    let first = page("").await?;
    let shown = shown_cases(&first);
    assert_eq!(shown.len(), 50, "50 cases a page");
    let mut leading = shown[..3].to_vec();
    leading.sort_unstable();
    let mut expected = due.to_vec();
    expected.sort_unstable();
    assert_eq!(leading, expected, "what is due comes first by default");
    assert!(first.contains("Side 1 af 20"), "page 1 of 20 is said");
    assert!(first.contains(r#"rel="next" href="/cases?sort=due&amp;page=2""#));
    assert!(!first.contains(r#"rel="prev""#));

    let last = page("?page=20").await?;
    assert_eq!(shown_cases(&last).len(), 50);
    assert!(last.contains(r#"rel="prev""#) && !last.contains(r#"rel="next""#));
    // A page past the end shows the last one; nonsense shows the first.
    assert_eq!(shown_cases(&page("?page=999").await?), shown_cases(&last));
    assert_eq!(shown_cases(&page("?page=x").await?), shown);

    let by_reference = page("?sort=reference&page=2").await?;
    assert_eq!(shown_cases(&by_reference).first(), Some(&ids[50]));
    assert!(
        by_reference.contains(r#"href="/cases?sort=reference" aria-current="true""#),
        "the column that orders the list is marked"
    );

    // A search pages within its matches: NORD-09xx is 100 cases, two pages.
    let search = page("?q=nord-09&sort=reference").await?;
    assert_eq!(shown_cases(&search).first(), Some(&ids[900]));
    assert!(search.contains("Side 1 af 2"));
    assert!(search.contains(r#"href="/cases?q=nord-09&amp;sort=reference&amp;page=2""#));
    Ok(())
}
