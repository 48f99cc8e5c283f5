-- Holding under attack.
--
-- Attempts at anything worth guessing (a password, a second-factor code, a
-- newsletter sign-up) are rows in named buckets ("signin-addr:203.0.113.9",
-- "signin-account:7:203.0.113.9", "code:7"). A request first adds its row,
-- then counts the bucket: that order makes the limit hold under any amount
-- of concurrency, on every node.
CREATE TABLE rate_attempts (
    id INTEGER PRIMARY KEY,
    bucket TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX rate_attempts_bucket_idx ON rate_attempts (bucket, at);
CREATE INDEX rate_attempts_at_idx ON rate_attempts (at);

-- The last TOTP time step accepted, so a code works once.
ALTER TABLE staff ADD COLUMN totp_last_step BIGINT;
-- Disabled staff keep their stories but cannot sign in or use keys.
ALTER TABLE staff ADD COLUMN disabled_at BIGINT;

-- What an Admin API key may do: content:read, content:write, donations:read.
ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT 'content:read,content:write';
-- The staff member a key was made for, if any; disabling them revokes it.
ALTER TABLE api_keys ADD COLUMN staff_id BIGINT REFERENCES staff (id) ON DELETE SET NULL;

-- Append-only record of staff actions, kept for audit.retention_days.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at BIGINT NOT NULL,
    staff_id BIGINT,
    actor TEXT NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- Failures now live in rate_attempts.
DROP TABLE sign_in_failures;

-- Signatures of inbox requests already taken, so a captured request cannot
-- be replayed within the clock window; pruned after it.
CREATE TABLE fediverse_seen_signatures (
    signature_hash TEXT PRIMARY KEY,
    seen_at BIGINT NOT NULL
);
CREATE INDEX fediverse_seen_signatures_at_idx ON fediverse_seen_signatures (seen_at);

-- What a provider reported paid when it was not what the donor pledged
-- (or a second payment for one order): such a donation is not completed,
-- and the owner sees it on the funding page.
ALTER TABLE donations ADD COLUMN payment_mismatch TEXT;

-- Newsletter links: `token` now holds only the SHA-256 of the confirmation
-- link's token (it confirms, nothing else); unsubscribe links are signed
-- per subscriber. Tokens kept in clear until now stop working.
UPDATE newsletter_subscribers SET token = 'retired-' || CAST(id AS TEXT);

-- Stripe's current API ("basil", 2025-03-31 and later) no longer names the
-- invoice on a charge: a refund of a monthly payment names only its payment
-- intent. Links from payment intent to invoice (from invoice_payment.paid, or
-- invoice.payment_intent in older versions) let such refunds find their payment.
ALTER TABLE payments ADD COLUMN payment_intent TEXT;
CREATE TABLE payment_links (
    provider TEXT NOT NULL,
    payment_intent TEXT NOT NULL,
    provider_payment_id TEXT NOT NULL,
    PRIMARY KEY (provider, payment_intent)
);

-- Published stories across languages by date (sitemaps by month, feeds of every language).
CREATE INDEX articles_published_idx ON articles (status, published_at);

-- Related stories read the newest few stories of each tag, not all of them.
CREATE INDEX article_tags_tag_article_idx ON article_tags (tag_id, article_id);

-- The search index keeps no second copy of every story: contentless, with
-- deletes by rowid (SQLite 3.43+); results are read from articles.
DROP TABLE article_search;
CREATE VIRTUAL TABLE article_search USING fts5 (
    headline, standfirst, body,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO article_search (rowid, headline, standfirst, body)
    SELECT id, headline, standfirst, body FROM articles;
