-- HTML sources and full-text feeds: the usual article body length per source
-- (a moving average over the articles stored, in characters), so an article
-- whose body suddenly comes out far shorter is caught as layout drift; and an
-- index to find a source's articles by canonical URL.

ALTER TABLE sources ADD COLUMN usual_body_chars REAL;
ALTER TABLE sources ADD COLUMN body_samples INTEGER NOT NULL DEFAULT 0;

CREATE INDEX articles_source_canonical ON articles (source_id, canonical_url);
