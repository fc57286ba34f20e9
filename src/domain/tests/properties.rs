// The properties instrument.md promises: deterministic, monotone and total. The seed is
// fixed and nothing is written to disk, so a run in CI is repeatable and leaves no files.

use super::super::answers::Answers;
use super::super::codes::{Channel, Mode};
use super::super::instrument::{Instrument, Points};
use super::super::recommend::{Outcome, evaluate};
use super::super::request::{RequestError, score_request};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use serde_json::{Map, Value as Json, json};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x00D1_6170),
        ..ProptestConfig::default()
    }
}

fn dr1() -> &'static Instrument {
    Instrument::dr1()
}

fn mode() -> impl Strategy<Value = Mode> {
    prop_oneof![Just(Mode::SelfAssessment), Just(Mode::Interview)]
}

fn any_code() -> impl Strategy<Value = String> {
    let codes: Vec<String> = dr1()
        .items()
        .iter()
        .flat_map(|i| i.options().iter().map(|o| o.code().to_owned()))
        .collect();
    prop::sample::select(codes)
}

fn any_key() -> impl Strategy<Value = String> {
    let ids: Vec<String> = dr1().items().iter().map(|i| i.id().to_owned()).collect();
    prop_oneof![4 => prop::sample::select(ids), 1 => ".{0,4}"]
}

/// Any JSON, with real codes and code lists common enough to reach deep into parsing.
fn any_json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        1 => Just(Json::Null),
        1 => any::<bool>().prop_map(Json::from),
        1 => any::<i64>().prop_map(Json::from),
        1 => any::<f64>().prop_map(Json::from),
        3 => any_code().prop_map(Json::from),
        1 => ".{0,12}".prop_map(Json::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::vec(any_code().prop_map(Json::from), 0..4).prop_map(Json::Array),
            prop::collection::btree_map(".{0,3}", inner, 0..3)
                .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

/// Mostly the item's own codes, sometimes anything, sometimes unknown ids: about half of
/// the maps are valid, so both the scoring and the error paths are exercised.
fn answer_map() -> impl Strategy<Value = Map<String, Json>> {
    let per_item: Vec<BoxedStrategy<Option<Json>>> = dr1()
        .items()
        .iter()
        .map(|item| {
            let codes: Vec<String> = item.options().iter().map(|o| o.code().to_owned()).collect();
            let own = if item.is_multi() {
                let n = codes.len();
                prop::sample::subsequence(codes, 0..=n)
                    .prop_map(|c| json!(c))
                    .boxed()
            } else {
                prop::sample::select(codes).prop_map(Json::from).boxed()
            };
            prop_oneof![10 => Just(None), 40 => own.prop_map(Some), 1 => any_json().prop_map(Some)]
                .boxed()
        })
        .collect();
    let extra = prop_oneof![
        3 => Just(Vec::new()),
        1 => prop::collection::vec((any_key(), any_json()), 1..4),
    ];
    (per_item, extra).prop_map(|(values, extra)| {
        let mut map = Map::new();
        for (item, value) in dr1().items().iter().zip(values) {
            if let Some(value) = value {
                map.insert(item.id().to_owned(), value);
            }
        }
        map.extend(extra);
        map
    })
}

/// What any outcome must satisfy, whatever the answers.
fn check_outcome(o: &Outcome) -> Result<(), TestCaseError> {
    prop_assert!((1..=6).contains(&o.rule));
    prop_assert_eq!(o.provisional, o.rule == 2);
    prop_assert!(!(o.borderline && o.rule < 3));
    prop_assert_eq!(o.reasons.is_empty(), o.rule == 4);
    prop_assert_eq!(o.channel == Channel::SelfService, o.rule == 4);
    for s in [o.scores.access, o.scores.skills, o.scores.motivation]
        .into_iter()
        .flatten()
    {
        prop_assert!(s <= 100);
    }
    for c in [o.coverage.access, o.coverage.skills, o.coverage.motivation] {
        prop_assert!((0.0..=1.0).contains(&c));
    }
    let mut steps = o.next_steps.clone();
    steps.sort();
    steps.dedup();
    prop_assert_eq!(
        steps,
        o.next_steps.clone(),
        "next steps sorted, without repeats"
    );
    prop_assert!(serde_json::to_string(o).is_ok());
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn total_any_answer_map_gives_a_result_or_names_the_item(
        mode in mode(),
        map in answer_map(),
    ) {
        match Answers::parse(dr1(), mode, &map) {
            Ok(answers) => check_outcome(&evaluate(dr1(), &answers))?,
            Err(e) => {
                let item = e.item.clone().unwrap_or_default();
                prop_assert!(map.contains_key(&item), "error names {:?}", e.item);
                prop_assert!(!e.message.is_empty());
            }
        }
    }

    #[test]
    fn total_any_request_body_gives_a_result_or_an_error(
        instrument in prop_oneof![4 => Just(json!("dr-1")), 1 => any_json()],
        mode in prop_oneof![2 => Just(json!("self")), 2 => Just(json!("interview")), 1 => any_json()],
        answers in prop_oneof![6 => answer_map().prop_map(Json::Object), 1 => any_json()],
        bytes in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let body = json!({"instrument": instrument, "mode": mode, "answers": answers});
        match score_request(body.to_string().as_bytes()) {
            Ok(outcome) => check_outcome(&outcome)?,
            Err(RequestError::Malformed(m)) => prop_assert!(!m.is_empty()),
            Err(RequestError::Invalid(e)) => prop_assert!(!e.message.is_empty()),
        }
        let raw = score_request(&bytes);
        prop_assert!(raw.is_err() || raw.as_ref().is_ok_and(|o| check_outcome(o).is_ok()));
    }

    #[test]
    fn deterministic_same_answers_same_outcome(mode in mode(), map in answer_map()) {
        let Ok(answers) = Answers::parse(dr1(), mode, &map) else { return Ok(()) };
        let first = evaluate(dr1(), &answers);
        prop_assert_eq!(&evaluate(dr1(), &answers), &first);
        // Stored and read back, and scored by a freshly loaded copy of the same version.
        let stored = Answers::parse(dr1(), mode, &answers.to_json(dr1())).unwrap();
        let fresh = Instrument::from_toml(include_str!("../../../instruments/dr-1.toml")).unwrap();
        prop_assert_eq!(&evaluate(&fresh, &stored), &first);
    }

    #[test]
    fn monotone_more_points_never_moves_toward_analogue(
        mode in mode(),
        context in answer_map(),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 32),
    ) {
        // Context items as generated (when valid), every shown scored item answered with a
        // point-bearing code.
        let mut base = Map::new();
        for item in dr1().items().iter().filter(|i| i.dimension().is_none()) {
            if let Some(v) = context.get(item.id()) {
                base.insert(item.id().to_owned(), v.clone());
            }
        }
        prop_assume!(Answers::parse(dr1(), mode, &base).is_ok());
        let shown = |base: &Map<String, Json>, id: &str| {
            let answers = Answers::parse(dr1(), mode, base).ok();
            let item = dr1().item(id);
            item.zip(answers).is_some_and(|(item, a)| item.visible(mode, &a))
        };
        let worth = |id: &str, code: &str| -> Option<u8> {
            let item = dr1().item(id)?;
            match item.option(code)?.points()? {
                Points::Twelfths(p) if item.is_reverse() => Some(12 - p),
                Points::Twelfths(p) => Some(p),
                _ => None,
            }
        };
        let scored: Vec<&str> = dr1()
            .items()
            .iter()
            .filter(|i| i.dimension().is_some())
            .map(|i| i.id())
            .collect();
        for (id, pick) in scored.iter().zip(&picks) {
            if !shown(&base, id) { continue; }
            let item = dr1().item(id).unwrap();
            let bearing: Vec<&str> = item.options().iter().map(|o| o.code())
                .filter(|c| worth(id, c).is_some()).collect();
            base.insert((*id).to_owned(), json!(pick.get(&bearing)));
        }
        let before = evaluate(dr1(), &Answers::parse(dr1(), mode, &base).unwrap());
        for id in scored.iter().filter(|id| base.contains_key(**id)) {
            let current = base[*id].as_str().and_then(|c| worth(id, c)).unwrap_or(0);
            for option in dr1().item(id).unwrap().options() {
                if worth(id, option.code()).is_none_or(|p| p <= current) { continue; }
                let mut better = base.clone();
                better.insert((*id).to_owned(), json!(option.code()));
                let after = evaluate(dr1(), &Answers::parse(dr1(), mode, &better).unwrap());
                prop_assert!(
                    after.channel >= before.channel,
                    "{} {} -> {}: {:?} (rule {}) -> {:?} (rule {})",
                    id, base[*id], option.code(), before.channel, before.rule,
                    after.channel, after.rule
                );
            }
        }
    }
}
