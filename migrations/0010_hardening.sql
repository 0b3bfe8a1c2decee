-- Hardening, second pass (issue 17).

-- Failed sign-ins are counted per username (any address) as well as per
-- address: the per-account back-off reads them by username.
CREATE INDEX login_failures_username ON login_failures (username, at);

-- Form questions already answered (right or wrong): a token is spent on
-- first use. Rows go once their token has expired.
CREATE TABLE spent_challenges (
    nonce TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX spent_challenges_expiry ON spent_challenges (expires_at);
