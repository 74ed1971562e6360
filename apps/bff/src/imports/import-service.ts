import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ImportDataset } from "@insights/contracts/records";
import { executeJob, openImportQueue, resumeUnfinishedJobs, stageChunkedImport, stageImport, stagingDir, type ImportFormat, type ImportQueue } from "@insights/imports";
import type { ImportJob, Store } from "@insights/store";
import type { Logger } from "pino";

/** Rows per transaction when the BFF imports in-process: short, so requests sharing the embedded store wait little. */
const IN_PROCESS_BATCH_SIZE = 200;

export type ImportService = {
  /** Stages the body durably and starts the job (queued); resolves once it is staged. */
  start(input: { orgId: string; dataset: ImportDataset; format: ImportFormat; body: Readable }): Promise<ImportJob>;
  /** Embedded store: resumes the jobs a previous process left unfinished. */
  resume(): Promise<void>;
  /** Stops taking jobs; one running is left to be interrupted (and resumed at the next start). */
  close(): Promise<void>;
};

export type ImportServiceOptions = {
  store: Store;
  logger: Logger;
  dataDir: string;
  /** With PostgreSQL, chunks go to the pg-boss queue in this schema for `npm run worker` processes. */
  queue: { connectionString: string; schema: string; chunkExpireSeconds: number } | undefined;
};

/**
 * Imports through the BFF. On the embedded store the BFF runs each job itself, one at a time,
 * from a file staged under DATA_DIR (so a restart resumes it). On PostgreSQL the body is staged
 * in the database in chunks and queued for the workers.
 */
export function createImportService(options: ImportServiceOptions): ImportService {
  const deps = { store: options.store, logger: options.logger };
  let running: Promise<unknown> = Promise.resolve();
  let stopping = false;
  const runInBackground = (work: () => Promise<unknown>) => {
    running = running
      .then(() => (stopping ? undefined : work()))
      .catch((error: unknown) => {
        // Closing the store under a running job interrupts it; its checkpoint lets the next start resume it.
        if (stopping) options.logger.info("import interrupted by shutdown; it resumes at the next start");
        else options.logger.error({ err: error }, "import failed");
      });
  };
  let queue: Promise<ImportQueue> | undefined;

  return {
    async start(input) {
      if (!options.queue) {
        const job = await stageImport(options.store, options.dataDir, input);
        runInBackground(() => executeJob(deps, job, { batchSize: IN_PROCESS_BATCH_SIZE }));
        return job;
      }
      const queueOptions = options.queue;
      const dir = stagingDir(options.dataDir);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = join(dir, `upload-${randomUUID()}`);
      try {
        await pipeline(input.body, createWriteStream(file, { mode: 0o600 }));
        const staged = await stageChunkedImport(deps, { orgId: input.orgId, dataset: input.dataset, format: input.format, file });
        if (staged.job.state !== "failed") {
          queue ??= openImportQueue({ ...queueOptions, logger: options.logger });
          await (await queue).enqueue(staged.job.id, Array.from({ length: staged.chunks }, (_, i) => i));
        }
        return staged.job;
      } finally {
        await rm(file, { force: true });
      }
    },
    async resume() {
      if (options.queue) return;
      runInBackground(() => resumeUnfinishedJobs(deps, { batchSize: IN_PROCESS_BATCH_SIZE }));
      await running;
    },
    async close() {
      stopping = true;
      if (queue) await (await queue).stop();
    },
  };
}
