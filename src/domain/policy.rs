//! The workflow rules of the service, each written once: how long a result stays on the
//! device, how long an invite code works, how sign-in failures slow further tries, which
//! letters a resume code uses, and when a case is due for re-screening. Pure functions of
//! their inputs (the clock and the random source are passed in), so each is tested here.

use time::{Date, Duration, OffsetDateTime};

use super::case::RESCREEN_MONTHS;

/// A finished self-assessment is shown on the device only this long after sending, so a
/// shared or lost device does not keep showing a person's result.
pub const RESULT_GRACE: Duration = Duration::hours(2);

/// Whether a self-assessment finished at `finished_at` (or not yet) is still shown on
/// the device at `now`.
pub fn within_grace(finished_at: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
    finished_at.is_none_or(|t| now - t < RESULT_GRACE)
}

/// How long an invite code from the job centre works: two weeks covers a letter and a
/// reminder.
pub const INVITE_VALIDITY: Duration = Duration::days(14);

/// When an invite code handed out at `now` stops working.
pub fn invite_expires(now: OffsetDateTime) -> OffsetDateTime {
    now + INVITE_VALIDITY
}

/// Failed sign-ins are remembered this long.
pub const THROTTLE_WINDOW: time::Duration = time::Duration::minutes(15);
/// Failures from one address at one account before each further try has to wait.
pub const FREE_TRIES_PER_ACCOUNT: usize = 5;
/// Failures from one address (at any accounts) before each further try has to wait.
pub const FREE_TRIES_PER_ADDRESS: usize = 20;
/// The longest wait between two tries.
pub const MAX_WAIT: time::Duration = time::Duration::seconds(60);

/// How long a try must still wait, given the failures counted under one key (newest
/// first) and how many are free: 1 s after the first failure beyond them, then twice as
/// long after each further one, at most a minute, counted from the last failure. A
/// throttle, never a lock: the right person with the right password gets in after at
/// most a minute, and failures from other addresses never slow an account down.
pub fn wait_before_try(
    failures: &[time::OffsetDateTime],
    free: usize,
    now: time::OffsetDateTime,
) -> Option<time::Duration> {
    let beyond = failures.len().checked_sub(free)?;
    let last = *failures.first()?;
    let wait = time::Duration::seconds(1i64 << beyond.min(6)).min(MAX_WAIT);
    let ready = last + wait;
    (ready > now).then(|| ready - now)
}

/// Letters and digits that cannot be mistaken for each other when read aloud or
/// handwritten (no 0/O, 1/I/L, 2/Z, 5/S, 8/B, G/6, U/V).
pub const RESUME_ALPHABET: &[u8] = b"ACDEFHJKMNPRTWXY34679";
/// Ten characters, about 44 bits: shown as `ACDEF-HJKMN`. Guessing is further slowed by
/// the rate limit on `/self/resume`, and a code stops working once the answers are sent.
pub const RESUME_CODE_LEN: usize = 10;

/// A resume (or invite) code drawn with `pick`, which returns an index below its argument.
pub fn resume_code(mut pick: impl FnMut(usize) -> usize) -> String {
    (0..RESUME_CODE_LEN)
        .map(|_| {
            let i = pick(RESUME_ALPHABET.len()).min(RESUME_ALPHABET.len() - 1);
            char::from(RESUME_ALPHABET[i])
        })
        .collect()
}

/// Normalises what a person typed: case, spaces and dashes do not matter.
pub fn normalise_resume_code(input: &str) -> String {
    input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A code as shown to the person, in two groups: `ACDEF-HJKMN`.
pub fn format_resume_code(code: &str) -> String {
    match (code.get(..5), code.get(5..)) {
        (Some(head), Some(tail)) if code.len() == RESUME_CODE_LEN => format!("{head}-{tail}"),
        _ => code.to_owned(),
    }
}

/// The same day `months` later (the last day of a shorter month).
pub fn add_months(d: Date, months: u8) -> Date {
    super::calendar::shift_months(d, i64::from(months))
}

/// When a case whose latest result finished on `finished` is due for re-screening: a
/// provisional or borderline result is looked at again after `RESCREEN_MONTHS`.
pub fn rescreen_due(finished: Date, provisional: bool, borderline: bool) -> Option<Date> {
    (provisional || borderline).then(|| add_months(finished, RESCREEN_MONTHS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_wait_doubles_after_the_free_tries_and_stops_at_a_minute() {
        let now = datetime!(2026-11-30 10:00:00 UTC);
        let failures = |n: usize, last: time::OffsetDateTime| vec![last; n];
        assert_eq!(wait_before_try(&failures(4, now), 5, now), None);
        assert_eq!(
            wait_before_try(&failures(5, now), 5, now),
            Some(time::Duration::seconds(1))
        );
        assert_eq!(
            wait_before_try(&failures(7, now), 5, now),
            Some(time::Duration::seconds(4))
        );
        let long_ago = now - time::Duration::seconds(5);
        assert_eq!(wait_before_try(&failures(7, long_ago), 5, now), None);
        assert_eq!(wait_before_try(&failures(40, now), 5, now), Some(MAX_WAIT));
        // An address gets more free tries than one account at it.
        assert_eq!(
            wait_before_try(&failures(19, now), FREE_TRIES_PER_ADDRESS, now),
            None
        );
        assert!(wait_before_try(&failures(20, now), FREE_TRIES_PER_ADDRESS, now).is_some());
    }

    #[test]
    fn a_result_leaves_the_device_after_the_grace_period() {
        let now = datetime!(2026-11-30 10:00:00 UTC);
        assert!(within_grace(None, now));
        assert!(within_grace(Some(now - Duration::minutes(119)), now));
        assert!(!within_grace(Some(now - RESULT_GRACE), now));
        assert_eq!(invite_expires(now), datetime!(2026-12-14 10:00:00 UTC));
    }

    #[test]
    fn codes_use_only_unmistakable_characters_and_read_back_however_typed() {
        let mut n = 0;
        let code = resume_code(|len| {
            n += 7;
            n % len
        });
        assert_eq!(code.len(), RESUME_CODE_LEN);
        assert!(code.bytes().all(|b| RESUME_ALPHABET.contains(&b)));
        assert_eq!(
            normalise_resume_code(&format_resume_code(&code).to_lowercase()),
            code
        );
        assert_eq!(normalise_resume_code(" acd ef-hj k "), "ACDEFHJK");
    }

    #[test]
    fn provisional_or_borderline_results_are_due_three_months_on() {
        use time::macros::date;
        assert_eq!(
            rescreen_due(date!(2026 - 11 - 30), true, false),
            Some(date!(2027 - 02 - 28))
        );
        assert_eq!(
            rescreen_due(date!(2026 - 01 - 15), false, true),
            Some(date!(2026 - 04 - 15))
        );
        assert_eq!(rescreen_due(date!(2026 - 01 - 15), false, false), None);
    }
}
