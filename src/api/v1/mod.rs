//! The integration API for a municipality's systems, under `/api/v1`: scoring and the
//! instrument (open, they store and reveal nothing), the case endpoints for tokens of a
//! team, FHIR R4 exports, and the OpenAPI 3.1 document generated from these handlers
//! (`/api/v1/openapi.json`, readable at `/api/docs`).

pub mod cases;
pub mod docs;
pub mod error;
pub mod fhir;
pub mod model;

use std::net::SocketAddr;
use std::sync::LazyLock;

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use self::cases::{Refusals, line};
use self::error::{ApiError, ErrorBody};
use self::model::FhirResource;
use crate::domain::Instrument;
use crate::server::state::AppState;
use crate::server::tokens::ApiClient;

/// The instrument as a FHIR R4 Questionnaire.
///
/// Danish texts with English and Arabic as `translation` extensions; answer options with
/// their codes; the skip rules as `enableWhen`.
#[utoipa::path(
    get, path = "/api/v1/instruments/{id}/fhir", tag = "fhir",
    params(("id" = String, Path, description = "The instrument, `dr-1`")),
    responses(
        (status = 200, description = "A FHIR R4 Questionnaire", body = FhirResource, content_type = "application/fhir+json"),
        (status = 404, description = "No such instrument", body = ErrorBody),
    )
)]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn instrument_fhir(Path(id): Path<String>) -> Result<Response, ApiError> {
    let instrument = Instrument::bundled(&id).ok_or_else(|| ApiError::not_found("instrument"))?;
    Ok(fhir_json(fhir::questionnaire(instrument)))
}

/// An assessment's answers as a FHIR R4 QuestionnaireResponse.
///
/// For an assessment of a case of the token's team. It names no person.
#[utoipa::path(
    get, path = "/api/v1/assessments/{assessment}/fhir", tag = "fhir",
    params(("assessment" = i64, Path, description = "The assessment's id")),
    responses(
        (status = 200, description = "A FHIR R4 QuestionnaireResponse", body = FhirResource, content_type = "application/fhir+json"),
        (status = 404, description = "No such assessment in a case of the token's team", body = ErrorBody),
        Refusals,
    ),
    security(("token" = ["cases:read"]))
)]
#[tracing::instrument(level = "debug", skip_all)]
pub async fn response_fhir(
    State(state): State<AppState>,
    client: ApiClient,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let missing = || ApiError::not_found("assessment");
    let id: i64 = id.parse().map_err(|_| missing())?;
    let assessment = state.db.assessment(id).await?.ok_or_else(missing)?;
    let case_id = assessment.case_id.ok_or_else(missing)?;
    let case = cases::team_case(&state, &client, &case_id.to_string())
        .await
        .map_err(|_| missing())?;
    let trail = crate::server::db::NewAudit {
        assessment_id: Some(assessment.id),
        ..line(&client, "api.response.fhir", addr, Some(case.id))
    };
    state.db.audit(&trail).await?;
    let answers = state.db.answers(assessment.id).await?;
    let instrument = Instrument::bundled(&assessment.instrument).unwrap_or(Instrument::dr1());
    Ok(fhir_json(fhir::response(instrument, &assessment, &answers)))
}

fn fhir_json(body: serde_json::Value) -> Response {
    (
        [(http::header::CONTENT_TYPE, "application/fhir+json")],
        Json(body),
    )
        .into_response()
}

/// The OpenAPI 3.1 document.
#[utoipa::path(
    get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "This document", body = Object))
)]
pub async fn openapi_json() -> Response {
    (
        [(http::header::CONTENT_TYPE, "application/json")],
        OPENAPI_JSON.as_str(),
    )
        .into_response()
}

/// The document, made once: with this year's bounds of a birth year (a person of 15 to
/// 100), so that every body the document allows is one the API takes.
pub static OPENAPI_JSON: LazyLock<String> = LazyLock::new(|| {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let year = time::OffsetDateTime::now_utc().year();
    let new_case = &mut doc["components"]["schemas"]["NewCaseBody"];
    new_case["additionalProperties"] = serde_json::json!(false);
    let birth_year = &mut new_case["properties"]["birth_year"];
    birth_year["minimum"] = serde_json::json!(year - 100);
    birth_year["maximum"] = serde_json::json!(year - 15);
    serde_json::to_string_pretty(&doc).unwrap_or_default()
});

/// The bearer token scheme.
struct TokenScheme;

impl utoipa::Modify for TokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "token",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .description(Some(
                            "A token an administrator issues at /admin/tokens, for one team, with the scopes cases:read and/or cases:write.",
                        ))
                        .build(),
                ),
            );
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Digiparat integration API",
        version = "1",
        description = "Scoring, the instrument, and the cases of a team for a municipality's case system. Errors have a stable `code`. Tokens are issued by an administrator at /admin/tokens and sent as `Authorization: Bearer <token>`."
    ),
    paths(
        crate::api::score::score,
        crate::api::score::instrument,
        cases::create_case,
        cases::read_case,
        cases::create_invite,
        cases::assessments,
        cases::latest_result,
        cases::erase_case,
        instrument_fhir,
        response_fhir,
        openapi_json,
    ),
    components(schemas(model::LangCode)),
    modifiers(&TokenScheme),
    tags(
        (name = "scoring", description = "Score answers and read the instrument; open, nothing is stored."),
        (name = "cases", description = "A team's cases, for tokens of that team."),
        (name = "fhir", description = "FHIR R4 Questionnaire and QuestionnaireResponse."),
        (name = "meta", description = "This document."),
    )
)]
pub struct ApiDoc;
