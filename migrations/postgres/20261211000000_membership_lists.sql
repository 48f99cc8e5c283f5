-- Tag and byline pages read the newest published stories of one tag or one
-- author straight from an index, whatever the archive's size: each
-- membership row carries its story's status, language and publication time,
-- rewritten with the story's lists on every save.
ALTER TABLE article_tags ADD COLUMN status TEXT NOT NULL DEFAULT 'draft';
ALTER TABLE article_tags ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE article_tags ADD COLUMN published_at BIGINT;
ALTER TABLE article_authors ADD COLUMN status TEXT NOT NULL DEFAULT 'draft';
ALTER TABLE article_authors ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE article_authors ADD COLUMN published_at BIGINT;
UPDATE article_tags SET
    status = (SELECT a.status FROM articles a WHERE a.id = article_tags.article_id),
    language = (SELECT a.language FROM articles a WHERE a.id = article_tags.article_id),
    published_at = (SELECT a.published_at FROM articles a WHERE a.id = article_tags.article_id);
UPDATE article_authors SET
    status = (SELECT a.status FROM articles a WHERE a.id = article_authors.article_id),
    language = (SELECT a.language FROM articles a WHERE a.id = article_authors.article_id),
    published_at = (SELECT a.published_at FROM articles a WHERE a.id = article_authors.article_id);
CREATE INDEX article_tags_list_idx ON article_tags (tag_id, status, language, published_at, article_id);
CREATE INDEX article_authors_list_idx ON article_authors (staff_id, status, language, published_at, article_id);
