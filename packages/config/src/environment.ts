import { resolve } from "node:path";
import { z } from "zod";

/**
 * Variables every process of the system reads the same way (the BFF, the worker, their CLIs):
 * where the store is and how to log. Each app spreads `sharedEnvShape` into its own schema and
 * parses its environment once with `parseEnvironment`.
 */

export const positiveInt = z.coerce.number().int().positive();

export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** A boolean variable: true/false or 1/0. */
export const bool = z
  .enum(["true", "false", "1", "0"])
  .transform((v) => v === "true" || v === "1");

export const sharedEnvShape = {
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** Demo data goes into an empty store: by default only the embedded one, never in production. */
  LOAD_DEMO_DATA: bool.optional(),
  DATA_DIR: z.string().min(1).default("./.data"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional(),
  DATABASE_POOL_MAX: positiveInt.default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: positiveInt.default(5000),
  IDENTIFIER_HASH_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64,}$/, "must be at least 32 bytes, hex-encoded")
    .optional(),
  LOG_LEVEL: z.enum(logLevels).default("info"),
  /** With DATABASE_URL, import chunks are jobs on a pg-boss queue kept in this schema of the same database. */
  IMPORT_QUEUE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,49}$/, "must be a PostgreSQL schema name (lower case, digits, _)")
    .default("pgboss"),
  /** A queued import chunk whose worker died is handed to another after this long. */
  IMPORT_CHUNK_EXPIRE_SECONDS: positiveInt.default(300),
  /**
   * Chunks one worker imports at once, each on its own connection (so its own PostgreSQL backend).
   * 1 by default: on the 2-core machine measured, 2 gave 18–23% more rows/s and 60 MB more peak
   * RSS (past the 250 MB goal); where the database has cores to spare, more (docs/performance.md#imports).
   */
  IMPORT_WORKER_CHUNKS: positiveInt.max(16).default(1),
  /** The longest line (or CSV record) an import reads, in bytes: a longer one is one rejected row, never held. */
  IMPORT_MAX_RECORD_BYTES: positiveInt.max(64 * 1024 * 1024).default(1024 * 1024),
  /**
   * The most an import file may hold once decompressed, in MiB: past it the job fails. 1 GiB holds
   * about four million customer rows; on PostgreSQL every byte of it is staged in the database.
   */
  IMPORT_MAX_DECOMPRESSED_MB: positiveInt.max(1024 * 1024).default(1024),
  /** Times a file-staged import may be interrupted (a crash each time) and still resume; once more and it fails. */
  IMPORT_MAX_ATTEMPTS: positiveInt.max(100).default(3),
  /** The largest import upload (bytes received, compressed or not), in MiB: a larger one is refused, nothing staged. */
  IMPORT_MAX_UPLOAD_MB: positiveInt.max(1024 * 1024).default(1024),
  /** Rejected rows an import may have: past it the job fails (the rows stored before stay). */
  IMPORT_MAX_REJECTS: positiveInt.max(100_000_000).default(10_000),
  /** Imports of one organisation queued or running at once: one more upload is refused (429). */
  IMPORT_MAX_ACTIVE_JOBS_PER_ORG: positiveInt.max(1000).default(2),
};

export type LogLevel = (typeof logLevels)[number];

type SharedEnv = z.output<z.ZodObject<typeof sharedEnvShape>>;

/**
 * What production (NODE_ENV=production) requires of every process that opens the store — the
 * BFF, the worker, `npm run import`, `npm run admin` — alike: a configured hashing key (never one
 * generated into DATA_DIR, which a second machine would not share) and no demo data loaded. (The
 * store itself refuses, in production, to open one that holds demo data: openConfiguredStore.)
 */
export function productionIssues(env: Pick<SharedEnv, "NODE_ENV" | "IDENTIFIER_HASH_KEY" | "LOAD_DEMO_DATA">): { path: string; message: string }[] {
  if (env.NODE_ENV !== "production") return [];
  const issues: { path: string; message: string }[] = [];
  if (!env.IDENTIFIER_HASH_KEY) issues.push({ path: "IDENTIFIER_HASH_KEY", message: "is required when NODE_ENV=production" });
  if (env.LOAD_DEMO_DATA) issues.push({ path: "LOAD_DEMO_DATA", message: "demo data is never loaded in production" });
  return issues;
}

/** The environment of a process that only opens the store (the worker and the CLIs): the shared variables, with the production checks. */
const SharedEnvSchema = z.object(sharedEnvShape).superRefine((env, ctx) => {
  for (const issue of productionIssues(env)) ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
});

/** The store settings of a process that reads only the shared variables (the worker, `npm run import`, `npm run admin`). */
export function loadStoreSettings(source: Record<string, string | undefined>): StoreSettings {
  return storeSettings(parseEnvironment(SharedEnvSchema, source));
}

/** The store section of a configuration, as the BFF and the worker both hold it. */
export type StoreSettings = {
  /** NODE_ENV=production: the store refuses to open one holding demo data, and never generates a hashing key. */
  production: boolean;
  dataDir: string;
  database: { url: string | undefined; poolMax: number; statementTimeoutMs: number };
  identifierHashKey: Buffer | undefined;
  loadDemoData: boolean;
  logLevel: LogLevel;
  importQueue: { schema: string; chunkExpireSeconds: number; chunksPerWorker: number };
  /** What one import file may make a reader hold or read, and how often a job may be interrupted (IMPORT_MAX_*). */
  importLimits: ImportLimitSettings;
};

/**
 * The store settings as `openConfiguredStore` (@insights/store) takes them: the one mapping every
 * process that opens the store (the BFF, the worker, the CLIs) uses, adding only its own hooks.
 */
export function storeConfig(settings: Pick<StoreSettings, "production" | "dataDir" | "database" | "identifierHashKey">) {
  return {
    databaseUrl: settings.database.url,
    dataDir: settings.dataDir,
    poolMax: settings.database.poolMax,
    statementTimeoutMs: settings.database.statementTimeoutMs,
    identifierHashKey: settings.identifierHashKey,
    production: settings.production,
  };
}

/** The bounds of an import (IMPORT_MAX_*), as every process applies them. */
export type ImportLimitSettings = {
  maxRecordBytes: number;
  maxDecompressedBytes: number;
  maxAttempts: number;
  maxUploadBytes: number;
  maxRejects: number;
  maxActiveJobsPerOrg: number;
};

export function storeSettings(env: {
  NODE_ENV: "development" | "production" | "test";
  LOAD_DEMO_DATA?: boolean | undefined;
  DATA_DIR: string;
  DATABASE_URL?: string | undefined;
  DATABASE_POOL_MAX: number;
  DATABASE_STATEMENT_TIMEOUT_MS: number;
  IDENTIFIER_HASH_KEY?: string | undefined;
  LOG_LEVEL: LogLevel;
  IMPORT_QUEUE_SCHEMA: string;
  IMPORT_CHUNK_EXPIRE_SECONDS: number;
  IMPORT_WORKER_CHUNKS: number;
  IMPORT_MAX_RECORD_BYTES: number;
  IMPORT_MAX_DECOMPRESSED_MB: number;
  IMPORT_MAX_ATTEMPTS: number;
  IMPORT_MAX_UPLOAD_MB: number;
  IMPORT_MAX_REJECTS: number;
  IMPORT_MAX_ACTIVE_JOBS_PER_ORG: number;
}): StoreSettings {
  return {
    production: env.NODE_ENV === "production",
    dataDir: resolve(env.DATA_DIR),
    database: { url: env.DATABASE_URL, poolMax: env.DATABASE_POOL_MAX, statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS },
    identifierHashKey: env.IDENTIFIER_HASH_KEY ? Buffer.from(env.IDENTIFIER_HASH_KEY, "hex") : undefined,
    // Only ever by default into the embedded store: a PostgreSQL database takes demo data (with
    // its published API keys) only when asked to, and production never.
    loadDemoData: env.LOAD_DEMO_DATA ?? (env.NODE_ENV !== "production" && env.DATABASE_URL === undefined),
    logLevel: env.LOG_LEVEL,
    importQueue: { schema: env.IMPORT_QUEUE_SCHEMA, chunkExpireSeconds: env.IMPORT_CHUNK_EXPIRE_SECONDS, chunksPerWorker: env.IMPORT_WORKER_CHUNKS },
    importLimits: {
      maxRecordBytes: env.IMPORT_MAX_RECORD_BYTES,
      maxDecompressedBytes: env.IMPORT_MAX_DECOMPRESSED_MB * 1024 * 1024,
      maxAttempts: env.IMPORT_MAX_ATTEMPTS,
      maxUploadBytes: env.IMPORT_MAX_UPLOAD_MB * 1024 * 1024,
      maxRejects: env.IMPORT_MAX_REJECTS,
      maxActiveJobsPerOrg: env.IMPORT_MAX_ACTIVE_JOBS_PER_ORG,
    },
  };
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses an environment; empty strings count as unset. Throws ConfigError naming every bad variable. */
export function parseEnvironment<T extends z.ZodTypeAny>(schema: T, source: Record<string, string | undefined>): z.output<T> {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(environment)"}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
