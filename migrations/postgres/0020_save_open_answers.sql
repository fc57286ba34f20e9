-- Recipients' answer saves committed in groups (server/db/groups.rs): one call stores the
-- saves an app instance queued while its previous group was committing, in one
-- transaction with one commit, and gives each save its own outcome. Save i is
-- (p_ids[i], p_items[i], …); the audit columns are NULL where a save has no audit line.
--
-- Every row the group changes is locked first, in one order: the cases, then the
-- assessments, each by id. Every other write locks a case before its assessment, so two
-- groups (of this or another app instance), or a group and any other write, never wait for
-- each other in a circle.
--
-- Each save then runs as save_open_answer (migration 0019) does, in a block of its own (a
-- subtransaction): a save that fails is rolled back alone and reported, the others stand.
-- Its rows: ('stored', the assessment's answers after the change, in the order they were
-- last changed), or one row of 'finished' (nothing stored), 'missing' (no such
-- assessment) or 'error' (a_item: the SQLSTATE, a_value: the message).
-- The app sends at most 32 saves per call: more subtransactions than a backend keeps in
-- memory (64) would slow every snapshot of the server.
CREATE FUNCTION save_open_answers(
    p_ids BIGINT[], p_items TEXT[], p_values TEXT[], p_bys TEXT[],
    p_actor_ids BIGINT[], p_actors TEXT[], p_actions TEXT[], p_cases BIGINT[],
    p_line_assessments BIGINT[], p_addresses TEXT[], p_details TEXT[]
) RETURNS TABLE (n INT, outcome TEXT, a_item TEXT, a_value TEXT, a_by TEXT, a_at TIMESTAMPTZ)
LANGUAGE plpgsql AS $$
DECLARE
    fin TIMESTAMPTZ;
    v_at TIMESTAMPTZ;
BEGIN
    PERFORM 1 FROM cases
        WHERE id IN (SELECT case_id FROM assessments WHERE id = ANY (p_ids))
        ORDER BY id FOR NO KEY UPDATE;
    PERFORM 1 FROM assessments WHERE id = ANY (p_ids) ORDER BY id FOR NO KEY UPDATE;
    FOR i IN 1 .. coalesce(array_length(p_ids, 1), 0) LOOP
        BEGIN
            SELECT finished_at INTO fin FROM assessments WHERE id = p_ids[i];
            IF NOT FOUND THEN
                RETURN QUERY SELECT i, 'missing'::TEXT, NULL::TEXT, NULL::TEXT, NULL::TEXT,
                    NULL::TIMESTAMPTZ;
            ELSIF fin IS NOT NULL THEN
                RETURN QUERY SELECT i, 'finished'::TEXT, NULL::TEXT, NULL::TEXT, NULL::TEXT,
                    NULL::TIMESTAMPTZ;
            ELSE
                -- The time of this save: saves of one group keep the order they were made in.
                v_at := clock_timestamp();
                INSERT INTO answers (assessment_id, item, value, answered_by, answered_at)
                    VALUES (p_ids[i], p_items[i], p_values[i], p_bys[i], v_at)
                    ON CONFLICT (assessment_id, item) DO UPDATE SET
                    value = excluded.value, answered_by = excluded.answered_by,
                    answered_at = excluded.answered_at;
                IF p_actions[i] IS NOT NULL THEN
                    INSERT INTO audit_log (at, actor_id, actor, action, case_id, assessment_id,
                        address, detail)
                        VALUES (v_at, p_actor_ids[i], p_actors[i], p_actions[i], p_cases[i],
                            coalesce(p_line_assessments[i], p_ids[i]), p_addresses[i],
                            p_details[i]);
                    IF p_cases[i] IS NOT NULL THEN
                        UPDATE cases SET last_activity_at = v_at WHERE id = p_cases[i];
                    END IF;
                END IF;
                RETURN QUERY SELECT i, 'stored'::TEXT, a.item, a.value, a.answered_by,
                    a.answered_at FROM answers a
                    WHERE a.assessment_id = p_ids[i] ORDER BY a.answered_at, a.item;
            END IF;
        EXCEPTION WHEN OTHERS THEN
            RETURN QUERY SELECT i, 'error'::TEXT, SQLSTATE::TEXT, SQLERRM::TEXT, NULL::TEXT,
                NULL::TIMESTAMPTZ;
        END;
    END LOOP;
END;
$$;
