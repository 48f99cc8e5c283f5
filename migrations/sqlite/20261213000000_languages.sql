-- Languages as data: a section's and a tag's name in each language live in
-- rows, not in one column per language, so adding a language needs no
-- schema change.
CREATE TABLE section_names (
    section_id BIGINT NOT NULL REFERENCES sections (id),
    language TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (section_id, language)
);
INSERT INTO section_names (section_id, language, name)
    SELECT id, 'uk', name_uk FROM sections WHERE name_uk <> '';
INSERT INTO section_names (section_id, language, name)
    SELECT id, 'en', name_en FROM sections WHERE name_en <> '';
ALTER TABLE sections DROP COLUMN name_uk;
ALTER TABLE sections DROP COLUMN name_en;

-- A tag keeps the name it was created with; these are its names elsewhere.
CREATE TABLE tag_names (
    tag_id BIGINT NOT NULL REFERENCES tags (id),
    language TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (tag_id, language)
);
