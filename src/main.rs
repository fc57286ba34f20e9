//! Start-up: configuration → logging → database (migrated) → router → serve.

use std::process::ExitCode;

use digiparat::server::{config::Config, startup, telemetry};

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
