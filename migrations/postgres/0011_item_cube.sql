-- The item analysis cube (domain::item_cube): per series (everyone, or one team, age band,
-- mode or language) and quarter, each quantity of the item page by name, with the sum of
-- its contributors' record keys (0 for the sums alpha follows from). Kept in the
-- transaction of every write that changes a finished assessment's answers; counted from
-- the stored answers when the application starts and finds it empty.
CREATE TABLE stat_items (
    series TEXT NOT NULL,
    quarter TEXT NOT NULL,
    slot TEXT NOT NULL,
    total BIGINT NOT NULL DEFAULT 0,
    key_sum BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (series, quarter, slot)
);
