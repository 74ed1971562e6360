import { initContract } from "@ts-rest/core";
import { z } from "zod";
import { publicRoute } from "./policy.js";
import { ProblemSchema } from "./problem.js";

const c = initContract();

export const HealthSchema = z.object({ status: z.literal("ok") });
export const ReadinessSchema = z.object({ status: z.literal("ready") });

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
      responses: { 200: ReadinessSchema, 503: ProblemSchema },
      metadata: publicRoute,
    },
  },
  { strictStatusCodes: true },
);
