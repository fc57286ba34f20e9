//! One error type for every way the app answers: form posts, page server functions and
//! the JSON API. A handler returns `AppResult` and uses `?`; how a refusal looks (a
//! status, a redirect back to the form, the not-found page) is decided here, once.
//! The cause of a database failure is logged once, where it is converted, and never
//! shown: the person or the calling system gets a safe message with the right status.

use leptos::prelude::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::codec::JsonEncoding;
use serde::{Deserialize, Serialize};

pub type AppResult<T> = Result<T, AppError>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The object is gone, or is not the person's to see (the two look alike on purpose).
    #[error("not found")]
    NotFound,
    /// The signed-in person's role does not give access.
    #[error("forbidden")]
    Forbidden,
    /// Nobody is signed in, or the session ended.
    #[error("sign in first")]
    SignIn,
    /// Input that cannot be used: which field, and a code for what is wrong with it.
    #[error("{0}")]
    Invalid(Invalid),
    /// The page the person asked for is not the one to show now (the question page of a
    /// finished assessment, say): they are sent to this address instead.
    #[error("see {0}")]
    Moved(String),
    /// The database could not answer, or what it holds could not be read; nothing was
    /// saved.
    #[error("the database is unavailable")]
    Unavailable,
    /// A server function call that could not be made or read (transport, encoding).
    #[error("{0}")]
    Request(String),
}

/// A field's problem. `reason` is the code the form's page translates (`?error=`);
/// `form` is where a form post goes back to, with `{}` standing for the code when the
/// page reads it under another name, or `None` for a status with a JSON body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invalid {
    pub field: String,
    pub reason: String,
    pub form: Option<String>,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Request(value.to_string())
    }
}

impl From<ServerFnErrorErr> for AppError {
    fn from(e: ServerFnErrorErr) -> Self {
        AppError::Request(e.to_string())
    }
}

impl AppError {
    /// A field that cannot be used; `reason` is the code the page shows a text for.
    pub fn invalid(field: &str, reason: &str) -> Self {
        AppError::Invalid(Invalid {
            field: field.to_owned(),
            reason: reason.to_owned(),
            form: None,
        })
    }

    /// Answers invalid input by going back to the form at `form`. The code is added as
    /// `error=` before any `#fragment`, or put where `{}` stands.
    pub fn on_form(self, form: &str) -> Self {
        match self {
            AppError::Invalid(i) => AppError::Invalid(Invalid {
                form: Some(form.to_owned()),
                ..i
            }),
            other => other,
        }
    }

    /// The not-found answer, with the page's status set when rendering a page.
    pub fn not_found() -> Self {
        mark(AppError::NotFound)
    }

    /// The forbidden answer, with the page's status set when rendering a page.
    pub fn forbidden() -> Self {
        mark(AppError::Forbidden)
    }

    /// The sign-in answer; a page load is sent to the sign-in page.
    pub fn sign_in() -> Self {
        mark(AppError::SignIn)
    }

    /// Sends the person to `path` instead of the page they asked for.
    pub fn moved(path: &str) -> Self {
        mark(AppError::Moved(path.to_owned()))
    }

    /// Stored data that cannot be read (logged once here), answered as unavailable.
    pub fn broken(what: impl std::fmt::Display) -> Self {
        #[cfg(feature = "ssr")]
        tracing::error!(problem = %what, "stored data");
        #[cfg(not(feature = "ssr"))]
        let _ = what;
        mark(AppError::Unavailable)
    }

    /// The status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::Forbidden => 403,
            AppError::SignIn | AppError::Moved(_) => 303,
            AppError::Invalid(i) if i.form.is_some() => 303,
            AppError::Invalid(_) | AppError::Request(_) => 400,
            AppError::Unavailable => 503,
        }
    }

    /// Where the person is sent, for the answers that send them somewhere.
    pub fn location(&self) -> Option<String> {
        match self {
            AppError::SignIn => Some("/login".to_owned()),
            AppError::Moved(to) => Some(to.clone()),
            AppError::Invalid(Invalid {
                reason,
                form: Some(form),
                ..
            }) => Some(if form.contains("{}") {
                form.replacen("{}", reason, 1)
            } else {
                let (path, fragment) = match form.split_once('#') {
                    Some((p, f)) => (p, format!("#{f}")),
                    None => (form.as_str(), String::new()),
                };
                let join = if path.contains('?') { '&' } else { '?' };
                format!("{path}{join}error={reason}{fragment}")
            }),
            _ => None,
        }
    }

    /// The message a calling system reads in the JSON body.
    #[cfg(feature = "ssr")]
    fn message(&self) -> String {
        match self {
            AppError::NotFound => "Not found.".into(),
            AppError::Forbidden => "Your role does not give access to this.".into(),
            AppError::SignIn => "Sign in first.".into(),
            AppError::Moved(to) => format!("See {to}."),
            AppError::Invalid(i) => format!("The field {} cannot be used: {}.", i.field, i.reason),
            AppError::Unavailable => {
                "The service cannot reach its database right now. Try again in a moment.".into()
            }
            AppError::Request(m) => m.clone(),
        }
    }
}

/// Inside a page render or a server function call, sets the response's status (or
/// redirect) for `error`; elsewhere (a plain axum handler) `IntoResponse` does it.
#[cfg(feature = "ssr")]
fn mark(error: AppError) -> AppError {
    use leptos::prelude::use_context;
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        match error.location() {
            Some(to) => crate::api::guard::redirect(&to),
            None => {
                if let Ok(status) = http::StatusCode::from_u16(error.status()) {
                    response.set_status(status);
                }
            }
        }
    }
    error
}

#[cfg(not(feature = "ssr"))]
fn mark(error: AppError) -> AppError {
    error
}

#[cfg(feature = "ssr")]
impl From<crate::server::db::DbError> for AppError {
    fn from(e: crate::server::db::DbError) -> Self {
        tracing::error!(error = %e, "database");
        mark(AppError::Unavailable)
    }
}

#[cfg(feature = "ssr")]
impl From<leptos::prelude::ServerFnError> for AppError {
    fn from(e: leptos::prelude::ServerFnError) -> Self {
        AppError::Request(e.to_string())
    }
}

#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        use axum::response::Redirect;
        if let Some(to) = self.location() {
            return Redirect::to(&to).into_response();
        }
        let status = http::StatusCode::from_u16(self.status())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = serde_json::json!({ "error": self.message() });
        if let AppError::Invalid(i) = &self {
            body["field"] = i.field.clone().into();
            body["reason"] = i.reason.clone().into();
        }
        (status, axum::Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_is_sent_back_with_the_code_before_its_fragment() {
        let e = AppError::invalid("confirm", "confirm").on_form("/cases/7#erase");
        assert_eq!(
            e.location().as_deref(),
            Some("/cases/7?error=confirm#erase")
        );
        let e = AppError::invalid("role", "role").on_form("/admin?x=1");
        assert_eq!(e.location().as_deref(), Some("/admin?x=1&error=role"));
        let e = AppError::invalid("purpose", "purpose").on_form("/dashboard?rows_error={}#rows");
        assert_eq!(
            e.location().as_deref(),
            Some("/dashboard?rows_error=purpose#rows")
        );
        assert_eq!(AppError::invalid("a", "b").status(), 400);
        assert_eq!(AppError::NotFound.on_form("/x"), AppError::NotFound);
    }

    #[test]
    fn the_variant_survives_the_trip_to_the_browser() {
        for e in [
            AppError::NotFound,
            AppError::Forbidden,
            AppError::SignIn,
            AppError::Unavailable,
            AppError::invalid("from", "month"),
        ] {
            let text = serde_json::to_string(&e).unwrap_or_default();
            let back: Option<AppError> = serde_json::from_str(&text).ok();
            assert_eq!(back, Some(e));
        }
    }
}
