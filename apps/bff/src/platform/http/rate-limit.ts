import { AppError } from "@insights/errors";
import { createHash } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";
import { ipKeyGenerator, MemoryStore, rateLimit, type RateLimitInfo, type Store as RateLimitStore } from "express-rate-limit";
import { LRUCache } from "lru-cache";
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

/** Whole seconds until a window resets (`t` in the RateLimit header, as express-rate-limit counts it). */
function secondsUntilReset(resetTime: Date | undefined, windowMs: number): number {
  return resetTime ? Math.max(0, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : Math.ceil(windowMs / 1000);
}

/** The same, at least one (Retry-After). */
function retryAfterSeconds(resetTime: Date | undefined, windowMs: number): number {
  return Math.max(1, secondsUntilReset(resetTime, windowMs));
}

/** A window as express-rate-limit names it in a policy ("2-in-1min"). */
function durationName(windowMs: number): string {
  const seconds = windowMs / 1000;
  const [minutes, hours, days] = [seconds / 60, seconds / 3600, seconds / 86_400];
  if (seconds < 60) return `${seconds}sec`;
  if (minutes < 60) return `${minutes}min`;
  if (hours < 24) return `${hours}hr${hours > 1 ? "s" : ""}`;
  return `${days}day${days > 1 ? "s" : ""}`;
}

/**
 * The `RateLimit` and `RateLimit-Policy` headers of IETF draft 8, byte for byte as
 * express-rate-limit's `standardHeaders: "draft-8"` writes them, with one difference in cost:
 * the policy's partition key (`pk`, a SHA-256 of the caller's identity) is remembered per
 * identity instead of hashed on every request (≈2% of a read's main-thread time). The identities
 * are those the counters are kept under, never a credential.
 */
export function budgetHeaders(limit: number, windowMs: number): (res: Response, info: RateLimitInfo) => void {
  const name = `"${limit}-in-${durationName(windowMs)}"`;
  const policy = `${name}; q=${limit}; w=${Math.ceil(windowMs / 1000)}; pk=:`;
  const partitionKeys = new LRUCache<string, string>({ max: 10_000 });
  const partitionKey = (key: string) => {
    let value = partitionKeys.get(key);
    if (value === undefined) {
      value = Buffer.from(createHash("sha256").update(key).digest("hex").slice(0, 12)).toString("base64");
      partitionKeys.set(key, value);
    }
    return value;
  };
  return (res, info) => {
    if (res.headersSent) return;
    res.setHeader("RateLimit", `${name}; r=${info.remaining}; t=${secondsUntilReset(info.resetTime, windowMs)}`);
    res.setHeader("RateLimit-Policy", `${policy}${partitionKey(info.key)}:`);
  };
}

/**
 * The first budget, before anything else costs: RATE_LIMIT_ADDRESS_MAX requests per window per
 * client address (IPv6 by /56), whatever credential they carry — so inventing tokens or keys, or
 * sending ones that fail verification, buys nothing. Refusals go through the error pipeline.
 * This flood guard is not advertised in headers (its refusals still carry Retry-After): the
 * budget a client manages is its own, the caller's; advertising both cost a SHA-256 per request.
 */
export function addressRateLimiter(options: RateLimitOptions, routes: RouteIndex): RequestHandler {
  return rateLimit({
    windowMs: options.windowMs,
    limit: options.addressMax,
    standardHeaders: false,
    legacyHeaders: false,
    keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? "unknown")}`,
    skip: (req) => routes.isUnlimited(req),
    ...(options.stores ? { store: options.stores.address } : {}),
    handler: (req, _res, next) => {
      options.onLimited?.("address");
      const resetTime = (req as { rateLimit?: RateLimitInfo }).rateLimit?.resetTime;
      next(new AppError("rate_limited", { retryAfterSeconds: retryAfterSeconds(resetTime, options.windowMs), detail: "Rate limit reached." }));
    },
  });
}

/**
 * The second budget, once the route's policy has authenticated the request: RATE_LIMIT_MAX per
 * window per caller identity (see callerIdentity), counted in an express-rate-limit store
 * (its MemoryStore, or Redis) and advertised on every answer it counts, 429 included. The
 * store is asked directly rather than through a second pass of the middleware: the request is
 * already matched and authenticated, and that pass (its skip and key callbacks, six awaits, its
 * checks) had cost ≈4% of a read's main-thread time. Resolves, or rejects with the 429 error.
 */
export function callerRateLimiter(options: RateLimitOptions): (req: Request, res: Response, caller: Caller) => Promise<void> {
  const { max, windowMs } = options;
  const store = options.stores?.caller ?? new MemoryStore();
  // The stores read only the window of the options the middleware would give them. A store
  // that cannot start (Redis away) fails each increment, and so each request, as unavailable.
  Promise.resolve(store.init?.({ windowMs } as Parameters<NonNullable<RateLimitStore["init"]>>[0])).catch(() => undefined);
  const advertise = budgetHeaders(max, windowMs);
  return async (_req, res, caller) => {
    const identity = callerIdentity(caller);
    if (identity === undefined) return;
    const { totalHits, resetTime } = await store.increment(identity);
    advertise(res, { limit: max, used: totalHits, remaining: Math.max(max - totalHits, 0), resetTime, key: identity });
    if (totalHits > max) {
      options.onLimited?.("caller");
      throw new AppError("rate_limited", { retryAfterSeconds: retryAfterSeconds(resetTime, windowMs), detail: "Rate limit reached." });
    }
  };
}
