//! `GET /healthz` and the storage watch. Health is reported as it is for writing, not only
//! for reading: 200 when the database answers, a small write commits, and (SQLite) the data
//! folder has at least the configured free space; 503 naming which check failed otherwise.
//!
//! The write probe is rate limited (at most one commit a second, shared by all callers);
//! the free-space check is a `statvfs` call, repeated every second by [`spawn_watch`]. While
//! the data folder is below its floor, form posts are refused with 503 before they reach the
//! database ([`pause_writes_when_disk_low`]), as a search engine's flood-stage watermark
//! does: a person is told at once that nothing was stored, instead of SQLite meeting a full
//! disk half-way through a transaction. Writing resumes by itself within a second of the
//! space coming back.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::server::db::{Backend, Repository};
use crate::server::state::AppState;

/// How often the write probe may commit, and the free space is looked at.
const PROBE_EVERY: Duration = Duration::from_secs(1);
/// How long a check may take before it counts as failed.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// The storage checks of one app instance.
pub struct Health {
    /// The folder the SQLite file is in; `None` for PostgreSQL (its disk is the server's).
    data_dir: Option<PathBuf>,
    /// Below this many free bytes the folder counts as full (0: never).
    floor_bytes: u64,
    disk_low: AtomicBool,
    last_write: tokio::sync::Mutex<Option<(Instant, Result<(), String>)>>,
}

/// Free space of the data folder, as last measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Disk {
    pub free_bytes: u64,
    pub floor_bytes: u64,
}

impl Disk {
    pub fn low(&self) -> bool {
        self.free_bytes < self.floor_bytes
    }
}

impl Health {
    pub fn new(data_dir: Option<PathBuf>, floor_bytes: u64) -> Health {
        Health {
            data_dir,
            floor_bytes,
            disk_low: AtomicBool::new(false),
            last_write: tokio::sync::Mutex::new(None),
        }
    }

    /// Whether the last look found the data folder below its floor.
    pub fn disk_low(&self) -> bool {
        self.disk_low.load(Ordering::Relaxed)
    }

    /// Measures the data folder's free space now (and remembers whether it is low).
    pub fn check_disk(&self) -> Result<Option<Disk>, String> {
        let Some(dir) = &self.data_dir else {
            return Ok(None);
        };
        let stat = rustix::fs::statvfs(dir)
            .map_err(|e| format!("cannot read the free space of {}: {e}", dir.display()))?;
        let disk = Disk {
            free_bytes: stat.f_bavail.saturating_mul(stat.f_frsize),
            floor_bytes: self.floor_bytes,
        };
        self.disk_low.store(disk.low(), Ordering::Relaxed);
        Ok(Some(disk))
    }

    /// Commits a small write, at most once per second; callers in between get the last
    /// result. Only one probe runs at a time.
    pub async fn check_write(&self, db: &dyn Repository) -> Result<(), String> {
        let mut last = self.last_write.lock().await;
        if let Some((at, result)) = last.as_ref()
            && at.elapsed() < PROBE_EVERY
        {
            return result.clone();
        }
        let result = match tokio::time::timeout(CHECK_TIMEOUT, db.probe_write()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!(
                "a write did not commit within {} seconds",
                CHECK_TIMEOUT.as_secs()
            )),
        };
        *last = Some((Instant::now(), result.clone()));
        result
    }
}

/// Looks at the data folder's free space every second while the app runs.
pub fn spawn_watch(health: Arc<Health>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut was_low = false;
        loop {
            match health.check_disk() {
                Ok(Some(disk)) if disk.low() != was_low => {
                    was_low = disk.low();
                    if was_low {
                        tracing::error!(
                            free_bytes = disk.free_bytes,
                            floor_bytes = disk.floor_bytes,
                            "the data folder is nearly full: form posts are refused until there is space"
                        );
                    } else {
                        tracing::warn!(
                            free_bytes = disk.free_bytes,
                            "the data folder has space again: writing resumes"
                        );
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "storage watch"),
            }
            tokio::time::sleep(PROBE_EVERY).await;
        }
    })
}

/// Refuses state-changing requests while the data folder is below its floor: 503 with
/// `Retry-After`, so nothing is half-written and the person knows nothing was stored.
pub async fn pause_writes_when_disk_low(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    // Form posts and the case endpoints of the integration API write; server functions
    // (`/api/…/load/…`, the language choice) and the scoring API only read or store
    // nothing, and go on working.
    let path = req.uri().path();
    let integration = path.starts_with("/api/v1/") && path != "/api/v1/score";
    let writes = !matches!(
        *req.method(),
        http::Method::GET | http::Method::HEAD | http::Method::OPTIONS
    ) && (!path.starts_with("/api/") || integration);
    if writes && state.health.disk_low() {
        tracing::warn!(path = %req.uri().path(), "refused a write: the data folder is nearly full");
        if integration {
            return crate::api::v1::error::ApiError::unavailable().into_response();
        }
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(http::header::RETRY_AFTER, "10")],
            Json(json!({"error": "The service cannot store anything right now: its disk is full. Try again in a moment."})),
        )
            .into_response();
    }
    next.run(req).await
}

pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let backend = match state.db.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let read = match tokio::time::timeout(CHECK_TIMEOUT, state.db.ping()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: database error");
            Err("The database does not answer. Check that it is running and reachable.".to_owned())
        }
        Err(_) => Err("The database did not answer within 3 seconds.".to_owned()),
    };
    let write = match &read {
        Ok(()) => state
            .health
            .check_write(state.db.as_ref())
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "health check: a write did not commit");
                format!("The database answers but cannot store a write: {e}")
            }),
        Err(_) => Err("not tried: the database does not answer".to_owned()),
    };
    let disk = state.health.check_disk();
    let mut checks = json!({
        "read": check_text(&read),
        "write": check_text(&write),
    });
    let disk_problem = match &disk {
        Ok(Some(d)) => {
            checks["disk"] = json!({
                "status": if d.low() { "low" } else { "ok" },
                "free_bytes": d.free_bytes,
                "floor_bytes": d.floor_bytes,
            });
            d.low().then(|| {
                format!(
                    "The data folder has {} MB free, below the floor of {} MB (DIGIPARAT_MIN_FREE_MB).",
                    d.free_bytes / 1_000_000,
                    d.floor_bytes / 1_000_000
                )
            })
        }
        Ok(None) => None,
        Err(e) => {
            checks["disk"] = json!({"status": e});
            Some(format!(
                "The free space of the data folder cannot be read: {e}"
            ))
        }
    };
    let write_problem = if read.is_ok() { write.err() } else { None };
    let problems: Vec<String> = [read.err(), write_problem, disk_problem]
        .into_iter()
        .flatten()
        .collect();
    if problems.is_empty() {
        (
            StatusCode::OK,
            Json(json!({"status": "ok", "database": backend, "checks": checks})),
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "unavailable",
                "database": backend,
                "checks": checks,
                "message": problems.join(" "),
            })),
        )
    }
}

fn check_text(result: &Result<(), String>) -> String {
    match result {
        Ok(()) => "ok".to_owned(),
        Err(e) => e.clone(),
    }
}
