-- Why robots.txt was unreachable, as a failure kind: a source paused by
-- it then fails with the root cause (no such host, connection refused)
-- and the hint for that, not only "robots".

ALTER TABLE robots_txt ADD COLUMN unreachable_kind TEXT;
