-- Citizen feedback (phản ánh, kiến nghị), initiatives (sáng kiến), and the
-- figures they feed into a plan's targets by themselves.
-- Personal data (a citizen's name, phone, e-mail) is kept only sealed with
-- the data key (nonce and ciphertext together, as text), never in clear.

CREATE TABLE feedback (
    id {{id}},
    province_id BIGINT,
    commune_id BIGINT NOT NULL REFERENCES units(id),
    tracking_hash TEXT NOT NULL UNIQUE,
    topic TEXT NOT NULL,
    content TEXT NOT NULL,
    status TEXT NOT NULL,
    received_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    assigned_unit_id BIGINT REFERENCES units(id),
    assigned_at BIGINT,
    answer TEXT,
    answered_on TEXT,
    answered_at BIGINT,
    answered_by BIGINT,
    published BIGINT NOT NULL,
    satisfied BIGINT,
    rating_reason TEXT,
    rated_on TEXT,
    rated_at BIGINT,
    contact_name TEXT,
    contact_phone TEXT,
    contact_email TEXT,
    contact_consent BIGINT NOT NULL,
    personal_until BIGINT,
    personal_erased_at BIGINT,
    personal_erased_why TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX feedback_commune ON feedback (province_id, commune_id, received_on);
CREATE INDEX feedback_assigned ON feedback (assigned_unit_id, status);
CREATE INDEX feedback_rated ON feedback (commune_id, rated_on);
CREATE INDEX feedback_personal_until ON feedback (personal_until);

CREATE TABLE feedback_files (
    id {{id}},
    feedback_id BIGINT NOT NULL REFERENCES feedback(id) ON DELETE CASCADE,
    province_id BIGINT,
    commune_id BIGINT,
    blob_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX feedback_files_feedback ON feedback_files (feedback_id);

-- Anonymous submissions per address, for the rate limit. Only a hash of
-- the address is kept, and rows older than a day are removed.
CREATE TABLE public_submissions (
    id {{id}},
    ip_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX public_submissions_ip ON public_submissions (ip_hash, kind, at);

CREATE TABLE initiatives (
    id {{id}},
    province_id BIGINT,
    commune_id BIGINT NOT NULL REFERENCES units(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    title TEXT NOT NULL,
    folded_title TEXT NOT NULL,
    authors TEXT NOT NULL,
    problem TEXT NOT NULL,
    solution TEXT NOT NULL,
    benefit TEXT NOT NULL,
    status TEXT NOT NULL,
    decision_number TEXT,
    decision_date TEXT,
    decision_note TEXT,
    decided_at BIGINT,
    decided_by BIGINT,
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX initiatives_commune ON initiatives (province_id, commune_id, status, decision_date);

CREATE TABLE initiative_files (
    id {{id}},
    initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    province_id BIGINT,
    commune_id BIGINT,
    blob_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT
);
CREATE INDEX initiative_files_initiative ON initiative_files (initiative_id);

-- The council: one row per named reviewer, scored once per criterion.
CREATE TABLE initiative_reviews (
    id {{id}},
    initiative_id BIGINT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    province_id BIGINT,
    commune_id BIGINT,
    reviewer_id BIGINT NOT NULL REFERENCES users(id),
    novelty BIGINT,
    applicability BIGINT,
    effectiveness BIGINT,
    scalability BIGINT,
    comment TEXT,
    scored_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (initiative_id, reviewer_id)
);

-- A target fed by an automatic source, and the figures computed for it
-- per period (recomputed in the transaction that changes their inputs).
CREATE TABLE target_sources (
    target_id BIGINT PRIMARY KEY REFERENCES targets(id) ON DELETE CASCADE,
    province_id BIGINT,
    commune_id BIGINT,
    source TEXT NOT NULL,
    linked_at BIGINT NOT NULL,
    linked_by BIGINT
);

CREATE TABLE auto_figures (
    target_id BIGINT NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    period_key TEXT NOT NULL,
    province_id BIGINT,
    commune_id BIGINT,
    source TEXT NOT NULL,
    value {{real}},
    numerator BIGINT NOT NULL,
    denominator BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (target_id, period_key)
);
