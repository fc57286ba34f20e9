//! SQLite: the embedded default. One file, WAL journal so readers never block the writer,
//! foreign keys on, and a busy timeout so concurrent writers queue instead of failing.
//!
//! A failed write must never leave a pooled connection inside a transaction. SQLite rolls a
//! transaction back by itself on some errors (`SQLITE_FULL`, `SQLITE_IOERR`, …); sqlx 0.8.6's
//! `ROLLBACK` then fails ("no transaction is active") and the driver keeps counting one open
//! transaction. Its next `begin()` issues a `SAVEPOINT` (which SQLite treats as `BEGIN`), and
//! a later `ROLLBACK TO` leaves that transaction open: every autocommit write on the
//! connection afterwards goes into a transaction that is never committed and vanishes when
//! the connection closes, while each write reports success (reproduced in
//! `tests/it/durability.rs`). The same class of bug is launchbadge/sqlx#2099 / #3430 (errors
//! of a statement's final step discarded). [`pool_options`] therefore checks every connection
//! when it is released and closes any whose state is not a clean autocommit.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, Executor};

use super::accounts::{impl_account_store, select_user};
use super::cases::impl_case_store;
use super::direct::Direct;
use super::export::impl_export_store;
use super::help::impl_help_store;
use super::invites::impl_invite_store;
use super::queries::{
    finish_in, impl_repository, insert_assessment, select_answers, select_assessment,
    store_answers, upsert_answer,
};
use super::retention::impl_retention_store;
use super::seed::impl_seed_store;
use super::stats::impl_stats_store;
use super::tokens::impl_token_store;
use super::{Backend, DbError};

pub struct SqliteRepository {
    pub(crate) pool: SqlitePool,
    /// Every write (a transaction or a single statement) takes this pool's one connection,
    /// in turn (only the session store writes through `pool`): SQLite has one writer
    /// anyway, and a fair queue here answers a burst of saves in order, where writers
    /// racing for SQLite's lock wait in its busy handler's sleeps (1, 2, 5 … 100 ms) and
    /// the unlucky ones far longer (BENCHMARKS.md, answer saves).
    pub(crate) writer: SqlitePool,
    /// The folder of the database file, whose free space `/healthz` watches.
    storage_dir: Option<std::path::PathBuf>,
    /// The recipient's hot paths on this thread (`direct.rs`); none for a database in
    /// memory, which no second connection can open.
    direct: Option<Direct>,
}

impl SqliteRepository {
    pub async fn connect(url: &str) -> Result<SqliteRepository, DbError> {
        SqliteRepository::open(SqliteRepository::connect_options(url)?, pool_options()).await
    }

    /// The connection settings every SQLite connection of the app uses.
    pub fn connect_options(url: &str) -> Result<SqliteConnectOptions, DbError> {
        Ok(SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // Statistics read whole tables: map the file and keep 16 MB of pages per
            // connection instead of 2 MB, so reads stop going through syscalls.
            .pragma("mmap_size", "268435456")
            .pragma("cache_size", "-16384")
            // Rows cross from SQLite's thread in batches: with room for 1024 instead of 50,
            // a long read (the analysts' export) wakes the reader far less often.
            .row_buffer_size(1024))
    }

    /// Opens (creating the folder and file if needed) and migrates the database.
    pub async fn open(
        options: SqliteConnectOptions,
        pool: SqlitePoolOptions,
    ) -> Result<SqliteRepository, DbError> {
        let dir = match options.get_filename().parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => std::path::PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(|e| DbError::Sqlx(sqlx::Error::Io(e)))?;
        // An in-memory database has no folder to watch.
        let in_memory = options.get_filename().as_os_str().is_empty()
            || options.get_filename().to_string_lossy().starts_with(':');
        let writer_options = pool.clone().max_connections(1);
        let file = options.get_filename().to_owned();
        let pool = pool.connect_with(options.clone()).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        // An in-memory database exists once per connection: there the pools are one.
        let writer = if in_memory {
            pool.clone()
        } else {
            writer_options.connect_with(options).await?
        };
        let repo = SqliteRepository {
            pool,
            writer,
            storage_dir: (!in_memory).then_some(dir),
            direct: (!in_memory).then(|| Direct::new(file)),
        };
        super::StatsStore::backfill_cube(&repo).await?;
        Ok(repo)
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub(crate) fn direct(&self) -> Option<&Direct> {
        self.direct.as_ref()
    }

    /// None: saves go through the direct path (`direct.rs`).
    pub(crate) fn pg_saves(&self) -> Option<&super::pg_saves::PgSaves> {
        None
    }

    /// None: one instance, whose reads on the direct path take microseconds.
    pub(crate) fn pg_reads(&self) -> Option<&super::pg_reads::PgReads> {
        None
    }
}

/// The pool the app uses: at most 8 connections, and none goes back into the pool unless
/// both SQLite and the driver agree that it is outside any transaction.
pub fn pool_options() -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(3))
        // A file has no network to lose; the check on release below already proves each
        // connection sound, so a ping before every use would only cost a round trip.
        .test_before_acquire(false)
        .after_release(|conn, _meta| {
            Box::pin(async move {
                let clean = is_clean(conn).await;
                if !clean {
                    tracing::warn!(
                        "closing an SQLite connection left inside a transaction after a failed write"
                    );
                }
                Ok(clean)
            })
        })
}

/// True when the connection is in autocommit mode as far as SQLite knows (a plain `BEGIN`
/// is refused inside a transaction) and as far as the driver knows (its transaction depth
/// is 0). The probe runs after any rollback the driver queued, on the connection's worker.
/// Both statements go to the connection's worker thread in one round trip.
async fn is_clean(conn: &mut sqlx::SqliteConnection) -> bool {
    if conn.is_in_transaction() {
        return false;
    }
    conn.execute("BEGIN; ROLLBACK").await.is_ok() && !conn.is_in_transaction()
}

impl_repository!(SqliteRepository, Backend::Sqlite);
impl_account_store!(SqliteRepository, sqlx::Sqlite);
impl_case_store!(SqliteRepository, sqlx::Sqlite);
impl_export_store!(SqliteRepository, sqlx::Sqlite);
impl_help_store!(SqliteRepository, sqlx::Sqlite);
impl_token_store!(SqliteRepository, sqlx::Sqlite);
crate::server::db::identity::impl_identity_store!(SqliteRepository);
crate::server::db::calibration::impl_calibration_store!(SqliteRepository);
impl_invite_store!(SqliteRepository, sqlx::Sqlite);
impl_retention_store!(SqliteRepository, sqlx::Sqlite);
impl_seed_store!(SqliteRepository, sqlx::Sqlite);
// SQLite has one writer: the DELETE that starts a rebuild takes the write lock.
impl_stats_store!(SqliteRepository, sqlx::Sqlite, "SELECT 1");
