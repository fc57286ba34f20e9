//! The caseworker interview: every item on one page, the observed task O1 and a note;
//! the caseworker's result view with scores, marks, flags and grounds; and the override,
//! stored beside the computed channel. Caseworkers only, and only their own team's
//! interviews; every access is audited.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::questionnaire::Choice;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FormItem {
    pub id: String,
    /// Numbered as on the paper questionnaire.
    pub number: usize,
    pub question: String,
    pub hint: String,
    pub multi: bool,
    pub choices: Vec<Choice>,
    pub selected: Vec<String>,
    pub error: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FormSection {
    pub anchor: String,
    pub heading: String,
    pub items: Vec<FormItem>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InterviewView {
    pub token: String,
    pub sections: Vec<FormSection>,
    pub note: String,
    pub note_error: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ScoreRow {
    pub dimension: String,
    pub score: Option<u8>,
    pub coverage_percent: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaseworkerResult {
    pub token: String,
    pub channel: String,
    pub channel_name: String,
    pub rule: u8,
    pub provisional: bool,
    pub borderline: bool,
    pub scores: Vec<ScoreRow>,
    pub reasons: Vec<String>,
    pub flags: Vec<String>,
    pub grounds: Vec<String>,
    pub next_steps: Vec<String>,
    pub note: Option<String>,
    /// The caseworker's choice: channel name and reason.
    pub chosen: Option<(String, String)>,
    pub channels: Vec<(String, String)>,
    pub error: Option<String>,
}

#[server(endpoint = "interview/load/form")]
pub async fn load_interview(
    token: String,
    errors: Option<String>,
) -> Result<InterviewView, ServerFnError> {
    server::form(token, errors).await
}

#[server(endpoint = "interview/load/result")]
pub async fn load_interview_result(
    token: String,
    error: Option<String>,
) -> Result<CaseworkerResult, ServerFnError> {
    server::result(token, error).await
}

/// The start page only checks who is signed in.
#[server(endpoint = "interview/load/start")]
pub async fn load_interview_start() -> Result<(), ServerFnError> {
    server::caseworker_page().await.map(|_| ())
}

#[server(endpoint = "interview/load/paper")]
pub async fn load_paper() -> Result<Vec<FormSection>, ServerFnError> {
    Ok(server::sections_for(
        crate::domain::Mode::SelfAssessment,
        crate::ui::request_lang(),
        &[],
        &[],
    ))
}

#[cfg(feature = "ssr")]
pub use server::{override_channel, save, start};

#[cfg(feature = "ssr")]
mod server {
    use std::net::SocketAddr;

    use axum::extract::{ConnectInfo, Form, Path, State};
    use axum::response::{IntoResponse, Redirect, Response};
    use leptos::prelude::*;
    use serde_json::Value;

    use super::{CaseworkerResult, FormItem, FormSection, InterviewView, ScoreRow};
    use crate::api::guard::{
        audit_page, by_staff, may_see_interview, not_found, page_address, staff_form, staff_page,
    };
    use crate::api::questionnaire::{
        answer_value, choices, evaluate_stored, new_token, stored_result,
    };
    use crate::domain::privacy::looks_like_cpr;
    use crate::domain::role::Role;
    use crate::domain::{Channel, Dimension, Instrument, Mode, Outcome};
    use crate::error::AppError;
    use crate::i18n::Lang;
    use crate::server::db::{
        AnsweredBy, Assessment, DbError, NewAssessment, NewAudit, StoredAnswer, User,
    };
    use crate::server::state::AppState;
    use tower_sessions::Session;

    /// Form posts: a caseworker must be signed in; others are sent to sign in, or refused.
    async fn caseworker(state: &AppState, session: &Session) -> Result<User, Response> {
        staff_form(state, session, Role::can_run_interviews).await
    }

    /// Pages: the same check from inside rendering (redirect to sign in, or 403).
    pub async fn caseworker_page() -> Result<(AppState, User), ServerFnError> {
        staff_page(Role::can_run_interviews).await
    }

    use crate::api::guard::db_error;

    /// The interview behind a token, if this caseworker may see it (their team's).
    async fn interview(
        state: &AppState,
        user: &User,
        token: &str,
    ) -> Result<Option<Assessment>, DbError> {
        Ok(state
            .db
            .assessment_by_token(token)
            .await?
            .filter(|a| may_see_interview(user, a)))
    }

    /// Audits a caseworker's access to an interview (and to its case, if it has one).
    fn entry(user: &User, action: &str, a: &Assessment, address: &str) -> NewAudit {
        NewAudit {
            case_id: a.case_id,
            assessment_id: Some(a.id),
            ..by_staff(user, action, address)
        }
    }

    /// The form's sections: internet use, the three dimensions, then the person's context.
    pub fn sections(
        lang: Lang,
        stored: &[StoredAnswer],
        errors: &[(String, String)],
    ) -> Vec<FormSection> {
        sections_for(Mode::Interview, lang, stored, errors)
    }

    /// The items a person in `mode` is asked, numbered, grouped as the interview shows them.
    pub fn sections_for(
        mode: Mode,
        lang: Lang,
        stored: &[StoredAnswer],
        errors: &[(String, String)],
    ) -> Vec<FormSection> {
        let instrument = Instrument::dr1();
        let mut sections: Vec<FormSection> = Vec::new();
        let items = instrument.items().iter().filter(|i| i.applies_in(mode));
        for (n, item) in items.enumerate() {
            let (anchor, heading) = match item.dimension() {
                Some(d) => (
                    d.as_str().to_owned(),
                    instrument.dimension_name(d, lang.code()).to_owned(),
                ),
                None if n == 0 => ("use".to_owned(), lang.t("iv-section-use")),
                None => ("context".to_owned(), lang.t("iv-section-context")),
            };
            let selected = match stored
                .iter()
                .find(|s| s.item == item.id())
                .map(|s| &s.value)
            {
                Some(Value::String(s)) => vec![s.clone()],
                Some(Value::Array(l)) => l
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            };
            // In the interview all skills items are on the page, so say which ones U1 can skip.
            let hint = match (mode, item.shown_when()) {
                (Mode::Interview, Some(_)) => {
                    format!("{} {}", item.hint(lang.code()), lang.t("iv-skip-note"))
                }
                _ => item.hint(lang.code()).to_owned(),
            };
            let form_item = FormItem {
                id: item.id().to_owned(),
                number: n + 1,
                question: item.question(lang.code()).to_owned(),
                hint,
                multi: item.is_multi(),
                choices: choices(item, lang),
                selected,
                error: errors
                    .iter()
                    .find(|(id, _)| id == item.id())
                    .map(|(_, m)| m.clone()),
            };
            match sections.last_mut() {
                Some(s) if s.anchor == anchor => s.items.push(form_item),
                _ => sections.push(FormSection {
                    anchor,
                    heading,
                    items: vec![form_item],
                }),
            }
        }
        sections
    }

    pub async fn form(
        token: String,
        errors: Option<String>,
    ) -> Result<InterviewView, ServerFnError> {
        let (state, user) = caseworker_page().await?;
        let Some(a) = interview(&state, &user, &token).await.map_err(db_error)? else {
            return Err(not_found());
        };
        audit_page(
            &state,
            entry(&user, "interview.view", &a, &page_address().await),
        )
        .await?;
        let stored = state.db.answers(a.id).await.map_err(db_error)?;
        let lang = crate::ui::request_lang();
        let wanted: Vec<String> = errors
            .unwrap_or_default()
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let item_errors: Vec<(String, String)> = wanted
            .iter()
            .filter(|id| *id != "note")
            .map(|id| {
                let message = if id == "U2" {
                    lang.t("error-exclusive")
                } else {
                    lang.t("error-invalid-answer")
                };
                (id.clone(), message)
            })
            .collect();
        Ok(InterviewView {
            token,
            sections: sections(lang, &stored, &item_errors),
            note: a.note.unwrap_or_default(),
            note_error: wanted
                .iter()
                .any(|w| w == "note")
                .then(|| lang.t("error-note-cpr")),
        })
    }

    fn channel_name(instrument: &Instrument, code: &str, lang: Lang) -> String {
        code.parse::<Channel>()
            .map(|c| instrument.channel_name(c, lang.code()).to_owned())
            .unwrap_or_else(|_| code.to_owned())
    }

    pub async fn result(
        token: String,
        error: Option<String>,
    ) -> Result<CaseworkerResult, ServerFnError> {
        let (state, user) = caseworker_page().await?;
        let Some(a) = interview(&state, &user, &token).await.map_err(db_error)? else {
            return Err(not_found());
        };
        audit_page(
            &state,
            entry(&user, "interview.result.view", &a, &page_address().await),
        )
        .await?;
        let Some(stored) = state.db.result(a.id).await.map_err(db_error)? else {
            crate::api::guard::redirect(&format!("/interview/{token}"));
            return Err(ServerFnError::new("no result yet"));
        };
        let instrument = Instrument::bundled(&a.instrument)
            .ok_or_else(|| ServerFnError::new("unknown instrument"))?;
        let o: Outcome = serde_json::from_value(stored.outcome)
            .map_err(|e| ServerFnError::new(format!("stored outcome: {e}")))?;
        let lang = crate::ui::request_lang();
        let code = lang.code();
        let row = |d: Dimension, score: Option<u8>, coverage: f64| ScoreRow {
            dimension: instrument.dimension_name(d, code).to_owned(),
            score,
            coverage_percent: (coverage * 100.0).round().clamp(0.0, 100.0) as u32,
        };
        Ok(CaseworkerResult {
            channel: o.channel.as_str().to_owned(),
            channel_name: instrument.channel_name(o.channel, code).to_owned(),
            rule: o.rule,
            provisional: o.provisional,
            borderline: o.borderline,
            scores: vec![
                row(Dimension::Access, o.scores.access, o.coverage.access),
                row(Dimension::Skills, o.scores.skills, o.coverage.skills),
                row(
                    Dimension::Motivation,
                    o.scores.motivation,
                    o.coverage.motivation,
                ),
            ],
            reasons: o
                .reasons
                .iter()
                .map(|r| instrument.reason_for_caseworker(*r, code).to_owned())
                .collect(),
            flags: o
                .flags
                .iter()
                .map(|f| instrument.flag_text(*f, code).to_owned())
                .collect(),
            grounds: o
                .exemption_grounds
                .iter()
                .map(|g| instrument.exemption_ground_text(*g, code).to_owned())
                .collect(),
            next_steps: o
                .next_steps
                .iter()
                .map(|s| instrument.next_step_text(*s, code).to_owned())
                .collect(),
            note: a.note.filter(|n| !n.is_empty()),
            chosen: stored
                .override_
                .map(|ov| (channel_name(instrument, &ov.channel, lang), ov.reason)),
            channels: Channel::ALL
                .iter()
                .map(|c| {
                    (
                        c.as_str().to_owned(),
                        instrument.channel_name(*c, code).to_owned(),
                    )
                })
                .collect(),
            error: error.map(|e| {
                lang.t(match e.as_str() {
                    "reason" => "error-override-reason",
                    "reason_cpr" => "error-reason-cpr",
                    _ => "error-override-channel",
                })
            }),
            token,
        })
    }

    /// POST /interview/start: a new interview, answered by the caseworker.
    pub async fn start(
        State(state): State<AppState>,
        session: Session,
        ConnectInfo(addr): ConnectInfo<SocketAddr>,
        lang: axum::Extension<Lang>,
    ) -> Response {
        let user = match caseworker(&state, &session).await {
            Ok(u) => u,
            Err(refused) => return refused,
        };
        // Without a case it counts only in statistics; the team keeps it in the team's view.
        let new = NewAssessment {
            instrument: Instrument::dr1().id().to_owned(),
            mode: Mode::Interview.as_str().to_owned(),
            language: lang.code().to_owned(),
            token: Some(new_token()),
            team_id: user.team_id,
            created_by: Some(user.id),
            ..NewAssessment::default()
        };
        let line = by_staff(&user, "interview.start", &addr.ip().to_string());
        match state.db.create_assessment(&new, Some(&line)).await {
            Ok(_) => Redirect::to(&format!("/interview/{}", new.token.unwrap_or_default()))
                .into_response(),
            Err(e) => AppError::Database(e).into_response(),
        }
    }

    /// A caseworker's interview by its token with the audit line its write is to record
    /// (in the write's own transaction, with the case's activity), or the response that
    /// refuses the request.
    async fn authorized_interview(
        state: &AppState,
        session: &Session,
        token: &str,
        action: &str,
        address: SocketAddr,
    ) -> Result<(Assessment, NewAudit), Response> {
        let user = caseworker(state, session).await?;
        let a = match interview(state, &user, token).await {
            Ok(Some(a)) => a,
            Ok(None) => {
                return Err(
                    (axum::http::StatusCode::NOT_FOUND, "No such interview.").into_response()
                );
            }
            Err(e) => return Err(AppError::Database(e).into_response()),
        };
        let line = entry(&user, action, &a, &address.ip().to_string());
        Ok((a, line))
    }

    /// POST /interview/{token}/answers: stores every valid answer and the note together,
    /// then scores. With an invalid answer or a CPR-like note the form comes back with the
    /// answers kept (and an earlier result is re-scored so it matches what is stored).
    pub async fn save(
        State(state): State<AppState>,
        session: Session,
        ConnectInfo(addr): ConnectInfo<SocketAddr>,
        Path(token): Path<String>,
        Form(fields): Form<Vec<(String, String)>>,
    ) -> Response {
        let (a, line) =
            match authorized_interview(&state, &session, &token, "interview.save", addr).await {
                Ok(found) => found,
                Err(refused) => return refused,
            };
        let instrument = Instrument::dr1();
        let stored = match state.db.answers(a.id).await {
            Ok(s) => s,
            Err(e) => return AppError::Database(e).into_response(),
        };
        let mut answers: Vec<(String, Value)> = Vec::new();
        let mut errors: Vec<String> = Vec::new();
        for item in instrument
            .items()
            .iter()
            .filter(|i| i.applies_in(Mode::Interview))
        {
            let codes: Vec<String> = fields
                .iter()
                .filter(|(k, _)| k == item.id())
                .map(|(_, v)| v.clone())
                .collect();
            match answer_value(instrument, Mode::Interview, item, &codes) {
                Ok(Some(value)) => answers.push((item.id().to_owned(), value)),
                Ok(None) if stored.iter().any(|s| s.item == item.id()) => {
                    answers.push((item.id().to_owned(), Value::Null))
                }
                Ok(None) => {}
                Err(_) => errors.push(item.id().to_owned()),
            }
        }
        let note = fields
            .iter()
            .find(|(k, _)| k == "note")
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default();
        // A CPR-like note is never stored; the answers are, so nothing typed is lost.
        let note_ok = !looks_like_cpr(&note);
        if !note_ok {
            errors.push("note".into());
        }
        let keep_note = if note_ok {
            Some(note.as_str()).filter(|n| !n.is_empty())
        } else {
            a.note.as_deref()
        };
        if let Err(e) = state
            .db
            .save_answers(
                a.id,
                &answers,
                AnsweredBy::Caseworker,
                keep_note,
                Some(&line),
            )
            .await
        {
            return AppError::Database(e).into_response();
        }
        if !errors.is_empty() {
            // An earlier result must not stand beside answers it was not computed from.
            if a.finished_at.is_some()
                && let Err(e) = rescore(&state, &a).await
            {
                return AppError::Database(e).into_response();
            }
            return Redirect::to(&format!("/interview/{token}?errors={}", errors.join(",")))
                .into_response();
        }
        let all = match state.db.answers(a.id).await {
            Ok(s) => s,
            Err(e) => return AppError::Database(e).into_response(),
        };
        let outcome = match evaluate_stored(instrument, Mode::Interview, &all) {
            Ok(o) => o,
            Err(e) => {
                let item = e.item.unwrap_or_default();
                return Redirect::to(&format!("/interview/{token}?errors={item}")).into_response();
            }
        };
        match state.db.finish(a.id, &stored_result(&outcome), None).await {
            Ok(()) => Redirect::to(&format!("/interview/{token}/result")).into_response(),
            Err(e) => AppError::Database(e).into_response(),
        }
    }

    /// Scores the stored answers again and stores that result (the override is kept).
    async fn rescore(state: &AppState, a: &Assessment) -> Result<(), DbError> {
        let all = state.db.answers(a.id).await?;
        match evaluate_stored(Instrument::dr1(), Mode::Interview, &all) {
            Ok(outcome) => state.db.finish(a.id, &stored_result(&outcome), None).await,
            Err(e) => Err(DbError::Corrupt(format!(
                "stored interview answers: {}",
                e.message
            ))),
        }
    }

    /// POST /interview/{token}/override: another channel with a required reason.
    pub async fn override_channel(
        State(state): State<AppState>,
        session: Session,
        ConnectInfo(addr): ConnectInfo<SocketAddr>,
        Path(token): Path<String>,
        Form(fields): Form<Vec<(String, String)>>,
    ) -> Response {
        let (a, line) = match authorized_interview(
            &state,
            &session,
            &token,
            "interview.override",
            addr,
        )
        .await
        {
            Ok(found) => found,
            Err(refused) => return refused,
        };
        let field = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default()
        };
        let back = |error: &str| {
            Redirect::to(&format!("/interview/{token}/result?error={error}#override"))
                .into_response()
        };
        let Ok(channel) = field("channel").parse::<Channel>() else {
            return back("channel");
        };
        let reason = field("reason");
        if reason.is_empty() {
            return back("reason");
        }
        if looks_like_cpr(&reason) {
            return back("reason_cpr");
        }
        match state
            .db
            .set_override(a.id, channel.as_str(), &reason, Some(&line))
            .await
        {
            Ok(()) => Redirect::to(&format!("/interview/{token}/result")).into_response(),
            Err(e) => AppError::Database(e).into_response(),
        }
    }
}
