-- The owner's ACL row is no longer stored: the entity's `owner_kind`/`owner_id` columns are it
-- (access checks read them first already; `acls` in crates/maestro-store/src/lib.rs builds the
-- owner's row from them). Every entity wrote one such row with two index entries, a tenth of a
-- first discovery sync on PostgreSQL. Grants stay in `acl`.
DELETE FROM acl WHERE owner = TRUE;
