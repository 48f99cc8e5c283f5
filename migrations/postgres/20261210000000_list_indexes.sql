-- Public lists read the newest stories straight from an index, in order,
-- whatever the archive's size: the home page and feeds by language, section
-- pages by section, with the id as the tie-break of equal times.
CREATE INDEX articles_list_idx ON articles (status, language, published_at, id);
CREATE INDEX articles_section_list_idx ON articles (status, language, section_id, published_at, id);
DROP INDEX articles_public_idx;
