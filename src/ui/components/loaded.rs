//! Renders a page from data loaded on the server. Pages that use it are rendered whole
//! before sending (`SsrMode::Async`), so they work without JavaScript and can redirect.

use std::future::Future;

use leptos::either::Either;
use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::i18n::use_lang;
use crate::ui::components::layout::Page;

pub fn loaded<T, Fut, V>(
    fetch: impl Fn() -> Fut + Send + Sync + 'static,
    render: impl Fn(T) -> V + Send + Sync + Clone + 'static,
) -> impl IntoView
where
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    let data = Resource::new_blocking(|| (), move |_| fetch());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(value) => Either::Left(render(value)),
                        Err(AppError::NotFound) => {
                            Either::Right(Either::Left(view! { <crate::ui::pages::not_found::NotFound /> }))
                        }
                        Err(e) => Either::Right(Either::Right(view! {
                            <LoadProblem forbidden=e == AppError::Forbidden />
                        })),
                    }
                })
            }}
        </Suspense>
    }
}

/// Shown when a page's data could not be loaded (a redirect usually replaces it).
#[component]
fn LoadProblem(forbidden: bool) -> impl IntoView {
    let lang = use_lang();
    let (title, body) = if forbidden {
        (lang.t("forbidden-title"), lang.t("forbidden-body"))
    } else {
        (lang.t("load-error-title"), lang.t("load-error-body"))
    };
    view! {
        <Page title=title.clone()>
            <h1>{title}</h1>
            <p>{body}</p>
            <p><a href="/">{lang.t("not-found-home")}</a></p>
        </Page>
    }
}
