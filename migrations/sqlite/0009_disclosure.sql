-- Disclosure control (src/domain/disclosure.rs). Every finished result gets a random
-- 32-bit record key, stored beside it and never shown; existing results get one here.
-- The cube keeps, beside each count, the sum of its contributors' record keys (k_*),
-- so a published figure's cell key is a sum like its count. The cube is emptied: the
-- application counts it again, key sums included, when it starts and finds it empty.
-- The installation's secret for drawing adjustments is made by the application on first
-- use and kept in disclosure_secret (one row), shared by every application instance.
ALTER TABLE results ADD COLUMN record_key INTEGER NOT NULL DEFAULT 0;
UPDATE results SET record_key = (random() & 4294967295);
ALTER TABLE stat_cube ADD COLUMN k_computed_analogue INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_computed_assisted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_computed_self_service INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_after_analogue INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_after_assisted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_after_self_service INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_borderline INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_provisional INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_access_0 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_access_1 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_access_2 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_access_3 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_access_4 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_access_5 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_access_6 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_access_7 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_access_8 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_access_9 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_access_none INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_skills_0 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_skills_1 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_skills_2 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_skills_3 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_skills_4 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_skills_5 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_skills_6 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_skills_7 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_skills_8 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_skills_9 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_skills_none INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_motivation_0 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_motivation_1 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_motivation_2 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_motivation_3 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_motivation_4 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_motivation_5 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_motivation_6 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_motivation_7 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_motivation_8 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_motivation_9 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_score_motivation_none INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_reason_already_exempt INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_reason_prefers_paper_with_ground INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_reason_does_not_want_online INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_reason_too_few_answers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_reason_no_device INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_reason_no_internet INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_reason_no_mitid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_reason_access_low INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_reason_skills_low INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_reason_motivation_low INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_reason_cannot_log_in_alone INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_reason_mitid_needs_help INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_reason_nervous_online INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_reason_fear_of_mistakes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_reason_language INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_reason_observed_task_failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_reason_no_support_person INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_ground_no_device_or_internet INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_ground_no_fixed_address INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_ground_language_or_reading INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_ground_mitid_difficulty INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_ground_health INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_moved_analogue_analogue INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_moved_analogue_assisted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_moved_analogue_self_service INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_moved_assisted_analogue INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_moved_assisted_assisted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_moved_assisted_self_service INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_moved_self_service_analogue INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_moved_self_service_assisted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stat_cube ADD COLUMN k_moved_self_service_self_service INTEGER NOT NULL DEFAULT 0;
DELETE FROM stat_cube;
CREATE TABLE disclosure_secret (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    secret TEXT NOT NULL
);
