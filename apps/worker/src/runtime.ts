import { readFile } from "node:fs/promises";
import { storeConfig } from "@insights/config";
import { DataDirInUseError, openConfiguredStore, type Store } from "@insights/store";
import type { Logger } from "pino";
import type { WorkerConfig } from "./config.js";

export type WorkerRuntime = { store: Store; close(): Promise<void> };

/** The store is in use by another process: the message names it and says what to do instead. */
export class StoreBusyError extends Error {
  override name = "StoreBusyError";
}

async function describeProcess(pid: number): Promise<string> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  const command = cmdline.split("\u0000").filter(Boolean).join(" ");
  return command ? `process ${pid} (${command.length > 120 ? `${command.slice(0, 117)}...` : command})` : `process ${pid}`;
}

/**
 * The embedded store's shared_buffers in the worker and `npm run import`, which write in bulk and
 * serve no reads: half the BFF's 64 MB. PGlite's buffers are resident in its WebAssembly memory
 * once touched; at 32 MB the embedded import of 100,000 customers peaked ≈ 35 MB lower (228 MB)
 * for ≈ 20% more time writing pages out (docs/performance.md#imports, issue 25's 250 MB).
 */
export const IMPORT_SHARED_BUFFERS = "32MB";

/**
 * Opens the store the BFF uses (migrating it if first, loading the demo data into an empty one
 * as the BFF would). The embedded store is one process at a time.
 */
export async function openWorkerRuntime(config: WorkerConfig, logger: Logger): Promise<WorkerRuntime> {
  let store: Store;
  try {
    store = await openConfiguredStore({ ...storeConfig(config), embeddedSharedBuffers: IMPORT_SHARED_BUFFERS, onPoolError: (error) => logger.warn({ err: error }, "idle database connection failed") });
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    const pid = Number(/process (\d+)/.exec(error.message)?.[1]);
    const holder = Number.isInteger(pid) && pid > 0 ? await describeProcess(pid) : "another process";
    throw new StoreBusyError(
      `the embedded store in ${config.dataDir} is held by ${holder}, probably the BFF (npm start). ` +
        "Import through the running BFF's admin API (POST /admin/v1/imports) instead: npm run import -- <file> --dataset <name> --api <its url, e.g. http://localhost:3000> --token <token> " +
        "(a token with scopes imports:write and imports:read, e.g. npm run -s token -- --scope imports:write --scope imports:read; the organisation is the token's), " +
        "or stop it and import again, or run the BFF and the worker on PostgreSQL (DATABASE_URL).",
    );
  }
  try {
    if (config.loadDemoData) await store.loadDemoDataIfEmpty();
    return { store, close: () => store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}
