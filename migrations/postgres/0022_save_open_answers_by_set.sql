-- Recipients' answer saves of one group as a few set-wide statements instead of one
-- subtransaction and five statements per save (#15). store_open_answers (migrations
-- 0020 and 0021) stays, renamed store_open_answers_each: it is what a group falls back to
-- when one of its saves fails, so each save still gets its own outcome.
--
-- The same rows are locked first in the same order (the cases, then the assessments, by
-- id), so a group waits for no other write in a circle, and no save's assessment can be
-- finished or erased between the checks and the writes below. Then, for the group's saves
-- of open assessments:
--   1. each (assessment, item) takes the value of its last save in the group; every
--      save's time is the group's time plus its place in the group in microseconds, so
--      the answers keep the order the saves were made in (answers are listed by time);
--   2. one audit line per save that has one, and each case's last activity;
-- in a block of its own: if anything fails, nothing of it stands and each save is made
-- again on its own (store_open_answers_each), failing alone.
-- Every save's rows are then those of migration 0020: ('stored', the answers of its
-- assessment after the group), or 'finished' or 'missing'.
ALTER FUNCTION store_open_answers(
    BIGINT[], TEXT[], TEXT[], TEXT[], BIGINT[], TEXT[], TEXT[], BIGINT[], BIGINT[], TEXT[],
    TEXT[]
) RENAME TO store_open_answers_each;

CREATE FUNCTION store_open_answers(
    p_ids BIGINT[], p_items TEXT[], p_values TEXT[], p_bys TEXT[],
    p_actor_ids BIGINT[], p_actors TEXT[], p_actions TEXT[], p_cases BIGINT[],
    p_line_assessments BIGINT[], p_addresses TEXT[], p_details TEXT[]
) RETURNS TABLE (n INT, outcome TEXT, a_item TEXT, a_value TEXT, a_by TEXT, a_at TIMESTAMPTZ)
LANGUAGE plpgsql AS $$
DECLARE
    t0 TIMESTAMPTZ := clock_timestamp();
BEGIN
    PERFORM 1 FROM cases
        WHERE id IN (SELECT case_id FROM assessments WHERE id = ANY (p_ids))
        ORDER BY id FOR NO KEY UPDATE;
    PERFORM 1 FROM assessments WHERE id = ANY (p_ids) ORDER BY id FOR NO KEY UPDATE;
    BEGIN
        INSERT INTO answers (assessment_id, item, value, answered_by, answered_at)
            SELECT DISTINCT ON (s.id, s.item) s.id, s.item, s.value, s.by,
                    t0 + s.i * INTERVAL '1 microsecond'
                FROM unnest(p_ids, p_items, p_values, p_bys) WITH ORDINALITY
                    AS s (id, item, value, by, i)
                JOIN assessments a ON a.id = s.id AND a.finished_at IS NULL
                ORDER BY s.id, s.item, s.i DESC
            ON CONFLICT (assessment_id, item) DO UPDATE SET
                value = excluded.value, answered_by = excluded.answered_by,
                answered_at = excluded.answered_at;
        INSERT INTO audit_log (at, actor_id, actor, action, case_id, assessment_id, address,
                detail)
            SELECT t0 + s.i * INTERVAL '1 microsecond', s.actor_id, s.actor, s.action,
                    s.case_id, coalesce(s.line_assessment, s.id), s.address, s.detail
                FROM unnest(p_ids, p_actor_ids, p_actors, p_actions, p_cases,
                        p_line_assessments, p_addresses, p_details) WITH ORDINALITY
                    AS s (id, actor_id, actor, action, case_id, line_assessment, address,
                        detail, i)
                JOIN assessments a ON a.id = s.id AND a.finished_at IS NULL
                WHERE s.action IS NOT NULL
                ORDER BY s.i;
        UPDATE cases c SET last_activity_at = s.at
            FROM (SELECT u.case_id, max(t0 + u.i * INTERVAL '1 microsecond') AS at
                    FROM unnest(p_ids, p_actions, p_cases) WITH ORDINALITY
                        AS u (id, action, case_id, i)
                    JOIN assessments a ON a.id = u.id AND a.finished_at IS NULL
                    WHERE u.action IS NOT NULL AND u.case_id IS NOT NULL
                    GROUP BY u.case_id) AS s
            WHERE c.id = s.case_id;
    EXCEPTION WHEN OTHERS THEN
        RETURN QUERY SELECT * FROM store_open_answers_each(p_ids, p_items, p_values, p_bys,
            p_actor_ids, p_actors, p_actions, p_cases, p_line_assessments, p_addresses,
            p_details);
        RETURN;
    END;
    RETURN QUERY
        SELECT s.i::INT,
                CASE WHEN a.id IS NULL THEN 'missing'
                    WHEN a.finished_at IS NOT NULL THEN 'finished'
                    ELSE 'stored' END,
                w.item, w.value, w.answered_by, w.answered_at
            FROM unnest(p_ids) WITH ORDINALITY AS s (id, i)
            LEFT JOIN assessments a ON a.id = s.id
            LEFT JOIN answers w ON a.finished_at IS NULL AND w.assessment_id = a.id
            ORDER BY s.i, w.answered_at, w.item;
END;
$$;
