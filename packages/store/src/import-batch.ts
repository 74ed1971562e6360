import type { ImportDataset } from "@insights/contracts/records";
import { sql, type Kysely, type Transaction } from "kysely";
import type { IdentifierHasher } from "./identifier-hasher.js";
import { applyCategoryAssignmentRows } from "./import-category-assignments.js";
import type { BatchOutcome, ImportContext, ImportRow } from "./import-context.js";
import { applyCustomerRows, OptimisticConflict, prepareCustomerRows, type PreparedCustomerRows } from "./import-customers.js";
import type { ImportReject } from "./import-jobs.js";
import { applyProfileAttributeRows } from "./import-profile-attributes.js";
import { applyScoreRows } from "./import-scores.js";
import type { Database } from "./schema.js";

/**
 * Valid rows of one dataset, each with its line in the file. A caller generic in the dataset D
 * builds `{ dataset, rows }` of D without a cast, and rows of another dataset do not compile.
 */
export type ImportRowsOf<D extends ImportDataset> = { [K in D]: { dataset: K; rows: ImportRow<K>[] } }[D];

/** Consecutive lines of a file: the rows that passed the schema and the rejects of those that did not. */
export type ImportBatch<D extends ImportDataset = ImportDataset> = ImportRowsOf<D> & {
  /** The last line this batch covers (its checkpoint once committed). */
  lastLine: number;
  /** Records read in these lines (valid and rejected). */
  read: number;
  rejects: ImportReject[];
};

export type ImportBatchResult = {
  /** False when the job's checkpoint already covered the batch (it was applied before a crash). */
  applied: boolean;
  imported: number;
  unchanged: number;
  rejected: number;
};

class DryRun extends Error {
  constructor(readonly result: ImportBatchResult) {
    super("dry run");
  }
}

/** What each dataset's rows become before their transaction: customers, see prepareCustomerRows; the others, as they are. */
type PreparedRows = {
  customers: PreparedCustomerRows;
  scores: ImportRow<"scores">[];
  "profile-attributes": ImportRow<"profile-attributes">[];
  "category-assignments": ImportRow<"category-assignments">[];
};

/** How a dataset's rows are applied: what is worked out before the transaction, and what is done in it. */
type DatasetRows<D extends ImportDataset> = {
  prepare(hasher: IdentifierHasher, rows: ImportRow<D>[]): PreparedRows[D];
  apply(tx: Transaction<Database>, ctx: ImportContext, prepared: PreparedRows[D], optimistic: boolean): Promise<BatchOutcome>;
};

const datasetRows: { [D in ImportDataset]: DatasetRows<D> } = {
  customers: {
    prepare: (hasher, rows) => prepareCustomerRows({ hasher }, rows),
    apply: (tx, ctx, prepared, optimistic) => applyCustomerRows(tx, ctx, prepared, { optimistic }),
  },
  scores: { prepare: (_hasher, rows) => rows, apply: (tx, ctx, rows) => applyScoreRows(tx, ctx, rows) },
  "profile-attributes": { prepare: (_hasher, rows) => rows, apply: (tx, ctx, rows) => applyProfileAttributeRows(tx, ctx, rows) },
  "category-assignments": { prepare: (_hasher, rows) => rows, apply: (tx, ctx, rows) => applyCategoryAssignmentRows(tx, ctx, rows) },
};

/**
 * Applies a batch of one job in one transaction with its rejects, its counts and the job's
 * checkpoint: after a crash either all of it is committed or none. A batch the checkpoint
 * already covers is skipped. With `dryRun` (no job row needed) the outcome is worked out and rolled back.
 *
 * With `asynchronousCommit` (PostgreSQL) the commit does not wait for its WAL to reach the disk
 * (`synchronous_commit = off` for this transaction only): a crash of the server may lose the
 * last batches committed — each whole, with its checkpoint — and the import then resumes before
 * them, as after any crash. Whatever ends a job or a chunk commits synchronously, which makes
 * every batch before it durable. Not on PGlite: the server is the importing process, so killing
 * that process is a crash of the server, and with no WAL writer of its own the batches it had
 * not written (measured: three of 1,000 rows, the store back at checkpoint 0) would be lost —
 * and a later import (category assignments naming those customers) would run against a store
 * that has gone back in time.
 *
 * A batch of new customers is first applied optimistically (see applyCustomerRows): if a write
 * finds what its look-ups skipped, the transaction is rolled back and the batch applied again,
 * looking everything up.
 *
 * What needs no query (the identifiers' keyed hashes, the arrays of a batch of new customers) is
 * worked out first, as soon as this is called. With `after` (the batch before, still in the
 * database) the transaction starts once that has settled, and not at all if it failed (its
 * error is this one's): a caller can hand over the next batch early, and its preparation
 * overlaps the database's work on the last instead of holding the transaction open.
 */
export async function applyImportBatch<D extends ImportDataset>(
  db: Kysely<Database>,
  hasher: IdentifierHasher,
  job: { id: string; orgId: string },
  batch: ImportBatch<D>,
  options: { dryRun?: boolean; chunk?: number; after?: Promise<unknown> | undefined; asynchronousCommit?: boolean } = {},
): Promise<ImportBatchResult> {
  const dataset: DatasetRows<D> = datasetRows[batch.dataset];
  const prepared = dataset.prepare(hasher, batch.rows);
  const applyRows = (tx: Transaction<Database>, ctx: ImportContext, optimistic: boolean) => dataset.apply(tx, ctx, prepared, optimistic);
  if (options.after) await options.after;
  try {
    return await applyInTransaction(db, hasher, job, batch, applyRows, options, true);
  } catch (error) {
    if (error instanceof DryRun) return error.result;
    if (!(error instanceof OptimisticConflict)) throw error;
  }
  try {
    return await applyInTransaction(db, hasher, job, batch, applyRows, options, false);
  } catch (error) {
    if (error instanceof DryRun) return error.result;
    throw error;
  }
}

async function applyInTransaction(
  db: Kysely<Database>,
  hasher: IdentifierHasher,
  job: { id: string; orgId: string },
  batch: Omit<ImportBatch, "dataset" | "rows">,
  applyRows: (tx: Transaction<Database>, ctx: ImportContext, optimistic: boolean) => Promise<BatchOutcome>,
  options: { dryRun?: boolean; chunk?: number; asynchronousCommit?: boolean },
  optimistic: boolean,
): Promise<ImportBatchResult> {
  return db.transaction().execute(async (tx) => {
    if (!options.dryRun) {
      // The checkpoint is the job's, or (chunked imports) the chunk's: workers share a job. The
      // same round trip sets this transaction's commit mode (set_config(…, true): local).
      const commitMode = options.asynchronousCommit ? "off" : "on";
      const locked =
        options.chunk === undefined
          ? (
              await sql<{ checkpoint_line: string; org_id: string }>`
                select checkpoint_line, org_id, set_config('synchronous_commit', ${commitMode}, true) from import_jobs where id = ${job.id} for update
              `.execute(tx)
            ).rows[0]
          : (
              await sql<{ checkpoint_line: string; org_id: string }>`
                select k.checkpoint_line, j.org_id, set_config('synchronous_commit', ${commitMode}, true)
                from import_chunks k join import_jobs j on j.id = k.job_id
                where k.job_id = ${job.id} and k.seq = ${options.chunk}
                for update of k
              `.execute(tx)
            ).rows[0];
      if (!locked || locked.org_id !== job.orgId) throw new Error(`import job ${job.id} of organisation ${job.orgId} does not exist`);
      if (Number(locked.checkpoint_line) >= batch.lastLine) return { applied: false, imported: 0, unchanged: 0, rejected: 0 };
    }

    const outcome = await applyRows(tx, { jobId: job.id, orgId: job.orgId, hasher }, optimistic);
    const rejects = [...batch.rejects, ...outcome.rejects];
    const rejected = new Set(rejects.map((r) => r.line)).size;
    const result = { applied: true, imported: outcome.imported, unchanged: outcome.unchanged, rejected };
    // A dry run's job is not recorded: work everything out, then roll it back.
    if (options.dryRun) throw new DryRun(result);
    if (rejects.length > 0) {
      await tx
        .insertInto("import_rejects")
        .values(rejects.map((r) => ({ job_id: job.id, line: r.line, field: r.field, message: r.message })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    // The counts, and the checkpoint (the chunk's or the job's), in one statement.
    await sql`
      with chunk as (
        update import_chunks set checkpoint_line = ${batch.lastLine}
        where ${options.chunk !== undefined} and job_id = ${job.id} and seq = ${options.chunk ?? -1}
      )
      update import_jobs
      set checkpoint_line = case when ${options.chunk === undefined} then ${batch.lastLine}::bigint else checkpoint_line end,
          rows_read = rows_read + ${batch.read}, rows_imported = rows_imported + ${outcome.imported},
          rows_unchanged = rows_unchanged + ${outcome.unchanged}, rows_rejected = rows_rejected + ${rejected}, updated_at = now()
      where id = ${job.id}
    `.execute(tx);
    return result;
  });
}
