//! Security hardening (#12): typed text never becomes markup (checked in the browser's
//! DOM), a compressed download arrives whole, one-time passwords are replaced before
//! anything else, sessions end with a password change, reset or disabling, the client
//! address behind a trusted proxy, retention of what has no case, the start rate limit,
//! writes and their audit lines in one transaction, and the smaller items.

use std::io::Read;
use std::time::{Duration, Instant};

use digiparat::domain::role::Role;
use digiparat::server::db::{AnsweredBy, AuditFilter, NewAssessment};
use reqwest::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::cases::{PASSWORD, create_case, staff};
use crate::helpers::app::spawn_configured;
use crate::helpers::chrome::{Browser, Js};
use crate::helpers::{Db, TestApp, TestResult, header, location, spawn_app};
use crate::self_flow::device;

both_backends!(
    a_compressed_rows_download_arrives_whole,
    a_one_time_password_is_replaced_before_anything_else,
    sessions_end_with_a_password_change_reset_or_disabling,
    retention_expires_what_has_no_case,
    a_write_and_its_audit_line_are_one_transaction,
);

type Error = Box<dyn std::error::Error + Send + Sync>;

// ---------------------------------------------------------------------------------------
// 1, 2: stored markup injection, seen by a colleague's browser.

const NOTE: &str = r#"Fine.</textarea><meta http-equiv="refresh" content="0;url=/privacy"><b id="injected">x</b><form id="evil" method="post" action="/x"><button>OK</button></form>"#;
const REFERENCE: &str = r#"REF</title><b id="titled">x</b>"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_text_never_becomes_markup_in_a_colleagues_browser() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let team = app.db.create_team("Team M", None).await?;
    let (mallory, _) = staff(&app, "mallory", Role::Caseworker, Some(team)).await?;
    staff(&app, "colleague", Role::Caseworker, Some(team)).await?;
    let case = create_case(&app, &mallory, REFERENCE).await?;
    let res = mallory
        .post(app.url(&format!("/cases/{case}/interview")))
        .send()
        .await?;
    let token = location(&res)
        .strip_prefix("/interview/")
        .ok_or("no interview")?
        .to_owned();
    let saved = mallory
        .post(app.url(&format!("/interview/{token}/answers")))
        .form(&[("note", NOTE)])
        .send()
        .await?;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);

    let b = Browser::start(Js::Off).await;
    crate::cases_browser::sign_in(&app, &b, "colleague").await?;
    for path in [format!("/interview/{token}"), format!("/cases/{case}")] {
        b.goto(&app.url(&path)).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(b.path().await, path, "the page sent the browser elsewhere");
        let injected = b
            .eval(
                "[document.getElementById('injected'), document.getElementById('evil'), \
                 document.getElementById('titled'), document.querySelector('meta[http-equiv]')]\
                 .filter(x => x !== null).length",
            )
            .await;
        assert_eq!(injected, json!(0), "{path}: injected elements in the DOM");
        let title = b.eval("document.title").await;
        assert!(
            title
                .as_str()
                .is_some_and(|t| path.starts_with("/interview") || t.contains(REFERENCE)),
            "{path}: title {title}"
        );
    }
    b.goto(&app.url(&format!("/interview/{token}"))).await;
    let kept = b.eval("document.getElementById('note').value").await;
    assert_eq!(kept, json!(NOTE), "the note is not shown as typed");
    b.close().await;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 3: rows.csv through gzip and brotli.

async fn a_compressed_rows_download_arrives_whole(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    digiparat::server::seed::seed_demo(app.db.as_ref(), 400, 3).await?;
    app.db
        .create_team("=HYPERLINK(\"http://evil.example\")", None)
        .await?;
    let (manager, id) = staff(&app, "mona", Role::Manager, None).await?;
    crate::dashboard::allow_rows(&app, id, Role::Manager).await?;
    let fields = [
        ("year", ""),
        ("purpose", "Kontrol af hele filen ved komprimering"),
    ];
    let plain = manager
        .post(app.url("/dashboard/rows.csv"))
        .form(&fields)
        .header("accept-encoding", "identity")
        .send()
        .await?
        .bytes()
        .await?;
    assert!(
        plain.len() > 20_000,
        "too small to stream in chunks: {}",
        plain.len()
    );
    for encoding in ["gzip", "br"] {
        let res = manager
            .post(app.url("/dashboard/rows.csv"))
            .form(&fields)
            .header("accept-encoding", encoding)
            .send()
            .await?;
        assert_eq!(res.status(), StatusCode::OK);
        let used = header(&res, "content-encoding");
        assert_eq!(used, encoding);
        let packed = res.bytes().await?;
        let mut unpacked = Vec::new();
        match encoding {
            "gzip" => {
                flate2::read::GzDecoder::new(&packed[..]).read_to_end(&mut unpacked)?;
            }
            _ => {
                brotli::Decompressor::new(&packed[..], 4096).read_to_end(&mut unpacked)?;
            }
        }
        // Pseudonyms differ per file: compare everything but the first column.
        let strip = |b: &[u8]| -> Vec<String> {
            String::from_utf8_lossy(b)
                .lines()
                .map(|l| l.split_once(',').map_or(l, |(_, rest)| rest).to_owned())
                .collect()
        };
        assert_eq!(
            strip(&unpacked),
            strip(&plain),
            "{encoding}: the download differs"
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 4: one-time passwords.

async fn a_one_time_password_is_replaced_before_anything_else(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let (admin, id) = staff(&app, "ada", Role::Admin, None).await?;
    let hash = digiparat::server::auth::hash_password(PASSWORD)?;
    app.db.set_password(id, &hash, true, None).await?;
    // The session signed in before is over (the password changed); sign in again.
    assert_eq!(
        location(&admin.get(app.url("/admin")).send().await?),
        "/login"
    );
    let res = admin
        .post(app.url("/auth/login"))
        .form(&[("username", "ada"), ("password", PASSWORD)])
        .send()
        .await?;
    assert_eq!(location(&res), "/account/password");
    for page in ["/admin", "/admin/audit", "/dashboard"] {
        let res = admin.get(app.url(page)).send().await?;
        assert_eq!(location(&res), "/account/password", "{page}");
    }
    let post = admin
        .post(app.url("/admin/teams"))
        .form(&[("team_name", "Sneaky")])
        .send()
        .await?;
    assert_eq!(location(&post), "/account/password");
    assert!(app.db.teams().await?.is_empty(), "a team was created");
    let server_fn = admin
        .post(app.url("/api/admin/load/overview"))
        .header("accept", "application/json")
        .send()
        .await?;
    assert_eq!(server_fn.status(), StatusCode::FORBIDDEN);
    // The way out stays open.
    assert_eq!(
        admin
            .get(app.url("/account/password"))
            .send()
            .await?
            .status(),
        200
    );
    let changed = admin
        .post(app.url("/auth/password"))
        .form(&[
            ("current", PASSWORD),
            ("new", "a-new-long-password"),
            ("confirm", "a-new-long-password"),
        ])
        .send()
        .await?;
    assert_eq!(location(&changed), "/admin");
    assert_eq!(admin.get(app.url("/admin")).send().await?.status(), 200);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 5: sessions.

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("dp_session="))
        .map(str::to_owned)
}

async fn signed_in(app: &TestApp, name: &str, password: &str) -> Result<reqwest::Client, Error> {
    let dev = device();
    let res = dev
        .post(app.url("/auth/login"))
        .form(&[("username", name), ("password", password)])
        .send()
        .await?;
    assert!(
        !location(&res).starts_with("/login"),
        "{name}: {}",
        location(&res)
    );
    Ok(dev)
}

async fn sessions_end_with_a_password_change_reset_or_disabling(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let (admin, _) = staff(&app, "ada", Role::Admin, None).await?;
    let (phone, id) = staff(&app, "mona", Role::Manager, None).await?;
    let laptop = signed_in(&app, "mona", PASSWORD).await?;
    let works = |dev: &reqwest::Client| {
        let req = dev.get(app.url("/dashboard"));
        async move { req.send().await.map(|r| r.status() == StatusCode::OK) }
    };
    assert!(works(&phone).await? && works(&laptop).await?);

    // Her own change: the other device is signed out, this one goes on under a new id.
    let changed = laptop
        .post(app.url("/auth/password"))
        .form(&[
            ("current", PASSWORD),
            ("new", "monas-second-password"),
            ("confirm", "monas-second-password"),
        ])
        .send()
        .await?;
    assert_eq!(location(&changed), "/dashboard");
    assert!(
        session_cookie(&changed).is_some(),
        "the session id was not cycled"
    );
    assert!(
        works(&laptop).await?,
        "the device that changed it was signed out"
    );
    assert!(!works(&phone).await?, "another device kept its session");

    // A reset by an administrator ends every session.
    let res = admin
        .post(app.url(&format!("/admin/users/{id}/password")))
        .send()
        .await?;
    assert!(location(&res).starts_with(&format!("/admin/users/{id}")));
    assert!(!works(&laptop).await?, "a session outlived the reset");

    // Disabling and enabling again does not bring an old session back.
    let hash = digiparat::server::auth::hash_password("monas-third-password")?;
    app.db.set_password(id, &hash, false, None).await?;
    let again = signed_in(&app, "mona", "monas-third-password").await?;
    assert!(works(&again).await?);
    // Saving the account unchanged (an administrator edits the name) keeps it signed in.
    app.db.set_disabled(id, false).await?;
    assert!(
        works(&again).await?,
        "an unchanged save signed the account out"
    );
    app.db.set_disabled(id, true).await?;
    app.db.set_disabled(id, false).await?;
    assert!(
        !works(&again).await?,
        "a session survived disable and enable"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 7: the client behind a trusted proxy.

#[tokio::test]
async fn the_client_address_comes_from_a_trusted_proxy_only() -> TestResult {
    for (trusted, expected) in [(None, "127.0.0.1"), (Some("127.0.0.1/32"), "203.0.113.5")] {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}/test.db", dir.path().display());
        let vars: Vec<(&str, &str)> = trusted
            .map(|t| vec![("DIGIPARAT_TRUSTED_PROXIES", t)])
            .unwrap_or_default();
        let app = spawn_configured(dir, url, &vars).await;
        crate::accounts::add_user(&app, "pia", Role::Manager, PASSWORD).await?;
        let res = device()
            .post(app.url("/auth/login"))
            .header("x-forwarded-for", "203.0.113.5")
            .form(&[("username", "pia"), ("password", PASSWORD)])
            .send()
            .await?;
        assert_eq!(location(&res), "/dashboard");
        let lines = app
            .db
            .audit_entries(&AuditFilter {
                action: Some("auth.sign_in".into()),
                limit: 10,
                ..AuditFilter::default()
            })
            .await?;
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].entry.address, expected, "trusted: {trusted:?}");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 8: retention of what has no case.

fn self_assessment(code: &str) -> NewAssessment {
    NewAssessment {
        instrument: "dr-1".into(),
        mode: digiparat::domain::Mode::SelfAssessment,
        language: "da".into(),
        token: Some(format!("token-{code}")),
        resume_code: Some(code.into()),
        ..NewAssessment::default()
    }
}

async fn retention_expires_what_has_no_case(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let answered = app
        .db
        .create_assessment(&self_assessment("AAAA1111"), None)
        .await?;
    app.db
        .save_answer(answered, "U1", &json!("daily"), AnsweredBy::Recipient, None)
        .await?;
    let empty = app
        .db
        .create_assessment(&self_assessment("BBBB2222"), None)
        .await?;
    let finished = app
        .db
        .create_assessment(&self_assessment("CCCC3333"), None)
        .await?;
    let interview = NewAssessment {
        mode: digiparat::domain::Mode::Interview,
        note: Some("Case-less note about a person".into()),
        token: Some("interview-token".into()),
        resume_code: None,
        ..self_assessment("")
    };
    let noted = app
        .db
        .record_complete(
            &interview,
            &[("U1".into(), json!("never"))],
            AnsweredBy::Caseworker,
            &crate::database::result("analogue", 1),
        )
        .await?;
    app.db
        .save_answer(finished, "U1", &json!("daily"), AnsweredBy::Recipient, None)
        .await?;
    app.db
        .finish(finished, &crate::database::result("analogue", 1), None)
        .await?;
    let team = app.db.create_team("Team R", None).await?;
    let (cw, _) = staff(&app, "rita", Role::Caseworker, Some(team)).await?;
    let case = create_case(&app, &cw, "KEEP-1").await?;
    let of_case = app
        .db
        .create_assessment(
            &NewAssessment {
                case_id: Some(case),
                ..self_assessment("DDDD4444")
            },
            None,
        )
        .await?;

    // Nothing is old yet: nothing changes.
    digiparat::server::retention::erase_inactive(
        app.db.as_ref(),
        time::OffsetDateTime::now_utc() - time::Duration::days(700),
    )
    .await?;
    assert!(app.db.assessment(empty).await?.is_some());
    // Everything is old: what has no case expires.
    let later = time::OffsetDateTime::now_utc() + time::Duration::days(1);
    let (deleted, stripped) = app.db.expire_caseless(later, later, later).await?;
    assert_eq!((deleted, stripped), (2, 2));
    assert!(
        app.db.assessment(answered).await?.is_none(),
        "unfinished anonymous kept"
    );
    assert!(app.db.assessment(empty).await?.is_none(), "empty kept");
    assert!(
        app.db
            .assessment_by_resume_code("AAAA1111")
            .await?
            .is_none(),
        "resume code still works"
    );
    for id in [finished, noted] {
        let a = app
            .db
            .assessment(id)
            .await?
            .ok_or("finished result deleted")?;
        assert!(
            a.note.is_none() && a.token.is_none() && a.resume_code.is_none(),
            "{a:?}"
        );
        assert!(app.db.answers(id).await?.is_empty(), "answers kept");
        assert!(
            app.db.result(id).await?.is_some(),
            "result lost for statistics"
        );
    }
    assert!(
        app.db.assessment(of_case).await?.is_some(),
        "a case's assessment was touched"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 9: /self/start is rate-limited.

#[tokio::test]
async fn starting_is_rate_limited_per_address() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let mut refused = 0;
    for _ in 0..60 {
        let res = device().post(app.url("/self/start")).send().await?;
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    assert!(refused >= 25, "only {refused} of 60 starts refused");
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 10: a write and its audit line.

async fn a_write_and_its_audit_line_are_one_transaction(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let team = app.db.create_team("Team A", None).await?;
    let (cw, _) = staff(&app, "anna", Role::Caseworker, Some(team)).await?;
    let case = create_case(&app, &cw, "AUDIT-1").await?;
    let code = crate::cases::invite_code(&app, &cw, case).await?;
    let (admin, _) = staff(&app, "ada", Role::Admin, None).await?;
    let phone = device();
    let res = phone
        .post(app.url("/self/invite"))
        .form(&[("code", code.as_str())])
        .send()
        .await?;
    assert_eq!(location(&res), "/self/code");
    // From now on the audit trail refuses every line.
    let refuse = match db {
        Db::Sqlite => vec![
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'refused'); END",
        ],
        Db::Postgres => vec![
            "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$",
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()",
        ],
    };
    for sql in refuse {
        match db {
            Db::Sqlite => {
                let mut c =
                    <sqlx::SqliteConnection as sqlx::Connection>::connect(&app.database_url)
                        .await?;
                sqlx::query(sql).execute(&mut c).await?;
            }
            Db::Postgres => {
                let mut c =
                    <sqlx::PgConnection as sqlx::Connection>::connect(&app.database_url).await?;
                sqlx::query(sql).execute(&mut c).await?;
            }
        }
    }
    let before = app.db.case(case).await?.ok_or("case")?.last_activity_at;
    let answer = phone
        .post(app.url("/self/answer"))
        .form(&[("item", "U1"), ("answer", "daily")])
        .send()
        .await?;
    assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
    let a = app
        .db
        .assessments_of_case(case)
        .await?
        .first()
        .map(|s| s.id)
        .ok_or("no assessment")?;
    assert!(
        app.db.answers(a).await?.is_empty(),
        "an answer was stored without its audit line"
    );
    assert_eq!(
        app.db.case(case).await?.ok_or("case")?.last_activity_at,
        before
    );
    let erase = cw
        .post(app.url(&format!("/cases/{case}/erase")))
        .form(&[("confirm", "yes")])
        .send()
        .await?;
    assert_eq!(erase.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        app.db.case(case).await?.is_some(),
        "erased without an audit line"
    );
    // An administrator's writes too.
    let team = admin
        .post(app.url("/admin/teams"))
        .form(&[("team_name", "Unaudited")])
        .send()
        .await?;
    assert_eq!(team.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        !app.db.teams().await?.iter().any(|t| t.name == "Unaudited"),
        "a team was created without its audit line"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 15, 16, 21: headers and sign-in timing.

#[tokio::test]
async fn personal_server_function_answers_are_not_stored_and_https_gets_hsts() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let dev = device();
    dev.post(app.url("/self/start")).send().await?;
    let res = dev.post(app.url("/api/self/load/code")).send().await?;
    assert_eq!(
        res.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    assert!(res.headers().get("strict-transport-security").is_none());

    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}/test.db", dir.path().display());
    let secure = spawn_configured(dir, url, &[("DIGIPARAT_SECURE_COOKIES", "true")]).await;
    let res = device().get(secure.url("/")).send().await?;
    let hsts = res
        .headers()
        .get("strict-transport-security")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(hsts.contains("max-age="), "{hsts:?}");
    Ok(())
}

#[tokio::test]
async fn sign_in_takes_as_long_for_an_unknown_name() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    crate::accounts::add_user(&app, "known", Role::Manager, PASSWORD).await?;
    // Known and unknown names take turns, so that whatever else the machine is doing
    // slows both alike; the medians of nine each are compared.
    let url = app.url("/auth/login");
    let mut took: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    for n in 0..9u8 {
        for (side, name) in ["known", "nobody-at-all"].into_iter().enumerate() {
            // From addresses of their own, so the throttle stays out of the way.
            let dev = reqwest::Client::builder()
                .default_headers(crate::helpers::same_origin())
                .redirect(reqwest::redirect::Policy::none())
                .local_address(std::net::IpAddr::from([127, 0, 1 + side as u8, 10 + n]))
                .build()?;
            let started = Instant::now();
            dev.post(url.clone())
                .form(&[("username", name), ("password", "wrong-password")])
                .send()
                .await?;
            took[side].push(started.elapsed());
        }
    }
    for t in &mut took {
        t.sort();
    }
    let (known, unknown) = (took[0][4], took[1][4]);
    assert!(
        unknown * 2 >= known,
        "unknown names answer faster: {unknown:?} against {known:?}"
    );
    Ok(())
}

/// Used by the audit of sign-ins: a failed sign-in leaves a line (item 10).
#[tokio::test]
async fn sign_ins_and_failures_are_in_the_audit_trail() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    crate::accounts::add_user(&app, "olga", Role::Manager, PASSWORD).await?;
    let dev = device();
    dev.post(app.url("/auth/login"))
        .form(&[("username", "olga"), ("password", "wrong")])
        .send()
        .await?;
    dev.post(app.url("/auth/login"))
        .form(&[("username", "olga"), ("password", PASSWORD)])
        .send()
        .await?;
    dev.post(app.url("/auth/logout")).send().await?;
    let actions: Vec<String> = app
        .db
        .audit_entries(&AuditFilter {
            limit: 50,
            ..AuditFilter::default()
        })
        .await?
        .into_iter()
        .map(|e| e.entry.action)
        .collect();
    for a in ["auth.sign_in_failed", "auth.sign_in", "auth.sign_out"] {
        assert!(
            actions.iter().any(|x| x == a),
            "{a} missing from {actions:?}"
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 20: --help.

#[test]
fn help_prints_usage_and_starts_nothing() -> TestResult {
    let dir = tempfile::tempdir()?;
    let out = std::process::Command::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/target/release/digiparat"
    ))
    .arg("--help")
    .current_dir(dir.path())
    .env_clear()
    .output()?;
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout)?;
    assert!(
        text.contains("usage:") && text.contains("seed-demo"),
        "{text}"
    );
    assert!(!dir.path().join("data").exists(), "--help created ./data");
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 18: the app as a PostgreSQL role that does not own the audit table (README, Security).

#[tokio::test]
async fn postgres_app_role_cannot_touch_the_audit_trail() -> TestResult {
    use sqlx::Connection;
    let admin_url = crate::helpers::app::test_pg_url();
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(b, _)| b)
        .to_owned();
    let tag = format!("{:08x}", rand_tag());
    let (owner, app_role, database) = (
        format!("dp_owner_{tag}"),
        format!("dp_app_{tag}"),
        format!("dp_roles_{tag}"),
    );
    let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
    for sql in [
        format!("CREATE ROLE {owner} LOGIN"),
        format!("CREATE ROLE {app_role} LOGIN"),
        format!("CREATE DATABASE {database} OWNER {owner}"),
    ] {
        sqlx::query(&sql).execute(&mut admin).await?;
    }
    let as_role = |role: &str| base.replacen("postgres@", &format!("{role}@"), 1) + "/" + &database;
    // The owner creates and migrates the schema (any command does; the server too).
    let owned = digiparat::server::db::connect(&digiparat::server::config::DatabaseUrl::parse(
        &as_role(&owner),
    )?)
    .await?;
    owned.sessions().migrate().await?;
    let mut conn = sqlx::PgConnection::connect(&as_role(&owner)).await?;
    for sql in readme_grants(&app_role, &database)? {
        sqlx::query(&sql).execute(&mut conn).await?;
    }
    // The app runs as the other role and works.
    let app = crate::helpers::app::spawn_with(tempfile::tempdir()?, as_role(&app_role)).await;
    let (cw, _) = {
        let team = app.db.create_team("Team P", None).await?;
        staff(&app, "paula", Role::Caseworker, Some(team)).await?
    };
    let case = create_case(&app, &cw, "ROLE-1").await?;
    assert!(case > 0);
    let mut as_app = sqlx::PgConnection::connect(&as_role(&app_role)).await?;
    for sql in [
        "UPDATE audit_log SET actor = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_log_no_change ON audit_log",
    ] {
        assert!(
            sqlx::query(sql).execute(&mut as_app).await.is_err(),
            "the app role may: {sql}"
        );
    }
    Ok(())
}

fn rand_tag() -> u32 {
    use std::hash::{BuildHasher, RandomState};
    u32::try_from(RandomState::new().hash_one(Instant::now()) & 0xffff_ffff).unwrap_or(7)
}

/// The grants of the README's PostgreSQL recipe, read from the README itself so the two
/// cannot drift apart.
pub fn readme_grants(app_role: &str, database: &str) -> Result<Vec<String>, Error> {
    let readme = include_str!("../../README.md");
    let recipe = readme
        .split("CREATE ROLE digiparat_owner")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .ok_or("no PostgreSQL recipe in the README")?;
    let grants: Vec<String> = recipe
        .lines()
        .map(str::trim)
        .filter(|l| {
            l.starts_with("GRANT") || l.starts_with("REVOKE") || l.starts_with("ALTER DEFAULT")
        })
        .map(|l| {
            l.trim_end_matches(';')
                .replace("digiparat_app", app_role)
                .replace("DATABASE digiparat ", &format!("DATABASE {database} "))
        })
        .collect();
    if grants.is_empty() {
        return Err("the README recipe has no grants".into());
    }
    Ok(grants)
}

// ---------------------------------------------------------------------------------------
// 19: server functions above their body limit.

#[tokio::test]
async fn server_functions_answer_413_above_their_limit() -> TestResult {
    let app = spawn_app(Db::Sqlite).await;
    let dev = device();
    let big = format!("lang=da&pad={}", "x".repeat(200 * 1024));
    let sized = dev
        .post(app.url("/api/self/language"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(big.clone())
        .send()
        .await?;
    assert_eq!(sized.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // Without a length announced (chunked), the same.
    let chunks =
        futures_util::stream::iter((0..50).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 8 * 1024])));
    let streamed = dev
        .post(app.url("/api/self/language"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await?;
    assert_eq!(streamed.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let small = dev
        .post(app.url("/api/self/language"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("lang=en")
        .send()
        .await?;
    assert!(small.status().as_u16() < 500, "{}", small.status());
    Ok(())
}
