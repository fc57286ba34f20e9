-- Staff accounts and teams. Roles are checked here and as an exhaustive enum in Rust.
CREATE TABLE teams (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'caseworker')),
    team_id INTEGER REFERENCES teams (id),
    -- argon2id PHC string
    password_hash TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL
);
