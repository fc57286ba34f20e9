//! PostgreSQL: for deployments with several app instances sharing one database.
//! Short acquire timeouts so a database outage shows up as a 503 quickly, not a hang.

use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};

use super::accounts::{impl_account_store, select_user};
use super::cases::impl_case_store;
use super::export::impl_export_store;
use super::help::impl_help_store;
use super::invites::impl_invite_store;
use super::pg_reads::PgReads;
use super::pg_saves::PgSaves;
use super::queries::{
    finish_in, impl_repository, insert_assessment, select_answers, select_assessment,
    store_answers, upsert_answer,
};
use super::retention::impl_retention_store;
use super::seed::impl_seed_store;
use super::stats::impl_stats_store;
use super::tokens::impl_token_store;
use super::{Backend, DbError};

pub struct PgRepository {
    pub(crate) pool: PgPool,
    /// The same pool: PostgreSQL locks rows, so writers need no queue of their own.
    pub(crate) writer: PgPool,
    /// Always `None`: the database's disk is the server's, watched by its own operators.
    storage_dir: Option<std::path::PathBuf>,
    /// Recipients' answer saves, committed in groups.
    saves: PgSaves,
    /// Recipients' open assessments kept while known to be current.
    reads: std::sync::Arc<PgReads>,
}

impl PgRepository {
    pub async fn connect(url: &str) -> Result<PgRepository, DbError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(3))
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        let repo = PgRepository {
            writer: pool.clone(),
            saves: PgSaves::new(pool.clone()),
            reads: PgReads::start(&pool).await,
            pool,
            storage_dir: None,
        };
        super::StatsStore::backfill_cube(&repo).await?;
        Ok(repo)
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// None: the direct path is SQLite's (`direct.rs`).
    pub(crate) fn direct(&self) -> Option<&super::direct::Direct> {
        None
    }

    /// Answer saves in groups (`pg_saves.rs`).
    pub(crate) fn pg_saves(&self) -> Option<&PgSaves> {
        Some(&self.saves)
    }

    /// Open assessments kept in memory (`pg_reads.rs`).
    pub(crate) fn pg_reads(&self) -> Option<&PgReads> {
        Some(&self.reads)
    }
}

impl_repository!(PgRepository, Backend::Postgres);
impl_account_store!(PgRepository, sqlx::Postgres);
impl_case_store!(PgRepository, sqlx::Postgres);
impl_export_store!(PgRepository, sqlx::Postgres);
impl_help_store!(PgRepository, sqlx::Postgres);
impl_token_store!(PgRepository, sqlx::Postgres);
crate::server::db::identity::impl_identity_store!(PgRepository);
crate::server::db::calibration::impl_calibration_store!(PgRepository);
impl_invite_store!(PgRepository, sqlx::Postgres);
impl_retention_store!(PgRepository, sqlx::Postgres);
impl_seed_store!(PgRepository, sqlx::Postgres);
impl_stats_store!(
    PgRepository,
    sqlx::Postgres,
    "LOCK TABLE stat_cube IN EXCLUSIVE MODE"
);
