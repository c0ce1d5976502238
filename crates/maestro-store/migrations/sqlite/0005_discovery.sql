-- Discovery bookkeeping: the provider identity of discovered entities, the listing scope
-- (connection, region, task) that saw them, and the sync run and time that last saw them.

ALTER TABLE entities ADD COLUMN discovery_key TEXT;
ALTER TABLE entities ADD COLUMN discovery_scope TEXT;
ALTER TABLE entities ADD COLUMN seen_run TEXT;
ALTER TABLE entities ADD COLUMN seen_at INTEGER;
CREATE UNIQUE INDEX ix_entities_discovery_key ON entities (discovery_key) WHERE discovery_key IS NOT NULL;
CREATE INDEX ix_entities_discovery_scope ON entities (discovery_scope, active) WHERE discovery_scope IS NOT NULL;

-- The status of each discovery task of each connection.
CREATE TABLE discovery_tasks (
    connection_id TEXT NOT NULL REFERENCES entities(id),
    task          TEXT NOT NULL,
    enabled       BOOLEAN NOT NULL DEFAULT TRUE,
    state         TEXT NOT NULL DEFAULT 'never',
    message       TEXT,
    permission    TEXT,
    counts        TEXT NOT NULL DEFAULT '{}',
    run_id        TEXT,
    schedule_id   TEXT,
    started_at    INTEGER,
    finished_at   INTEGER,
    duration_ms   INTEGER,
    PRIMARY KEY (connection_id, task)
);

-- References a provider reported to resources not discovered yet (a load balancer's targets
-- listed before the instances): resolved when the target appears.
CREATE TABLE pending_refs (
    src_id     TEXT NOT NULL REFERENCES entities(id),
    field      TEXT NOT NULL,
    target_key TEXT NOT NULL,
    PRIMARY KEY (src_id, field, target_key)
);
CREATE INDEX ix_pending_refs_target ON pending_refs (target_key);
