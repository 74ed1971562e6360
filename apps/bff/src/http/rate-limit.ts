import { AppError } from "@insights/errors";
import type { Request, RequestHandler, Response } from "express";
import { ipKeyGenerator, rateLimit, type Store as RateLimitStore } from "express-rate-limit";
import type { Caller } from "../auth/caller.js";
import type { RouteIndex } from "./route-index.js";

/** The two budgets' counters, each its own store (express-rate-limit refuses one store for two limiters). */
export type RateLimitStores = { address: RateLimitStore; caller: RateLimitStore };

export type RateLimitOptions = {
  /** Requests per window per caller, once authenticated. */
  max: number;
  /** Requests per window per client address, before authentication. */
  addressMax: number;
  windowMs: number;
  /** Shared counters (Redis); in-memory per process when absent. */
  stores?: RateLimitStores;
  /** Told of every refusal, by budget (metrics). */
  onLimited?: (scope: "address" | "caller") => void;
};

/**
 * Who an authenticated request counts against: the identity its credential proves, never the
 * credential's spelling (a token re-spelt, or a valid key sent beside a random Authorization
 * header, is the same caller). One issuer is configured, so a token's caller is its subject
 * within its organisation. Anonymous (public) requests have none.
 */
export function callerIdentity(caller: Caller): string | undefined {
  switch (caller.kind) {
    case "token":
      return `token:${caller.orgId}:${caller.subject}`;
    case "apiKey":
      return `apiKey:${caller.keyId}`;
    case "anonymous":
      return undefined;
  }
}

type LimiterOptions = {
  limit: number;
  windowMs: number;
  keyGenerator: (req: Request) => string;
  store: RateLimitStore | undefined;
  skip: (req: Request) => boolean;
  /** Whether answers advertise this budget (`RateLimit` and `RateLimit-Policy`, IETF draft 8). */
  advertised: boolean;
  onLimited: () => void;
};

function limiter({ limit, windowMs, keyGenerator, store, skip, advertised, onLimited }: LimiterOptions) {
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: advertised ? "draft-8" : false,
    legacyHeaders: false,
    keyGenerator,
    skip,
    ...(store ? { store } : {}),
    handler: (req, _res, next) => {
      const reset = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      onLimited();
      const retryAfterSeconds = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : Math.ceil(windowMs / 1000);
      next(new AppError("rate_limited", { retryAfterSeconds, detail: "Rate limit reached." }));
    },
  });
}

/**
 * The first budget, before anything else costs: RATE_LIMIT_ADDRESS_MAX requests per window per
 * client address (IPv6 by /56), whatever credential they carry — so inventing tokens or keys, or
 * sending ones that fail verification, buys nothing. Refusals go through the error pipeline.
 * This flood guard is not advertised in headers (its refusals still carry Retry-After): the
 * budget a client manages is its own, the caller's; advertising both cost a SHA-256 per request.
 */
export function addressRateLimiter(options: RateLimitOptions, routes: RouteIndex): RequestHandler {
  return limiter({
    limit: options.addressMax,
    windowMs: options.windowMs,
    keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? "unknown")}`,
    store: options.stores?.address,
    skip: (req) => routes.isUnlimited(req),
    advertised: false,
    onLimited: () => options.onLimited?.("address"),
  });
}

/**
 * The second budget, once the route's policy has authenticated the request: RATE_LIMIT_MAX per
 * window per caller identity (see callerIdentity). Resolves, or rejects with the 429 error.
 */
export function callerRateLimiter(options: RateLimitOptions): (req: Request, res: Response, caller: Caller) => Promise<void> {
  const identities = new WeakMap<Request, string>();
  const handler = limiter({
    limit: options.max,
    windowMs: options.windowMs,
    keyGenerator: (req) => identities.get(req)!,
    store: options.stores?.caller,
    skip: (req) => !identities.has(req),
    advertised: true,
    onLimited: () => options.onLimited?.("caller"),
  });
  return (req, res, caller) => {
    const identity = callerIdentity(caller);
    if (identity !== undefined) identities.set(req, identity);
    return new Promise((resolve, reject) => {
      void handler(req, res, (error?: unknown) => (error ? reject(error) : resolve()));
    });
  };
}
