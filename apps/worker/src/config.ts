import { loadStoreSettings, type StoreSettings } from "@insights/config";

/**
 * The worker's (and `npm run import`'s) configuration: the variables every process shares, with
 * the BFF's defaults (DATA_DIR ./.data, so what the CLI imports is what `npm start` serves) and
 * its production checks.
 */
export type WorkerConfig = StoreSettings;

export function loadWorkerConfig(source: Record<string, string | undefined> = process.env): WorkerConfig {
  return loadStoreSettings(source);
}
