//! Statistics for manager reports: small-cell suppression so no count can single out a person,
//! Cronbach's alpha for each dimension, and answer rates per item.

use serde::{Deserialize, Serialize};

/// One published count. A suppressed cell holds fewer than k people or, when hidden to protect
/// another cell, any nonzero count, so a "fewer than k" label is not always literally true.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cell {
    Count(u64),
    Suppressed,
}

/// A two-dimensional count table (e.g. team × channel) after suppression, with its margins.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub cells: Vec<Vec<Cell>>,
    pub row_totals: Vec<Cell>,
    pub column_totals: Vec<Cell>,
    pub total: Cell,
}

/// Suppresses a one-dimensional distribution and its total for threshold `k`.
///
/// A zero is always shown: "nobody" identifies no one, and every suppressed cell is then known
/// to be at least one. A cell with `0 < count < k` is suppressed; a total below `k` takes every
/// nonzero cell with it, since each is at most the total. When exactly one cell is suppressed
/// beside a shown total, subtraction would reveal it, so the smallest other nonzero shown cell
/// (the first on ties) is suppressed too, or else the total.
///
/// Known gap: only subtraction along one line is prevented. In `[1, 1, 50]` with k = 10 the two
/// suppressed cells sum to 2 and, being nonzero, must both be 1.
pub fn suppress(counts: &[u64], k: u64) -> (Vec<Cell>, Cell) {
    let n = counts.len();
    let mut values = counts.to_vec();
    values.push(sum(counts.iter().copied()));
    let line = Line {
        cells: (0..n).collect(),
        margin: n,
    };
    let grid = Grid::suppress(values, vec![line], k);
    ((0..n).map(|i| grid.cell(i)).collect(), grid.cell(n))
}

/// Suppresses a table with row totals, column totals and a grand total for threshold `k`.
///
/// The rules of [`suppress`] hold for every row and every column, with the row totals and the
/// column totals as two more lines whose margin is the grand total. Margins below `k` are
/// suppressed like cells. Complementary suppression repeats until no line has exactly one
/// suppressed entry among its cells and margin; each round suppresses one more entry, so it
/// ends. Ragged rows are padded with zeros to the widest row. As in [`suppress`], only
/// subtraction along a single line is prevented, not solving several lines together.
pub fn suppress_table(rows: &[Vec<u64>], k: u64) -> Table {
    let height = rows.len();
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let at = |i: usize, j: usize| i * (width + 1) + j;
    let mut values = vec![0_u64; at(height, width) + 1];
    for (i, row) in rows.iter().enumerate() {
        for (j, &count) in row.iter().enumerate() {
            for entry in [at(i, j), at(i, width), at(height, j), at(height, width)] {
                values[entry] = values[entry].saturating_add(count);
            }
        }
    }
    let grid = Grid::suppress(values, grid_lines(height, width), k);
    Table {
        cells: (0..height)
            .map(|i| (0..width).map(|j| grid.cell(at(i, j))).collect())
            .collect(),
        row_totals: (0..height).map(|i| grid.cell(at(i, width))).collect(),
        column_totals: (0..width).map(|j| grid.cell(at(height, j))).collect(),
        total: grid.cell(at(height, width)),
    }
}

/// A suppressed entry of `table` whose value follows by subtraction along one row or column,
/// if any. Row `cells.len()` stands for the column totals, column `column_totals.len()` for the
/// row totals.
pub fn recoverable(table: &Table) -> Option<(usize, usize)> {
    let height = table.cells.len();
    let width = table.column_totals.len();
    let hidden = |i: usize, j: usize| entry(table, i, j) == Some(Cell::Suppressed);
    let rows = (0..=height).map(|i| (0..=width).map(|j| (i, j)).collect::<Vec<_>>());
    let columns = (0..=width).map(|j| (0..=height).map(|i| (i, j)).collect::<Vec<_>>());
    rows.chain(columns).find_map(|line| {
        let margin = *line.last()?;
        let hidden_cells: Vec<(usize, usize)> = line[..line.len() - 1]
            .iter()
            .copied()
            .filter(|&(i, j)| hidden(i, j))
            .collect();
        let mut suppressed = line.iter().copied().filter(|&(i, j)| hidden(i, j));
        if let (Some(only), None) = (suppressed.next(), suppressed.next()) {
            return Some(only);
        }
        // With the margin shown, the hidden cells add up to margin minus the shown cells;
        // if that equals their number, each is exactly one.
        let Some(Cell::Count(total)) = entry(table, margin.0, margin.1) else {
            return None;
        };
        let shown: u64 =
            sum(line[..line.len() - 1]
                .iter()
                .filter_map(|&(i, j)| match entry(table, i, j) {
                    Some(Cell::Count(n)) => Some(n),
                    _ => None,
                }));
        (hidden_cells.len() >= 2 && total.saturating_sub(shown) == hidden_cells.len() as u64)
            .then(|| hidden_cells[0])
    })
}

/// The entry at `(i, j)`, where row `cells.len()` and column `column_totals.len()` are margins.
fn entry(table: &Table, i: usize, j: usize) -> Option<Cell> {
    let (height, width) = (table.cells.len(), table.column_totals.len());
    match (i == height, j == width) {
        (false, false) => table.cells.get(i).and_then(|row| row.get(j)).copied(),
        (false, true) => table.row_totals.get(i).copied(),
        (true, false) => table.column_totals.get(j).copied(),
        (true, true) => Some(table.total),
    }
}

/// Cells that add up to a margin, so a reader can subtract along them.
struct Line {
    cells: Vec<usize>,
    margin: usize,
}

/// Every row and column of a `height × width` table laid out with stride `width + 1`,
/// including the totals row and the totals column.
fn grid_lines(height: usize, width: usize) -> Vec<Line> {
    let at = |i: usize, j: usize| i * (width + 1) + j;
    let rows = (0..=height).map(|i| Line {
        cells: (0..width).map(|j| at(i, j)).collect(),
        margin: at(i, width),
    });
    let columns = (0..=width).map(|j| Line {
        cells: (0..height).map(|i| at(i, j)).collect(),
        margin: at(height, j),
    });
    rows.chain(columns).collect()
}

/// Published counts and which of them are hidden.
struct Grid {
    values: Vec<u64>,
    hidden: Vec<bool>,
}

impl Grid {
    fn suppress(values: Vec<u64>, lines: Vec<Line>, k: u64) -> Self {
        let hidden = values.iter().map(|v| *v > 0 && *v < k).collect();
        let mut grid = Grid { values, hidden };
        while let Some(entry) = lines.iter().find_map(|line| grid.complement(line)) {
            grid.hidden[entry] = true;
        }
        grid
    }

    /// The entry to hide next if `line` gives away its only suppressed entry by subtraction.
    fn complement(&self, line: &Line) -> Option<usize> {
        let entries = line.cells.iter().chain([&line.margin]);
        let lone = entries.filter(|&&e| self.hidden[e]).count() == 1;
        // Every hidden cell is at least one; hidden cells that add up to exactly their
        // number beside a shown margin are each exactly one, so one more must go.
        let hidden: Vec<usize> = line
            .cells
            .iter()
            .copied()
            .filter(|&c| self.hidden[c])
            .collect();
        let all_ones = !self.hidden[line.margin]
            && hidden.len() >= 2
            && sum(hidden.iter().map(|&c| self.values[c])) == hidden.len() as u64;
        if !lone && !all_ones {
            return None;
        }
        // Zeros stay visible, so a suppressed entry is known to be nonzero; hiding a zero
        // would break that and protect nothing.
        line.cells
            .iter()
            .copied()
            .filter(|&c| !self.hidden[c] && self.values[c] > 0)
            .min_by_key(|&c| self.values[c])
            .or_else(|| (!self.hidden[line.margin]).then_some(line.margin))
    }

    fn cell(&self, entry: usize) -> Cell {
        match (self.hidden.get(entry), self.values.get(entry)) {
            (Some(false), Some(&v)) => Cell::Count(v),
            _ => Cell::Suppressed,
        }
    }
}

fn sum(counts: impl Iterator<Item = u64>) -> u64 {
    counts.fold(0, u64::saturating_add)
}

/// Cronbach's alpha for one dimension; each row is one respondent's scores on the same items.
///
/// Rows must be complete (the caller deletes listwise). Uses sample variances throughout.
/// `None` when alpha is undefined: fewer than two items or respondents, rows of unequal length,
/// totals that do not vary, or non-finite scores. Negative values are returned as they are,
/// because they signal items that work against each other.
pub fn cronbach_alpha(rows: &[Vec<f64>]) -> Option<f64> {
    let items = rows.first()?.len();
    if items < 2 || rows.len() < 2 || rows.iter().any(|row| row.len() != items) {
        return None;
    }
    let totals: Vec<f64> = rows.iter().map(|row| row.iter().sum()).collect();
    // Equal totals are tested exactly: rounding in the mean would otherwise leave a tiny
    // variance and a meaningless alpha.
    if totals.windows(2).all(|pair| pair[0] == pair[1]) {
        return None;
    }
    let item_variance: f64 = (0..items)
        .map(|j| sample_variance(rows.iter().map(|row| row[j])))
        .sum();
    let total_variance = sample_variance(totals.iter().copied());
    let k = items as f64;
    let alpha = k / (k - 1.0) * (1.0 - item_variance / total_variance);
    (total_variance > 0.0 && alpha.is_finite()).then_some(alpha)
}

/// The sums Cronbach's alpha follows from, added one complete respondent at a time, so
/// alpha over a million people needs no more memory than over ten. Answers are whole
/// numbers (twelfths), so the sums and both variances are exact.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AlphaSums {
    n: u64,
    sum: Vec<i64>,
    sum_sq: Vec<i64>,
    total: i64,
    total_sq: i64,
}

impl AlphaSums {
    pub fn new(items: usize) -> AlphaSums {
        AlphaSums {
            sum: vec![0; items],
            sum_sq: vec![0; items],
            ..AlphaSums::default()
        }
    }

    /// One respondent's answers to every item; a row of another length is ignored.
    pub fn add(&mut self, row: &[i64]) {
        if row.len() != self.sum.len() {
            return;
        }
        let t: i64 = row.iter().sum();
        for (j, x) in row.iter().enumerate() {
            self.sum[j] += x;
            self.sum_sq[j] += x * x;
        }
        self.total += t;
        self.total_sq += t * t;
        self.n += 1;
    }

    /// Adds another set of sums over the same items (a set of another length is ignored).
    pub fn merge(&mut self, other: &AlphaSums) {
        if other.sum.len() != self.sum.len() {
            return;
        }
        for j in 0..self.sum.len() {
            self.sum[j] += other.sum[j];
            self.sum_sq[j] += other.sum_sq[j];
        }
        self.total += other.total;
        self.total_sq += other.total_sq;
        self.n += other.n;
    }

    /// Respondents added.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// Alpha as `cronbach_alpha` computes it from the rows: `None` with fewer than two
    /// items or people, or when every total is the same.
    pub fn alpha(&self) -> Option<f64> {
        let items = self.sum.len();
        if items < 2 || self.n < 2 {
            return None;
        }
        let n = i128::from(self.n);
        // n(n-1) times each sample variance; the factor cancels in the ratio.
        let scaled = |sum: i64, sq: i64| n * i128::from(sq) - i128::from(sum) * i128::from(sum);
        let total = scaled(self.total, self.total_sq);
        if total <= 0 {
            return None;
        }
        let item: i128 = (0..items)
            .map(|j| scaled(self.sum[j], self.sum_sq[j]))
            .sum();
        let k = items as f64;
        let alpha = k / (k - 1.0) * (1.0 - item as f64 / total as f64);
        alpha.is_finite().then_some(alpha)
    }
}

fn sample_variance(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let n = values.clone().count() as f64;
    let mean = values.clone().sum::<f64>() / n;
    values.map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
}

/// How one item was answered, for the per-item summary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemCounts {
    pub answered: u64,
    pub missing: u64,
    pub dont_understand: u64,
    pub by_option: Vec<(String, u64)>,
}

/// `part` as a share of `whole`, or `None` when there is nothing to share.
pub fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Cell::{Count, Suppressed as S};

    /// Checks everything a manager could learn from one table, and that nothing is lost.
    fn assert_safe(rows: &[Vec<u64>], k: u64) {
        let table = suppress_table(rows, k);
        let (height, width) = (rows.len(), table.column_totals.len());
        let original = |i: usize, j: usize| {
            let span = |at: usize, end: usize| if at == end { 0..end } else { at..at + 1 };
            let row = |r: usize| {
                rows.get(r)
                    .map(|row| sum(span(j, width).map(|c| row.get(c).copied().unwrap_or(0))))
            };
            sum(span(i, height).filter_map(row))
        };
        for (i, j) in (0..=height).flat_map(|i| (0..=width).map(move |j| (i, j))) {
            match entry(&table, i, j) {
                Some(Count(shown)) => {
                    assert_eq!(shown, original(i, j), "{rows:?}");
                    assert!(shown == 0 || shown >= k, "small count shown in {rows:?}");
                }
                Some(S) => assert!(original(i, j) > 0, "zero suppressed in {rows:?}"),
                None => panic!("{table:?} has no entry ({i}, {j})"),
            }
        }
        assert_eq!(recoverable(&table), None, "{rows:?} -> {table:?}");
    }

    #[test]
    fn suppress_shows_zeros_and_large_counts() {
        assert_eq!(
            suppress(&[0, 10, 25], 10),
            (vec![Count(0), Count(10), Count(25)], Count(35))
        );
        assert_eq!(suppress(&[], 10), (vec![], Count(0)));
    }

    #[test]
    fn suppress_hides_small_cell_and_smallest_partner_first_on_ties() {
        let (cells, total) = suppress(&[3, 40, 12, 12, 0], 10);
        assert_eq!(cells, vec![S, Count(40), S, Count(12), Count(0)]);
        assert_eq!(total, Count(67));
    }

    #[test]
    fn suppress_keeps_two_small_cells_without_partner() {
        let (cells, total) = suppress(&[3, 40, 4], 10);
        assert_eq!((cells, total), (vec![S, Count(40), S], Count(47)));
    }

    #[test]
    fn hidden_cells_that_must_all_be_one_take_a_partner() {
        // Two hidden cells that add up to 2 beside a shown total would each be 1.
        let (cells, total) = suppress(&[1, 1, 50], 10);
        assert_eq!((cells, total), (vec![S, S, S], Count(52)));
        let table = suppress_table(&[vec![1, 1, 50], vec![30, 40, 50]], 10);
        assert_eq!(recoverable(&table), None, "{table:?}");
    }

    #[test]
    fn suppress_total_below_k_hides_every_nonzero_cell() {
        assert_eq!(suppress(&[2, 0, 5], 10), (vec![S, Count(0), S], S));
    }

    #[test]
    fn recoverable_finds_a_lone_suppressed_entry() {
        let mut table = suppress_table(&[vec![20, 30], vec![40, 50]], 10);
        assert_eq!(recoverable(&table), None);
        table.cells[1][0] = S;
        assert_eq!(recoverable(&table), Some((1, 0)));
        table.cells[1][0] = Count(40);
        table.total = S;
        assert_eq!(recoverable(&table), Some((2, 2)));
    }

    #[test]
    fn suppress_table_hides_margin_when_line_has_no_partner() {
        // Column 1 holds only the complementary 12, so its total must go instead.
        let table = suppress_table(&[vec![3, 12]], 10);
        assert_eq!(table.cells, vec![vec![S, S]]);
        assert_eq!(table.column_totals, vec![S, S]);
        assert_eq!(
            (table.row_totals, table.total),
            (vec![Count(15)], Count(15))
        );
    }

    #[test]
    fn suppress_table_crafted_tables_are_safe() {
        let tables: [&[Vec<u64>]; 8] = [
            &[vec![3, 40, 12], vec![25, 30, 11], vec![0, 14, 60]],
            &[vec![1, 1, 50], vec![20, 20, 20]],
            &[vec![5, 0, 0], vec![0, 0, 0], vec![30, 0, 9]],
            &[vec![9, 9], vec![9, 9]],
            &[vec![100], vec![2], vec![100]],
            &[vec![0, 0, 0, 4, 0, 100]],
            &[vec![12, 3], vec![0], vec![7, 7, 7]],
            &[],
        ];
        for rows in tables {
            assert_safe(rows, 10);
        }
        assert_eq!(
            suppress_table(&[vec![2], vec![1, 3]], 10).cells[0],
            vec![S, Count(0)]
        );
    }

    #[test]
    fn suppress_table_random_tables_leave_nothing_recoverable() {
        // A fixed xorshift keeps the run reproducible without a test dependency.
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move |bound: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % bound
        };
        for _ in 0..3000 {
            let (height, width) = (1 + next(5), 1 + next(6));
            let rows: Vec<Vec<u64>> = (0..height)
                .map(|_| {
                    (0..width)
                        .map(|_| match next(3) {
                            0 => 0,
                            1 => 1 + next(9),
                            _ => 10 + next(50),
                        })
                        .collect()
                })
                .collect();
            assert_safe(&rows, 10);
        }
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    #[test]
    fn cronbach_alpha_hand_computed_example() {
        // Items [2,4,3,5], [3,4,3,4], [3,5,4,4] have variances 5/3, 1/3, 2/3 (sum 8/3).
        // Totals [8,13,10,13]: mean 11, squares 9+4+1+4 = 18, variance 18/3 = 6.
        // alpha = 3/2 * (1 - (8/3)/6) = 3/2 * 5/9 = 5/6.
        let rows = [
            [2.0, 3.0, 3.0],
            [4.0, 4.0, 5.0],
            [3.0, 3.0, 4.0],
            [5.0, 4.0, 4.0],
        ];
        assert!(close(cronbach_alpha(&rows.map(Vec::from)), 5.0 / 6.0));
    }

    #[test]
    fn cronbach_alpha_identical_items_is_one() {
        let rows: Vec<Vec<f64>> = [1.0, 4.0, 2.0, 5.0, 3.0]
            .iter()
            .map(|&v| vec![v; 4])
            .collect();
        assert!(close(cronbach_alpha(&rows), 1.0));
    }

    #[test]
    fn cronbach_alpha_uncorrelated_is_zero_and_opposed_is_negative() {
        // Covariance 0: variances 1/3 + 1/3 equal the total variance 2/3, so alpha = 0.
        let uncorrelated = [[1.0, 1.0], [2.0, 1.0], [1.0, 2.0], [2.0, 2.0]].map(Vec::from);
        assert!(close(cronbach_alpha(&uncorrelated), 0.0));
        // Covariance -1: variances 5/3 + 5/3 over total 4/3 gives 2 * (1 - 5/2) = -3.
        let opposed = [[1.0, 3.0], [2.0, 4.0], [3.0, 1.0], [4.0, 2.0]].map(Vec::from);
        assert!(close(cronbach_alpha(&opposed), -3.0));
    }

    #[test]
    fn cronbach_alpha_undefined_cases_are_none() {
        assert_eq!(cronbach_alpha(&[]), None);
        assert_eq!(cronbach_alpha(&[vec![1.0], vec![2.0], vec![3.0]]), None);
        assert_eq!(cronbach_alpha(&[vec![1.0, 2.0]]), None);
        assert_eq!(cronbach_alpha(&[vec![1.0, 2.0], vec![2.0]]), None);
        assert_eq!(
            cronbach_alpha(&[vec![1.0, 2.0], vec![2.0, 1.0], vec![0.1, 2.9]]),
            None
        );
        assert_eq!(cronbach_alpha(&vec![vec![0.1, 0.2]; 3]), None);
        assert_eq!(cronbach_alpha(&[vec![1.0, f64::NAN], vec![2.0, 3.0]]), None);
    }

    #[test]
    fn rate_needs_a_whole() {
        assert_eq!(rate(1, 4), Some(0.25));
        assert_eq!(rate(0, 0), None);
    }

    #[test]
    fn alpha_from_sums_equals_alpha_from_rows() {
        let mut seed = 7u64;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for _ in 0..300 {
            let items = 2 + next(5) as usize;
            let people = 2 + next(40) as usize;
            let mut sums = AlphaSums::new(items);
            let mut rows = Vec::new();
            for _ in 0..people {
                let base = next(13) as i64;
                let row: Vec<i64> = (0..items)
                    .map(|_| (base + next(5) as i64 - 2).clamp(0, 12))
                    .collect();
                sums.add(&row);
                rows.push(row.iter().map(|x| *x as f64).collect::<Vec<f64>>());
            }
            assert_eq!(sums.n(), people as u64);
            match (sums.alpha(), cronbach_alpha(&rows)) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{a} vs {b}"),
                (a, b) => assert_eq!(a, b, "{rows:?}"),
            }
        }
        // Everyone alike: undefined, as from the rows.
        let mut same = AlphaSums::new(3);
        same.add(&[4, 4, 4]);
        same.add(&[4, 4, 4]);
        assert_eq!(same.alpha(), None);
        same.add(&[1, 2]);
        assert_eq!(same.n(), 2, "a short row is ignored");
    }
}
