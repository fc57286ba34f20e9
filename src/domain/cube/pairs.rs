//! Self versus observed: which self-assessment and interview of a case form its pair, and
//! the bands of the self-rating S3 and the observed task O1 that the pair's table counts.

use time::OffsetDateTime;

use super::{CaseTrack, CellKey, PAIR_WINDOW_DAYS};

/// How far apart two times are, either way.
fn apart(a: OffsetDateTime, b: OffsetDateTime) -> time::Duration {
    let d: time::Duration = a - b;
    d.abs()
}

/// The self-rating S3 in three bands (`don't understand` counts as cannot, as it scores).
pub const SELF_RATINGS: [&str; 3] = ["cannot", "with_help", "alone"];
/// The observed task O1's outcomes, from worst.
pub const OBSERVED_TASKS: [&str; 3] = ["fail", "partial", "pass"];

/// The band of an S3 answer (`SELF_RATINGS`), given U1: with U1 = `never`, S3 is hidden
/// and counts as `cannot`. `None` when not answered or "rather not say".
pub fn self_rating_band(u1: Option<&str>, s3: Option<&str>) -> Option<usize> {
    if u1 == Some("never") {
        return Some(0);
    }
    match s3? {
        "cannot" | "dont_understand" => Some(0),
        "with_help" => Some(1),
        "alone" | "can_teach" => Some(2),
        _ => None,
    }
}

/// Both bands from an assessment's answers, by item id (S3's, then O1's).
pub fn answer_bands<'a>(
    answer: impl Fn(&str) -> Option<&'a str>,
) -> (Option<usize>, Option<usize>) {
    (
        self_rating_band(answer("U1"), answer("S3")),
        observed_task_band(answer("O1")),
    )
}

/// The outcome of O1 (`OBSERVED_TASKS`); `None` when not done or not answered.
pub fn observed_task_band(o1: Option<&str>) -> Option<usize> {
    OBSERVED_TASKS.iter().position(|t| Some(*t) == o1)
}

/// One side of a self-versus-observed pair.
#[derive(Clone, Debug)]
pub(super) struct PairSide {
    pub(super) key: (OffsetDateTime, i64),
    /// Self: the suggested channel; interview: the channel after any override.
    pub(super) channel: Option<usize>,
    pub(super) scores: [Option<i64>; 3],
    pub(super) band: Option<usize>,
    pub(super) record_key: i64,
}

impl CaseTrack {
    /// The latest interview with a self-assessment within the window, and the
    /// self-assessment nearest to it (the later one when two are as near).
    pub(super) fn pair(&self) -> Option<(&PairSide, &PairSide, &CellKey)> {
        let window = time::Duration::days(PAIR_WINDOW_DAYS);
        let mut interviews: Vec<&(PairSide, CellKey)> = self.interviews.iter().collect();
        interviews.sort_by(|a, b| b.0.key.cmp(&a.0.key));
        interviews.into_iter().find_map(|(observed, cell)| {
            let own = self
                .selves
                .iter()
                .filter(|s| apart(s.key.0, observed.key.0) <= window)
                .min_by(|a, b| {
                    let (da, db) = (
                        apart(a.key.0, observed.key.0),
                        apart(b.key.0, observed.key.0),
                    );
                    da.cmp(&db).then(b.key.cmp(&a.key))
                })?;
            Some((own, observed, cell))
        })
    }
}
