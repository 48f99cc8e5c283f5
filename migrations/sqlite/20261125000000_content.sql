-- Content model: staff, sections, tags, articles with sources, corrections and revisions.
-- Times are UTC Unix seconds (BIGINT) so both backends compare and sort them identically.

CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    bio TEXT NOT NULL DEFAULT '',
    avatar_url TEXT,
    role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'author', 'contributor')),
    password_hash TEXT,
    password_must_change BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE sections (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name_uk TEXT NOT NULL,
    name_en TEXT NOT NULL,
    position BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    translation_group TEXT NOT NULL,
    language TEXT NOT NULL,
    slug TEXT NOT NULL,
    headline TEXT NOT NULL,
    standfirst TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    cover_url TEXT,
    cover_alt TEXT NOT NULL DEFAULT '',
    cover_credit TEXT NOT NULL DEFAULT '',
    section_id BIGINT REFERENCES sections (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'in_review', 'scheduled', 'published', 'unpublished')),
    meta_title TEXT NOT NULL DEFAULT '',
    meta_description TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    published_at BIGINT,
    content_updated_at BIGINT,
    scheduled_at BIGINT,
    UNIQUE (language, slug),
    UNIQUE (translation_group, language)
);
CREATE INDEX articles_public_idx ON articles (status, language, published_at);
CREATE INDEX articles_section_idx ON articles (section_id, published_at);

CREATE TABLE article_authors (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    staff_id BIGINT NOT NULL REFERENCES staff (id),
    position BIGINT NOT NULL,
    PRIMARY KEY (article_id, staff_id)
);
CREATE INDEX article_authors_staff_idx ON article_authors (staff_id);

CREATE TABLE article_tags (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags (id),
    position BIGINT NOT NULL,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag_idx ON article_tags (tag_id);

CREATE TABLE article_sources (
    id INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    outlet TEXT NOT NULL,
    url TEXT,
    citation TEXT NOT NULL DEFAULT ''
);
CREATE INDEX article_sources_article_idx ON article_sources (article_id, position);

CREATE TABLE article_corrections (
    id INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('correction', 'update')),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX article_corrections_article_idx ON article_corrections (article_id, created_at);

CREATE TABLE article_revisions (
    id INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    saved_by TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (article_id, version)
);

CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);

CREATE TABLE site_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every change to public content, so each node of a cluster can drop exactly the cached pages it affects.
CREATE TABLE content_changes (
    id INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL,
    changed_at BIGINT NOT NULL
);

CREATE VIRTUAL TABLE article_search USING fts5 (
    headline, standfirst, body,
    tokenize = 'unicode61 remove_diacritics 2'
);
