import { importDatasets } from "@insights/contracts/records";
import type { IdentifierHasher, Store } from "@insights/store";
import type { Logger } from "pino";
import type { WorkerConfig } from "./config.js";
import { resumeUnfinishedJobs } from "@insights/imports";
import { openWorkerRuntime } from "./runtime.js";

export type Worker = {
  store: Store;
  hasher: IdentifierHasher;
  datasets: readonly string[];
  /** Resolves when the jobs found unfinished at start have run. */
  resumed: Promise<number>;
  stop(): Promise<void>;
};

/**
 * Connects to the store the BFF uses (running its migrations if it is first) and resumes every
 * import that was queued or interrupted (a crashed worker's job goes on from its checkpoint).
 */
export async function startWorker(config: WorkerConfig, logger: Logger): Promise<Worker> {
  const runtime = await openWorkerRuntime(config, logger);
  await runtime.store.ping();
  logger.info({ store: runtime.store.kind, datasets: importDatasets }, "worker ready");
  const resumed = resumeUnfinishedJobs({ store: runtime.store, hasher: runtime.hasher, logger });
  return {
    store: runtime.store,
    hasher: runtime.hasher,
    datasets: importDatasets,
    resumed,
    stop: async () => {
      await resumed.catch(() => undefined);
      await runtime.close();
      logger.info("worker stopped");
    },
  };
}
