import type { Readable } from "node:stream";
import type { ImportDataset } from "@insights/contracts/records";
import type { ImportJob } from "@insights/store";
import { stageChunkedImport } from "./chunked-import.js";
import type { ImportFormat } from "./record-reader.js";
import type { ImportDeps } from "./run-import.js";
import { fileBody, stageImport, withUploadFile } from "./staging.js";

/** An import to start: its file (a local one, or an upload's body, read once) and where it goes. */
export type ImportToStart = {
  orgId: string;
  dataset: ImportDataset;
  format: ImportFormat;
  source: { file: string } | { body: Readable };
  /** IMPORT_MAX_ACTIVE_JOBS_PER_ORG, checked as the job is recorded (unset: no bound). */
  maxActive?: number | undefined;
};

/**
 * Where imports run: with `enqueue` (PostgreSQL), on the workers of the queue it hands chunks to;
 * without (the embedded store), in the process that staged them.
 */
export type ImportPlace = {
  dataDir: string;
  enqueue: ((job: ImportJob, chunks: number[]) => Promise<void>) | undefined;
  /** Records per queued chunk (DEFAULT_CHUNK_RECORDS when unset). */
  chunkRecords?: number | undefined;
};

export type StartedImport =
  /** Staged in the database in chunks with its job, and queued for the workers (a file not of its declared format: a failed job, nothing queued). */
  | { runs: "queued"; job: ImportJob; chunks: number; records: number }
  /** Staged under DATA_DIR with its job (queued), for this process to run (createJobScheduler, executeJob). */
  | { runs: "here"; job: ImportJob };

/**
 * Whether an import is staged in the database and queued, or staged as a file and run here: the
 * one decision of the BFF's admin API and `npm run import`. On PostgreSQL (`enqueue`) the file's
 * records are staged in the database, cut into chunks, in one transaction with the job, and the
 * chunks queued (an upload is first written to a file under DATA_DIR, removed once staged); on
 * the embedded store the file is copied under DATA_DIR with its job, which the caller then runs.
 */
export async function startImport(deps: ImportDeps, place: ImportPlace, input: ImportToStart): Promise<StartedImport> {
  const { orgId, dataset, format, source, maxActive } = input;
  const { enqueue } = place;
  if (!enqueue) {
    const body = "body" in source ? source.body : fileBody(source.file);
    return { runs: "here", job: await stageImport(deps.store, place.dataDir, { orgId, dataset, format, body, maxActive }) };
  }
  const queued = async (file: string): Promise<StartedImport> => {
    const staged = await stageChunkedImport(deps, { orgId, dataset, format, file, maxActive }, place.chunkRecords ? { chunkRecords: place.chunkRecords } : {});
    if (staged.job.state !== "failed") await enqueue(staged.job, Array.from({ length: staged.chunks }, (_, i) => i));
    return { runs: "queued", ...staged };
  };
  return "body" in source ? withUploadFile(place.dataDir, source.body, queued) : queued(source.file);
}
