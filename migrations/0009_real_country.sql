-- The official list of administrative units: a unit is keyed by the
-- statistics office's code (two digits for a province, five for a commune
-- since 1 July 2025), never by its name, which can change. Units made by
-- hand (departments, villages) have no code.
ALTER TABLE units ADD COLUMN code TEXT;
ALTER TABLE units ADD COLUMN official_type TEXT;
CREATE UNIQUE INDEX units_code ON units (code);

-- The province-commune loop: a province focal point sends a commune's
-- consolidated report back (status 'returned'), with why; the commune
-- consolidates it again.
ALTER TABLE consolidated_reports ADD COLUMN returned_at BIGINT;
ALTER TABLE consolidated_reports ADD COLUMN returned_by BIGINT;
ALTER TABLE consolidated_reports ADD COLUMN return_reason TEXT;

-- A unit's former names: each rename takes effect on a day, and the name
-- before it is kept with that day, so a report or plan of an earlier date
-- shows the name the unit had then.
CREATE TABLE unit_names (
    unit_id BIGINT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    until_on TEXT NOT NULL,
    name TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    recorded_by BIGINT,
    PRIMARY KEY (unit_id, until_on)
);

-- A commune merged into another ends on a day and names its successor; it
-- sits under the successor from then on, so the successor's counters,
-- dashboard and staff include its history, and its own records keep its
-- name.
ALTER TABLE units ADD COLUMN ended_on TEXT;
ALTER TABLE units ADD COLUMN successor_id BIGINT;
