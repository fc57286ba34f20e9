-- A staff account's session generation: raised by every password change, password reset,
-- disabling and enabling. A session remembers the value it was signed in under and is
-- refused once the account's value has moved on.
ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0;
