-- Fair queuing of import chunks across organisations (docs/decisions.md): a chunked job's chunks
-- carry the tags fair_base, fair_base + 1, …, in a virtual time that advances as chunks are
-- done; the queue serves lower tags first. An organisation's next job starts after its own
-- queued chunks, and never before the chunks now being served.
alter table import_jobs add column fair_base integer;
