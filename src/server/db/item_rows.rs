//! The item cube's side of `cube`: finished assessments' answers read row by row, joined
//! per assessment and counted (`domain::item_cube`), and the statement that adds counts.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use crate::domain::cube::month_of;
use crate::domain::item_cube::{ItemFact, ItemRows, ItemTally};

/// Finished assessments with their answers, one row per answer (an assessment whose answers
/// were erased has none, and leaves the item analysis); callers add the conditions and the
/// order by `a.id`.
pub(crate) const ITEM_FROM: &str = "SELECT a.id AS id, a.finished_at AS finished_at, \
     a.team_id AS team_id, a.age_band AS age_band, a.mode AS mode, a.language AS language, \
     r.record_key AS record_key, an.item AS item, an.value AS value \
     FROM assessments a JOIN results r ON r.assessment_id = a.id \
     JOIN answers an ON an.assessment_id = a.id";

/// Every finished assessment's answers, by assessment.
pub(crate) fn item_select_all() -> String {
    format!("{ITEM_FROM} WHERE a.finished_at IS NOT NULL ORDER BY a.id")
}

/// One row of `ITEM_FROM`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ItemRecord {
    id: i64,
    finished_at: OffsetDateTime,
    team_id: Option<i64>,
    age_band: Option<String>,
    mode: String,
    language: String,
    record_key: i64,
    item: String,
    value: String,
}

/// Joins the answer rows of one assessment (adjacent) and counts them into the item cube.
#[derive(Default)]
pub(crate) struct ItemFolder {
    current: Option<(ItemRecord, BTreeMap<String, serde_json::Value>)>,
    tally: ItemTally,
}

impl ItemFolder {
    pub(crate) fn push(&mut self, mut row: ItemRecord) {
        // Stored by this application as JSON; anything else counts as no answer.
        let value = serde_json::from_str(&row.value).unwrap_or(serde_json::Value::Null);
        let item = std::mem::take(&mut row.item);
        match self.current.as_mut() {
            Some((head, answers)) if head.id == row.id => {
                answers.insert(item, value);
            }
            _ => {
                self.count_current();
                self.current = Some((row, BTreeMap::from([(item, value)])));
            }
        }
    }

    fn count_current(&mut self) {
        if let Some((head, answers)) = self.current.take() {
            let month = month_of(head.finished_at);
            self.tally.add(&ItemFact {
                month: &month,
                team_id: head.team_id,
                age_band: head.age_band.as_deref(),
                mode: &head.mode,
                language: &head.language,
                record_key: head.record_key,
                answers: &answers,
            });
        }
    }

    pub(crate) fn finish(mut self) -> ItemRows {
        self.count_current();
        self.tally.rows()
    }
}

/// One entry of `ItemRows`: (series, quarter, quantity) and (total, key sum).
pub(crate) type ItemEntry<'a> = (&'a (String, String, String), &'a (i64, i64));

/// `INSERT ... ON CONFLICT DO UPDATE` adding to the item cube; binds series, quarter and
/// name of each row, numbers inline.
pub(crate) fn item_upsert_statement(chunk: &[ItemEntry<'_>]) -> String {
    let rows: Vec<String> = chunk
        .iter()
        .enumerate()
        .map(|(r, (_, (total, keys)))| {
            let b = r * 3;
            format!("(${}, ${}, ${}, {total}, {keys})", b + 1, b + 2, b + 3)
        })
        .collect();
    format!(
        "INSERT INTO stat_items (series, quarter, slot, total, key_sum) VALUES {} \
         ON CONFLICT (series, quarter, slot) DO UPDATE SET \
         total = stat_items.total + excluded.total, key_sum = stat_items.key_sum + excluded.key_sum",
        rows.join(", ")
    )
}

/// Item cube rows per upsert statement.
pub(crate) const ITEM_UPSERT_CHUNK: usize = 300;
