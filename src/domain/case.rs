//! A recipient's case as the job centre knows it: a pseudonymous reference and a birth
//! year, shown only as an age band. No CPR numbers: a reference shaped like one is refused.

use serde::{Deserialize, Serialize};

use super::privacy::looks_like_cpr;

/// Longest case reference accepted; references are short labels such as "NORD-2041".
pub const MAX_REFERENCE_CHARS: usize = 40;
/// Months after a provisional or borderline result when the case is due for re-screening.
pub const RESCREEN_MONTHS: u8 = 3;

/// Why a new case was refused, one per field, so the form can say what is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseInputError {
    ReferenceMissing,
    ReferenceTooLong,
    ReferenceLooksLikeCpr,
    BirthYearMissing,
    BirthYearNotANumber,
    BirthYearOutOfRange,
}

impl CaseInputError {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseInputError::ReferenceMissing => "reference_missing",
            CaseInputError::ReferenceTooLong => "reference_too_long",
            CaseInputError::ReferenceLooksLikeCpr => "reference_cpr",
            CaseInputError::BirthYearMissing => "birth_year_missing",
            CaseInputError::BirthYearNotANumber => "birth_year_nan",
            CaseInputError::BirthYearOutOfRange => "birth_year_range",
        }
    }

    pub fn parse(s: &str) -> Option<CaseInputError> {
        CaseInputError::ALL.into_iter().find(|e| e.as_str() == s)
    }

    pub const ALL: [CaseInputError; 6] = [
        CaseInputError::ReferenceMissing,
        CaseInputError::ReferenceTooLong,
        CaseInputError::ReferenceLooksLikeCpr,
        CaseInputError::BirthYearMissing,
        CaseInputError::BirthYearNotANumber,
        CaseInputError::BirthYearOutOfRange,
    ];

    /// The form field the error belongs to.
    pub fn field(self) -> &'static str {
        match self {
            CaseInputError::ReferenceMissing
            | CaseInputError::ReferenceTooLong
            | CaseInputError::ReferenceLooksLikeCpr => "reference",
            CaseInputError::BirthYearMissing
            | CaseInputError::BirthYearNotANumber
            | CaseInputError::BirthYearOutOfRange => "birth_year",
        }
    }
}

/// A checked case reference: trimmed, non-empty, short, and not a CPR number.
pub fn parse_reference(text: &str) -> Result<String, CaseInputError> {
    let reference = text.trim();
    if reference.is_empty() {
        Err(CaseInputError::ReferenceMissing)
    } else if reference.chars().count() > MAX_REFERENCE_CHARS {
        Err(CaseInputError::ReferenceTooLong)
    } else if looks_like_cpr(reference) {
        Err(CaseInputError::ReferenceLooksLikeCpr)
    } else {
        Ok(reference.to_owned())
    }
}

/// A checked birth year: cash-benefit recipients are 15 to 100 years old this year.
pub fn parse_birth_year(text: &str, this_year: i32) -> Result<i32, CaseInputError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(CaseInputError::BirthYearMissing);
    }
    let year: i32 = text
        .parse()
        .map_err(|_| CaseInputError::BirthYearNotANumber)?;
    if (this_year - 100..=this_year - 15).contains(&year) {
        Ok(year)
    } else {
        Err(CaseInputError::BirthYearOutOfRange)
    }
}

/// Age bands wide enough that a band with a team and a month does not point at a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AgeBand {
    #[serde(rename = "under-25")]
    Under25,
    #[serde(rename = "25-34")]
    From25To34,
    #[serde(rename = "35-44")]
    From35To44,
    #[serde(rename = "45-54")]
    From45To54,
    #[serde(rename = "55+")]
    From55,
}

impl AgeBand {
    pub const ALL: [AgeBand; 5] = [
        AgeBand::Under25,
        AgeBand::From25To34,
        AgeBand::From35To44,
        AgeBand::From45To54,
        AgeBand::From55,
    ];

    /// The band of a person born in `birth_year`, counted in `this_year` (the age reached
    /// this year, so the band does not depend on a birthday the service does not know).
    pub fn of(birth_year: i32, this_year: i32) -> AgeBand {
        match this_year - birth_year {
            ..=24 => AgeBand::Under25,
            25..=34 => AgeBand::From25To34,
            35..=44 => AgeBand::From35To44,
            45..=54 => AgeBand::From45To54,
            _ => AgeBand::From55,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AgeBand::Under25 => "under-25",
            AgeBand::From25To34 => "25-34",
            AgeBand::From35To44 => "35-44",
            AgeBand::From45To54 => "45-54",
            AgeBand::From55 => "55+",
        }
    }

    pub fn parse(s: &str) -> Option<AgeBand> {
        AgeBand::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_checked_and_cpr_numbers_refused() {
        assert_eq!(parse_reference("  NORD-2041 "), Ok("NORD-2041".to_owned()));
        assert_eq!(parse_reference(" "), Err(CaseInputError::ReferenceMissing));
        assert_eq!(
            parse_reference(&"x".repeat(41)),
            Err(CaseInputError::ReferenceTooLong)
        );
        for cpr in ["010190-1234", "0101901234", "sag 010190 1234"] {
            assert_eq!(
                parse_reference(cpr),
                Err(CaseInputError::ReferenceLooksLikeCpr)
            );
        }
    }

    #[test]
    fn birth_years_are_plausible_and_bands_cover_every_age() {
        assert_eq!(parse_birth_year("1990", 2026), Ok(1990));
        assert_eq!(
            parse_birth_year("", 2026),
            Err(CaseInputError::BirthYearMissing)
        );
        assert_eq!(
            parse_birth_year("19x0", 2026),
            Err(CaseInputError::BirthYearNotANumber)
        );
        assert_eq!(
            parse_birth_year("2015", 2026),
            Err(CaseInputError::BirthYearOutOfRange)
        );
        assert_eq!(
            parse_birth_year("1920", 2026),
            Err(CaseInputError::BirthYearOutOfRange)
        );
        assert_eq!(AgeBand::of(2005, 2026), AgeBand::Under25);
        assert_eq!(AgeBand::of(2001, 2026), AgeBand::From25To34);
        assert_eq!(AgeBand::of(1990, 2026), AgeBand::From35To44);
        assert_eq!(AgeBand::of(1992, 2026), AgeBand::From25To34);
        assert_eq!(AgeBand::of(1972, 2026), AgeBand::From45To54);
        assert_eq!(AgeBand::of(1970, 2026), AgeBand::From55);
        for band in AgeBand::ALL {
            assert_eq!(AgeBand::parse(band.as_str()), Some(band));
        }
        for e in CaseInputError::ALL {
            assert_eq!(CaseInputError::parse(e.as_str()), Some(e));
        }
    }
}
