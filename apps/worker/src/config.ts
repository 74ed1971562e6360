import { parseEnvironment, sharedEnvShape, storeSettings, type StoreSettings } from "@insights/config";
import { z } from "zod";

/**
 * The worker's one reader of the environment: the variables it shares with the BFF, with the
 * BFF's defaults (DATA_DIR ./.data, so what the CLI imports is what `npm start` serves), and the
 * import queue's schema.
 */
const EnvSchema = z.object({
  ...sharedEnvShape,
  IMPORT_QUEUE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,49}$/, "must be a PostgreSQL schema name (lower case, digits, _)")
    .default("pgboss"),
});

/** With DATABASE_URL, imports are chunks on a pg-boss queue kept in this schema of the same database. */
export type WorkerConfig = StoreSettings & { importQueueSchema: string };

export function loadWorkerConfig(source: Record<string, string | undefined> = process.env): WorkerConfig {
  const env = parseEnvironment(EnvSchema, source);
  return { ...storeSettings(env), importQueueSchema: env.IMPORT_QUEUE_SCHEMA };
}
