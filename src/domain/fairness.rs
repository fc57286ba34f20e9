//! The fairness monitor's test: does one group's share of a recommendation differ from
//! everyone else's by more than a margin, beyond what chance explains? Each share gets its
//! Wilson 95 % interval (`agreement::wilson`); a group is flagged when the difference is
//! larger than the margin and the two intervals do not overlap. Non-overlapping 95 %
//! intervals are a conservative test (stricter than a two-sample test at 5 %), so a flag
//! is rarely raised by chance; the margin keeps tiny but certain differences in large
//! groups from being flagged. Works on published (protected) counts only.

use super::agreement::wilson;

/// A share with its 95 % interval, all as fractions 0–1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Share {
    pub count: u64,
    pub of: u64,
    pub share: f64,
    pub low: f64,
    pub high: f64,
}

impl Share {
    /// `None` without anybody, or with more counted than there are.
    pub fn of(count: u64, of: u64) -> Option<Share> {
        let (low, high) = wilson(count, of)?;
        Some(Share {
            count,
            of,
            share: count as f64 / of as f64,
            low,
            high,
        })
    }

    fn overlaps(&self, other: &Share) -> bool {
        self.low <= other.high && other.low <= self.high
    }
}

/// One group beside everyone else.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gap {
    pub group: Share,
    pub rest: Share,
    /// The group's share minus the rest's, in percentage points.
    pub points: f64,
    /// Larger than the margin, and the intervals do not overlap.
    pub flagged: bool,
}

/// The group's `count` of `of` against everyone's `all_count` of `all_of` (the group
/// included). `None` when either side is empty or the counts do not add up.
pub fn gap(count: u64, of: u64, all_count: u64, all_of: u64, margin_points: f64) -> Option<Gap> {
    let group = Share::of(count, of)?;
    let rest = Share::of(all_count.checked_sub(count)?, all_of.checked_sub(of)?)?;
    let points = 100.0 * (group.share - rest.share);
    Some(Gap {
        group,
        rest,
        points,
        flagged: points.abs() > margin_points && !group.overlaps(&rest),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn a_gap_beyond_the_margin_with_separate_intervals_is_flagged() {
        // 30 of 60 in the group (50 %), 70 of 300 in all, so 40 of 240 in the rest
        // (16.7 %): 33.3 points apart. Wilson, z = 1.959964: the group's interval is
        // 0.5 ± 1.96·√(0.25/60 + 3.8415/14400)/1.064025 = 37.7–62.3 %, the rest's
        // 12.5–21.9 %. They do not overlap and 33.3 > 10: flagged.
        let g = gap(30, 60, 70, 300, 10.0).unwrap_or_else(|| panic!("no gap"));
        assert!(close(g.group.low, 0.377_350_242_415_557_7), "{g:?}");
        assert!(close(g.group.high, 0.622_649_757_584_442_3), "{g:?}");
        assert!(close(g.rest.low, 0.124_847_593_478_648_77), "{g:?}");
        assert!(close(g.rest.high, 0.218_988_353_149_057_12), "{g:?}");
        assert!(close(g.points, 100.0 / 3.0), "{g:?}");
        assert!(g.flagged);
        // The same gap under a margin of 40 points is not flagged.
        assert!(!gap(30, 60, 70, 300, 40.0).is_some_and(|g| g.flagged));
    }

    #[test]
    fn a_gap_beyond_the_margin_within_chance_is_not_flagged() {
        // 12 of 40 (30 %) against 45 of 250 (18 %): 12 points, but the intervals
        // 18.1–45.4 % and 13.7–23.2 % overlap, so chance can explain it.
        let g = gap(12, 40, 57, 290, 10.0).unwrap_or_else(|| panic!("no gap"));
        assert!(close(g.points, 12.0), "{g:?}");
        assert!(close(g.rest.low, 0.137_333_432_301_441_74), "{g:?}");
        assert!(close(g.rest.high, 0.232_351_879_375_642_78), "{g:?}");
        assert!(!g.flagged);
    }

    #[test]
    fn empty_sides_give_no_gap() {
        assert_eq!(gap(0, 0, 10, 100, 10.0), None);
        assert_eq!(gap(10, 100, 10, 100, 10.0), None, "nobody else");
        assert_eq!(gap(11, 100, 10, 200, 10.0), None, "does not add up");
    }
}
