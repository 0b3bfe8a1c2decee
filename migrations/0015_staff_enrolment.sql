-- Staff administration (issue 14 item 4, issue 15 item 3): a phone number
-- on accounts, and one-time enrolment codes. A new account, or a password
-- reset by an administrator, gets a code instead of a password; only the
-- code's SHA-256 is kept, it works once and expires.
ALTER TABLE users ADD COLUMN phone TEXT;

CREATE TABLE enrolment_codes (
    id {{id}},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL UNIQUE,
    purpose TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    created_by BIGINT
);
CREATE INDEX enrolment_codes_user ON enrolment_codes (user_id);
