import { E164_PATTERN } from "@insights/contracts/records";
import { AppError } from "@insights/errors";
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWK } from "jose";
import { LRUCache } from "lru-cache";
import type { TokenCaller } from "./caller.js";

export type TokenVerifierOptions = {
  issuer: string;
  audience: string;
  /** Allow-list: a token signed with any other algorithm (including `none` and HS*) is refused. */
  algorithms: string[];
  keys: { jwksUrl: URL } | { jwks: JWK[] };
  clockToleranceSeconds?: number;
  /** Refuse a token whose header is not `typ: at+jwt` (RFC 9068 access tokens). */
  requireTyp?: boolean;
  /** Refuse a token meant to live longer than this (`exp - iat`); `iat` is then required. */
  maxLifetimeSeconds?: number;
  /** How long a fetched key set is used, and the least time between two fetches (jose's defaults: 10 min, 30 s). */
  jwksCache?: { maxAgeMs: number; cooldownMs: number };
  /** The clock (tests). */
  now?: () => number;
};

export type TokenVerifier = (token: string) => Promise<TokenCaller>;

/** Most verified tokens (and bytes of them) remembered at once; the least recently used go first. */
const CACHE_ENTRIES = 10_000;
const CACHE_BYTES = 16 * 2 ** 20;

/**
 * Verifies a bearer JWT (signature, algorithm, issuer, audience, expiry, and as configured its
 * `typ` and lifetime) and reads our claims from it. A token that verified is remembered until it
 * expires: a JWT cannot change, so the signature check (about a third of a millisecond) is done
 * once per token, not per request — unless the key set changes (a key rotated out, say): then
 * everything remembered is forgotten and each token is verified again against the new keys.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keySet =
    "jwksUrl" in options.keys
      ? createRemoteJWKSet(options.keys.jwksUrl, options.jwksCache ? { cacheMaxAge: options.jwksCache.maxAgeMs, cooldownDuration: options.jwksCache.cooldownMs } : {})
      : createLocalJWKSet({ keys: options.keys.jwks });
  const now = options.now ?? Date.now;
  // Each token is remembered until its own `exp` (no clock tolerance on a remembered token).
  const verified = new LRUCache<string, TokenCaller>({ max: CACHE_ENTRIES, maxSize: CACHE_BYTES, sizeCalculation: (_caller, token) => token.length + 256, perf: { now }, ttlResolution: 0 });
  let keySetSeen = currentKeySet();
  return async (token) => {
    const cached = verified.get(token);
    if (cached) return cached;
    let result;
    try {
      result = await verify(token);
    } finally {
      forgetAllIfKeySetChanged();
    }
    const ttl = result.expiresAtMs - now();
    if (ttl > 0) verified.set(token, result.caller, { ttl });
    return result.caller;
  };

  /** A verification is when jose fetches the key set again (when stale, or for an unknown kid). */
  function forgetAllIfKeySetChanged(): void {
    const keys = currentKeySet();
    if (keys === keySetSeen) return;
    keySetSeen = keys;
    verified.clear();
  }

  /** The remote key set as last fetched (serialised, to compare), or "" for a local one. */
  function currentKeySet(): string {
    return "jwks" in keySet ? JSON.stringify(keySet.jwks() ?? null) : "";
  }

  async function verify(token: string): Promise<{ caller: TokenCaller; expiresAtMs: number }> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: options.algorithms,
        requiredClaims: options.maxLifetimeSeconds === undefined ? ["exp", "sub"] : ["exp", "sub", "iat"],
        clockTolerance: options.clockToleranceSeconds ?? 5,
        currentDate: new Date(now()),
        ...(options.requireTyp ? { typ: "at+jwt" } : {}),
      }));
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) throw new AppError("unauthenticated", { detail: "The access token is missing, invalid or expired.", cause: error });
      throw error;
    }
    if (options.maxLifetimeSeconds !== undefined && (payload.exp ?? 0) - (payload.iat ?? 0) > options.maxLifetimeSeconds) {
      throw new AppError("unauthenticated", { detail: "The access token lives longer than this server accepts." });
    }
    const org = payload.org;
    if (typeof org !== "string" || org === "") throw new AppError("unauthenticated", { detail: "The access token has no organisation." });
    const phone = payload.phone_number;
    if (phone !== undefined && (typeof phone !== "string" || !E164_PATTERN.test(phone))) {
      throw new AppError("unauthenticated", { detail: "The access token's phone_number is not E.164." });
    }
    const scope = typeof payload.scope === "string" ? payload.scope : "";
    return {
      caller: {
        kind: "token",
        subject: payload.sub ?? "",
        orgId: org,
        scopes: new Set(scope.split(" ").filter(Boolean)),
        phoneNumber: phone,
      },
      // `exp` is required above.
      expiresAtMs: (payload.exp ?? 0) * 1000,
    };
  }
}
