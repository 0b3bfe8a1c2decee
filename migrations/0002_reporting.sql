-- Periodic reporting: rounds (a plan's period, or an ad-hoc request), each
-- unit's report with its task updates, target figures and evidence, the
-- focal point's review, and the consolidated report the leader approves.
-- Files (evidence, uploaded plans) are kept once, content-addressed.

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    bytes {{blob}} NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE report_rounds (
    id {{id}},
    plan_id BIGINT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    province_id BIGINT,
    commune_id BIGINT,
    period_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT,
    unit_due_on TEXT NOT NULL,
    consolidated_due_on TEXT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (plan_id, period_key)
);
CREATE INDEX report_rounds_commune ON report_rounds (province_id, commune_id, unit_due_on);

CREATE TABLE unit_reports (
    id {{id}},
    round_id BIGINT NOT NULL REFERENCES report_rounds(id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    province_id BIGINT,
    commune_id BIGINT,
    status TEXT NOT NULL,
    difficulties TEXT,
    recommendations TEXT,
    first_submitted_at BIGINT,
    submitted_at BIGINT,
    submitted_by BIGINT,
    reviewed_at BIGINT,
    reviewed_by BIGINT,
    review_comment TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (round_id, unit_id)
);
CREATE INDEX unit_reports_unit ON unit_reports (unit_id, status);
CREATE INDEX unit_reports_commune ON unit_reports (province_id, commune_id, round_id);

CREATE TABLE task_updates (
    id {{id}},
    report_id BIGINT NOT NULL REFERENCES unit_reports(id) ON DELETE CASCADE,
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    province_id BIGINT,
    commune_id BIGINT,
    status TEXT,
    percent BIGINT,
    result TEXT,
    suspend_reason TEXT,
    review_comment TEXT,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT,
    version BIGINT NOT NULL,
    UNIQUE (report_id, task_id)
);
CREATE INDEX task_updates_task ON task_updates (task_id);

CREATE TABLE target_figures (
    id {{id}},
    report_id BIGINT NOT NULL REFERENCES unit_reports(id) ON DELETE CASCADE,
    target_id BIGINT NOT NULL REFERENCES targets(id),
    province_id BIGINT,
    commune_id BIGINT,
    value {{real}},
    source TEXT,
    review_comment TEXT,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT,
    version BIGINT NOT NULL,
    UNIQUE (report_id, target_id)
);
CREATE INDEX target_figures_target ON target_figures (target_id);

CREATE TABLE evidence (
    id {{id}},
    report_id BIGINT NOT NULL REFERENCES unit_reports(id) ON DELETE CASCADE,
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    province_id BIGINT,
    commune_id BIGINT,
    kind TEXT NOT NULL,
    blob_sha256 TEXT REFERENCES blobs(sha256),
    file_name TEXT,
    content_type TEXT,
    size BIGINT,
    doc_number TEXT,
    doc_date TEXT,
    url TEXT,
    created_at BIGINT NOT NULL,
    created_by BIGINT
);
CREATE INDEX evidence_report ON evidence (report_id, task_id);

CREATE TABLE consolidated_reports (
    id {{id}},
    round_id BIGINT NOT NULL UNIQUE REFERENCES report_rounds(id) ON DELETE CASCADE,
    province_id BIGINT,
    commune_id BIGINT,
    status TEXT NOT NULL,
    number TEXT,
    summary TEXT,
    consolidated_at BIGINT,
    consolidated_by BIGINT,
    approved_at BIGINT,
    approved_by BIGINT,
    version BIGINT NOT NULL
);

-- Task management: a task marked not applicable keeps its reason, and
-- deadline changes keep theirs.
ALTER TABLE tasks ADD COLUMN not_applicable_reason TEXT;

CREATE TABLE deadline_changes (
    id {{id}},
    task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    province_id BIGINT,
    commune_id BIGINT,
    old_text TEXT NOT NULL,
    new_text TEXT NOT NULL,
    reason TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    changed_by BIGINT
);

-- Staged plan uploads between preview and confirmation: the file only
-- (a blob), never plan records.
CREATE TABLE import_uploads (
    token TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    issuer_unit_id BIGINT NOT NULL REFERENCES units(id),
    blob_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    file_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
