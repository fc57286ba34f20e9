//! Start-up: configuration → logging → database (migrated) → router → serve.

use std::process::ExitCode;

use digiparat::server::{config::Config, db, seed, startup, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("digiparat cannot start: {e}.");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init(&config.log_level);
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("seed-demo") {
        return seed_demo(&config, &args[1..]).await;
    }
    let database = config.database_url.to_string();
    let app = match startup::Application::build(config).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("digiparat cannot start: {e}.");
            return ExitCode::FAILURE;
        }
    };
    say(&format!(
        "Digiparat is running at http://{} (database: {database})",
        app.addr()
    ));
    if let Some(password) = app.first_admin_password() {
        say(&format!(
            "First start: sign in at /login as \"admin\" with the one-time password {password} (you must change it)."
        ));
    }
    match app.run_until(startup::shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("digiparat stopped: {e}.");
            ExitCode::FAILURE
        }
    }
}

/// Prints a line for the person who started the server; a closed stdout (a pipe nobody
/// reads any more) must not bring the server down, as `println!` would.
fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
}

/// `digiparat seed-demo [--cases N] [--seed S]`: synthetic data for demonstrations.
async fn seed_demo(config: &Config, args: &[String]) -> ExitCode {
    let mut cases: usize = 1000;
    let mut seed_value: u64 = 1;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next();
        let parsed = match (flag.as_str(), value) {
            ("--cases", Some(v)) => v.parse().map(|n| cases = n).is_ok(),
            ("--seed", Some(v)) => v.parse().map(|n| seed_value = n).is_ok(),
            _ => false,
        };
        if !parsed {
            eprintln!(
                "usage: digiparat seed-demo [--cases N] [--seed S] ({flag} is not understood)."
            );
            return ExitCode::FAILURE;
        }
    }
    let repo = match db::connect(&config.database_url).await {
        Ok(repo) => repo,
        Err(e) => {
            eprintln!("digiparat cannot open the database: {e}.");
            return ExitCode::FAILURE;
        }
    };
    let started = std::time::Instant::now();
    match seed::seed_demo(repo.as_ref(), cases, seed_value).await {
        Ok(report) => {
            say(&format!(
                "Added {} demo cases with {} assessments in {:.1} s.",
                report.cases,
                report.assessments,
                started.elapsed().as_secs_f64()
            ));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("seed-demo stopped: {e}.");
            ExitCode::FAILURE
        }
    }
}
