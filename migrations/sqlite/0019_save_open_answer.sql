-- Nothing to change: PostgreSQL's 0019 adds the one-round-trip answer save as a function;
-- SQLite runs the same statements on the calling thread (server/db/direct.rs). The file
-- keeps both backends' migrations numbered alike.
SELECT 1;
