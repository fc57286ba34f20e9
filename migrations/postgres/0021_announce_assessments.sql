-- Every change to an assessment or its answers, by any app instance and any statement, is
-- announced on the channel digiparat_assessments when it commits (NOTIFY is delivered
-- at commit, and not at all on a rollback): the payload is the ids of the assessments
-- changed, separated by commas, or '*' when one statement changed more than 256 rows.
-- App instances drop the copies of open assessments they keep (server/db/pg_reads.rs).
-- One announcement per statement, from its transition table `changed`, not one per row;
-- the trigger's argument names the column that holds the assessment's id.
CREATE FUNCTION announce_assessments() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE
    ids TEXT;
    many BOOLEAN;
BEGIN
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
