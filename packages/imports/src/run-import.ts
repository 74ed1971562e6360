import { stat } from "node:fs/promises";
import type { ImportDataset } from "@insights/contracts/records";
import { applyImportBatch, finishImportJob, markImportJobRunning, type IdentifierHasher, type ImportBatch, type ImportReject, type ImportRowCounts, type ImportRows, type Store } from "@insights/store";
import type { Logger } from "pino";
import { ImportFormatError } from "./import-format-error.js";
import type { ReadPosition } from "./line-reader.js";
import { readRecords, type ImportFormat } from "./record-reader.js";
import { validateRecord } from "./validate-record.js";

export const DEFAULT_BATCH_SIZE = 1000;

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

export type ImportOutcome = { state: "succeeded" | "failed"; error: string | null; rows: ImportRowCounts; seconds: number };

export type RunOptions = {
  batchSize?: number;
  dryRun?: boolean;
  onProgress?: (progress: ImportProgress) => void;
};

export type ImportDeps = { store: Store; hasher: IdentifierHasher; logger: Logger };

/**
 * Runs (or resumes) an import job: streams the staged file, validates every record with the
 * contract schema, and applies batches of rows, each in one transaction with its rejects and the
 * job's checkpoint. Lines the checkpoint covers are skipped, so a run after a crash ends where an
 * uninterrupted one would. A file that is not the declared format fails the job.
 */
export async function runImport(deps: ImportDeps, job: JobToRun, options: RunOptions = {}): Promise<ImportOutcome> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const dryRun = options.dryRun ?? false;
  const startedAt = Date.now();
  const rows: ImportRowCounts = { ...job.rows };
  const position: ReadPosition = { bytesRead: 0, totalBytes: 0 };
  const log = deps.logger.child({ job: job.id, dataset: job.dataset, org: job.orgId });
  if (!dryRun) await markImportJobRunning(deps.store.db, job.id);
  log.info({ resumeAfterLine: job.checkpointLine, dryRun }, "import running");

  let valid: Record<string, unknown>[] = [];
  let rejects: ImportReject[] = [];
  let read = 0;
  let lastLine = job.checkpointLine;
  const flush = async (upTo: number) => {
    const batch = { dataset: job.dataset, rows: valid, lastLine: upTo, read, rejects } as ImportBatch & ImportRows;
    valid = [];
    rejects = [];
    read = 0;
    const result = await applyImportBatch(deps.store.db, deps.hasher, job, batch, { dryRun });
    if (!result.applied) return;
    rows.read += batch.read;
    rows.imported += result.imported;
    rows.unchanged += result.unchanged;
    rows.rejected += result.rejected;
    log.debug({ checkpointLine: upTo, rows }, "import batch committed");
    options.onProgress?.({ rows: { ...rows }, position, startedAt });
  };

  try {
    position.totalBytes = (await stat(job.source)).size;
    for await (const record of readRecords(job.source, job.dataset, job.format, position)) {
      if (record.line <= job.checkpointLine) continue;
      read++;
      lastLine = record.line;
      if ("reject" in record) rejects.push(record.reject);
      else {
        const checked = validateRecord(job.dataset, record.line, record.fields);
        if (checked.ok) valid.push(checked.row);
        else rejects.push(...checked.rejects);
      }
      if (read >= batchSize) await flush(lastLine);
    }
    if (read > 0) await flush(lastLine);
  } catch (error) {
    if (!(error instanceof ImportFormatError)) throw error;
    log.warn({ reason: error.message }, "import failed: the file is not the declared format");
    if (!dryRun) await finishImportJob(deps.store.db, job.id, { state: "failed", error: error.message });
    return { state: "failed", error: error.message, rows, seconds: (Date.now() - startedAt) / 1000 };
  }
  if (!dryRun) await finishImportJob(deps.store.db, job.id, { state: "succeeded" });
  const seconds = (Date.now() - startedAt) / 1000;
  log.info({ rows, seconds }, "import succeeded");
  return { state: "succeeded", error: null, rows, seconds };
}
