//! Self versus observed (`/dashboard/agreement`): for cases with a self-assessment and an
//! interview within 8 weeks of each other (`domain::cube`'s pairs), do the two agree on
//! the channel, how far apart are the scores, and how does the self-rating S3 compare with
//! the task the caseworker watched (O1)? The tables are published counts. Agreement and
//! Cohen's κ are worked out from the published table, only when every cell of it is
//! shown (a figure worked out from a hidden cell would give it away). Mean scores are
//! shown only for closed quarters, and only when every quarter they add up holds at least
//! k pairs, so two periods' means cannot be subtracted to find fewer than k pairs.

use super::publish::Shower;
use super::*;
use crate::domain::agreement::cohen_kappa;
use crate::domain::cube::{self, OBSERVED_TASKS, SELF_RATINGS};
use crate::domain::disclosure::{EVERYONE, Secret};
use crate::domain::{Channel, Dimension, Instrument};
use crate::i18n::Lang;
use crate::server::db::{DbError, Repository};

const DIMENSIONS: [Dimension; 3] = [Dimension::Access, Dimension::Skills, Dimension::Motivation];

/// A 3×3 table of published counts starting at `slot`, as a `StatTable`.
fn square(
    shower: Shower,
    slots: &[i64],
    slot: usize,
    rows: &[String],
    columns: &[String],
) -> StatTable {
    StatTable {
        columns: columns.to_vec(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(r, label)| {
                let values = (0..3).map(|c| shower.show(slots[slot + r * 3 + c])).collect();
                (label.clone(), values)
            })
            .collect(),
    }
}

/// The 3×3 counts of a table when every one is shown: a figure worked out from a hidden
/// count (agreement, κ) would give it away.
fn all_shown(table: &StatTable) -> Option<[[u64; 3]; 3]> {
    let mut out = [[0u64; 3]; 3];
    for (r, (_, values)) in table.rows.iter().enumerate().take(3) {
        for (c, v) in values.iter().enumerate().take(3) {
            out[r][c] = match v {
                Shown::Count(n) => *n,
                Shown::Hidden => return None,
            };
        }
    }
    Some(out)
}

/// Every section of the self-versus-observed view, and the published number of pairs.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn build_agreement(
    db: &dyn Repository,
    secret: &Secret,
    view: &StatsView,
    k: u64,
    lang: Lang,
) -> Result<(Shown, Vec<Section>), DbError> {
    let instrument = Instrument::dr1();
    let code = lang.code();
    let months = db.cube_series(EVERYONE, view.filter.until).await?;
    let mut wanted = vec![cube::PAIRS];
    wanted.extend(cube::PAIR_CHANNELS..cube::PAIR_CHANNELS + 9);
    wanted.extend(cube::PAIR_S3_O1..cube::PAIR_S3_O1 + 9);
    let published = cube::publish_slots(secret, EVERYONE, &months, &view.range, &wanted);
    let pairs = published.slots[cube::PAIRS];
    let shower = Shower::of(pairs, k);
    let total = shower.show(pairs);
    let channel_names: Vec<String> = Channel::ALL
        .iter()
        .map(|c| instrument.channel_name(*c, code).to_owned())
        .collect();
    let self_rows: Vec<String> = channel_names
        .iter()
        .map(|c| lang.t_args("agree-self-row", &[("channel", c.clone())]))
        .collect();
    let mut sections = Vec::new();

    // Channels: self-assessment (rows) against the interview (columns).
    let table = square(shower, &published.slots, cube::PAIR_CHANNELS, &self_rows, &channel_names);
    let shown = all_shown(&table);
    let summary = match shown.and_then(|t| cohen_kappa(&t).map(|k| (t, k))) {
        Some((cells, kappa)) => lang.t_args(
            "agree-channels-summary",
            &[
                ("percent", format!("{:.0}", 100.0 * kappa.observed)),
                ("kappa", format!("{:.2}", kappa.kappa)),
                ("low", format!("{:.2}", kappa.low)),
                ("high", format!("{:.2}", kappa.high)),
                ("count", cells.iter().flatten().sum::<u64>().to_string()),
            ],
        ),
        None => lang.t_args("agree-too-few", &[("k", k.to_string())]),
    };
    sections.push(section("agree-channels", lang.t("agree-channels"), summary, table, lang, 3));

    // Scores: means over pairs with both scores, when every quarter has enough of them.
    // Only closed quarters: a mean of the running quarter, seen before and after one more
    // pair, would give that pair's scores away.
    let running = crate::domain::disclosure::quarter_of_month(&cube::month_of(
        time::OffsetDateTime::now_utc(),
    ))
    .unwrap_or_default();
    let quarters: Vec<(String, [i64; cube::WIDTH])> = cube::quarters(&months)
        .into_iter()
        .filter(|(q, _)| view.range.contains(q) && *q < running)
        .collect();
    let hidden = lang.t_args("dash-hidden", &[("k", k.to_string())]);
    let mut chart_rows = Vec::new();
    let mut rows = Vec::new();
    for (d, dimension) in DIMENSIONS.iter().enumerate() {
        let sum = |slot: usize| quarters.iter().map(|(_, r)| r[slot + d]).sum::<i64>();
        let n = sum(cube::PAIR_SCORED);
        let enough = n >= k as i64
            && quarters
                .iter()
                .all(|(_, r)| r[cube::PAIR_SCORED + d] == 0 || r[cube::PAIR_SCORED + d] >= k as i64);
        let name = instrument.dimension_name(*dimension, code).to_owned();
        if enough {
            let own = sum(cube::PAIR_SELF_SUM) as f64 / n as f64;
            let observed = sum(cube::PAIR_OBSERVED_SUM) as f64 / n as f64;
            chart_rows.push((
                name.clone(),
                vec![Shown::Count(own.round() as u64), Shown::Count(observed.round() as u64)],
            ));
            rows.push((
                name,
                vec![format!("{own:.0}"), format!("{observed:.0}"), format!("{:+.1}", observed - own)],
            ));
        } else {
            chart_rows.push((name.clone(), vec![Shown::Hidden, Shown::Hidden]));
            rows.push((name, vec![hidden.clone(), hidden.clone(), hidden.clone()]));
        }
    }
    let chart = StatTable {
        columns: vec![lang.t("agree-self-mean"), lang.t("agree-observed-mean")],
        rows: chart_rows,
    };
    let mut s = section(
        "agree-scores",
        lang.t("agree-scores"),
        lang.t_args("agree-scores-summary", &[("k", k.to_string())]),
        chart,
        lang,
        3,
    );
    s.text = Some(TextTable {
        columns: vec![
            lang.t("agree-self-mean"),
            lang.t("agree-observed-mean"),
            lang.t("agree-difference"),
        ],
        rows,
    });
    sections.push(s);

    // The self-rating S3 (rows) against the observed task O1 (columns).
    let s3_rows: Vec<String> = SELF_RATINGS
        .iter()
        .map(|b| lang.t(&format!("agree-s3-{}", b.replace('_', "-"))))
        .collect();
    let o1_columns: Vec<String> = OBSERVED_TASKS
        .iter()
        .map(|b| lang.t(&format!("agree-o1-{b}")))
        .collect();
    let table = square(shower, &published.slots, cube::PAIR_S3_O1, &s3_rows, &o1_columns);
    sections.push(section(
        "agree-s3-o1",
        lang.t("agree-s3-o1"),
        lang.t("agree-s3-o1-summary"),
        table,
        lang,
        3,
    ));
    Ok((total, sections))
}

/// The page's data: the period filter, then every section and the method.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn agreement(filters: Filters) -> crate::error::AppResult<AnalysisView> {
    let (state, _) = crate::api::guard::staff(crate::domain::role::Role::can_view_statistics)?;
    let lang = crate::request::request_lang();
    let k = state.config.min_cell;
    let p = PeriodView::of(filters);
    let figures = build_agreement(state.db.as_ref(), &state.disclosure, &p.view, k, lang).await?;
    let method = ["agree-method-1", "agree-method-2", "agree-method-3"]
        .iter()
        .map(|key| lang.t_args(key, &[("k", k.to_string())]))
        .collect();
    Ok(p.page(lang, k, figures, method))
}
