-- Downloading person-level rows (/dashboard/rows.csv) is a permission of its own, granted
-- per account by an administrator; nobody has it until then.
ALTER TABLE users ADD COLUMN may_export_rows BOOLEAN NOT NULL DEFAULT FALSE;
