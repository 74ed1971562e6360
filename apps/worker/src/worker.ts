import { importDatasets } from "@insights/contracts/records";
import { createJobScheduler, failImportForChunk, openImportQueue, resumeUnfinishedJobs, runImportChunk, sweepStagedFiles, type ImportQueue } from "@insights/imports";
import type { Store } from "@insights/store";
import type { Logger } from "pino";
import type { WorkerConfig } from "./config.js";
import { openWorkerRuntime } from "./runtime.js";

export type Worker = {
  store: Store;
  datasets: readonly string[];
  /** Resolves when the file-staged jobs found unfinished at start have run. */
  resumed: Promise<number>;
  stop(): Promise<void>;
};

/**
 * Connects to the store the BFF uses (running its migrations if it is first) and resumes every
 * file-staged import that was queued or interrupted (a crashed run goes on from its checkpoint).
 * With DATABASE_URL it also takes chunks of imports from the pg-boss queue, alongside any number
 * of other workers.
 */
export async function startWorker(config: WorkerConfig, logger: Logger): Promise<Worker> {
  const runtime = await openWorkerRuntime(config, logger);
  const deps = { store: runtime.store, logger, limits: config.importLimits };
  let queue: ImportQueue | undefined;
  try {
    await runtime.store.ping();
    if (config.database.url) {
      queue = await openImportQueue({ connectionString: config.database.url, schema: config.importQueue.schema, chunkExpireSeconds: config.importQueue.chunkExpireSeconds, logger });
      await queue.work(async ({ jobId, seq }, { lastAttempt }) => {
        try {
          await runImportChunk(deps, jobId, seq);
        } catch (error) {
          logger.warn({ err: error, job: jobId, chunk: seq, lastAttempt }, "import chunk failed");
          if (lastAttempt) await failImportForChunk(deps, jobId, seq);
          throw error;
        }
      }, { chunksAtOnce: config.importQueue.chunksPerWorker });
    }
  } catch (error) {
    await runtime.close();
    throw error;
  }
  logger.info({ store: runtime.store.kind, queue: queue ? config.importQueue.schema : null, chunksAtOnce: queue ? config.importQueue.chunksPerWorker : null, datasets: importDatasets }, "worker ready");
  let stopping = false;
  const resumed = (async () => {
    const swept = await sweepStagedFiles(runtime.store, config.dataDir);
    if (swept.length > 0) logger.info({ files: swept.length }, "removed staged import files left by a crash");
    const interrupted = () => stopping;
    return resumeUnfinishedJobs(deps, createJobScheduler(deps, { interrupted }), { interrupted });
  })();
  return {
    store: runtime.store,
    datasets: importDatasets,
    resumed,
    stop: async () => {
      stopping = true;
      await queue?.stop();
      await resumed.catch(() => undefined);
      await runtime.close();
      logger.info("worker stopped");
    },
  };
}
