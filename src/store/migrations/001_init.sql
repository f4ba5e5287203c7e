-- Initial schema. Times are Unix seconds (UTC).

CREATE TABLE sources (
    id               TEXT PRIMARY KEY,
    url              TEXT NOT NULL,
    etag             TEXT,
    last_modified    TEXT,
    next_poll_at     INTEGER,
    last_poll_at     INTEGER,
    last_success_at  INTEGER,
    first_polled_at  INTEGER,
    error_streak     INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    last_error_at    INTEGER,
    last_items       INTEGER,
    usual_items      REAL,
    encoding         TEXT,
    polls            INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE articles (
    id               INTEGER PRIMARY KEY,
    source_id        TEXT NOT NULL,
    guid             TEXT NOT NULL,
    url              TEXT,
    canonical_url    TEXT,
    first_seen_at    INTEGER NOT NULL,
    last_seen_at     INTEGER NOT NULL,
    published_at     INTEGER,
    current_revision INTEGER NOT NULL DEFAULT 1,
    -- 0 when stored by a first poll outside the backfill window: kept, never mailed.
    mailable         INTEGER NOT NULL DEFAULT 1,
    UNIQUE (source_id, guid)
);
CREATE INDEX articles_first_seen ON articles (first_seen_at);

CREATE TABLE revisions (
    article_id    INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    revision      INTEGER NOT NULL,
    seen_at       INTEGER NOT NULL,
    content_hash  TEXT NOT NULL,
    change_class  TEXT,
    kicker        TEXT,
    title         TEXT NOT NULL,
    subtitle      TEXT,
    byline        TEXT,
    outlet        TEXT,
    published_at  INTEGER,
    updated_at    INTEGER,
    language      TEXT,
    lead          TEXT,
    sections_json TEXT NOT NULL,
    quotes_json   TEXT NOT NULL,
    PRIMARY KEY (article_id, revision)
);

CREATE TABLE matches (
    article_id   INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    topic_id     TEXT NOT NULL,
    revision     INTEGER NOT NULL,
    score        REAL NOT NULL,
    -- JSON list of {term, title, body}: which terms matched, how often, where.
    explanation  TEXT NOT NULL,
    matched_at   INTEGER NOT NULL,
    PRIMARY KEY (article_id, topic_id)
);
CREATE INDEX matches_topic ON matches (topic_id);

CREATE TABLE subscribers (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    registered_at INTEGER NOT NULL,
    -- The schedule slot last handled (composed, or found empty).
    last_slot_at  INTEGER
);

CREATE TABLE digests (
    id              INTEGER PRIMARY KEY,
    subscriber_id   TEXT NOT NULL,
    period_key      TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    envelope_from   TEXT NOT NULL,
    recipients      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    message         BLOB NOT NULL,
    item_count      INTEGER NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'expired')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    last_error      TEXT,
    UNIQUE (subscriber_id, period_key)
);
CREATE INDEX digests_due ON digests (state, next_attempt_at);

CREATE TABLE digest_items (
    digest_id     INTEGER NOT NULL REFERENCES digests (id) ON DELETE CASCADE,
    subscriber_id TEXT NOT NULL,
    article_id    INTEGER NOT NULL,
    revision      INTEGER NOT NULL,
    PRIMARY KEY (digest_id, article_id),
    -- An article revision reaches a subscriber in exactly one digest.
    UNIQUE (subscriber_id, article_id, revision)
);
