-- Staff who sign in through the municipality's identity provider (OpenID Connect). The
-- provider's issuer and the person's subject there name the account; such an account has
-- no password of its own (its hash is a marker that matches nothing).
ALTER TABLE users ADD COLUMN oidc_issuer TEXT;
ALTER TABLE users ADD COLUMN oidc_subject TEXT;
CREATE UNIQUE INDEX users_oidc_identity ON users (oidc_issuer, oidc_subject);

-- Installation-wide sign-in settings, one row. With an identity provider configured, an
-- administrator can keep password sign-in for the local administrators only (break-glass).
CREATE TABLE sign_in_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    local_for_everyone BOOLEAN NOT NULL DEFAULT TRUE
);
INSERT INTO sign_in_settings (id, local_for_everyone) VALUES (1, TRUE);
