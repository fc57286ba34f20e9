//! The calibration pages' data and the answer post.

use axum::extract::{Path, State};
use axum::response::Redirect;
use axum_extra::extract::Form;
use serde_json::{Map, Value};

use super::{RoundResult, RoundRow, RoundStatus, VignetteView};
use crate::api::guard::{StaffUser, permit, staff};
use crate::api::interview::InterviewForm;
use crate::api::questionnaire::{answer_value, scoring_map};
use crate::domain::calibration::{Vignette, Vignettes};
use crate::domain::role::Role;
use crate::domain::{Answers, Instrument, Mode, evaluate};
use crate::error::{AppError, AppResult};
use crate::server::db::{AnsweredBy, CalibrationAnswer, StoredAnswer};

/// A round's vignettes, or not found.
fn round_of(round: u32) -> AppResult<Vec<&'static Vignette>> {
    let list = Vignettes::dr1().round(round);
    if list.is_empty() {
        return Err(AppError::not_found());
    }
    Ok(list)
}

/// The caseworker's answers by vignette id.
async fn answers_of(
    state: &crate::server::state::AppState,
    user: i64,
) -> AppResult<Vec<CalibrationAnswer>> {
    Ok(state.db.calibration_of(user).await?)
}

fn status(round: u32, list: &[&Vignette], mine: &[CalibrationAnswer]) -> RoundStatus {
    let answered = |v: &&Vignette| mine.iter().find(|a| a.vignette == v.id);
    let done = list.iter().filter(|v| answered(v).is_some()).count();
    let next = list.iter().position(|v| answered(v).is_none()).map(|i| i + 1);
    let agreed = next.is_none().then(|| {
        list.iter()
            .filter(|v| answered(v).is_some_and(|a| a.channel == v.channel.as_str()))
            .count()
    });
    RoundStatus {
        round,
        done,
        of: list.len(),
        next,
        agreed,
    }
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn home() -> AppResult<Vec<RoundStatus>> {
    let (state, user) = staff(Role::can_run_interviews)?;
    let mine = answers_of(&state, user.id).await?;
    let all = Vignettes::dr1();
    Ok(all
        .rounds()
        .into_iter()
        .map(|r| status(r, &all.round(r), &mine))
        .collect())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn vignette(round: u32, number: usize, errors: Option<String>) -> AppResult<VignetteView> {
    let (state, user) = staff(Role::can_run_interviews)?;
    let list = round_of(round)?;
    let v = number
        .checked_sub(1)
        .and_then(|i| list.get(i))
        .ok_or_else(AppError::not_found)?;
    let lang = crate::request::request_lang();
    let code = lang.code();
    // An earlier answer to this vignette is shown again, to be changed.
    let earlier: Map<String, Value> = answers_of(&state, user.id)
        .await?
        .into_iter()
        .find(|a| a.vignette == v.id)
        .and_then(|a| serde_json::from_str(&a.answers).ok())
        .unwrap_or_default();
    let stored: Vec<StoredAnswer> = earlier
        .into_iter()
        .map(|(item, value)| StoredAnswer {
            item,
            value,
            answered_by: AnsweredBy::Caseworker,
            answered_at: time::OffsetDateTime::now_utc(),
        })
        .collect();
    let item_errors: Vec<(String, String)> = errors
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|id| (id.to_owned(), lang.t("error-invalid-answer")))
        .collect();
    Ok(VignetteView {
        round,
        number,
        of: list.len(),
        name: v.name.get(code).to_owned(),
        paragraphs: v
            .text
            .get(code)
            .split("\n\n")
            .map(str::to_owned)
            .collect(),
        sections: crate::api::interview::sections(lang, &stored, &item_errors),
    })
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn round_result(round: u32) -> AppResult<RoundResult> {
    let (state, user) = staff(Role::can_run_interviews)?;
    let list = round_of(round)?;
    let mine = answers_of(&state, user.id).await?;
    let lang = crate::request::request_lang();
    let code = lang.code();
    let instrument = Instrument::dr1();
    let s = status(round, &list, &mine);
    let rows = if s.next.is_some() {
        Vec::new()
    } else {
        list.iter()
            .map(|v| {
                let yours = mine.iter().find(|a| a.vignette == v.id);
                let name_of = |c: &str| {
                    c.parse()
                        .map(|c| instrument.channel_name(c, code).to_owned())
                        .unwrap_or_default()
                };
                RoundRow {
                    name: v.name.get(code).to_owned(),
                    yours: yours.map(|a| name_of(&a.channel)),
                    reference: instrument.channel_name(v.channel, code).to_owned(),
                    same: yours.is_some_and(|a| a.channel == v.channel.as_str()),
                }
            })
            .collect()
    };
    Ok(RoundResult {
        round,
        rows,
        agreed: s.agreed.unwrap_or(0),
        of: s.of,
        next: s.next,
    })
}

/// POST /calibration/{round}/vignette/{number}: scores the form as an interview and keeps
/// it as the caseworker's calibration answer; then the next vignette, or the round's
/// result. An invalid answer brings the form back with the item named.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn answer(
    State(state): State<crate::server::state::AppState>,
    StaffUser(user): StaffUser,
    Path((round, number)): Path<(u32, usize)>,
    Form(form): Form<InterviewForm>,
) -> AppResult<Redirect> {
    let user = permit(user, Role::can_run_interviews)?;
    let list = round_of(round)?;
    let v = number
        .checked_sub(1)
        .and_then(|i| list.get(i))
        .ok_or_else(AppError::not_found)?;
    let instrument = Instrument::dr1();
    let mut given = Map::new();
    let mut errors = Vec::new();
    for item in instrument
        .items()
        .iter()
        .filter(|i| i.applies_in(Mode::Interview))
    {
        match answer_value(instrument, Mode::Interview, item, form.values(item.id())) {
            Ok(Some(value)) => {
                given.insert(item.id().to_owned(), value);
            }
            Ok(None) => {}
            Err(_) => errors.push(item.id().to_owned()),
        }
    }
    let here = format!("/calibration/{round}/vignette/{number}");
    if !errors.is_empty() {
        return Ok(Redirect::to(&format!("{here}?errors={}", errors.join(","))));
    }
    let stored: Vec<StoredAnswer> = given
        .iter()
        .map(|(item, value)| StoredAnswer {
            item: item.clone(),
            value: value.clone(),
            answered_by: AnsweredBy::Caseworker,
            answered_at: time::OffsetDateTime::now_utc(),
        })
        .collect();
    let answers = match Answers::parse(instrument, Mode::Interview, &scoring_map(&stored)) {
        Ok(a) => a,
        Err(e) => {
            let item = e.item.unwrap_or_default();
            return Ok(Redirect::to(&format!("{here}?errors={item}")));
        }
    };
    let channel = evaluate(instrument, &answers).channel;
    state
        .db
        .save_calibration(&CalibrationAnswer {
            user_id: user.id,
            vignette: v.id.clone(),
            round: i64::from(round),
            team_id: user.team_id,
            channel: channel.as_str().to_owned(),
            reference: v.channel.as_str().to_owned(),
            answers: Value::Object(given).to_string(),
            answered_at: time::OffsetDateTime::now_utc(),
        })
        .await?;
    Ok(Redirect::to(&if number < list.len() {
        format!("/calibration/{round}/vignette/{}", number + 1)
    } else {
        format!("/calibration/{round}/result")
    }))
}
