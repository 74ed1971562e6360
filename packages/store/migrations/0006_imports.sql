-- Bulk imports. A customer's natural key within its organisation is the organisation's own
-- reference (external_id); customers that existed before get their internal id as one.
alter table customers add column external_id text;
update customers set external_id = id::text where external_id is null;
create unique index customers_org_external_id_idx on customers (org_id, external_id);

-- One import of one file into one organisation. checkpoint_line and the row counts are
-- updated in the same transaction as the rows they cover, so a worker killed at any point
-- resumes after the last committed batch and nothing is counted or applied twice.
create table import_jobs (
  id uuid primary key,
  org_id text not null references organisations (id),
  dataset text not null check (dataset in ('customers', 'scores', 'profile-attributes', 'category-assignments')),
  format text not null check (format in ('ndjson', 'csv')),
  -- 'file': staged as a file under DATA_DIR (`source`), run by one process (embedded store).
  -- 'chunks': staged in import_chunks in this database, each chunk a job on the pg-boss queue,
  -- shared by any number of workers (PostgreSQL).
  staged_in text not null default 'file' check (staged_in in ('file', 'chunks')),
  source text not null,
  -- The CSV header of a chunked import (its chunks hold data records only).
  header text,
  chunks integer not null default 0,
  state text not null default 'queued' check (state in ('queued', 'running', 'succeeded', 'failed')),
  error text,
  checkpoint_line bigint not null default 0,
  rows_read bigint not null default 0,
  rows_imported bigint not null default 0,
  rows_unchanged bigint not null default 0,
  rows_rejected bigint not null default 0,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null default now()
);
create index import_jobs_unfinished_idx on import_jobs (created_at) where state in ('queued', 'running');

-- Rejected rows: the line, the field and why; never the value (cards and documents are personal).
create table import_rejects (
  job_id uuid not null references import_jobs (id) on delete cascade,
  line bigint not null,
  field text not null,
  message text not null,
  primary key (job_id, line, field)
);

-- A chunked import's records, staged durably before the job is acknowledged. Each chunk keeps
-- its own checkpoint, updated in the same transaction as the rows it covers.
create table import_chunks (
  job_id uuid not null references import_jobs (id) on delete cascade,
  seq integer not null,
  first_line bigint not null,
  body text not null,
  checkpoint_line bigint not null default 0,
  done boolean not null default false,
  primary key (job_id, seq)
);
