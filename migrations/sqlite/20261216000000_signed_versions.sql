-- Signed story versions: each published version of a story, serialized
-- canonically and signed with the newsroom's Ed25519 key (docs/SIGNING.md).
-- Rows are only ever added: a change to a published story is a new version.
CREATE TABLE signing_keys (
    key_id TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT
);
CREATE TABLE story_versions (
    id INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    -- What the version says (its text, sources, corrections, authors, times),
    -- to tell a new version from a save that changed nothing readers see.
    content_sha256 TEXT NOT NULL,
    story_sha256 TEXT NOT NULL,
    key_id TEXT NOT NULL REFERENCES signing_keys(key_id),
    signed_at BIGINT NOT NULL,
    document TEXT NOT NULL,
    UNIQUE (article_id, version)
);
