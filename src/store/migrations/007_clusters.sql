-- Wire-copy story clusters (issue 14). An article's cluster is the id of
-- the cluster's first stored member; NULL when it was never clustered (a
-- body too short to tell a copy from a template). `cluster_original`
-- marks the one member that is the cluster's original.
--
-- The fingerprints of clustered articles are kept so later articles can be
-- compared with them: the sorted shingle hashes (little-endian u64s) and
-- one row per LSH band key, looked up by key to find candidates. `at` is
-- the published (or first seen) time the comparison window counts from;
-- `source_original` is the source's `original` flag when it was stored.

ALTER TABLE articles ADD COLUMN cluster_id INTEGER;
ALTER TABLE articles ADD COLUMN cluster_original INTEGER NOT NULL DEFAULT 0;
CREATE INDEX articles_cluster ON articles (cluster_id);

CREATE TABLE cluster_fingerprints (
    article_id      INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    at              INTEGER NOT NULL,
    source_original INTEGER NOT NULL,
    shingles        BLOB NOT NULL
);
CREATE INDEX cluster_fingerprints_at ON cluster_fingerprints (at);

CREATE TABLE cluster_bands (
    band_key   INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (band_key, article_id)
);
