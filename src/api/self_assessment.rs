//! The recipient's self-assessment: start, one question per page, check answers, result,
//! and resuming with a code. Pages load through server functions; answers arrive as plain
//! form posts that redirect (works without JavaScript), so every acknowledged answer is stored.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::questionnaire::Choice;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct QuestionView {
    pub item: String,
    /// 1-based place among the questions asked.
    pub position: usize,
    /// Shown only once it can no longer change (after the first question).
    pub total: Option<usize>,
    pub question: String,
    pub hint: String,
    pub explain: String,
    pub multi: bool,
    pub choices: Vec<Choice>,
    pub selected: Vec<String>,
    pub back_href: String,
    pub error: Option<String>,
    pub from_check: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CodeView {
    pub code: String,
    pub next_href: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CheckGroup {
    pub heading: String,
    pub rows: Vec<CheckRow>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CheckRow {
    pub item: String,
    pub question: String,
    /// `None` when not answered.
    pub answer: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ResultView {
    pub channel: String,
    pub channel_sentence: String,
    pub reasons: Vec<String>,
    pub next_steps: Vec<String>,
    pub you_decide: String,
    pub code: String,
    pub date: String,
}

#[server(endpoint = "self/load/code")]
pub async fn load_self_code() -> Result<CodeView, ServerFnError> {
    let (_, assessment) = server::current().await?;
    let code = assessment.resume_code.as_deref().unwrap_or_default();
    Ok(CodeView {
        code: super::questionnaire::format_resume_code(code),
        next_href: server::first_open_href(&assessment).await?,
    })
}

#[server(endpoint = "self/load/question")]
pub async fn load_self_question(
    item: String,
    error: Option<String>,
    from_check: bool,
) -> Result<QuestionView, ServerFnError> {
    server::question(item, error, from_check).await
}

#[server(endpoint = "self/load/check")]
pub async fn load_self_check() -> Result<Vec<CheckGroup>, ServerFnError> {
    server::check().await
}

#[server(endpoint = "self/load/result")]
pub async fn load_self_result() -> Result<ResultView, ServerFnError> {
    server::result().await
}

#[cfg(feature = "ssr")]
pub use server::{answer, finish, invite, resume, start};

#[cfg(feature = "ssr")]
mod server {
    use std::net::SocketAddr;

    use axum::extract::{ConnectInfo, Form, State};
    use axum::http::HeaderMap;
    use axum::http::header::SET_COOKIE;
    use axum::response::{IntoResponse, Redirect, Response};
    use leptos::prelude::*;

    use super::{CheckGroup, CheckRow, QuestionView, ResultView};
    use crate::api::questionnaire::{
        answer_value, asked_items, choices, evaluate_stored, new_resume_code, new_token,
        normalise_resume_code, scoring_map, stored_result,
    };
    use crate::domain::{Channel, Instrument, Mode, Outcome};
    use crate::i18n::Lang;
    use crate::server::db::{
        AnsweredBy, Assessment, DbError, NewAssessment, NewAudit, StoredAnswer,
    };
    use crate::server::state::AppState;

    const COOKIE: &str = "dp_self";

    fn cookie_value(headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(cookie::Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|c| c.name() == COOKIE)
            .map(|c| c.value().to_owned())
    }

    /// The device cookie: a week, so a shared library computer does not keep it for long
    /// (the resume code works after that); `Secure` when the service runs over HTTPS.
    fn set_cookie(token: &str, secure: bool) -> (axum::http::HeaderName, String) {
        let c = cookie::Cookie::build((COOKIE, token.to_owned()))
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(cookie::SameSite::Lax)
            .max_age(cookie::time::Duration::days(7))
            .build();
        (SET_COOKIE, c.to_string())
    }

    fn instrument_of(a: &Assessment) -> Result<&'static Instrument, ServerFnError> {
        Instrument::bundled(&a.instrument)
            .ok_or_else(|| ServerFnError::new(format!("unknown instrument {}", a.instrument)))
    }

    use crate::api::guard::db_error;

    /// The assessment this device is working on; without one, back to the start.
    pub async fn current() -> Result<(AppState, Assessment), ServerFnError> {
        let state = use_context::<AppState>().ok_or_else(|| ServerFnError::new("no state"))?;
        let parts = use_context::<http::request::Parts>()
            .ok_or_else(|| ServerFnError::new("no request"))?;
        let found = match cookie_value(&parts.headers) {
            Some(token) => state
                .db
                .assessment_by_token(&token)
                .await
                .map_err(db_error)?,
            None => None,
        };
        match found {
            Some(a) if a.mode == "self" && within_grace(&a) => Ok((state, a)),
            _ => {
                crate::api::guard::redirect("/self/intro");
                Err(ServerFnError::new("no assessment on this device"))
            }
        }
    }

    fn lang() -> Lang {
        crate::ui::request_lang()
    }

    /// A finished assessment is shown on this device only a short while after sending,
    /// so a shared or lost device does not keep showing a person's result.
    pub const RESULT_GRACE: time::Duration = time::Duration::hours(2);

    pub fn within_grace(a: &Assessment) -> bool {
        a.finished_at
            .is_none_or(|t| time::OffsetDateTime::now_utc() - t < RESULT_GRACE)
    }

    /// Where to go on: the first question not yet answered, else the check page.
    pub async fn first_open_href(a: &Assessment) -> Result<String, ServerFnError> {
        let state = use_context::<AppState>().ok_or_else(|| ServerFnError::new("no state"))?;
        let stored = state.db.answers(a.id).await.map_err(db_error)?;
        Ok(open_href(instrument_of(a)?, &stored))
    }

    fn open_href(instrument: &Instrument, stored: &[StoredAnswer]) -> String {
        let map = scoring_map(stored);
        let answered: std::collections::HashSet<&str> =
            stored.iter().map(|a| a.item.as_str()).collect();
        asked_items(instrument, Mode::SelfAssessment, &map)
            .into_iter()
            .find(|i| !answered.contains(i.id()))
            .map(|i| format!("/self/q/{}", i.id()))
            .unwrap_or_else(|| "/self/check".into())
    }

    /// The unfinished assessment's instrument and answers (a finished one shows its result).
    async fn open_answers() -> Result<(&'static Instrument, Vec<StoredAnswer>), ServerFnError> {
        let (state, a) = current().await?;
        if a.finished_at.is_some() {
            crate::api::guard::redirect("/self/result");
            return Err(ServerFnError::new("finished"));
        }
        let stored = state.db.answers(a.id).await.map_err(db_error)?;
        Ok((instrument_of(&a)?, stored))
    }

    pub async fn question(
        item_id: String,
        error: Option<String>,
        from_check: bool,
    ) -> Result<QuestionView, ServerFnError> {
        let (instrument, stored) = open_answers().await?;
        let map = scoring_map(&stored);
        let asked = asked_items(instrument, Mode::SelfAssessment, &map);
        let Some(index) = asked.iter().position(|i| i.id() == item_id) else {
            crate::api::guard::redirect(&open_href(instrument, &stored));
            return Err(ServerFnError::new("not a question on this path"));
        };
        let item = asked[index];
        let lang = lang();
        let selected = match stored.iter().find(|s| s.item == item_id).map(|s| &s.value) {
            Some(serde_json::Value::String(s)) => vec![s.clone()],
            Some(serde_json::Value::Array(list)) => list
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        let back_href = if from_check {
            "/self/check".to_owned()
        } else if index == 0 {
            "/self/code".to_owned()
        } else {
            format!("/self/q/{}", asked[index - 1].id())
        };
        let error = error.map(|kind| match kind.as_str() {
            "exclusive" => lang.t("error-exclusive"),
            _ => lang.t(if item.is_multi() {
                "error-choose-some"
            } else {
                "error-choose-one"
            }),
        });
        Ok(QuestionView {
            item: item_id,
            position: index + 1,
            total: (index > 0 || map.contains_key(item.id())).then_some(asked.len()),
            question: item.question(lang.code()).to_owned(),
            hint: item.hint(lang.code()).to_owned(),
            explain: item.explain(lang.code()).to_owned(),
            multi: item.is_multi(),
            choices: choices(item, lang),
            selected,
            back_href,
            error,
            from_check,
        })
    }

    pub async fn check() -> Result<Vec<CheckGroup>, ServerFnError> {
        let (instrument, stored) = open_answers().await?;
        let map = scoring_map(&stored);
        let lang = lang();
        let mut groups: Vec<CheckGroup> = Vec::new();
        for item in asked_items(instrument, Mode::SelfAssessment, &map) {
            let heading = match item.dimension() {
                Some(d) => instrument.dimension_name(d, lang.code()).to_owned(),
                None if groups.is_empty() => lang.t("iv-section-use"),
                None => lang.t("check-about-you"),
            };
            let labels = choices(item, lang);
            let label_of = |code: &str| {
                labels
                    .iter()
                    .find(|c| c.code == code)
                    .map(|c| c.label.clone())
            };
            let answer = match stored
                .iter()
                .find(|s| s.item == item.id())
                .map(|s| &s.value)
            {
                Some(serde_json::Value::String(code)) => label_of(code),
                Some(serde_json::Value::Array(list)) => {
                    let names: Vec<String> = list
                        .iter()
                        .filter_map(|v| v.as_str())
                        .filter_map(label_of)
                        .collect();
                    (!names.is_empty()).then(|| names.join(", "))
                }
                _ => None,
            };
            let row = CheckRow {
                item: item.id().to_owned(),
                question: item.question(lang.code()).to_owned(),
                answer,
            };
            match groups.last_mut() {
                Some(g) if g.heading == heading => g.rows.push(row),
                _ => groups.push(CheckGroup {
                    heading,
                    rows: vec![row],
                }),
            }
        }
        Ok(groups)
    }

    pub async fn result() -> Result<ResultView, ServerFnError> {
        let (state, a) = current().await?;
        let Some(stored) = state.db.result(a.id).await.map_err(db_error)? else {
            crate::api::guard::redirect("/self/check");
            return Err(ServerFnError::new("not finished"));
        };
        let address = match leptos_axum::extract::<ConnectInfo<SocketAddr>>().await {
            Ok(ConnectInfo(addr)) => addr,
            Err(_) => SocketAddr::from(([0, 0, 0, 0], 0)),
        };
        audit_recipient(&state, &a, "self.result.view", "", address)
            .await
            .map_err(db_error)?;
        let instrument = instrument_of(&a)?;
        let outcome: Outcome = serde_json::from_value(stored.outcome)
            .map_err(|e| ServerFnError::new(format!("stored outcome: {e}")))?;
        let lang = lang();
        let code = lang.code();
        let channel: Channel = outcome.channel;
        Ok(ResultView {
            channel: channel.as_str().to_owned(),
            channel_sentence: instrument.channel_sentence(channel, code).to_owned(),
            reasons: outcome
                .reasons_for_recipient()
                .iter()
                .map(|r| instrument.reason_for_recipient(*r, code).to_owned())
                .collect(),
            next_steps: outcome
                .next_steps
                .iter()
                .take(2)
                .map(|s| instrument.next_step_text(*s, code).to_owned())
                .collect(),
            you_decide: instrument.you_decide(code).to_owned(),
            code: crate::api::questionnaire::format_resume_code(
                a.resume_code.as_deref().unwrap_or_default(),
            ),
            date: a
                .finished_at
                .map(|t| format!("{:02}-{:02}-{}", t.day(), u8::from(t.month()), t.year()))
                .unwrap_or_default(),
        })
    }

    /// The recipient's line in the case's audit trail for an assessment that belongs to a
    /// case; an anonymous self-assessment has no person to audit.
    fn recipient_line(
        a: &Assessment,
        action: &str,
        detail: &str,
        addr: SocketAddr,
    ) -> Option<NewAudit> {
        a.case_id.map(|case_id| NewAudit {
            actor: "recipient".into(),
            action: action.into(),
            case_id: Some(case_id),
            assessment_id: Some(a.id),
            address: addr.ip().to_string(),
            detail: detail.into(),
            ..NewAudit::default()
        })
    }

    /// Records a read of a case's assessment by the recipient (writes record theirs in
    /// their own transaction).
    async fn audit_recipient(
        state: &AppState,
        a: &Assessment,
        action: &str,
        detail: &str,
        addr: SocketAddr,
    ) -> Result<(), DbError> {
        match recipient_line(a, action, detail, addr) {
            Some(line) => state.db.audit(&line).await,
            None => Ok(()),
        }
    }

    fn see_other(location: &str) -> Response {
        Redirect::to(location).into_response()
    }

    fn unavailable(e: DbError) -> Response {
        crate::error::AppError::Database(e).into_response()
    }

    /// A fresh self-assessment: a device token and a resume code, in the chosen language.
    fn new_self_assessment(lang: Lang) -> NewAssessment {
        NewAssessment {
            instrument: Instrument::dr1().id().to_owned(),
            mode: Mode::SelfAssessment.as_str().to_owned(),
            language: lang.code().to_owned(),
            token: Some(new_token()),
            resume_code: Some(new_resume_code()),
            ..NewAssessment::default()
        }
    }

    /// The device cookie of a new self-assessment, and on to its resume code.
    fn to_resume_code(new: NewAssessment, state: &AppState) -> Response {
        let token = new.token.unwrap_or_default();
        (
            [set_cookie(&token, state.config.secure_cookies)],
            Redirect::to("/self/code"),
        )
            .into_response()
    }

    /// POST /self/start: a new assessment on this device, with its resume code.
    pub async fn start(State(state): State<AppState>, lang: axum::Extension<Lang>) -> Response {
        let mut last_error = None;
        // A resume-code clash is possible but rare: try again with a fresh code.
        for _ in 0..3 {
            let new = new_self_assessment(*lang);
            match state.db.create_assessment(&new, None).await {
                Ok(_) => {
                    return to_resume_code(new, &state);
                }
                Err(e) => last_error = Some(e),
            }
        }
        match last_error {
            Some(e) => unavailable(e),
            None => see_other("/self/intro"),
        }
    }

    async fn device_assessment(
        state: &AppState,
        headers: &HeaderMap,
    ) -> Result<Option<Assessment>, DbError> {
        match cookie_value(headers) {
            Some(token) => Ok(state
                .db
                .assessment_by_token(&token)
                .await?
                .filter(|a| a.mode == "self" && within_grace(a))),
            None => Ok(None),
        }
    }

    /// POST /self/answer: stores one answer, then on to the next question.
    pub async fn answer(
        State(state): State<AppState>,
        ConnectInfo(addr): ConnectInfo<SocketAddr>,
        headers: HeaderMap,
        Form(fields): Form<Vec<(String, String)>>,
    ) -> Response {
        let a = match device_assessment(&state, &headers).await {
            Ok(Some(a)) if a.finished_at.is_none() => a,
            Ok(Some(_)) => return see_other("/self/result"),
            Ok(None) => return see_other("/self/intro"),
            Err(e) => return unavailable(e),
        };
        let Some(instrument) = Instrument::bundled(&a.instrument) else {
            return see_other("/self/intro");
        };
        let field = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let from_check = field("from").as_deref() == Some("check");
        let Some(item) = field("item").and_then(|id| instrument.item(&id)) else {
            return see_other("/self/intro");
        };
        let codes: Vec<String> = fields
            .iter()
            .filter(|(k, _)| k == "answer")
            .map(|(_, v)| v.clone())
            .collect();
        let back = |error: &str| {
            let from = if from_check { "&from=check" } else { "" };
            see_other(&format!("/self/q/{}?error={error}{from}", item.id()))
        };
        let value = match answer_value(instrument, Mode::SelfAssessment, item, &codes) {
            Ok(Some(v)) => v,
            Ok(None) => return back("required"),
            Err(_) if codes.len() > 1 => return back("exclusive"),
            Err(_) => return back("required"),
        };
        if let Err(e) = state
            .db
            .save_answer(
                a.id,
                item.id(),
                &value,
                AnsweredBy::Recipient,
                recipient_line(&a, "self.answer", item.id(), addr).as_ref(),
            )
            .await
        {
            return unavailable(e);
        }
        let stored = match state.db.answers(a.id).await {
            Ok(s) => s,
            Err(e) => return unavailable(e),
        };
        // From the check page, back there unless the change revealed new questions
        // (e.g. U1 changed from "never"); otherwise the next question on the path, or the
        // first open one if this item is no longer on it (a stale tab).
        let open = open_href(instrument, &stored);
        if from_check {
            return see_other(&open);
        }
        let asked = asked_items(instrument, Mode::SelfAssessment, &scoring_map(&stored));
        match asked.iter().position(|i| i.id() == item.id()) {
            Some(index) => match asked.get(index + 1) {
                Some(n) => see_other(&format!("/self/q/{}", n.id())),
                None => see_other("/self/check"),
            },
            None => see_other(&open),
        }
    }

    /// POST /self/finish: scores the stored answers and stores the result.
    pub async fn finish(
        State(state): State<AppState>,
        ConnectInfo(addr): ConnectInfo<SocketAddr>,
        headers: HeaderMap,
    ) -> Response {
        let a = match device_assessment(&state, &headers).await {
            Ok(Some(a)) => a,
            Ok(None) => return see_other("/self/intro"),
            Err(e) => return unavailable(e),
        };
        if a.finished_at.is_some() {
            return see_other("/self/result");
        }
        let Some(instrument) = Instrument::bundled(&a.instrument) else {
            return see_other("/self/intro");
        };
        let stored = match state.db.answers(a.id).await {
            Ok(s) => s,
            Err(e) => return unavailable(e),
        };
        let outcome = match evaluate_stored(instrument, Mode::SelfAssessment, &stored) {
            Ok(o) => o,
            Err(e) => {
                tracing::error!(item = ?e.item, error = %e.message, "stored answers do not parse");
                return see_other("/self/check");
            }
        };
        let line = recipient_line(&a, "self.finish", "", addr);
        if let Err(e) = state
            .db
            .finish(a.id, &stored_result(&outcome), line.as_ref())
            .await
        {
            return unavailable(e);
        }
        see_other("/self/result")
    }

    /// POST /self/invite: the code from the job centre starts the self-assessment that
    /// belongs to the person's case. A code works once, and only until it expires.
    pub async fn invite(
        State(state): State<AppState>,
        ConnectInfo(addr): ConnectInfo<SocketAddr>,
        lang: axum::Extension<Lang>,
        Form(fields): Form<Vec<(String, String)>>,
    ) -> Response {
        let typed = fields
            .iter()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        let code = normalise_resume_code(typed);
        if code.is_empty() {
            return see_other("/self/invite?error=empty");
        }
        let mut last_error = None;
        for _ in 0..3 {
            let new = new_self_assessment(*lang);
            let line = NewAudit {
                actor: "recipient".into(),
                action: "invite.redeem".into(),
                address: addr.ip().to_string(),
                ..NewAudit::default()
            };
            match state.db.redeem_invite(&code, &new, Some(&line)).await {
                Ok(None) => return see_other("/self/invite?error=unknown"),
                Ok(Some(_)) => return to_resume_code(new, &state),
                // A clash of the new resume code rolls the whole claim back: try again.
                Err(e) => last_error = Some(e),
            }
        }
        match last_error {
            Some(e) => unavailable(e),
            None => see_other("/self/invite"),
        }
    }

    /// POST /self/resume: the code from another device attaches this device to it.
    pub async fn resume(
        State(state): State<AppState>,
        ConnectInfo(addr): ConnectInfo<SocketAddr>,
        Form(fields): Form<Vec<(String, String)>>,
    ) -> Response {
        let typed = fields
            .iter()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        let code = normalise_resume_code(typed);
        if code.is_empty() {
            return see_other("/self/resume?error=empty");
        }
        // A code only continues unfinished answers: a finished assessment's code is a
        // reference on paper, and must not reopen someone's answers on another device.
        let found = match state.db.assessment_by_resume_code(&code).await {
            Ok(found) => found.filter(|a| a.mode == "self" && a.finished_at.is_none()),
            Err(e) => return unavailable(e),
        };
        let Some(a) = found else {
            return see_other("/self/resume?error=unknown");
        };
        let Some(token) = a.token.clone() else {
            return see_other("/self/resume?error=unknown");
        };
        // Another device now reads the case's answers: that goes into its audit trail.
        if let Err(e) = audit_recipient(&state, &a, "self.resume", "", addr).await {
            return unavailable(e);
        }
        let stored = match state.db.answers(a.id).await {
            Ok(s) => s,
            Err(e) => return unavailable(e),
        };
        let next = match Instrument::bundled(&a.instrument) {
            Some(i) => open_href(i, &stored),
            None => "/self/intro".to_owned(),
        };
        (
            [set_cookie(&token, state.config.secure_cookies)],
            Redirect::to(&next),
        )
            .into_response()
    }
}
