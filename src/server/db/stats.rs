//! Aggregates for the manager dashboard and item page, read from the statistics cubes
//! (`domain::cube`, `domain::item_cube`), which every write keeps in its own transaction;
//! fresh counts from the stored results and answers check and rebuild them. Disclosure
//! control happens later, in the domain, on these exact counts.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::DbError;

/// The dashboard's filters; `None` means all. Periods are finished-at times, `until`
/// exclusive.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StatsFilter {
    pub team_id: Option<i64>,
    pub age_band: Option<String>,
    pub mode: Option<String>,
    pub language: Option<String>,
    pub from: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
}

/// Per-cell counts of the statistics cube (`domain::cube`).
pub type CubeCells =
    std::collections::BTreeMap<crate::domain::cube::CellKey, [i64; crate::domain::cube::WIDTH]>;

/// The cube's sums per series and month (`domain::cube::by_series`).
pub type SeriesCells =
    std::collections::BTreeMap<(String, String), [i64; crate::domain::cube::WIDTH]>;

/// One finished assessment for the analysts' export: no case reference, no note, the
/// finish time as a month; reason and exemption-ground codes as `kind:code;...`.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ExportRow {
    pub case_id: Option<i64>,
    pub month: String,
    pub team_id: Option<i64>,
    pub age_band: Option<String>,
    pub mode: String,
    pub language: String,
    pub channel: String,
    pub override_channel: Option<String>,
    pub borderline: bool,
    pub provisional: bool,
    pub score_access: Option<i64>,
    pub score_skills: Option<i64>,
    pub score_motivation: Option<i64>,
    pub codes: Option<String>,
}

impl ExportRow {
    /// The row's codes of one kind (`reason` or `ground`), `;`-separated.
    pub fn codes_of(&self, kind: &str) -> String {
        self.codes
            .as_deref()
            .unwrap_or("")
            .split(';')
            .filter_map(|c| c.split_once(':'))
            .filter(|(k, _)| *k == kind)
            .map(|(_, code)| code)
            .collect::<Vec<_>>()
            .join(";")
    }
}

/// Rows per quasi-identifier combination and per code, for `domain::anonymity`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExportProfile {
    pub combos: std::collections::BTreeMap<crate::domain::anonymity::Combo, u64>,
    pub codes: std::collections::BTreeMap<String, u64>,
}

/// Rows per message from a database cursor.
pub(crate) const EXPORT_CHUNK: usize = 1024;

pub use tokio::sync::mpsc::Sender;

/// Sends a cursor's rows to `out` in chunks of `EXPORT_CHUNK`; stops early, without an
/// error, when the receiver is gone.
pub(crate) async fn send_in_chunks<T, S>(mut rows: S, out: &Sender<Vec<T>>) -> Result<(), DbError>
where
    S: futures_util::Stream<Item = Result<T, sqlx::Error>> + Unpin,
{
    let mut chunk = Vec::with_capacity(EXPORT_CHUNK);
    while let Some(row) = futures_util::TryStreamExt::try_next(&mut rows).await? {
        chunk.push(row);
        if chunk.len() == EXPORT_CHUNK {
            let full = std::mem::replace(&mut chunk, Vec::with_capacity(EXPORT_CHUNK));
            if out.send(full).await.is_err() {
                return Ok(());
            }
        }
    }
    if !chunk.is_empty() {
        let _ = out.send(chunk).await;
    }
    Ok(())
}

/// `YYYY-MM` of an assessment's finish time (`a.finished_at`) in UTC, in the backend's SQL.
pub(crate) fn finish_month(backend: super::Backend) -> &'static str {
    match backend {
        super::Backend::Postgres => "to_char(a.finished_at AT TIME ZONE 'UTC', 'YYYY-MM')",
        // Stored as RFC 3339 text in UTC.
        super::Backend::Sqlite => "substr(a.finished_at, 1, 7)",
    }
}

#[async_trait]
pub trait StatsStore {
    /// Every count and key sum of one series (`domain::disclosure::series_of`), per month,
    /// for every month before `until` (the start of a period is left out: published
    /// figures look back to the last occupied quarter before it, `domain::disclosure`).
    async fn cube_series(
        &self,
        series: &str,
        until: Option<OffsetDateTime>,
    ) -> Result<Vec<(String, [i64; crate::domain::cube::WIDTH])>, DbError>;
    /// The sums by series as stored, rows with nothing left out.
    async fn stored_series(&self) -> Result<SeriesCells, DbError>;
    /// The installation's secret for disclosure control, made on first use.
    async fn disclosure_secret(&self) -> Result<crate::domain::disclosure::Secret, DbError>;
    /// The cube as stored, cells with nothing left out.
    async fn stored_cube(&self) -> Result<CubeCells, DbError>;
    /// The cube counted again from every stored result, without writing it.
    async fn counted_cube(&self) -> Result<CubeCells, DbError>;
    /// Replaces the cube by a fresh count, with writers held off; returns the cells.
    async fn rebuild_cube(&self) -> Result<usize, DbError>;
    /// Rebuilds the cube when it is empty but results exist (a database from before it).
    async fn backfill_cube(&self) -> Result<(), DbError>;
    /// The item cube of one series (`domain::item_cube`), every quarter up to `until`
    /// (`YYYY-Qn`, inclusive; all when `None`), as (quarter, quantity, total, key sum).
    async fn item_series(
        &self,
        series: &str,
        until: Option<&str>,
    ) -> Result<Vec<(String, String, i64, i64)>, DbError>;
    /// The item cube as stored, zero entries left out.
    async fn stored_items(&self) -> Result<crate::domain::item_cube::ItemRows, DbError>;
    /// The item cube counted again from every stored answer, without writing it.
    async fn counted_items(&self) -> Result<crate::domain::item_cube::ItemRows, DbError>;
    /// The teams, for the filter (names of teams are not personal data).
    async fn stats_teams(&self) -> Result<Vec<(i64, String)>, DbError>;
}

/// Adds the filter's conditions. On the cube's cells (`cube`), the period's ends are month
/// starts (as `parse_filters` makes them), so whole months answer them exactly; on `a`
/// (finished assessments, `assessments`), they compare finish times.
macro_rules! push_filters {
    ($q:expr, $f:expr) => {
        $crate::server::db::stats::push_filters!($q, $f, assessments)
    };
    ($q:expr, $f:expr, $on:ident) => {{
        let f: &$crate::server::db::StatsFilter = $f;
        let cube = stringify!($on) == "cube";
        let column = |name: &str| {
            if cube {
                format!(" AND {name} = ")
            } else {
                format!(" AND a.{name} = ")
            }
        };
        $q.push(if cube {
            " WHERE 1 = 1"
        } else {
            " WHERE a.finished_at IS NOT NULL"
        });
        if let Some(team) = f.team_id {
            $q.push(column("team_id")).push_bind(team);
        }
        for (name, value) in [
            ("age_band", &f.age_band),
            ("mode", &f.mode),
            ("language", &f.language),
        ] {
            if let Some(value) = value {
                $q.push(column(name)).push_bind(value.clone());
            }
        }
        for (bound, op) in [(f.from, ">="), (f.until, "<")] {
            if let Some(t) = bound {
                if cube {
                    $q.push(format!(" AND month {op} "))
                        .push_bind($crate::domain::cube::month_of(t));
                } else {
                    $q.push(format!(" AND a.finished_at {op} ")).push_bind(t);
                }
            }
        }
    }};
}
pub(crate) use push_filters;

/// Implements `StatsStore`; `$lock` is the backend's statement that holds off writers
/// of the cube until the transaction ends.
macro_rules! impl_stats_store {
    ($repo:ty, $db:ty, $lock:literal) => {
        #[async_trait::async_trait]
        impl $crate::server::db::StatsStore for $repo {
            #[tracing::instrument(level = "debug", skip_all)]
            async fn cube_series(
                &self,
                series: &str,
                until: Option<time::OffsetDateTime>,
            ) -> Result<Vec<(String, [i64; $crate::domain::cube::WIDTH])>, $crate::server::db::DbError> {
                let mut q: sqlx::QueryBuilder<'_, $db> = sqlx::QueryBuilder::new(format!(
                    "SELECT month, {} FROM stat_series WHERE series = ",
                    $crate::domain::cube::slot_names().join(", ")
                ));
                q.push_bind(series.to_owned());
                if let Some(until) = until {
                    q.push(" AND month < ").push_bind($crate::domain::cube::month_of(until));
                }
                q.push(" ORDER BY month");
                let rows = q.build().fetch_all(&self.pool).await?;
                let mut out = Vec::with_capacity(rows.len());
                for row in rows {
                    use sqlx::Row;
                    let mut values = [0i64; $crate::domain::cube::WIDTH];
                    for (i, v) in values.iter_mut().enumerate() {
                        *v = row.try_get(1 + i)?;
                    }
                    out.push((row.try_get(0)?, values));
                }
                Ok(out)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn stored_series(&self) -> Result<$crate::server::db::stats::SeriesCells, $crate::server::db::DbError> {
                let sql = format!(
                    "SELECT series, month, {} FROM stat_series",
                    $crate::domain::cube::slot_names().join(", ")
                );
                let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
                let mut out = $crate::server::db::stats::SeriesCells::new();
                for row in rows {
                    use sqlx::Row;
                    let mut values = [0i64; $crate::domain::cube::WIDTH];
                    for (i, v) in values.iter_mut().enumerate() {
                        *v = row.try_get(2 + i)?;
                    }
                    if values.iter().any(|n| *n != 0) {
                        out.insert((row.try_get(0)?, row.try_get(1)?), values);
                    }
                }
                Ok(out)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn disclosure_secret(&self) -> Result<$crate::domain::disclosure::Secret, $crate::server::db::DbError> {
                let fresh = $crate::domain::disclosure::Secret::new(rand::random()).to_hex();
                sqlx::query("INSERT INTO disclosure_secret (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING")
                    .bind(fresh)
                    .execute(&self.writer)
                    .await?;
                let stored: String = sqlx::query_scalar("SELECT secret FROM disclosure_secret WHERE id = 1")
                    .fetch_one(&self.pool)
                    .await?;
                $crate::domain::disclosure::Secret::from_hex(&stored)
                    .ok_or_else(|| $crate::server::db::DbError::Corrupt("the disclosure secret is not 64 hex digits".into()))
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn stored_cube(&self) -> Result<$crate::server::db::stats::CubeCells, $crate::server::db::DbError> {
                let sql = format!(
                    "SELECT month, team_id, age_band, mode, language, {} FROM stat_cube",
                    $crate::domain::cube::slot_names().join(", ")
                );
                let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
                let mut out = $crate::server::db::stats::CubeCells::new();
                for row in rows {
                    use sqlx::Row;
                    let cell = $crate::domain::cube::CellKey {
                        month: row.try_get(0)?,
                        team_id: row.try_get(1)?,
                        age_band: row.try_get(2)?,
                        mode: row.try_get(3)?,
                        language: row.try_get(4)?,
                    };
                    let mut counts = [0i64; $crate::domain::cube::WIDTH];
                    for (i, c) in counts.iter_mut().enumerate() {
                        *c = row.try_get(5 + i)?;
                    }
                    if counts.iter().any(|n| *n != 0) {
                        out.insert(cell, counts);
                    }
                }
                Ok(out)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn counted_cube(&self) -> Result<$crate::server::db::stats::CubeCells, $crate::server::db::DbError> {
                let mut conn = self.pool.acquire().await?;
                let sql = $crate::server::db::cube::fact_select_all();
                let mut rows = sqlx::query_as::<_, $crate::server::db::cube::FactRecord>(&sql).fetch(&mut *conn);
                let mut folder = $crate::server::db::cube::RowFolder::default();
                while let Some(row) = futures_util::TryStreamExt::try_next(&mut rows).await? {
                    folder.push(row);
                }
                Ok(folder.finish())
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn rebuild_cube(&self) -> Result<usize, $crate::server::db::DbError> {
                let mut tx = self.writer.begin().await?;
                sqlx::query($lock).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM stat_cube").execute(&mut *tx).await?;
                let sql = $crate::server::db::cube::fact_select_all();
                let mut folder = $crate::server::db::cube::RowFolder::default();
                {
                    let mut rows = sqlx::query_as::<_, $crate::server::db::cube::FactRecord>(&sql).fetch(&mut *tx);
                    while let Some(row) = futures_util::TryStreamExt::try_next(&mut rows).await? {
                        folder.push(row);
                    }
                }
                sqlx::query("DELETE FROM stat_series").execute(&mut *tx).await?;
                sqlx::query("DELETE FROM stat_items").execute(&mut *tx).await?;
                let sql = $crate::server::db::cube::item_select_all();
                let mut items = $crate::server::db::cube::ItemFolder::default();
                {
                    let mut rows = sqlx::query_as::<_, $crate::server::db::cube::ItemRecord>(&sql).fetch(&mut *tx);
                    while let Some(row) = futures_util::TryStreamExt::try_next(&mut rows).await? {
                        items.push(row);
                    }
                }
                let counted = $crate::server::db::cube::Counted {
                    cells: folder.finish(),
                    items: items.finish(),
                };
                $crate::server::db::cube::cube_apply!(&mut tx, &counted);
                tx.commit().await?;
                Ok(counted.cells.len())
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn backfill_cube(&self) -> Result<(), $crate::server::db::DbError> {
                let count = |sql: &'static str| async move {
                    sqlx::query_scalar::<_, i64>(sql).fetch_one(&self.pool).await
                };
                let cells = count("SELECT COUNT(*) FROM (SELECT 1 FROM stat_cube LIMIT 1) x").await?;
                let series = count("SELECT COUNT(*) FROM (SELECT 1 FROM stat_series LIMIT 1) x").await?;
                let items = count("SELECT COUNT(*) FROM (SELECT 1 FROM stat_items LIMIT 1) x").await?;
                let results = count("SELECT COUNT(*) FROM (SELECT 1 FROM results LIMIT 1) x").await?;
                let answered = count(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM results r \
                     JOIN answers an ON an.assessment_id = r.assessment_id LIMIT 1) x",
                )
                .await?;
                if (cells == 0 && results > 0) || (series == 0 && results > 0) || (items == 0 && answered > 0) {
                    let n = self.rebuild_cube().await?;
                    tracing::info!(cells = n, "statistics cube counted from the stored results");
                }
                Ok(())
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn item_series(
                &self,
                series: &str,
                until: Option<&str>,
            ) -> Result<Vec<(String, String, i64, i64)>, $crate::server::db::DbError> {
                let mut q: sqlx::QueryBuilder<'_, $db> = sqlx::QueryBuilder::new(
                    "SELECT quarter, slot, total, key_sum FROM stat_items WHERE series = ",
                );
                q.push_bind(series.to_owned());
                if let Some(until) = until {
                    q.push(" AND quarter <= ").push_bind(until.to_owned());
                }
                Ok(q.build_query_as().fetch_all(&self.pool).await?)
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn stored_items(&self) -> Result<$crate::domain::item_cube::ItemRows, $crate::server::db::DbError> {
                let rows: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
                    "SELECT series, quarter, slot, total, key_sum FROM stat_items \
                     WHERE total <> 0 OR key_sum <> 0",
                )
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(series, quarter, slot, total, keys)| ((series, quarter, slot), (total, keys)))
                    .collect())
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn counted_items(&self) -> Result<$crate::domain::item_cube::ItemRows, $crate::server::db::DbError> {
                let mut conn = self.pool.acquire().await?;
                let sql = $crate::server::db::cube::item_select_all();
                let mut rows = sqlx::query_as::<_, $crate::server::db::cube::ItemRecord>(&sql).fetch(&mut *conn);
                let mut folder = $crate::server::db::cube::ItemFolder::default();
                while let Some(row) = futures_util::TryStreamExt::try_next(&mut rows).await? {
                    folder.push(row);
                }
                Ok(folder.finish())
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn stats_teams(&self) -> Result<Vec<(i64, String)>, $crate::server::db::DbError> {
                Ok(sqlx::query_as("SELECT id, name FROM teams ORDER BY name")
                    .fetch_all(&self.pool)
                    .await?)
            }
        }
    };
}
pub(crate) use impl_stats_store;

/// The reason, exemption-ground and flag codes of an outcome, as stored beside the result
/// so that statistics count them without reading every outcome.
pub fn outcome_codes(outcome: &serde_json::Value) -> Vec<(&'static str, String)> {
    let mut codes = Vec::new();
    for (kind, field) in [
        ("reason", "reasons"),
        ("ground", "exemption_grounds"),
        ("flag", "flags"),
    ] {
        if let Some(list) = outcome.get(field).and_then(|v| v.as_array()) {
            for code in list.iter().filter_map(|v| v.as_str()) {
                if !codes
                    .iter()
                    .any(|(k, c): &(&str, String)| *k == kind && c == code)
                {
                    codes.push((kind, code.to_owned()));
                }
            }
        }
    }
    codes
}
