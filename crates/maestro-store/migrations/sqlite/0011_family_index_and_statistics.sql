-- Kinds without families (servers among them) kept an entry with a NULL family for every
-- entity; every read of this index names a family. (Number 0011 as on PostgreSQL, whose
-- migration also lightens its planner statistics; SQLite has no 0010: that one dropped
-- PostgreSQL-only foreign-key checks.)
DROP INDEX IF EXISTS ix_entities_kind_family;
CREATE INDEX ix_entities_kind_family ON entities (kind, family, active, updated_at)
    WHERE family IS NOT NULL;
