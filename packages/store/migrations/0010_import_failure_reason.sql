-- Why a failed import failed, for a program to act on (the contract's ImportFailureReason);
-- `error` keeps the detail for a person. Jobs that failed before this column are 'unclassified'.
alter table import_jobs add column failure_reason text check (failure_reason ~ '^[a-z_]{1,40}$');
update import_jobs set failure_reason = 'unclassified' where state = 'failed';
