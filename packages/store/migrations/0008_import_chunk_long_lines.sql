-- The lines of a chunk that were longer than the record limit (IMPORT_MAX_RECORD_BYTES) when it
-- was staged: their bytes were dropped, never held, and the chunk's body has an empty line in
-- their place. Reading the chunk rejects each of them as "line too long".
alter table import_chunks add column long_lines bigint[] not null default '{}';
