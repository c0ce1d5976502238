-- Identifier values (the fields marked `warn_duplicate`: hostnames, IPs, provider ids,
-- application names) of active entities, and how many active entities share each value, so
-- duplicates are listed without reading any document. `entity_keys` is written with the entity
-- (crates/maestro-store/src/keys.rs) and rebuilt when the set of identifier fields changes;
-- the triggers keep `key_counts` in step with it.

CREATE TABLE entity_keys (
    entity_id TEXT NOT NULL REFERENCES entities(id),
    kind      TEXT NOT NULL,
    field     TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (entity_id, field, value)
) WITHOUT ROWID;
CREATE INDEX ix_entity_keys_value ON entity_keys (kind, field, value);

CREATE TABLE key_counts (
    kind  TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (kind, field, value)
) WITHOUT ROWID;
-- Only shared values: the dashboard reads this small index, not every value.
CREATE INDEX ix_key_counts_shared ON key_counts (kind, field, n) WHERE n > 1;

CREATE TRIGGER entity_keys_added AFTER INSERT ON entity_keys BEGIN
    INSERT INTO key_counts (kind, field, value, n) VALUES (NEW.kind, NEW.field, NEW.value, 1)
    ON CONFLICT (kind, field, value) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER entity_keys_removed AFTER DELETE ON entity_keys BEGIN
    UPDATE key_counts SET n = n - 1
     WHERE kind = OLD.kind AND field = OLD.field AND value = OLD.value;
    DELETE FROM key_counts
     WHERE kind = OLD.kind AND field = OLD.field AND value = OLD.value AND n <= 0;
END;
