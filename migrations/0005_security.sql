-- Accounts and security: a second factor (TOTP), the second step of a
-- login, accounts disabled after 45 days unused, and an index to search
-- the audit trail. The audit trail itself is append-only: the application
-- never updates or deletes its rows.

-- The TOTP secret, sealed with the data key when there is one; a pending
-- secret is shown during enrolment until a code confirms it. The last
-- accepted step keeps a code from being used twice.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_enabled_at BIGINT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
-- Why an account is disabled ('dormant' after 45 days unused), and when an
-- administrator last enabled it (which counts as activity).
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
ALTER TABLE users ADD COLUMN disabled_reason TEXT;
ALTER TABLE users ADD COLUMN enabled_at BIGINT;

-- A password accepted, a code still to come. Only a SHA-256 of the
-- challenge token is kept; an administrator enrolling at login keeps the
-- pending secret on the user row.
CREATE TABLE login_challenges (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ip TEXT
);
CREATE INDEX login_challenges_user ON login_challenges (user_id);

CREATE INDEX audit_log_scope ON audit_log (province_id, commune_id, at);
CREATE INDEX audit_log_action ON audit_log (action, at);
CREATE INDEX audit_log_user ON audit_log (user_id, at);
