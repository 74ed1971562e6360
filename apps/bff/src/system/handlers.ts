import { AppError } from "@insights/errors";
import type { systemContract } from "@insights/contracts/system";
import type { Store } from "@insights/store";
import type { RouterHandlers } from "../http/ts-rest-adapter.js";
import type { Lifecycle } from "../lifecycle.js";

export function systemHandlers(store: Store, lifecycle: Lifecycle): RouterHandlers<typeof systemContract> {
  return {
    getHealth: async () => ({ status: 200, body: { status: "ok" } }),
    getReadiness: async () => {
      if (lifecycle.shuttingDown) throw new AppError("unavailable", { detail: "The process is shutting down." });
      try {
        await store.ping();
      } catch (error) {
        throw new AppError("unavailable", { detail: "The store is not reachable.", cause: error });
      }
      return { status: 200, body: { status: "ready" } };
    },
  };
}
