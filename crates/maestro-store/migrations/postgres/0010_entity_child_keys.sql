-- The rows written beside each entity (its ACL, identifier keys, relations and pending
-- references) no longer carry foreign keys to `entities` on PostgreSQL. There each such row's
-- check was a query of its own that key-share-locked the entity: five or six per discovered
-- server, and the 500 servers of a page placed in one datacenter locked that datacenter's row
-- 500 times, from every page in flight. What the keys guarded is kept otherwise: entities are
-- never removed (deletion is soft), ACL rows and identifier keys are written in the transaction
-- that writes their entity, and a relation is written only after both ends were read active
-- and share-locked in the same transaction (`write.rs`). SQLite keeps its foreign keys: there a
-- check is one probe of the primary key in the writer's own cache.

ALTER TABLE acl DROP CONSTRAINT IF EXISTS acl_entity_id_fkey;
ALTER TABLE entity_keys DROP CONSTRAINT IF EXISTS entity_keys_entity_id_fkey;
ALTER TABLE relations DROP CONSTRAINT IF EXISTS relations_src_id_fkey;
ALTER TABLE relations DROP CONSTRAINT IF EXISTS relations_dst_id_fkey;
ALTER TABLE pending_refs DROP CONSTRAINT IF EXISTS pending_refs_src_id_fkey;
