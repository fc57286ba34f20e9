-- Cases, invite codes, the audit trail and sign-in throttling.
-- A case is pseudonymous: a reference chosen by the job centre and a birth year, never a
-- CPR number. Assessments keep their team and age band on their own row, so that a result
-- detached from its case (retention, erasure) still counts in statistics.
CREATE TABLE cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reference TEXT NOT NULL,
    birth_year INTEGER NOT NULL CHECK (birth_year BETWEEN 1900 AND 2100),
    team_id INTEGER NOT NULL REFERENCES teams (id),
    caseworker_id INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    last_activity_at TEXT NOT NULL,
    UNIQUE (team_id, reference)
);
CREATE INDEX cases_last_activity ON cases (last_activity_at);

ALTER TABLE assessments ADD COLUMN case_id INTEGER REFERENCES cases (id) ON DELETE SET NULL;
ALTER TABLE assessments ADD COLUMN team_id INTEGER REFERENCES teams (id);
ALTER TABLE assessments ADD COLUMN age_band TEXT;
ALTER TABLE assessments ADD COLUMN created_by INTEGER REFERENCES users (id);
CREATE INDEX assessments_case ON assessments (case_id);

CREATE TABLE invites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    code TEXT NOT NULL UNIQUE,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    assessment_id INTEGER REFERENCES assessments (id) ON DELETE SET NULL
);

-- Append-only: who did what to which case, when and from where. It holds ids, never a
-- case reference, so it can outlive the case it describes.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor_id INTEGER,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    case_id INTEGER,
    assessment_id INTEGER,
    address TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_case ON audit_log (case_id);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Failed sign-ins, per account and per address, for throttling across app instances.
CREATE TABLE login_failures (
    key TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);
