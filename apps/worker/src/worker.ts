import { importRecordSchemas } from "@insights/contracts/records";
import { openConfiguredStore, type Store } from "@insights/store";
import type { Logger } from "pino";
import type { WorkerConfig } from "./config.js";

export type Worker = { store: Store; recordKinds: string[]; stop(): Promise<void> };

/**
 * Connects to the store the BFF uses (running its migrations if it is first) and knows the
 * record schemas it will import, from the contracts. Import jobs arrive in a later issue.
 */
export async function startWorker(config: WorkerConfig, logger: Logger): Promise<Worker> {
  const store = await openConfiguredStore({
    databaseUrl: config.database.url,
    dataDir: config.dataDir,
    poolMax: config.database.poolMax,
    statementTimeoutMs: config.database.statementTimeoutMs,
    onPoolError: (error) => logger.warn({ err: { message: error.message } }, "idle database connection failed"),
  });
  await store.ping();
  const recordKinds = Object.keys(importRecordSchemas);
  logger.info({ store: store.kind, recordKinds }, "worker ready");
  return {
    store,
    recordKinds,
    stop: async () => {
      await store.close();
      logger.info("worker stopped");
    },
  };
}
