-- Reader revenue. Money is integer minor units with an ISO currency code.
-- Every provider event is recorded in provider_events in the same
-- transaction as its effect, so a repeated event changes nothing.

CREATE TABLE donations (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    frequency TEXT NOT NULL CHECK (frequency IN ('one_time', 'monthly')),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    provider TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'failed', 'cancelled')),
    donor_name TEXT NOT NULL DEFAULT '',
    donor_email TEXT NOT NULL DEFAULT '',
    article_id BIGINT REFERENCES articles (id) ON DELETE SET NULL,
    provider_ref TEXT,
    created_at BIGINT NOT NULL,
    completed_at BIGINT
);
CREATE INDEX donations_article_idx ON donations (article_id);

CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    provider_subscription_id TEXT NOT NULL,
    donation_id BIGINT REFERENCES donations (id),
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'past_due', 'cancelled')),
    donor_email TEXT NOT NULL DEFAULT '',
    article_id BIGINT REFERENCES articles (id) ON DELETE SET NULL,
    started_at BIGINT NOT NULL,
    cancelled_at BIGINT,
    UNIQUE (provider, provider_subscription_id)
);

CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    provider_payment_id TEXT NOT NULL,
    donation_id BIGINT REFERENCES donations (id),
    subscription_id BIGINT REFERENCES subscriptions (id),
    amount_minor BIGINT NOT NULL,
    refunded_minor BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL,
    article_id BIGINT REFERENCES articles (id) ON DELETE SET NULL,
    paid_at BIGINT NOT NULL,
    UNIQUE (provider, provider_payment_id)
);
CREATE INDEX payments_paid_idx ON payments (paid_at);

CREATE TABLE provider_events (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (provider, event_id)
);

CREATE TABLE grants (
    id INTEGER PRIMARY KEY,
    funder TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    period_end BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    CHECK (period_end > period_start)
);
