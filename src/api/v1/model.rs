//! The bodies of the integration API, as the OpenAPI document describes them. Times are
//! RFC 3339 strings in UTC; channels and modes are the instrument's codes.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::server::db::{AssessmentSummary, Case, Invite};

/// A time as the API writes it.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A new case: the job centre's own pseudonymous reference and the person's birth year.
/// A CPR number is refused wherever it is typed.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reference": "J-2026-0042", "birth_year": 1984}))]
pub struct NewCaseBody {
    /// 1–40 characters, not only spaces, no control characters, unique within the team;
    /// never a CPR number.
    #[schema(
        min_length = 1,
        max_length = 40,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub reference: String,
    /// The person is 15–100 years old this year (the document states this year's bounds).
    #[serde(deserialize_with = "whole_number")]
    pub birth_year: i32,
}

/// A JSON number that is a whole number, written `1984` or `1984.0` (JSON does not tell
/// the two apart, and some clients write every number as a float).
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    let whole = n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 1e9)
            .map(|f| f as i64)
    });
    whole
        .and_then(|w| i32::try_from(w).ok())
        .ok_or_else(|| serde::de::Error::custom(format!("{n} is not a whole year")))
}

/// A case of the token's team.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CaseBody {
    pub id: i64,
    pub reference: String,
    pub birth_year: i32,
    /// The team (job centre unit) the case belongs to.
    pub team: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub last_activity_at: String,
}

impl From<&Case> for CaseBody {
    fn from(c: &Case) -> CaseBody {
        CaseBody {
            id: c.id,
            reference: c.reference.clone(),
            birth_year: c.birth_year,
            team: c.team_name.clone(),
            created_at: rfc3339(c.created_at),
            last_activity_at: rfc3339(c.last_activity_at),
        }
    }
}

/// A one-time code the person types at `/self/invite` to start their self-assessment.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InviteBody {
    pub id: i64,
    pub case_id: i64,
    /// As printed on the invite slip, in groups.
    pub code: String,
    /// Where the person types it.
    pub url: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
}

impl InviteBody {
    pub fn of(invite: &Invite, public_url: &str) -> InviteBody {
        InviteBody {
            id: invite.id,
            case_id: invite.case_id,
            code: crate::domain::policy::format_resume_code(&invite.code),
            url: format!("{public_url}/self/invite"),
            expires_at: rfc3339(invite.expires_at),
        }
    }
}

/// How an assessment was taken.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ModeCode {
    #[serde(rename = "self")]
    SelfAssessment,
    Interview,
}

impl From<crate::domain::Mode> for ModeCode {
    fn from(m: crate::domain::Mode) -> ModeCode {
        match m {
            crate::domain::Mode::SelfAssessment => ModeCode::SelfAssessment,
            crate::domain::Mode::Interview => ModeCode::Interview,
        }
    }
}

/// A channel of contact.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChannelCode {
    SelfService,
    Assisted,
    Analogue,
}

impl From<crate::domain::Channel> for ChannelCode {
    fn from(c: crate::domain::Channel) -> ChannelCode {
        match c {
            crate::domain::Channel::SelfService => ChannelCode::SelfService,
            crate::domain::Channel::Assisted => ChannelCode::Assisted,
            crate::domain::Channel::Analogue => ChannelCode::Analogue,
        }
    }
}

/// One assessment of a case, finished or not.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AssessmentBody {
    pub id: i64,
    pub mode: ModeCode,
    #[schema(format = DateTime)]
    pub started_at: String,
    #[schema(format = DateTime)]
    pub finished_at: Option<String>,
    /// The computed channel (finished assessments only).
    pub channel: Option<ChannelCode>,
    /// The channel after the caseworker's override, or the computed one.
    pub channel_after_override: Option<ChannelCode>,
    pub provisional: bool,
    pub borderline: bool,
}

impl From<&AssessmentSummary> for AssessmentBody {
    fn from(s: &AssessmentSummary) -> AssessmentBody {
        AssessmentBody {
            id: s.id,
            mode: s.mode.into(),
            started_at: rfc3339(s.started_at),
            finished_at: s.finished_at.map(rfc3339),
            channel: s.channel.map(Into::into),
            channel_after_override: s.override_channel.or(s.channel).map(Into::into),
            provisional: s.provisional,
            borderline: s.borderline,
        }
    }
}

/// A code of the instrument with its text in the language asked for.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Coded {
    pub code: String,
    pub text: String,
}

/// The dimension scores, 0–100, `null` when too little was answered.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ScoresBody {
    pub access: Option<u8>,
    pub skills: Option<u8>,
    pub motivation: Option<u8>,
}

/// The caseworker's decision against the computed channel. Its free-text reason is not
/// given out: it stays in the case file.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OverrideBody {
    pub channel: ChannelCode,
    #[schema(format = DateTime)]
    pub at: String,
}

/// The latest finished assessment of a case, as `../shared/design/instrument.md` scores it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ResultBody {
    pub case_id: i64,
    pub assessment_id: i64,
    /// The instrument and its version, e.g. `dr-1`.
    pub instrument: String,
    pub mode: ModeCode,
    #[schema(format = DateTime)]
    pub finished_at: String,
    /// The channel the rules computed.
    pub channel: ChannelCode,
    /// The channel that holds: the override's, or the computed one.
    pub channel_after_override: ChannelCode,
    #[serde(rename = "override")]
    pub override_: Option<OverrideBody>,
    /// The rule that fired, 1–6, and its text.
    #[schema(minimum = 1, maximum = 6)]
    pub rule: u8,
    pub rule_text: String,
    pub provisional: bool,
    pub borderline: bool,
    pub scores: ScoresBody,
    pub reasons: Vec<Coded>,
    pub next_steps: Vec<Coded>,
    /// Possible grounds for exemption from Digital Post, for the caseworker to consider.
    pub exemption_grounds: Vec<Coded>,
    pub flags: Vec<Coded>,
    /// The texts' language.
    pub language: String,
}

/// The query of a result: the language of its texts.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    /// The texts' language: `da` (default), `en` or `ar`.
    #[param(value_type = Option<LangCode>)]
    pub lang: Option<String>,
}

/// A language of the texts.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LangCode {
    Da,
    En,
    Ar,
}

/// A FHIR R4 resource (`Questionnaire` or `QuestionnaireResponse`), as JSON.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(value_type = Object)]
pub struct FhirResource(pub Value);
