-- A staff account's session generation: raised by every password change, password reset,
-- disabling and enabling. A session remembers the value it was signed in under and is
-- refused once the account's value has moved on.
ALTER TABLE users ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;

-- The audit trail also refuses TRUNCATE (a statement-level trigger; row triggers never see it).
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
