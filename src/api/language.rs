//! The recipient's language choice: remembered in a cookie, then on to the next step.
//! Works as a plain form post without JavaScript (the server answers with a redirect).

use crate::error::AppResult;
use leptos::prelude::*;

#[server(endpoint = "self/language")]
pub async fn choose_language(lang: Option<String>) -> AppResult<()> {
    use crate::i18n::Lang;
    match lang.as_deref().and_then(Lang::from_code) {
        None => leptos_axum::redirect("/self?error=choose_language"),
        Some(chosen) => {
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                response.append_header(
                    http::header::SET_COOKIE,
                    crate::server::lang::lang_cookie(chosen),
                );
            }
            leptos_axum::redirect("/self/intro")
        }
    }
    Ok(())
}
