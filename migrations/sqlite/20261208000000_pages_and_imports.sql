-- Moving in: static pages, the old site's addresses, and what came from where.

-- Pages that are not news (About, Team, Editorial standards, Contacts): never
-- in lists, feeds or sitemaps of stories; each language has its own version.
CREATE TABLE pages (
    id INTEGER PRIMARY KEY,
    translation_group TEXT NOT NULL,
    language TEXT NOT NULL,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    meta_description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    position BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (language, slug),
    UNIQUE (translation_group, language)
);

-- Addresses of the old site (path, with the query for "/?p=123") that answer
-- a permanent redirect to their new home.
CREATE TABLE legacy_paths (
    path TEXT PRIMARY KEY,
    target TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Which source record each imported row came from, so that importing the
-- same file again changes nothing.
CREATE TABLE import_sources (
    source TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('article', 'page', 'staff', 'section', 'tag')),
    source_id TEXT NOT NULL,
    local_id BIGINT NOT NULL,
    PRIMARY KEY (source, kind, source_id)
);
