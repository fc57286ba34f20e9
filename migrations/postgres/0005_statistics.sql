-- Statistics: the reason, exemption-ground and flag codes of each result beside it, so
-- that the dashboard counts them without reading every outcome; and the indexes its
-- filters use. Existing results get their codes from their stored outcomes.
CREATE TABLE result_codes (
    assessment_id BIGINT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('reason', 'ground', 'flag')),
    code TEXT NOT NULL,
    PRIMARY KEY (assessment_id, kind, code)
);
CREATE INDEX result_codes_kind ON result_codes (kind, code);
CREATE INDEX assessments_finished ON assessments (finished_at);
CREATE INDEX assessments_team_finished ON assessments (team_id, finished_at);

INSERT INTO result_codes (assessment_id, kind, code)
SELECT r.assessment_id, 'reason', j FROM results r, jsonb_array_elements_text(r.outcome::jsonb -> 'reasons') j
ON CONFLICT DO NOTHING;
INSERT INTO result_codes (assessment_id, kind, code)
SELECT r.assessment_id, 'ground', j FROM results r, jsonb_array_elements_text(r.outcome::jsonb -> 'exemption_grounds') j
ON CONFLICT DO NOTHING;
INSERT INTO result_codes (assessment_id, kind, code)
SELECT r.assessment_id, 'flag', j FROM results r, jsonb_array_elements_text(r.outcome::jsonb -> 'flags') j
ON CONFLICT DO NOTHING;
