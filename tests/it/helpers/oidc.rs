//! A real OpenID provider for the tests: the certified `oidc-provider` package from npm
//! (installed by `scripts/ensure-test-deps.sh`), run by the machine's Node.js on a free
//! loopback port (`tests/browser/oidc-provider.mjs`). Its users: `karen` (group
//! `dp-caseworkers-a`), `mads` (`dp-managers`) and `lone` (`dp-caseworkers-a`); any
//! password. `/__test/` lets a test change a user's groups and tamper with the next ID
//! token. The app under test is started to use it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::app::{Db, TestApp, spawn_app_with};
use super::chrome::free_port;

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/browser/oidc-provider.mjs"
);
pub const CLIENT_ID: &str = "digiparat-test";
const CLIENT_SECRET: &str = "a-client-secret-for-the-tests";
/// The mapping the app is started with; "Team Gone" is never created.
pub const ROLES: &str = "dp-caseworkers-a=caseworker@Team A; dp-managers=manager; \
                         dp-ghosts=caseworker@Team Gone";
pub const PROVIDER_NAME: &str = "Testkommune";

pub struct Provider {
    pub issuer: String,
    child: Child,
}

impl Provider {
    /// Starts the provider on `port`, for an app at `app_url`.
    pub async fn start(port: u16, app_url: &str) -> Provider {
        let mut child = Command::new("node")
            .arg(SCRIPT)
            .env("OP_PORT", port.to_string())
            .env("OP_APP_URL", app_url)
            .env("OP_CLIENT_ID", CLIENT_ID)
            .env("OP_CLIENT_SECRET", CLIENT_SECRET)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start node {SCRIPT}: {e}"));
        let stdout = child
            .stdout
            .take()
            .unwrap_or_else(|| panic!("no stdout from the provider"));
        // The first `ready` line is the signal; the rest is read until the end, so the
        // provider never writes into a closed pipe (it would die of it).
        let (tx, ready) = tokio::sync::oneshot::channel::<String>();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with("ready ")
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(line);
                }
            }
        });
        let line = tokio::time::timeout(Duration::from_secs(30), ready)
            .await
            .unwrap_or_else(|_| panic!("the OpenID provider did not start within 30 s"))
            .unwrap_or_else(|_| panic!("the OpenID provider stopped before it was ready"));
        Provider {
            issuer: line.trim_start_matches("ready ").trim().to_owned(),
            child,
        }
    }

    async fn control(&self, path: &str) {
        let res = reqwest::get(format!("{}{path}", self.issuer))
            .await
            .unwrap_or_else(|e| panic!("provider {path}: {e}"));
        assert!(
            res.status().is_success(),
            "provider {path}: {}",
            res.status()
        );
    }

    /// Sets the user's groups at the provider (none: an empty list).
    pub async fn set_groups(&self, user: &str, groups: &[&str]) {
        self.control(&format!(
            "/__test/groups?user={user}&groups={}",
            groups.join(",")
        ))
        .await;
    }

    /// The next ID token from the token endpoint is spoilt: `signature`, `audience`,
    /// `issuer`, `expired`, or `replay` (the previous genuine token instead).
    pub async fn tamper(&self, mode: &str) {
        self.control(&format!("/__test/tamper?mode={mode}")).await;
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The app, configured to sign staff in through a fresh provider, with teams "Team A" and
/// "Team B". `extra`: more settings.
pub async fn spawn_with_provider(backend: Db) -> (TestApp, Provider) {
    let (app_port, op_port) = (free_port(), free_port());
    let app_url = format!("http://127.0.0.1:{app_port}");
    let provider = Provider::start(op_port, &app_url).await;
    let addr = format!("127.0.0.1:{app_port}");
    let app = spawn_app_with(
        backend,
        &[
            ("DIGIPARAT_ADDR", &addr),
            ("DIGIPARAT_OIDC_ISSUER", &provider.issuer),
            ("DIGIPARAT_OIDC_CLIENT_ID", CLIENT_ID),
            ("DIGIPARAT_OIDC_CLIENT_SECRET", CLIENT_SECRET),
            ("DIGIPARAT_OIDC_NAME", PROVIDER_NAME),
            ("DIGIPARAT_OIDC_ROLES", ROLES),
        ],
    )
    .await;
    for team in ["Team A", "Team B"] {
        app.db
            .create_team(team, None)
            .await
            .unwrap_or_else(|e| panic!("team {team}: {e}"));
    }
    (app, provider)
}

/// A client with a cookie jar that follows redirects, like a browser going through the
/// provider and back.
pub fn browser_like() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(super::same_origin())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_else(|e| panic!("cannot build an HTTP client: {e}"))
}

/// Signs `login` in at the provider through the app's button, with `client`'s cookies;
/// returns where the person ends up in the app (path and query).
pub async fn sign_in_through_provider(
    app: &TestApp,
    client: &reqwest::Client,
    login: &str,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let res = client.get(app.url("/auth/oidc/start")).send().await?;
    let mut url = res.url().clone();
    // A provider session may still be open: then it answers at once.
    if url.as_str().contains("/interaction/") {
        let res = client
            .post(url.clone())
            .form(&[("prompt", "login"), ("login", login), ("password", "any")])
            .send()
            .await?;
        url = res.url().clone();
    }
    assert!(
        url.as_str().starts_with(&app.base_url),
        "ended outside the app: {url}"
    );
    Ok(match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    })
}
