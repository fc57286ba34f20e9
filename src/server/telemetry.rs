//! Structured logs through `tracing`, filtered by the configured level. Every handler
//! and every repository call is a span (`#[tracing::instrument]`, level debug): with
//! `DIGIPARAT_LOG=digiparat=debug` each logs when it closes, with the time it was busy
//! and idle, nested under the request, so a slow request shows where its time went.

pub fn init(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // A second init (tests start many apps in one process) is harmless and ignored.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .try_init();
}
