-- Nothing to change: PostgreSQL's 0020 adds answer saves in groups as the function
-- save_open_answers; SQLite commits its groups on the direct path (server/db/direct.rs).
-- The file keeps both backends' migrations numbered alike.
SELECT 1;
