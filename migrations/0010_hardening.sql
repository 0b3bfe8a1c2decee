-- Hardening, second pass (issue 17).

-- Failed sign-ins are counted per username (any address) as well as per
-- address: the per-account back-off reads them by username.
CREATE INDEX login_failures_username ON login_failures (username, at);
