-- robots.txt per origin, with when it was fetched and when to ask again,
-- so the day's cache (and the ten-minute pause after an unreachable one)
-- holds across `poll --once` runs, restarts and reloads.

CREATE TABLE robots_txt (
    origin      TEXT PRIMARY KEY,
    body        TEXT,
    unreachable TEXT,
    fetched_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
