import { timingSafeEqual, createHash } from "node:crypto";
import { apiContract } from "@insights/contracts";
import { AppError } from "@insights/errors";
import { isAppRoute, type AppRoute, type AppRouter } from "@ts-rest/core";
import type { Request, RequestHandler } from "express";
import type { Metrics } from "./metrics.js";

/** Each contract route by its name (`system.getHealth`): the label a request is counted under. */
function routeNames(router: AppRouter, prefix = "", names = new Map<AppRoute, string>()): Map<AppRoute, string> {
  for (const [key, child] of Object.entries(router)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (isAppRoute(child)) names.set(child, name);
    else routeNames(child, name, names);
  }
  return names;
}

const names = routeNames(apiContract);
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** Counts and times every request under its contract route's name (never its path: paths carry identifiers). */
export function requestMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const startedAt = performance.now();
    res.once("finish", () => {
      const matched = (req as Request & { tsRestRoute?: AppRoute }).tsRestRoute;
      const route = (matched && names.get(matched)) ?? "unmatched";
      const method = METHODS.has(req.method) ? req.method : "other";
      metrics.requests.inc({ route, method, status: String(res.statusCode) });
      metrics.requestDuration.observe({ route, method }, (performance.now() - startedAt) / 1000);
    });
    next();
  };
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * The registry in Prometheus text format; with a token configured, only for `Authorization:
 * Bearer <token>` (compared in constant time), else 401.
 */
export function metricsReport(metrics: Metrics, token: string | undefined): (authorization: string | undefined) => Promise<string> {
  const expected = token === undefined ? undefined : digest(`Bearer ${token}`);
  return async (authorization) => {
    if (expected && !(authorization !== undefined && timingSafeEqual(digest(authorization), expected))) {
      throw new AppError("unauthenticated", { detail: "The metrics require the metrics bearer token." });
    }
    return metrics.registry.metrics();
  };
}
