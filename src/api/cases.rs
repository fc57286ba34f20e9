//! Recipients' cases for caseworkers: the caseload of their own team, a new case, one
//! case over time, starting an interview or handing out an invite code, and the GDPR
//! operations (export everything held, erase on request). Every access is audited.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaseloadRow {
    pub id: i64,
    pub reference: String,
    pub age_band: String,
    pub caseworker: Option<String>,
    /// Date of the latest finished assessment, `dd-mm-yyyy`.
    pub latest: Option<String>,
    pub channel: Option<String>,
    pub override_channel: Option<String>,
    pub borderline: bool,
    pub provisional: bool,
    /// Re-screening date after a provisional or borderline result.
    pub due: Option<String>,
    pub overdue: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaseloadView {
    pub team: Option<String>,
    pub query: String,
    pub sort: String,
    pub rows: Vec<CaseloadRow>,
    pub total: usize,
    pub erased: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NewCaseView {
    pub team: Option<String>,
    pub caseworkers: Vec<(i64, String)>,
    pub me: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AssessmentRow {
    pub date: String,
    pub mode: String,
    pub finished: bool,
    pub channel: Option<String>,
    pub override_channel: Option<String>,
    pub borderline: bool,
    pub provisional: bool,
    /// The caseworker's view of an interview.
    pub href: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InviteRow {
    pub id: i64,
    pub code: String,
    pub created: String,
    pub expires: String,
    /// `open`, `used` or `expired`.
    pub status: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaseView {
    pub id: i64,
    pub reference: String,
    pub age_band: String,
    pub team: String,
    pub caseworker: Option<String>,
    pub created: String,
    pub assessments: Vec<AssessmentRow>,
    /// Channels of finished assessments, oldest first (computed, or the override).
    pub movement: Vec<String>,
    pub due: Option<String>,
    pub invites: Vec<InviteRow>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InviteSlip {
    pub case_id: i64,
    pub reference: String,
    pub code: String,
    pub address: String,
    pub expires: String,
}

#[server(endpoint = "cases/load/list")]
pub async fn load_caseload(
    query: Option<String>,
    sort: Option<String>,
    erased: Option<String>,
) -> Result<CaseloadView, ServerFnError> {
    server::caseload(
        query.unwrap_or_default(),
        sort.unwrap_or_default(),
        erased.is_some(),
    )
    .await
}

#[server(endpoint = "cases/load/new")]
pub async fn load_new_case() -> Result<NewCaseView, ServerFnError> {
    server::new_case().await
}

#[server(endpoint = "cases/load/case")]
pub async fn load_case(id: i64) -> Result<CaseView, ServerFnError> {
    server::case(id).await
}

#[server(endpoint = "cases/load/invite")]
pub async fn load_invite(case: i64, invite: i64) -> Result<InviteSlip, ServerFnError> {
    server::invite(case, invite).await
}

#[cfg(feature = "ssr")]
pub use server::{create, create_invite, erase, export, start_interview};

/// Invite codes are valid this long: two weeks covers a letter and a reminder.
pub const INVITE_DAYS: i64 = 14;

#[cfg(feature = "ssr")]
mod server {
    use std::net::SocketAddr;

    use axum::Json;
    use axum::extract::{ConnectInfo, Form, Path, State};
    use axum::response::{IntoResponse, Redirect, Response};
    use leptos::prelude::*;
    use serde_json::{Value, json};
    use time::{Date, Duration, OffsetDateTime};
    use tower_sessions::Session;

    use super::*;
    use crate::api::guard::{
        audit_form, audit_page, by_staff, case_for_form, case_for_page, db_error, page_address,
        staff_form, staff_page,
    };
    use crate::api::questionnaire::{format_resume_code, new_resume_code, new_token};
    use crate::domain::case::{AgeBand, RESCREEN_MONTHS, parse_birth_year, parse_reference};
    use crate::domain::role::Role;
    use crate::domain::{Channel, Instrument, Mode};
    use crate::error::AppError;
    use crate::i18n::Lang;
    use crate::server::db::{AssessmentSummary, Case, DbError, NewAssessment, NewCase};
    use crate::server::state::AppState;

    pub fn date(t: OffsetDateTime) -> String {
        format!("{:02}-{:02}-{}", t.day(), u8::from(t.month()), t.year())
    }

    fn this_year() -> i32 {
        OffsetDateTime::now_utc().year()
    }

    fn band(case: &Case) -> String {
        AgeBand::of(case.birth_year, this_year())
            .as_str()
            .to_owned()
    }

    /// The same day `months` later (the last day of a shorter month).
    pub fn add_months(d: Date, months: u8) -> Date {
        let total = i32::from(u8::from(d.month())) - 1 + i32::from(months);
        let year = d.year() + total / 12;
        let month = time::Month::try_from((total % 12 + 1) as u8).unwrap_or(time::Month::January);
        let last = month.length(year);
        Date::from_calendar_date(year, month, d.day().min(last)).unwrap_or(d)
    }

    /// When a provisional or borderline latest result is due for re-screening.
    fn due_date(latest: Option<&AssessmentSummary>) -> Option<Date> {
        let a = latest?;
        let finished = a.finished_at?;
        (a.provisional || a.borderline).then(|| add_months(finished.date(), RESCREEN_MONTHS))
    }

    fn channel_name(code: Option<&str>, lang: Lang) -> Option<String> {
        let channel: Channel = code?.parse().ok()?;
        Some(
            Instrument::dr1()
                .channel_name(channel, lang.code())
                .to_owned(),
        )
    }

    pub async fn caseload(
        query: String,
        sort: String,
        erased: bool,
    ) -> Result<CaseloadView, ServerFnError> {
        let (state, user) = staff_page(Role::can_run_interviews).await?;
        let lang = crate::ui::request_lang();
        let Some(team_id) = user.team_id else {
            return Ok(CaseloadView {
                team: None,
                query,
                sort,
                rows: Vec::new(),
                total: 0,
                erased,
            });
        };
        let team = state
            .db
            .teams()
            .await
            .map_err(db_error)?
            .into_iter()
            .find(|t| t.id == team_id)
            .map(|t| t.name);
        let cases = state.db.cases_of_team(team_id).await.map_err(db_error)?;
        let assessments = state
            .db
            .assessments_of_team(team_id)
            .await
            .map_err(db_error)?;
        audit_page(
            &state,
            crate::server::db::NewAudit {
                detail: format!("team {team_id}, {} cases", cases.len()),
                ..by_staff(&user, "caseload.view", &page_address().await)
            },
        )
        .await?;
        let today = OffsetDateTime::now_utc().date();
        let total = cases.len();
        let needle = query.trim().to_lowercase();
        let mut rows: Vec<(Option<Date>, Option<OffsetDateTime>, CaseloadRow)> = cases
            .iter()
            .filter(|c| needle.is_empty() || c.reference.to_lowercase().contains(&needle))
            .map(|c| {
                let latest = assessments
                    .iter()
                    .filter(|a| a.case_id == c.id && a.finished_at.is_some())
                    .max_by_key(|a| a.finished_at);
                let due = due_date(latest);
                let finished = latest.and_then(|a| a.finished_at);
                let row = CaseloadRow {
                    id: c.id,
                    reference: c.reference.clone(),
                    age_band: band(c),
                    caseworker: c.caseworker_name.clone(),
                    latest: finished.map(date),
                    channel: channel_name(latest.and_then(|a| a.channel.as_deref()), lang),
                    override_channel: channel_name(
                        latest.and_then(|a| a.override_channel.as_deref()),
                        lang,
                    ),
                    borderline: latest.is_some_and(|a| a.borderline),
                    provisional: latest.is_some_and(|a| a.provisional),
                    due: due
                        .map(|d| format!("{:02}-{:02}-{}", d.day(), u8::from(d.month()), d.year())),
                    overdue: due.is_some_and(|d| d <= today),
                };
                (due, finished, row)
            })
            .collect();
        match sort.as_str() {
            // Most urgent first; cases without a due date last.
            "due" => rows.sort_by_key(|(due, _, r)| (due.is_none(), *due, r.reference.clone())),
            // Newest result first; never-assessed cases last.
            "latest" => rows.sort_by(|a, b| {
                b.1.cmp(&a.1)
                    .then_with(|| a.2.reference.cmp(&b.2.reference))
            }),
            _ => rows.sort_by(|a, b| {
                a.2.reference
                    .to_lowercase()
                    .cmp(&b.2.reference.to_lowercase())
            }),
        }
        Ok(CaseloadView {
            team,
            query,
            sort: if matches!(sort.as_str(), "due" | "latest") {
                sort
            } else {
                "reference".into()
            },
            rows: rows.into_iter().map(|(_, _, r)| r).collect(),
            total,
            erased,
        })
    }

    pub async fn new_case() -> Result<NewCaseView, ServerFnError> {
        let (state, user) = staff_page(Role::can_run_interviews).await?;
        let teams = state.db.teams().await.map_err(db_error)?;
        let team = teams
            .iter()
            .find(|t| Some(t.id) == user.team_id)
            .map(|t| t.name.clone());
        let caseworkers = state
            .db
            .users()
            .await
            .map_err(db_error)?
            .into_iter()
            .filter(|u| {
                u.role.can_run_interviews()
                    && !u.disabled
                    && u.team_id.is_some()
                    && u.team_id == user.team_id
            })
            .map(|u| (u.id, u.display_name))
            .collect();
        Ok(NewCaseView {
            team,
            caseworkers,
            me: user.id,
        })
    }

    pub async fn case(id: i64) -> Result<CaseView, ServerFnError> {
        let (state, user) = staff_page(Role::can_run_interviews).await?;
        let case = case_for_page(&state, &user, id).await?;
        let assessments = state.db.assessments_of_case(id).await.map_err(db_error)?;
        let invites = state.db.invites_of_case(id).await.map_err(db_error)?;
        audit_page(
            &state,
            crate::server::db::NewAudit {
                case_id: Some(id),
                ..by_staff(&user, "case.view", &page_address().await)
            },
        )
        .await?;
        let lang = crate::ui::request_lang();
        let now = OffsetDateTime::now_utc();
        let finished: Vec<&AssessmentSummary> = assessments
            .iter()
            .filter(|a| a.finished_at.is_some())
            .collect();
        let movement = finished
            .iter()
            .filter_map(|a| {
                channel_name(a.override_channel.as_deref().or(a.channel.as_deref()), lang)
            })
            .collect();
        let latest = finished.iter().copied().max_by_key(|a| a.finished_at);
        Ok(CaseView {
            id,
            reference: case.reference.clone(),
            age_band: band(&case),
            team: case.team_name.clone(),
            caseworker: case.caseworker_name.clone(),
            created: date(case.created_at),
            due: due_date(latest)
                .map(|d| format!("{:02}-{:02}-{}", d.day(), u8::from(d.month()), d.year())),
            movement,
            assessments: assessments
                .iter()
                .rev()
                .map(|a| AssessmentRow {
                    date: date(a.finished_at.unwrap_or(a.started_at)),
                    mode: a.mode.clone(),
                    finished: a.finished_at.is_some(),
                    channel: channel_name(a.channel.as_deref(), lang),
                    override_channel: channel_name(a.override_channel.as_deref(), lang),
                    borderline: a.borderline,
                    provisional: a.provisional,
                    href: match (a.mode.as_str(), &a.token, a.finished_at) {
                        ("interview", Some(t), Some(_)) => Some(format!("/interview/{t}/result")),
                        ("interview", Some(t), None) => Some(format!("/interview/{t}")),
                        _ => None,
                    },
                })
                .collect(),
            invites: invites
                .iter()
                .rev()
                .map(|i| InviteRow {
                    id: i.id,
                    code: format_resume_code(&i.code),
                    created: date(i.created_at),
                    expires: date(i.expires_at),
                    status: if i.used_at.is_some() {
                        "used"
                    } else if i.expires_at <= now {
                        "expired"
                    } else {
                        "open"
                    }
                    .into(),
                })
                .collect(),
        })
    }

    pub async fn invite(case_id: i64, invite_id: i64) -> Result<InviteSlip, ServerFnError> {
        let (state, user) = staff_page(Role::can_run_interviews).await?;
        let case = case_for_page(&state, &user, case_id).await?;
        let invite = match state.db.invite(invite_id).await.map_err(db_error)? {
            Some(i) if i.case_id == case.id => i,
            _ => return Err(crate::api::guard::not_found()),
        };
        audit_page(
            &state,
            crate::server::db::NewAudit {
                case_id: Some(case_id),
                detail: format!("invite {invite_id}"),
                ..by_staff(&user, "invite.view", &page_address().await)
            },
        )
        .await?;
        // The configured address, never the request's Host header (which the sender chooses).
        let base = state.config.public_url.trim_end_matches('/');
        Ok(InviteSlip {
            case_id,
            reference: case.reference,
            code: format_resume_code(&invite.code),
            address: format!("{base}/self/invite"),
            expires: date(invite.expires_at),
        })
    }

    fn field<'f>(fields: &'f [(String, String)], name: &str) -> &'f str {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    fn unavailable(e: DbError) -> Response {
        AppError::Database(e).into_response()
    }

    /// POST /cases: a new case in the caseworker's team.
    pub async fn create(
        State(state): State<AppState>,
        session: Session,
        ConnectInfo(addr): ConnectInfo<SocketAddr>,
        Form(fields): Form<Vec<(String, String)>>,
    ) -> Response {
        let user = match staff_form(&state, &session, Role::can_run_interviews).await {
            Ok(u) => u,
            Err(refused) => return refused,
        };
        let Some(team_id) = user.team_id else {
            return Redirect::to("/cases/new?error=no_team").into_response();
        };
        let reference = parse_reference(field(&fields, "reference"));
        let birth_year = parse_birth_year(field(&fields, "birth_year"), this_year());
        let errors: Vec<&str> = [reference.as_ref().err(), birth_year.as_ref().err()]
            .into_iter()
            .flatten()
            .map(|e| e.as_str())
            .collect();
        let keep = |extra: &str| {
            let mut q = url_pairs(&[
                ("reference", field(&fields, "reference")),
                ("birth_year", field(&fields, "birth_year")),
            ]);
            q.push_str(extra);
            q
        };
        let (Ok(reference), Ok(birth_year)) = (reference, birth_year) else {
            // A CPR-shaped reference is never echoed back into the address bar.
            let kept = if errors.contains(&"reference_cpr") {
                url_pairs(&[("birth_year", field(&fields, "birth_year"))])
            } else {
                keep("")
            };
            return Redirect::to(&format!("/cases/new?errors={}&{kept}", errors.join(",")))
                .into_response();
        };
        let caseworker_id = match field(&fields, "caseworker").parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => Some(user.id),
        };
        // Only a caseworker of the same team can be assigned.
        let caseworker_id = match caseworker_id {
            Some(id) if id == user.id => Some(id),
            Some(id) => match state.db.user(id).await {
                Ok(Some(u)) if u.team_id == Some(team_id) && u.role.can_run_interviews() => {
                    Some(id)
                }
                Ok(_) => Some(user.id),
                Err(e) => return unavailable(e),
            },
            None => None,
        };
        let new = NewCase {
            reference,
            birth_year,
            team_id,
            caseworker_id,
        };
        let line = by_staff(&user, "case.create", &addr.ip().to_string());
        let id = match state.db.create_case(&new, Some(&line)).await {
            Ok(id) => id,
            Err(DbError::Duplicate(_)) => {
                return Redirect::to(&format!("/cases/new?errors=reference_taken&{}", keep("")))
                    .into_response();
            }
            Err(e) => return unavailable(e),
        };
        Redirect::to(&format!("/cases/{id}")).into_response()
    }

    /// `k=v&k=v`, form-encoded.
    fn url_pairs(pairs: &[(&str, &str)]) -> String {
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    fn encode(v: &str) -> String {
        v.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    }

    /// A signed-in caseworker and one of their own team's cases, or the refusal.
    async fn caseworker_case(
        state: &AppState,
        session: &Session,
        case_id: i64,
    ) -> Result<(crate::server::db::User, Case), Response> {
        let user = staff_form(state, session, Role::can_run_interviews).await?;
        let case = case_for_form(state, &user, case_id).await?;
        Ok((user, case))
    }

    /// POST /cases/{case}/interview: an interview that belongs to the case.
    pub async fn start_interview(
        State(state): State<AppState>,
        session: Session,
        ConnectInfo(addr): ConnectInfo<SocketAddr>,
        Path(case_id): Path<i64>,
        lang: axum::Extension<Lang>,
    ) -> Response {
        let (user, case) = match caseworker_case(&state, &session, case_id).await {
            Ok(found) => found,
            Err(refused) => return refused,
        };
        let token = new_token();
        let new = NewAssessment {
            instrument: Instrument::dr1().id().to_owned(),
            mode: Mode::Interview.as_str().to_owned(),
            language: lang.code().to_owned(),
            token: Some(token.clone()),
            case_id: Some(case.id),
            team_id: Some(case.team_id),
            age_band: Some(band(&case)),
            created_by: Some(user.id),
            ..NewAssessment::default()
        };
        let line = by_staff(&user, "interview.start", &addr.ip().to_string());
        if let Err(e) = state.db.create_assessment(&new, Some(&line)).await {
            return unavailable(e);
        }
        Redirect::to(&format!("/interview/{token}")).into_response()
    }

    /// POST /cases/{case}/invites: a one-time code for the recipient's self-assessment.
    pub async fn create_invite(
        State(state): State<AppState>,
        session: Session,
        ConnectInfo(addr): ConnectInfo<SocketAddr>,
        Path(case_id): Path<i64>,
    ) -> Response {
        let (user, case) = match caseworker_case(&state, &session, case_id).await {
            Ok(found) => found,
            Err(refused) => return refused,
        };
        let expires = OffsetDateTime::now_utc() + Duration::days(super::INVITE_DAYS);
        let mut last = None;
        // A clash with another code is rare: try again with a fresh one.
        let line = by_staff(&user, "invite.create", &addr.ip().to_string());
        for _ in 0..3 {
            match state
                .db
                .create_invite(case.id, &new_resume_code(), user.id, expires, Some(&line))
                .await
            {
                Ok(invite_id) => {
                    return Redirect::to(&format!("/cases/{}/invites/{invite_id}", case.id))
                        .into_response();
                }
                Err(e) => last = Some(e),
            }
        }
        last.map(unavailable)
            .unwrap_or_else(|| Redirect::to(&format!("/cases/{}", case.id)).into_response())
    }

    /// POST /cases/{case}/erase: erasure on the person's request, after a confirmation.
    pub async fn erase(
        State(state): State<AppState>,
        session: Session,
        ConnectInfo(addr): ConnectInfo<SocketAddr>,
        Path(case_id): Path<i64>,
        Form(fields): Form<Vec<(String, String)>>,
    ) -> Response {
        let (user, case) = match caseworker_case(&state, &session, case_id).await {
            Ok(found) => found,
            Err(refused) => return refused,
        };
        if field(&fields, "confirm") != "yes" {
            return Redirect::to(&format!("/cases/{}?error=confirm#erase", case.id))
                .into_response();
        }
        let line = crate::server::db::NewAudit {
            detail: "on request".into(),
            ..by_staff(&user, "case.erase", &addr.ip().to_string())
        };
        if let Err(e) = state.db.erase_case(case.id, Some(&line)).await {
            return unavailable(e);
        }
        Redirect::to("/cases?erased=1").into_response()
    }

    /// GET /cases/{case}/export.json: everything held about one case (GDPR art. 15).
    pub async fn export(
        State(state): State<AppState>,
        session: Session,
        ConnectInfo(addr): ConnectInfo<SocketAddr>,
        Path(case_id): Path<i64>,
    ) -> Response {
        let (user, case) = match caseworker_case(&state, &session, case_id).await {
            Ok(found) => found,
            Err(refused) => return refused,
        };
        if let Err(r) = audit_form(
            &state,
            crate::server::db::NewAudit {
                case_id: Some(case.id),
                ..by_staff(&user, "case.export", &addr.ip().to_string())
            },
        )
        .await
        {
            return r;
        }
        match export_json(&state, &case).await {
            Ok(body) => (
                [
                    (
                        http::header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"case-{}.json\"", case.id),
                    ),
                    (http::header::CACHE_CONTROL, "no-store".to_owned()),
                ],
                Json(body),
            )
                .into_response(),
            Err(e) => unavailable(e),
        }
    }

    fn rfc3339(t: OffsetDateTime) -> Value {
        t.format(&time::format_description::well_known::Rfc3339)
            .map(Value::String)
            .unwrap_or(Value::Null)
    }

    async fn export_json(state: &AppState, case: &Case) -> Result<Value, DbError> {
        let mut assessments = Vec::new();
        for summary in state.db.assessments_of_case(case.id).await? {
            let Some(a) = state.db.assessment(summary.id).await? else {
                continue;
            };
            let answers: Vec<Value> = state
                .db
                .answers(a.id)
                .await?
                .into_iter()
                .map(|s| {
                    json!({"item": s.item, "value": s.value, "answered_by": s.answered_by.as_str(),
                           "answered_at": rfc3339(s.answered_at)})
                })
                .collect();
            let result = state.db.result(a.id).await?.map(|r| {
                json!({
                    "channel": r.channel, "rule": r.rule, "provisional": r.provisional,
                    "borderline": r.borderline,
                    "scores": {"access": r.score_access, "skills": r.score_skills, "motivation": r.score_motivation},
                    "computed_at": rfc3339(r.computed_at),
                    "override": r.override_.map(|o| json!({"channel": o.channel, "reason": o.reason, "at": rfc3339(o.at)})),
                    "outcome": r.outcome,
                })
            });
            assessments.push(json!({
                "id": a.id, "instrument": a.instrument, "mode": a.mode, "language": a.language,
                "started_at": rfc3339(a.started_at), "finished_at": a.finished_at.map(rfc3339),
                "note": a.note, "answers": answers, "result": result,
            }));
        }
        let invites: Vec<Value> = state
            .db
            .invites_of_case(case.id)
            .await?
            .into_iter()
            .map(|i| {
                json!({"code": i.code, "created_at": rfc3339(i.created_at),
                       "expires_at": rfc3339(i.expires_at), "used_at": i.used_at.map(rfc3339)})
            })
            .collect();
        // Who looked is told by role and time: staff usernames and addresses are the staff's
        // own personal data, not the person's.
        let roles: std::collections::HashMap<i64, &'static str> = state
            .db
            .users()
            .await?
            .into_iter()
            .map(|u| (u.id, u.role.as_str()))
            .collect();
        let audit: Vec<Value> = state
            .db
            .audit_entries(&crate::server::db::AuditFilter {
                case_id: Some(case.id),
                limit: 10_000,
                ..Default::default()
            })
            .await?
            .into_iter()
            .map(|e| {
                let by = match e.entry.actor_id {
                    Some(id) => roles.get(&id).copied().unwrap_or("staff"),
                    None if e.entry.actor == "recipient" => "you",
                    None => "system",
                };
                json!({"at": rfc3339(e.at), "by": by, "action": e.entry.action, "detail": e.entry.detail})
            })
            .collect();
        Ok(json!({
            "exported_at": rfc3339(OffsetDateTime::now_utc()),
            "case": {
                "id": case.id, "reference": case.reference, "birth_year": case.birth_year,
                "age_band": band(case), "team": case.team_name,
                "created_at": rfc3339(case.created_at), "last_activity_at": rfc3339(case.last_activity_at),
            },
            "assessments": assessments,
            "invites": invites,
            "audit": audit,
        }))
    }
}
