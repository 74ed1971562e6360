import type { IncomingHttpHeaders } from "node:http";
import { randomUUID } from "node:crypto";
import { CATEGORIES_READ_SCOPE } from "@insights/contracts/categories";
import { SCORING_SCOPE } from "@insights/contracts/scoring";
import { SEGMENTS_SCOPE } from "@insights/contracts/segments";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sendExact, signTestToken, startTestApp, type TestApp } from "../../support/harness.js";
import { segmentRequestHeaders, startLoopbackServer, upstreamEnv, type LoopbackServer } from "../../support/upstream-fixtures.js";

/**
 * The BFF presenting its own vendor credentials instead of the caller's: OAuth2 client
 * credentials (CAMARA, Citibanamex) from a token endpoint, MasStack's bearer, IMIconnect's key.
 */

const CLIENT_ID = "demo-mobile-app";
const CLIENT_SECRET = "client-secret-of-the-bff";
const LUIS_PHONE = "+34600000001";

describe("OAuth2 client credentials (CAMARA, Citibanamex) in front of a local BFF", () => {
  let local: TestApp;
  let front: TestApp;
  let tokenEndpoint: LoopbackServer;
  const tokenRequests: { authorization: string | undefined; body: string }[] = [];
  let issue: "valid" | "refused" | "foreign" | "slow" = "valid";

  beforeAll(async () => {
    local = await startTestApp();
    tokenEndpoint = await startLoopbackServer(async (req, res, body) => {
      tokenRequests.push({ authorization: req.headers.authorization, body });
      if (issue === "slow") await new Promise((resolve) => setTimeout(resolve, 3_000));
      const expected = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`;
      if (issue === "refused" || req.headers.authorization !== expected || !new URLSearchParams(body).has("grant_type", "client_credentials")) {
        res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "invalid_client" }));
        return;
      }
      const token = await signTestToken({ scopes: [SCORING_SCOPE, SEGMENTS_SCOPE], subject: "the-bff", ...(issue === "foreign" ? { audience: "someone-else" } : {}) });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: token, token_type: "Bearer", expires_in: 600 }));
    });
    const credentials = (family: string) => ({
      ...upstreamEnv(local.url, [family]),
      [`${family}_UPSTREAM_TOKEN_URL`]: `${tokenEndpoint.url}/token`,
      [`${family}_UPSTREAM_CLIENT_ID`]: CLIENT_ID,
      [`${family}_UPSTREAM_CLIENT_SECRET`]: CLIENT_SECRET,
      [`${family}_UPSTREAM_SCOPE`]: "customer-insights:scoring:read segments:read",
    });
    front = await startTestApp({ env: { ...credentials("SCORING"), ...credentials("SEGMENTS") } });
  }, 120_000);
  afterAll(async () => {
    await front?.close();
    await local?.close();
    await tokenEndpoint?.close();
  });
  beforeEach(() => {
    issue = "valid";
  });

  const score = (token: string, body: unknown) =>
    sendExact(`${front.url}/camara/customerinsights/scoring/retrieve`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });

  it("fetches one token (client_secret_basic, its scope) and reuses it; the vendor sees the BFF, not the caller", async () => {
    const caller = await front.token({ scopes: [SCORING_SCOPE], subject: "a-mobile-user" });
    for (let i = 0; i < 3; i++) expect((await score(caller, { phoneNumber: LUIS_PHONE })).json).toEqual({ scoringType: "gaugeMetric", scoringValue: 600 });
    expect(tokenRequests).toHaveLength(1);
    expect(new URLSearchParams(tokenRequests[0]!.body).get("scope")).toBe("customer-insights:scoring:read segments:read");
    // The local BFF verified the BFF's token, whose subject is the BFF's.
    expect(local.logs.some((line) => JSON.stringify(line).includes("a-mobile-user"))).toBe(false);
  });

  it("puts a subscriber-bound caller's phone number in the body (the BFF's token is a client's), and refuses a second one as CAMARA does", async () => {
    const subscriber = await front.token({ scopes: [SCORING_SCOPE], phoneNumber: LUIS_PHONE });
    expect((await score(subscriber, {})).json).toEqual({ scoringType: "gaugeMetric", scoringValue: 600 });
    const r = await score(subscriber, { phoneNumber: LUIS_PHONE });
    expect({ status: r.status, code: r.json.code }).toEqual({ status: 422, code: "UNNECESSARY_IDENTIFIER" });
  });

  it("sends its own client id as Citibanamex's client_id", async () => {
    const caller = await front.token({ scopes: [SEGMENTS_SCOPE] });
    const r = await sendExact(`${front.url}/v1/customers/segments/retrieve`, {
      method: "POST",
      // Not a client the local BFF knows: the front's own client id replaces it.
      headers: segmentRequestHeaders(caller, { client_id: "some-app" }),
      body: JSON.stringify({ customerId: "321116471234" }),
    });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ customer: { fullName: "Luis Diaz Salinas", customerSegment: "20" } });
  });

  it("answers 503 when the token endpoint refuses, and when the vendor refuses the BFF's token (then fetches a new one)", async () => {
    const caller = await front.token({ scopes: [SEGMENTS_SCOPE] });
    // A fresh front: its token cache is empty.
    const fresh = await startTestApp({
      env: {
        ...upstreamEnv(local.url, ["SEGMENTS"]),
        SEGMENTS_UPSTREAM_TOKEN_URL: `${tokenEndpoint.url}/token`,
        SEGMENTS_UPSTREAM_CLIENT_ID: CLIENT_ID,
        SEGMENTS_UPSTREAM_CLIENT_SECRET: CLIENT_SECRET,
      },
    });
    try {
      const retrieve = () =>
        sendExact(`${fresh.url}/v1/customers/segments/retrieve`, {
          method: "POST",
          headers: segmentRequestHeaders(caller),
          body: JSON.stringify({ customerId: "321116471234" }),
        });
      issue = "refused";
      const refused = await retrieve();
      expect({ status: refused.status, code: refused.json.code, type: refused.json.type }).toEqual({ status: 500, code: "serverUnavailable", type: "fatal" });
      issue = "foreign";
      const before = tokenRequests.length;
      const foreign = await retrieve();
      expect({ status: foreign.status, code: foreign.json.code }).toEqual({ status: 500, code: "serverUnavailable" });
      expect(foreign.text).not.toContain("unAuthorized");
      issue = "valid";
      expect((await retrieve()).status).toBe(200);
      expect(tokenRequests.length - before).toBe(2);
      expect(fresh.logs.some((line) => line.msg === "upstream call failed" && line.reason === "credentials")).toBe(true);
    } finally {
      await fresh.close();
    }
  });

  it("answers within the request's budget when the token endpoint is slow", async () => {
    const caller = await front.token({ scopes: [SCORING_SCOPE] });
    const hurried = await startTestApp({
      env: {
        ...upstreamEnv(local.url, ["SCORING"]),
        SCORING_UPSTREAM_TOKEN_URL: `${tokenEndpoint.url}/token`,
        SCORING_UPSTREAM_CLIENT_ID: CLIENT_ID,
        SCORING_UPSTREAM_CLIENT_SECRET: CLIENT_SECRET,
        REQUEST_TIMEOUT_MS: "800",
        MOBILE_SECTION_TIMEOUT_MS: "500",
      },
    });
    try {
      issue = "slow";
      const startedAt = performance.now();
      const r = await sendExact(`${hurried.url}/camara/customerinsights/scoring/retrieve`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${caller}` },
        body: JSON.stringify({ phoneNumber: LUIS_PHONE }),
      });
      expect(r.status).toBe(503);
      expect(r.json.code).toBe("UNAVAILABLE");
      expect(performance.now() - startedAt).toBeLessThan(800 + 750);
    } finally {
      await hurried.close();
    }
  });
});

describe("MasStack's bearer and IMIconnect's key", () => {
  let vendor: LoopbackServer;
  let front: TestApp;
  const seen: IncomingHttpHeaders[] = [];
  let refuseKey = false;

  beforeAll(async () => {
    vendor = await startLoopbackServer((req, res) => {
      seen.push(req.headers);
      if (req.url?.startsWith("/v4/")) {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ categories: [] }));
        return;
      }
      const answer = refuseKey
        ? { Status: 1, Description: "Authentication failed", code: "7001", transid: randomUUID() }
        : { Status: 0, Description: "success", Records: [], code: "1000", transid: randomUUID() };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
    front = await startTestApp({
      env: {
        ...upstreamEnv(vendor.url, ["CATEGORIES", "PROFILES"]),
        CATEGORIES_UPSTREAM_TOKEN: "masstack-vendor-token",
        PROFILES_UPSTREAM_KEY: "imiconnect-vendor-key",
      },
    });
  }, 60_000);
  afterAll(async () => {
    await front?.close();
    await vendor?.close();
  });

  it("presents the configured bearer to MasStack, with the caller's x-auth-roles", async () => {
    const caller = await front.token({ scopes: [CATEGORIES_READ_SCOPE] });
    seen.length = 0;
    const r = await sendExact(`${front.url}/v4/orgs/telco/customers/123e4567-e89b-12d3-a456-556642440000/categories`, {
      headers: { authorization: `Bearer ${caller}`, "x-auth-roles": "CATEGORIES_READER", cookie: "session=secret", "x-forwarded-for": "10.0.0.1", "x-request-id": "front-req-1" },
    });
    expect(r.json).toEqual({ categories: [] });
    expect(seen[0]).toMatchObject({ authorization: "Bearer masstack-vendor-token", "x-auth-roles": "CATEGORIES_READER" });
    // Nothing but the contract's headers and the credential goes upstream.
    expect(seen[0]?.cookie).toBeUndefined();
    expect(seen[0]?.["x-forwarded-for"]).toBeUndefined();
    expect(seen[0]?.["x-request-id"]).toBeUndefined();
  });

  it("presents the configured key to IMIconnect and none of the caller's, with our transid", async () => {
    seen.length = 0;
    const r = await sendExact(`${front.url}/resources/v1/customerprofile/4545`, { headers: { secretkey: "demo-telco-profile-key" } });
    expect(r.json).toMatchObject({ Status: 0, code: "1000", Records: [] });
    expect(seen[0]?.key).toBe("imiconnect-vendor-key");
    expect(seen[0]?.secretkey).toBeUndefined();
    expect(seen[0]?.transid).toBe(r.json.transid);
  });

  it("answers 7006 (unavailable), not 7001, when the vendor refuses the BFF's own key: the caller's key was fine", async () => {
    refuseKey = true;
    try {
      const r = await sendExact(`${front.url}/resources/v1/customerprofile/4545`, { headers: { key: "demo-telco-profile-key" } });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ Status: 1, code: "7006" });
    } finally {
      refuseKey = false;
    }
  });
});
