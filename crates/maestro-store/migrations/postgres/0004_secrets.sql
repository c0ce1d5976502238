-- Sealed (encrypted) write-only fields of entities, such as connection credentials.

CREATE TABLE secrets (
    entity_id  TEXT PRIMARY KEY REFERENCES entities(id),
    sealed     TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
