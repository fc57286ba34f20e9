//! `spawn_app`: the real application on 127.0.0.1:0 with a fresh database — an SQLite
//! file in a temporary folder, or a new database in the test PostgreSQL cluster.

use std::collections::HashMap;
use std::sync::Arc;

use digiparat::server::config::Config;
use digiparat::server::db::{self, Repository};
use digiparat::server::startup::Application;
use sqlx::Connection;
use tokio::sync::oneshot;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base_url: String,
    pub db: Arc<dyn Repository>,
    /// The database's URL, for tests that check what the database itself allows.
    pub database_url: String,
    /// The pages the app keeps (`server::page_cache`).
    pub pages: Arc<digiparat::server::page_cache::PageCache>,
    /// Dropping it stops the server.
    stop: Option<oneshot::Sender<()>>,
    dir: Option<tempfile::TempDir>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// A client that does not follow redirects, like a browser's view of each response.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .default_headers(crate::helpers::same_origin())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .unwrap_or_else(|e| panic!("cannot build an HTTP client: {e}"))
    }

    /// Stops this app and starts a new one on the same database and folder.
    pub async fn restart(mut self) -> TestApp {
        let dir = self.dir.take().unwrap_or_else(|| panic!("no folder"));
        let url = self.database_url.clone();
        drop(self);
        spawn_with(dir, url).await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The URL of the test PostgreSQL cluster started by `scripts/test.sh`.
pub fn test_pg_url() -> String {
    std::env::var("DIGIPARAT_TEST_PG").unwrap_or_else(|_| {
        panic!(
            "DIGIPARAT_TEST_PG is not set: run the tests with `make test`, which starts PostgreSQL"
        )
    })
}

/// Creates an empty database in the test cluster and returns its URL.
pub async fn fresh_pg_database() -> String {
    let admin = test_pg_url();
    let name = format!("digiparat_test_{:016x}", rand_u64());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL at {admin}: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    format!("{base}/{name}")
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

/// The test configuration with some variables set to other values.
pub fn test_config_with(
    dir: &std::path::Path,
    database_url: &str,
    extra: &[(&str, &str)],
) -> Config {
    let mut vars: HashMap<&str, String> = HashMap::new();
    vars.insert("DATABASE_URL", database_url.to_owned());
    vars.insert("DIGIPARAT_ADDR", "127.0.0.1:0".into());
    vars.insert(
        "DIGIPARAT_DATA_DIR",
        dir.join("data").to_string_lossy().into_owned(),
    );
    vars.insert("DIGIPARAT_LOG", "warn".into());
    vars.insert(
        "LEPTOS_SITE_ROOT",
        concat!(env!("CARGO_MANIFEST_DIR"), "/target/site").into(),
    );
    for (k, v) in extra {
        vars.insert(k, (*v).to_owned());
    }
    Config::from_lookup(|k| vars.get(k).cloned()).unwrap_or_else(|e| panic!("test config: {e}"))
}

pub async fn spawn_app(backend: Db) -> TestApp {
    spawn_app_with(backend, &[]).await
}

/// A fresh app with some settings changed.
pub async fn spawn_app_with(backend: Db, extra: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let database_url = match backend {
        Db::Sqlite => format!("sqlite://{}/test.db", dir.path().display()),
        Db::Postgres => fresh_pg_database().await,
    };
    spawn_configured(dir, database_url, extra).await
}

/// Starts the app on an existing database (e.g. to prove data survives a restart).
pub async fn spawn_with(dir: tempfile::TempDir, database_url: String) -> TestApp {
    spawn_configured(dir, database_url, &[]).await
}

/// Starts the app on an existing database with some settings changed.
pub async fn spawn_configured(
    dir: tempfile::TempDir,
    database_url: String,
    extra: &[(&str, &str)],
) -> TestApp {
    let config = test_config_with(dir.path(), &database_url, extra);
    let repo = db::connect(&config.database_url)
        .await
        .unwrap_or_else(|e| panic!("cannot open {database_url}: {e}"));
    let app = Application::with_repository(config, repo.clone())
        .await
        .unwrap_or_else(|e| panic!("cannot start the app: {e}"));
    let addr = app.addr();
    let pages = app.state().pages.clone();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    TestApp {
        base_url: format!("http://{addr}"),
        db: repo,
        database_url,
        pages,
        stop: Some(stop),
        dir: Some(dir),
    }
}
