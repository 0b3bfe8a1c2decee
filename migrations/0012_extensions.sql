-- Extension and adjustment requests (gia hạn, điều chỉnh): the lead unit
-- asks for a new deadline or a changed product with a reason, before the
-- deadline passes; the assigning level approves or refuses. An approved
-- deadline is applied as a deadline change (deadline_changes), so the
-- original and every approved deadline stay on record.
CREATE TABLE extension_requests (
    id {{id}},
    task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    province_id BIGINT,
    commune_id BIGINT,
    deadline_was TEXT NOT NULL,
    deadline_asked TEXT,
    product_was TEXT,
    product_asked TEXT,
    reason TEXT NOT NULL,
    asked_by BIGINT NOT NULL REFERENCES users(id),
    asked_at BIGINT NOT NULL,
    decision TEXT NOT NULL,
    decided_by BIGINT REFERENCES users(id),
    decided_at BIGINT,
    decision_note TEXT,
    version BIGINT NOT NULL
);
CREATE INDEX extension_requests_task ON extension_requests (task_id);
CREATE INDEX extension_requests_pending ON extension_requests (decision, task_id);

-- The month (YYYY-MM) of the round of a task's latest accepted update, so
-- the update rate ("chưa cập nhật") is counted like the other task figures.
ALTER TABLE task_facts ADD COLUMN last_update TEXT;
