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
