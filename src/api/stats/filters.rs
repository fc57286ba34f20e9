//! The dashboard's filters: a view is one series over whole quarters (`domain::disclosure`).

use time::{Date, Month, OffsetDateTime, Time};

use super::*;
use crate::domain::case::AgeBand;
use crate::domain::disclosure::{Range, quarter_of_month};
use crate::i18n::Lang;
use crate::server::db::StatsFilter;

pub(crate) fn month_start(text: &str) -> Option<OffsetDateTime> {
    let (y, m) = text.trim().split_once('-')?;
    let year: i32 = y.parse().ok()?;
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Some(
        Date::from_calendar_date(year, month, 1)
            .ok()?
            .with_time(Time::MIDNIGHT)
            .assume_utc(),
    )
}

pub(crate) fn next_month(t: OffsetDateTime) -> OffsetDateTime {
    let first = crate::domain::calendar::first_of_month(t.date());
    crate::domain::calendar::shift_months(first, 1)
        .with_time(Time::MIDNIGHT)
        .assume_utc()
}

/// The quarters of the last `years` years up to the one of `now`, newest first.
pub fn recent_quarters(now: OffsetDateTime, years: i32) -> Vec<String> {
    let this = 4 * now.year() + i32::from((u8::from(now.month()) - 1) / 3);
    (0..4 * years)
        .map(|back| {
            let q = this - back;
            format!("{}-Q{}", q.div_euclid(4), q.rem_euclid(4) + 1)
        })
        .collect()
}

/// A filter value that cannot be used: the field and the message key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FilterError {
    pub field: &'static str,
    pub message: &'static str,
}

impl FilterError {
    pub(crate) fn unreadable(field: &'static str) -> FilterError {
        FilterError {
            field,
            message: "error-dash-filter",
        }
    }
}

/// One view of the statistics: the database's filter, the series it narrows to and
/// its range of whole quarters (`domain::disclosure`).
#[derive(Clone, Debug, PartialEq)]
pub struct StatsView {
    pub filter: StatsFilter,
    pub series: String,
    pub range: Range,
}

impl StatsView {
    /// Everyone, all the time.
    pub fn everyone() -> StatsView {
        StatsView {
            filter: StatsFilter::default(),
            series: crate::domain::disclosure::EVERYONE.to_owned(),
            range: Range::default(),
        }
    }
}

/// `YYYY-Qn`, or `YYYY-MM` for the quarter it falls in: the quarter's name and the
/// start of its first month.
pub(crate) fn quarter_start(text: &str) -> Option<(String, OffsetDateTime)> {
    let text = text.trim();
    let (year, rest) = text.split_once('-')?;
    let first_month = match rest.strip_prefix('Q').or_else(|| rest.strip_prefix('q')) {
        Some(q) => {
            let q: u8 = q.parse().ok()?;
            (1..=4).contains(&q).then_some(3 * (q - 1) + 1)?
        }
        None => {
            let m: u8 = rest.parse().ok()?;
            (1..=12).contains(&m).then_some(3 * ((m - 1) / 3) + 1)?
        }
    };
    let start = month_start(&format!("{year}-{first_month:02}"))?;
    Some((
        quarter_of_month(&format!("{year}-{first_month:02}"))?,
        start,
    ))
}

/// The filters as the database and the publisher take them. At most one of team, age
/// band, mode and language narrows a view, and periods are whole quarters: that keeps
/// the views that overlap a person few (`domain::disclosure`).
pub fn parse_filters(f: &Filters) -> Result<StatsView, FilterError> {
    let some = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let team_id = match some(&f.team) {
        None => None,
        Some(t) => Some(
            t.parse::<i64>()
                .map_err(|_| FilterError::unreadable("team"))?,
        ),
    };
    let age_band = match some(&f.band) {
        None => None,
        Some(b) => Some(
            AgeBand::parse(&b)
                .ok_or(FilterError::unreadable("band"))?
                .as_str()
                .to_owned(),
        ),
    };
    let mode = match some(&f.mode) {
        None => None,
        Some(m) => Some(
            m.parse::<crate::domain::Mode>()
                .map_err(|_| FilterError::unreadable("mode"))?
                .as_str()
                .to_owned(),
        ),
    };
    let language = match some(&f.language) {
        None => None,
        Some(l) => Some(
            Lang::from_code(&l)
                .ok_or(FilterError::unreadable("language"))?
                .code()
                .to_owned(),
        ),
    };
    let from = match some(&f.from) {
        None => None,
        Some(t) => Some(quarter_start(&t).ok_or(FilterError::unreadable("from"))?),
    };
    let until = match some(&f.until) {
        None => None,
        Some(t) => Some(quarter_start(&t).ok_or(FilterError::unreadable("until"))?),
    };
    if let (Some((a, _)), Some((b, _))) = (&from, &until)
        && a > b
    {
        return Err(FilterError {
            field: "until",
            message: "error-dash-period-order",
        });
    }
    let narrowing: Vec<(&'static str, String)> = [
        ("team", team_id.map(|t| t.to_string())),
        ("band", age_band.clone()),
        ("mode", mode.clone()),
        ("language", language.clone()),
    ]
    .into_iter()
    .filter_map(|(field, v)| v.map(|v| (field, v)))
    .collect();
    let series = match narrowing.as_slice() {
        [] => crate::domain::disclosure::EVERYONE.to_owned(),
        [(field, value)] => crate::domain::disclosure::series_name(field, value),
        [_, (second, _), ..] => {
            return Err(FilterError {
                field: second,
                message: "error-dash-one-filter",
            });
        }
    };
    // The end is exclusive on the database's side: the start of the next quarter.
    let until_time = until
        .as_ref()
        .map(|(_, start)| next_month(next_month(next_month(*start))));
    Ok(StatsView {
        filter: StatsFilter {
            team_id,
            age_band,
            mode,
            language,
            from: from.as_ref().map(|(_, t)| *t),
            until: until_time,
        },
        series,
        range: Range {
            from: from.map(|(q, _)| q),
            until: until.map(|(q, _)| q),
        },
    })
}

pub(crate) fn query_string(f: &Filters) -> String {
    let pairs = [
        ("team", &f.team),
        ("band", &f.band),
        ("mode", &f.mode),
        ("language", &f.language),
        ("from", &f.from),
        ("until", &f.until),
    ]
    .iter()
    .filter_map(|(k, v)| Some((*k, v.as_deref().filter(|s| !s.is_empty())?)))
    .collect::<Vec<_>>();
    crate::request::url_pairs(&pairs)
}

/// A view that compares groups itself takes the period alone: the filter with only `from`
/// and `until`, and its view (everyone, with the error, when the period is unusable).
pub(crate) struct PeriodView {
    pub(crate) filters: Filters,
    pub(crate) view: StatsView,
    pub(crate) error: Option<FilterError>,
}

impl PeriodView {
    pub(crate) fn of(filters: Filters) -> PeriodView {
        let filters = Filters {
            from: filters.from,
            until: filters.until,
            ..Filters::default()
        };
        let (view, error) = match parse_filters(&filters) {
            Ok(v) => (v, None),
            Err(e) => (StatsView::everyone(), Some(e)),
        };
        PeriodView {
            filters,
            view,
            error,
        }
    }

    /// The page's data around its figures; `method` is the paragraphs' message keys.
    pub(crate) fn page(
        self,
        lang: Lang,
        k: u64,
        (total, sections): (Shown, Vec<Section>),
        method: Vec<String>,
    ) -> AnalysisView {
        AnalysisView {
            query: query_string(&self.filters),
            filters: Filters {
                from: self.view.range.from.clone().or(self.filters.from),
                until: self.view.range.until.clone().or(self.filters.until),
                ..Filters::default()
            },
            teams: Vec::new(),
            periods: recent_quarters(OffsetDateTime::now_utc(), 5),
            k,
            total,
            sections,
            error: self.error.map(|e| e.field.to_owned()),
            error_message: self.error.map(|e| lang.t(e.message)),
            period_only: true,
            no_filters: false,
            method,
        }
    }
}
