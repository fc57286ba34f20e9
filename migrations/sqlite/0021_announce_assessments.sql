-- Nothing to change: PostgreSQL's 0021 announces changed assessments (NOTIFY) to the app
-- instances that share its server; on SQLite one instance serves, reading on the direct
-- path. The file keeps both backends' migrations numbered alike.
SELECT 1;
