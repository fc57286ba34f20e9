//! Calendar months, counted once for the whole service: the re-screening date, the
//! retention cut-off, the dashboard's month steps and the demo data all shift a date by
//! whole months the same way (a day past the end of a shorter month becomes its last).

use time::{Date, Month};

/// The same day `months` later (negative: earlier), the last day of a shorter month.
pub fn shift_months(d: Date, months: i64) -> Date {
    let index = i64::from(d.year()) * 12 + i64::from(u8::from(d.month())) - 1 + months;
    let year = i32::try_from(index.div_euclid(12)).unwrap_or(d.year());
    let month = u8::try_from(index.rem_euclid(12) + 1)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .unwrap_or(Month::January);
    Date::from_calendar_date(year, month, d.day().min(month.length(year))).unwrap_or(d)
}

/// The first day of `d`'s month.
pub fn first_of_month(d: Date) -> Date {
    d.replace_day(1).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months_shift_across_years_and_clamp_to_the_month_end() {
        assert_eq!(
            shift_months(date!(2026 - 11 - 30), 3),
            date!(2027 - 02 - 28)
        );
        assert_eq!(
            shift_months(date!(2024 - 03 - 31), -1),
            date!(2024 - 02 - 29)
        );
        assert_eq!(
            shift_months(date!(2026 - 01 - 15), -13),
            date!(2024 - 12 - 15)
        );
        assert_eq!(
            shift_months(date!(2026 - 12 - 01), 1),
            date!(2027 - 01 - 01)
        );
        assert_eq!(first_of_month(date!(2026 - 11 - 30)), date!(2026 - 11 - 01));
    }
}
