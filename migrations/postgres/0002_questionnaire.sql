-- The questionnaire: a secret token for the device cookie or the caseworker's link, a short
-- resume code to continue on another device, the caseworker's note, and an override that
-- sits beside the computed channel (which is never overwritten).
ALTER TABLE assessments ADD COLUMN token TEXT;
ALTER TABLE assessments ADD COLUMN resume_code TEXT;
ALTER TABLE assessments ADD COLUMN note TEXT;
CREATE UNIQUE INDEX assessments_token ON assessments (token);
CREATE UNIQUE INDEX assessments_resume_code ON assessments (resume_code);

ALTER TABLE results ADD COLUMN override_channel TEXT CHECK (override_channel IN ('analogue', 'assisted', 'self_service'));
ALTER TABLE results ADD COLUMN override_reason TEXT;
ALTER TABLE results ADD COLUMN overridden_at TIMESTAMPTZ;
