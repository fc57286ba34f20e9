//! Start-up: configuration → logging → database (migrated) → router → serve.

use std::process::ExitCode;

use digiparat::server::{config::Config, db, seed, startup, telemetry};

const USAGE: &str = "\
Digiparat: digital-readiness screening for Danish job centres.

usage:
  digiparat                          serve (settings from the environment, see README)
  digiparat seed-demo [--cases N] [--seed S]
                                     add synthetic demonstration data
  digiparat recount-stats [--check]  count the statistics again (or only compare)
  digiparat --help                   this text
";

/// mimalloc instead of glibc's allocator: rendering a page allocates many small strings
/// on two threads, and glibc's arenas spent a fifth of the request path (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    // Before reading the configuration: asking for help creates nothing and starts nothing.
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("-h" | "--help" | "help") => {
            say(USAGE.trim_end());
            return ExitCode::SUCCESS;
        }
        Some(other) if other.starts_with('-') => {
            eprintln!("digiparat: {other} is not an option; see digiparat --help.");
            return ExitCode::FAILURE;
        }
        Some(other) if !matches!(other, "seed-demo" | "recount-stats") => {
            eprintln!("digiparat: {other} is not a command; see digiparat --help.");
            return ExitCode::FAILURE;
        }
        _ => {}
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("digiparat cannot start: {e}.");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init(&config.log_level);
    match args.first().map(String::as_str) {
        Some("seed-demo") => return seed_demo(&config, &args[1..]).await,
        Some("recount-stats") => return recount_stats(&config, &args[1..]).await,
        _ => {}
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

/// The configured database, for a command; says why on stderr when it cannot be opened.
async fn open_database(config: &Config) -> Option<std::sync::Arc<dyn db::Repository>> {
    match db::connect(&config.database_url).await {
        Ok(repo) => Some(repo),
        Err(e) => {
            eprintln!("digiparat cannot open the database: {e}.");
            None
        }
    }
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
    let Some(repo) = open_database(config).await else {
        return ExitCode::FAILURE;
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

/// `digiparat recount-stats [--check]`: counts the statistics cube again from the stored
/// results (after a restore, or an upgrade where an older instance kept writing), or with
/// `--check` only compares it with a fresh count and fails when they differ.
async fn recount_stats(config: &Config, args: &[String]) -> ExitCode {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => {
            eprintln!(
                "usage: digiparat recount-stats [--check] ({} is not understood).",
                args.join(" ")
            );
            return ExitCode::FAILURE;
        }
    };
    let Some(repo) = open_database(config).await else {
        return ExitCode::FAILURE;
    };
    let started = std::time::Instant::now();
    if check {
        let compared = async {
            Ok::<_, db::DbError>((
                repo.stored_cube().await?,
                repo.counted_cube().await?,
                repo.stored_series().await?,
                repo.stored_items().await?,
                repo.counted_items().await?,
            ))
        };
        return match compared.await {
            Ok((stored, counted, stored_series, stored_items, counted_items))
                if stored == counted
                    && stored_series == digiparat::domain::cube::by_series(&counted)
                    && stored_items == counted_items =>
            {
                say(&format!(
                    "The statistics match a fresh count ({} cells, {} item figures).",
                    counted.len(),
                    counted_items.len()
                ));
                ExitCode::SUCCESS
            }
            Ok((stored, counted, stored_series, stored_items, counted_items)) => {
                let differ = differing(&stored, &counted)
                    + differing(
                        &stored_series,
                        &digiparat::domain::cube::by_series(&counted),
                    );
                let items_differ = differing(&stored_items, &counted_items);
                eprintln!(
                    "The statistics differ from a fresh count in {differ} cells and {items_differ} item figures; run digiparat recount-stats."
                );
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("recount-stats stopped: {e}.");
                ExitCode::FAILURE
            }
        };
    }
    match repo.rebuild_cube().await {
        Ok(cells) => {
            say(&format!(
                "Counted the statistics again: {cells} cells in {:.1} s.",
                started.elapsed().as_secs_f64()
            ));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("recount-stats stopped: {e}.");
            ExitCode::FAILURE
        }
    }
}

/// Entries that differ between two counts, on either side.
fn differing<K: Ord, V: PartialEq>(
    stored: &std::collections::BTreeMap<K, V>,
    counted: &std::collections::BTreeMap<K, V>,
) -> usize {
    counted
        .iter()
        .filter(|(k, v)| stored.get(*k) != Some(*v))
        .count()
        + stored.keys().filter(|k| !counted.contains_key(*k)).count()
}
