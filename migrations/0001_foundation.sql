-- Foundation: the unit tree, plans with their tasks and targets, accounts,
-- sessions and the audit trail. Written once for both engines: {{id}} and
-- {{real}} are filled in by the migrator (store/migrate.rs), the only place
-- where the two dialects differ. Timestamps are epoch milliseconds, dates
-- are ISO text, flags are 0/1 integers.

CREATE TABLE units (
    id {{id}},
    parent_id BIGINT REFERENCES units(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    folded_name TEXT NOT NULL,
    side TEXT NOT NULL,
    path TEXT NOT NULL,
    province_id BIGINT,
    commune_id BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX units_parent ON units (parent_id);
CREATE INDEX units_path ON units (path);
CREATE INDEX units_commune ON units (province_id, commune_id);

CREATE TABLE unit_aliases (
    unit_id BIGINT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    alias TEXT NOT NULL,
    folded_alias TEXT NOT NULL,
    PRIMARY KEY (unit_id, folded_alias)
);
CREATE INDEX unit_aliases_folded ON unit_aliases (folded_alias);

CREATE TABLE plans (
    id {{id}},
    province_id BIGINT,
    commune_id BIGINT,
    issuer_unit_id BIGINT NOT NULL REFERENCES units(id),
    number TEXT,
    issued_on TEXT,
    place TEXT,
    title TEXT NOT NULL,
    folded_title TEXT NOT NULL,
    basis TEXT NOT NULL,
    periods TEXT NOT NULL,
    unit_due_day BIGINT,
    consolidated_due_day BIGINT,
    source_digest TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX plans_issuer ON plans (issuer_unit_id);
CREATE INDEX plans_commune ON plans (province_id, commune_id);

CREATE TABLE plan_links (
    plan_id BIGINT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    implements_plan_id BIGINT NOT NULL REFERENCES plans(id),
    province_id BIGINT,
    commune_id BIGINT,
    PRIMARY KEY (plan_id, implements_plan_id)
);

CREATE TABLE tasks (
    id {{id}},
    plan_id BIGINT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    province_id BIGINT,
    commune_id BIGINT,
    ref TEXT,
    group_path TEXT NOT NULL,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    folded_title TEXT NOT NULL,
    product TEXT,
    deadline_text TEXT NOT NULL,
    deadline_kind TEXT NOT NULL,
    deadline_start TEXT,
    deadline_end TEXT,
    funding TEXT,
    legal_basis TEXT,
    parent_task_id BIGINT REFERENCES tasks(id),
    draft BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX tasks_plan ON tasks (plan_id, position);
CREATE INDEX tasks_commune ON tasks (province_id, commune_id);
CREATE INDEX tasks_parent ON tasks (parent_task_id);

-- Lead ('lead') and coordinating ('support') units of a task, as the plan
-- names them; unit_id is null while a name is not resolved to a unit.
CREATE TABLE task_units (
    id {{id}},
    task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    province_id BIGINT,
    commune_id BIGINT,
    role TEXT NOT NULL,
    position BIGINT NOT NULL,
    mention TEXT NOT NULL,
    unit_id BIGINT REFERENCES units(id)
);
CREATE INDEX task_units_task ON task_units (task_id, role, position);
CREATE INDEX task_units_unit ON task_units (unit_id, role);

CREATE TABLE targets (
    id {{id}},
    plan_id BIGINT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    province_id BIGINT,
    commune_id BIGINT,
    ref TEXT,
    group_path TEXT NOT NULL,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    folded_name TEXT NOT NULL,
    measure_unit TEXT,
    direction TEXT NOT NULL,
    note TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX targets_plan ON targets (plan_id, position);
CREATE INDEX targets_commune ON targets (province_id, commune_id);

CREATE TABLE target_units (
    id {{id}},
    target_id BIGINT NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    province_id BIGINT,
    commune_id BIGINT,
    position BIGINT NOT NULL,
    mention TEXT NOT NULL,
    unit_id BIGINT REFERENCES units(id)
);
CREATE INDEX target_units_target ON target_units (target_id, position);
CREATE INDEX target_units_unit ON target_units (unit_id);

CREATE TABLE target_goals (
    target_id BIGINT NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    province_id BIGINT,
    commune_id BIGINT,
    position BIGINT NOT NULL,
    year BIGINT,
    op TEXT NOT NULL,
    value {{real}} NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (target_id, position)
);

CREATE TABLE users (
    id {{id}},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    province_id BIGINT,
    commune_id BIGINT,
    username TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active BIGINT NOT NULL,
    failed_logins BIGINT NOT NULL,
    locked_until BIGINT,
    last_login_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX users_unit ON users (unit_id);

CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- Server-side sessions. Only a SHA-256 of the token is kept, so a copy of
-- the database does not hand out live sessions.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ip TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
    id {{id}},
    ip TEXT NOT NULL,
    username TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_ip ON login_failures (ip, at);

-- Who changed what, when, from where: before and after as JSON text.
CREATE TABLE audit_log (
    id {{id}},
    at BIGINT NOT NULL,
    user_id BIGINT,
    province_id BIGINT,
    commune_id BIGINT,
    ip TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_at ON audit_log (at);
