-- History documents as `json` (their text, checked) rather than `jsonb` (parsed into a binary
-- tree with sorted keys). Nothing queries inside them: they are written once and read back
-- whole, so the parse bought nothing, and it was a twentieth of a first discovery sync on
-- PostgreSQL (every created entity writes its whole document into its history entry). This
-- rewrites the history table once, at the upgrade.
ALTER TABLE changes
    ALTER COLUMN changes TYPE json USING changes::json,
    ALTER COLUMN context TYPE json USING context::json;
