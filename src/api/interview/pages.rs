//! The caseworker's interview pages: the sections, the form and the result.

use axum::response::Response;
use leptos::prelude::*;
use serde_json::Value;

use super::{CaseworkerResult, FormItem, FormSection, InterviewView, ScoreRow};
use crate::api::guard::{
    audit_page, by_staff, may_see_interview, not_found, page_address, staff_form, staff_page,
};
use crate::api::questionnaire::choices;
use crate::domain::role::Role;
use crate::domain::{Channel, Dimension, Instrument, Mode, Outcome};
use crate::i18n::Lang;
use crate::server::db::{Assessment, DbError, NewAudit, StoredAnswer, User};
use crate::server::state::AppState;
use tower_sessions::Session;

/// Form posts: a caseworker must be signed in; others are sent to sign in, or refused.
pub(crate) async fn caseworker(state: &AppState, session: &Session) -> Result<User, Response> {
    staff_form(state, session, Role::can_run_interviews).await
}

/// Pages: the same check from inside rendering (redirect to sign in, or 403).
pub async fn caseworker_page() -> Result<(AppState, User), ServerFnError> {
    staff_page(Role::can_run_interviews).await
}

use crate::api::guard::db_error;

/// The interview behind a token, if this caseworker may see it (their team's).
pub(crate) async fn interview(
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
pub(crate) fn entry(user: &User, action: &str, a: &Assessment, address: &str) -> NewAudit {
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

pub async fn form(token: String, errors: Option<String>) -> Result<InterviewView, ServerFnError> {
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

pub(crate) fn channel_name(instrument: &Instrument, code: &str, lang: Lang) -> String {
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
