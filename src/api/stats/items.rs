//! The item analysis from the item cube (`domain::item_cube`), every figure published.

use crate::error::AppResult;
use std::collections::BTreeMap;

use super::*;
use crate::api::guard::staff;
use crate::domain::disclosure::{Secret, Tally as KeyTally};
use crate::domain::item_cube;
use crate::domain::role::Role;
use crate::domain::stats::AlphaSums;
use crate::domain::{Dimension, Instrument};
use crate::i18n::Lang;
use crate::server::db::{DbError, Repository};

/// A series' item cube (`domain::item_cube`), every quarter up to the end of a view's
/// range (published figures look back before its start, `domain::disclosure`).
pub struct ItemSeries {
    quarters: BTreeMap<String, item_cube::Quarter>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn item_series(db: &dyn Repository, view: &StatsView) -> Result<ItemSeries, DbError> {
    let rows = db
        .item_series(&view.series, view.range.until.as_deref())
        .await?;
    Ok(ItemSeries {
        quarters: item_cube::quarters_of(rows),
    })
}

/// The item analysis of a view, every figure published (`domain::disclosure`).
pub struct PublishedItems {
    pub people: Shown,
    /// Per item: asked, then each option, then don't understand, then missing.
    pub items: Vec<(Shown, Vec<Shown>, Shown, Shown)>,
    /// Per dimension: complete answer sets and alpha (2 decimals) when at least k.
    pub alphas: Vec<(Dimension, usize, Shown, Option<String>)>,
}

pub fn publish_items(
    series: &ItemSeries,
    secret: &Secret,
    view: &StatsView,
    k: u64,
) -> PublishedItems {
    let layout = item_cube::Layout::get();
    let quarters: Vec<(&String, &item_cube::Quarter)> = series
        .quarters
        .iter()
        .filter(|(_, q)| q[layout.people][0] > 0)
        .collect();
    let published = crate::domain::disclosure::Series {
        name: view.series.clone(),
        periods: quarters.iter().map(|(p, _)| (*p).clone()).collect(),
    };
    let publish = |slot: usize| {
        let tallies: Vec<KeyTally> = quarters
            .iter()
            .map(|(_, q)| item_cube::Layout::tally(q, slot))
            .collect();
        published.publish(secret, layout.name(slot), &tallies, &view.range)
    };
    let people = publish(layout.people);
    let shower = Shower::of(people, k);
    let items = layout
        .items
        .iter()
        .map(|slots| {
            (
                shower.show(publish(slots.asked)),
                slots
                    .options
                    .iter()
                    .map(|o| shower.show(publish(*o)))
                    .collect(),
                shower.show(publish(slots.dont_understand)),
                shower.show(publish(slots.missing)),
            )
        })
        .collect();
    let alphas = layout
        .alpha
        .iter()
        .enumerate()
        .map(|(d, a)| {
            let complete = shower.show(publish(a.complete));
            let mut sums = AlphaSums::new(a.of.len());
            for (period, q) in &quarters {
                if view.range.contains(period) {
                    sums.merge(&layout.alpha_sums(q, d));
                }
            }
            // Only from at least k complete answer sets, by the published count and
            // the true one alike.
            let alpha = match complete {
                Shown::Count(_) if sums.n() >= k => sums.alpha().map(|a| format!("{a:.2}")),
                _ => None,
            };
            (a.dimension, a.of.len(), complete, alpha)
        })
        .collect();
    PublishedItems {
        people: shower.show(people),
        items,
        alphas,
    }
}

/// Cronbach's alpha per dimension over the people who answered all its items.
pub fn alpha_rows(published: &PublishedItems, lang: Lang) -> Vec<AlphaRow> {
    let instrument = Instrument::dr1();
    published
        .alphas
        .iter()
        .map(|(d, items, complete, alpha)| AlphaRow {
            dimension: instrument.dimension_name(*d, lang.code()).to_owned(),
            items: *items,
            complete: *complete,
            alpha: alpha.clone(),
        })
        .collect()
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn items(filters: Filters) -> AppResult<ItemsView> {
    let (state, _) = staff(Role::can_view_statistics)?;
    let lang = crate::request::request_lang();
    let code = lang.code();
    let teams = state.db.stats_teams().await?;
    let k = state.config.min_cell;
    let (view, error) = match parse_filters(&filters) {
        Ok(v) => (v, None),
        Err(e) => (StatsView::everyone(), Some(e)),
    };
    let series = item_series(state.db.as_ref(), &view).await?;
    let published = publish_items(&series, &state.disclosure, &view, k);
    let instrument = Instrument::dr1();
    let items = instrument
        .items()
        .iter()
        .zip(&published.items)
        .map(|(item, (asked, options, dont, missing))| {
            // People, not answers: a multi-choice item's options can overlap.
            let mut counts: Vec<(String, Shown)> = item
                .options()
                .iter()
                .zip(options)
                .filter(|(o, _)| !crate::domain::answer_codes::is_dont_understand(o.code()))
                .map(|(o, c)| (o.label(code).to_owned(), *c))
                .collect();
            counts.push((lang.t("items-dont-understand"), *dont));
            counts.push((lang.t("items-missing"), *missing));
            let answered = match (asked, dont, missing) {
                (Shown::Count(a), Shown::Count(d), Shown::Count(m)) => {
                    Shown::Count(a.saturating_sub(d + m))
                }
                _ => Shown::Hidden,
            };
            ItemRow {
                item: item.id().to_owned(),
                question: item.question(code).to_owned(),
                asked: *asked,
                answered_percent: share(answered, *asked),
                dont_understand_percent: share(*dont, *asked),
                missing_percent: share(*missing, *asked),
                counts,
            }
        })
        .collect();
    Ok(ItemsView {
        filters,
        teams,
        k,
        alphas: alpha_rows(&published, lang),
        items,
        error: error.map(|e| e.field.to_owned()),
        error_message: error.map(|e| lang.t(e.message)),
    })
}
