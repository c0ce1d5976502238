-- `key_counts` is now maintained by the writes themselves (crates/maestro-store/src/keys.rs):
-- one aggregated upsert per write instead of a PL/pgSQL trigger run per key row, which halved
-- the rate of first discovery syncs.
DROP TRIGGER IF EXISTS entity_keys_count ON entity_keys;
DROP FUNCTION IF EXISTS entity_keys_count();
