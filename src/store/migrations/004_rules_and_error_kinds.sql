-- The hash of the extraction rules a source was last read with, so edited
-- rules force a full read and re-extraction instead of waiting behind
-- 304s; and the kind of a source's last error (dns, tls, robots,
-- layout_drift, …), for counters and the hint `sources` shows.

ALTER TABLE sources ADD COLUMN rules_hash TEXT;
ALTER TABLE sources ADD COLUMN last_error_kind TEXT;
