-- Each live update is signed once, on its own (docs/SIGNING.md); a story's
-- versions name its updates by id, so a version per update stays small.
ALTER TABLE live_updates ADD COLUMN document TEXT NOT NULL DEFAULT '';
