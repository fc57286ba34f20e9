//! Statistics for manager reports: Cronbach's alpha for each dimension. Disclosure control
//! of every published figure is `domain::disclosure`.

/// One published number: shown, or hidden by disclosure control.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Shown {
    Count(u64),
    Hidden,
}

impl Shown {
    /// The order of a ranked list: shown figures largest first, hidden ones after all of
    /// them and equal among themselves, so a list's order says nothing about a hidden
    /// figure (a stable sort keeps them in their given order).
    pub fn ranked(a: &Shown, b: &Shown) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        match (a, b) {
            (Shown::Count(x), Shown::Count(y)) => y.cmp(x),
            (Shown::Count(_), Shown::Hidden) => Ordering::Less,
            (Shown::Hidden, Shown::Count(_)) => Ordering::Greater,
            (Shown::Hidden, Shown::Hidden) => Ordering::Equal,
        }
    }
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

    /// Sums kept elsewhere (`item_cube`): n, Σx and Σx² per item, ΣT and ΣT².
    pub fn from_parts(
        n: u64,
        sum: Vec<i64>,
        sum_sq: Vec<i64>,
        total: i64,
        total_sq: i64,
    ) -> AlphaSums {
        if sum.len() != sum_sq.len() {
            return AlphaSums::default();
        }
        AlphaSums {
            n,
            sum,
            sum_sq,
            total,
            total_sq,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_figures_rank_after_every_shown_one_in_their_given_order() {
        let mut list = vec![
            ("a", Shown::Hidden),
            ("b", Shown::Count(3)),
            ("c", Shown::Hidden),
            ("d", Shown::Count(9)),
        ];
        list.sort_by(|x, y| Shown::ranked(&x.1, &y.1));
        let order: Vec<&str> = list.iter().map(|x| x.0).collect();
        assert_eq!(order, ["d", "b", "a", "c"]);
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
