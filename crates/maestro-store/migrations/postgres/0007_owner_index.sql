-- Counting what a caller reads (the dashboard's totals, list totals without a filter) from one
-- index: the owner answers most rows and the id the ACL check of the others, without reading
-- the documents.
CREATE INDEX ix_entities_kind_owner ON entities (kind, active, owner_id, id);
