//! The recipient's pages: the current assessment from the device cookie, a question, the check page and the result.

use super::server::*;
use crate::api::guard::app_state;
use crate::error::{AppError, AppResult};
use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use leptos::prelude::*;

use super::{CheckGroup, CheckRow, QuestionView, ResultView};
use crate::api::questionnaire::{asked_items, choices, scoring_map};
use crate::domain::answer_codes;
use crate::domain::{Channel, Instrument, Mode, Outcome};
use crate::i18n::Lang;
use crate::server::db::{Assessment, StoredAnswer};
use crate::server::state::AppState;

pub(crate) const COOKIE: &str = "dp_self";

pub(crate) fn cookie_value(headers: &HeaderMap) -> Option<String> {
    crate::server::cookies::cookie_named(headers, COOKIE)
}

/// The device cookie: a week, so a shared library computer does not keep it for long
/// (the resume code works after that); `Secure` when the service runs over HTTPS.
pub(crate) fn set_cookie(token: &str, secure: bool) -> (axum::http::HeaderName, String) {
    let c = crate::server::cookies::site_cookie(COOKIE, token, secure, 7);
    (SET_COOKIE, c)
}

pub(crate) fn instrument_of(a: &Assessment) -> AppResult<&'static Instrument> {
    Instrument::bundled(&a.instrument)
        .ok_or_else(|| AppError::broken(format!("unknown instrument {}", a.instrument)))
}

/// The assessment this device is working on; without one, back to the start.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn current() -> AppResult<(AppState, Assessment)> {
    let state = app_state()?;
    let parts = use_context::<http::request::Parts>()
        .ok_or_else(|| AppError::Request("no request".into()))?;
    match device_assessment(&state, &parts.headers).await? {
        Some(a) => Ok((state, a)),
        None => Err(AppError::moved("/self/intro")),
    }
}

pub(crate) fn lang() -> Lang {
    crate::request::request_lang()
}

/// Whether the device still shows this assessment (`domain::policy::RESULT_GRACE`).
pub fn within_grace(a: &Assessment) -> bool {
    crate::domain::policy::within_grace(a.finished_at, time::OffsetDateTime::now_utc())
}

/// Where to go on: the first question not yet answered, else the check page.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn first_open_href(a: &Assessment) -> AppResult<String> {
    let state = app_state()?;
    let stored: Vec<StoredAnswer> = state.db.answers(a.id).await?;
    Ok(open_href(instrument_of(a)?, &stored))
}

pub(crate) fn open_href(instrument: &Instrument, stored: &[StoredAnswer]) -> String {
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
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn open_answers() -> AppResult<(&'static Instrument, Vec<StoredAnswer>)> {
    let state = app_state()?;
    let parts = use_context::<http::request::Parts>()
        .ok_or_else(|| AppError::Request("no request".into()))?;
    open_answers_of(&state, &parts.headers).await
}

/// `open_answers` for the device cookie in `headers`.
pub(crate) async fn open_answers_of(
    state: &AppState,
    headers: &HeaderMap,
) -> AppResult<(&'static Instrument, Vec<StoredAnswer>)> {
    let found = match cookie_value(headers) {
        Some(token) => {
            let stamp = crate::server::write_stamp::stamp_of(headers);
            (state.db)
                .assessment_with_answers_by_token(&token, stamp.as_deref())
                .await?
        }
        None => None,
    };
    let Some((a, stored)) = found.filter(|(a, _)| is_this_device(a)) else {
        return Err(AppError::moved("/self/intro"));
    };
    if a.finished_at.is_some() {
        return Err(AppError::moved("/self/result"));
    }
    Ok((instrument_of(&a)?, stored))
}

/// A question page's view worked out before rendering (`server::page_cache`), which the
/// page then shows as it is: the page kept under this view is the page rendered from it.
#[derive(Clone)]
pub struct PrecomputedQuestion {
    pub item: String,
    pub from_check: bool,
    pub view: QuestionView,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn question(
    item_id: String,
    error: Option<String>,
    from_check: bool,
) -> AppResult<QuestionView> {
    let parts = use_context::<http::request::Parts>()
        .ok_or_else(|| AppError::Request("no request".into()))?;
    if let Some(kept) = parts.extensions.get::<PrecomputedQuestion>()
        && kept.item == item_id
        && kept.from_check == from_check
        && error.is_none()
    {
        return Ok(kept.view.clone());
    }
    let state = app_state()?;
    question_of(&state, &parts.headers, lang(), item_id, error, from_check).await
}

/// The question page's view for the device cookie in `headers`.
pub(crate) async fn question_of(
    state: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    item_id: String,
    error: Option<String>,
    from_check: bool,
) -> AppResult<QuestionView> {
    let (instrument, stored) = open_answers_of(state, headers).await?;
    let map = scoring_map(&stored);
    let asked = asked_items(instrument, Mode::SelfAssessment, &map);
    let Some(index) = asked.iter().position(|i| i.id() == item_id) else {
        return Err(AppError::moved(&open_href(instrument, &stored)));
    };
    let item = asked[index];
    let selected: Vec<String> = stored
        .iter()
        .find(|s| s.item == item_id)
        .map(|s| answer_codes::codes(&s.value))
        .unwrap_or_default()
        .into_iter()
        .map(str::to_owned)
        .collect();
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
        most: asked.len(),
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

#[tracing::instrument(level = "debug", skip_all)]
pub async fn check() -> AppResult<Vec<CheckGroup>> {
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
        let names: Vec<String> = stored
            .iter()
            .find(|s| s.item == item.id())
            .map(|s| answer_codes::codes(&s.value))
            .unwrap_or_default()
            .into_iter()
            .filter_map(label_of)
            .collect();
        let answer = (!names.is_empty()).then(|| names.join(", "));
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

#[tracing::instrument(level = "debug", skip_all)]
pub async fn result() -> AppResult<ResultView> {
    let (state, a) = current().await?;
    let Some(stored) = state.db.result(a.id).await? else {
        return Err(AppError::moved("/self/check"));
    };
    let address = match leptos_axum::extract::<ConnectInfo<SocketAddr>>().await {
        Ok(ConnectInfo(addr)) => addr,
        Err(_) => SocketAddr::from(([0, 0, 0, 0], 0)),
    };
    audit_recipient(&state, &a, "self.result.view", "", address).await?;
    let instrument = instrument_of(&a)?;
    let outcome: Outcome = serde_json::from_value(stored.outcome)
        .map_err(|e| AppError::broken(format!("stored outcome: {e}")))?;
    let lang = lang();
    let code = lang.code();
    let channel: Channel = outcome.channel;
    Ok(ResultView {
        channel: channel.as_str().to_owned(),
        channel_sentence: instrument.channel_sentence(channel, code).to_owned(),
        reasons: instrument.texts(&outcome.reasons_for_recipient(), |i, r| {
            i.reason_for_recipient(r, code)
        }),
        steps: crate::api::help::step_views(
            &state,
            instrument,
            &outcome.next_steps[..outcome.next_steps.len().min(2)],
            crate::api::help::help_team(&state, a.team_id).await?,
            lang,
            None,
        )
        .await?,
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
