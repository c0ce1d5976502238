-- Who holds an identifier value (hostname, private IP, provider id, application name) is now
-- answered by the field's own index on `entities` (its expression index, or the `name` column),
-- which every identifier field already had; `key_counts` stays, adjusted by each write
-- (crates/maestro-store/src/keys.rs). Each value was also a row of `entity_keys` with two
-- index entries of its own: a tenth of a first discovery sync on PostgreSQL. The counts are
-- taken again from the documents at the next start (the `meta` key they were counted under is
-- new).
DROP TABLE IF EXISTS entity_keys;
DELETE FROM meta WHERE key = 'entity_keys.fields';
