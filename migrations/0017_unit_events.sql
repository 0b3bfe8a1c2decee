-- A unit's history as events (issue 15 item 2): renamed, merged into
-- another, split into new units, moved under another parent, dissolved.
-- Each takes effect on a day and is recorded with who did it and when.
-- `unit_id` is the unit the event happened to (the successor of a merge,
-- the unit split, moved, dissolved or renamed); the other units it names
-- are in `unit_event_links`, each with its part: `source` (a unit merged
-- in), `successor` (a new unit of a split), `from_parent` and `to_parent`
-- (a move).
CREATE TABLE unit_events (
    id {{id}},
    kind TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    effective_on TEXT NOT NULL,
    name_before TEXT,
    name_after TEXT,
    actor_id BIGINT,
    at BIGINT NOT NULL
);
CREATE INDEX unit_events_unit ON unit_events (unit_id, effective_on);

CREATE TABLE unit_event_links (
    event_id BIGINT NOT NULL REFERENCES unit_events(id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    part TEXT NOT NULL,
    PRIMARY KEY (event_id, unit_id, part)
);
CREATE INDEX unit_event_links_unit ON unit_event_links (unit_id);

-- Renames made before this migration become events too; the name after
-- each is read from the next former name or the current one when shown.
INSERT INTO unit_events (kind, unit_id, effective_on, name_before, actor_id, at)
SELECT 'rename', unit_id, until_on, name, recorded_by, recorded_at FROM unit_names;
