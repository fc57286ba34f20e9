//! Demo data in bulk (`digiparat seed-demo`, benchmarks): whole synthetic cases written a
//! thousand at a time with multi-row inserts, their cube facts counted in the same
//! transaction.

use async_trait::async_trait;

use super::DbError;

/// One synthetic case with its finished assessments, for `seed_batch`.
#[derive(Clone, Debug)]
pub struct SeedCase {
    pub case: super::NewCase,
    pub assessments: Vec<SeedAssessment>,
}

#[derive(Clone, Debug)]
pub struct SeedAssessment {
    pub new: super::NewAssessment,
    pub answers: Vec<(String, serde_json::Value)>,
    pub by: super::AnsweredBy,
    /// Its `computed_at` is the finish time.
    pub result: super::StoredResult,
    /// The record key (`domain::disclosure`); a random one when `None`.
    pub record_key: Option<i64>,
}

/// Rows per multi-row insert: within both backends' limits on parameters.
pub(crate) const SEED_ROWS: usize = 2000;

#[async_trait]
pub trait SeedStore {
    /// Stores new cases with their finished assessments, answers, results and codes, and
    /// adds them to the cube, in one transaction with multi-row inserts (demo data).
    async fn seed_batch(&self, cases: &[SeedCase]) -> Result<(), DbError>;
}

/// Implements `SeedStore` for a repository type with a `pool` of database `$db`.
macro_rules! impl_seed_store {
    ($repo:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::server::db::SeedStore for $repo {
            #[tracing::instrument(level = "debug", skip_all)]
            async fn seed_batch(
                &self,
                cases: &[$crate::server::db::seed::SeedCase],
            ) -> Result<(), $crate::server::db::DbError> {
                use $crate::server::db::seed::SEED_ROWS;
                let postgres = $crate::server::db::Repository::backend(self) == $crate::server::db::Backend::Postgres;
                // SQLite: take the write lock first, so the ids read next stay free.
                let mut tx = if postgres {
                    self.writer.begin().await?
                } else {
                    self.writer.begin_with("BEGIN IMMEDIATE").await?
                };
                let n_assessments: usize = cases.iter().map(|c| c.assessments.len()).sum();
                let mut ids = Vec::new();
                for (table, n) in [("cases", cases.len()), ("assessments", n_assessments)] {
                    let reserved: Vec<i64> = if postgres {
                        sqlx::query_scalar(&format!(
                            "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, $1)"
                        ))
                        .bind(i64::try_from(n).unwrap_or(i64::MAX))
                        .fetch_all(&mut *tx)
                        .await?
                    } else {
                        let last: i64 = sqlx::query_scalar(&format!(
                            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0), \
                             COALESCE((SELECT MAX(id) FROM {table}), 0))"
                        ))
                        .fetch_one(&mut *tx)
                        .await?;
                        (1..=i64::try_from(n).unwrap_or(i64::MAX)).map(|i| last + i).collect()
                    };
                    ids.push(reserved);
                }
                let (case_ids, assessment_ids) = (&ids[0], &ids[1]);
                let overriding = if postgres { " OVERRIDING SYSTEM VALUE" } else { "" };
                let now = time::OffsetDateTime::now_utc();
                let case_rows: Vec<(i64, &$crate::server::db::NewCase)> =
                    case_ids.iter().copied().zip(cases.iter().map(|c| &c.case)).collect();
                for chunk in case_rows.chunks(SEED_ROWS) {
                    let mut q: sqlx::QueryBuilder<'_, $db> = sqlx::QueryBuilder::new(format!(
                        "INSERT INTO cases (id, reference, birth_year, team_id, caseworker_id, created_at, \
                         last_activity_at){overriding} "
                    ));
                    q.push_values(chunk, |mut b, (id, c)| {
                        b.push_bind(*id).push_bind(c.reference.clone()).push_bind(c.birth_year)
                            .push_bind(c.team_id).push_bind(c.caseworker_id).push_bind(now).push_bind(now);
                    });
                    q.build().execute(&mut *tx).await.map_err(|e| $crate::server::db::cases::unique_or(e, "a case with that reference"))?;
                }
                let mut flat = Vec::with_capacity(n_assessments);
                for (case_id, c) in case_ids.iter().zip(cases) {
                    for a in &c.assessments {
                        flat.push((*case_id, a));
                    }
                }
                let rows: Vec<(i64, i64, &$crate::server::db::seed::SeedAssessment)> = assessment_ids
                    .iter()
                    .zip(&flat)
                    .map(|(id, (case_id, a))| (*id, *case_id, *a))
                    .collect();
                let keys: std::collections::HashMap<i64, i64> = rows
                    .iter()
                    .map(|(id, _, a)| (*id, a.record_key.unwrap_or_else(|| i64::from(rand::random::<u32>()))))
                    .collect();
                for chunk in rows.chunks(SEED_ROWS) {
                    let mut q: sqlx::QueryBuilder<'_, $db> = sqlx::QueryBuilder::new(format!(
                        "INSERT INTO assessments (id, instrument, mode, language, started_at, finished_at, \
                         case_id, team_id, age_band){overriding} "
                    ));
                    q.push_values(chunk, |mut b, (id, case_id, a)| {
                        let done = a.result.computed_at;
                        b.push_bind(*id).push_bind(a.new.instrument.clone()).push_bind(a.new.mode)
                            .push_bind(a.new.language.clone()).push_bind(done - time::Duration::minutes(12))
                            .push_bind(done).push_bind(*case_id).push_bind(a.new.team_id)
                            .push_bind(a.new.age_band.clone());
                    });
                    q.build().execute(&mut *tx).await?;
                    let mut q: sqlx::QueryBuilder<'_, $db> = sqlx::QueryBuilder::new(
                        "INSERT INTO results (assessment_id, instrument, channel, rule, provisional, \
                         borderline, score_access, score_skills, score_motivation, outcome, computed_at, \
                         record_key, override_channel, override_reason, overridden_at, override_category) ",
                    );
                    q.push_values(chunk, |mut b, (id, _, a)| {
                        let r = &a.result;
                        let key = keys.get(id).copied().unwrap_or_default();
                        b.push_bind(*id).push_bind(r.instrument.clone()).push_bind(r.channel.clone())
                            .push_bind(r.rule).push_bind(r.provisional).push_bind(r.borderline)
                            .push_bind(r.score_access).push_bind(r.score_skills).push_bind(r.score_motivation)
                            .push_bind(r.outcome.to_string()).push_bind(r.computed_at).push_bind(key)
                            .push_bind(r.override_.as_ref().map(|o| o.channel.as_str()))
                            .push_bind(r.override_.as_ref().map(|o| o.reason.clone()))
                            .push_bind(r.override_.as_ref().map(|o| o.at))
                            .push_bind(r.override_.as_ref().and_then(|o| o.category).map(|c| c.as_str()));
                    });
                    q.build().execute(&mut *tx).await?;
                }
                let answers: Vec<(i64, &str, String, &'static str, time::OffsetDateTime)> = rows
                    .iter()
                    .flat_map(|(id, _, a)| {
                        a.answers.iter().map(move |(item, v)| {
                            (*id, item.as_str(), v.to_string(), a.by.as_str(), a.result.computed_at)
                        })
                    })
                    .collect();
                for chunk in answers.chunks(SEED_ROWS) {
                    let mut q: sqlx::QueryBuilder<'_, $db> = sqlx::QueryBuilder::new(
                        "INSERT INTO answers (assessment_id, item, value, answered_by, answered_at) ",
                    );
                    q.push_values(chunk, |mut b, (id, item, value, by, at)| {
                        b.push_bind(*id).push_bind(item.to_string()).push_bind(value.clone())
                            .push_bind(*by).push_bind(*at);
                    });
                    q.build().execute(&mut *tx).await?;
                }
                let codes: Vec<(i64, &'static str, String)> = rows
                    .iter()
                    .flat_map(|(id, _, a)| {
                        $crate::server::db::stats::outcome_codes(&a.result.outcome)
                            .into_iter()
                            .map(move |(kind, code)| (*id, kind, code))
                    })
                    .collect();
                for chunk in codes.chunks(SEED_ROWS) {
                    let mut q: sqlx::QueryBuilder<'_, $db> =
                        sqlx::QueryBuilder::new("INSERT INTO result_codes (assessment_id, kind, code) ");
                    q.push_values(chunk, |mut b, (id, kind, code)| {
                        b.push_bind(*id).push_bind(*kind).push_bind(code.clone());
                    });
                    q.build().execute(&mut *tx).await?;
                }
                // Every case is new and whole in this batch: its facts are known here.
                let mut tally = $crate::domain::cube::Tally::default();
                for (id, case_id, a) in &rows {
                    let r = &a.result;
                    let (self_rating, observed_task) = $crate::domain::cube::answer_bands(|item| {
                        a.answers.iter().find(|(i, _)| i == item).and_then(|(_, v)| v.as_str())
                    });
                    tally.add(&$crate::domain::cube::FactRow {
                        id: *id,
                        case_id: Some(*case_id),
                        finished_at: r.computed_at,
                        team_id: a.new.team_id,
                        age_band: a.new.age_band.clone(),
                        mode: a.new.mode.as_str().to_owned(),
                        language: a.new.language.clone(),
                        channel: r.channel.clone(),
                        override_channel: r.override_.as_ref().map(|o| o.channel.as_str().to_owned()),
                        override_category: r
                            .override_
                            .as_ref()
                            .and_then(|o| o.category)
                            .map(|c| c.as_str().to_owned()),
                        rule: i64::from(r.rule),
                        borderline: r.borderline,
                        provisional: r.provisional,
                        scores: [r.score_access, r.score_skills, r.score_motivation].map(|s| s.map(i64::from)),
                        codes: $crate::server::db::stats::outcome_codes(&r.outcome)
                            .into_iter()
                            .map(|(k, c)| (k.to_owned(), c))
                            .collect(),
                        record_key: keys.get(id).copied().unwrap_or_default(),
                        self_rating,
                        observed_task,
                    });
                }
                let mut items = $crate::domain::item_cube::ItemTally::default();
                for (id, _, a) in &rows {
                    let answers: std::collections::BTreeMap<String, serde_json::Value> = a.answers.iter().cloned().collect();
                    if answers.is_empty() {
                        continue;
                    }
                    let month = $crate::domain::cube::month_of(a.result.computed_at);
                    items.add(&$crate::domain::item_cube::ItemFact {
                        month: &month,
                        team_id: a.new.team_id,
                        age_band: a.new.age_band.as_deref(),
                        mode: a.new.mode.as_str(),
                        language: &a.new.language,
                        record_key: keys.get(id).copied().unwrap_or_default(),
                        answers: &answers,
                    });
                }
                let counted = $crate::server::db::cube::Counted { cells: tally.finish(), items: items.rows() };
                $crate::server::db::cube::cube_apply!(&mut tx, &counted);
                tx.commit().await?;
                Ok(())
            }
        }
    };
}
pub(crate) use impl_seed_store;
