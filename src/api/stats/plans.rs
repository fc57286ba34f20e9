//! How many agreed plans name each kind of help, per team and month: where demand for
//! library help or MitID help grows. Every figure goes through `domain::disclosure` like
//! the rest of the dashboard: a plan's random record key makes the cell keys, a series is
//! everyone or one team (other narrowings do not apply to plans), its periods are months,
//! and nothing is shown of a view with fewer than k plans.

use std::collections::BTreeMap;

use super::filters::StatsView;
use super::publish::Shower;
use super::*;
use crate::domain::OfferKind;
use crate::domain::cube::month_of;
use crate::domain::disclosure::{EVERYONE, Range, Secret, Series, Tally};
use crate::i18n::Lang;
use crate::server::db::{DbError, PlanFact, Repository};

/// The months of a range of quarters (`2026-Q2` … `2026-Q3` → `2026-04` … `2026-09`).
pub(crate) fn month_range(quarters: &Range) -> Range {
    let month = |q: &str, last: bool| -> Option<String> {
        let (year, n) = q.split_once("-Q")?;
        let n: u8 = n.parse().ok()?;
        let m = (n - 1) * 3 + if last { 3 } else { 1 };
        Some(format!("{year}-{m:02}"))
    };
    Range {
        from: quarters.from.as_deref().and_then(|q| month(q, false)),
        until: quarters.until.as_deref().and_then(|q| month(q, true)),
    }
}

/// The quantity of the plans naming a kind, and of all plans.
fn quantity(kind: Option<OfferKind>) -> String {
    kind.map_or_else(|| "plans".to_owned(), |k| format!("kind:{k}"))
}

/// The published figures of the plans in `series`: per kind over the range, and per kind
/// in each month of the range; `None` when plans are not counted by this series.
pub(crate) fn publish(
    facts: &[PlanFact],
    kinds_of: &BTreeMap<i64, OfferKind>,
    secret: &Secret,
    series: &str,
    range: &Range,
) -> Option<(i64, Vec<i64>, Vec<(String, Vec<i64>)>)> {
    let team = match series {
        EVERYONE => None,
        s => Some(s.strip_prefix("team:")?.parse::<i64>().ok()?),
    };
    // Tallies per month, per quantity (all plans first, then each kind).
    let mut months: BTreeMap<String, Vec<Tally>> = BTreeMap::new();
    for f in facts.iter().filter(|f| team.is_none() || f.team_id == team) {
        let tallies = months
            .entry(month_of(f.agreed_at))
            .or_insert_with(|| vec![Tally::default(); OfferKind::ALL.len() + 1]);
        let one = Tally {
            count: 1,
            key_sum: f.record_key,
        };
        tallies[0].add(one);
        for (i, kind) in OfferKind::ALL.iter().enumerate() {
            if f.offers.iter().any(|o| kinds_of.get(o) == Some(kind)) {
                tallies[i + 1].add(one);
            }
        }
    }
    let s = Series {
        name: format!("plans/{series}"),
        periods: months.keys().cloned().collect(),
    };
    let column = |q: usize| -> Vec<Tally> { months.values().map(|t| t[q]).collect() };
    let quantities: Vec<Option<OfferKind>> = std::iter::once(None)
        .chain(OfferKind::ALL.iter().copied().map(Some))
        .collect();
    let whole: Vec<i64> = quantities
        .iter()
        .enumerate()
        .map(|(q, kind)| s.publish(secret, &quantity(*kind), &column(q), range))
        .collect();
    let per_kind: Vec<Vec<(String, i64)>> = quantities
        .iter()
        .enumerate()
        .skip(1)
        .map(|(q, kind)| s.publish_each(secret, &quantity(*kind), &column(q), range))
        .collect();
    let by_month: Vec<(String, Vec<i64>)> = s
        .periods
        .iter()
        .filter(|p| range.contains(p))
        .map(|p| {
            let values = per_kind
                .iter()
                .map(|list| {
                    list.iter()
                        .find(|(m, _)| m == p)
                        .map_or(0, |(_, v)| *v)
                })
                .collect();
            (p.clone(), values)
        })
        .collect();
    Some((whole[0], whole[1..].to_vec(), by_month))
}

/// The dashboard's sections on plans: kinds of help over the view's range, and by month.
pub(crate) async fn sections(
    db: &dyn Repository,
    secret: &Secret,
    view: &StatsView,
    k: u64,
    lang: Lang,
) -> Result<Vec<Section>, DbError> {
    let kinds_of: BTreeMap<i64, OfferKind> = db
        .offers()
        .await?
        .into_iter()
        .map(|o| (o.id, o.fields.kind))
        .collect();
    let facts = db.plan_facts().await?;
    let range = month_range(&view.range);
    let Some((plans, per_kind, by_month)) = publish(&facts, &kinds_of, secret, &view.series, &range)
    else {
        return Ok(Vec::new());
    };
    let shower = Shower::of(plans, k);
    let names: Vec<String> = OfferKind::ALL
        .iter()
        .map(|kind| lang.t(&format!("help-kind-{kind}")))
        .collect();
    let kinds_table = StatTable {
        columns: vec![lang.t("dash-plans-column")],
        rows: names
            .iter()
            .zip(&per_kind)
            .map(|(name, v)| (name.clone(), vec![shower.show(*v)]))
            .collect(),
    };
    let summary = match shower.show(plans) {
        Shown::Count(n) => lang.t_args("dash-plans-summary", &[("count", n.to_string())]),
        Shown::Hidden => lang.t("dash-plans-summary-hidden"),
    };
    let month_table = StatTable {
        columns: names,
        rows: by_month
            .into_iter()
            .map(|(month, values)| (month, values.into_iter().map(|v| shower.show(v)).collect()))
            .collect(),
    };
    Ok(vec![
        super::dashboard::section(
            "plans",
            lang.t("dash-plans"),
            summary,
            kinds_table,
            lang,
            OfferKind::ALL.len(),
        ),
        super::dashboard::section(
            "plans-months",
            lang.t("dash-plans-months"),
            lang.t("dash-plans-months-summary"),
            month_table,
            lang,
            3,
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn quarters_become_their_months() {
        let r = month_range(&Range {
            from: Some("2026-Q2".into()),
            until: Some("2026-Q4".into()),
        });
        assert_eq!(r.from.as_deref(), Some("2026-04"));
        assert_eq!(r.until.as_deref(), Some("2026-12"));
    }

    /// The published figures are the true counts plus the mechanism's adjustment: never
    /// more than 2 × MAX_LEVEL off, the same every time, and a team's figures count only
    /// its own plans.
    #[test]
    fn plan_counts_are_published_through_the_disclosure_mechanism() {
        let secret = Secret::new([7; 32]);
        let kinds: BTreeMap<i64, OfferKind> =
            [(1, OfferKind::Library), (2, OfferKind::Borgerservice)].into();
        let fact = |team, at, key, offers: &[i64]| PlanFact {
            team_id: Some(team),
            agreed_at: at,
            record_key: key,
            offers: offers.to_vec(),
        };
        let mut facts = Vec::new();
        for n in 0..40 {
            facts.push(fact(1, datetime!(2026-10-05 12:00 UTC), n * 977, &[1]));
            facts.push(fact(2, datetime!(2026-11-05 12:00 UTC), n * 1013, &[1, 2]));
        }
        let all = Range::default();
        let (plans, per_kind, months) =
            publish(&facts, &kinds, &secret, EVERYONE, &all).expect("everyone");
        let max = 2 * crate::domain::disclosure::MAX_LEVEL;
        assert!((plans - 80).abs() <= max, "{plans}");
        let library = OfferKind::ALL.iter().position(|k| *k == OfferKind::Library).unwrap_or(0);
        let borger = OfferKind::ALL
            .iter()
            .position(|k| *k == OfferKind::Borgerservice)
            .unwrap_or(0);
        assert!((per_kind[library] - 80).abs() <= max);
        assert!((per_kind[borger] - 40).abs() <= max);
        assert_eq!(months.len(), 2);
        assert_eq!(
            publish(&facts, &kinds, &secret, EVERYONE, &all),
            Some((plans, per_kind.clone(), months.clone()))
        );
        let (team1, team1_kinds, _) =
            publish(&facts, &kinds, &secret, "team:1", &all).expect("team");
        assert!((team1 - 40).abs() <= max);
        assert!(team1_kinds[borger].abs() <= max, "team 1 named no Borgerservice");
        assert_eq!(publish(&facts, &kinds, &secret, "band:18-29", &all), None);
    }
}
