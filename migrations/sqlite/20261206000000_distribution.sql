-- Distribution. Publishing, updating or unpublishing an article records an
-- outbox event in the same transaction; the worker expands each event once
-- into deliveries, one per channel and target, and sends them.

CREATE TABLE outbox_events (
    id INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    action TEXT NOT NULL CHECK (action IN ('publish', 'update', 'unpublish')),
    created_at BIGINT NOT NULL,
    expanded_at BIGINT
);
CREATE INDEX outbox_events_pending_idx ON outbox_events (expanded_at, id);

-- state: pending → sending → sent | failed (retried) → dead;
-- cancelled by staff or superseded; unknown when a node died mid-send
-- (not resent on channels that cannot tell a repeat from a new post).
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    article_id BIGINT REFERENCES articles (id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    action TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'dead', 'cancelled', 'unknown')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    locked_until BIGINT,
    last_error TEXT NOT NULL DEFAULT '',
    remote_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX deliveries_due_idx ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_article_idx ON deliveries (article_id, channel, target);

-- A provider asked us to wait (Telegram retry_after, X rate-limit reset):
-- every node holds that channel's target until then.
CREATE TABLE delivery_pauses (
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    until_at BIGINT NOT NULL,
    PRIMARY KEY (channel, target)
);

-- Fediverse followers of the publication's actor.
CREATE TABLE fediverse_followers (
    actor_id TEXT PRIMARY KEY,
    inbox TEXT NOT NULL,
    shared_inbox TEXT,
    follow_id TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE newsletter_subscribers (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    language TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'unsubscribed', 'bounced')),
    token TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    changed_at BIGINT NOT NULL,
    UNIQUE (email, language)
);
CREATE INDEX newsletter_subscribers_state_idx ON newsletter_subscribers (language, state);

-- One row per digest or single-story send; `issue_key` makes it once only.
CREATE TABLE newsletter_issues (
    id INTEGER PRIMARY KEY,
    issue_key TEXT NOT NULL UNIQUE,
    language TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    -- The stories in it, as ",12,15,": an article's admin page finds its issues.
    article_ids TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

CREATE TABLE newsletter_recipients (
    issue_id BIGINT NOT NULL REFERENCES newsletter_issues (id) ON DELETE CASCADE,
    subscriber_id BIGINT NOT NULL REFERENCES newsletter_subscribers (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'skipped', 'unknown')),
    locked_until BIGINT,
    sent_at BIGINT,
    error TEXT NOT NULL DEFAULT '',
    -- A temporary refusal (4xx, a dropped connection) is tried again later.
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (issue_id, subscriber_id)
);
CREATE INDEX newsletter_recipients_state_idx ON newsletter_recipients (state, issue_id);

-- Video posts from the newsroom's YouTube channel and TikTok.
CREATE TABLE videos (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL CHECK (provider IN ('youtube', 'tiktok')),
    video_id TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    author TEXT NOT NULL DEFAULT '',
    thumbnail_url TEXT,
    published_at BIGINT NOT NULL,
    fetched_at BIGINT NOT NULL,
    UNIQUE (provider, video_id)
);
CREATE INDEX videos_published_idx ON videos (published_at);
