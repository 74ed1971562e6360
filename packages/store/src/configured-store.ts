import { join } from "node:path";
import { createIdentifierHasher, type IdentifierHasher } from "./identifier-hasher.js";
import { acquireDataDirLock } from "./data-dir-lock.js";
import { loadOrCreateSecretFile } from "./secret-file.js";
import { openConnection, type QueryObserver, type StoreConnection } from "./connection.js";
import type { ReadCacheOptions } from "./read-cache.js";
import { readCacheOf, storeOver, type Store } from "./store.js";

export type StoreConfig = {
  /** postgres://… → PostgreSQL; unset → embedded PGlite under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  poolMax: number;
  statementTimeoutMs: number;
  /** The identifier hashing key; unset → (embedded default) a key generated into dataDir. */
  identifierHashKey: Buffer | undefined;
  /** Caches reads (docs/performance.md#read-cache); unset or a TTL of 0 → no cache. */
  readCache?: ReadCacheOptions | undefined;
  onPoolError?: (error: Error) => void;
  /** Hears each query's kind and duration (the BFF's store latency metric). */
  observeQuery?: QueryObserver;
};

/**
 * Opens the store an app is configured for and applies pending migrations. The embedded
 * PGlite directory is locked to one process: a second one is told to use DATABASE_URL.
 */
export async function openConfiguredStore(config: StoreConfig): Promise<Store> {
  let connection: StoreConnection;
  const common = { statementTimeoutMs: config.statementTimeoutMs, ...(config.observeQuery ? { observeQuery: config.observeQuery } : {}) };
  if (config.databaseUrl) {
    connection = await openConnection({
      kind: "postgres",
      connectionString: config.databaseUrl,
      poolMax: config.poolMax,
      ...common,
      ...(config.onPoolError ? { onPoolError: config.onPoolError } : {}),
    });
  } else {
    const unlock = await acquireDataDirLock(config.dataDir);
    try {
      const opened = await openConnection({ kind: "pglite", dataDir: join(config.dataDir, "pglite"), ...common });
      connection = { ...opened, close: () => opened.close().finally(unlock) };
    } catch (error) {
      await unlock();
      throw error;
    }
  }
  try {
    await connection.migrate();
    return await storeOver(connection, await loadIdentifierHasher(config.identifierHashKey, config.dataDir), readCacheOf(config.readCache));
  } catch (error) {
    await connection.close();
    throw error;
  }
}

/** The identifier hasher: from the configured key, or (embedded default) a key generated into dataDir. */
async function loadIdentifierHasher(key: Buffer | undefined, dataDir: string): Promise<IdentifierHasher> {
  return createIdentifierHasher(key ?? (await loadOrCreateSecretFile(join(dataDir, "secrets", "identifier-hash.key"))));
}
