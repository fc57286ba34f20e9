-- The recipient's answer save in one round trip (server/db/open_answer.rs):
-- the statements of store_answers! for one answer of an open assessment, in the order and
-- with the locks it takes (the case's row, then the assessment's), the audit line and
-- the case's activity, then the answers after the change. One call is one statement, so
-- it commits or rolls back whole. No rows: the assessment is finished, nothing stored.
-- SQLite runs the same statements on the calling thread instead (server/db/direct.rs).
CREATE FUNCTION save_open_answer(
    p_id BIGINT, p_item TEXT, p_value TEXT, p_by TEXT, p_at TIMESTAMPTZ,
    p_audit BOOLEAN, p_actor_id BIGINT, p_actor TEXT, p_action TEXT, p_case BIGINT,
    p_line_assessment BIGINT, p_address TEXT, p_detail TEXT
) RETURNS TABLE (a_item TEXT, a_value TEXT, a_by TEXT, a_at TIMESTAMPTZ)
LANGUAGE plpgsql AS $$
DECLARE
    fin TIMESTAMPTZ;
BEGIN
    UPDATE cases SET last_activity_at = last_activity_at
        WHERE id = (SELECT case_id FROM assessments WHERE id = p_id);
    UPDATE assessments SET note = note WHERE id = p_id RETURNING finished_at INTO fin;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no assessment with id %', p_id USING ERRCODE = 'P0002';
    END IF;
    IF fin IS NOT NULL THEN
        RETURN;
    END IF;
    INSERT INTO answers (assessment_id, item, value, answered_by, answered_at)
        VALUES (p_id, p_item, p_value, p_by, p_at)
        ON CONFLICT (assessment_id, item) DO UPDATE SET
        value = excluded.value, answered_by = excluded.answered_by,
        answered_at = excluded.answered_at;
    IF p_audit THEN
        INSERT INTO audit_log (at, actor_id, actor, action, case_id, assessment_id, address, detail)
            VALUES (p_at, p_actor_id, p_actor, p_action, p_case, p_line_assessment, p_address, p_detail);
        IF p_case IS NOT NULL THEN
            UPDATE cases SET last_activity_at = p_at WHERE id = p_case;
        END IF;
    END IF;
    RETURN QUERY SELECT a.item, a.value, a.answered_by, a.answered_at FROM answers a
        WHERE a.assessment_id = p_id ORDER BY a.answered_at, a.item;
END;
$$;
