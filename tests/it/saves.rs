//! Recipients' answer saves in a burst, on both backends: they are committed in groups,
//! and each save still gets its own outcome, its own audit line and nothing of another's.

use digiparat::server::db::{AnsweredBy, AuditFilter, DbError, NewAssessment, NewAudit, NewCase};
use serde_json::json;

use crate::both_backends;
use crate::database::{new_assessment, result};
use crate::helpers::{Db, TestResult, spawn_app};

both_backends!(a_burst_of_saves_gives_each_its_own_outcome);

async fn a_burst_of_saves_gives_each_its_own_outcome(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let team = app.db.create_team("Mange", None).await?;
    let new_case = NewCase {
        reference: "BURST-1".into(),
        birth_year: 1980,
        team_id: team,
        caseworker_id: None,
    };
    let case = app.db.create_case(&new_case, None).await?;
    let with_case = NewAssessment {
        case_id: Some(case),
        team_id: Some(team),
        ..new_assessment()
    };
    let traced = app.db.create_assessment(&with_case, None).await?;
    let plain = app.db.create_assessment(&new_assessment(), None).await?;
    let done = app.db.create_assessment(&new_assessment(), None).await?;
    app.db
        .finish(done, &result("self_service", 1), None)
        .await?;
    let missing = 424_242;
    let before = app.db.case(case).await?.ok_or("case vanished")?;

    // Which assessment save n goes to: every 16th a finished one, the next a missing one,
    // the rest alternately an open one with a case (and an audit line) and one without.
    let target = |n: usize| match n % 16 {
        0 => done,
        1 => missing,
        k if k % 2 == 0 => traced,
        _ => plain,
    };
    let saves = (0..96).map(|n| {
        let (db, id, item) = (app.db.clone(), target(n), format!("X{n}"));
        let value = json!(format!("v{n}"));
        let line = NewAudit {
            actor: "recipient".into(),
            action: "self.answer".into(),
            case_id: Some(case),
            assessment_id: Some(id),
            address: "192.0.2.7".into(),
            detail: item.clone(),
            ..NewAudit::default()
        };
        tokio::spawn(async move {
            let trail = (id == traced).then_some(&line);
            let outcome = db
                .save_open_answer(id, &item, &value, AnsweredBy::Recipient, trail)
                .await;
            (id, item, value, outcome)
        })
    });
    let (mut stored_traced, mut stored_plain) = (0, 0);
    for handle in futures_util::future::join_all(saves).await {
        let (id, item, value, outcome) = handle?;
        match outcome {
            Ok(Some(stored)) if id == traced || id == plain => {
                let mine = stored.iter().find(|s| s.item == item);
                assert_eq!(
                    mine.map(|s| &s.value),
                    Some(&value),
                    "{item}: the answers after it do not hold it: {stored:?}"
                );
                assert!(
                    stored.iter().all(|s| {
                        let n: usize = s.item[1..].parse().unwrap_or(usize::MAX);
                        target(n) == id
                    }),
                    "{item}: answers of another assessment came back: {stored:?}"
                );
                if id == traced {
                    stored_traced += 1;
                } else {
                    stored_plain += 1;
                }
            }
            Ok(None) if id == done => {}
            Err(DbError::NoSuchAssessment(m)) if id == missing && m == missing => {}
            other => panic!("{item} of assessment {id}: {other:?}"),
        }
    }
    assert_eq!((stored_traced, stored_plain), (42, 42));
    assert_eq!(app.db.answers(traced).await?.len(), 42);
    assert_eq!(app.db.answers(plain).await?.len(), 42);
    assert!(app.db.answers(done).await?.is_empty());

    // One audit line per stored save with a line, none for the others; the case touched.
    let lines = app
        .db
        .audit_entries(&AuditFilter {
            case_id: Some(case),
            action: Some("self.answer".into()),
            limit: 500,
            ..AuditFilter::default()
        })
        .await?;
    let mut details: Vec<String> = lines.iter().map(|e| e.entry.detail.clone()).collect();
    details.sort_unstable();
    let mut expected: Vec<String> = (0..96)
        .filter(|&n| target(n) == traced)
        .map(|n| format!("X{n}"))
        .collect();
    expected.sort_unstable();
    assert_eq!(details, expected);
    assert!(lines.iter().all(|e| e.entry.assessment_id == Some(traced)));
    let after = app.db.case(case).await?.ok_or("case vanished")?;
    assert!(after.last_activity_at > before.last_activity_at);
    Ok(())
}

/// One save of a group as PostgreSQL's `save_open_answers` takes it: assessment, item,
/// value (JSON text) and who answered.
type GroupSave<'a> = (i64, &'a str, &'a str, &'a str);

/// Calls `save_open_answers` with `saves` and no audit lines; each row as (save number,
/// outcome, item or SQLSTATE, value or message).
async fn save_group(
    sql: &sqlx::PgPool,
    saves: &[GroupSave<'_>],
) -> Result<Vec<(i32, String, Option<String>, Option<String>)>, sqlx::Error> {
    let none_i64: Vec<Option<i64>> = saves.iter().map(|_| None).collect();
    let none_text: Vec<Option<String>> = saves.iter().map(|_| None).collect();
    let items: Vec<String> = saves.iter().map(|s| s.1.to_owned()).collect();
    let values: Vec<String> = saves.iter().map(|s| s.2.to_owned()).collect();
    let bys: Vec<String> = saves.iter().map(|s| s.3.to_owned()).collect();
    sqlx::query_as(
        "SELECT n, outcome, a_item, a_value FROM save_open_answers(\
         $1, $2, $3, $4, $5, $6, $6, $5, $5, $6, $6)",
    )
    .bind(saves.iter().map(|s| s.0).collect::<Vec<i64>>())
    .bind(items)
    .bind(values)
    .bind(bys)
    .bind(none_i64)
    .bind(none_text)
    .fetch_all(sql)
    .await
}

/// PostgreSQL stores a group's saves together. Within a group the last save of an item
/// wins and the answers keep the order the saves were made in; a save the database
/// refuses (here one no answer may have: answered by a robot) fails alone, with its
/// SQLSTATE, and the rest of its group is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgresql_group_keeps_order_and_a_refused_save_fails_alone() -> TestResult {
    let url = crate::helpers::app::fresh_pg_database().await;
    let app = crate::helpers::app::spawn_with(tempfile::tempdir()?, url.clone()).await;
    let (a, b) = (
        app.db.create_assessment(&new_assessment(), None).await?,
        app.db.create_assessment(&new_assessment(), None).await?,
    );
    let sql = sqlx::PgPool::connect(&url).await?;
    let rows = save_group(
        &sql,
        &[
            (a, "X1", "\"1\"", "recipient"),
            (a, "X2", "\"2\"", "recipient"),
            (b, "Y1", "\"y\"", "recipient"),
            (a, "X1", "\"3\"", "recipient"),
        ],
    )
    .await?;
    let of = |n: i32| -> Vec<(String, Option<String>, Option<String>)> {
        rows.iter()
            .filter(|r| r.0 == n)
            .map(|r| (r.1.clone(), r.2.clone(), r.3.clone()))
            .collect()
    };
    let stored = |item: &str, value: &str| {
        (
            "stored".to_owned(),
            Some(item.to_owned()),
            Some(value.to_owned()),
        )
    };
    let a_after = vec![stored("X2", "\"2\""), stored("X1", "\"3\"")];
    assert_eq!(
        of(4),
        a_after,
        "the last save of X1 wins, and X1 is now the latest"
    );
    assert_eq!(
        of(3),
        vec![stored("Y1", "\"y\"")],
        "nothing of another assessment"
    );
    let listed: Vec<(String, String)> = app
        .db
        .answers(a)
        .await?
        .into_iter()
        .map(|s| (s.item, s.value.to_string()))
        .collect();
    assert_eq!(
        listed,
        [("X2".into(), "\"2\"".into()), ("X1".into(), "\"3\"".into())]
    );

    let rows = save_group(
        &sql,
        &[
            (b, "Y2", "\"z\"", "recipient"),
            (a, "X3", "\"4\"", "robot"),
            (b, "Y3", "\"w\"", "recipient"),
        ],
    )
    .await?;
    let refused: Vec<_> = rows.iter().filter(|r| r.0 == 2).collect();
    assert_eq!(refused.len(), 1, "{rows:?}");
    assert_eq!(refused[0].1, "error", "{rows:?}");
    assert_eq!(
        refused[0].2.as_deref(),
        Some("23514"),
        "a CHECK violation: {rows:?}"
    );
    assert_eq!(app.db.answers(a).await?.len(), 2, "X3 was not stored");
    let b_items: Vec<String> = app
        .db
        .answers(b)
        .await?
        .into_iter()
        .map(|s| s.item)
        .collect();
    assert_eq!(b_items, ["Y1", "Y2", "Y3"]);
    Ok(())
}
