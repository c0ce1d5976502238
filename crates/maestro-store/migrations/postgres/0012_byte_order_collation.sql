-- Ids, kinds, keys and facet values compare byte by byte (collation "C"), as SQLite compares
-- them. Under the database's default collation (a libc locale, `C.UTF-8` included) every
-- comparison in an index went through `strcoll` on copied strings: inserting a discovered
-- server, whose entity row alone has 22 index entries, spent a quarter of its time there.
-- Lists sorted by name now order as on SQLite (bytes: uppercase before lowercase). Users,
-- teams and the job tables keep the default collation.

-- One ALTER per table: each rebuilds the table's indexes once. On `entities` the text facet
-- columns (generated, `f_*`, added after the migrations on a new database) change with it.
DO $$
DECLARE
    facets text;
BEGIN
    SELECT string_agg(format(', ALTER COLUMN %I TYPE text COLLATE "C"', attname), '')
      INTO facets
      FROM pg_attribute
     WHERE attrelid = 'entities'::regclass AND attname LIKE 'f\_%'
       AND atttypid = 'text'::regtype AND NOT attisdropped;
    EXECUTE 'ALTER TABLE entities'
        ' ALTER COLUMN id TYPE text COLLATE "C",'
        ' ALTER COLUMN kind TYPE text COLLATE "C",'
        ' ALTER COLUMN family TYPE text COLLATE "C",'
        ' ALTER COLUMN name TYPE text COLLATE "C",'
        ' ALTER COLUMN owner_kind TYPE text COLLATE "C",'
        ' ALTER COLUMN owner_id TYPE text COLLATE "C",'
        ' ALTER COLUMN discovery_key TYPE text COLLATE "C",'
        ' ALTER COLUMN discovery_scope TYPE text COLLATE "C"'
        || COALESCE(facets, '');
END
$$;

ALTER TABLE acl ALTER COLUMN entity_id TYPE text COLLATE "C",
                ALTER COLUMN principal_kind TYPE text COLLATE "C",
                ALTER COLUMN principal_id TYPE text COLLATE "C";
ALTER TABLE relations ALTER COLUMN src_id TYPE text COLLATE "C",
                      ALTER COLUMN rel TYPE text COLLATE "C",
                      ALTER COLUMN dst_id TYPE text COLLATE "C";
ALTER TABLE changes ALTER COLUMN id TYPE text COLLATE "C",
                    ALTER COLUMN subject_kind TYPE text COLLATE "C",
                    ALTER COLUMN subject_id TYPE text COLLATE "C";
ALTER TABLE entity_keys ALTER COLUMN entity_id TYPE text COLLATE "C",
                        ALTER COLUMN kind TYPE text COLLATE "C",
                        ALTER COLUMN field TYPE text COLLATE "C",
                        ALTER COLUMN value TYPE text COLLATE "C";
ALTER TABLE key_counts ALTER COLUMN kind TYPE text COLLATE "C",
                       ALTER COLUMN field TYPE text COLLATE "C",
                       ALTER COLUMN value TYPE text COLLATE "C";
ALTER TABLE discovery_seen ALTER COLUMN discovery_key TYPE text COLLATE "C",
                           ALTER COLUMN run TYPE text COLLATE "C";
ALTER TABLE pending_refs ALTER COLUMN src_id TYPE text COLLATE "C",
                         ALTER COLUMN field TYPE text COLLATE "C",
                         ALTER COLUMN target_key TYPE text COLLATE "C";
ALTER TABLE secrets ALTER COLUMN entity_id TYPE text COLLATE "C";
ALTER TABLE discovery_tasks ALTER COLUMN connection_id TYPE text COLLATE "C";
