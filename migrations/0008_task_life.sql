-- The reminder ladder of each deadline (7 and 3 working days before, on
-- the day, then every few working days after it): each step sent once per
-- task and deadline, and the day it went out, which is what the escalation
-- counts. An approved extension is a new deadline and starts a new ladder.
CREATE TABLE task_reminders (
    task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    due_on TEXT NOT NULL,
    step TEXT NOT NULL,
    sent_on TEXT NOT NULL,
    province_id BIGINT,
    commune_id BIGINT,
    PRIMARY KEY (task_id, due_on, step)
);

-- A task still overdue after three reminders with no accepted progress goes
-- to the leaders of the level that assigned it (Quy chế 08-QC/TW), once per
-- deadline; the lead unit explains why in `explanation`.
CREATE TABLE escalations (
    id {{id}},
    task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    due_on TEXT NOT NULL,
    province_id BIGINT,
    commune_id BIGINT,
    lead_unit_id BIGINT NOT NULL REFERENCES units(id),
    level_unit_id BIGINT NOT NULL REFERENCES units(id),
    escalated_on TEXT NOT NULL,
    reminders BIGINT NOT NULL,
    explanation TEXT,
    explained_by BIGINT REFERENCES users(id),
    explained_at BIGINT,
    version BIGINT NOT NULL,
    UNIQUE (task_id, due_on)
);
CREATE INDEX escalations_level ON escalations (level_unit_id, escalated_on);
CREATE INDEX escalations_lead ON escalations (lead_unit_id);

-- A task marked "mật" keeps only a placeholder title, its deadline and lead
-- on the system; its content, results and evidence are refused.
ALTER TABLE tasks ADD COLUMN confidential BIGINT NOT NULL DEFAULT 0;

-- Directions (ý kiến chỉ đạo) a leader writes on a task, a plan or a unit;
-- the unit that must act (the task's lead unit, the plan's issuer, the
-- unit) is told and answers in its next report.
CREATE TABLE directions (
    id {{id}},
    province_id BIGINT,
    commune_id BIGINT,
    subject TEXT NOT NULL,
    task_id BIGINT REFERENCES tasks(id) ON DELETE CASCADE,
    plan_id BIGINT REFERENCES plans(id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    body TEXT NOT NULL,
    given_by BIGINT NOT NULL REFERENCES users(id),
    given_at BIGINT NOT NULL,
    answer TEXT,
    answered_by BIGINT REFERENCES users(id),
    answered_at BIGINT,
    answer_report_id BIGINT REFERENCES unit_reports(id) ON DELETE SET NULL,
    version BIGINT NOT NULL
);
CREATE INDEX directions_unit ON directions (unit_id, answered_at);
CREATE INDEX directions_task ON directions (task_id);
CREATE INDEX directions_plan ON directions (plan_id);
