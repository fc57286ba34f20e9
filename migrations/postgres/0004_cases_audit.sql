-- Cases, invite codes, the audit trail and sign-in throttling.
-- A case is pseudonymous: a reference chosen by the job centre and a birth year, never a
-- CPR number. Assessments keep their team and age band on their own row, so that a result
-- detached from its case (retention, erasure) still counts in statistics.
CREATE TABLE cases (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference TEXT NOT NULL,
    birth_year INTEGER NOT NULL CHECK (birth_year BETWEEN 1900 AND 2100),
    team_id BIGINT NOT NULL REFERENCES teams (id),
    caseworker_id BIGINT REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    last_activity_at TIMESTAMPTZ NOT NULL,
    UNIQUE (team_id, reference)
);
CREATE INDEX cases_last_activity ON cases (last_activity_at);

ALTER TABLE assessments ADD COLUMN case_id BIGINT REFERENCES cases (id) ON DELETE SET NULL;
ALTER TABLE assessments ADD COLUMN team_id BIGINT REFERENCES teams (id);
ALTER TABLE assessments ADD COLUMN age_band TEXT;
ALTER TABLE assessments ADD COLUMN created_by BIGINT REFERENCES users (id);
CREATE INDEX assessments_case ON assessments (case_id);

CREATE TABLE invites (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    code TEXT NOT NULL UNIQUE,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,
    assessment_id BIGINT REFERENCES assessments (id) ON DELETE SET NULL
);

-- Append-only: who did what to which case, when and from where. It holds ids, never a
-- case reference, so it can outlive the case it describes.
CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    case_id BIGINT,
    assessment_id BIGINT,
    address TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_case ON audit_log (case_id);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Failed sign-ins, per account and per address, for throttling across app instances.
CREATE TABLE login_failures (
    key TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);
