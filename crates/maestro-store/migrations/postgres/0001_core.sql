-- Maestro core schema (PostgreSQL). Times are microseconds since the Unix epoch; ids are UUID strings.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    admin         BOOLEAN NOT NULL DEFAULT FALSE,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    profile       JSONB NOT NULL DEFAULT '{}',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    kind         TEXT NOT NULL,
    name         TEXT,
    token_hash   TEXT,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    revoked_at   BIGINT,
    last_used_at BIGINT
);
CREATE INDEX ix_sessions_user ON sessions (user_id, kind);

CREATE TABLE teams (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    profile    JSONB NOT NULL DEFAULT '{}',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    role    SMALLINT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX ix_team_members_user ON team_members (user_id);

CREATE TABLE entities (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    family      TEXT,
    name        TEXT NOT NULL,
    active      BOOLEAN NOT NULL,
    owner_kind  TEXT NOT NULL,
    owner_id    TEXT NOT NULL,
    revision    BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    search      TEXT NOT NULL,
    data        JSONB NOT NULL
);
CREATE INDEX ix_entities_kind_updated ON entities (kind, active, updated_at);
CREATE INDEX ix_entities_kind_created ON entities (kind, active, created_at);
CREATE INDEX ix_entities_kind_name ON entities (kind, active, name);
CREATE INDEX ix_entities_kind_family ON entities (kind, family, active, updated_at);

CREATE TABLE acl (
    entity_id    TEXT NOT NULL REFERENCES entities(id),
    principal_kind TEXT NOT NULL,
    principal_id TEXT NOT NULL,
    role         SMALLINT NOT NULL,
    owner        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (entity_id, principal_id)
);
CREATE INDEX ix_acl_principal ON acl (principal_id, entity_id);

CREATE TABLE relations (
    src_id   TEXT NOT NULL REFERENCES entities(id),
    rel      TEXT NOT NULL,
    dst_id   TEXT NOT NULL REFERENCES entities(id),
    attrs    JSONB NOT NULL DEFAULT '{}',
    position BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (src_id, rel, dst_id)
);
CREATE INDEX ix_relations_dst ON relations (dst_id, rel);

CREATE TABLE changes (
    id           TEXT PRIMARY KEY,
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    at           BIGINT NOT NULL,
    actor_id     TEXT,
    actor_name   TEXT NOT NULL,
    source       TEXT NOT NULL,
    op           TEXT NOT NULL,
    changes      JSONB NOT NULL,
    context      JSONB
);
CREATE INDEX ix_changes_subject ON changes (subject_kind, subject_id, at);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      JSONB NOT NULL,
    updated_at BIGINT NOT NULL
);
