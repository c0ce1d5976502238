-- Statistics only where the planner uses them. `ANALYZE` (run by autovacuum, and by Maestro
-- after bulk inserts, `upkeep.rs`) sorted a sample of every column: the documents and history
-- entries (JSONB, compared key by key), the free-text `search` column and the unique ids cost
-- more than all the rest, and no query's plan depends on their distribution — documents are
-- filtered through generated facet columns and expression indexes, which keep their own
-- statistics, and ids and discovery keys are unique indexes.
ALTER TABLE entities ALTER COLUMN data SET STATISTICS 0,
                     ALTER COLUMN search SET STATISTICS 0,
                     ALTER COLUMN id SET STATISTICS 0,
                     ALTER COLUMN discovery_key SET STATISTICS 0;
ALTER TABLE changes ALTER COLUMN changes SET STATISTICS 0,
                    ALTER COLUMN context SET STATISTICS 0,
                    ALTER COLUMN id SET STATISTICS 0;
ALTER TABLE relations ALTER COLUMN attrs SET STATISTICS 0;

-- Kinds without families (servers among them) kept an entry with a NULL family for every
-- entity; every read of this index names a family.
DROP INDEX IF EXISTS ix_entities_kind_family;
CREATE INDEX ix_entities_kind_family ON entities (kind, family, active, updated_at)
    WHERE family IS NOT NULL;
