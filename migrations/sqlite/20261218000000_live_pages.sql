-- Live coverage: a story that is a live page gets timestamped updates,
-- newest first, until an editor closes it with a summary.
CREATE TABLE live_pages (
    article_id BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    started_at BIGINT NOT NULL,
    closed_at BIGINT,
    summary TEXT NOT NULL DEFAULT ''
);
CREATE TABLE live_updates (
    id INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    author_id BIGINT REFERENCES staff (id),
    body TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    source_url TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX live_updates_article_idx ON live_updates (article_id, id);
