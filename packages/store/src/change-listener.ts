import type pg from "pg";
import type { StoreConnection } from "./connection.js";
import { isCacheScope, type ReadCache } from "./read-cache.js";

/**
 * Every process that caches reads hears of every write, whoever made it. Triggers
 * (migration 0007) call pg_notify from the writing transaction with the scope it changed, so the
 * notification is delivered when, and only if, it commits. While the listening connection is
 * down the cache is not trusted (every read goes to the database), and once it is back the
 * cache starts empty: notifications sent meanwhile are lost, so nothing older may be served.
 */

export const CHANGES_CHANNEL = "insights_store_changes";

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

export type ChangeListener = { close(): Promise<void> };

/**
 * `onIgnored`: a notification on the channel that names no scope of ours (any database login
 * may NOTIFY it) was dropped — counted, never kept.
 */
export async function listenForChanges(connection: StoreConnection, cache: ReadCache, onIgnored: () => void = () => undefined): Promise<ChangeListener> {
  const hear = (payload: string) => {
    if (isCacheScope(payload)) cache.invalidate(payload);
    else onIgnored();
  };
  if (connection.listenInProcess) {
    // PGlite: one process holds the database, so every write is this process's own; listening
    // still covers writes made beside the domain operations (a test's SQL, a migration).
    const stop = await connection.listenInProcess(CHANGES_CHANNEL, hear);
    return { close: stop };
  }
  const open = connection.dedicatedClient;
  if (!open) throw new Error("this store cannot deliver change notifications");
  let client: pg.Client | undefined;
  let closed = false;
  let retryMs = RECONNECT_MIN_MS;
  let retryTimer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    cache.setTrusted(false);
    const next = open();
    // A dropped connection loses notifications: distrust the cache until listening again.
    next.on("error", () => undefined);
    next.on("end", () => {
      if (client !== next || closed) return;
      client = undefined;
      scheduleReconnect();
    });
    next.on("notification", (message) => {
      if (message.channel === CHANGES_CHANNEL) hear(message.payload ?? "");
    });
    client = next;
    await next.connect();
    await next.query(`listen ${CHANGES_CHANNEL}`);
    if (client !== next || closed) return;
    retryMs = RECONNECT_MIN_MS;
    cache.setTrusted(true);
  };

  const scheduleReconnect = () => {
    if (closed || retryTimer) return;
    cache.setTrusted(false);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect().catch(() => {
        const failed = client;
        client = undefined;
        void failed?.end().catch(() => undefined);
        retryMs = Math.min(retryMs * 2, RECONNECT_MAX_MS);
        scheduleReconnect();
      });
    }, retryMs);
    retryTimer.unref();
  };

  try {
    await connect();
  } catch (error) {
    await client?.end().catch(() => undefined);
    throw error;
  }
  return {
    close: async () => {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      cache.setTrusted(false);
      await client?.end().catch(() => undefined);
    },
  };
}
