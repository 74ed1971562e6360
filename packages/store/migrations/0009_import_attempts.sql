-- How many runs of a file-staged import have started. A run that a crash interrupts is resumed
-- at the next start; after more than IMPORT_MAX_ATTEMPTS interrupted runs the job fails instead
-- of taking its process down again at every start.
alter table import_jobs add column attempts integer not null default 0;
