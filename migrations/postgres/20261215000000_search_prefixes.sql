-- SQLite only: prefix indexes for its full-text table. PostgreSQL's GIN
-- index serves prefix queries as it is.
SELECT 1;
