//! Disclosure control for every figure a manager sees: the cell-key method, arranged so
//! that differencing two views only gives back what is already published.
//!
//! # Record keys and cell keys
//! Every finished result carries a random 32-bit *record key*, stored beside it and never
//! shown. The key sum of a set of records (modulo 2^32) is the *cell key* of the figure
//! that counts them, so the same contributors always give the same key.
//!
//! # Series, periods and the adjustment
//! A *view* is one *series* (everyone, or one narrowing: a team, an age band, a mode or a
//! language; never two at once) over a range of whole quarters. A series is split into its
//! quarters (*periods*); a period is *occupied* when at least one person of the series
//! finished an assessment in it. For each occupied period `p` and each published quantity
//! `q` (a channel, a ground, a score band, an item option, the number of people, ...)
//! a keyed hash of (secret, series, period, quantity, cell key) draws the *level*
//! `z(p, q)` from the p-table below. The figure published for a range is
//!
//! ```text
//!   true count over the range + z(last occupied period in the range, q)
//!                              − z(last occupied period before the range, q)
//! ```
//!
//! with `z` of "no period" = 0. Written per period, each period's own adjustment is
//! `z(p) − z(previous occupied period)`, and a range's adjustment is their sum, which
//! telescopes to the formula above. So:
//!
//! * **Views add up exactly from published period figures.** The difference of two ranges
//!   of a series is exactly the published figure of the periods between them, whichever
//!   pair of ranges is used: differencing and averaging many differences that isolate the
//!   same person all return the *same* number, with the same adjustment (trap (a)).
//! * **The adjustment stays small** however long the range: it is a difference of two
//!   levels, at most ±6, never growing with the number of periods or cells summed.
//! * **Zeros are adjusted too** (trap (c)): the level of a quantity no one in the period
//!   has is drawn from the secret and the cell's identity, so a true zero and a true one
//!   look alike.
//! * **Each quantity has its own draw** (trap (b)): a group's count and the count of an
//!   attribute all its members share have the same contributors but different draws, so
//!   "the two numbers are equal" says nothing.
//! * **Deterministic**: the same data gives the same figures, asked any number of times.
//!
//! # The p-table
//! The level is uniform on −3..=3 for every true count (seven equally likely values):
//! mean 0, variance 4. A period's own adjustment (a difference of two independent levels)
//! has variance 8 (standard deviation 2.8) and lies in −6..=6; so does any range's. A range
//! that starts at the series' first occupied period has only the last level: variance 4.
//! The variance is the smallest that kept every attack of the attack test (differencing,
//! averaging the differences that isolate a person, comparing an attribute's count with its
//! group's, over every view the dashboard offers) below 75 % right on small populations,
//! while a view of 1,000 people is off by at most 0.6 %.
//!
//! # What is shown
//! A published figure below k is shown as "fewer than k", whatever the true count (0
//! included), so no count in 1..k−1 is ever shown. When the number of people in a view
//! is below k, nothing of the view is shown. Shares are computed from published figures.
//!
//! # What this does not protect against
//! An attacker who knows every other person's answers exactly can, with many quarters of
//! data after the person's, estimate the level of the person's quarter from the later
//! levels (they are independent draws) and narrow the adjustment; the README's threat
//! model says so. Narrowing by one thing at a time and by whole quarters keeps the number
//! of overlapping views, and so this gain, small.

use blake2::digest::{KeyInit, Mac};

/// The largest level; levels are uniform on `-MAX_LEVEL..=MAX_LEVEL`.
pub const MAX_LEVEL: i64 = 3;

/// Record keys and cell keys live modulo 2^32.
pub const KEY_MODULUS: i64 = 1 << 32;

type LevelMac = blake2::Blake2bMac<blake2::digest::consts::U8>;

/// The installation's secret for drawing levels: 32 random bytes, stored once in the
/// database and shared by every application instance; never shown.
#[derive(Clone)]
pub struct Secret([u8; 32]);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    pub fn new(bytes: [u8; 32]) -> Secret {
        Secret(bytes)
    }

    /// From 64 hex digits, as stored.
    pub fn from_hex(text: &str) -> Option<Secret> {
        let bytes = hex::decode(text.trim()).ok()?;
        Some(Secret(bytes.try_into().ok()?))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The level of one quantity in one occupied period of a series.
    pub fn level(&self, series: &str, period: &str, quantity: &str, cell_key: i64) -> i64 {
        let Ok(mut mac) = <LevelMac as KeyInit>::new_from_slice(&self.0) else {
            // A 32-byte key always fits Blake2b; no level is better than a wrong one.
            return 0;
        };
        for part in [series, period, quantity] {
            mac.update(&(part.len() as u64).to_le_bytes());
            mac.update(part.as_bytes());
        }
        mac.update(&cell_key.rem_euclid(KEY_MODULUS).to_le_bytes());
        let bytes = mac.finalize().into_bytes();
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[..8]);
        let draw = u64::from_le_bytes(word) % (2 * MAX_LEVEL as u64 + 1);
        draw as i64 - MAX_LEVEL
    }
}

/// A quarter as `YYYY-Qn`; sorts in time order as text.
pub fn quarter_of_month(month: &str) -> Option<String> {
    let (year, m) = month.split_once('-')?;
    let m: u8 = m.parse().ok()?;
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) || !(1..=12).contains(&m) {
        return None;
    }
    Some(format!("{year}-Q{}", (m - 1) / 3 + 1))
}

/// Everyone; a narrowed series is `series_name(field, value)`.
pub const EVERYONE: &str = "all";

/// The name of the series narrowed by one filter (`team`, `band`, `mode`, `language`).
pub fn series_name(field: &str, value: &str) -> String {
    format!("{field}:{value}")
}

/// The series an assessment belongs to: everyone, and each of its filter values.
pub fn series_of(
    team_id: Option<i64>,
    age_band: Option<&str>,
    mode: &str,
    language: &str,
) -> Vec<String> {
    let mut out = vec![EVERYONE.to_owned()];
    if let Some(t) = team_id {
        out.push(series_name("team", &t.to_string()));
    }
    if let Some(b) = age_band.filter(|b| !b.is_empty()) {
        out.push(series_name("band", b));
    }
    out.push(series_name("mode", mode));
    out.push(series_name("language", language));
    out
}

/// The true count and cell key of one quantity in one occupied period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub count: i64,
    /// The sum of the contributors' record keys (any integer; taken modulo 2^32).
    pub key_sum: i64,
}

impl Tally {
    pub fn add(&mut self, other: Tally) {
        self.count += other.count;
        self.key_sum = (self.key_sum + other.key_sum).rem_euclid(KEY_MODULUS);
    }
}

/// One series: its name (part of every draw) and its occupied periods in time order.
#[derive(Clone, Debug)]
pub struct Series {
    pub name: String,
    /// Occupied periods only (at least one person), sorted.
    pub periods: Vec<String>,
}

/// A range of periods, both ends inclusive; `None` is open.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Range {
    pub from: Option<String>,
    pub until: Option<String>,
}

impl Range {
    pub fn contains(&self, period: &str) -> bool {
        self.from.as_deref().is_none_or(|f| period >= f)
            && self.until.as_deref().is_none_or(|u| period <= u)
    }
}

/// A figure as a manager may see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    Count(u64),
    /// Fewer than k, or too close to it to say.
    FewerThanK,
}

impl Figure {
    /// The figure shown for a published value.
    pub fn shown(published: i64, k: u64) -> Figure {
        match u64::try_from(published) {
            Ok(n) if n >= k => Figure::Count(n),
            _ => Figure::FewerThanK,
        }
    }

    pub fn count(self) -> Option<u64> {
        match self {
            Figure::Count(n) => Some(n),
            Figure::FewerThanK => None,
        }
    }
}

impl Series {
    /// The indexes of the last occupied period in the range and of the last one before it.
    fn ends(&self, range: &Range) -> (Option<usize>, Option<usize>) {
        let last_in = self
            .periods
            .iter()
            .rposition(|p| range.until.as_deref().is_none_or(|u| p.as_str() <= u));
        let before = match range.from.as_deref() {
            None => None,
            Some(f) => self.periods.iter().rposition(|p| p.as_str() < f),
        };
        // A range with no occupied period has the same end on both sides.
        match (last_in, before) {
            (Some(l), Some(b)) if l <= b => (Some(b), Some(b)),
            (None, b) => (b, b),
            ends => ends,
        }
    }

    /// The published value of one quantity over a range. `tallies[i]` belongs to
    /// `self.periods[i]`.
    pub fn publish(
        &self,
        secret: &Secret,
        quantity: &str,
        tallies: &[Tally],
        range: &Range,
    ) -> i64 {
        let mut truth = 0;
        for (period, t) in self.periods.iter().zip(tallies) {
            if range.contains(period) {
                truth += t.count;
            }
        }
        let level = |i: Option<usize>| {
            i.and_then(|i| Some((self.periods.get(i)?, tallies.get(i)?)))
                .map_or(0, |(p, t)| secret.level(&self.name, p, quantity, t.key_sum))
        };
        let (last, before) = self.ends(range);
        truth + level(last) - level(before)
    }

    /// The published value of one quantity in each occupied period of the range.
    pub fn publish_each(
        &self,
        secret: &Secret,
        quantity: &str,
        tallies: &[Tally],
        range: &Range,
    ) -> Vec<(String, i64)> {
        self.periods
            .iter()
            .filter(|p| range.contains(p))
            .map(|p| {
                let one = Range {
                    from: Some(p.clone()),
                    until: Some(p.clone()),
                };
                (p.clone(), self.publish(secret, quantity, tallies, &one))
            })
            .collect()
    }
}

pub mod attack;
#[cfg(test)]
mod tests;
