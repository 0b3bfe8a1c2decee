-- Monitoring: figures kept up to date as reports are accepted, so every
-- dashboard reads a handful of rows whatever the scale. `rollups` holds,
-- for each commune, province and the nation, counters by metric and
-- bucket (a due date, a month, a year); `task_facts` and `target_facts`
-- remember each record's last contribution so a change applies the
-- difference, in the same transaction as the change.

CREATE TABLE rollups (
    unit_id BIGINT NOT NULL,
    parent_id BIGINT,
    metric TEXT NOT NULL,
    bucket TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (unit_id, metric, bucket)
);
CREATE INDEX rollups_parent ON rollups (parent_id, metric);

CREATE TABLE rollup_times (
    unit_id BIGINT PRIMARY KEY,
    updated_at BIGINT NOT NULL
);

CREATE TABLE task_facts (
    task_id BIGINT PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
    province_id BIGINT,
    commune_id BIGINT,
    live BIGINT NOT NULL,
    due_on TEXT,
    done TEXT,
    status TEXT,
    updated_at BIGINT NOT NULL
);

CREATE TABLE target_facts (
    target_id BIGINT NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    year BIGINT NOT NULL,
    province_id BIGINT,
    commune_id BIGINT,
    state TEXT NOT NULL,
    value {{real}},
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (target_id, year)
);

-- The working-day calendar an administrator edits: days off on weekdays
-- and make-up working days on weekends.
CREATE TABLE calendar_days (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    estimated BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT
);

-- Where notifications are e-mailed, when a server is configured.
ALTER TABLE users ADD COLUMN email TEXT;

-- In-app notifications; `event_key` makes each event notify once.
CREATE TABLE notifications (
    id {{id}},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    province_id BIGINT,
    commune_id BIGINT,
    event_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    link TEXT,
    created_at BIGINT NOT NULL,
    read_at BIGINT,
    emailed_at BIGINT,
    UNIQUE (user_id, event_key)
);
CREATE INDEX notifications_user ON notifications (user_id, read_at);
