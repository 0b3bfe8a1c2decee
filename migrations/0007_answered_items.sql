-- An item of a unit's report is answered or it is not: a task with a
-- status (and, when done, a result or evidence), a target with its figure
-- and source, or why it has none, or "nothing this period" for either. A
-- report is received only with every item answered.
ALTER TABLE task_updates ADD COLUMN nothing_this_period BIGINT NOT NULL DEFAULT 0;
ALTER TABLE target_figures ADD COLUMN nothing_this_period BIGINT NOT NULL DEFAULT 0;
ALTER TABLE target_figures ADD COLUMN no_data_reason TEXT;

-- A target's trend, kept with its state for each goal year: when the line
-- through its accepted figures, carried to 31 December, misses the goal,
-- the warning said to its unit, its focal point and on the dashboards.
ALTER TABLE target_facts ADD COLUMN projected {{real}};
ALTER TABLE target_facts ADD COLUMN off_track TEXT;
