//! Keeping the statistics cube (`domain::cube`) exact. Every write that changes a finished
//! result locks the case, counts the facts of the assessments it touches (the whole case,
//! for movement) before and after the change, and adds the difference to `stat_cube`, all
//! in the write's own transaction. The same counting over every row rebuilds the cube.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use crate::domain::cube::{CellKey, FactRow, Tally, WIDTH, slot_names};
use crate::domain::item_cube::{self, ItemRows};

pub(crate) use super::item_rows::*;

/// Assessments with their result, one row per reason or ground code (or one row without a
/// code); callers add the conditions (finished assessments only) and the order.
pub(crate) const FACT_FROM: &str = "SELECT a.id AS id, a.case_id AS case_id, \
     a.finished_at AS finished_at, a.team_id AS team_id, a.age_band AS age_band, a.mode AS mode, \
     a.language AS language, r.channel AS channel, r.override_channel AS override_channel, \
     r.override_category AS override_category, CAST(r.rule AS BIGINT) AS rule, \
     r.borderline AS borderline, r.provisional AS provisional, \
     CAST(r.score_access AS BIGINT) AS score_access, CAST(r.score_skills AS BIGINT) AS score_skills, \
     CAST(r.score_motivation AS BIGINT) AS score_motivation, c.kind AS kind, c.code AS code, \
     r.record_key AS record_key, \
     (SELECT v.value FROM answers v WHERE v.assessment_id = a.id AND v.item = 'U1') AS u1, \
     (SELECT v.value FROM answers v WHERE v.assessment_id = a.id AND v.item = 'S3') AS s3, \
     (SELECT v.value FROM answers v WHERE v.assessment_id = a.id AND v.item = 'O1') AS o1 \
     FROM assessments a JOIN results r ON r.assessment_id = a.id \
     LEFT JOIN result_codes c ON c.assessment_id = a.id AND c.kind IN ('reason', 'ground')";

/// Every finished assessment, by id.
pub(crate) fn fact_select_all() -> String {
    format!("{FACT_FROM} WHERE a.finished_at IS NOT NULL ORDER BY a.id")
}

/// One row of `FACT_FROM`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct FactRecord {
    id: i64,
    case_id: Option<i64>,
    finished_at: OffsetDateTime,
    team_id: Option<i64>,
    age_band: Option<String>,
    mode: String,
    language: String,
    channel: String,
    override_channel: Option<String>,
    override_category: Option<String>,
    rule: i64,
    borderline: bool,
    provisional: bool,
    score_access: Option<i64>,
    score_skills: Option<i64>,
    score_motivation: Option<i64>,
    kind: Option<String>,
    code: Option<String>,
    record_key: i64,
    /// Answers as stored (JSON text), for the self-versus-observed bands.
    u1: Option<String>,
    s3: Option<String>,
    o1: Option<String>,
}

/// A stored single-code answer's code.
fn stored_code(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .and_then(|v| serde_json::from_str::<String>(v).ok())
}

/// Joins the rows of one assessment (adjacent, as the query orders them) back together.
#[derive(Default)]
pub(crate) struct RowJoiner {
    current: Option<FactRow>,
}

impl RowJoiner {
    /// Takes the next row; gives back the previous assessment when this one starts another.
    pub(crate) fn push(&mut self, t: FactRecord) -> Option<FactRow> {
        let code = t.kind.zip(t.code);
        if let Some(row) = self.current.as_mut().filter(|r| r.id == t.id) {
            row.codes.extend(code);
            return None;
        }
        let (u1, s3, o1) = (stored_code(&t.u1), stored_code(&t.s3), stored_code(&t.o1));
        let (self_rating, observed_task) = crate::domain::cube::answer_bands(|item| match item {
            "U1" => u1.as_deref(),
            "S3" => s3.as_deref(),
            "O1" => o1.as_deref(),
            _ => None,
        });
        self.current.replace(FactRow {
            id: t.id,
            case_id: t.case_id,
            finished_at: t.finished_at,
            team_id: t.team_id,
            age_band: t.age_band,
            mode: t.mode,
            language: t.language,
            channel: t.channel,
            override_channel: t.override_channel,
            override_category: t.override_category,
            rule: t.rule,
            borderline: t.borderline,
            provisional: t.provisional,
            scores: [t.score_access, t.score_skills, t.score_motivation],
            codes: code.into_iter().collect(),
            record_key: t.record_key,
            self_rating,
            observed_task,
        })
    }

    /// The last assessment.
    pub(crate) fn take(&mut self) -> Option<FactRow> {
        self.current.take()
    }
}

/// Joins rows and counts them.
#[derive(Default)]
pub(crate) struct RowFolder {
    joiner: RowJoiner,
    tally: Tally,
}

impl RowFolder {
    pub(crate) fn push(&mut self, t: FactRecord) {
        if let Some(done) = self.joiner.push(t) {
            self.tally.add(&done);
        }
    }

    pub(crate) fn finish(mut self) -> BTreeMap<CellKey, [i64; WIDTH]> {
        if let Some(done) = self.joiner.take() {
            self.tally.add(&done);
        }
        self.tally.finish()
    }
}

/// Both cubes' contents for some assessments, or the change a write makes to them.
#[derive(Debug, Default)]
pub(crate) struct Counted {
    pub(crate) cells: BTreeMap<CellKey, [i64; WIDTH]>,
    pub(crate) items: ItemRows,
}

impl Counted {
    /// What turns `before` into `after`.
    pub(crate) fn change(before: &Counted, after: &Counted) -> Counted {
        Counted {
            cells: crate::domain::cube::difference(&before.cells, &after.cells),
            items: item_cube::difference(&before.items, &after.items),
        }
    }
}

/// `INSERT ... ON CONFLICT DO UPDATE` adding rows of counts (each a parenthesised list of
/// its key columns' values, then the counts) to `table`, keyed by `keys`.
fn additive_upsert(table: &str, keys: &[&str], rows: &[String]) -> String {
    let names = slot_names();
    let sets: Vec<String> = names
        .iter()
        .map(|n| format!("{n} = {table}.{n} + excluded.{n}"))
        .collect();
    format!(
        "INSERT INTO {table} ({}, {}) VALUES {} ON CONFLICT ({}) DO UPDATE SET {}",
        keys.join(", "),
        names.join(", "),
        rows.join(", "),
        keys.join(", "),
        sets.join(", ")
    )
}

fn numbers(counts: &[i64; WIDTH]) -> String {
    counts.iter().map(|n| format!(", {n}")).collect()
}

/// Adds each cell's counts to the cube. It binds the four text keys of each cell; team ids
/// and counts are numbers, written inline.
pub(crate) fn upsert_statement(chunk: &[(&CellKey, &[i64; WIDTH])]) -> String {
    let rows: Vec<String> = chunk
        .iter()
        .enumerate()
        .map(|(r, (cell, counts))| {
            let b = r * 4;
            format!(
                "(${}, {}, ${}, ${}, ${}{})",
                b + 1,
                cell.team_id,
                b + 2,
                b + 3,
                b + 4,
                numbers(counts)
            )
        })
        .collect();
    additive_upsert(
        "stat_cube",
        &["month", "team_id", "age_band", "mode", "language"],
        &rows,
    )
}

/// Adds sums per series and month to `stat_series`, binding series and month.
pub(crate) fn series_upsert_statement(chunk: &[(&(String, String), &[i64; WIDTH])]) -> String {
    let rows: Vec<String> = chunk
        .iter()
        .enumerate()
        .map(|(r, (_, counts))| format!("(${}, ${}{})", 2 * r + 1, 2 * r + 2, numbers(counts)))
        .collect();
    additive_upsert("stat_series", &["series", "month"], &rows)
}

/// Cells per upsert statement.
pub(crate) const UPSERT_CHUNK: usize = 100;

/// Counts the facts and answers of the given assessments into a `Counted` (`$tx` is
/// `&mut Transaction`).
macro_rules! cube_tally {
    ($tx:expr, $ids:expr) => {{
        let ids: &[i64] = $ids;
        let mut folder = $crate::server::db::cube::RowFolder::default();
        let mut items = $crate::server::db::cube::ItemFolder::default();
        if !ids.is_empty() {
            let list: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
            let condition = format!(
                " WHERE a.finished_at IS NOT NULL AND a.id IN ({}) ORDER BY a.id",
                list.join(", ")
            );
            let sql = format!("{}{condition}", $crate::server::db::cube::FACT_FROM);
            let rows: Vec<$crate::server::db::cube::FactRecord> =
                sqlx::query_as(&sql).fetch_all(&mut **$tx).await?;
            for row in rows {
                folder.push(row);
            }
            let sql = format!("{}{condition}", $crate::server::db::cube::ITEM_FROM);
            let rows: Vec<$crate::server::db::cube::ItemRecord> =
                sqlx::query_as(&sql).fetch_all(&mut **$tx).await?;
            for row in rows {
                items.push(row);
            }
        }
        $crate::server::db::cube::Counted {
            cells: folder.finish(),
            items: items.finish(),
        }
    }};
}
pub(crate) use cube_tally;

/// Adds a `Counted` (a change, or a whole count) to the cube, its sums by series and the
/// item cube.
macro_rules! cube_apply {
    ($tx:expr, $delta:expr) => {{
        let delta: &$crate::server::db::cube::Counted = $delta;
        let cells: Vec<_> = delta.cells.iter().collect();
        for chunk in cells.chunks($crate::server::db::cube::UPSERT_CHUNK) {
            let sql = $crate::server::db::cube::upsert_statement(chunk);
            let mut q = sqlx::query(&sql);
            for (cell, _) in chunk {
                q = q
                    .bind(cell.month.clone())
                    .bind(cell.age_band.clone())
                    .bind(cell.mode.clone())
                    .bind(cell.language.clone());
            }
            q.execute(&mut **$tx).await?;
        }
        let series = $crate::domain::cube::by_series(&delta.cells);
        let sums: Vec<_> = series.iter().collect();
        for chunk in sums.chunks($crate::server::db::cube::UPSERT_CHUNK) {
            let sql = $crate::server::db::cube::series_upsert_statement(chunk);
            let mut q = sqlx::query(&sql);
            for ((series, month), _) in chunk {
                q = q.bind(series.clone()).bind(month.clone());
            }
            q.execute(&mut **$tx).await?;
        }
        let rows: Vec<_> = delta.items.iter().collect();
        for chunk in rows.chunks($crate::server::db::cube::ITEM_UPSERT_CHUNK) {
            let sql = $crate::server::db::cube::item_upsert_statement(chunk);
            let mut q = sqlx::query(&sql);
            for ((series, quarter, slot), _) in chunk {
                q = q
                    .bind(series.clone())
                    .bind(quarter.clone())
                    .bind(slot.clone());
            }
            q.execute(&mut **$tx).await?;
        }
    }};
}
pub(crate) use cube_apply;

/// The first half of `lock_assessment`: the row of the assessment's case.
pub(crate) const LOCK_CASE_OF: &str = "UPDATE cases SET last_activity_at = last_activity_at \
     WHERE id = (SELECT case_id FROM assessments WHERE id = $1)";
/// The second half: the assessment's row, giving its `finished_at`.
pub(crate) const LOCK_ASSESSMENT: &str =
    "UPDATE assessments SET note = note WHERE id = $1 RETURNING finished_at";

/// Locks the case of an assessment, then the assessment, in that order everywhere, so that
/// two writes to the same case or assessment count their difference one after the other;
/// says whether the assessment is finished (`None`: there is no such assessment).
macro_rules! lock_assessment {
    ($tx:expr, $id:expr) => {{
        let id: i64 = $id;
        sqlx::query($crate::server::db::cube::LOCK_CASE_OF)
            .bind(id)
            .execute(&mut **$tx)
            .await?;
        // Read to its end (`fetch_all`): a RETURNING statement must be stepped through.
        let finished: Vec<Option<time::OffsetDateTime>> =
            sqlx::query_scalar($crate::server::db::cube::LOCK_ASSESSMENT)
                .bind(id)
                .fetch_all(&mut **$tx)
                .await?;
        finished.first().map(|f| f.is_some())
    }};
}
pub(crate) use lock_assessment;

/// Locks as `lock_assessment` does and returns the ids whose facts the write can change:
/// the assessment and every assessment of its case.
macro_rules! cube_lock_assessment {
    ($tx:expr, $id:expr) => {{
        let id: i64 = $id;
        $crate::server::db::cube::lock_assessment!($tx, id);
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM assessments WHERE id = $1 \
             OR case_id = (SELECT case_id FROM assessments WHERE id = $1) ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut **$tx)
        .await?;
        ids
    }};
}
pub(crate) use cube_lock_assessment;

/// Locks a case and returns the ids of its assessments.
macro_rules! cube_lock_case {
    ($tx:expr, $case:expr) => {{
        let case: i64 = $case;
        sqlx::query("UPDATE cases SET last_activity_at = last_activity_at WHERE id = $1")
            .bind(case)
            .execute(&mut **$tx)
            .await?;
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM assessments WHERE case_id = $1 ORDER BY id")
                .bind(case)
                .fetch_all(&mut **$tx)
                .await?;
        ids
    }};
}
pub(crate) use cube_lock_case;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upsert_has_every_slot_and_inline_numbers() {
        let cell = CellKey {
            month: "2026-01".into(),
            team_id: 7,
            age_band: String::new(),
            mode: "self".into(),
            language: "da".into(),
        };
        let mut counts = [0i64; WIDTH];
        counts[0] = -1;
        counts[WIDTH - 1] = 2;
        let sql = upsert_statement(&[(&cell, &counts), (&cell, &counts)]);
        assert!(sql.contains("($1, 7, $2, $3, $4, -1, 0"), "{sql}");
        assert!(sql.contains("($5, 7, $6, $7, $8, -1"), "{sql}");
        assert!(sql.contains(", 2), ($5"), "{sql}");
        assert!(!sql.contains('{'), "{sql}");
        assert_eq!(sql.matches(" = stat_cube.").count(), WIDTH);
    }
}
