//! Login sessions live in the same database as everything else (tower-sessions' sqlx
//! stores), so several app instances behind one PostgreSQL share them.

use async_trait::async_trait;
use sqlx::{PgPool, SqlitePool};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

#[derive(Clone, Debug)]
pub enum Sessions {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl From<SqlitePool> for Sessions {
    fn from(pool: SqlitePool) -> Sessions {
        Sessions::Sqlite(SqliteStore::new(pool))
    }
}

impl From<PgPool> for Sessions {
    fn from(pool: PgPool) -> Sessions {
        Sessions::Postgres(PostgresStore::new(pool))
    }
}

impl Sessions {
    /// Creates the session table if it is missing (the store's own schema).
    pub async fn migrate(&self) -> sqlx::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.migrate().await,
            Sessions::Postgres(s) => s.migrate().await,
        }
    }
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.create(record).await,
            Sessions::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.save(record).await,
            Sessions::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Sessions::Sqlite(s) => s.load(id).await,
            Sessions::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Sessions::Sqlite(s) => s.delete(id).await,
            Sessions::Postgres(s) => s.delete(id).await,
        }
    }
}
