-- Dashboards read a level's counters, and its children's for the ranking,
-- from the index alone: the value is in the index, so a dashboard's rows
-- come without a visit to the table. The children's index replaces
-- rollups_parent, which it covers.
CREATE INDEX rollups_read ON rollups (unit_id, metric, bucket, value);
CREATE INDEX rollups_children ON rollups (parent_id, unit_id, metric, bucket, value);
DROP INDEX rollups_parent;
