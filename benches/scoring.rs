//! Criterion benches of the pure scoring core: one full assessment (parse + score +
//! recommend, goal <= 2 µs) and re-scoring a million stored, already parsed answer sets.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use digiparat::domain::{Answers, Channel, Instrument, ItemOption, Mode, evaluate, score_request};
use serde_json::{Map, Value, json};
use std::hint::black_box;

/// A full self-assessment (the "young-fluent" persona).
fn full_answers() -> Map<String, Value> {
    let answers = json!({
        "U1": "daily", "A1": "phone_and_computer", "A2": "stable", "A3": "works_myself",
        "A4": "read_myself", "A5": "never", "A6": "yes",
        "S1": "can_teach", "S2": "alone", "S3": "alone", "S4": "alone", "S5": "alone",
        "S6": "alone", "S7": "alone",
        "M1": "agree", "M2": "disagree", "M3": "disagree", "M4": "agree",
        "M5": "strongly_agree", "M6": "neutral",
        "U2": ["digital_post", "banking", "online_form"], "N1": "sometimes", "N2": "no",
        "L1": "easy", "L2": "no", "H1": "no", "H2": "own_home", "P1": "online_myself"
    });
    answers.as_object().cloned().unwrap_or_default()
}

/// Varied but valid answer sets from a fixed xorshift sequence, so runs are comparable.
fn varied_answers(dr1: &Instrument, count: usize) -> Vec<Answers> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        usize::try_from(state % n as u64).unwrap_or(0)
    };
    (0..count)
        .map(|i| {
            let mode = if i % 4 == 0 {
                Mode::Interview
            } else {
                Mode::SelfAssessment
            };
            let mut map = Map::new();
            for item in dr1.items() {
                let options = item.options();
                if next(10) == 0 || item.only_mode().is_some_and(|m| m != mode) {
                    continue; // about one in ten left unanswered
                }
                let value = if item.is_multi() {
                    let chosen: Vec<&str> = options
                        .iter()
                        .filter(|o| !o.is_exclusive() && next(2) == 0)
                        .map(ItemOption::code)
                        .collect();
                    json!(chosen)
                } else {
                    json!(options[next(options.len())].code())
                };
                map.insert(item.id().to_owned(), value);
            }
            Answers::parse(dr1, mode, &map).expect("generated answers are valid")
        })
        .collect()
}

fn one_assessment(c: &mut Criterion) {
    let dr1 = Instrument::dr1();
    let map = full_answers();
    let body = json!({"instrument": "dr-1", "mode": "self", "answers": map}).to_string();
    let mut group = c.benchmark_group("one assessment");
    group.bench_function("parse map + score + recommend", |b| {
        b.iter(|| {
            let answers = Answers::parse(dr1, Mode::SelfAssessment, black_box(&map));
            answers.map(|a| evaluate(dr1, &a))
        });
    });
    group.bench_function("request bytes (JSON) + score + recommend", |b| {
        b.iter(|| score_request(black_box(body.as_bytes())));
    });
    let parsed = Answers::parse(dr1, Mode::SelfAssessment, &map).expect("valid");
    group.bench_function("score + recommend (parsed)", |b| {
        b.iter(|| evaluate(dr1, black_box(&parsed)));
    });
    group.finish();
}

fn rescore_million(c: &mut Criterion) {
    const STORED: usize = 1_000_000;
    let dr1 = Instrument::dr1();
    let distinct = varied_answers(dr1, 4096);
    // A million separate allocations, as if loaded from storage.
    let stored: Vec<Answers> = distinct.iter().cycle().take(STORED).cloned().collect();
    let mut group = c.benchmark_group("re-score stored");
    group.sample_size(10);
    group.throughput(Throughput::Elements(STORED as u64));
    group.bench_function("1,000,000 answer sets", |b| {
        b.iter(|| {
            stored
                .iter()
                .filter(|a| evaluate(dr1, a).channel == Channel::SelfService)
                .count()
        });
    });
    group.finish();
}

criterion_group!(benches, one_assessment, rescore_million);
criterion_main!(benches);
