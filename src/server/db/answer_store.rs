//! Answers stored by caseworkers and corrections, in a transaction that locks the
//! assessment first (the recipient's own saves are in `open_answer.rs`).

/// Stores answers (and, when `$note` is `Some`, the note) in one transaction that locks
/// the assessment first. A finished assessment's answers are in the item cube, so a
/// correction changes the cube in the same transaction.
macro_rules! store_answers {
    ($repo:expr, $id:expr, $answers:expr, $by:expr, $note:expr, $trail:expr) => {{
        let id: $crate::server::db::AssessmentId = $id;
        let note: Option<Option<&str>> = $note;
        let mut tx = $repo.writer.begin().await?;
        let finished = $crate::server::db::cube::lock_assessment!(&mut tx, id)
            .ok_or($crate::server::db::DbError::NoSuchAssessment(id))?;
        let before = if finished {
            Some($crate::server::db::cube::cube_tally!(&mut tx, &[id]))
        } else {
            None
        };
        if let Some(note) = note {
            sqlx::query("UPDATE assessments SET note = $1 WHERE id = $2")
                .bind(note)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        for (item, value) in $answers {
            let done = upsert_answer!(&mut *tx, id, item, value, $by);
            match done {
                Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
                    return Err($crate::server::db::DbError::NoSuchAssessment(id));
                }
                other => other?,
            };
        }
        if let Some(before) = before {
            let after = $crate::server::db::cube::cube_tally!(&mut tx, &[id]);
            $crate::server::db::cube::cube_apply!(
                &mut tx,
                &$crate::server::db::cube::Counted::change(&before, &after)
            );
        }
        $crate::server::db::cases::trail_on!(tx, $trail, None, Some(id));
        tx.commit().await?;
        Ok(())
    }};
}

pub(crate) use store_answers;
