//! The caseworker's interview pages: the sections, the form and the result.

use super::{CaseworkerResult, FormItem, FormSection, InterviewView, ScoreRow};
use crate::api::guard::{audit, by_staff, may_see_interview, page_address, permit, staff};
use crate::api::questionnaire::choices;
use crate::domain::answer_codes;
use crate::domain::role::Role;
use crate::domain::{Channel, Dimension, Instrument, Mode, Outcome};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::server::db::{Assessment, DbError, NewAudit, StoredAnswer, User};
use crate::server::state::AppState;

/// A form post's staff member, when they run interviews.
pub(crate) fn caseworker(user: User) -> AppResult<User> {
    permit(user, Role::can_run_interviews)
}

/// A page's caseworker and the state.
pub fn caseworker_page() -> AppResult<(AppState, User)> {
    staff(Role::can_run_interviews)
}

/// The interview behind a token, if this caseworker may see it (their team's).
#[tracing::instrument(level = "debug", skip_all)]
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
        let selected: Vec<String> = stored
            .iter()
            .find(|s| s.item == item.id())
            .map(|s| answer_codes::codes(&s.value))
            .unwrap_or_default()
            .into_iter()
            .map(str::to_owned)
            .collect();
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

#[tracing::instrument(level = "debug", skip_all)]
pub async fn form(token: String, errors: Option<String>) -> AppResult<InterviewView> {
    let (state, user) = caseworker_page()?;
    let Some(a) = interview(&state, &user, &token).await? else {
        return Err(AppError::not_found());
    };
    audit(
        &state,
        entry(&user, "interview.view", &a, &page_address().await),
    )
    .await?;
    let stored = state.db.answers(a.id).await?;
    let lang = crate::request::request_lang();
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

#[tracing::instrument(level = "debug", skip_all)]
pub async fn result(token: String, error: Option<String>) -> AppResult<CaseworkerResult> {
    let (state, user) = caseworker_page()?;
    let Some(a) = interview(&state, &user, &token).await? else {
        return Err(AppError::not_found());
    };
    audit(
        &state,
        entry(&user, "interview.result.view", &a, &page_address().await),
    )
    .await?;
    let Some(stored) = state.db.result(a.id).await? else {
        return Err(AppError::moved(&format!("/interview/{token}")));
    };
    let instrument =
        Instrument::bundled(&a.instrument).ok_or_else(|| AppError::broken("unknown instrument"))?;
    let o: Outcome = serde_json::from_value(stored.outcome)
        .map_err(|e| AppError::broken(format!("stored outcome: {e}")))?;
    let lang = crate::request::request_lang();
    let code = lang.code();
    let plans = state.db.plans_of_assessment(a.id).await?;
    let draft = crate::api::help::take_plan_draft(&token).await?;
    let (plan, plan_errors) = match &draft {
        Some((form, errors)) => (
            crate::api::help::draft_plan(form, &o.next_steps),
            errors.iter().map(|e| plan_error(lang, e)).collect(),
        ),
        None => (plans.last().map(|p| p.plan.clone()), Vec::new()),
    };
    let mut steps = crate::api::help::step_views(
        &state,
        instrument,
        &o.next_steps,
        a.team_id,
        lang,
        plan.as_ref(),
    )
    .await?;
    // What was typed comes back as typed, a date the server could not read included.
    if let Some((form, _)) = &draft {
        for s in &mut steps {
            if let Some(i) = form.due_for.iter().position(|f| f.trim() == s.code) {
                s.due_value = form.due.get(i).cloned().unwrap_or_default();
            }
        }
    }
    let (plan_next_screening, plan_note) = match &draft {
        Some((form, _)) => (form.next_screening.clone(), form.note.clone()),
        None => (
            plan.as_ref()
                .and_then(|p| p.next_screening)
                .map(crate::api::help::iso)
                .unwrap_or_default(),
            plan.map(|p| p.note).unwrap_or_default(),
        ),
    };
    let row = |d: Dimension, score: Option<u8>, coverage: f64| ScoreRow {
        dimension: instrument.dimension_name(d, code).to_owned(),
        score,
        coverage_percent: (coverage * 100.0).round().clamp(0.0, 100.0) as u32,
    };
    Ok(CaseworkerResult {
        case_id: a.case_id,
        channel: o.channel,
        channel_name: instrument.channel_name(o.channel, code).to_owned(),
        rule: o.rule,
        rule_text: instrument.rule_text(o.rule, code).to_owned(),
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
        reasons: instrument.texts(&o.reasons, |i, c| i.reason_for_caseworker(c, code)),
        flags: instrument.texts(&o.flags, |i, c| i.flag_text(c, code)),
        grounds: instrument.texts(&o.exemption_grounds, |i, c| i.exemption_ground_text(c, code)),
        steps,
        note: a.note.clone().filter(|n| !n.is_empty()),
        plan_next_screening,
        plan_note,
        plan_errors,
        plans: plans
            .iter()
            .rev()
            .map(|p| {
                lang.t_args(
                    "cw-plan-version-line",
                    &[
                        ("version", p.version.to_string()),
                        ("date", crate::api::help::day(lang, p.agreed_at.date())),
                        ("by", p.agreed_by.clone().unwrap_or_default()),
                    ],
                )
            })
            .collect(),
        chosen: stored.override_.map(|ov| {
            (
                instrument.channel_name(ov.channel, lang.code()).to_owned(),
                ov.reason,
            )
        }),
        channels: Channel::ALL
            .iter()
            .map(|c| {
                (
                    c.as_str().to_owned(),
                    instrument.channel_name(*c, code).to_owned(),
                )
            })
            .collect(),
        override_reasons: crate::domain::OverrideReason::ALL
            .iter()
            .map(|c| {
                (
                    c.as_str().to_owned(),
                    instrument.override_reason_text(*c, code).to_owned(),
                )
            })
            .collect(),
        error_field: error.as_deref().map(|e| {
            match e {
                "reason" | "reason_cpr" => "reason",
                "category" => "category",
                _ => "channel",
            }
            .to_owned()
        }),
        error: error.map(|e| {
            lang.t(match e.as_str() {
                "reason" => "error-override-reason",
                "reason_cpr" => "error-reason-cpr",
                "category" => "error-override-category",
                _ => "error-override-channel",
            })
        }),
        token,
    })
}

/// A plan problem's message and the field it belongs to.
fn plan_error(lang: Lang, code: &str) -> (String, String) {
    let (field, key) = match code {
        "steps_missing" | "steps_invalid" => ("plan-steps", "cw-error-plan-steps"),
        "due_past" => ("plan-steps", "cw-error-plan-due-past"),
        "due_invalid" => ("plan-steps", "cw-error-plan-due-invalid"),
        "next_screening_past" => ("plan-next", "cw-error-plan-due-past"),
        "next_screening_invalid" => ("plan-next", "cw-error-plan-due-invalid"),
        "note_cpr" => ("plan-note", "error-note-cpr"),
        _ => ("plan-note", "cw-error-plan-note-long"),
    };
    (field.to_owned(), lang.t(key))
}
