import { Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * The BFF's Prometheus metrics, one registry per app (tests run several apps in one process).
 * Labels are bounded sets only — contract route names, families, statuses, reasons — never a
 * path, an identifier or anything a caller sent.
 */
export type Metrics = {
  registry: Registry;
  /** Requests answered, by contract route name (`system.getHealth`, `unmatched`), method and status. */
  requests: Counter<"route" | "method" | "status">;
  requestDuration: Histogram<"route" | "method">;
  /** Upstream calls (each attempt), by upstream family, contract route and outcome (`ok`, `client_error`, `failure`). */
  upstreamCalls: Counter<"upstream" | "route" | "outcome">;
  upstreamDuration: Histogram<"upstream" | "route">;
  /** Upstream failures by reason: `connection`, `timeout`, `status`, `invalid`, `too_large`, `breaker_open`, `credentials`. */
  upstreamFailures: Counter<"upstream" | "reason">;
  /** 0 closed, 1 half-open, 2 open. */
  breakerState: Gauge<"upstream">;
  /** Requests refused by a rate limit, by scope (`address` before authentication, `caller` after). */
  rateLimited: Counter<"scope">;
};

export const BREAKER_STATE_VALUES = { closed: 0, "half-open": 1, open: 2 } as const;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Store query latency. The store reports every query it runs into it through `observeStoreQuery`
 * (runtime.ts passes it as the store's `observeQuery`), labelled by the query's kind: `select`,
 * `insert`, `update`, `delete`, `other`. One per process, registered in every app's registry.
 */
const storeQueryDuration = new Histogram({
  name: "insights_bff_store_query_duration_seconds",
  help: "Store query latency in seconds, by operation",
  labelNames: ["operation"],
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
  registers: [],
});

/** Records one store query's duration; `operation` is its kind (a bounded set, never a value). */
export function observeStoreQuery(seconds: number, operation = "query"): void {
  storeQueryDuration.observe({ operation }, seconds);
}

/**
 * Change notifications the store dropped as naming no scope of its own (any database login may
 * NOTIFY the channel; docs/performance.md#read-cache). One per process, like the query latency.
 */
const ignoredStoreNotifications = new Counter({
  name: "insights_bff_store_notifications_ignored_total",
  help: "Change notifications dropped because they name no cache scope of this store",
  registers: [],
});

/** Counts one dropped change notification (the store's `onIgnoredChange`). */
export function countIgnoredStoreNotification(): void {
  ignoredStoreNotifications.inc();
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  registry.registerMetric(storeQueryDuration);
  registry.registerMetric(ignoredStoreNotifications);
  const latency = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Histogram<L>({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Counter<L>({ name, help, labelNames, registers });
  return {
    registry,
    requests: counter("insights_bff_http_requests_total", "Requests answered, by contract route, method and status", ["route", "method", "status"]),
    requestDuration: latency("insights_bff_http_request_duration_seconds", "Request latency in seconds, by contract route and method", ["route", "method"]),
    upstreamCalls: counter("insights_bff_upstream_requests_total", "Upstream call attempts, by upstream, route and outcome", ["upstream", "route", "outcome"]),
    upstreamDuration: latency("insights_bff_upstream_request_duration_seconds", "Upstream call latency in seconds, by upstream and route", ["upstream", "route"]),
    upstreamFailures: counter("insights_bff_upstream_failures_total", "Upstream failures, by upstream and reason", ["upstream", "reason"]),
    breakerState: new Gauge({ name: "insights_bff_upstream_breaker_state", help: "Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open", labelNames: ["upstream"], registers }),
    rateLimited: counter("insights_bff_rate_limit_rejections_total", "Requests refused by a rate limit, by scope", ["scope"]),
  };
}
