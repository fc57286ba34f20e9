//! A recipient's open assessment kept in an app instance's memory on PostgreSQL
//! (`server/db/pg_reads.rs`): question pages served without a round trip, yet never
//! showing less than the database holds — after the person's own write on any instance,
//! after anyone else's change, and after the instance lost its ear on the database.

use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::helpers::app::{fresh_pg_database, spawn_with};
use crate::helpers::{TestApp, TestResult, location};
use crate::self_flow::device;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Two instances on one fresh database, a raw connection to it, and a device that has
/// started a self-assessment on the first and answered A1 with `phone_only`.
async fn two_instances() -> Result<(TestApp, TestApp, PgPool, reqwest::Client), Error> {
    let url = fresh_pg_database().await;
    let first = spawn_with(tempfile::tempdir()?, url.clone()).await;
    let second = spawn_with(tempfile::tempdir()?, url.clone()).await;
    let sql = PgPool::connect(&url).await?;
    let dev = device();
    let start = dev.post(first.url("/self/start")).send().await?;
    assert_eq!(location(&start), "/self/code");
    answer(&first, &dev, "phone_only").await?;
    Ok((first, second, sql, dev))
}

async fn answer(app: &TestApp, dev: &reqwest::Client, code: &str) -> Result<(), Error> {
    let res = dev
        .post(app.url("/self/answer"))
        .form(&[("item", "A1"), ("answer", code)])
        .send()
        .await?;
    assert_eq!(res.status(), 303, "A1={code}");
    Ok(())
}

/// What A1's page on `app` shows as chosen (`None`: it did not show the question).
async fn chosen(app: &TestApp, dev: &reqwest::Client) -> Result<Option<String>, Error> {
    let res = dev.get(app.url("/self/q/A1")).send().await?;
    if res.status() != 200 {
        return Ok(None);
    }
    let html = res.text().await?;
    let code = [
        "phone_only",
        "none",
        "computer_only",
        "borrowed_only",
        "phone_and_computer",
    ]
    .into_iter()
    .find(|c| html.contains(&format!(r#"value="{c}" checked"#)));
    Ok(Some(code.unwrap_or("nothing").to_owned()))
}

/// Asks for A1's page until it shows `want`, for at most five seconds.
async fn shows_soon(app: &TestApp, dev: &reqwest::Client, want: Option<&str>) -> Result<(), Error> {
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let seen = chosen(app, dev).await?;
        if seen.as_deref() == want {
            return Ok(());
        }
        if Instant::now() > until {
            return Err(format!("A1 shows {seen:?}, not {want:?}, after five seconds").into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Changes A1 in the database as another program would, announced or not.
async fn change_behind(sql: &PgPool, code: &str, announced: bool) -> Result<(), Error> {
    let mut tx = sql.begin().await?;
    if !announced {
        sqlx::query("ALTER TABLE answers DISABLE TRIGGER USER")
            .execute(&mut *tx)
            .await?;
    }
    let changed = sqlx::query("UPDATE answers SET value = $1 WHERE item = 'A1'")
        .bind(format!("\"{code}\""))
        .execute(&mut *tx)
        .await?;
    assert_eq!(changed.rows_affected(), 1);
    if !announced {
        sqlx::query("ALTER TABLE answers ENABLE TRIGGER USER")
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Kept: after a quiet moment, the page is read once more and so kept.
async fn settle(app: &TestApp, dev: &reqwest::Client, want: &str) -> Result<(), Error> {
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(chosen(app, dev).await?.as_deref(), Some(want));
    Ok(())
}

/// The person changes an answer on one instance and at once asks for the page on the
/// other, again and again: the page shows each change, never the copy from before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_shows_the_persons_own_write_at_once_on_any_instance() -> TestResult {
    let (first, second, _sql, dev) = two_instances().await?;
    for round in 0..20 {
        let code = if round % 2 == 0 { "none" } else { "phone_only" };
        // Read (and kept) on the first instance, changed on the second, read on the first.
        assert!(chosen(&first, &dev).await?.is_some());
        assert!(chosen(&first, &dev).await?.is_some());
        answer(&second, &dev, code).await?;
        assert_eq!(
            chosen(&first, &dev).await?.as_deref(),
            Some(code),
            "round {round}: the first instance showed what was there before the write"
        );
    }
    Ok(())
}

/// A change nobody told the instance of is not seen (the page is served from memory),
/// an announced change is seen within moments, and so is the assessment's erasure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_page_goes_when_the_database_announces_a_change() -> TestResult {
    let (first, _second, sql, dev) = two_instances().await?;
    settle(&first, &dev, "phone_only").await?;
    change_behind(&sql, "none", false).await?;
    assert_eq!(
        chosen(&first, &dev).await?.as_deref(),
        Some("phone_only"),
        "the page was not served from memory"
    );
    change_behind(&sql, "computer_only", true).await?;
    shows_soon(&first, &dev, Some("computer_only")).await?;
    settle(&first, &dev, "computer_only").await?;
    sqlx::query("DELETE FROM assessments").execute(&sql).await?;
    shows_soon(&first, &dev, None).await?;
    let gone = dev.get(first.url("/self/q/A1")).send().await?;
    assert_eq!(location(&gone), "/self/intro");
    Ok(())
}

/// The instance's connection for announcements is cut, and a change made meanwhile is
/// never announced: the pages kept before are dropped, and once it listens again, pages
/// are kept again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_listener_leaves_no_page_that_missed_a_change() -> TestResult {
    let (first, _second, sql, dev) = two_instances().await?;
    settle(&first, &dev, "phone_only").await?;
    let cut: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
    )
    .fetch_all(&sql)
    .await?;
    assert!(cut.len() >= 2, "no listeners to cut: {cut:?}");
    change_behind(&sql, "none", false).await?;
    shows_soon(&first, &dev, Some("none")).await?;
    // Listening again (it reconnects within a second or two): kept again.
    tokio::time::sleep(Duration::from_secs(3)).await;
    settle(&first, &dev, "none").await?;
    change_behind(&sql, "computer_only", false).await?;
    assert_eq!(
        chosen(&first, &dev).await?.as_deref(),
        Some("none"),
        "the page is no longer kept after the listener came back"
    );
    change_behind(&sql, "phone_and_computer", true).await?;
    shows_soon(&first, &dev, Some("phone_and_computer")).await?;
    Ok(())
}

/// The person's own saves are not announced (each NOTIFY would make the saves commit one
/// at a time); their stamp keeps every instance's pages right. Other changes are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_persons_own_saves_are_not_announced_but_other_changes_are() -> TestResult {
    let (first, second, sql, dev) = two_instances().await?;
    let mut ear = sqlx::postgres::PgListener::connect_with(&sql).await?;
    ear.listen("digiparat_assessments").await?;
    answer(&second, &dev, "none").await?;
    answer(&first, &dev, "computer_only").await?;
    let heard = tokio::time::timeout(Duration::from_millis(500), ear.recv()).await;
    assert!(
        heard.is_err(),
        "a save of the person was announced: {heard:?}"
    );
    change_behind(&sql, "phone_only", true).await?;
    let heard = tokio::time::timeout(Duration::from_secs(5), ear.recv()).await??;
    let id: i64 = sqlx::query_scalar("SELECT assessment_id FROM answers WHERE item = 'A1'")
        .fetch_one(&sql)
        .await?;
    assert_eq!(heard.payload(), id.to_string());
    shows_soon(&first, &dev, Some("phone_only")).await?;
    Ok(())
}

/// A save on an instance that knows the person's assessment from an earlier save
/// (`Repository::assessment_to_save`) is still checked against the database: finished
/// or erased behind the instance's back (unannounced), the save stores nothing and sends
/// the person where a fresh read would have: to the result, or to the start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_from_what_the_instance_knows_is_checked_against_the_database() -> TestResult {
    let (first, _second, sql, dev) = two_instances().await?;
    answer(&first, &dev, "none").await?;
    let id: i64 = sqlx::query_scalar("SELECT assessment_id FROM answers WHERE item = 'A1'")
        .fetch_one(&sql)
        .await?;
    let quietly = |statement: &'static str| {
        let sql = sql.clone();
        async move {
            let mut tx = sql.begin().await?;
            sqlx::query("ALTER TABLE assessments DISABLE TRIGGER USER")
                .execute(&mut *tx)
                .await?;
            sqlx::query(statement).bind(id).execute(&mut *tx).await?;
            sqlx::query("ALTER TABLE assessments ENABLE TRIGGER USER")
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<(), Error>(())
        }
    };
    let save = |code: &'static str| {
        dev.post(first.url("/self/answer"))
            .form(&[("item", "A1"), ("answer", code)])
            .send()
    };
    quietly("UPDATE assessments SET finished_at = now() WHERE id = $1").await?;
    let res = save("phone_only").await?;
    assert_eq!(location(&res), "/self/result");
    let value: String = sqlx::query_scalar("SELECT value FROM answers WHERE item = 'A1'")
        .fetch_one(&sql)
        .await?;
    assert_eq!(
        value, "\"none\"",
        "nothing is stored in a finished assessment"
    );
    quietly("DELETE FROM assessments WHERE id = $1").await?;
    let res = save("phone_only").await?;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/self/intro");
    Ok(())
}
