import { initContract } from "@ts-rest/core";
import { z } from "zod";
import { publicRoute } from "./policy.js";
import { ProblemSchema } from "./problem.js";

const c = initContract();

export const HealthSchema = z.object({ status: z.literal("ok") });
/** A circuit breaker's state: closed (calls go through), open (they fail fast), half-open (one probe goes through). */
export const BreakerStateSchema = z.enum(["closed", "open", "half-open"]);
export const ReadinessSchema = z.object({
  status: z.literal("ready"),
  /** Each family answered by an upstream vendor, with its circuit breaker's state (absent when every family is local). */
  upstreams: z.record(z.string(), z.object({ breaker: BreakerStateSchema })).optional(),
});

/** The Prometheus text exposition format (version 0.0.4). */
export const METRICS_CONTENT_TYPE = "text/plain; charset=utf-8; version=0.0.4";

/** Liveness and readiness of the BFF process (not a vendor family: errors are RFC 9457). */
export const systemContract = c.router(
  {
    getHealth: {
      method: "GET",
      path: "/healthz",
      summary: "Liveness: the process is up",
      responses: { 200: HealthSchema },
      metadata: publicRoute,
    },
    getApiReference: {
      method: "GET",
      path: "/docs",
      summary: "The interactive API reference (Swagger UI) over /openapi.json",
      description: "An HTML page; its scripts and styles are served from the `swagger-ui-dist` package under `/docs/assets/`.",
      responses: { 200: c.otherResponse({ contentType: "text/html", body: z.string() }) },
      metadata: publicRoute,
    },
    getOpenApiDocument: {
      method: "GET",
      path: "/openapi.json",
      summary: "This API's OpenAPI document, generated from the contracts",
      responses: { 200: z.record(z.unknown()) },
      metadata: publicRoute,
    },
    getReadiness: {
      method: "GET",
      path: "/readyz",
      summary: "Readiness: the store answers and the process is not shutting down",
      description:
        "Ready while the families answered from the store can answer: an upstream vendor whose circuit breaker is open does not make the process unready (its state is reported under `upstreams`).",
      responses: { 200: ReadinessSchema, 503: ProblemSchema },
      metadata: publicRoute,
    },
    getMetrics: {
      method: "GET",
      path: "/metrics",
      summary: "Prometheus metrics (text exposition format)",
      description:
        "Requests per contract route, latencies, upstream calls, failures and breaker states, rate-limit rejections, store query latency. When `METRICS_TOKEN` is set it requires `Authorization: Bearer <METRICS_TOKEN>`, else 401.",
      headers: z.object({ authorization: z.string().max(4096).optional() }),
      responses: { 200: c.otherResponse({ contentType: METRICS_CONTENT_TYPE, body: z.string() }), 401: ProblemSchema },
      metadata: publicRoute,
    },
  },
  { strictStatusCodes: true },
);
