use super::*;
use time::macros::datetime;

fn row(id: i64, case: Option<i64>, at: OffsetDateTime, channel: &str) -> FactRow {
    FactRow {
        id,
        case_id: case,
        finished_at: at,
        team_id: Some(1),
        age_band: Some("25-34".into()),
        mode: "self".into(),
        language: "da".into(),
        channel: channel.into(),
        override_channel: None,
        override_category: None,
        rule: 3,
        borderline: false,
        provisional: false,
        scores: [Some(100), Some(45), None],
        codes: vec![
            ("reason".into(), "no_mitid".into()),
            ("ground".into(), "health".into()),
            ("flag".into(), "many_dont_understand".into()),
        ],
        record_key: 1000 + id,
        self_rating: None,
        observed_task: None,
    }
}

#[test]
fn the_slot_names_match_the_layout() {
    let names = slot_names();
    assert_eq!(names.len(), WIDTH);
    assert_eq!(names[KEYS + AFTER], "k_after_analogue");
    assert_eq!(names[AFTER], "after_analogue");
    assert_eq!(names[SCORES + SCORE_BANDS - 1], "score_access_none");
    assert_eq!(names[REASONS], "reason_already_exempt");
    assert_eq!(names[GROUNDS], "ground_no_device_or_internet");
    assert_eq!(names[MOVES + 2], "moved_analogue_self_service");
    assert_eq!(ReasonCode::ALL.len(), GROUNDS - REASONS);
    assert_eq!(ExemptionGround::ALL.len(), MOVES - GROUNDS);
    let unique: std::collections::BTreeSet<_> = names.iter().collect();
    assert_eq!(unique.len(), WIDTH);
}

#[test]
fn a_row_counts_its_channel_scores_and_codes() {
    let r = row(1, None, datetime!(2026-03-31 23:30 UTC), "assisted");
    let mut slots = r.slots();
    slots.sort();
    assert_eq!(
        slots,
        vec![
            COMPUTED + 1,
            AFTER + 1,
            score_slot(0, Some(100)),
            score_slot(1, Some(45)),
            score_slot(2, None),
            REASONS + 6,
            GROUNDS + 4,
            CHANGES + 4,
            RULES + 2,
        ]
    );
    assert_eq!(score_slot(0, Some(100)), SCORES + 9);
    assert_eq!(r.cell().month, "2026-03");
    // Reasons count only where they kept a person from self-service.
    let s = row(2, None, datetime!(2026-03-01 0:00 +02:00), "self_service");
    assert!(!s.slots().contains(&(REASONS + 6)));
    assert_eq!(s.cell().month, "2026-02");
}

#[test]
fn movement_goes_to_the_latest_cell_whatever_the_order() {
    let first = row(1, Some(9), datetime!(2025-01-10 12:00 UTC), "analogue");
    let mut latest = row(3, Some(9), datetime!(2025-06-10 12:00 UTC), "assisted");
    latest.override_channel = Some("self_service".into());
    let middle = row(2, Some(9), datetime!(2025-03-10 12:00 UTC), "assisted");
    for order in [[&latest, &first, &middle], [&first, &middle, &latest]] {
        let mut t = Tally::default();
        for r in order {
            t.add(r);
        }
        let cells = t.finish();
        let moved: i64 = cells
            .values()
            .map(|c| c[MOVES..MOVES + 9].iter().sum::<i64>())
            .sum();
        assert_eq!(moved, 1);
        assert_eq!(
            cells[&latest.cell()][MOVES + 2],
            1,
            "analogue to self-service"
        );
    }
    // One assessment is no movement.
    let mut t = Tally::default();
    t.add(&first);
    assert!(
        t.finish()
            .values()
            .all(|c| c[MOVES..MOVES + 9].iter().all(|n| *n == 0))
    );
}

#[test]
fn the_difference_leaves_out_unchanged_cells() {
    let a = row(1, None, datetime!(2025-01-10 12:00 UTC), "analogue");
    let mut b = a.clone();
    b.override_channel = Some("assisted".into());
    let mut before = Tally::default();
    before.add(&a);
    let mut after = Tally::default();
    after.add(&b);
    let d = difference(&before.finish(), &after.finish());
    assert_eq!(d.len(), 1);
    let c = &d[&a.cell()];
    assert_eq!((c[AFTER], c[AFTER + 1], c[COMPUTED]), (-1, 1, 0));
    assert!(difference(&d, &d).is_empty());
}

#[test]
fn overrides_count_by_direction_category_and_rule() {
    let at = datetime!(2026-03-01 10:00 UTC);
    let mut less = row(1, None, at, "self_service");
    less.override_channel = Some("analogue".into());
    less.override_category = Some("person_asked".into());
    let mut more = row(2, None, at, "analogue");
    more.override_channel = Some("assisted".into());
    more.rule = 5;
    let mut same = row(3, None, at, "assisted");
    same.override_channel = Some("assisted".into());
    let names = count_names();
    let named = |r: &FactRow| {
        let mut n: Vec<&str> = r.slots().iter().map(|s| names[*s].as_str()).collect();
        n.retain(|n| n.starts_with("change") || n.starts_with("overrid") || n.starts_with("rule"));
        n
    };
    assert_eq!(
        named(&less),
        [
            "rule_3",
            "change_self_service_analogue",
            "overridden",
            "overridden_less_digital",
            "override_reason_person_asked",
            "rule_3_overridden"
        ]
    );
    assert_eq!(
        named(&more),
        [
            "rule_5",
            "change_analogue_assisted",
            "overridden",
            "overridden_more_digital",
            "override_reason_unrecorded",
            "rule_5_overridden"
        ]
    );
    // The same channel again is no override.
    assert_eq!(named(&same), ["rule_3", "change_assisted_assisted"]);
}

/// The pair slots of all cells added up.
fn pair_totals(cells: &std::collections::BTreeMap<CellKey, [i64; WIDTH]>) -> Vec<i64> {
    (PAIRS..SLOTS)
        .map(|s| cells.values().map(|c| c[s]).sum())
        .collect()
}

#[test]
fn a_self_assessment_and_an_interview_within_eight_weeks_form_one_pair() {
    let interview = |id, case, at, channel: &str, scores, o1| {
        let mut r = row(id, Some(case), at, channel);
        r.mode = "interview".into();
        r.scores = scores;
        r.observed_task = o1;
        r
    };
    let own = |id, case, at, channel: &str, scores, s3| {
        let mut r = row(id, Some(case), at, channel);
        r.scores = scores;
        r.self_rating = s3;
        r
    };
    // Case 1: self (assisted, S3 alone) then, 30 days on, an interview (suggested assisted,
    // overridden to analogue; O1 failed): one pair, observed channel after the override.
    let s1 = own(
        1,
        1,
        datetime!(2026-01-01 9:00 UTC),
        "assisted",
        [Some(60), Some(50), Some(40)],
        Some(2),
    );
    let mut i1 = interview(
        2,
        1,
        datetime!(2026-01-31 9:00 UTC),
        "assisted",
        [Some(50), Some(40), Some(45)],
        Some(0),
    );
    i1.override_channel = Some("analogue".into());
    // Case 2: 57 days apart: no pair.
    let s2 = own(
        3,
        2,
        datetime!(2026-01-01 9:00 UTC),
        "analogue",
        [Some(10), Some(10), Some(10)],
        Some(0),
    );
    let i2 = interview(
        4,
        2,
        datetime!(2026-02-27 9:00 UTC),
        "analogue",
        [Some(10), Some(10), Some(10)],
        Some(0),
    );
    // Case 3: the latest interview (day 50) pairs with the nearest self-assessment (day 40);
    // the earlier interview and self-assessment are not counted. Skills unscored in one.
    let s3a = own(
        5,
        3,
        datetime!(2026-01-01 9:00 UTC),
        "analogue",
        [Some(0), Some(0), Some(0)],
        Some(0),
    );
    let i3a = interview(
        6,
        3,
        datetime!(2026-01-11 9:00 UTC),
        "analogue",
        [Some(0), Some(0), Some(0)],
        Some(0),
    );
    let s3b = own(
        7,
        3,
        datetime!(2026-02-10 9:00 UTC),
        "self_service",
        [Some(80), None, Some(90)],
        Some(1),
    );
    let i3b = interview(
        8,
        3,
        datetime!(2026-02-20 9:00 UTC),
        "self_service",
        [Some(70), Some(70), Some(70)],
        Some(2),
    );
    let rows = [&i3b, &s1, &s2, &i1, &s3a, &i2, &i3a, &s3b];
    let mut tally = Tally::default();
    for r in rows {
        tally.add(r);
    }
    let cells = tally.finish();
    let mut want = vec![0i64; SLOTS - PAIRS];
    want[0] = 2;
    want[1 + 3 + 0] = 1; // self assisted, observed analogue
    want[1 + 2 * 3 + 2] = 1; // self-service both
    want[10 + 2 * 3 + 0] = 1; // S3 alone, O1 failed
    want[10 + 3 + 2] = 1; // S3 with help, O1 passed
    want[19..22].copy_from_slice(&[2, 1, 2]);
    want[22..25].copy_from_slice(&[60 + 80, 50, 40 + 90]);
    want[25..28].copy_from_slice(&[50 + 70, 40, 45 + 70]);
    assert_eq!(pair_totals(&cells), want);
    // Pairs count in the cell of the interview.
    let interview_cells: i64 = cells
        .iter()
        .filter(|(c, _)| c.mode == "interview")
        .map(|(_, v)| v[PAIRS])
        .sum();
    assert_eq!(interview_cells, 2);
    assert_eq!(slot_names()[PAIRS], "pairs");
    assert_eq!(
        slot_names()[PAIR_OBSERVED_SUM + 2],
        "pair_observed_motivation"
    );
}

#[test]
fn bands_of_the_self_rating_and_the_observed_task() {
    assert_eq!(self_rating_band(Some("never"), Some("alone")), Some(0));
    assert_eq!(
        self_rating_band(Some("daily"), Some("dont_understand")),
        Some(0)
    );
    assert_eq!(self_rating_band(None, Some("can_teach")), Some(2));
    assert_eq!(self_rating_band(None, Some("rather_not")), None);
    assert_eq!(self_rating_band(None, None), None);
    assert_eq!(observed_task_band(Some("partial")), Some(1));
    assert_eq!(observed_task_band(Some("not_done")), None);
}
