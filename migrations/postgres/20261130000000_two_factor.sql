-- Optional TOTP two-factor sign-in. A secret is kept while being set up and
-- counts only once confirmed with a code; a session waits for the code.
ALTER TABLE staff ADD COLUMN totp_secret TEXT;
ALTER TABLE staff ADD COLUMN totp_enabled_at BIGINT;
ALTER TABLE staff_sessions ADD COLUMN awaiting_code BIGINT NOT NULL DEFAULT 0;
