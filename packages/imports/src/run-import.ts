import { stat } from "node:fs/promises";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { ImportDataset } from "@insights/contracts/records";
import type { ImportBatch, ImportFailure, ImportReject, ImportRow, ImportRowCounts, ImportRowsOf, Store } from "@insights/store";
import type { Logger } from "pino";
import { ImportFormatError } from "./import-format-error.js";
import { DEFAULT_IMPORT_LIMITS, type ImportLimits, type ReadPosition } from "./line-reader.js";
import { readRecords, type ImportFormat, type RawRecord } from "./record-reader.js";
import { validateRecord } from "./validate-record.js";

export const DEFAULT_BATCH_SIZE = 1000;

/**
 * A sliced run writes a batch once the store has been free this long (or after a slice's time
 * at most): longer than the gap between two queries of one request, so none waits for a batch
 * between its queries.
 */
const QUIET_BEFORE_SLICE_MS = 2;

/** A sliced run's first batch, before it has measured what a record costs. */
const FIRST_SLICE_RECORDS = 10;

/** What a run needs to know of its job (a dry run's job is never recorded). */
export type JobToRun = {
  id: string;
  orgId: string;
  dataset: ImportDataset;
  format: ImportFormat;
  /** The staged file. */
  source: string;
  /** Lines already committed by an earlier (interrupted) run, and what they counted. */
  checkpointLine: number;
  rows: ImportRowCounts;
};

export type ImportProgress = { rows: ImportRowCounts; position: ReadPosition; startedAt: number };

/** `failure` is set when the job failed. */
export type ImportOutcome = { state: "succeeded" | "failed"; failure: ImportFailure | null; rows: ImportRowCounts; seconds: number };

export type RunOptions = {
  /** Records per batch (one transaction); with `sliceMs`, the most a batch may have. */
  batchSize?: number;
  /**
   * Run beside requests on the same thread and store (the BFF on the embedded store): each batch
   * is sized to take about this long to write, measured as it goes, and the run yields to the
   * event loop between batches, so a request waits at most about one slice.
   */
  sliceMs?: number;
  dryRun?: boolean;
  onProgress?: (progress: ImportProgress) => void;
  /** Waits for this run's turn to write a batch (createJobScheduler); call what it gives when written. */
  turn?: BatchTurn;
};

export type BatchTurn = () => Promise<() => void>;

/** `limits`: IMPORT_MAX_RECORD_BYTES and the other bounds of an import (DEFAULT_IMPORT_LIMITS when absent). */
export type ImportDeps = { store: Store; logger: Logger; limits?: ImportLimits };

/** The bounds an import applies: the deps' own, else the defaults. */
export const importLimitsOf = (deps: ImportDeps): ImportLimits => deps.limits ?? DEFAULT_IMPORT_LIMITS;

/** Where a run of records goes: its job, the lines already committed, and (chunked) its chunk. */
export type RecordsTarget<D extends ImportDataset = ImportDataset> = { job: { id: string; orgId: string; dataset: D }; skipThrough: number; chunk?: number };

/**
 * While a batch is in the database, the next one is read and validated (PostgreSQL, unsliced):
 * the loop lets the batch's replies in this often, in records.
 */
const RECORDS_BETWEEN_YIELDS = 100;

/**
 * An overlapped run's first batch: small, so the database starts soon (nothing overlaps the
 * reading of the first batch of a chunk); the next ones double up to the batch size.
 */
const FIRST_OVERLAPPED_RECORDS = 100;

/**
 * Validates records with the dataset's contract schema and applies them in batches, each in one
 * transaction with its rejects and the checkpoint. Records the checkpoint covers are skipped.
 * Returns what this run counted.
 *
 * On PostgreSQL (unsliced) the next batches are read, validated and prepared (applyImportBatch's
 * `after`) while the last one is in the database: one batch at a time in the database, each
 * transaction starting only once the one before has committed and been counted (so a failure,
 * or the reject bound, stops the run before the next batch is written, as without the
 * overlap), and batches commit in file order.
 */
export async function importRecords<D extends ImportDataset>(
  deps: ImportDeps,
  target: RecordsTarget<D>,
  records: AsyncIterable<RawRecord>,
  options: { batchSize: number; dryRun: boolean; onBatch?: (counted: ImportRowCounts) => void; rejectedBefore?: number; turn?: BatchTurn | undefined; sliceMs?: number | undefined },
): Promise<ImportRowCounts> {
  const { job } = target;
  const { sliceMs } = options;
  // PGlite runs on this thread: nothing to overlap there, and a sliced run sizes each batch from the last.
  const overlap = sliceMs === undefined && deps.store.kind === "postgres";
  // Sliced, the first batch is small; the next ones follow the time a record took to write.
  // Overlapped, it is small too, and the next ones double up to the batch size.
  let batchSize = sliceMs !== undefined ? Math.min(options.batchSize, FIRST_SLICE_RECORDS) : overlap ? Math.min(options.batchSize, FIRST_OVERLAPPED_RECORDS) : options.batchSize;
  const { maxRejects } = importLimitsOf(deps);
  const rows: ImportRowCounts = { read: 0, imported: 0, unchanged: 0, rejected: 0 };
  let valid: ImportRow<D>[] = [];
  let rejects: ImportReject[] = [];
  let read = 0;
  let lastLine = target.skipThrough;
  /** Writes a batch (once `after`, the batch before it, has been written) and counts it. */
  const apply = async (batch: ImportBatch<D>, after?: Promise<void>) => {
    // Sliced (beside requests): a request between two of its queries goes first.
    if (sliceMs !== undefined) await deps.store.whenQuiet(QUIET_BEFORE_SLICE_MS, sliceMs);
    const done = await options.turn?.();
    const startedAt = performance.now();
    let result: Awaited<ReturnType<Store["applyImportBatch"]>>;
    try {
      result = await deps.store.applyImportBatch(job, batch, { dryRun: options.dryRun, after, ...(target.chunk === undefined ? {} : { chunk: target.chunk }) });
    } finally {
      done?.();
    }
    if (sliceMs !== undefined) {
      const perRecord = (performance.now() - startedAt) / Math.max(batch.read, 1);
      // At most twice the last: a cheap batch (rejects, unchanged rows) says little of the next.
      batchSize = Math.max(1, Math.min(options.batchSize, 2 * Math.max(batch.read, 1), Math.floor(sliceMs / Math.max(perRecord, 0.001))));
      // Requests that arrived during the write are served before the next batch is read.
      await yieldToEventLoop();
    }
    if (!result.applied) return;
    rows.read += batch.read;
    rows.imported += result.imported;
    rows.unchanged += result.unchanged;
    rows.rejected += result.rejected;
    deps.logger.debug({ job: job.id, chunk: target.chunk, checkpointLine: batch.lastLine }, "import batch committed");
    options.onBatch?.(rows);
    // A file that is mostly rejects stops here: the rows stored so far stay (importing the
    // corrected file again leaves them unchanged), the store is not filled with rejects.
    if ((options.rejectedBefore ?? 0) + rows.rejected > maxRejects) {
      throw new ImportFormatError(`more than ${maxRejects} rows rejected (IMPORT_MAX_REJECTS): correct the file and import it again`, "too_many_rejects");
    }
  };
  /**
   * Overlapped: the batches handed to the store and not yet counted, in file order — at most
   * one in the database and the next, prepared, waiting for it (applyImportBatch's `after`).
   */
  const pending: Promise<void>[] = [];
  const settle = async () => {
    // The first failure in file order is the run's (the batches after it were never written).
    for (let next = pending.shift(); next; next = pending.shift()) await next;
  };
  const flush = async () => {
    // The rows are the job's dataset's contract records: what the store takes as that dataset's rows.
    const rows: ImportRowsOf<D> = { dataset: job.dataset, rows: valid };
    const batch: ImportBatch<D> = { ...rows, lastLine, read, rejects };
    valid = [];
    rejects = [];
    read = 0;
    if (!overlap) return apply(batch);
    batchSize = Math.min(options.batchSize, 2 * batchSize);
    // The oldest is written and counted before a third batch is handed over.
    if (pending.length >= 2) await pending.shift();
    const written = apply(batch, pending.at(-1));
    // Awaited in turn (settle, or the next flush); until then a failure is not unhandled.
    written.catch(() => undefined);
    pending.push(written);
  };
  let sinceYield = 0;
  try {
    for await (const record of records) {
      if (record.line <= target.skipThrough) continue;
      read++;
      lastLine = record.line;
      if ("reject" in record) rejects.push(record.reject);
      else {
        const checked = validateRecord(job.dataset, record.line, record.fields);
        if (checked.ok) valid.push(checked.row);
        else rejects.push(...checked.rejects);
      }
      if (read >= batchSize) await flush();
      else if (pending.length > 0 && ++sinceYield >= RECORDS_BETWEEN_YIELDS) {
        // The batch in the database gets its replies (and its next statement) now, not after this one is read.
        sinceYield = 0;
        await yieldToEventLoop();
      }
    }
    if (read > 0) await flush();
    await settle();
  } catch (error) {
    // The batch in flight ends first, as it would have before the reading went on: its own
    // failure, if any, is the run's.
    await settle();
    throw error;
  }
  return rows;
}

/**
 * Runs (or resumes) a file-staged import job: streams the file, validates every record with the
 * contract schema, and applies batches of rows, each in one transaction with its rejects and the
 * job's checkpoint. Lines the checkpoint covers are skipped, so a run after a crash ends where an
 * uninterrupted one would. A file that is not the declared format fails the job.
 */
export async function runImport(deps: ImportDeps, job: JobToRun, options: RunOptions = {}): Promise<ImportOutcome> {
  const dryRun = options.dryRun ?? false;
  const startedAt = Date.now();
  const position: ReadPosition = { bytesRead: 0, totalBytes: 0 };
  const log = deps.logger.child({ job: job.id, dataset: job.dataset, org: job.orgId });
  if (!dryRun) await deps.store.markImportJobRunning(job.id, { newRun: true });
  log.info({ resumeAfterLine: job.checkpointLine, dryRun }, "import running");
  const total = (counted: ImportRowCounts): ImportRowCounts => ({
    read: job.rows.read + counted.read,
    imported: job.rows.imported + counted.imported,
    unchanged: job.rows.unchanged + counted.unchanged,
    rejected: job.rows.rejected + counted.rejected,
  });
  let rows = total({ read: 0, imported: 0, unchanged: 0, rejected: 0 });
  try {
    const staged = await stat(job.source).catch((error: NodeJS.ErrnoException) => {
      // A job whose staged file was removed can never run: fail it rather than retry it at every start.
      if (error.code === "ENOENT") throw new ImportFormatError("the staged file of this import is gone; import the file again", "staged_file_gone");
      throw error;
    });
    position.totalBytes = staged.size;
    const counted = await importRecords(deps, { job, skipThrough: job.checkpointLine }, readRecords(job.source, job.dataset, job.format, position, importLimitsOf(deps)), {
      batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
      dryRun,
      rejectedBefore: job.rows.rejected,
      turn: options.turn,
      sliceMs: options.sliceMs,
      onBatch: (counted) => {
        rows = total(counted);
        options.onProgress?.({ rows, position, startedAt });
      },
    });
    rows = total(counted);
  } catch (error) {
    if (!(error instanceof ImportFormatError)) throw error;
    log.warn({ reason: error.reason, detail: error.message }, "import failed: the file cannot be imported");
    if (!dryRun) await deps.store.finishImportJob(job.id, { state: "failed", failure: error.failure });
    return { state: "failed", failure: error.failure, rows, seconds: (Date.now() - startedAt) / 1000 };
  }
  if (!dryRun) await deps.store.finishImportJob(job.id, { state: "succeeded" });
  const seconds = (Date.now() - startedAt) / 1000;
  log.info({ rows, seconds }, "import succeeded");
  return { state: "succeeded", failure: null, rows, seconds };
}
