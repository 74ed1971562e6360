import { AppError } from "@insights/errors";
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWK } from "jose";
import type { Caller } from "./caller.js";

export type TokenVerifierOptions = {
  issuer: string;
  audience: string;
  /** Allow-list: a token signed with any other algorithm (including `none` and HS*) is refused. */
  algorithms: string[];
  keys: { jwksUrl: URL } | { jwks: JWK[] };
  clockToleranceSeconds?: number;
};

export type TokenVerifier = (token: string) => Promise<Extract<Caller, { kind: "token" }>>;

const E164 = /^\+[1-9][0-9]{4,14}$/;

/** Verifies a bearer JWT (signature, algorithm, issuer, audience, expiry) and reads our claims from it. */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keySet = "jwksUrl" in options.keys ? createRemoteJWKSet(options.keys.jwksUrl) : createLocalJWKSet({ keys: options.keys.jwks });
  return async (token) => {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: options.algorithms,
        requiredClaims: ["exp", "sub"],
        clockTolerance: options.clockToleranceSeconds ?? 5,
      }));
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) throw new AppError("unauthenticated", { detail: "The access token is missing, invalid or expired.", cause: error });
      throw error;
    }
    const org = payload.org;
    if (typeof org !== "string" || org === "") throw new AppError("unauthenticated", { detail: "The access token has no organisation." });
    const phone = payload.phone_number;
    if (phone !== undefined && (typeof phone !== "string" || !E164.test(phone))) {
      throw new AppError("unauthenticated", { detail: "The access token's phone_number is not E.164." });
    }
    const scope = typeof payload.scope === "string" ? payload.scope : "";
    return {
      kind: "token",
      subject: payload.sub ?? "",
      orgId: org,
      scopes: new Set(scope.split(" ").filter(Boolean)),
      phoneNumber: phone,
    };
  };
}
