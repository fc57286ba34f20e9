//! GOV.UK/DKFDS error summary: above the h1, each link going to the field in error and
//! repeating the inline message word for word.

use leptos::prelude::*;

use crate::i18n::use_lang;

/// One problem on the page: the id of the first input it concerns, and the message.
#[derive(Clone, Debug)]
pub struct FieldError {
    pub target_id: String,
    pub message: String,
}

/// A page's one error, if any: its field and message, for both the summary and the
/// field's inline error.
#[derive(Clone, Debug, Default)]
pub struct PageError(Option<FieldError>);

impl PageError {
    /// `(field, message)`, or none.
    pub fn new(error: Option<(String, String)>) -> PageError {
        PageError(error.map(|(target_id, message)| FieldError { target_id, message }))
    }

    /// The message, when the error belongs to `field`.
    pub fn on(&self, field: &str) -> Option<String> {
        self.0
            .as_ref()
            .filter(|e| e.target_id == field)
            .map(|e| e.message.clone())
    }

    pub fn is_some(&self) -> bool {
        self.0.is_some()
    }

    /// The list for `ErrorSummary`.
    pub fn summary(&self) -> Vec<FieldError> {
        self.0.iter().cloned().collect()
    }
}

#[component]
pub fn ErrorSummary(errors: Vec<FieldError>) -> impl IntoView {
    let lang = use_lang();
    (!errors.is_empty()).then(|| {
        view! {
            <div class="error-summary" tabindex="-1" autofocus>
                <div role="alert">
                    <h2 id="error-summary-title" class="error-summary-title">
                        {lang.t("error-summary-title")}
                    </h2>
                    <ul class="error-summary-list">
                        {errors
                            .into_iter()
                            .map(|e| {
                                view! {
                                    <li>
                                        <a href=format!("#{}", e.target_id)>{e.message}</a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </div>
            </div>
        }
    })
}

/// The inline message after the legend: a hidden, translated "Error:" prefix for screen readers.
#[component]
pub fn InlineError(id: String, message: String) -> impl IntoView {
    let lang = use_lang();
    view! {
        <p id=id class="error-message">
            <span class="visually-hidden">{lang.t("error-prefix")} " "</span>
            {message}
        </p>
    }
}
