-- Search matches word beginnings ("уряд" finds «уряду», «урядом»). Without
-- prefix indexes FTS5 merges the lists of every word that begins so before
-- it can rank any (137 ms for «уряд» at 100,000 stories); with them a
-- beginning is one list, read newest first (9 ms).
DROP TABLE article_search;
CREATE VIRTUAL TABLE article_search USING fts5 (
    headline, standfirst, body,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '4 8'
);
INSERT INTO article_search (rowid, headline, standfirst, body)
    SELECT id, headline, standfirst, body FROM articles;
