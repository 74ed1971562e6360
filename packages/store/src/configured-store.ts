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
  /** Hears of each change notification dropped as naming no scope of ours (a metric). */
  onIgnoredChange?: () => void;
  /**
   * NODE_ENV=production: no hashing key is ever generated, and a store holding demo data (whose
   * credentials are published) is refused — unless `demoDataAllowed`, for the commands that
   * remove it.
   */
  production?: boolean;
  demoDataAllowed?: boolean;
  /** The embedded store's shared_buffers (PGlite), when not connection.ts's default for a serving process. */
  embeddedSharedBuffers?: string | undefined;
};

/** The store cannot be used as configured in production; the message says what to do. */
export class ProductionRefusal extends Error {
  override name = "ProductionRefusal";
}

/**
 * Opens the store an app is configured for and applies pending migrations. The embedded
 * PGlite directory is locked to one process: a second one is told to use DATABASE_URL.
 */
export async function openConfiguredStore(config: StoreConfig): Promise<Store> {
  if (config.production && !config.identifierHashKey) {
    throw new ProductionRefusal("refusing to open the store in production without IDENTIFIER_HASH_KEY: a key generated into DATA_DIR would hash identifiers differently on every machine");
  }
  let connection: StoreConnection;
  let store: Store;
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
      const opened = await openConnection({ kind: "pglite", dataDir: join(config.dataDir, "pglite"), ...common, ...(config.embeddedSharedBuffers ? { sharedBuffers: config.embeddedSharedBuffers } : {}) });
      connection = { ...opened, close: () => opened.close().finally(unlock) };
    } catch (error) {
      await unlock();
      throw error;
    }
  }
  try {
    await connection.migrate();
    store = await storeOver(connection, await loadIdentifierHasher(config.identifierHashKey, config.dataDir), readCacheOf(config.readCache), { onIgnoredChange: config.onIgnoredChange });
  } catch (error) {
    await connection.close();
    throw error;
  }
  if (config.production && !config.demoDataAllowed) {
    const demo = await store.findDemoData().catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
    if (demo.length > 0) {
      await store.close();
      throw new ProductionRefusal(
        `refusing to use the store in production: it holds demo data whose credentials are published (${demo.join(", ")}); ` +
          "revoke demo keys with npm run admin -- api-key revoke <id>, and remove the demo organisations",
      );
    }
  }
  return store;
}

/** The identifier hasher: from the configured key, or (embedded default) a key generated into dataDir. */
async function loadIdentifierHasher(key: Buffer | undefined, dataDir: string): Promise<IdentifierHasher> {
  return createIdentifierHasher(key ?? (await loadOrCreateSecretFile(join(dataDir, "secrets", "identifier-hash.key"))));
}
