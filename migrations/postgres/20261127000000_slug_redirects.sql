-- Old addresses of published stories keep working: each old slug points at its article.
CREATE TABLE slug_redirects (
    language TEXT NOT NULL,
    old_slug TEXT NOT NULL,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (language, old_slug)
);
