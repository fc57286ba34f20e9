-- Caseworker calibration (src/domain/calibration): each caseworker's latest answer to a
-- vignette (not an assessment: no case, no person, not in the statistics cube), with the
-- channel it scored to and the vignette's reference channel at the time.
CREATE TABLE calibration_answers (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    vignette TEXT NOT NULL,
    round INTEGER NOT NULL,
    team_id BIGINT REFERENCES teams (id) ON DELETE SET NULL,
    channel TEXT NOT NULL CHECK (channel IN ('analogue', 'assisted', 'self_service')),
    reference TEXT NOT NULL CHECK (reference IN ('analogue', 'assisted', 'self_service')),
    -- the answers as a JSON object, item id → code
    answers TEXT NOT NULL,
    answered_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, vignette)
);
