-- The help directory (offers of local help behind the next steps) and the plans a
-- caseworker agrees with a person. An offer is never deleted, only retired, so a plan that
-- named it can still show it. A plan is a version beside the computed result: a new
-- agreement adds a version and never changes an earlier one.
CREATE TABLE help_offers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    retired_at TEXT
);

-- The job centre whose offers an anonymous self-assessment is shown (one row, id 1).
CREATE TABLE help_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    default_team_id INTEGER REFERENCES teams (id)
);

CREATE TABLE plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    assessment_id INTEGER NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    case_id INTEGER REFERENCES cases (id) ON DELETE CASCADE,
    team_id INTEGER REFERENCES teams (id),
    version INTEGER NOT NULL,
    agreed_by INTEGER REFERENCES users (id),
    agreed_at TEXT NOT NULL,
    next_screening TEXT,
    note TEXT NOT NULL DEFAULT '',
    -- A random key for disclosure control of the plan statistics (domain::disclosure).
    record_key INTEGER NOT NULL DEFAULT 0,
    UNIQUE (assessment_id, version)
);
CREATE INDEX plans_case ON plans (case_id);

-- The steps agreed in a plan, each with its due date and the offers it names.
CREATE TABLE plan_steps (
    plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    step TEXT NOT NULL,
    due TEXT,
    -- Offer ids, space-separated, as they were when the plan was agreed.
    offers TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (plan_id, step)
);

-- How a person reaches their job centre (printed on an interview's plan).
ALTER TABLE teams ADD COLUMN contact_line TEXT NOT NULL DEFAULT '';
