//! SQLite: the embedded default. One file, WAL journal so readers never block the writer,
//! foreign keys on, and a busy timeout so concurrent writers queue instead of failing.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::cases::impl_case_store;
use super::queries::{
    finish_in, impl_repository, insert_assessment, select_assessment, select_user, upsert_answer,
};
use super::stats::impl_stats_store;
use super::{Backend, DbError};

pub struct SqliteRepository {
    pub(crate) pool: SqlitePool,
}

impl SqliteRepository {
    pub async fn connect(url: &str) -> Result<SqliteRepository, DbError> {
        let options = SqliteConnectOptions::from_str(url)?
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
            .row_buffer_size(1024);
        if let Some(dir) = options.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| DbError::Sqlx(sqlx::Error::Io(e)))?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(3))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let repo = SqliteRepository { pool };
        super::StatsStore::backfill_cube(&repo).await?;
        Ok(repo)
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

impl_repository!(SqliteRepository, Backend::Sqlite);
impl_case_store!(SqliteRepository, sqlx::Sqlite);
// SQLite has one writer: the DELETE that starts a rebuild takes the write lock.
impl_stats_store!(SqliteRepository, sqlx::Sqlite, "SELECT 1");
