//! The attack test: one planted person who differs from everyone else in one binary
//! attribute, in a population of 30–200 spread over teams, age bands, modes, languages
//! and the quarters of a year. The attacker reads every figure of every view the
//! dashboard offers (everyone or one narrowing, times every range of quarters), through
//! the same publishing code as the server (`cube::publish_slots` on the cube's cells), and
//! guesses the attribute by (1) the difference of one pair of views that isolates the
//! person, (2) the average of every such difference, and (3) comparing the attribute's
//! count with its group's count, averaged over every view the person is in.
//!
//! The unit tests run it over 1,000 datasets (`attack_rates`, reported in BENCHMARKS.md);
//! the database test (`tests/it/disclosure.rs`) stores datasets in SQLite and PostgreSQL
//! and checks that the server publishes exactly these figures for every view.

use std::collections::BTreeMap;

use time::{Date, Month, OffsetDateTime, Time};

use crate::domain::cube::{self, CellKey, FactRow, Tally as CubeTally, WIDTH};
use crate::domain::demo::DemoRng;
use crate::domain::disclosure::{Figure, Range, Secret};

pub const TEAMS: [i64; 3] = [1, 2, 3];
pub const BANDS: [&str; 5] = ["under-25", "25-34", "35-44", "45-54", "55+"];
pub const MODES: [&str; 2] = ["self", "interview"];
pub const LANGUAGES: [&str; 3] = ["da", "en", "ar"];
pub const QUARTERS: [&str; 4] = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"];

/// What is planted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plant {
    /// No one has the ground "health"; the person has it when they differ.
    RareGround,
    /// Everyone has the ground "health"; the person lacks it when they differ.
    CommonGround,
    /// Everyone's channel is analogue; the person's is assisted when they differ.
    Channel,
}

pub const PLANTS: [Plant; 3] = [Plant::RareGround, Plant::CommonGround, Plant::Channel];

/// One person of a dataset.
#[derive(Clone, Debug)]
pub struct Person {
    pub team: i64,
    pub band: &'static str,
    pub mode: &'static str,
    pub language: &'static str,
    /// 1..=12 in 2025.
    pub month: u8,
    pub health: bool,
    pub assisted: bool,
    pub key: i64,
}

impl Person {
    pub fn fact(&self, id: i64) -> FactRow {
        let finished_at = Date::from_calendar_date(
            2025,
            Month::try_from(self.month).unwrap_or(Month::January),
            15,
        )
        .map(|d| d.with_time(Time::MIDNIGHT).assume_utc())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let channel = if self.assisted {
            "assisted"
        } else {
            "analogue"
        };
        let mut codes = vec![("reason".to_owned(), "no_mitid".to_owned())];
        if self.health {
            codes.push(("ground".to_owned(), "health".to_owned()));
        }
        FactRow {
            id,
            case_id: None,
            finished_at,
            team_id: Some(self.team),
            age_band: Some(self.band.to_owned()),
            mode: self.mode.to_owned(),
            language: self.language.to_owned(),
            channel: channel.to_owned(),
            override_channel: None,
            override_category: None,
            rule: if self.assisted { 5 } else { 1 },
            borderline: false,
            provisional: false,
            scores: [Some(40), Some(40), Some(40)],
            codes,
            record_key: self.key,
            self_rating: None,
            observed_task: None,
        }
    }

    /// Whether this person is counted in a series.
    pub fn in_series(&self, series: &str) -> bool {
        match series.split_once(':') {
            None => true,
            Some(("team", t)) => t == self.team.to_string(),
            Some(("band", b)) => b == self.band,
            Some(("mode", m)) => m == self.mode,
            Some(("language", l)) => l == self.language,
            Some(_) => false,
        }
    }

    fn quarter(&self) -> usize {
        usize::from((self.month - 1) / 3)
    }
}

/// A random population with one planted person (index 0); `differs` is the secret.
pub fn dataset(rng: &mut DemoRng, plant: Plant, differs: bool) -> Vec<Person> {
    let n = 30 + rng.below(171) as usize;
    let mut people: Vec<Person> = (0..n)
        .map(|_| {
            let team_draw = rng.next_f64().powf(1.5);
            let lang_draw = rng.next_f64();
            Person {
                team: TEAMS[((team_draw * 3.0) as usize).min(2)],
                band: BANDS[rng.below(5) as usize],
                mode: MODES[rng.below(2) as usize],
                language: if lang_draw < 0.7 {
                    "da"
                } else if lang_draw < 0.85 {
                    "en"
                } else {
                    "ar"
                },
                month: 1 + rng.below(12) as u8,
                health: plant == Plant::CommonGround,
                assisted: false,
                key: (rng.next_u64() >> 32) as i64,
            }
        })
        .collect();
    if differs {
        match plant {
            Plant::RareGround => people[0].health = true,
            Plant::CommonGround => people[0].health = false,
            Plant::Channel => people[0].assisted = true,
        }
    }
    people
}

/// Every series the dashboard offers for these people.
pub fn all_series() -> Vec<String> {
    let mut out = vec!["all".to_owned()];
    out.extend(TEAMS.iter().map(|t| format!("team:{t}")));
    out.extend(BANDS.iter().map(|b| format!("band:{b}")));
    out.extend(MODES.iter().map(|m| format!("mode:{m}")));
    out.extend(LANGUAGES.iter().map(|l| format!("language:{l}")));
    out
}

/// Every range of whole quarters (a range reaching past the data equals one of these).
pub fn all_ranges() -> Vec<(usize, usize)> {
    (0..4).flat_map(|a| (a..4).map(move |b| (a, b))).collect()
}

/// The figures of one view the attacker can read, and the people in it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub members: Vec<bool>,
    pub people: Figure,
    /// Ground "health", computed analogue, computed assisted, after-override analogue,
    /// after-override assisted.
    pub figures: [Figure; 5],
}

pub const WATCHED: [usize; 5] = [
    cube::GROUNDS + 4,
    cube::COMPUTED,
    cube::COMPUTED + 1,
    cube::AFTER,
    cube::AFTER + 1,
];

/// The cube's month rows of a series, as `cube_series` sums them.
pub fn month_rows(
    cells: &BTreeMap<CellKey, [i64; WIDTH]>,
    series: &str,
) -> Vec<(String, [i64; WIDTH])> {
    let mut months: BTreeMap<String, [i64; WIDTH]> = BTreeMap::new();
    for (cell, row) in cells {
        let inside = match series.split_once(':') {
            None => true,
            Some(("team", t)) => t == cell.team_id.to_string(),
            Some(("band", b)) => b == cell.age_band,
            Some(("mode", m)) => m == cell.mode,
            Some(("language", l)) => l == cell.language,
            Some(_) => false,
        };
        if inside {
            let sum = months.entry(cell.month.clone()).or_insert([0; WIDTH]);
            for (x, n) in sum.iter_mut().zip(row) {
                *x += n;
            }
        }
    }
    months.into_iter().collect()
}

/// Every view of a dataset as a manager sees it.
pub fn read_every_view(people: &[Person], secret: &Secret, k: u64) -> Vec<Seen> {
    let mut tally = CubeTally::default();
    for (i, p) in people.iter().enumerate() {
        tally.add(&p.fact(i as i64 + 1));
    }
    let cells = tally.finish();
    let mut out = Vec::new();
    for series in all_series() {
        let months = month_rows(&cells, &series);
        for (a, b) in all_ranges() {
            let range = Range {
                from: Some(QUARTERS[a].to_owned()),
                until: Some(QUARTERS[b].to_owned()),
            };
            let view = cube::publish_slots(secret, &series, &months, &range, &WATCHED);
            let people_fig = Figure::shown(view.people, k);
            let visible = people_fig.count().is_some();
            let figures = WATCHED.map(|slot| {
                if visible {
                    Figure::shown(view.slots[slot], k)
                } else {
                    Figure::FewerThanK
                }
            });
            out.push(Seen {
                members: people
                    .iter()
                    .map(|p| p.in_series(&series) && (a..=b).contains(&p.quarter()))
                    .collect(),
                people: people_fig,
                figures,
            });
        }
    }
    out
}

/// The attacker's evidence that the person differs, from a figure's difference: for the
/// quantities the person adds one to when they differ (rare ground, assisted) the
/// difference itself; for the others, one minus it.
fn differs_from(watched: usize, plant: Plant, one_if_person_counted: f64) -> Option<f64> {
    let rises_when_differs = match (plant, watched) {
        (Plant::RareGround, 0) => true,
        (Plant::CommonGround, 0) => false,
        (Plant::Channel, 2 | 4) => true,
        (Plant::Channel, 1 | 3) => false,
        _ => return None,
    };
    Some(if rises_when_differs {
        one_if_person_counted
    } else {
        1.0 - one_if_person_counted
    })
}

/// The three guesses (`None`: no usable figure, so a coin is tossed).
pub fn guesses(views: &[Seen], plant: Plant) -> [Option<bool>; 3] {
    let with: Vec<&Seen> = views.iter().filter(|v| v.members[0]).collect();
    let without: Vec<&Seen> = views.iter().filter(|v| !v.members[0]).collect();
    // (1) and (2): pairs of views whose people differ by exactly the person.
    let mut diffs = Vec::new();
    for v in &with {
        for w in &without {
            let inside = w.members.iter().zip(&v.members).all(|(a, b)| !a || *b);
            // Counted only when `w`'s people are inside `v`'s (so `v` has no fewer).
            let extra = v
                .members
                .iter()
                .filter(|m| **m)
                .count()
                .checked_sub(w.members.iter().filter(|m| **m).count());
            if !inside || extra != Some(1) {
                continue;
            }
            for q in 0..WATCHED.len() {
                if let (Some(a), Some(b)) = (v.figures[q].count(), w.figures[q].count()) {
                    if let Some(e) = differs_from(q, plant, a as f64 - b as f64) {
                        diffs.push(e);
                    }
                }
            }
        }
    }
    let first = diffs.first().map(|d| *d >= 0.5);
    let average =
        (!diffs.is_empty()).then(|| diffs.iter().sum::<f64>() / diffs.len() as f64 >= 0.5);
    // (3): the group's count minus the attribute's count, where everyone else has it.
    let mut gaps = Vec::new();
    for v in &with {
        let Some(n) = v.people.count() else { continue };
        for q in 0..WATCHED.len() {
            let common = matches!(
                (plant, q),
                (Plant::CommonGround, 0) | (Plant::Channel, 1 | 3)
            );
            if let (true, Some(a)) = (common, v.figures[q].count()) {
                gaps.push(n as f64 - a as f64);
            }
        }
    }
    let group = (!gaps.is_empty()).then(|| gaps.iter().sum::<f64>() / gaps.len() as f64 >= 0.5);
    [first, average, group]
}

/// The share of right guesses of each strategy over `datasets` random datasets.
pub fn attack_rates(datasets: usize, k: u64, seed: u64) -> [f64; 3] {
    let mut rng = DemoRng::new(seed);
    let mut right = [0usize; 3];
    for d in 0..datasets {
        let plant = PLANTS[d % PLANTS.len()];
        let differs = rng.below(2) == 1;
        let people = dataset(&mut rng, plant, differs);
        let mut secret_bytes = [0u8; 32];
        for b in secret_bytes.iter_mut() {
            *b = rng.below(256) as u8;
        }
        let views = read_every_view(&people, &Secret::new(secret_bytes), k);
        for (i, g) in guesses(&views, plant).into_iter().enumerate() {
            let guess = g.unwrap_or_else(|| rng.below(2) == 1);
            if guess == differs {
                right[i] += 1;
            }
        }
    }
    right.map(|r| r as f64 / datasets as f64)
}

/// Every view with exact counts, hidden below k only: the old dashboard's weakness.
pub fn read_exact(people: &[Person], k: u64) -> Vec<Seen> {
    let mut out = Vec::new();
    for series in all_series() {
        for (a, b) in all_ranges() {
            let members: Vec<bool> = people
                .iter()
                .map(|p| p.in_series(&series) && (a..=b).contains(&p.quarter()))
                .collect();
            let inside = || {
                people
                    .iter()
                    .zip(&members)
                    .filter(|(_, m)| **m)
                    .map(|(p, _)| p)
            };
            let count = |f: &dyn Fn(&Person) -> bool| inside().filter(|p| f(p)).count() as i64;
            let n = count(&|_| true);
            let exact = [
                count(&|p| p.health),
                count(&|p| !p.assisted),
                count(&|p| p.assisted),
                count(&|p| !p.assisted),
                count(&|p| p.assisted),
            ];
            out.push(Seen {
                members,
                people: Figure::shown(n, k),
                figures: exact.map(|c| Figure::shown(c, k)),
            });
        }
    }
    out
}
