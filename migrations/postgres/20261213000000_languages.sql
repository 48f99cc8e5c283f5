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

-- Full-text search per language: PostgreSQL's own stemming where it has a
-- configuration for the language, 'simple' (lowercased words) elsewhere,
-- Ukrainian included; prefix queries find «уряду» and «урядом» from «уряд».
CREATE FUNCTION newsdesk_search_config(language TEXT) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE language
        WHEN 'ar' THEN 'arabic' WHEN 'da' THEN 'danish' WHEN 'nl' THEN 'dutch'
        WHEN 'en' THEN 'english' WHEN 'fi' THEN 'finnish' WHEN 'fr' THEN 'french'
        WHEN 'de' THEN 'german' WHEN 'el' THEN 'greek' WHEN 'hu' THEN 'hungarian'
        WHEN 'id' THEN 'indonesian' WHEN 'ga' THEN 'irish' WHEN 'it' THEN 'italian'
        WHEN 'lt' THEN 'lithuanian' WHEN 'ne' THEN 'nepali' WHEN 'nb' THEN 'norwegian'
        WHEN 'no' THEN 'norwegian' WHEN 'pt' THEN 'portuguese' WHEN 'ro' THEN 'romanian'
        WHEN 'ru' THEN 'russian' WHEN 'es' THEN 'spanish' WHEN 'sv' THEN 'swedish'
        WHEN 'ta' THEN 'tamil' WHEN 'tr' THEN 'turkish'
        ELSE 'simple' END)::regconfig
$$;
ALTER TABLE articles DROP COLUMN search_vector;
ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector(newsdesk_search_config(language), headline), 'A')
    || setweight(to_tsvector(newsdesk_search_config(language), standfirst), 'B')
    || setweight(to_tsvector(newsdesk_search_config(language), body), 'C')
) STORED;
CREATE INDEX articles_search_idx ON articles USING GIN (search_vector);
