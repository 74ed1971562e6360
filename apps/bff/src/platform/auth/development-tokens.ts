import { SignJWT } from "jose";
import { DEVELOPMENT_ALGORITHM, type DevelopmentKeyPair } from "./development-keys.js";

export type DevelopmentTokenRequest = {
  scopes: string[];
  orgId: string;
  subject?: string;
  /** Binds the token to a subscriber (3-legged). */
  phoneNumber?: string;
  expiresInSeconds: number;
  issuer: string;
  audience: string;
  now?: Date;
};

/** Signs a token with the development key, for `npm run token` and the tests. */
export async function signDevelopmentToken(keys: DevelopmentKeyPair, request: DevelopmentTokenRequest): Promise<string> {
  const now = Math.floor((request.now ?? new Date()).getTime() / 1000);
  const claims: Record<string, unknown> = { scope: request.scopes.join(" "), org: request.orgId };
  if (request.phoneNumber) claims.phone_number = request.phoneNumber;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: DEVELOPMENT_ALGORITHM, kid: keys.kid, typ: "at+jwt" })
    .setIssuer(request.issuer)
    .setAudience(request.audience)
    // The subject is opaque on purpose: it is recorded as an actor and must not be personal data.
    .setSubject(request.subject ?? (request.phoneNumber ? "dev-subscriber" : "dev-client"))
    .setIssuedAt(now)
    .setNotBefore(now - 1)
    .setExpirationTime(now + request.expiresInSeconds)
    .sign(keys.privateKey);
}
