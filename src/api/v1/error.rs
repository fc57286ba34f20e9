//! The errors of the integration API: a status and a JSON body with a stable `code` that a
//! calling system can branch on, a message for its log, and the field or object concerned.
//! Every refusal of `/api/v1` (but the scoring contract's own bodies) has this shape.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Serialize;

use crate::domain::token::Scope;
use crate::server::db::DbError;

/// The body of every error answer.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"code": "invalid", "message": "reference: reference_cpr", "field": "reference"}))]
pub struct ErrorBody {
    /// Stable: `token_missing`, `token_invalid`, `token_revoked`, `token_expired`,
    /// `scope_missing`, `rate_limited`, `bad_json`, `unsupported_media_type`, `invalid`,
    /// `not_found`, `no_result`, `case_exists`, `unavailable`.
    pub code: String,
    /// For people reading logs; may change.
    pub message: String,
    /// The field of the request that is wrong (with `invalid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The object that already exists (with `case_exists`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
}

/// A refused or failed call.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                code: code.to_owned(),
                message: message.into(),
                field: None,
                id: None,
            },
        }
    }

    pub fn unauthorized(code: &str, message: &str) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn forbidden(scope: Scope) -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "scope_missing",
            format!("The token does not carry the scope {}.", scope.as_str()),
        )
    }

    pub fn rate_limited() -> ApiError {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many requests with this token; wait a little.",
        )
    }

    /// Missing, or another team's: the two look alike on purpose.
    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("No such {what}."),
        )
    }

    pub fn no_result() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no_result",
            "The case has no finished assessment yet.",
        )
    }

    pub fn case_exists(id: i64) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::CONFLICT,
            "case_exists",
            "The team already has a case with this reference.",
        );
        e.body.id = Some(id);
        e
    }

    /// A field that cannot be used, and the code of what is wrong with it.
    pub fn invalid(field: &str, reason: &str) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("{field}: {reason}"),
        );
        e.body.field = Some(field.to_owned());
        e
    }

    pub fn bad_json(why: impl std::fmt::Display) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_json",
            format!("The body is not the JSON this call takes: {why}"),
        )
    }

    pub fn unsupported_media_type() -> ApiError {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as application/json.",
        )
    }

    pub fn unavailable() -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "The database is unavailable; nothing was saved. Try again later.",
        )
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> ApiError {
        tracing::error!(error = %e, "api: database");
        ApiError::unavailable()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        );
        match self.status {
            StatusCode::UNAUTHORIZED => {
                headers.insert(
                    http::header::WWW_AUTHENTICATE,
                    http::HeaderValue::from_static("Bearer realm=\"digiparat\""),
                );
            }
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                headers.insert(
                    http::header::RETRY_AFTER,
                    http::HeaderValue::from_static("1"),
                );
            }
            _ => {}
        }
        response
    }
}
