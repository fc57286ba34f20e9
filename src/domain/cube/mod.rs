//! The statistics cube: every count the dashboard shows, kept per cell of its filters
//! (month, team, age band, mode, language) so a page reads a few thousand rows instead
//! of every result. A finished assessment adds one to the slots it belongs in; a case
//! with two or more finished assessments adds one movement slot (channel after override
//! at its first and at its latest assessment) in the cell of its latest assessment.
//!
//! The database keeps the cube up to date in the same transaction as every write that
//! changes a result (the difference of `Tally` before and after), and can count it again
//! from scratch with the same `Tally`; tests prove the two agree.

use std::collections::{BTreeMap, HashMap};

use time::OffsetDateTime;

use super::{Channel, Dimension, ExemptionGround, OverrideReason, ReasonCode, disclosure};

/// Computed channel, by `Channel::ALL` index.
pub const COMPUTED: usize = 0;
/// Channel after a caseworker's override (the computed one when there is none).
pub const AFTER: usize = COMPUTED + 3;
pub const BORDERLINE: usize = AFTER + 3;
pub const PROVISIONAL: usize = BORDERLINE + 1;
/// Score bands per dimension: ten bands of ten points (90–100 together), then "not scored".
pub const SCORES: usize = PROVISIONAL + 1;
pub const SCORE_BANDS: usize = 11;
/// Reasons that kept a person from self-service, by `ReasonCode::ALL` index.
pub const REASONS: usize = SCORES + 3 * SCORE_BANDS;
/// Possible exemption grounds, by `ExemptionGround::ALL` index.
pub const GROUNDS: usize = REASONS + 17;
/// Cases by channel at the first (row) and latest (column) assessment.
pub const MOVES: usize = GROUNDS + 5;
/// Assessments by computed (row) and after-override (column) channel.
pub const CHANGES: usize = MOVES + 9;
/// Overridden to another channel: in all, toward less digital, toward more digital.
pub const OVERRIDDEN: usize = CHANGES + 9;
pub const OVERRIDDEN_LESS: usize = OVERRIDDEN + 1;
pub const OVERRIDDEN_MORE: usize = OVERRIDDEN + 2;
/// Overrides by their reason's category (`OverrideReason::ALL`), then unrecorded (older
/// overrides, from before the category was asked).
pub const OVERRIDE_REASONS: usize = OVERRIDDEN + 3;
/// Assessments whose channel rule 1–6 decided, and of those the overridden.
pub const RULES: usize = OVERRIDE_REASONS + OverrideReason::ALL.len() + 1;
pub const RULES_OVERRIDDEN: usize = RULES + 6;
/// Self versus observed (`pairs`): cases with a self-assessment and an interview within
/// `PAIR_WINDOW_DAYS` of each other, counted once, in the cell of the case's latest such
/// interview; the self-assessment nearest in time to it is its pair.
pub const PAIRS: usize = RULES_OVERRIDDEN + 6;
/// Pairs by the self-assessment's suggested channel (row) and the interview's channel
/// after any override (column).
pub const PAIR_CHANNELS: usize = PAIRS + 1;
/// Pairs by the self-rating S3 (row: cannot, with help, alone) and the observed task O1
/// (column: fail, partial, pass), where both were answered.
pub const PAIR_S3_O1: usize = PAIR_CHANNELS + 9;
/// Per dimension, pairs where both scores exist, and over them the sums of the self and
/// the interview scores (sums, not counts: only means over enough pairs are shown).
pub const PAIR_SCORED: usize = PAIR_S3_O1 + 9;
pub const PAIR_SELF_SUM: usize = PAIR_SCORED + 3;
pub const PAIR_OBSERVED_SUM: usize = PAIR_SELF_SUM + 3;
pub const SLOTS: usize = PAIR_OBSERVED_SUM + 3;
/// At most this far apart, a self-assessment and an interview of a case form a pair.
pub const PAIR_WINDOW_DAYS: i64 = 56;
/// Beside each count, the sum of its contributors' record keys (`domain::disclosure`):
/// slot `KEYS + s` holds the key sum of slot `s`.
pub const KEYS: usize = SLOTS;
/// Counts, then key sums.
pub const WIDTH: usize = 2 * SLOTS;

const DIMENSIONS: [Dimension; 3] = [Dimension::Access, Dimension::Skills, Dimension::Motivation];

/// The column name of every count and key sum, in slot order; the migrations create the
/// same columns (a test compares them), so a new code in the instrument needs a migration.
pub fn slot_names() -> Vec<String> {
    let counts = count_names();
    let keys = counts.iter().map(|n| format!("k_{n}")).collect::<Vec<_>>();
    counts.into_iter().chain(keys).collect()
}

/// The name of every count slot, in slot order.
pub fn count_names() -> Vec<String> {
    let mut names = Vec::with_capacity(SLOTS);
    for c in Channel::ALL {
        names.push(format!("computed_{c}"));
    }
    for c in Channel::ALL {
        names.push(format!("after_{c}"));
    }
    names.push("borderline".to_owned());
    names.push("provisional".to_owned());
    for d in DIMENSIONS {
        for band in 0..10 {
            names.push(format!("score_{d}_{band}"));
        }
        names.push(format!("score_{d}_none"));
    }
    for r in ReasonCode::ALL {
        names.push(format!("reason_{r}"));
    }
    for g in ExemptionGround::ALL {
        names.push(format!("ground_{g}"));
    }
    for from in Channel::ALL {
        for to in Channel::ALL {
            names.push(format!("moved_{from}_{to}"));
        }
    }
    for from in Channel::ALL {
        for to in Channel::ALL {
            names.push(format!("change_{from}_{to}"));
        }
    }
    for n in [
        "overridden",
        "overridden_less_digital",
        "overridden_more_digital",
    ] {
        names.push(n.to_owned());
    }
    for r in OverrideReason::ALL {
        names.push(format!("override_reason_{r}"));
    }
    names.push("override_reason_unrecorded".to_owned());
    for rule in 1..=6 {
        names.push(format!("rule_{rule}"));
    }
    for rule in 1..=6 {
        names.push(format!("rule_{rule}_overridden"));
    }
    names.push("pairs".to_owned());
    for from in Channel::ALL {
        for to in Channel::ALL {
            names.push(format!("pair_{from}_{to}"));
        }
    }
    for s3 in SELF_RATINGS {
        for o1 in OBSERVED_TASKS {
            names.push(format!("pair_s3_{s3}_o1_{o1}"));
        }
    }
    for d in DIMENSIONS {
        names.push(format!("pair_scored_{d}"));
    }
    for d in DIMENSIONS {
        names.push(format!("pair_self_{d}"));
    }
    for d in DIMENSIONS {
        names.push(format!("pair_observed_{d}"));
    }
    names
}

/// The score band slot of a dimension's score.
pub fn score_slot(dimension: usize, score: Option<i64>) -> usize {
    let band = score.map_or(10, |s| (s / 10).clamp(0, 9) as usize);
    SCORES + dimension * SCORE_BANDS + band
}

/// The filters' values for one assessment; `team_id` 0 and `age_band` "" mean none.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CellKey {
    /// `YYYY-MM` of the finish time in UTC.
    pub month: String,
    pub team_id: i64,
    pub age_band: String,
    pub mode: String,
    pub language: String,
}

/// `YYYY-MM` of a time in UTC.
pub fn month_of(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{:04}-{:02}", t.year(), u8::from(t.month()))
}

/// One finished assessment with its result and stored codes (`kind`, `code`).
#[derive(Clone, Debug)]
pub struct FactRow {
    pub id: i64,
    pub case_id: Option<i64>,
    pub finished_at: OffsetDateTime,
    pub team_id: Option<i64>,
    pub age_band: Option<String>,
    pub mode: String,
    pub language: String,
    pub channel: String,
    pub override_channel: Option<String>,
    /// The override reason's category (`OverrideReason`); `None` when unrecorded.
    pub override_category: Option<String>,
    /// The rule (1–6) that decided the computed channel.
    pub rule: i64,
    pub borderline: bool,
    pub provisional: bool,
    pub scores: [Option<i64>; 3],
    pub codes: Vec<(String, String)>,
    /// The result's random record key (`domain::disclosure`).
    pub record_key: i64,
    /// S3's band (`self_rating_band`) and O1's (`observed_task_band`), when answered.
    pub self_rating: Option<usize>,
    pub observed_task: Option<usize>,
}

impl FactRow {
    pub fn cell(&self) -> CellKey {
        CellKey {
            month: month_of(self.finished_at),
            team_id: self.team_id.unwrap_or(0),
            age_band: self.age_band.clone().unwrap_or_default(),
            mode: self.mode.clone(),
            language: self.language.clone(),
        }
    }

    fn after(&self) -> Option<usize> {
        channel_index(self.override_channel.as_deref().unwrap_or(&self.channel))
    }

    /// The slots this assessment adds one to (movement aside).
    pub fn slots(&self) -> Vec<usize> {
        let mut slots = Vec::with_capacity(12);
        let computed = channel_index(&self.channel);
        if let Some(i) = computed {
            slots.push(COMPUTED + i);
        }
        if let Some(i) = self.after() {
            slots.push(AFTER + i);
        }
        let rule = usize::try_from(self.rule - 1).ok().filter(|r| *r < 6);
        if let Some(r) = rule {
            slots.push(RULES + r);
        }
        if let (Some(from), Some(to)) = (computed, self.after()) {
            slots.push(CHANGES + from * 3 + to);
            if from != to {
                slots.push(OVERRIDDEN);
                // Channels are declared by digital autonomy: a lower index is less digital.
                slots.push(if to < from {
                    OVERRIDDEN_LESS
                } else {
                    OVERRIDDEN_MORE
                });
                let category = self
                    .override_category
                    .as_deref()
                    .and_then(|c| OverrideReason::ALL.iter().position(|r| r.as_str() == c))
                    .unwrap_or(OverrideReason::ALL.len());
                slots.push(OVERRIDE_REASONS + category);
                if let Some(r) = rule {
                    slots.push(RULES_OVERRIDDEN + r);
                }
            }
        }
        if self.borderline {
            slots.push(BORDERLINE);
        }
        if self.provisional {
            slots.push(PROVISIONAL);
        }
        for (d, score) in self.scores.iter().enumerate() {
            slots.push(score_slot(d, *score));
        }
        let self_service = computed == Some(2);
        for (kind, code) in &self.codes {
            let slot = match kind.as_str() {
                "reason" if !self_service => ReasonCode::ALL
                    .iter()
                    .position(|r| r.as_str() == code)
                    .map(|i| REASONS + i),
                "ground" => ExemptionGround::ALL
                    .iter()
                    .position(|g| g.as_str() == code)
                    .map(|i| GROUNDS + i),
                _ => None,
            };
            if let Some(s) = slot
                && !slots.contains(&s)
            {
                slots.push(s);
            }
        }
        slots
    }
}

fn channel_index(code: &str) -> Option<usize> {
    Channel::ALL.iter().position(|c| c.as_str() == code)
}

/// The first and latest finished assessment of a case seen so far, and what a pair of a
/// self-assessment and an interview needs of each.
#[derive(Clone, Debug)]
struct CaseTrack {
    first: ((OffsetDateTime, i64), Option<usize>),
    latest: ((OffsetDateTime, i64), Option<usize>, CellKey, i64),
    finished: u32,
    selves: Vec<PairSide>,
    interviews: Vec<(PairSide, CellKey)>,
}

/// Counts fact rows into cells; rows can come in any order.
#[derive(Debug, Default)]
pub struct Tally {
    cells: BTreeMap<CellKey, [i64; WIDTH]>,
    cases: HashMap<i64, CaseTrack>,
}

impl Tally {
    pub fn add(&mut self, row: &FactRow) {
        let cell = row.cell();
        let counts = self.cells.entry(cell.clone()).or_insert([0; WIDTH]);
        for s in row.slots() {
            counts[s] += 1;
            counts[KEYS + s] += row.record_key;
        }
        if let Some(case) = row.case_id {
            let key = (row.finished_at, row.id);
            let after = row.after();
            let interview = row.mode == "interview";
            let side = PairSide {
                key,
                channel: if interview {
                    after
                } else {
                    channel_index(&row.channel)
                },
                scores: row.scores,
                band: if interview {
                    row.observed_task
                } else {
                    row.self_rating
                },
                record_key: row.record_key,
            };
            let (selves, interviews) = if interview {
                (Vec::new(), vec![(side, cell.clone())])
            } else {
                (vec![side], Vec::new())
            };
            self.cases
                .entry(case)
                .and_modify(|t| {
                    t.finished += 1;
                    t.selves.extend(selves.iter().cloned());
                    t.interviews.extend(interviews.iter().cloned());
                    if key < t.first.0 {
                        t.first = (key, after);
                    }
                    if key > t.latest.0 {
                        t.latest = (key, after, cell.clone(), row.record_key);
                    }
                })
                .or_insert(CaseTrack {
                    first: (key, after),
                    latest: (key, after, cell, row.record_key),
                    finished: 1,
                    selves,
                    interviews,
                });
        }
    }

    /// The counts per cell, movement included; cells with nothing are left out.
    pub fn finish(mut self) -> BTreeMap<CellKey, [i64; WIDTH]> {
        for track in std::mem::take(&mut self.cases).into_values() {
            if let Some((own, observed, cell)) = track.pair() {
                let mut add = |slot: usize, value: i64| {
                    let counts = self.cells.entry(cell.clone()).or_insert([0; WIDTH]);
                    counts[slot] += value;
                    counts[KEYS + slot] += observed.record_key;
                };
                add(PAIRS, 1);
                if let (Some(s), Some(o)) = (own.channel, observed.channel) {
                    add(PAIR_CHANNELS + s * 3 + o, 1);
                }
                if let (Some(s), Some(o)) = (own.band, observed.band) {
                    add(PAIR_S3_O1 + s * 3 + o, 1);
                }
                for d in 0..3 {
                    if let (Some(s), Some(o)) = (own.scores[d], observed.scores[d]) {
                        add(PAIR_SCORED + d, 1);
                        add(PAIR_SELF_SUM + d, s);
                        add(PAIR_OBSERVED_SUM + d, o);
                    }
                }
            }
            if let (true, (_, Some(first)), (_, Some(latest), cell, key)) =
                (track.finished >= 2, track.first, track.latest)
            {
                let slot = MOVES + first * 3 + latest;
                let counts = self.cells.entry(cell).or_insert([0; WIDTH]);
                counts[slot] += 1;
                counts[KEYS + slot] += key;
            }
        }
        self.cells.retain(|_, c| c.iter().any(|n| *n != 0));
        self.cells
    }
}

/// `after - before`, per cell, leaving out cells that did not change.
pub fn difference(
    before: &BTreeMap<CellKey, [i64; WIDTH]>,
    after: &BTreeMap<CellKey, [i64; WIDTH]>,
) -> BTreeMap<CellKey, [i64; WIDTH]> {
    let mut out: BTreeMap<CellKey, [i64; WIDTH]> = BTreeMap::new();
    for (sign, side) in [(1, after), (-1, before)] {
        for (cell, counts) in side {
            let d = out.entry(cell.clone()).or_insert([0; WIDTH]);
            for (x, n) in d.iter_mut().zip(counts) {
                *x += sign * n;
            }
        }
    }
    out.retain(|_, c| c.iter().any(|n| *n != 0));
    out
}

/// The cube's cells added up per series (`disclosure::series_of`) and month: a view of
/// the dashboard is one series, so it reads one row per month (`stat_series`). Sums of
/// nothing are left out.
pub fn by_series(
    cells: &BTreeMap<CellKey, [i64; WIDTH]>,
) -> BTreeMap<(String, String), [i64; WIDTH]> {
    let mut out: BTreeMap<(String, String), [i64; WIDTH]> = BTreeMap::new();
    for (cell, counts) in cells {
        let team = (cell.team_id != 0).then_some(cell.team_id);
        for series in disclosure::series_of(team, Some(&cell.age_band), &cell.mode, &cell.language)
        {
            let sum = out
                .entry((series, cell.month.clone()))
                .or_insert([0; WIDTH]);
            for (x, n) in sum.iter_mut().zip(counts) {
                *x += n;
            }
        }
    }
    out.retain(|_, c| c.iter().any(|n| *n != 0));
    out
}

mod pairs;
mod publish;
use pairs::PairSide;
pub use pairs::*;
pub use publish::*;

#[cfg(test)]
mod tests;
