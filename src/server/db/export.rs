//! Rows per assessment for analysts (`/dashboard/rows.csv`): streamed from a database cursor,
//! and the counts k-anonymity needs before the file is written.

use super::stats::{ExportProfile, ExportRow, Sender};
use super::{DbError, StatsFilter};
use async_trait::async_trait;

#[async_trait]
pub trait ExportStore {
    /// Sends every finished assessment under the filters to `out`, in chunks and in the
    /// order they were stored, until all are sent or `out` is closed. Memory stays flat.
    async fn export_rows(
        &self,
        f: &StatsFilter,
        out: Sender<Vec<ExportRow>>,
    ) -> Result<(), DbError>;
    /// What k-anonymity needs to know of a rows file before it is written: the number of
    /// rows per combination of quasi-identifiers (team id, age band, quarter, mode,
    /// language; `""` for none) and per reason or ground code (`kind:code`).
    async fn export_profile(&self, f: &StatsFilter) -> Result<ExportProfile, DbError>;
}

/// Implements `ExportStore` for a repository type with a `pool` of database `$db`.
macro_rules! impl_export_store {
    ($repo:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::server::db::ExportStore for $repo {
            #[tracing::instrument(level = "debug", skip_all)]
            async fn export_rows(
                &self,
                f: &$crate::server::db::StatsFilter,
                out: $crate::server::db::stats::Sender<Vec<$crate::server::db::stats::ExportRow>>,
            ) -> Result<(), $crate::server::db::DbError> {
                use $crate::server::db::stats::ExportRow;
                let backend = $crate::server::db::Repository::backend(self);
                let month = $crate::server::db::stats::finish_month(backend);
                let agg = if backend == $crate::server::db::Backend::Postgres { "string_agg" } else { "group_concat" };
                // Reason and ground codes in one subquery, `kind:code;...`, split by the reader.
                let mut q: sqlx::QueryBuilder<'_, $db> = sqlx::QueryBuilder::new(format!(
                    "SELECT a.case_id AS case_id, {month} AS month, a.team_id AS team_id, \
                     a.age_band AS age_band, a.mode AS mode, a.language AS language, \
                     r.channel AS channel, r.override_channel AS override_channel, \
                     r.borderline AS borderline, r.provisional AS provisional, \
                     CAST(r.score_access AS BIGINT) AS score_access, \
                     CAST(r.score_skills AS BIGINT) AS score_skills, \
                     CAST(r.score_motivation AS BIGINT) AS score_motivation, \
                     (SELECT {agg}(c.kind || ':' || c.code, ';' ORDER BY c.kind, c.code) \
                      FROM result_codes c WHERE c.assessment_id = a.id AND c.kind <> 'flag') AS codes \
                     FROM assessments a JOIN results r ON r.assessment_id = a.id"
                ));
                $crate::server::db::stats::push_filters!(q, f);
                q.push(" ORDER BY a.id");
                let mut conn = self.pool.acquire().await?;
                let rows = q.build_query_as::<ExportRow>().fetch(&mut *conn);
                $crate::server::db::stats::send_in_chunks(rows, &out).await
            }

            #[tracing::instrument(level = "debug", skip_all)]
            async fn export_profile(
                &self,
                f: &$crate::server::db::StatsFilter,
            ) -> Result<$crate::server::db::stats::ExportProfile, $crate::server::db::DbError> {
                let month = $crate::server::db::stats::finish_month($crate::server::db::Repository::backend(self));
                let mut q: sqlx::QueryBuilder<'_, $db> = sqlx::QueryBuilder::new(format!(
                    "SELECT COALESCE(CAST(a.team_id AS TEXT), ''), COALESCE(a.age_band, ''), {month}, \
                     a.mode, a.language, COUNT(*) FROM assessments a JOIN results r ON r.assessment_id = a.id"
                ));
                $crate::server::db::stats::push_filters!(q, f);
                q.push(format!(" GROUP BY a.team_id, a.age_band, {month}, a.mode, a.language"));
                let rows: Vec<(String, String, String, String, String, i64)> =
                    q.build_query_as().fetch_all(&self.pool).await?;
                let mut profile = $crate::server::db::stats::ExportProfile::default();
                for (team, band, month, mode, language, n) in rows {
                    let quarter = $crate::domain::disclosure::quarter_of_month(&month).unwrap_or(month);
                    *profile.combos.entry([team, band, quarter, mode, language]).or_default() +=
                        u64::try_from(n).unwrap_or(0);
                }
                let mut q: sqlx::QueryBuilder<'_, $db> = sqlx::QueryBuilder::new(
                    "SELECT c.kind || ':' || c.code, COUNT(DISTINCT a.id) FROM result_codes c \
                     JOIN assessments a ON a.id = c.assessment_id JOIN results r ON r.assessment_id = a.id",
                );
                $crate::server::db::stats::push_filters!(q, f);
                q.push(" AND c.kind IN ('reason', 'ground') GROUP BY c.kind, c.code");
                let rows: Vec<(String, i64)> = q.build_query_as().fetch_all(&self.pool).await?;
                for (code, n) in rows {
                    profile.codes.insert(code, u64::try_from(n).unwrap_or(0));
                }
                Ok(profile)
            }
        }
    };
}
pub(crate) use impl_export_store;
