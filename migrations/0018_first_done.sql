-- The month of the round a task was first reported done in (accepted),
-- so the dashboards' "tasks done" trend is read from counters
-- (`tasks_first_done`, by that month) instead of from every task update
-- of the subtree (13 s for the nation on PostgreSQL over 60 months).
ALTER TABLE task_facts ADD COLUMN first_done TEXT;

-- Facts and counters written before: the same month `TaskFact` works out
-- (the earliest round an accepted update said done in) ...
UPDATE task_facts SET first_done = (
    SELECT MIN(SUBSTR(rr.unit_due_on, 1, 7))
    FROM task_updates tu
    JOIN unit_reports ur ON ur.id = tu.report_id
    JOIN report_rounds rr ON rr.id = ur.round_id
    WHERE tu.task_id = task_facts.task_id AND ur.status = 'accepted'
      AND tu.status IN ('done', 'done_late'));

-- ... counted, for live tasks, at each level of the issuing unit's path
-- (the nation, the province, the commune: the path's first three ids).
INSERT INTO rollups (unit_id, parent_id, metric, bucket, value)
SELECT lvl.id, lvl.parent_id, 'tasks_first_done', f.first_done, COUNT(*)
FROM task_facts f
JOIN tasks t ON t.id = f.task_id
JOIN plans p ON p.id = t.plan_id
JOIN units i ON i.id = p.issuer_unit_id
JOIN units lvl ON i.path LIKE lvl.path || '%'
WHERE f.live = 1 AND f.first_done IS NOT NULL
  AND LENGTH(lvl.path) - LENGTH(REPLACE(lvl.path, '/', '')) <= 4
GROUP BY lvl.id, lvl.parent_id, f.first_done;
