-- Emailed links that let a donor see their gifts and stop monthly support
-- without an account. Only a hash of each token is stored.
CREATE TABLE donor_links (
    token_hash TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX donor_links_email_idx ON donor_links (email, created_at);
