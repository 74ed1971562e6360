import { join } from "node:path";
import { createIdentifierHasher, type IdentifierHasher } from "./identifier-hasher.js";
import { acquireDataDirLock } from "./data-dir-lock.js";
import { loadOrCreateSecretFile } from "./secret-file.js";
import { openStore, type Store } from "./store.js";

export type StoreConfig = {
  /** postgres://… → PostgreSQL; unset → embedded PGlite under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  poolMax: number;
  statementTimeoutMs: number;
  onPoolError?: (error: Error) => void;
};

/**
 * Opens the store an app is configured for and applies pending migrations. The embedded
 * PGlite directory is locked to one process: a second one is told to use DATABASE_URL.
 */
export async function openConfiguredStore(config: StoreConfig): Promise<Store> {
  let store: Store;
  if (config.databaseUrl) {
    store = await openStore({
      kind: "postgres",
      connectionString: config.databaseUrl,
      poolMax: config.poolMax,
      statementTimeoutMs: config.statementTimeoutMs,
      ...(config.onPoolError ? { onPoolError: config.onPoolError } : {}),
    });
  } else {
    const unlock = await acquireDataDirLock(config.dataDir);
    try {
      const opened = await openStore({ kind: "pglite", dataDir: join(config.dataDir, "pglite"), statementTimeoutMs: config.statementTimeoutMs });
      store = { ...opened, close: () => opened.close().finally(unlock) };
    } catch (error) {
      await unlock();
      throw error;
    }
  }
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** The identifier hasher: from the configured key, or (embedded default) a key generated into dataDir. */
export async function loadIdentifierHasher(key: Buffer | undefined, dataDir: string): Promise<IdentifierHasher> {
  return createIdentifierHasher(key ?? (await loadOrCreateSecretFile(join(dataDir, "secrets", "identifier-hash.key"))));
}
