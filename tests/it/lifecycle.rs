//! The real binary: data survives a kill and a restart, SIGTERM shuts down gracefully,
//! bad configuration stops start-up with one sentence, and a PostgreSQL outage turns
//! `/healthz` into a 503 instead of a crash.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use digiparat::server::config::DatabaseUrl;
use digiparat::server::db;
use reqwest::StatusCode;

use crate::helpers::{TestResult, app::spawn_with};

const BINARY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/target/release/digiparat");

/// Starts the release binary on a free port and returns it with the URL it printed.
fn start_binary(data_dir: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(BINARY)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DIGIPARAT_DATA_DIR", data_dir)
        .env("DIGIPARAT_ADDR", "127.0.0.1:0")
        .env(
            "LEPTOS_SITE_ROOT",
            concat!(env!("CARGO_MANIFEST_DIR"), "/target/site"),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {BINARY} (run `cargo leptos build --release`): {e}")
        });
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("reading stdout: {e}"));
    // Keep reading whatever else it prints (the first admin's password) so it never
    // writes into a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("the binary did not print its URL: {line:?}"))
        .to_owned();
    (child, url)
}

#[tokio::test]
async fn data_survives_kill_and_restart() -> TestResult {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let (mut first, url) = start_binary(&data);
    assert_eq!(
        reqwest::get(format!("{url}/healthz")).await?.status(),
        StatusCode::OK
    );
    let key = std::fs::read_to_string(data.join("session.key"))?;
    let db_url = DatabaseUrl::Sqlite(format!("sqlite://{}/digiparat.db", data.display()));
    let id = db::connect(&db_url)
        .await?
        .create_assessment(&crate::database::new_assessment(), None)
        .await?;
    first.kill()?; // SIGKILL: no chance to clean up
    first.wait()?;

    let (mut second, url) = start_binary(&data);
    assert_eq!(
        reqwest::get(format!("{url}/healthz")).await?.status(),
        StatusCode::OK
    );
    assert!(
        db::connect(&db_url).await?.assessment(id).await?.is_some(),
        "assessment lost on restart"
    );
    assert_eq!(
        std::fs::read_to_string(data.join("session.key"))?,
        key,
        "session secret changed"
    );

    // SIGTERM: a graceful stop with exit code 0.
    Command::new("kill")
        .arg("-TERM")
        .arg(second.id().to_string())
        .status()?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = second.try_wait()? {
            break status;
        }
        if started.elapsed() > Duration::from_secs(10) {
            second.kill()?;
            panic!("the server did not stop within 10 s of SIGTERM");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status after SIGTERM: {status}");
    Ok(())
}

#[test]
fn bad_configuration_stops_with_one_sentence() -> TestResult {
    let out = Command::new(BINARY)
        .env_clear()
        .env("DATABASE_URL", "mysql://nope")
        .output()?;
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr)?;
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("DATABASE_URL") && !err.contains("panicked"),
        "{err}"
    );
    Ok(())
}

/// Stops the dedicated outage cluster started by `scripts/test.sh`, checks the 503,
/// starts it again and checks that health recovers without restarting the app.
#[tokio::test]
async fn postgres_outage_gives_503_then_recovers() -> TestResult {
    let (Ok(url), Ok(ctl)) = (
        std::env::var("DIGIPARAT_TEST_PG_OUTAGE"),
        std::env::var("DIGIPARAT_TEST_PG_OUTAGE_CTL"),
    ) else {
        panic!("DIGIPARAT_TEST_PG_OUTAGE(_CTL) not set: run the tests with `make test`");
    };
    let pg_ctl = |action: &str| -> TestResult {
        let mut words = ctl.split_whitespace();
        let program = words.next().ok_or("empty pg_ctl command")?;
        let mut cmd = Command::new(program);
        cmd.args(words)
            .arg("-w")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match action {
            "stop" => cmd.args(["-m", "fast", "stop"]),
            _ => cmd.args(["-l", "/dev/null", "start"]),
        };
        let status = cmd.status()?;
        if !status.success() {
            return Err(format!("pg_ctl {action} failed: {status}").into());
        }
        Ok(())
    };
    let app = spawn_with(tempfile::tempdir()?, url).await;
    let health = |app: &crate::helpers::TestApp| {
        let client = app.client();
        let url = app.url("/healthz");
        async move { client.get(url).send().await }
    };
    assert_eq!(health(&app).await?.status(), StatusCode::OK);

    pg_ctl("stop")?;
    let res = health(&app).await;
    let restart = pg_ctl("start");
    let res = res?;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = res.json().await?;
    assert_eq!(body["status"], "unavailable");
    assert!(
        body["message"].as_str().unwrap_or("").contains("database"),
        "{body}"
    );
    restart?;

    let started = Instant::now();
    loop {
        if health(&app).await?.status() == StatusCode::OK {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "health did not recover after PostgreSQL came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}
