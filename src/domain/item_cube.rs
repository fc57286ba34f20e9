//! The item analysis cube: per series and quarter, every count the item page shows, each
//! with the sum of its contributors' record keys, and the sums Cronbach's alpha follows
//! from (n, Σx, Σx², ΣT, ΣT² per dimension; `stats::AlphaSums`).
//!
//! A view is one series over a range of quarters (`disclosure`), so the cube is kept per
//! series rather than per cell of every filter: a finished assessment adds to the five
//! series it belongs to (everyone, its team, age band, mode and language), in the
//! transaction that writes it, and a page reads one row per quarter and quantity, however
//! many assessments there are. Quantities are stored by name (`item:U1:asked`), the same
//! name the disclosure draw is keyed by, so a new instrument needs no migration.

use super::answer_codes::{DONT_UNDERSTAND, codes, is_dont_understand};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde_json::Value;

use super::disclosure::{Tally, quarter_of_month, series_of};
use super::stats::AlphaSums;
use super::{Dimension, Instrument, Item, Mode, Points};

/// The slots of one item.
#[derive(Debug)]
pub struct ItemSlots {
    pub asked: usize,
    /// One per option of the item, in its order.
    pub options: Vec<usize>,
    pub dont_understand: usize,
    pub missing: usize,
}

/// The slots of one dimension's alpha.
#[derive(Debug)]
pub struct AlphaSlots {
    pub dimension: Dimension,
    /// The instrument's indices of the items alpha is over.
    pub of: Vec<usize>,
    /// People who answered every one of them (the n of the sums).
    pub complete: usize,
    sum: Vec<usize>,
    sum_sq: Vec<usize>,
    total: usize,
    total_sq: usize,
}

/// Where each quantity sits in a quarter's vector, and its name.
#[derive(Debug)]
pub struct Layout {
    names: Vec<String>,
    index: HashMap<String, usize>,
    pub people: usize,
    /// Per item of the instrument, in its order.
    pub items: Vec<ItemSlots>,
    pub alpha: Vec<AlphaSlots>,
}

/// One quarter of one series: per slot, the total and the key sum (`[total, keys]`).
pub type Quarter = Vec<[i64; 2]>;

impl Layout {
    fn new(instrument: &Instrument) -> Layout {
        let mut names = Vec::new();
        let mut slot = |name: String| {
            names.push(name);
            names.len() - 1
        };
        let people = slot(super::cube::PEOPLE.to_owned());
        let items = instrument
            .items()
            .iter()
            .map(|item| {
                let id = item.id();
                ItemSlots {
                    asked: slot(format!("item:{id}:asked")),
                    options: item
                        .options()
                        .iter()
                        .map(|o| slot(format!("item:{id}:option:{}", o.code())))
                        .collect(),
                    dont_understand: slot(format!("item:{id}:dont_understand")),
                    missing: slot(format!("item:{id}:missing")),
                }
            })
            .collect();
        // Items asked in one mode only (the observed task) are left out of alpha, so both
        // modes compare.
        let alpha = [Dimension::Access, Dimension::Skills, Dimension::Motivation]
            .into_iter()
            .map(|d| {
                let of: Vec<usize> = instrument
                    .items()
                    .iter()
                    .enumerate()
                    .filter(|(_, i)| i.dimension() == Some(d) && i.only_mode().is_none())
                    .map(|(j, _)| j)
                    .collect();
                let ids: Vec<&str> = of.iter().map(|j| instrument.items()[*j].id()).collect();
                AlphaSlots {
                    dimension: d,
                    complete: slot(format!("alpha:{d}:complete")),
                    sum: ids
                        .iter()
                        .map(|i| slot(format!("alpha:{d}:sum:{i}")))
                        .collect(),
                    sum_sq: ids
                        .iter()
                        .map(|i| slot(format!("alpha:{d}:sq:{i}")))
                        .collect(),
                    total: slot(format!("alpha:{d}:total")),
                    total_sq: slot(format!("alpha:{d}:total_sq")),
                    of,
                }
            })
            .collect();
        let index = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        Layout {
            names,
            index,
            people,
            items,
            alpha,
        }
    }

    /// The layout of the instrument in use.
    pub fn get() -> &'static Layout {
        static LAYOUT: OnceLock<Layout> = OnceLock::new();
        LAYOUT.get_or_init(|| Layout::new(Instrument::dr1()))
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn name(&self, slot: usize) -> &str {
        &self.names[slot]
    }

    /// The slot of a stored name; `None` for a quantity the instrument no longer has.
    pub fn slot(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// An empty quarter.
    pub fn quarter(&self) -> Quarter {
        vec![[0, 0]; self.len()]
    }

    /// A count slot of a quarter as the publisher takes it.
    pub fn tally(q: &Quarter, slot: usize) -> Tally {
        Tally {
            count: q[slot][0],
            key_sum: q[slot][1],
        }
    }

    /// A dimension's alpha sums in a quarter.
    pub fn alpha_sums(&self, q: &Quarter, d: usize) -> AlphaSums {
        let a = &self.alpha[d];
        AlphaSums::from_parts(
            u64::try_from(q[a.complete][0]).unwrap_or(0),
            a.sum.iter().map(|s| q[*s][0]).collect(),
            a.sum_sq.iter().map(|s| q[*s][0]).collect(),
            q[a.total][0],
            q[a.total_sq][0],
        )
    }

    /// What one finished assessment adds, as (slot, amount); each counted slot also adds
    /// the record key to its key sum, the alpha sums do not.
    pub fn contributions(
        &self,
        instrument: &Instrument,
        mode: Mode,
        answers: &BTreeMap<String, Value>,
    ) -> Vec<(usize, i64, bool)> {
        let mut out = vec![(self.people, 1, true)];
        for (item, slots) in instrument.items().iter().zip(&self.items) {
            if !item.applies_in(mode) {
                continue;
            }
            out.push((slots.asked, 1, true));
            let codes = answers.get(item.id()).map(codes).unwrap_or_default();
            if codes.iter().any(|c| is_dont_understand(c)) {
                out.push((slots.dont_understand, 1, true));
            } else if codes.is_empty() {
                out.push((slots.missing, 1, true));
            }
            for c in codes {
                if let Some(i) = item
                    .options()
                    .iter()
                    .position(|o| o.code() == c && c != DONT_UNDERSTAND)
                {
                    out.push((slots.options[i], 1, true));
                }
            }
        }
        for a in &self.alpha {
            let row: Option<Vec<i64>> =
                a.of.iter()
                    .map(|j| {
                        let item = &instrument.items()[*j];
                        answers.get(item.id()).and_then(|v| twelfths(item, v))
                    })
                    .collect();
            let Some(row) = row else { continue };
            let t: i64 = row.iter().sum();
            out.push((a.complete, 1, true));
            for ((x, s), q) in row.iter().zip(&a.sum).zip(&a.sum_sq) {
                out.push((*s, *x, false));
                out.push((*q, x * x, false));
            }
            out.push((a.total, t, false));
            out.push((a.total_sq, t * t, false));
        }
        out
    }
}

/// An answer's worth in twelfths, reverse items turned; `None` when it does not count.
fn twelfths(item: &Item, value: &Value) -> Option<i64> {
    let code = value.as_str()?;
    match item.option(code)?.points()? {
        Points::Twelfths(p) => Some(i64::from(item.counted_twelfths(p))),
        Points::Missing | Points::NotApplicable => None,
    }
}

/// One finished assessment as the item cube sees it.
#[derive(Clone, Debug)]
pub struct ItemFact<'a> {
    /// `YYYY-MM` of the finish time.
    pub month: &'a str,
    pub team_id: Option<i64>,
    pub age_band: Option<&'a str>,
    /// `self` or `interview`.
    pub mode: &'a str,
    pub language: &'a str,
    pub record_key: i64,
    pub answers: &'a BTreeMap<String, Value>,
}

/// The cube's contents as stored: (series, quarter, quantity) → (total, key sum), every
/// entry nonzero.
pub type ItemRows = BTreeMap<(String, String, String), (i64, i64)>;

/// Counts assessments into (series, quarter) vectors.
#[derive(Default)]
pub struct ItemTally {
    cells: BTreeMap<(String, String), Quarter>,
}

impl ItemTally {
    pub fn add(&mut self, fact: &ItemFact<'_>) {
        let Some(quarter) = quarter_of_month(fact.month) else {
            return;
        };
        let Ok(mode) = fact.mode.parse::<Mode>() else {
            return;
        };
        let layout = Layout::get();
        let adds = layout.contributions(Instrument::dr1(), mode, fact.answers);
        for series in series_of(fact.team_id, fact.age_band, fact.mode, fact.language) {
            let q = self
                .cells
                .entry((series, quarter.clone()))
                .or_insert_with(|| layout.quarter());
            for (slot, amount, keyed) in &adds {
                q[*slot][0] += amount;
                if *keyed {
                    q[*slot][1] += fact.record_key;
                }
            }
        }
    }

    /// The nonzero entries.
    pub fn rows(&self) -> ItemRows {
        let layout = Layout::get();
        let mut out = ItemRows::new();
        for ((series, quarter), q) in &self.cells {
            for (slot, v) in q.iter().enumerate() {
                if *v != [0, 0] {
                    out.insert(
                        (
                            series.clone(),
                            quarter.clone(),
                            layout.name(slot).to_owned(),
                        ),
                        (v[0], v[1]),
                    );
                }
            }
        }
        out
    }
}

/// What turns `before` into `after`, entry by entry (zero entries left out).
pub fn difference(before: &ItemRows, after: &ItemRows) -> ItemRows {
    let mut out = after.clone();
    for (key, (total, keys)) in before {
        let e = out.entry(key.clone()).or_insert((0, 0));
        e.0 -= total;
        e.1 -= keys;
    }
    out.retain(|_, v| *v != (0, 0));
    out
}

/// A series' stored quarters, by the current layout; quantities it does not know are left
/// out.
pub fn quarters_of(
    rows: impl IntoIterator<Item = (String, String, i64, i64)>,
) -> BTreeMap<String, Quarter> {
    let layout = Layout::get();
    let mut out: BTreeMap<String, Quarter> = BTreeMap::new();
    for (quarter, name, total, keys) in rows {
        if let Some(slot) = layout.slot(&name) {
            let q = out.entry(quarter).or_insert_with(|| layout.quarter());
            q[slot][0] += total;
            q[slot][1] += keys;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
            .collect()
    }

    #[test]
    fn names_are_unique_and_found_again() {
        let layout = Layout::get();
        for slot in 0..layout.len() {
            assert_eq!(layout.slot(layout.name(slot)), Some(slot));
        }
        assert_eq!(layout.name(layout.people), "people");
    }

    #[test]
    fn one_assessment_counts_in_its_five_series_and_comes_out_again() {
        let a = answers(&[("U1", "dont_understand")]);
        let fact = ItemFact {
            month: "2026-05",
            team_id: Some(3),
            age_band: Some("30-39"),
            mode: "self",
            language: "ar",
            record_key: 77,
            answers: &a,
        };
        let mut tally = ItemTally::default();
        tally.add(&fact);
        let rows = tally.rows();
        let people: Vec<&String> = rows
            .keys()
            .filter(|(_, q, n)| q == "2026-Q2" && n == "people")
            .map(|(s, _, _)| s)
            .collect();
        assert_eq!(
            people,
            ["all", "band:30-39", "language:ar", "mode:self", "team:3"]
        );
        let key = (
            "all".to_owned(),
            "2026-Q2".to_owned(),
            "item:U1:dont_understand".to_owned(),
        );
        assert_eq!(rows.get(&key), Some(&(1, 77)));
        let gone = difference(&rows, &ItemTally::default().rows());
        assert!(gone.values().all(|(t, k)| *t < 0 && *k <= 0));
        assert!(difference(&rows, &rows).is_empty());
    }

    #[test]
    fn the_alpha_sums_equal_those_of_the_rows() {
        let layout = Layout::get();
        let instrument = Instrument::dr1();
        let a = &layout.alpha[2];
        // Two respondents answering every motivation item with its first and last option.
        let mut q = layout.quarter();
        let mut direct = AlphaSums::new(a.of.len());
        for pick_last in [false, true] {
            let answers: BTreeMap<String, Value> =
                a.of.iter()
                    .map(|j| {
                        let item = &instrument.items()[*j];
                        let options: Vec<&str> = item
                            .options()
                            .iter()
                            .filter(|o| matches!(o.points(), Some(Points::Twelfths(_))))
                            .map(|o| o.code())
                            .collect();
                        let code = if pick_last {
                            options[options.len() - 1]
                        } else {
                            options[0]
                        };
                        (item.id().to_owned(), Value::String(code.to_owned()))
                    })
                    .collect();
            let row: Vec<i64> =
                a.of.iter()
                    .map(|j| {
                        let item = &instrument.items()[*j];
                        twelfths(item, &answers[item.id()]).unwrap_or(-1)
                    })
                    .collect();
            direct.add(&row);
            for (slot, amount, _) in
                layout.contributions(instrument, Mode::SelfAssessment, &answers)
            {
                q[slot][0] += amount;
            }
        }
        assert_eq!(layout.alpha_sums(&q, 2), direct);
        assert_eq!(direct.n(), 2);
    }
}
