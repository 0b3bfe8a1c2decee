-- A ranking reads, for every child of a level, a few metrics over a few
-- buckets (this year's reports, last month's updates). Keyed by metric
-- and bucket after the parent, each of those is one range of the index;
-- keyed by child first, it was every counter of every child, filtered
-- (21,000 rows read for 5,200 kept for a province's communes).
DROP INDEX rollups_children;
CREATE INDEX rollups_children ON rollups (parent_id, metric, bucket, unit_id, value);

-- The dashboards name the targets whose trend misses the goal: few among
-- all, found without reading every target's facts: the nation's among
-- them all, a province's (and its communes') by the province.
CREATE INDEX target_facts_off_track ON target_facts (off_track) WHERE off_track IS NOT NULL;
CREATE INDEX target_facts_off_track_by_province ON target_facts (province_id, off_track)
    WHERE off_track IS NOT NULL;
