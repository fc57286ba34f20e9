-- Assessments, their answers and their computed results, with the instrument version.
CREATE TABLE assessments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instrument TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('self', 'interview')),
    language TEXT NOT NULL CHECK (language IN ('da', 'en', 'ar')),
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);

CREATE TABLE answers (
    assessment_id BIGINT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    item TEXT NOT NULL,
    -- the answer as JSON text: a code string, or a list of codes for multi-choice items
    value TEXT NOT NULL,
    answered_by TEXT NOT NULL CHECK (answered_by IN ('recipient', 'caseworker')),
    answered_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (assessment_id, item)
);

CREATE TABLE results (
    assessment_id BIGINT PRIMARY KEY REFERENCES assessments (id) ON DELETE CASCADE,
    instrument TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('analogue', 'assisted', 'self_service')),
    rule SMALLINT NOT NULL CHECK (rule BETWEEN 1 AND 6),
    provisional BOOLEAN NOT NULL,
    borderline BOOLEAN NOT NULL,
    score_access SMALLINT CHECK (score_access BETWEEN 0 AND 100),
    score_skills SMALLINT CHECK (score_skills BETWEEN 0 AND 100),
    score_motivation SMALLINT CHECK (score_motivation BETWEEN 0 AND 100),
    -- the whole outcome as computed (reasons, flags, next steps), as JSON text
    outcome TEXT NOT NULL,
    computed_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX results_channel ON results (channel);
