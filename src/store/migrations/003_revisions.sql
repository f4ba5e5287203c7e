-- Silent edits (issue 4). A revision records the revision its diff is
-- against and the revision hash (normalized text minus the source's ignore
-- patterns), plus the raw page it was read from, kept by content hash as
-- evidence. Articles of page-fetching sources carry their re-check schedule
-- and the validators of their page for conditional GET.

ALTER TABLE revisions ADD COLUMN base_revision INTEGER;
ALTER TABLE revisions ADD COLUMN normalized_hash TEXT;
ALTER TABLE revisions ADD COLUMN raw_hash TEXT;

CREATE TABLE raw_pages (
    hash       TEXT PRIMARY KEY,
    fetched_at INTEGER NOT NULL,
    bytes      BLOB NOT NULL
);
CREATE INDEX raw_pages_fetched ON raw_pages (fetched_at);

ALTER TABLE articles ADD COLUMN next_recheck_at INTEGER;
ALTER TABLE articles ADD COLUMN rechecks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN page_etag TEXT;
ALTER TABLE articles ADD COLUMN page_last_modified TEXT;
CREATE INDEX articles_recheck ON articles (source_id, next_recheck_at)
    WHERE next_recheck_at IS NOT NULL;
