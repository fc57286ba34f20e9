-- Nothing to change: PostgreSQL's 0022 stores a group of answer saves with a few set-wide
-- statements; SQLite runs each group's saves on the calling thread (server/db/direct.rs).
-- The file keeps both backends' migrations numbered alike.
SELECT 1;
