-- Exchange with the systems around Theo Dõi (issue 15 item 5): every unit,
-- plan, task and target may carry the id another system knows it by (the
-- national system's, a province's document system), unique per source, so
-- an import from or export to that system never makes a duplicate. Both
-- columns are set together or left empty; rows without one never collide
-- (NULLs are distinct in a unique index on both engines).
ALTER TABLE units ADD COLUMN external_source TEXT;
ALTER TABLE units ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX units_external ON units (external_source, external_id);

ALTER TABLE plans ADD COLUMN external_source TEXT;
ALTER TABLE plans ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX plans_external ON plans (external_source, external_id);

ALTER TABLE tasks ADD COLUMN external_source TEXT;
ALTER TABLE tasks ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX tasks_external ON tasks (external_source, external_id);

ALTER TABLE targets ADD COLUMN external_source TEXT;
ALTER TABLE targets ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX targets_external ON targets (external_source, external_id);
