-- Tokens of machine clients (a case system): issued by an administrator for one team,
-- with scopes and an expiry. Only a hash of the secret is kept; a token is revoked, never
-- deleted, so the audit lines that name it keep their meaning.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    team_id INTEGER NOT NULL REFERENCES teams (id),
    -- Scope codes, space-separated (`cases:read cases:write`).
    scopes TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
