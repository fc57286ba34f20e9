-- The help directory (offers of local help behind the next steps) and the plans a
-- caseworker agrees with a person. An offer is never deleted, only retired, so a plan that
-- named it can still show it. A plan is a version beside the computed result: a new
-- agreement adds a version and never changes an earlier one.
CREATE TABLE help_offers (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    name_da TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    name_ar TEXT NOT NULL DEFAULT '',
    description_da TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    description_ar TEXT NOT NULL DEFAULT '',
    -- Next-step codes it serves, space-separated.
    steps TEXT NOT NULL,
    -- Team ids it applies to, space-separated; empty for every team.
    teams TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    hours TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    web TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '',
    free BOOLEAN NOT NULL,
    step_free BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    retired_at TIMESTAMPTZ
);

-- The job centre whose offers an anonymous self-assessment is shown (one row, id 1).
CREATE TABLE help_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    default_team_id BIGINT REFERENCES teams (id)
);

CREATE TABLE plans (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    assessment_id BIGINT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    case_id BIGINT REFERENCES cases (id) ON DELETE CASCADE,
    team_id BIGINT REFERENCES teams (id),
    version INTEGER NOT NULL,
    agreed_by BIGINT REFERENCES users (id),
    agreed_at TIMESTAMPTZ NOT NULL,
    next_screening DATE,
    note TEXT NOT NULL DEFAULT '',
    -- A random key for disclosure control of the plan statistics (domain::disclosure).
    record_key BIGINT NOT NULL DEFAULT 0,
    UNIQUE (assessment_id, version)
);
CREATE INDEX plans_case ON plans (case_id);

-- The steps agreed in a plan, each with its due date and the offers it names.
CREATE TABLE plan_steps (
    plan_id BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    step TEXT NOT NULL,
    due DATE,
    -- Offer ids, space-separated, as they were when the plan was agreed.
    offers TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (plan_id, step)
);

-- How a person reaches their job centre (printed on an interview's plan).
ALTER TABLE teams ADD COLUMN contact_line TEXT NOT NULL DEFAULT '';
