-- The run and time that last saw each discovered entity, in a narrow table of their own. Every
-- sync marks every resource it lists; on the entity rows that rewrote a wide row and all its
-- index entries per resource and per sync (on PostgreSQL 86 µs each, most of an unchanged
-- sync), here it rewrites a small row that no index covers.

CREATE TABLE discovery_seen (
    discovery_key TEXT PRIMARY KEY,
    run           TEXT NOT NULL,
    seen_at       BIGINT NOT NULL
) WITH (fillfactor = 50);

INSERT INTO discovery_seen (discovery_key, run, seen_at)
SELECT discovery_key, COALESCE(seen_run, ''), COALESCE(seen_at, 0)
  FROM entities WHERE discovery_key IS NOT NULL;

ALTER TABLE entities DROP COLUMN seen_run;
ALTER TABLE entities DROP COLUMN seen_at;
