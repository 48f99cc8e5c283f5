-- PostgreSQL only: nodes sharing a PostgreSQL database hear of each change
-- through LISTEN/NOTIFY. A SQLite newsroom is one node; nothing to do.
SELECT 1;
