import { createTestLogger } from "@insights/config/testing";
import { bearerRoute, apiKeyRoute } from "@insights/contracts";
import { openPgliteTestStore } from "@insights/store/testing";
import { type Store } from "@insights/store";
import { initContract } from "@ts-rest/core";
import express from "express";
import { SignJWT, UnsecuredJWT, decodeProtectedHeader, exportJWK, generateKeyPair, type CryptoKey } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { appDialects } from "../../../src/app.js";
import { signDevelopmentToken } from "../../../src/platform/auth/development-tokens.js";
import { createTokenVerifier } from "../../../src/platform/auth/token-verifier.js";
import { DEVELOPMENT_AUDIENCE, DEVELOPMENT_ISSUER } from "../../../src/config.js";
import { jsonBody } from "../../../src/platform/http/body-parsing.js";
import { policyEnforcer } from "../../../src/platform/http/enforce-policy.js";
import { renderErrors } from "../../../src/platform/http/error-pipeline.js";
import { requestState } from "../../../src/platform/http/request-state.js";
import { mountContract } from "../../../src/platform/http/ts-rest-adapter.js";
import { listen } from "../../../src/server.js";
import { developmentKeys, send } from "../../support/harness.js";

/**
 * The auth core through a real Express app and the real pipeline: a probe contract with one
 * route per policy (the vendor families' own routes are covered in their own tests).
 */
const c = initContract();
const probeContract = c.router({
  whoAmI: {
    method: "POST",
    path: "/probe/bearer",
    body: z.object({ n: z.number() }).strict(),
    responses: { 200: z.object({ subject: z.string(), org: z.string(), phone: z.string().nullable() }) },
    metadata: bearerRoute("probe:read"),
  },
  keyed: {
    method: "GET",
    path: "/probe/key",
    responses: { 200: z.object({ org: z.string() }) },
    metadata: apiKeyRoute("key", "secretKey"),
  },
});

let store: Store;
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  store = await openPgliteTestStore();
  const { keys } = await developmentKeys();
  const dialects = appDialects({ profilesErrorHttpStatus: "vendor" });
  const app = express();
  app.use(requestState(dialects));
  app.use(jsonBody("10kb", dialects));
  mountContract(
    app,
    probeContract,
    {
      whoAmI: async ({ caller }) => {
        if (caller.kind !== "token") throw new Error("expected a token caller");
        return { status: 200, body: { subject: caller.subject, org: caller.orgId, phone: caller.phoneNumber ?? null } };
      },
      keyed: async ({ caller }) => ({ status: 200, body: { org: caller.kind === "apiKey" ? caller.orgId : "?" } }),
    },
    {
      enforcePolicy: policyEnforcer(
        {
          verifyToken: createTokenVerifier({ issuer: DEVELOPMENT_ISSUER, audience: DEVELOPMENT_AUDIENCE, algorithms: ["ES256"], keys: { jwks: [keys.publicJwk] } }),
          authenticateApiKey: (key) => store.authenticateApiKey(key),
        },
        // The rate limit has tests of its own.
        async () => undefined,
      ),
    },
  );
  app.use(renderErrors(dialects, createTestLogger("insights-bff", "auth.test"), () => new Date()));
  const running = await listen(app, "127.0.0.1", 0);
  url = running.url;
  close = async () => {
    running.server.closeAllConnections();
    running.server.close();
    await store.close();
  };
});
afterAll(() => close());

type SignOptions = { issuer?: string; audience?: string; exp?: number; alg?: string; key?: CryptoKey | Uint8Array; kid?: string; typ?: string; iat?: number | null };

async function sign(claims: Record<string, unknown>, options: SignOptions = {}) {
  const { keys } = await developmentKeys();
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? "ES256", kid: options.kid ?? keys.kid, ...(options.typ ? { typ: options.typ } : {}) })
    .setIssuer(options.issuer ?? DEVELOPMENT_ISSUER)
    .setAudience(options.audience ?? DEVELOPMENT_AUDIENCE)
    .setSubject("client-1")
    .setExpirationTime(options.exp ?? now + 300);
  if (options.iat !== null) jwt.setIssuedAt(options.iat ?? now);
  return jwt.sign(options.key ?? keys.privateKey);
}

const good = { scope: "probe:read other:scope", org: "telco" };

function call(token: string | undefined, body: string = '{"n":1}') {
  return send(`${url}/probe/bearer`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
}

describe("bearer tokens", () => {
  it("accepts a valid token and exposes its claims (2-legged: no phone)", async () => {
    const r = await call(await sign(good));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ subject: "client-1", org: "telco", phone: null });
  });

  it("binds a token carrying phone_number to that subscriber (3-legged)", async () => {
    const r = await call(await sign({ ...good, phone_number: "+34600000001" }));
    expect(r.json).toMatchObject({ phone: "+34600000001" });
  });

  it.each([
    ["no Authorization header", async () => undefined],
    ["a malformed token", async () => "not-a-jwt"],
    ["an expired token", async () => sign(good, { exp: Math.floor(Date.now() / 1000) - 60 })],
    ["another issuer", async () => sign(good, { issuer: "https://evil.example.com" })],
    ["another audience", async () => sign(good, { audience: "someone-else" })],
    ["an unsigned (alg none) token", async () => new UnsecuredJWT(good).setIssuer(DEVELOPMENT_ISSUER).setAudience(DEVELOPMENT_AUDIENCE).setSubject("x").setExpirationTime("5m").encode()],
    ["a token signed by another key", async () => sign(good, { key: (await generateKeyPair("ES256")).privateKey })],
    ["an HS256 token (algorithm not allowed)", async () => sign(good, { alg: "HS256", key: new Uint8Array(32) })],
    ["a token without an org claim", async () => sign({ scope: "probe:read" })],
    ["a token with a phone_number that is not E.164", async () => sign({ ...good, phone_number: "600000001" })],
  ])("answers 401 for %s", async (_name, token) => {
    const r = await call(await token());
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ type: "urn:insights:problem:unauthenticated" });
  });

  it("answers 403 when a scope is missing", async () => {
    const r = await call(await sign({ scope: "other:scope", org: "telco" }));
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ type: "urn:insights:problem:permission-denied" });
  });

  it("checks credentials before the body: bad JSON without a token is 401, with a token 400", async () => {
    expect((await call(undefined, "{bad")).status).toBe(401);
    expect((await call(await sign(good), "{bad")).status).toBe(400);
  });

  it("refuses unknown body properties with 400 naming the field", async () => {
    const r = await call(await sign(good), '{"n":1,"admin":true}');
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ "invalid-params": [{ name: "admin", reason: "unknown_field" }] });
  });
});

describe("API keys", () => {
  it.each([
    ["key", "demo-telco-profile-key", "telco"],
    ["secretKey", "demo-other-profile-key", "other"],
  ])("accepts the %s header and resolves its organisation", async (header, key, org) => {
    const r = await send(`${url}/probe/key`, { headers: { [header]: key } });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ org });
  });

  it.each([["missing", {}], ["wrong", { key: "demo-telco-profile-kex" }], ["empty", { key: "" }]])("answers 401 for a %s key", async (_n, headers) => {
    const r = await send(`${url}/probe/key`, { headers });
    expect(r.status).toBe(401);
  });
});

describe("verified-token cache", () => {
  it("remembers a verified token only until it expires", async () => {
    const { keys } = await developmentKeys();
    let clock = Date.now();
    const verify = createTokenVerifier({ issuer: DEVELOPMENT_ISSUER, audience: DEVELOPMENT_AUDIENCE, algorithms: ["ES256"], keys: { jwks: [keys.publicJwk] }, now: () => clock, clockToleranceSeconds: 0 });
    const token = await sign(good, { exp: Math.floor(clock / 1000) + 60 });
    expect((await verify(token)).orgId).toBe("telco");
    expect((await verify(token)).orgId).toBe("telco");
    clock += 61_000;
    await expect(verify(token)).rejects.toMatchObject({ kind: "unauthenticated" });
  });

  it("never remembers a token that failed", async () => {
    const { keys } = await developmentKeys();
    const verify = createTokenVerifier({ issuer: DEVELOPMENT_ISSUER, audience: DEVELOPMENT_AUDIENCE, algorithms: ["ES256"], keys: { jwks: [keys.publicJwk] } });
    const token = await sign(good, { audience: "someone-else" });
    await expect(verify(token)).rejects.toMatchObject({ kind: "unauthenticated" });
    await expect(verify(token)).rejects.toMatchObject({ kind: "unauthenticated" });
  });
});

describe("token hardening (RFC 9068, RFC 8725)", () => {
  const verifierWith = async (options: { requireTyp?: boolean; maxLifetimeSeconds?: number }) => {
    const { keys } = await developmentKeys();
    return createTokenVerifier({ issuer: DEVELOPMENT_ISSUER, audience: DEVELOPMENT_AUDIENCE, algorithms: ["ES256"], keys: { jwks: [keys.publicJwk] }, ...options });
  };

  it("with requireTyp, accepts typ at+jwt (also as application/at+jwt) and refuses JWT or none", async () => {
    const verify = await verifierWith({ requireTyp: true });
    expect((await verify(await sign(good, { typ: "at+jwt" }))).orgId).toBe("telco");
    expect((await verify(await sign(good, { typ: "application/at+jwt" }))).orgId).toBe("telco");
    await expect(verify(await sign(good, { typ: "JWT" }))).rejects.toMatchObject({ kind: "unauthenticated" });
    await expect(verify(await sign(good))).rejects.toMatchObject({ kind: "unauthenticated" });
  });

  it("with a maximum lifetime, refuses a token meant to live longer, and one without iat", async () => {
    const verify = await verifierWith({ maxLifetimeSeconds: 3600 });
    const now = Math.floor(Date.now() / 1000);
    expect((await verify(await sign(good, { iat: now, exp: now + 3600 }))).orgId).toBe("telco");
    await expect(verify(await sign(good, { iat: now, exp: now + 3601 }))).rejects.toMatchObject({ kind: "unauthenticated" });
    await expect(verify(await sign(good, { iat: null, exp: now + 60 }))).rejects.toMatchObject({ kind: "unauthenticated" });
  });

  it("signs development tokens as typ at+jwt, so they pass where typ is required", async () => {
    const { keys } = await developmentKeys();
    const token = await signDevelopmentToken(keys, { scopes: [], orgId: "telco", expiresInSeconds: 60, issuer: DEVELOPMENT_ISSUER, audience: DEVELOPMENT_AUDIENCE });
    expect(decodeProtectedHeader(token).typ).toBe("at+jwt");
    expect((await (await verifierWith({ requireTyp: true, maxLifetimeSeconds: 60 }))(token)).orgId).toBe("telco");
  });

  it("forgets every remembered token when the identity provider's key set changes", async () => {
    const rotatedOut = await generateKeyPair("ES256");
    const current = await generateKeyPair("ES256");
    const jwkOf = async (key: CryptoKey, kid: string) => ({ ...(await exportJWK(key)), kid, alg: "ES256", use: "sig" });
    let published = { keys: [await jwkOf(rotatedOut.publicKey, "old"), await jwkOf(current.publicKey, "new")] };
    const idp = await listen(
      express().get("/jwks", (_req, res) => {
        res.json(published);
      }),
      "127.0.0.1",
      0,
    );
    try {
      const verify = createTokenVerifier({
        issuer: DEVELOPMENT_ISSUER,
        audience: DEVELOPMENT_AUDIENCE,
        algorithms: ["ES256"],
        keys: { jwksUrl: new URL(`${idp.url}/jwks`) },
        jwksCache: { maxAgeMs: 0, cooldownMs: 0 },
      });
      const signedWithOldKey = await sign(good, { key: rotatedOut.privateKey, kid: "old" });
      expect((await verify(signedWithOldKey)).orgId).toBe("telco");
      expect((await verify(signedWithOldKey)).orgId).toBe("telco");
      // The provider rotates the old key out; the next verification fetches the new set.
      published = { keys: [await jwkOf(current.publicKey, "new")] };
      expect((await verify(await sign(good, { key: current.privateKey, kid: "new" }))).orgId).toBe("telco");
      await expect(verify(signedWithOldKey)).rejects.toMatchObject({ kind: "unauthenticated" });
    } finally {
      idp.server.closeAllConnections();
      idp.server.close();
    }
  });
});
