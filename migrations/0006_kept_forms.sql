-- What a person typed into a long form (a report, a task, an answer to
-- feedback) and sent after their session had ended: kept, sealed, for the
-- same user and the same form, for a day, and shown back in the form after
-- they sign in again. Nothing kept is ever applied without them saving it.
CREATE TABLE kept_forms (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, path)
);
CREATE INDEX kept_forms_expiry ON kept_forms (expires_at);
