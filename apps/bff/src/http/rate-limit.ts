import { createHash } from "node:crypto";
import { AppError } from "@insights/errors";
import type { RequestHandler } from "express";
import { ipKeyGenerator, rateLimit, type Store as RateLimitStore } from "express-rate-limit";
import type { RouteIndex } from "./route-index.js";

export type RateLimitOptions = { max: number; windowMs: number; store?: RateLimitStore };

const CREDENTIAL_HEADERS = ["authorization", "key", "secretkey"];

/**
 * The caller a request counts against: its credential (hashed, so no token or key is kept in
 * the limiter's store), or its client address when it sends none.
 */
export function callerKey(req: Parameters<RequestHandler>[0]): string {
  for (const name of CREDENTIAL_HEADERS) {
    const value = req.headers[name];
    if (typeof value === "string" && value !== "") return `cred:${createHash("sha256").update(value).digest("base64url").slice(0, 32)}`;
  }
  return `ip:${ipKeyGenerator(req.ip ?? "unknown")}`;
}

/** RATE_LIMIT_MAX requests per RATE_LIMIT_WINDOW_MS per caller; refusals go through the error pipeline. */
export function rateLimiter(options: RateLimitOptions, routes: RouteIndex): RequestHandler {
  return rateLimit({
    windowMs: options.windowMs,
    limit: options.max,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    keyGenerator: callerKey,
    skip: (req) => routes.isUnlimited(req.method, req.path),
    ...(options.store ? { store: options.store } : {}),
    handler: (req, _res, next) => {
      const reset = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const retryAfterSeconds = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : Math.ceil(options.windowMs / 1000);
      next(new AppError("rate_limited", { retryAfterSeconds, detail: "Rate limit reached." }));
    },
  });
}
