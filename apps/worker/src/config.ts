import { resolve } from "node:path";
import { z } from "zod";

/** The worker's one reader of the environment (same variables as the BFF for the store). */
const EnvSchema = z.object({
  DATA_DIR: z.string().min(1).default("./.data-worker"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().positive().default(5),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type WorkerConfig = {
  dataDir: string;
  database: { url: string | undefined; poolMax: number; statementTimeoutMs: number };
  logLevel: z.infer<typeof EnvSchema>["LOG_LEVEL"];
};

export function loadWorkerConfig(source: Record<string, string | undefined> = process.env): WorkerConfig {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new Error(`invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
  }
  const env = parsed.data;
  return {
    dataDir: resolve(env.DATA_DIR),
    database: { url: env.DATABASE_URL, poolMax: env.DATABASE_POOL_MAX, statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS },
    logLevel: env.LOG_LEVEL,
  };
}
