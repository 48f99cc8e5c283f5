-- The transparency page names grant funders as the owner chooses: a public
-- purpose, and whether to show the grant at all (not shown until published).
ALTER TABLE grants ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
ALTER TABLE grants ADD COLUMN published_at BIGINT;
