import { parseEnvironment, sharedEnvShape, storeSettings, type StoreSettings } from "@insights/config";
import { z } from "zod";

/**
 * The worker's one reader of the environment: the variables it shares with the BFF, with the
 * BFF's defaults (DATA_DIR ./.data, so what the CLI imports is what `npm start` serves).
 */
const EnvSchema = z.object({ ...sharedEnvShape });

export type WorkerConfig = StoreSettings;

export function loadWorkerConfig(source: Record<string, string | undefined> = process.env): WorkerConfig {
  return storeSettings(parseEnvironment(EnvSchema, source));
}
