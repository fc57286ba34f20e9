//! The repository contract, run against both SQLite and PostgreSQL.

use digiparat::server::db::{
    AnsweredBy, AuditFilter, DbError, NewAssessment, NewAudit, NewCase, Override, StoredResult,
};
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Db, TestResult, spawn_app};

both_backends!(
    assessment_round_trip,
    answers_are_replaced_not_duplicated,
    finish_stores_result_and_time_together,
    writes_to_missing_assessment_fail_cleanly,
    constraints_reject_impossible_rows,
    tokens_and_resume_codes_find_their_assessment,
    complete_records_are_all_or_nothing,
    override_sits_beside_the_computed_channel,
    the_recipients_save_gives_the_answers_after_it,
);

/// A bare self-assessment, as the repository tests create them.
pub fn new_assessment() -> NewAssessment {
    NewAssessment {
        instrument: "dr-1".into(),
        mode: digiparat::domain::Mode::SelfAssessment,
        language: "ar".into(),
        ..Default::default()
    }
}

pub fn result(channel: &str, rule: i16) -> StoredResult {
    StoredResult {
        instrument: "dr-1".into(),
        channel: channel.into(),
        rule,
        provisional: false,
        borderline: true,
        score_access: Some(72),
        score_skills: None,
        score_motivation: Some(0),
        outcome: json!({"channel": channel, "rule": rule, "reasons": ["access_low"]}),
        // Whole seconds: PostgreSQL keeps microseconds, SQLite nanoseconds.
        computed_at: time::OffsetDateTime::UNIX_EPOCH
            + time::Duration::seconds(time::OffsetDateTime::now_utc().unix_timestamp()),
        override_: None,
    }
}

async fn assessment_round_trip(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let id = app.db.create_assessment(&new_assessment(), None).await?;
    let other = app.db.create_assessment(&new_assessment(), None).await?;
    assert_ne!(id, other);
    let a = app
        .db
        .assessment(id)
        .await?
        .ok_or("created assessment not found")?;
    assert_eq!(
        (a.instrument.as_str(), a.mode.as_str(), a.language.as_str()),
        ("dr-1", "self", "ar")
    );
    assert!(a.finished_at.is_none());
    assert!(app.db.assessment(id + 1000).await?.is_none());
    Ok(())
}

async fn answers_are_replaced_not_duplicated(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let id = app.db.create_assessment(&new_assessment(), None).await?;
    app.db
        .save_answer(id, "A1", &json!("phone_only"), AnsweredBy::Recipient, None)
        .await?;
    app.db
        .save_answer(
            id,
            "U2",
            &json!(["banking", "upload"]),
            AnsweredBy::Recipient,
            None,
        )
        .await?;
    app.db
        .save_answer(id, "A1", &json!("none"), AnsweredBy::Caseworker, None)
        .await?;
    let answers = app.db.answers(id).await?;
    assert_eq!(answers.len(), 2, "{answers:?}");
    let a1 = answers
        .iter()
        .find(|a| a.item == "A1")
        .ok_or("A1 missing")?;
    assert_eq!(a1.value, json!("none"));
    assert_eq!(a1.answered_by, AnsweredBy::Caseworker);
    let u2 = answers
        .iter()
        .find(|a| a.item == "U2")
        .ok_or("U2 missing")?;
    assert_eq!(u2.value, json!(["banking", "upload"]));
    Ok(())
}

async fn finish_stores_result_and_time_together(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let id = app.db.create_assessment(&new_assessment(), None).await?;
    assert!(app.db.result(id).await?.is_none());
    let stored = result("assisted", 6);
    app.db.finish(id, &stored, None).await?;
    assert_eq!(app.db.result(id).await?.as_ref(), Some(&stored));
    let a = app.db.assessment(id).await?.ok_or("assessment vanished")?;
    assert_eq!(a.finished_at, Some(stored.computed_at));
    // Finishing again replaces the result rather than adding a second one.
    let again = result("analogue", 5);
    app.db.finish(id, &again, None).await?;
    assert_eq!(app.db.result(id).await?, Some(again));
    Ok(())
}

async fn writes_to_missing_assessment_fail_cleanly(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let missing = 424_242;
    let err = app
        .db
        .save_answer(missing, "A1", &json!("none"), AnsweredBy::Recipient, None)
        .await;
    assert!(
        matches!(err, Err(DbError::NoSuchAssessment(424_242))),
        "{err:?}"
    );
    let err = app.db.finish(missing, &result("assisted", 6), None).await;
    assert!(
        matches!(err, Err(DbError::NoSuchAssessment(424_242))),
        "{err:?}"
    );
    assert!(
        app.db.result(missing).await?.is_none(),
        "a failed finish left a result behind"
    );
    Ok(())
}

async fn constraints_reject_impossible_rows(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    // An unknown mode cannot even be named: the store takes the domain's mode.
    assert!("robot".parse::<digiparat::domain::Mode>().is_err());
    let id = app.db.create_assessment(&new_assessment(), None).await?;
    let err = app.db.finish(id, &result("teleport", 4), None).await;
    assert!(err.is_err(), "channel 'teleport' was accepted");
    // The failed transaction must not have marked the assessment finished.
    let a = app.db.assessment(id).await?.ok_or("assessment vanished")?;
    assert!(
        a.finished_at.is_none(),
        "half-written: finished_at set without a result"
    );
    Ok(())
}

async fn tokens_and_resume_codes_find_their_assessment(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let new = NewAssessment {
        token: Some("tok-1".into()),
        resume_code: Some("ACDE7FHJ".into()),
        ..new_assessment()
    };
    let id = app.db.create_assessment(&new, None).await?;
    assert_eq!(
        app.db.assessment_by_token("tok-1").await?.map(|a| a.id),
        Some(id)
    );
    assert_eq!(
        app.db
            .assessment_by_resume_code("ACDE7FHJ")
            .await?
            .map(|a| a.id),
        Some(id)
    );
    assert!(app.db.assessment_by_token("nope").await?.is_none());
    // Codes and tokens are unique: a clash is refused, not silently shared.
    let clash = NewAssessment {
        token: Some("tok-2".into()),
        ..new
    };
    assert!(
        app.db.create_assessment(&clash, None).await.is_err(),
        "duplicate resume code accepted"
    );
    Ok(())
}

async fn complete_records_are_all_or_nothing(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let new = NewAssessment {
        mode: digiparat::domain::Mode::Interview,
        token: Some("int-1".into()),
        note: Some("met at office".into()),
        ..new_assessment()
    };
    let answers = vec![
        ("A1".to_owned(), json!("phone_only")),
        ("U2".to_owned(), json!(["banking"])),
    ];
    let id = app
        .db
        .record_complete(
            &new,
            &answers,
            AnsweredBy::Caseworker,
            &result("assisted", 6),
        )
        .await?;
    let stored = app.db.assessment(id).await?.ok_or("missing")?;
    assert_eq!(stored.note.as_deref(), Some("met at office"));
    assert!(stored.finished_at.is_some());
    assert_eq!(app.db.answers(id).await?.len(), 2);
    // A bad result rolls back the assessment and its answers too.
    let bad = NewAssessment {
        token: Some("int-2".into()),
        ..new
    };
    assert!(
        app.db
            .record_complete(
                &bad,
                &answers,
                AnsweredBy::Caseworker,
                &result("teleport", 6)
            )
            .await
            .is_err()
    );
    assert!(
        app.db.assessment_by_token("int-2").await?.is_none(),
        "half-written interview left behind"
    );
    Ok(())
}

async fn override_sits_beside_the_computed_channel(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let id = app.db.create_assessment(&new_assessment(), None).await?;
    assert!(matches!(
        app.db
            .set_override(
                id,
                digiparat::domain::Channel::Analogue,
                digiparat::domain::OverrideReason::Other,
                "x",
                None
            )
            .await,
        Err(DbError::NoSuchAssessment(_))
    ));
    app.db.finish(id, &result("self_service", 4), None).await?;
    app.db
        .set_override(
            id,
            digiparat::domain::Channel::Assisted,
            digiparat::domain::OverrideReason::Other,
            "Wants to try with help first",
            None,
        )
        .await?;
    let r = app.db.result(id).await?.ok_or("no result")?;
    assert_eq!(r.channel, "self_service", "computed channel overwritten");
    let Some(Override {
        channel, reason, ..
    }) = r.override_
    else {
        return Err("override not stored".into());
    };
    assert_eq!(
        (channel.as_str(), reason.as_str()),
        ("assisted", "Wants to try with help first")
    );
    // Re-scoring stores the computed result again and keeps the caseworker's choice.
    app.db.finish(id, &result("self_service", 4), None).await?;
    assert!(
        app.db
            .result(id)
            .await?
            .ok_or("no result")?
            .override_
            .is_some()
    );
    // An unknown channel cannot even be named: the store takes the domain's channel.
    assert!("teleport".parse::<digiparat::domain::Channel>().is_err());
    Ok(())
}

/// The recipient's save (`save_open_answer`; on SQLite the direct path of
/// `server::db::direct`): the answer, its audit line and the case's activity in one
/// transaction, the answers after it in the order the sqlx path reads them, nothing stored
/// once the assessment is finished, and a missing assessment named.
async fn the_recipients_save_gives_the_answers_after_it(db: Db) -> TestResult {
    let app = spawn_app(db).await;
    let team = app.db.create_team("Direkte", None).await?;
    let case = app
        .db
        .create_case(
            &NewCase {
                reference: "DIR-1".into(),
                birth_year: 1970,
                team_id: team,
                caseworker_id: None,
            },
            None,
        )
        .await?;
    let id = app
        .db
        .create_assessment(
            &NewAssessment {
                case_id: Some(case),
                team_id: Some(team),
                token: Some("direct-token".into()),
                ..new_assessment()
            },
            None,
        )
        .await?;
    let before = app.db.case(case).await?.ok_or("case vanished")?;
    let line = |item: &str| NewAudit {
        actor: "recipient".into(),
        action: "self.answer".into(),
        case_id: Some(case),
        assessment_id: Some(id),
        address: "192.0.2.1".into(),
        detail: item.into(),
        ..NewAudit::default()
    };
    let first = app
        .db
        .save_open_answer(
            id,
            "A1",
            &json!("phone_only"),
            AnsweredBy::Recipient,
            Some(&line("A1")),
        )
        .await?
        .ok_or("an open assessment's save stored nothing")?;
    assert_eq!(first.len(), 1, "{first:?}");
    let second = app
        .db
        .save_open_answer(
            id,
            "U2",
            &json!(["banking", "upload"]),
            AnsweredBy::Recipient,
            Some(&line("U2")),
        )
        .await?
        .ok_or("an open assessment's save stored nothing")?;
    let third = app
        .db
        .save_open_answer(
            id,
            "A1",
            &json!("none"),
            AnsweredBy::Recipient,
            Some(&line("A1")),
        )
        .await?
        .ok_or("an open assessment's save stored nothing")?;
    // What the save gives is what a later read gives (order, values, times), on either path.
    assert_eq!(third, app.db.answers(id).await?);
    let (a, by_token) = app
        .db
        .assessment_with_answers_by_token("direct-token", None)
        .await?
        .ok_or("the token finds nothing")?;
    assert_eq!((a.id, &by_token), (id, &third));
    assert_eq!(app.db.assessment_by_token("direct-token").await?, Some(a));
    let items: Vec<(&str, &serde_json::Value)> =
        third.iter().map(|s| (s.item.as_str(), &s.value)).collect();
    assert_eq!(
        items,
        vec![
            ("U2", &json!(["banking", "upload"])),
            ("A1", &json!("none"))
        ]
    );
    assert!(second[1].answered_at >= first[0].answered_at);
    let answer_lines = async || {
        app.db
            .audit_entries(&AuditFilter {
                case_id: Some(case),
                action: Some("self.answer".into()),
                limit: 10,
                ..AuditFilter::default()
            })
            .await
    };
    // Each save wrote its audit line with the case, and touched the case.
    let trail = answer_lines().await?;
    let mut details: Vec<&str> = trail.iter().map(|e| e.entry.detail.as_str()).collect();
    details.sort_unstable();
    assert_eq!(details, vec!["A1", "A1", "U2"]);
    assert!(trail.iter().all(|e| e.entry.assessment_id == Some(id)));
    let after = app.db.case(case).await?.ok_or("case vanished")?;
    assert!(after.last_activity_at > before.last_activity_at);

    // Finished: the save stores nothing, and says so.
    app.db.finish(id, &result("assisted", 6), None).await?;
    let late = app
        .db
        .save_open_answer(
            id,
            "A1",
            &json!("computer"),
            AnsweredBy::Recipient,
            Some(&line("A1")),
        )
        .await?;
    assert_eq!(late, None);
    assert_eq!(app.db.answers(id).await?, third);
    let lines = answer_lines().await?;
    assert_eq!(lines.len(), 3, "a refused save left an audit line");

    let missing = app
        .db
        .save_open_answer(424_242, "A1", &json!("none"), AnsweredBy::Recipient, None)
        .await;
    assert!(
        matches!(missing, Err(DbError::NoSuchAssessment(424_242))),
        "{missing:?}"
    );
    Ok(())
}
