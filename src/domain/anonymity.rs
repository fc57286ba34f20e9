//! Person-level rows for analysts, made k-anonymous by local suppression, as sdcMicro's
//! `localSuppression` does: the quasi-identifiers of a row are its team, age band,
//! quarter, mode and language. A combination held by fewer than k rows of the file has
//! the fewest of its values replaced by `*` such that at least k rows of the file agree
//! with what is left (a `*` agrees with anything); when no choice does, every value goes.
//! Values are given up least useful first: language, mode, quarter, age band, team.
//! Reason and ground codes held by fewer than k rows of the file are left out.

use std::collections::{BTreeMap, BTreeSet};

/// How many quasi-identifiers a row has.
pub const QUASI: usize = 5;

/// The quasi-identifiers of a row: team, age band, quarter, mode, language.
pub type Combo = [String; QUASI];

/// What replaces a value given up.
pub const SUPPRESSED: &str = "*";

/// The order values are given up in, by index into `Combo`.
const GIVE_UP_ORDER: [usize; QUASI] = [4, 3, 2, 1, 0];

/// The replacement of every combination that needs one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    replace: BTreeMap<Combo, Combo>,
}

impl Plan {
    /// A row's quasi-identifiers as the file shows them.
    pub fn apply(&self, combo: &Combo) -> Combo {
        self.replace
            .get(combo)
            .cloned()
            .unwrap_or_else(|| combo.clone())
    }

    /// How many values the plan replaces over the whole file, given its combinations.
    pub fn replaced_values(&self, counts: &BTreeMap<Combo, u64>) -> u64 {
        self.replace
            .iter()
            .map(|(from, to)| {
                let n = to.iter().filter(|v| *v == SUPPRESSED).count() as u64;
                n * counts.get(from).copied().unwrap_or(0)
            })
            .sum()
    }
}

/// Every subset of the quasi-identifiers of `size` elements, least useful first.
fn subsets(size: usize) -> Vec<Vec<usize>> {
    fn go(start: usize, size: usize, current: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if current.len() == size {
            out.push(current.clone());
            return;
        }
        for i in start..QUASI {
            current.push(GIVE_UP_ORDER[i]);
            go(i + 1, size, current, out);
            current.pop();
        }
    }
    let mut out = Vec::new();
    go(0, size, &mut Vec::new(), &mut out);
    out
}

/// The plan for a file with these combinations and their numbers of rows.
pub fn plan(counts: &BTreeMap<Combo, u64>, k: u64) -> Plan {
    let mut replace = BTreeMap::new();
    for (combo, n) in counts {
        if *n >= k {
            continue;
        }
        let chosen = (1..=QUASI).flat_map(subsets).find(|given_up| {
            let agreeing: u64 = counts
                .iter()
                .filter(|(other, _)| {
                    (0..QUASI).all(|i| given_up.contains(&i) || other[i] == combo[i])
                })
                .map(|(_, m)| *m)
                .sum();
            agreeing >= k
        });
        let given_up = chosen.unwrap_or_else(|| (0..QUASI).collect());
        let mut out = combo.clone();
        for i in given_up {
            out[i] = SUPPRESSED.to_owned();
        }
        replace.insert(combo.clone(), out);
    }
    Plan { replace }
}

/// The codes (`kind:code`) held by fewer than k rows of the file: left out of it.
pub fn rare_codes(counts: &BTreeMap<String, u64>, k: u64) -> BTreeSet<String> {
    counts
        .iter()
        .filter(|(_, n)| **n < k)
        .map(|(code, _)| code.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::demo::DemoRng;

    fn combo(v: [&str; QUASI]) -> Combo {
        v.map(str::to_owned)
    }

    #[test]
    fn a_rare_combination_gives_up_the_least_useful_value_that_is_enough() {
        let mut counts = BTreeMap::new();
        counts.insert(combo(["1", "25-34", "2025-Q1", "self", "da"]), 9);
        counts.insert(combo(["1", "25-34", "2025-Q1", "self", "ar"]), 1);
        counts.insert(combo(["2", "55+", "2025-Q3", "interview", "en"]), 1);
        let p = plan(&counts, 5);
        // The Arabic speaker agrees with nine others once the language goes.
        assert_eq!(
            p.apply(&combo(["1", "25-34", "2025-Q1", "self", "ar"])),
            combo(["1", "25-34", "2025-Q1", "self", "*"])
        );
        // Nobody is like the last one in anything but... nothing: everything goes.
        assert_eq!(
            p.apply(&combo(["2", "55+", "2025-Q3", "interview", "en"])),
            combo(["*"; 5])
        );
        // Common combinations are untouched.
        assert_eq!(
            p.apply(&combo(["1", "25-34", "2025-Q1", "self", "da"])),
            combo(["1", "25-34", "2025-Q1", "self", "da"])
        );
        assert_eq!(p.replaced_values(&counts), 1 + 5);
    }

    #[test]
    fn every_combination_in_a_file_is_held_by_k_rows_or_carries_a_star() {
        let mut rng = DemoRng::new(3);
        for k in [2, 5, 10] {
            for _ in 0..50 {
                let mut counts: BTreeMap<Combo, u64> = BTreeMap::new();
                let rows = 20 + rng.below(300);
                for _ in 0..rows {
                    let c = combo([
                        ["1", "2", "3"][rng.below(3) as usize],
                        ["under-25", "25-34", "35-44", "45-54", "55+"][rng.below(5) as usize],
                        ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"][rng.below(4) as usize],
                        ["self", "interview"][rng.below(2) as usize],
                        ["da", "da", "da", "en", "ar"][rng.below(5) as usize],
                    ]);
                    *counts.entry(c).or_default() += 1;
                }
                let p = plan(&counts, k);
                let mut out: BTreeMap<Combo, u64> = BTreeMap::new();
                for (c, n) in &counts {
                    *out.entry(p.apply(c)).or_default() += n;
                }
                for (c, n) in &out {
                    assert!(*n >= k || c.iter().any(|v| v == SUPPRESSED), "{c:?} × {n}");
                }
                // A row with stars agrees with at least k rows of the file on the rest,
                // unless everything went.
                for c in out.keys().filter(|c| c.iter().any(|v| v == SUPPRESSED)) {
                    let agreeing: u64 = counts
                        .iter()
                        .filter(|(o, _)| (0..QUASI).all(|i| c[i] == SUPPRESSED || o[i] == c[i]))
                        .map(|(_, m)| *m)
                        .sum();
                    assert!(agreeing >= k || c.iter().all(|v| v == SUPPRESSED), "{c:?}");
                }
            }
        }
    }

    #[test]
    fn codes_of_fewer_than_k_rows_are_left_out() {
        let counts: BTreeMap<String, u64> = [
            ("ground:health".to_owned(), 2),
            ("reason:no_mitid".to_owned(), 40),
        ]
        .into();
        assert_eq!(
            rare_codes(&counts, 5),
            BTreeSet::from(["ground:health".to_owned()])
        );
    }
}
