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

use super::{Channel, Dimension, ExemptionGround, ReasonCode, disclosure};

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
pub const SLOTS: usize = MOVES + 9;
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
    pub borderline: bool,
    pub provisional: bool,
    pub scores: [Option<i64>; 3],
    pub codes: Vec<(String, String)>,
    /// The result's random record key (`domain::disclosure`).
    pub record_key: i64,
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

/// The first and latest finished assessment of a case seen so far.
#[derive(Clone, Debug)]
struct CaseTrack {
    first: ((OffsetDateTime, i64), Option<usize>),
    latest: ((OffsetDateTime, i64), Option<usize>, CellKey, i64),
    finished: u32,
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
            self.cases
                .entry(case)
                .and_modify(|t| {
                    t.finished += 1;
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
                });
        }
    }

    /// The counts per cell, movement included; cells with nothing are left out.
    pub fn finish(mut self) -> BTreeMap<CellKey, [i64; WIDTH]> {
        for track in std::mem::take(&mut self.cases).into_values() {
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

/// Every dashboard quantity of one view, published (`domain::disclosure`): the cube's
/// month rows of the view's series (every month up to the end of the range, since the
/// adjustment looks back to the last occupied quarter before it) added up per quarter.
#[derive(Clone, Debug, PartialEq)]
pub struct PublishedView {
    /// The number of finished assessments.
    pub people: i64,
    /// One published value per count slot.
    pub slots: Vec<i64>,
    /// Per occupied quarter of the range: people and the computed channels.
    pub periods: Vec<(String, i64, [i64; 3])>,
}

/// The quantity name of the number of people in a view.
pub const PEOPLE: &str = "people";

/// The occupied quarters of month rows and their sums (month rows with a bad month are
/// left out).
pub fn quarters(months: &[(String, [i64; WIDTH])]) -> BTreeMap<String, [i64; WIDTH]> {
    let mut out: BTreeMap<String, [i64; WIDTH]> = BTreeMap::new();
    for (month, row) in months {
        let Some(q) = disclosure::quarter_of_month(month) else {
            continue;
        };
        let sum = out.entry(q).or_insert([0; WIDTH]);
        for (x, n) in sum.iter_mut().zip(row) {
            *x += n;
        }
    }
    out.retain(|_, row| people_of(row).count > 0);
    out
}

/// The people of a row: everyone has exactly one computed channel.
fn people_of(row: &[i64; WIDTH]) -> disclosure::Tally {
    let mut t = disclosure::Tally::default();
    for c in 0..3 {
        t.add(disclosure::Tally {
            count: row[COMPUTED + c],
            key_sum: row[KEYS + COMPUTED + c],
        });
    }
    t
}

pub fn publish_view(
    secret: &disclosure::Secret,
    series: &str,
    months: &[(String, [i64; WIDTH])],
    range: &disclosure::Range,
) -> PublishedView {
    let all: Vec<usize> = (0..SLOTS).collect();
    publish_slots(secret, series, months, range, &all)
}

/// `publish_view` for some slots only (the others are 0); the trend is always there.
pub fn publish_slots(
    secret: &disclosure::Secret,
    series: &str,
    months: &[(String, [i64; WIDTH])],
    range: &disclosure::Range,
    wanted: &[usize],
) -> PublishedView {
    let quarters = quarters(months);
    let s = disclosure::Series {
        name: series.to_owned(),
        periods: quarters.keys().cloned().collect(),
    };
    let rows: Vec<&[i64; WIDTH]> = quarters.values().collect();
    let tallies_of = |slot: usize| -> Vec<disclosure::Tally> {
        rows.iter()
            .map(|r| disclosure::Tally {
                count: r[slot],
                key_sum: r[KEYS + slot],
            })
            .collect()
    };
    let people_tallies: Vec<disclosure::Tally> = rows.iter().map(|r| people_of(r)).collect();
    let names = count_names();
    let mut slots = vec![0; SLOTS];
    for &slot in wanted.iter().filter(|s| **s < SLOTS) {
        slots[slot] = s.publish(secret, &names[slot], &tallies_of(slot), range);
    }
    let people_each = s.publish_each(secret, PEOPLE, &people_tallies, range);
    let channel_each: Vec<Vec<(String, i64)>> = (0..3)
        .map(|c| {
            s.publish_each(
                secret,
                &names[COMPUTED + c],
                &tallies_of(COMPUTED + c),
                range,
            )
        })
        .collect();
    let periods = people_each
        .into_iter()
        .enumerate()
        .map(|(i, (q, n))| {
            let channel = |c: usize| channel_each[c].get(i).map_or(0, |(_, v)| *v);
            (q, n, [channel(0), channel(1), channel(2)])
        })
        .collect();
    PublishedView {
        people: s.publish(secret, PEOPLE, &people_tallies, range),
        slots,
        periods,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn row(id: i64, case: Option<i64>, at: OffsetDateTime, channel: &str) -> FactRow {
        FactRow {
            id,
            case_id: case,
            finished_at: at,
            team_id: Some(1),
            age_band: Some("25-34".into()),
            mode: "self".into(),
            language: "da".into(),
            channel: channel.into(),
            override_channel: None,
            borderline: false,
            provisional: false,
            scores: [Some(100), Some(45), None],
            codes: vec![
                ("reason".into(), "no_mitid".into()),
                ("ground".into(), "health".into()),
                ("flag".into(), "many_dont_understand".into()),
            ],
            record_key: 1000 + id,
        }
    }

    #[test]
    fn the_slot_names_match_the_layout() {
        let names = slot_names();
        assert_eq!(names.len(), WIDTH);
        assert_eq!(names[KEYS + AFTER], "k_after_analogue");
        assert_eq!(names[AFTER], "after_analogue");
        assert_eq!(names[SCORES + SCORE_BANDS - 1], "score_access_none");
        assert_eq!(names[REASONS], "reason_already_exempt");
        assert_eq!(names[GROUNDS], "ground_no_device_or_internet");
        assert_eq!(names[MOVES + 2], "moved_analogue_self_service");
        assert_eq!(ReasonCode::ALL.len(), GROUNDS - REASONS);
        assert_eq!(ExemptionGround::ALL.len(), MOVES - GROUNDS);
        let unique: std::collections::BTreeSet<_> = names.iter().collect();
        assert_eq!(unique.len(), WIDTH);
    }

    #[test]
    fn a_row_counts_its_channel_scores_and_codes() {
        let r = row(1, None, datetime!(2026-03-31 23:30 UTC), "assisted");
        let mut slots = r.slots();
        slots.sort();
        assert_eq!(
            slots,
            vec![
                COMPUTED + 1,
                AFTER + 1,
                score_slot(0, Some(100)),
                score_slot(1, Some(45)),
                score_slot(2, None),
                REASONS + 6,
                GROUNDS + 4,
            ]
        );
        assert_eq!(score_slot(0, Some(100)), SCORES + 9);
        assert_eq!(r.cell().month, "2026-03");
        // Reasons count only where they kept a person from self-service.
        let s = row(2, None, datetime!(2026-03-01 0:00 +02:00), "self_service");
        assert!(!s.slots().contains(&(REASONS + 6)));
        assert_eq!(s.cell().month, "2026-02");
    }

    #[test]
    fn movement_goes_to_the_latest_cell_whatever_the_order() {
        let first = row(1, Some(9), datetime!(2025-01-10 12:00 UTC), "analogue");
        let mut latest = row(3, Some(9), datetime!(2025-06-10 12:00 UTC), "assisted");
        latest.override_channel = Some("self_service".into());
        let middle = row(2, Some(9), datetime!(2025-03-10 12:00 UTC), "assisted");
        for order in [[&latest, &first, &middle], [&first, &middle, &latest]] {
            let mut t = Tally::default();
            for r in order {
                t.add(r);
            }
            let cells = t.finish();
            let moved: i64 = cells
                .values()
                .map(|c| c[MOVES..SLOTS].iter().sum::<i64>())
                .sum();
            assert_eq!(moved, 1);
            assert_eq!(
                cells[&latest.cell()][MOVES + 2],
                1,
                "analogue to self-service"
            );
        }
        // One assessment is no movement.
        let mut t = Tally::default();
        t.add(&first);
        assert!(
            t.finish()
                .values()
                .all(|c| c[MOVES..SLOTS].iter().all(|n| *n == 0))
        );
    }

    #[test]
    fn the_difference_leaves_out_unchanged_cells() {
        let a = row(1, None, datetime!(2025-01-10 12:00 UTC), "analogue");
        let mut b = a.clone();
        b.override_channel = Some("assisted".into());
        let mut before = Tally::default();
        before.add(&a);
        let mut after = Tally::default();
        after.add(&b);
        let d = difference(&before.finish(), &after.finish());
        assert_eq!(d.len(), 1);
        let c = &d[&a.cell()];
        assert_eq!((c[AFTER], c[AFTER + 1], c[COMPUTED]), (-1, 1, 0));
        assert!(difference(&d, &d).is_empty());
    }
}
