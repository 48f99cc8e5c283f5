-- One-time links for password resets and invitations. Only a hash of each
-- token is stored; a token works once and expires.
CREATE TABLE password_tokens (
    token_hash TEXT PRIMARY KEY,
    staff_id BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('reset', 'invite')),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_tokens_staff_idx ON password_tokens (staff_id, created_at);
