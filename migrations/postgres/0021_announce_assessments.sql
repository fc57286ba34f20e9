-- Every change to an assessment or its answers, by any app instance and any statement, is
-- announced on the channel digiparat_assessments when it commits (NOTIFY is delivered
-- at commit, and not at all on a rollback): the payload is the ids of the assessments
-- changed, separated by commas, or '*' when one statement changed more than 256 rows.
-- App instances drop the copies of open assessments they keep (server/db/pg_reads.rs).
-- One announcement per statement, from its transition table `changed`, not one per row;
-- the trigger's argument names the column that holds the assessment's id.
--
-- Not announced: a recipient's answer saves (save_open_answers, migration 0020, below).
-- They come only from the person's own device, and each is answered with a new write
-- stamp (server/write_stamp.rs), so no instance serves a copy from before one; the
-- instance that saved drops its own copy at once. Announcing them cost every save a
-- NOTIFY, and PostgreSQL commits one notifying transaction at a time: pgbench with 16
-- clients saving, 1.6k saves/s announced against 4.3k/s not.
CREATE FUNCTION announce_assessments() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
    ids TEXT;
    many BOOLEAN;
BEGIN
    IF current_setting('digiparat.quiet', true) = 'on' THEN
        RETURN NULL;
    END IF;
    EXECUTE format(
        'SELECT string_agg(DISTINCT %1$I::TEXT, '',''), count(*) > 256 '
        'FROM (SELECT %1$I FROM changed LIMIT 257) AS s', TG_ARGV[0])
        INTO ids, many;
    IF many THEN
        PERFORM pg_notify('digiparat_assessments', '*');
    ELSIF ids IS NOT NULL THEN
        PERFORM pg_notify('digiparat_assessments', ids);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER answers_inserted AFTER INSERT ON answers
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION announce_assessments('assessment_id');
CREATE TRIGGER answers_updated AFTER UPDATE ON answers
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION announce_assessments('assessment_id');
CREATE TRIGGER answers_deleted AFTER DELETE ON answers
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION announce_assessments('assessment_id');
CREATE TRIGGER assessments_updated AFTER UPDATE ON assessments
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION announce_assessments('id');
CREATE TRIGGER assessments_deleted AFTER DELETE ON assessments
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION announce_assessments('id');

-- The saves of migration 0020, run quietly (see above).
ALTER FUNCTION save_open_answers(
    BIGINT[], TEXT[], TEXT[], TEXT[], BIGINT[], TEXT[], TEXT[], BIGINT[], BIGINT[], TEXT[],
    TEXT[]
) RENAME TO store_open_answers;

CREATE FUNCTION save_open_answers(
    p_ids BIGINT[], p_items TEXT[], p_values TEXT[], p_bys TEXT[],
    p_actor_ids BIGINT[], p_actors TEXT[], p_actions TEXT[], p_cases BIGINT[],
    p_line_assessments BIGINT[], p_addresses TEXT[], p_details TEXT[]
) RETURNS TABLE (n INT, outcome TEXT, a_item TEXT, a_value TEXT, a_by TEXT, a_at TIMESTAMPTZ)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('digiparat.quiet', 'on', true);
    RETURN QUERY SELECT * FROM store_open_answers(p_ids, p_items, p_values, p_bys,
        p_actor_ids, p_actors, p_actions, p_cases, p_line_assessments, p_addresses, p_details);
    PERFORM set_config('digiparat.quiet', 'off', true);
END $$;
