//! Calibration by team (`/dashboard/calibration`): how often caseworkers' channels for the
//! vignettes agree with the reference, and how well they agree with each other (Fleiss'
//! κ over the vignettes, raters being the team's caseworkers). A team's figures need at
//! least `MIN_TEAM` caseworkers, so they never are one person's; a named caseworker's
//! score is shown only in a team where at least `calibration_min_people` took part.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::domain::Channel;
use crate::domain::agreement::fleiss_kappa;
use crate::domain::calibration::Vignettes;
use crate::i18n::Lang;
use crate::server::db::{CalibrationRow, DbError, Repository};

/// Caseworkers a team's figures need at least.
pub const MIN_TEAM: usize = 3;

/// The answers of one group of caseworkers.
struct Group<'a> {
    label: String,
    rows: Vec<&'a CalibrationRow>,
}

impl Group<'_> {
    fn people(&self) -> usize {
        self.rows.iter().map(|r| r.user_id).collect::<BTreeSet<_>>().len()
    }

    fn agreed(&self) -> usize {
        self.rows.iter().filter(|r| r.channel == r.reference).count()
    }

    /// Fleiss' κ: subjects are the vignettes, categories the channels.
    fn kappa(&self) -> Option<f64> {
        let mut by_vignette: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
        for r in &self.rows {
            let counts = by_vignette.entry(&r.vignette).or_insert_with(|| vec![0; 3]);
            if let Some(c) = Channel::ALL.iter().position(|c| c.as_str() == r.channel) {
                counts[c] += 1;
            }
        }
        fleiss_kappa(&by_vignette.into_values().collect::<Vec<_>>())
    }
}

fn percent(part: usize, whole: usize) -> u64 {
    ((part * 100 + whole / 2) / whole.max(1)) as u64
}

/// Every section of the calibration view, and the number of caseworkers taking part.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn build_calibration(
    db: &dyn Repository,
    lang: Lang,
    min_named: u64,
) -> Result<(Shown, Vec<Section>), DbError> {
    let rows = db.calibration_rows().await?;
    let teams = db.stats_teams().await?;
    let code = lang.code();
    let instrument = crate::domain::Instrument::dr1();
    let hidden = lang.t_args("dash-hidden", &[("k", MIN_TEAM.to_string())]);
    let mut groups: Vec<Group> = teams
        .iter()
        .map(|(id, name)| Group {
            label: name.clone(),
            rows: rows.iter().filter(|r| r.team_id == Some(*id)).collect(),
        })
        .filter(|g| !g.rows.is_empty())
        .collect();
    let everyone = Group {
        label: lang.t("cal-all-teams"),
        rows: rows.iter().collect(),
    };
    let total = everyone.people();
    // All teams less the teams shown would be the hidden teams' figures: the row for all
    // teams is left out unless the people outside the shown teams are none or enough.
    let outside = everyone.people()
        - groups
            .iter()
            .filter(|g| g.people() >= MIN_TEAM)
            .map(|g| g.people())
            .sum::<usize>()
            .min(everyone.people());
    let all_row = (outside == 0 || outside >= MIN_TEAM).then_some(&everyone);
    let mut sections = Vec::new();

    // By team: people, answers, agreement with the reference, Fleiss' κ.
    let mut text_rows = Vec::new();
    let mut chart_rows = Vec::new();
    for g in groups.iter().chain(all_row) {
        let people = g.people();
        if people < MIN_TEAM {
            text_rows.push((g.label.clone(), vec![people.to_string(), hidden.clone(), hidden.clone(), hidden.clone()]));
            chart_rows.push((g.label.clone(), vec![Shown::Hidden]));
            continue;
        }
        let share = percent(g.agreed(), g.rows.len());
        text_rows.push((
            g.label.clone(),
            vec![
                people.to_string(),
                g.rows.len().to_string(),
                share.to_string(),
                g.kappa().map_or_else(|| lang.t("cal-no-kappa"), |k| format!("{k:.2}")),
            ],
        ));
        chart_rows.push((g.label.clone(), vec![Shown::Count(share)]));
    }
    let chart = StatTable {
        columns: vec![lang.t("cal-agreement")],
        rows: chart_rows,
    };
    let mut s = section(
        "cal-teams",
        lang.t("cal-teams"),
        lang.t_args("cal-teams-summary", &[("k", MIN_TEAM.to_string())]),
        chart,
        lang,
        20,
    );
    s.text = Some(TextTable {
        columns: vec![
            lang.t("cal-people"),
            lang.t("cal-answers"),
            lang.t("cal-agreement"),
            lang.t("cal-kappa"),
        ],
        rows: text_rows,
    });
    sections.push(s);

    // By vignette, all teams: the channels chosen beside the reference.
    let vignettes = Vignettes::dr1();
    let enough = total >= MIN_TEAM;
    let channel_names: Vec<String> = Channel::ALL
        .iter()
        .map(|c| instrument.channel_name(*c, code).to_owned())
        .collect();
    let table = StatTable {
        columns: channel_names,
        rows: vignettes
            .all()
            .iter()
            .map(|v| {
                let label = lang.t_args(
                    "cal-vignette-row",
                    &[
                        ("name", v.name.get(code).to_owned()),
                        ("reference", instrument.channel_name(v.channel, code).to_owned()),
                    ],
                );
                let values = Channel::ALL
                    .iter()
                    .map(|c| {
                        let n = rows
                            .iter()
                            .filter(|r| r.vignette == v.id && r.channel == c.as_str())
                            .count() as u64;
                        if enough { Shown::Count(n) } else { Shown::Hidden }
                    })
                    .collect();
                (label, values)
            })
            .collect(),
    };
    sections.push(section(
        "cal-vignettes",
        lang.t("cal-vignettes"),
        lang.t("cal-vignettes-summary"),
        table,
        lang,
        20,
    ));

    // Named caseworkers, only in teams where enough took part.
    groups.retain(|g| g.people() as u64 >= min_named);
    let mut named = Vec::new();
    for g in &groups {
        let mut people: BTreeMap<(String, i64), (usize, usize)> = BTreeMap::new();
        for r in &g.rows {
            let e = people.entry((r.display_name.clone(), r.user_id)).or_default();
            e.0 += 1;
            e.1 += usize::from(r.channel == r.reference);
        }
        for ((name, _), (answered, agreed)) in people {
            named.push((
                format!("{name} ({})", g.label),
                vec![Shown::Count(answered as u64), Shown::Count(agreed as u64), Shown::Count(percent(agreed, answered))],
            ));
        }
    }
    let summary = if named.is_empty() {
        lang.t_args("cal-named-none", &[("k", min_named.to_string())])
    } else {
        lang.t_args("cal-named-summary", &[("k", min_named.to_string())])
    };
    let chart = StatTable {
        columns: vec![lang.t("cal-agreement")],
        rows: named.iter().map(|(n, v)| (n.clone(), v[2..].to_vec())).collect(),
    };
    let table = StatTable {
        columns: vec![lang.t("cal-answers"), lang.t("cal-agreed"), lang.t("cal-agreement")],
        rows: named,
    };
    let mut s = section("cal-named", lang.t("cal-named"), summary, chart, lang, 40);
    s.table = table;
    sections.push(s);
    for s in &mut sections {
        s.source = Some(lang.t("cal-source"));
    }
    Ok((Shown::Count(total as u64), sections))
}

/// The page's data: no filters (calibration is not about recipients or periods).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn calibration_stats() -> crate::error::AppResult<AnalysisView> {
    let (state, _) = crate::api::guard::staff(crate::domain::role::Role::can_view_statistics)?;
    let lang = crate::request::request_lang();
    let min_named = state.config.calibration_min_people;
    let figures = build_calibration(state.db.as_ref(), lang, min_named).await?;
    let method = ["cal-method-1", "cal-method-2"]
        .iter()
        .map(|key| {
            lang.t_args(
                key,
                &[("k", min_named.to_string()), ("team", MIN_TEAM.to_string())],
            )
        })
        .collect();
    let mut view = PeriodView::of(Filters::default()).page(lang, MIN_TEAM as u64, figures, method);
    view.no_filters = true;
    Ok(view)
}
