//! The authorization matrix: every route of the route table (`server::access::rules()`) ×
//! {anonymous, recipient with a code, caseworker of team A, caseworker of team B, manager,
//! admin}, with the expected allow or deny derived from the table. Objects in paths (a
//! case, an interview, an invite) belong to team A, and each request gets fresh ones, so
//! a destructive route cannot spoil the next. A second test proves that every page,
//! server function and other route of the app is in the table.

use std::collections::BTreeSet;

use digiparat::domain::role::Role;
use digiparat::domain::{Answers, Instrument, Mode, evaluate};
use digiparat::server::access::{Access, Kind, Rule, rules};
use digiparat::server::db::StoredResult;
use digiparat::server::db::{AnsweredBy, NewAssessment, NewCase};

use crate::both_backends;
use crate::cases::Error;
use crate::helpers::{Db, TestApp, TestResult, location, spawn_app};

both_backends!(every_route_allows_exactly_whom_the_table_says);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Principal {
    Anonymous,
    Recipient,
    CaseworkerA,
    CaseworkerB,
    Manager,
    Admin,
    /// Machine clients with API tokens: team A's reader and writer, team B's with both.
    TokenReadA,
    TokenWriteA,
    TokenBothB,
}

const PRINCIPALS: [Principal; 9] = [
    Principal::Anonymous,
    Principal::Recipient,
    Principal::CaseworkerA,
    Principal::CaseworkerB,
    Principal::Manager,
    Principal::Admin,
    Principal::TokenReadA,
    Principal::TokenWriteA,
    Principal::TokenBothB,
];

/// Objects of team A, made fresh for one request.
struct Fixture {
    case: i64,
    invite: i64,
    token: String,
    user: i64,
    /// An offer of the help directory.
    offer: i64,
    /// The finished interview of the case.
    assessment: i64,
    /// An API token of team A (to revoke).
    api_token: i64,
    /// The device cookie of a self-assessment started with one of the case's codes.
    recipient_cookie: String,
}

/// Does the request name a particular object of team A (a case, interview or invite)?
fn targets_team_a(rule: &Rule) -> bool {
    ["{case}", "{token}", "{invite}", "{assessment}"]
        .iter()
        .any(|p| rule.path.contains(p))
        || matches!(
            rule.path,
            "/api/cases/load/case"
                | "/api/cases/load/invite"
                | "/api/interview/load/form"
                | "/api/interview/load/result"
                | "/api/interview/load/plan"
        )
}

fn expected(rule: &Rule, who: Principal) -> bool {
    use digiparat::domain::token::Scope;
    let token = matches!(
        who,
        Principal::TokenReadA | Principal::TokenWriteA | Principal::TokenBothB
    );
    if let Access::Token(scope) = rule.access {
        return match who {
            Principal::TokenReadA => scope == Scope::CasesRead,
            Principal::TokenWriteA => scope == Scope::CasesWrite,
            Principal::TokenBothB => !targets_team_a(rule),
            _ => false,
        };
    }
    // A token is nobody anywhere else.
    let who = if token { Principal::Anonymous } else { who };
    match rule.access {
        Access::Public => true,
        Access::Recipient => who == Principal::Recipient,
        Access::Staff => !matches!(who, Principal::Anonymous | Principal::Recipient),
        Access::Caseworker => {
            who == Principal::CaseworkerA
                || (who == Principal::CaseworkerB && !targets_team_a(rule))
        }
        Access::Statistics => matches!(who, Principal::Manager | Principal::Admin),
        Access::Admin => who == Principal::Admin,
        Access::Token(_) => false,
    }
}

async fn fixture(
    app: &TestApp,
    team_a: i64,
    caseworker_a: i64,
    n: usize,
) -> Result<Fixture, Error> {
    let case = app
        .db
        .create_case(
            &NewCase {
                reference: format!("A-{n}"),
                birth_year: 1985,
                team_id: team_a,
                caseworker_id: Some(caseworker_a),
            },
            None,
        )
        .await?;
    let code = format!("RCP{n:07}");
    let invite = app
        .db
        .create_invite(
            case,
            &format!("INV{n:07}"),
            caseworker_a,
            time::OffsetDateTime::now_utc() + time::Duration::days(1),
            None,
        )
        .await?;
    // A second code, used by the recipient.
    app.db
        .create_invite(
            case,
            &code,
            caseworker_a,
            time::OffsetDateTime::now_utc() + time::Duration::days(1),
            None,
        )
        .await?;
    let recipient_cookie = format!("recipient-{n}-{}", rand_hex());
    app.db
        .redeem_invite(
            &code,
            &NewAssessment {
                instrument: "dr-1".into(),
                mode: digiparat::domain::Mode::SelfAssessment,
                language: "da".into(),
                token: Some(recipient_cookie.clone()),
                resume_code: Some(format!("R{n:09}")),
                ..NewAssessment::default()
            },
            None,
        )
        .await?
        .ok_or("the recipient's code did not work")?;
    // A finished interview of the case, so its result and override routes have data.
    let token = format!("interview-{n}-{}", rand_hex());
    let mut answers = serde_json::Map::new();
    answers.insert("U1".into(), serde_json::json!("daily"));
    answers.insert("A1".into(), serde_json::json!("none"));
    let parsed = Answers::parse(Instrument::dr1(), Mode::Interview, &answers)
        .map_err(|e| format!("{e:?}"))?;
    let outcome = evaluate(Instrument::dr1(), &parsed);
    let assessment = app
        .db
        .record_complete(
            &NewAssessment {
                instrument: "dr-1".into(),
                mode: digiparat::domain::Mode::Interview,
                language: "da".into(),
                token: Some(token.clone()),
                case_id: Some(case),
                team_id: Some(team_a),
                created_by: Some(caseworker_a),
                ..NewAssessment::default()
            },
            &[
                ("U1".into(), serde_json::json!("daily")),
                ("A1".into(), serde_json::json!("none")),
            ],
            AnsweredBy::Caseworker,
            &StoredResult::of(&outcome),
        )
        .await?;
    let user = app
        .db
        .create_user(
            &digiparat::server::db::NewUser {
                username: format!("target-{n}"),
                display_name: "Target".into(),
                role: Role::Manager,
                team_id: None,
                password_hash: "not a hash".into(),
                must_change_password: true,
            },
            None,
        )
        .await?;
    let offer = app
        .db
        .create_offer(
            &digiparat::domain::demo::demo_offers(team_a, team_a)[0],
            None,
        )
        .await?;
    let api_token = app
        .db
        .create_token(
            &digiparat::server::db::tokens::NewToken {
                name: format!("fixture {n}"),
                team_id: team_a,
                scopes: vec![digiparat::domain::token::Scope::CasesRead],
                secret_hash: format!("fixture-hash-{n}"),
                created_by: user,
                expires_at: time::OffsetDateTime::now_utc() + time::Duration::days(1),
            },
            None,
        )
        .await?;
    Ok(Fixture {
        assessment,
        api_token,
        case,
        invite,
        token,
        user,
        offer,
        recipient_cookie,
    })
}

fn rand_hex() -> String {
    use std::hash::{BuildHasher, RandomState};
    format!(
        "{:016x}",
        RandomState::new().hash_one(std::time::Instant::now())
    )
}

/// The concrete request for a rule: path and form body.
fn request(rule: &Rule, f: &Fixture, n: usize) -> (String, Vec<(String, String)>) {
    let path = rule
        .path
        .replace("{case}", &f.case.to_string())
        .replace("{invite}", &f.invite.to_string())
        .replace("{token}", &f.token)
        .replace("{user}", &f.user.to_string())
        .replace("{offer}", &f.offer.to_string())
        .replace("{assessment}", &f.assessment.to_string())
        .replace("{api_token}", &f.api_token.to_string())
        .replace("{item}", "U1")
        .replace("{id}", "dr-1")
        .replace("{round}", "1")
        .replace("{number}", "1")
        .replace("/pkg/*", "/pkg/digiparat.css");
    let pairs: &[(&str, String)] = match rule.path {
        "/self/answer" => &[("item", "U1".into())],
        "/self/invite" | "/self/resume" => &[("code", "WRONGCODE1".into())],
        "/auth/login" => &[("username", "nobody".into()), ("password", "wrong".into())],
        "/auth/password" => &[
            ("current", "wrong".into()),
            ("new", "x".into()),
            ("confirm", "x".into()),
        ],
        "/interview/{token}/answers" => &[("A1", "none".into())],
        "/interview/{token}/override" => &[
            ("channel", "analogue".into()),
            ("category", "person_asked".into()),
            ("reason", "Paper".into()),
        ],
        "/cases" => &[
            ("reference", format!("NEW-{n}")),
            ("birth_year", "1990".into()),
        ],
        "/cases/{case}/erase" => &[("confirm", "yes".into())],
        "/admin/teams" => &[("team_name", format!("Team {n}"))],
        "/admin/users" => &[
            ("username", format!("new{n}")),
            ("display_name", "New".into()),
            ("role", "manager".into()),
        ],
        "/admin/users/{user}" => &[
            ("display_name", "Renamed".into()),
            ("role", "manager".into()),
        ],
        "/api/self/language" => &[("lang", "en".into())],
        "/api/self/load/question" => &[("item", "U1".into()), ("from_check", "false".into())],
        "/api/cases/load/case" => &[("id", f.case.to_string())],
        "/api/cases/load/invite" => &[
            ("case", f.case.to_string()),
            ("invite", f.invite.to_string()),
        ],
        "/api/interview/load/form" | "/api/interview/load/result" | "/api/interview/load/plan" => {
            &[("token", f.token.clone())]
        }
        "/api/admin/load/offer" => &[("id", f.offer.to_string())],
        "/api/calibration/load/vignette" => &[("round", "1".into()), ("number", "1".into())],
        "/api/calibration/load/result" => &[("round", "1".into())],
        "/interview/{token}/plan" => &[("steps", "device_access".into())],
        "/admin/help/{offer}/retire" => &[("retired", "yes".into())],
        "/api/admin/load/user" => &[("id", f.user.to_string())],
        _ => &[],
    };
    (
        path,
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

/// Refused: a 401/403/404, or sent to sign in or to the start of the self-assessment.
fn refused(status: u16, location: &str) -> bool {
    let redirect = (300..400).contains(&status);
    matches!(status, 401 | 403 | 404)
        || (redirect && (location == "/login" || location.starts_with("/self/intro")))
}

/// Signs in a new staff account and returns its session cookie, so that each request can
/// carry exactly the principal's own cookies and nothing an earlier request left behind.
async fn session_cookie(
    app: &TestApp,
    name: &str,
    role: Role,
    team: Option<i64>,
) -> Result<(String, i64), Error> {
    let id = app
        .db
        .create_user(
            &digiparat::server::db::NewUser {
                username: name.into(),
                display_name: format!("Test {name}"),
                role,
                team_id: team,
                password_hash: digiparat::server::auth::hash_password(crate::cases::PASSWORD)?,
                must_change_password: false,
            },
            None,
        )
        .await?;
    let res = app
        .client()
        .post(app.url("/auth/login"))
        .form(&[("username", name), ("password", crate::cases::PASSWORD)])
        .send()
        .await?;
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("dp_session="))
        .and_then(|c| c.split(';').next())
        .ok_or(format!("{name} got no session"))?
        .to_owned();
    Ok((cookie, id))
}

async fn every_route_allows_exactly_whom_the_table_says(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let team_a = app.db.create_team("Team A", None).await?;
    let team_b = app.db.create_team("Team B", None).await?;
    let (cw_a, cw_a_id) = session_cookie(&app, "cw-a", Role::Caseworker, Some(team_a)).await?;
    let (cw_b, _) = session_cookie(&app, "cw-b", Role::Caseworker, Some(team_b)).await?;
    let (manager, manager_id) = session_cookie(&app, "boss", Role::Manager, Some(team_a)).await?;
    let (admin, admin_id) = session_cookie(&app, "root", Role::Admin, None).await?;
    // The rows file is also a permission of each account (`dashboard.rs` tests that one);
    // here the statistics accounts have it, so the table's roles are what is tested.
    crate::dashboard::allow_rows(&app, manager_id, Role::Manager).await?;
    crate::dashboard::allow_rows(&app, admin_id, Role::Admin).await?;
    let bearer = |team, scopes: &'static [digiparat::domain::token::Scope]| {
        crate::integration_api::token(
            &app,
            "matrix",
            team,
            admin_id,
            scopes,
            time::Duration::days(1),
        )
    };
    use digiparat::domain::token::Scope;
    let read_a = bearer(team_a, &[Scope::CasesRead]).await?;
    let write_a = bearer(team_a, &[Scope::CasesWrite]).await?;
    let both_b = bearer(team_b, &Scope::ALL).await?;
    let secret = |who: Principal| match who {
        Principal::TokenReadA => Some(read_a.clone()),
        Principal::TokenWriteA => Some(write_a.clone()),
        Principal::TokenBothB => Some(both_b.clone()),
        _ => None,
    };
    let cookie = |who: Principal, f: &Fixture| match who {
        Principal::CaseworkerA => Some(cw_a.clone()),
        Principal::CaseworkerB => Some(cw_b.clone()),
        Principal::Manager => Some(manager.clone()),
        Principal::Admin => Some(admin.clone()),
        Principal::Recipient => Some(format!("dp_self={}", f.recipient_cookie)),
        _ => None,
    };
    // Signing out ends the session every later request uses: it goes last.
    let mut ordered: Vec<&Rule> = rules()
        .iter()
        .filter(|r| r.path != "/auth/logout")
        .collect();
    ordered.extend(rules().iter().filter(|r| r.path == "/auth/logout"));
    let mut wrong = Vec::new();
    let mut n = 0;
    for rule in ordered {
        for who in PRINCIPALS {
            n += 1;
            let f = fixture(&app, team_a, cw_a_id, n).await?;
            let (path, form) = request(rule, &f, n);
            // No cookie store: each request carries only the principal's own cookie.
            let dev = app.client();
            let mut req = match rule.method {
                "GET" => dev.get(app.url(&path)),
                "DELETE" => dev.delete(app.url(&path)),
                _ => dev.post(app.url(&path)).form(&form),
            };
            if let Some(cookie) = cookie(who, &f) {
                req = req.header("cookie", cookie);
            }
            if let Some(secret) = secret(who) {
                req = req.bearer_auth(secret);
            }
            let res = req.send().await?;
            let status = res.status().as_u16();
            let to = location(&res);
            assert!(
                status < 500,
                "{} {path} as {who:?}: status {status}",
                rule.method
            );
            let allowed = !refused(status, &to);
            if allowed != expected(rule, who) {
                wrong.push(format!(
                    "{} {} as {who:?}: {} (status {status}, location {to:?}), the table says {}",
                    rule.method,
                    rule.path,
                    if allowed { "allowed" } else { "refused" },
                    if expected(rule, who) {
                        "allow"
                    } else {
                        "refuse"
                    },
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    Ok(())
}

/// Every page, server function and form or API route of the app has a rule, and every
/// rule (but static files) names a real route.
#[test]
fn the_route_table_covers_every_route() {
    let normalise = |p: &str| {
        let p = if p.is_empty() { "/" } else { p };
        p.split('/')
            .map(|s| match s.strip_prefix(':') {
                Some(name) => format!("{{{name}}}"),
                None => s.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/")
    };
    let mut routes: BTreeSet<(String, String)> = BTreeSet::new();
    for listing in leptos_axum::generate_route_list(digiparat::app::App) {
        routes.insert(("GET".into(), normalise(listing.path())));
    }
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        routes.insert((method.as_str().to_owned(), path.to_owned()));
    }
    for (rule, _) in digiparat::api::all_routes() {
        routes.insert((rule.method.into(), rule.path.into()));
    }
    assert!(routes.len() > 50, "too few routes found: {routes:?}");
    let ruled: BTreeSet<(String, String)> = rules()
        .iter()
        .filter(|r| r.kind != Kind::Static)
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    let missing: Vec<_> = routes.difference(&ruled).collect();
    let stale: Vec<_> = ruled.difference(&routes).collect();
    assert!(missing.is_empty(), "routes without a rule: {missing:?}");
    assert!(stale.is_empty(), "rules without a route: {stale:?}");
}
