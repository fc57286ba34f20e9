//! Intervals and agreement measures for the management views: the Wilson score interval
//! of a share, Cohen's κ (two ratings of the same people) with its large-sample interval,
//! and Fleiss' κ (several raters of the same subjects). Worked examples in the tests.

/// z for a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval of `successes` out of `n` at 95 %, as shares (0–1); `None`
/// for n = 0. Unlike the plain normal interval it stays within 0–1 and is sound for
/// small groups and shares near 0 or 1.
pub fn wilson(successes: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 || successes > n {
        return None;
    }
    let (x, n) = (successes as f64, n as f64);
    let p = x / n;
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// Cohen's κ of a square table (rows: one rating, columns: the other).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Kappa {
    /// Observed agreement.
    pub observed: f64,
    /// Agreement expected by chance from the margins.
    pub expected: f64,
    pub kappa: f64,
    /// 95 % interval from the large-sample standard error √(pₒ(1−pₒ) / (n(1−pₑ)²)).
    pub low: f64,
    pub high: f64,
}

/// `None` without pairs, or when chance alone explains all agreement (pₑ = 1).
pub fn cohen_kappa<const K: usize>(table: &[[u64; K]; K]) -> Option<Kappa> {
    let n: u64 = table.iter().flatten().sum();
    if n == 0 {
        return None;
    }
    let n = n as f64;
    let observed = (0..K).map(|i| table[i][i] as f64).sum::<f64>() / n;
    let expected = (0..K)
        .map(|i| {
            let row: u64 = table[i].iter().sum();
            let column: u64 = table.iter().map(|r| r[i]).sum();
            row as f64 * column as f64
        })
        .sum::<f64>()
        / (n * n);
    if (1.0 - expected).abs() < f64::EPSILON {
        return None;
    }
    let kappa = (observed - expected) / (1.0 - expected);
    let se = (observed * (1.0 - observed) / (n * (1.0 - expected).powi(2))).sqrt();
    Some(Kappa {
        observed,
        expected,
        kappa,
        low: kappa - Z95 * se,
        high: kappa + Z95 * se,
    })
}

/// Fleiss' κ: `counts[i][j]` raters put subject i in category j. Subjects may have
/// different numbers of raters (the usual generalisation: each subject's agreement over
/// its own raters, category shares over all ratings); subjects with fewer than two are
/// left out. With equal raters it is Fleiss (1971) exactly. `None` without any subject
/// of two raters, or when pₑ = 1.
pub fn fleiss_kappa(counts: &[Vec<u64>]) -> Option<f64> {
    let kept: Vec<&Vec<u64>> = counts
        .iter()
        .filter(|c| c.iter().sum::<u64>() >= 2)
        .collect();
    if kept.is_empty() {
        return None;
    }
    let agreement = kept
        .iter()
        .map(|c| {
            let n = c.iter().sum::<u64>() as f64;
            (c.iter().map(|x| (x * x) as f64).sum::<f64>() - n) / (n * (n - 1.0))
        })
        .sum::<f64>()
        / kept.len() as f64;
    let ratings: u64 = kept.iter().map(|c| c.iter().sum::<u64>()).sum();
    let categories = kept.iter().map(|c| c.len()).max().unwrap_or(0);
    let chance: f64 = (0..categories)
        .map(|j| {
            let p = kept
                .iter()
                .map(|c| c.get(j).copied().unwrap_or(0))
                .sum::<u64>() as f64
                / ratings as f64;
            p * p
        })
        .sum();
    if (1.0 - chance).abs() < f64::EPSILON {
        return None;
    }
    Some((agreement - chance) / (1.0 - chance))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn wilson_worked_examples() {
        // 30 of 100: p = 0.3, z²/n = 0.038415, centre = (0.3 + 0.019207) / 1.038415
        // = 0.307399, half = 1.96 · √(0.0021 + 0.0000960) / 1.038415 = 0.088450.
        let (lo, hi) = wilson(30, 100).unwrap_or_default();
        assert!(
            close(lo, 0.218_948_852_949_327_6) && close(hi, 0.395_848_546_333_466_6),
            "{lo} {hi}"
        );
        // None of 20 still gives an upper bound above zero; all of 20 a lower bound below one.
        let (lo, hi) = wilson(0, 20).unwrap_or_default();
        assert!(
            close(lo, 0.0) && close(hi, 0.161_125_158_052_819_4),
            "{lo} {hi}"
        );
        let (lo, hi) = wilson(20, 20).unwrap_or_default();
        assert!(
            close(lo, 0.838_874_841_947_180_6) && close(hi, 1.0),
            "{lo} {hi}"
        );
        assert_eq!(wilson(0, 0), None);
        assert_eq!(wilson(3, 2), None);
    }

    #[test]
    fn cohen_kappa_worked_example() {
        // 50 pairs: 20 + 15 agree, pₒ = 0.7; margins 25/25 and 30/20 give
        // pₑ = (25·30 + 25·20) / 2500 = 0.5; κ = (0.7 − 0.5) / 0.5 = 0.4;
        // se = √(0.7 · 0.3 / (50 · 0.25)) = 0.129615, interval 0.4 ± 0.254040.
        let k = cohen_kappa(&[[20, 5], [10, 15]]).unwrap_or(Kappa {
            observed: 0.0,
            expected: 0.0,
            kappa: 0.0,
            low: 0.0,
            high: 0.0,
        });
        assert!(
            close(k.observed, 0.7) && close(k.expected, 0.5) && close(k.kappa, 0.4),
            "{k:?}"
        );
        assert!(
            close(k.low, 0.145_959_632_759_552_65) && close(k.high, 0.654_040_367_240_447_1),
            "{k:?}"
        );
        assert_eq!(cohen_kappa(&[[0u64; 3]; 3]), None);
        assert_eq!(
            cohen_kappa(&[[5, 0], [0, 0]]),
            None,
            "all in one cell: pₑ = 1"
        );
    }

    #[test]
    fn fleiss_kappa_worked_example() {
        // Fleiss (1971)'s layout as in the textbook example: 10 subjects, 14 raters,
        // 5 categories; P̄ = 0.378022, P̄ₑ = 0.213491, κ = 0.209931.
        let table: Vec<Vec<u64>> = vec![
            vec![0, 0, 0, 0, 14],
            vec![0, 2, 6, 4, 2],
            vec![0, 0, 3, 5, 6],
            vec![0, 3, 9, 2, 0],
            vec![2, 2, 8, 1, 1],
            vec![7, 7, 0, 0, 0],
            vec![3, 2, 6, 3, 0],
            vec![2, 5, 3, 2, 2],
            vec![6, 5, 2, 1, 0],
            vec![0, 2, 2, 3, 7],
        ];
        let k = fleiss_kappa(&table).unwrap_or(f64::NAN);
        assert!(close(k, 0.209_930_704_421_955_22), "{k}");
        assert_eq!(
            fleiss_kappa(&[vec![1, 0], vec![0, 2]]),
            None,
            "one subject of one rater is left out; the other alone is all chance"
        );
        // Unequal raters: 3, 2 and 3. P₁ = (4+1−3)/6 = 1/3, P₂ = (4−2)/2 = 1, P₃ = 0;
        // P̄ = 4/9. Shares of all 8 ratings: 3/8, 4/8, 1/8; P̄ₑ = 0.40625;
        // κ = (0.444444 − 0.40625) / 0.59375 = 0.064327.
        let k = fleiss_kappa(&[vec![2, 1, 0], vec![0, 2, 0], vec![1, 1, 1], vec![0, 0, 1]])
            .unwrap_or(f64::NAN);
        assert!(close(k, (4.0 / 9.0 - 0.40625) / 0.59375), "{k}");
        assert_eq!(fleiss_kappa(&[]), None);
    }
}
