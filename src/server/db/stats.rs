//! Aggregates for the manager dashboard, counted by the database from the stored results
//! (never from case data): channels, scores, reason codes, months, channel movement and
//! answers per item, all under the same filters. Small-cell suppression happens later,
//! in the domain, on these exact counts.

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

/// Finished results grouped by computed channel, override, and the two marks.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultGroup {
    pub channel: String,
    pub override_channel: Option<String>,
    pub borderline: bool,
    pub provisional: bool,
    pub count: i64,
}

#[async_trait]
pub trait StatsStore {
    async fn result_groups(&self, f: &StatsFilter) -> Result<Vec<ResultGroup>, DbError>;
    /// `(dimension, score / 10 or None when not scored, count)`.
    async fn score_bins(&self, f: &StatsFilter)
    -> Result<Vec<(String, Option<i64>, i64)>, DbError>;
    /// `(kind, code, count)` of reasons, exemption grounds and flags. Reasons count only
    /// where they kept a person from self-service.
    async fn code_counts(&self, f: &StatsFilter) -> Result<Vec<(String, String, i64)>, DbError>;
    /// `(YYYY-MM, channel, count)`.
    async fn monthly_channels(
        &self,
        f: &StatsFilter,
    ) -> Result<Vec<(String, String, i64)>, DbError>;
    /// `(case, channel after override)` of finished assessments with a case, in time order.
    async fn case_channels(&self, f: &StatsFilter) -> Result<Vec<(i64, String)>, DbError>;
    /// `(assessment, mode, item, answer as JSON)` of finished assessments, by assessment.
    async fn item_answers(
        &self,
        f: &StatsFilter,
    ) -> Result<Vec<(i64, String, String, String)>, DbError>;
    /// The teams, for the filter (names of teams are not personal data).
    async fn stats_teams(&self) -> Result<Vec<(i64, String)>, DbError>;
}

/// Adds the filter's conditions, on `a` (assessments) joined with `r` (results).
macro_rules! push_filters {
    ($q:expr, $f:expr) => {{
        let f: &$crate::server::db::StatsFilter = $f;
        $q.push(" WHERE a.finished_at IS NOT NULL");
        if let Some(team) = f.team_id {
            $q.push(" AND a.team_id = ").push_bind(team);
        }
        if let Some(band) = &f.age_band {
            $q.push(" AND a.age_band = ").push_bind(band.clone());
        }
        if let Some(mode) = &f.mode {
            $q.push(" AND a.mode = ").push_bind(mode.clone());
        }
        if let Some(language) = &f.language {
            $q.push(" AND a.language = ").push_bind(language.clone());
        }
        if let Some(from) = f.from {
            $q.push(" AND a.finished_at >= ").push_bind(from);
        }
        if let Some(until) = f.until {
            $q.push(" AND a.finished_at < ").push_bind(until);
        }
    }};
}
pub(crate) use push_filters;

/// Implements `StatsStore`; `$month` is the backend's SQL for `YYYY-MM` of `a.finished_at`.
macro_rules! impl_stats_store {
    ($repo:ty, $db:ty, $month:literal) => {
        #[async_trait::async_trait]
        impl $crate::server::db::StatsStore for $repo {
            async fn result_groups(
                &self,
                f: &$crate::server::db::StatsFilter,
            ) -> Result<Vec<$crate::server::db::ResultGroup>, $crate::server::db::DbError> {
                let mut q: sqlx::QueryBuilder<'_, $db> = sqlx::QueryBuilder::new(
                    "SELECT r.channel, r.override_channel, r.borderline, r.provisional, COUNT(*) \
                     FROM results r JOIN assessments a ON a.id = r.assessment_id",
                );
                $crate::server::db::stats::push_filters!(q, f);
                q.push(" GROUP BY r.channel, r.override_channel, r.borderline, r.provisional");
                let rows: Vec<(String, Option<String>, bool, bool, i64)> =
                    q.build_query_as().fetch_all(&self.pool).await?;
                Ok(rows
                    .into_iter()
                    .map(|(channel, override_channel, borderline, provisional, count)| {
                        $crate::server::db::ResultGroup { channel, override_channel, borderline, provisional, count }
                    })
                    .collect())
            }

            async fn score_bins(
                &self,
                f: &$crate::server::db::StatsFilter,
            ) -> Result<Vec<(String, Option<i64>, i64)>, $crate::server::db::DbError> {
                let mut out = Vec::new();
                for (dimension, column) in [
                    ("access", "r.score_access"),
                    ("skills", "r.score_skills"),
                    ("motivation", "r.score_motivation"),
                ] {
                    let mut q: sqlx::QueryBuilder<'_, $db> = sqlx::QueryBuilder::new(format!(
                        "SELECT CAST({column} / 10 AS BIGINT), COUNT(*) FROM results r \
                         JOIN assessments a ON a.id = r.assessment_id"
                    ));
                    $crate::server::db::stats::push_filters!(q, f);
                    q.push(format!(" GROUP BY CAST({column} / 10 AS BIGINT)"));
                    let rows: Vec<(Option<i64>, i64)> = q.build_query_as().fetch_all(&self.pool).await?;
                    out.extend(rows.into_iter().map(|(bin, n)| (dimension.to_owned(), bin, n)));
                }
                Ok(out)
            }

            async fn code_counts(
                &self,
                f: &$crate::server::db::StatsFilter,
            ) -> Result<Vec<(String, String, i64)>, $crate::server::db::DbError> {
                let mut q: sqlx::QueryBuilder<'_, $db> = sqlx::QueryBuilder::new(
                    "SELECT c.kind, c.code, COUNT(*) FROM result_codes c \
                     JOIN results r ON r.assessment_id = c.assessment_id \
                     JOIN assessments a ON a.id = c.assessment_id",
                );
                $crate::server::db::stats::push_filters!(q, f);
                q.push(" AND (c.kind <> 'reason' OR r.channel <> 'self_service') GROUP BY c.kind, c.code");
                Ok(q.build_query_as().fetch_all(&self.pool).await?)
            }

            async fn monthly_channels(
                &self,
                f: &$crate::server::db::StatsFilter,
            ) -> Result<Vec<(String, String, i64)>, $crate::server::db::DbError> {
                let mut q: sqlx::QueryBuilder<'_, $db> = sqlx::QueryBuilder::new(concat!(
                    "SELECT ", $month, ", r.channel, COUNT(*) FROM results r \
                     JOIN assessments a ON a.id = r.assessment_id"
                ));
                $crate::server::db::stats::push_filters!(q, f);
                q.push(concat!(" GROUP BY ", $month, ", r.channel ORDER BY 1"));
                Ok(q.build_query_as().fetch_all(&self.pool).await?)
            }

            async fn case_channels(
                &self,
                f: &$crate::server::db::StatsFilter,
            ) -> Result<Vec<(i64, String)>, $crate::server::db::DbError> {
                let mut q: sqlx::QueryBuilder<'_, $db> = sqlx::QueryBuilder::new(
                    "SELECT a.case_id, COALESCE(r.override_channel, r.channel) FROM results r \
                     JOIN assessments a ON a.id = r.assessment_id",
                );
                $crate::server::db::stats::push_filters!(q, f);
                q.push(" AND a.case_id IS NOT NULL ORDER BY a.case_id, a.finished_at, a.id");
                Ok(q.build_query_as().fetch_all(&self.pool).await?)
            }

            async fn item_answers(
                &self,
                f: &$crate::server::db::StatsFilter,
            ) -> Result<Vec<(i64, String, String, String)>, $crate::server::db::DbError> {
                let mut q: sqlx::QueryBuilder<'_, $db> = sqlx::QueryBuilder::new(
                    "SELECT a.id, a.mode, an.item, an.value FROM answers an \
                     JOIN assessments a ON a.id = an.assessment_id",
                );
                $crate::server::db::stats::push_filters!(q, f);
                q.push(" ORDER BY a.id");
                Ok(q.build_query_as().fetch_all(&self.pool).await?)
            }

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
