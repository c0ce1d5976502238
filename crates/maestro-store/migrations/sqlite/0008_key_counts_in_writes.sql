-- `key_counts` is now maintained by the writes themselves (crates/maestro-store/src/keys.rs):
-- one aggregated upsert per write instead of a trigger run per key row.
DROP TRIGGER IF EXISTS entity_keys_added;
DROP TRIGGER IF EXISTS entity_keys_removed;
