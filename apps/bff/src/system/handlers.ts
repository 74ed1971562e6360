import { buildOpenApiDocument } from "@insights/contracts/openapi";
import { AppError } from "@insights/errors";
import type { systemContract } from "@insights/contracts/system";
import type { Store } from "@insights/store";
import { apiReferencePage } from "../platform/http/api-reference.js";
import type { RouterHandlers } from "../platform/http/ts-rest-adapter.js";
import type { Lifecycle } from "../lifecycle.js";
import type { BreakerState } from "../platform/upstream/breaker.js";

/** The version the OpenAPI document states. */
export const API_VERSION = "0.1.0";

/** What the operational routes report beyond the store: metrics, and each upstream's breaker. */
export type SystemReports = {
  metrics: (authorization: string | undefined) => Promise<string>;
  upstreamStates: () => Record<string, BreakerState>;
};

export function systemHandlers(store: Store, lifecycle: Lifecycle, reports: SystemReports): RouterHandlers<typeof systemContract> {
  let openApi: Record<string, unknown> | undefined;
  return {
    getMetrics: async ({ headers }) => ({ status: 200, body: await reports.metrics(headers.authorization) }),
    getHealth: async () => ({ status: 200, body: { status: "ok" } }),
    getApiReference: async () => ({ status: 200, body: apiReferencePage }),
    getOpenApiDocument: async () => {
      // Built on first request: generating it costs a few milliseconds nobody needs at start.
      openApi ??= buildOpenApiDocument(API_VERSION) as Record<string, unknown>;
      return { status: 200, body: openApi };
    },
    getReadiness: async () => {
      if (lifecycle.shuttingDown) throw new AppError("unavailable", { detail: "The process is shutting down." });
      try {
        await store.ping();
      } catch (error) {
        throw new AppError("unavailable", { detail: "The store is not reachable.", cause: error });
      }
      // Ready while the local families can answer: an open breaker is reported, not fatal (docs/upstream.md).
      const states = Object.entries(reports.upstreamStates());
      if (states.length === 0) return { status: 200, body: { status: "ready" } };
      return { status: 200, body: { status: "ready", upstreams: Object.fromEntries(states.map(([family, breaker]) => [family, { breaker }])) } };
    },
  };
}
