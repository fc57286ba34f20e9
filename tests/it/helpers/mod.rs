//! Shared test harness.

pub mod app;
pub mod axe;
pub mod chrome;
pub mod oidc;
pub mod vnu;

pub use app::{Db, TestApp, spawn_app};

/// Where a redirect points (empty when the response is not a redirect).
pub fn location(res: &reqwest::Response) -> String {
    header(res, reqwest::header::LOCATION.as_str())
}

/// A response header's value as text ("" when it is missing or not text).
pub fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// What a browser sends with a form post or fetch from this site's own pages (every
/// current browser sends `Sec-Fetch-Site`); the server refuses writes without it or an
/// `Origin`/`Referer` of its own.
pub fn same_origin() -> reqwest::header::HeaderMap {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert(
        "sec-fetch-site",
        reqwest::header::HeaderValue::from_static("same-origin"),
    );
    h
}

/// Test results: any error ends the test with its message.
pub type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Runs a test body once per backend, naming the backend in any failure.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() -> $crate::helpers::TestResult {
                    super::$name($crate::helpers::Db::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() -> $crate::helpers::TestResult {
                    super::$name($crate::helpers::Db::Postgres).await
                }
            )*
        }
    };
}
