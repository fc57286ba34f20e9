//! Publishing a view of the cube: its month rows added up per quarter, every figure
//! adjusted and protected by `domain::disclosure`.

use std::collections::BTreeMap;

use super::*;

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

/// Per occupied quarter of the range: the published people and the published `slots`, in
/// their order (a trend of any quantities of the cube).
pub fn publish_trend(
    secret: &disclosure::Secret,
    series: &str,
    months: &[(String, [i64; WIDTH])],
    range: &disclosure::Range,
    slots: &[usize],
) -> Vec<(String, i64, Vec<i64>)> {
    let quarters = quarters(months);
    let s = disclosure::Series {
        name: series.to_owned(),
        periods: quarters.keys().cloned().collect(),
    };
    let rows: Vec<&[i64; WIDTH]> = quarters.values().collect();
    let names = count_names();
    let each: Vec<Vec<(String, i64)>> = slots
        .iter()
        .filter(|s| **s < SLOTS)
        .map(|&slot| {
            let tallies: Vec<disclosure::Tally> = rows
                .iter()
                .map(|r| disclosure::Tally {
                    count: r[slot],
                    key_sum: r[KEYS + slot],
                })
                .collect();
            s.publish_each(secret, &names[slot], &tallies, range)
        })
        .collect();
    let people: Vec<disclosure::Tally> = rows.iter().map(|r| people_of(r)).collect();
    s.publish_each(secret, PEOPLE, &people, range)
        .into_iter()
        .enumerate()
        .map(|(i, (q, n))| {
            let values = each
                .iter()
                .map(|e| e.get(i).map_or(0, |(_, v)| *v))
                .collect();
            (q, n, values)
        })
        .collect()
}
