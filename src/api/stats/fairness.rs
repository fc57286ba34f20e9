//! The fairness monitor (`/dashboard/fairness`): the share of each suggested channel by
//! age band, language and way of answering, each with its Wilson 95 % interval, and a
//! flag in words where a group's share of analogue differs from everyone else's by more
//! than the configured margin with intervals that do not overlap (`domain::fairness`).
//! Beside it, the reasons that kept each group from self-service, so a manager sees what
//! drives a difference. Everything is worked out from published figures only: a group's
//! and everyone's (`Figures`), the rest being their difference.

use super::overrides::{Figures, groups};
use super::*;
use crate::domain::cube;
use crate::domain::disclosure::{EVERYONE, Secret, series_name};
use crate::domain::fairness::{Share, gap};
use crate::domain::{Channel, Instrument, ReasonCode};
use crate::i18n::Lang;
use crate::server::db::{DbError, Repository};

/// The published people, channels and reasons of one series.
struct Group {
    label: String,
    people: Shown,
    channels: [Shown; 3],
    reasons: Vec<Shown>,
}

impl Group {
    async fn read(
        db: &dyn Repository,
        secret: &Secret,
        view: &StatsView,
        series: &str,
        label: String,
        k: u64,
    ) -> Result<Group, DbError> {
        let wanted: Vec<usize> = (cube::COMPUTED..cube::COMPUTED + 3)
            .chain(cube::REASONS..cube::REASONS + ReasonCode::ALL.len())
            .collect();
        let f = Figures::of(db, secret, series, view.filter.until, &view.range, k, &wanted).await?;
        Ok(Group {
            label,
            people: f.people(),
            channels: [0, 1, 2].map(|c| f.slot(cube::COMPUTED + c)),
            reasons: (0..ReasonCode::ALL.len())
                .map(|r| f.slot(cube::REASONS + r))
                .collect(),
        })
    }

    fn share(&self, part: Shown) -> Option<Share> {
        match (part, self.people) {
            (Shown::Count(x), Shown::Count(n)) => Share::of(x, n),
            _ => None,
        }
    }
}

fn count(s: Shown) -> Option<u64> {
    match s {
        Shown::Count(n) => Some(n),
        Shown::Hidden => None,
    }
}

fn percent(x: f64) -> String {
    format!("{:.0}", 100.0 * x)
}

/// "50 (38–62)": a share and its interval in whole per cent.
fn share_text(s: Option<Share>, hidden: &str) -> String {
    match s {
        Some(s) => format!(
            "{} ({}–{})",
            percent(s.share),
            percent(s.low),
            percent(s.high)
        ),
        None => hidden.to_owned(),
    }
}

/// Every section of the fairness monitor, and the number of people in the period.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn build_fairness(
    db: &dyn Repository,
    secret: &Secret,
    view: &StatsView,
    k: u64,
    lang: Lang,
    margin_points: f64,
) -> Result<(Shown, Vec<Section>), DbError> {
    let instrument = Instrument::dr1();
    let code = lang.code();
    let hidden = lang.t_args("dash-hidden", &[("k", k.to_string())]);
    let everyone = Group::read(db, secret, view, EVERYONE, lang.t("fair-everyone"), k).await?;
    let channel_names: Vec<String> = Channel::ALL
        .iter()
        .map(|c| instrument.channel_name(*c, code).to_owned())
        .collect();
    let analogue = Channel::ALL
        .iter()
        .position(|c| *c == Channel::Analogue)
        .unwrap_or(0);
    let margin = format!("{margin_points:.0}");
    let mut sections = Vec::new();
    for (id, field, members) in groups(lang, &[]) {
        if id == "team" {
            continue;
        }
        let mut read = Vec::with_capacity(members.len());
        for (value, label) in members {
            read.push(Group::read(db, secret, view, &series_name(field, &value), label, k).await?);
        }
        sections.push(channels_section(
            id,
            &read,
            &everyone,
            &channel_names,
            analogue,
            margin_points,
            &margin,
            lang,
            &hidden,
            k,
        ));
        sections.push(reasons_section(id, &read, &everyone, lang, &hidden, k));
    }
    Ok((everyone.people, sections))
}

/// Shares of each channel per group, the analogue gap to the rest and its flag.
#[allow(clippy::too_many_arguments)]
fn channels_section(
    id: &str,
    groups: &[Group],
    everyone: &Group,
    channel_names: &[String],
    analogue: usize,
    margin_points: f64,
    margin: &str,
    lang: Lang,
    hidden: &str,
    k: u64,
) -> Section {
    let mut notes = Vec::new();
    let mut rows = Vec::with_capacity(groups.len());
    let mut chart_rows = Vec::with_capacity(groups.len());
    for g in groups {
        let shares: Vec<Option<Share>> = g.channels.iter().map(|c| g.share(*c)).collect();
        let found = match (
            count(g.channels[analogue]),
            count(g.people),
            count(everyone.channels[analogue]),
            count(everyone.people),
        ) {
            // Published counts are adjusted one by one: a group's may exceed everyone's
            // by a little, which leaves the rest with none.
            // The rest must itself be k people, or its share would be a few people's.
            (Some(x), Some(n), Some(ax), Some(an)) if an.saturating_sub(n) >= k => {
                gap(x, n, ax.max(x), an.max(n), margin_points)
            }
            _ => None,
        };
        let (difference, flag) = match found {
            Some(d) => {
                if d.flagged {
                    let drivers = drivers(g, everyone, lang, k);
                    notes.push(lang.t_args(
                        "fair-flag",
                        &[
                            ("group", g.label.clone()),
                            ("share", percent(d.group.share)),
                            ("low", percent(d.group.low)),
                            ("high", percent(d.group.high)),
                            ("rest", percent(d.rest.share)),
                            ("rest_low", percent(d.rest.low)),
                            ("rest_high", percent(d.rest.high)),
                            ("points", format!("{:.0}", d.points.abs())),
                            ("margin", margin.to_owned()),
                        ],
                    ));
                    if !drivers.is_empty() {
                        notes.push(lang.t_args(
                            "fair-drivers",
                            &[("group", g.label.clone()), ("reasons", drivers)],
                        ));
                    }
                }
                (
                    format!("{:+.0}", d.points),
                    lang.t(if d.flagged { "fair-flagged" } else { "fair-not-flagged" }),
                )
            }
            None => (hidden.to_owned(), lang.t("fair-no-test")),
        };
        let mut cells = vec![match g.people {
            Shown::Count(n) => n.to_string(),
            Shown::Hidden => hidden.to_owned(),
        }];
        cells.extend(shares.iter().map(|s| share_text(*s, hidden)));
        cells.push(difference);
        cells.push(flag);
        rows.push((g.label.clone(), cells));
        chart_rows.push((
            g.label.clone(),
            shares
                .iter()
                .map(|s| s.map_or(Shown::Hidden, |s| Shown::Count((100.0 * s.share).round() as u64)))
                .collect(),
        ));
    }
    let chart = StatTable {
        columns: channel_names.to_vec(),
        rows: chart_rows,
    };
    let sid = format!("fair-{id}");
    let summary = if notes.is_empty() {
        lang.t_args("fair-summary-none", &[("margin", margin.to_owned())])
    } else {
        lang.t_args("fair-summary-flags", &[("count", notes.len().to_string())])
    };
    let mut s = section(&sid, lang.t(&sid), summary, chart, lang, 10);
    let mut columns = vec![lang.t("dash-people")];
    columns.extend(
        channel_names
            .iter()
            .map(|c| lang.t_args("fair-share-column", &[("channel", c.clone())])),
    );
    columns.push(lang.t("fair-difference"));
    columns.push(lang.t("fair-flag-column"));
    s.text = Some(TextTable { columns, rows });
    s.notes = notes;
    s
}

/// The two reasons whose rates differ most between the group and everyone else, in words:
/// "no MitID (40 % against 12 %)".
fn drivers(g: &Group, everyone: &Group, lang: Lang, k: u64) -> String {
    let instrument = Instrument::dr1();
    let (Some(n), Some(all)) = (count(g.people), count(everyone.people)) else {
        return String::new();
    };
    let rest_n = all.saturating_sub(n);
    if rest_n < k {
        return String::new();
    }
    let mut found: Vec<(f64, String)> = (0..ReasonCode::ALL.len())
        .filter_map(|r| {
            let x = count(g.reasons[r])?;
            // As above: adjusted one by one, so the rest is at least none.
            let rest = count(everyone.reasons[r])?.saturating_sub(x);
            let (own, other) = (Share::of(x, n)?.share, Share::of(rest, rest_n)?.share);
            let text = lang.t_args(
                "fair-driver",
                &[
                    (
                        "reason",
                        instrument
                            .reason_for_caseworker(ReasonCode::ALL[r], lang.code())
                            .trim_end_matches(['.', '。'])
                            .to_owned(),
                    ),
                    ("share", percent(own)),
                    ("rest", percent(other)),
                ],
            );
            Some(((own - other).abs(), text))
        })
        .filter(|(d, _)| *d > 0.0)
        .collect();
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    found.into_iter().take(2).map(|(_, t)| t).collect::<Vec<_>>().join("; ")
}

/// Per group, the share held back from self-service by each reason (reasons as rows).
fn reasons_section(
    id: &str,
    groups: &[Group],
    everyone: &Group,
    lang: Lang,
    hidden: &str,
    k: u64,
) -> Section {
    let instrument = Instrument::dr1();
    let all: Vec<&Group> = groups.iter().chain([everyone]).collect();
    let rate = |g: &Group, r: usize| g.share(g.reasons[r]);
    // Reasons in the order of how often they hold for everyone; those nobody has are left out.
    let mut order: Vec<usize> = (0..ReasonCode::ALL.len())
        .filter(|r| !matches!(everyone.reasons[*r], Shown::Count(0)))
        .collect();
    order.sort_by(|a, b| Shown::ranked(&everyone.reasons[*a], &everyone.reasons[*b]));
    let label = |r: usize| instrument.reason_for_caseworker(ReasonCode::ALL[r], lang.code()).to_owned();
    let rows: Vec<(String, Vec<String>)> = order
        .iter()
        .map(|&r| {
            let cells = all
                .iter()
                .map(|g| rate(g, r).map_or_else(|| hidden.to_owned(), |s| percent(s.share)))
                .collect();
            (label(r), cells)
        })
        .collect();
    // The chart: the five most frequent reasons, one bar per group.
    let chart = StatTable {
        columns: groups.iter().map(|g| g.label.clone()).collect(),
        rows: order
            .iter()
            .take(5)
            .map(|&r| {
                let v = groups
                    .iter()
                    .map(|g| rate(g, r).map_or(Shown::Hidden, |s| Shown::Count((100.0 * s.share).round() as u64)))
                    .collect();
                (label(r), v)
            })
            .collect(),
    };
    let sid = format!("fair-reasons-{id}");
    let summary = lang.t_args("fair-reasons-summary", &[("k", k.to_string())]);
    let mut s = section(&sid, lang.t(&sid), summary, chart, lang, 5);
    s.text = Some(TextTable {
        columns: all.iter().map(|g| g.label.clone()).collect(),
        rows,
    });
    s
}

/// The page's data: the period filter, then every section and the method.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn fairness(filters: Filters) -> crate::error::AppResult<AnalysisView> {
    let (state, _) = crate::api::guard::staff(crate::domain::role::Role::can_view_statistics)?;
    let lang = crate::request::request_lang();
    let k = state.config.min_cell;
    let p = PeriodView::of(filters);
    let margin = state.config.fairness_margin_points as f64;
    let figures =
        build_fairness(state.db.as_ref(), &state.disclosure, &p.view, k, lang, margin).await?;
    let method = ["fair-method-1", "fair-method-2", "fair-method-3"]
        .iter()
        .map(|key| {
            lang.t_args(
                key,
                &[("margin", format!("{margin:.0}")), ("k", k.to_string())],
            )
        })
        .collect();
    Ok(p.page(lang, k, figures, method))
}
