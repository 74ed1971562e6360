import { recordTestSecret } from "@insights/config/testing";
import { SCORING_SCOPE } from "@insights/contracts/scoring";

import { announceSkip } from "@insights/store/testing";
import express from "express";
import { MemoryStore, rateLimit, type RateLimitInfo, type Store } from "express-rate-limit";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { budgetHeaders } from "../../../src/platform/http/rate-limit.js";
import { connectRedisRateLimitStores, type SharedRateLimitStores } from "../../../src/platform/http/rate-limit-store.js";
import { send, startTestApp, type TestApp } from "../../support/harness.js";

const SCORING = "/camara/customerinsights/scoring/retrieve";
const LUIS = "+34600000001";
const PROFILE_KEY = "demo-telco-profile-key";

/** A scoring request as a given caller (3-legged: the body may be empty). */
function score(app: TestApp, authorization: string, extra: Record<string, string> = {}) {
  return send(app.url + SCORING, { method: "POST", headers: { "content-type": "application/json", authorization, ...extra }, body: "{}" });
}

const statuses = async (requests: (() => Promise<{ status: number }>)[]) => {
  const out: number[] = [];
  for (const request of requests) out.push((await request()).status);
  return out;
};

describe("the client-address budget (before authentication)", () => {
  let app: TestApp;
  // Behind one proxy hop, so each test can be its own client address (X-Forwarded-For).
  beforeAll(async () => {
    app = await startTestApp({ env: { RATE_LIMIT_MAX: "100", RATE_LIMIT_ADDRESS_MAX: "3", TRUST_PROXY_HOPS: "1" } });
  });
  afterAll(() => app.close());

  it.each([
    ["camara", "/camara/customerinsights/x", "203.0.113.1", (b: Record<string, unknown>) => b.code, "TOO_MANY_REQUESTS", 429],
    ["citibanamex", "/v1/customers/x", "203.0.113.2", (b: Record<string, unknown>) => b.code, "tooManyRequests", 429],
    ["masstack", "/v4/orgs/telco/x", "203.0.113.3", (b: Record<string, unknown>) => (b.errors as { error: { code: string } }[])[0]!.error.code, "MCUS.999.993", 429],
    ["imiconnect", "/resources/v1/x", "203.0.113.4", (b: Record<string, unknown>) => b.code, "7429", 200],
    ["mobile (problem details)", "/mobile/v1/x", "203.0.113.5", (b: Record<string, unknown>) => b.status, 429, 429],
  ])("answers the limit in %s format, with Retry-After", async (_family, path, address, codeOf, code, status) => {
    const headers = { "x-forwarded-for": address };
    for (let i = 0; i < 3; i += 1) expect((await send(app.url + path, { headers })).status).not.toBe(429);
    const r = await send(app.url + path, { headers });
    expect(r.status).toBe(status);
    expect(codeOf(r.json)).toBe(code);
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("counts requests whose tokens fail verification against the address: a new token per request buys nothing", async () => {
    const headers = { "x-forwarded-for": "203.0.113.10" };
    const invented = (i: number) => () => score(app, `Bearer invented.token.${i}`, headers);
    expect(await statuses([invented(1), invented(2), invented(3), invented(4)])).toEqual([401, 401, 401, 429]);
  });

  it("counts unknown API keys against the address too", async () => {
    const headers = (i: number) => ({ "x-forwarded-for": "203.0.113.11", key: `guess-${i}` });
    const guess = (i: number) => () => send(`${app.url}/resources/v1/customerprofile/4545`, { headers: headers(i) });
    const answers = [];
    for (const request of [guess(1), guess(2), guess(3), guess(4)]) answers.push((await request()).json.code);
    expect(answers).toEqual(["7001", "7001", "7001", "7429"]);
  });

  it("never limits health checks", async () => {
    for (let i = 0; i < 5; i++) expect((await send(`${app.url}/healthz`, { headers: { "x-forwarded-for": "203.0.113.12" } })).status).toBe(200);
  });
});

describe("the caller budget (after authentication)", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { RATE_LIMIT_MAX: "2", RATE_LIMIT_ADDRESS_MAX: "1000" } });
  });
  afterAll(() => app.close());

  it("answers 429 in CAMARA format with Retry-After and the x-correlator after RATE_LIMIT_MAX requests", async () => {
    const token = await app.token({ scopes: [SCORING_SCOPE], phoneNumber: LUIS, subject: "caller-a" });
    await score(app, `Bearer ${token}`);
    await score(app, `Bearer ${token}`);
    const r = await score(app, `Bearer ${token}`, { "x-correlator": "c-1" });
    expect(r.status).toBe(429);
    expect(r.json).toEqual({ status: 429, code: "TOO_MANY_REQUESTS", message: "Rate limit reached." });
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(r.headers.get("x-correlator")).toBe("c-1");
  });

  it("advertises the caller's budget (IETF draft 8 headers), and only that one: the address budget is a flood guard", async () => {
    const token = await app.token({ scopes: [SCORING_SCOPE], phoneNumber: LUIS, subject: "caller-headers" });
    const r = await score(app, `Bearer ${token}`);
    expect(r.status).toBe(200);
    expect(r.headers.get("ratelimit-policy")).toMatch(/^"2-in-1min"; q=2; w=60; pk=:[A-Za-z0-9+/=]+:$/);
    expect(r.headers.get("ratelimit")).toBe('"2-in-1min"; r=1; t=60');
    const health = await send(`${app.url}/healthz`);
    expect(health.headers.get("ratelimit-policy")).toBeNull();
  });

  it("advertises it on the 429 too, and under one partition key per caller", async () => {
    const first = await app.token({ scopes: [SCORING_SCOPE], phoneNumber: LUIS, subject: "caller-pk-1" });
    const second = await app.token({ scopes: [SCORING_SCOPE], phoneNumber: LUIS, subject: "caller-pk-2" });
    const answers = [await score(app, `Bearer ${first}`), await score(app, `Bearer ${first}`), await score(app, `Bearer ${first}`), await score(app, `Bearer ${second}`)];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 429, 200]);
    expect(answers.map((r) => r.headers.get("ratelimit"))).toEqual(['"2-in-1min"; r=1; t=60', '"2-in-1min"; r=0; t=60', '"2-in-1min"; r=0; t=60', '"2-in-1min"; r=1; t=60']);
    const policies = answers.map((r) => r.headers.get("ratelimit-policy"));
    expect(new Set(policies.slice(0, 3)).size).toBe(1);
    expect(policies[3]).not.toBe(policies[0]);
  });

  it("counts each caller separately", async () => {
    const token = await app.token({ scopes: [SCORING_SCOPE], phoneNumber: LUIS, subject: "caller-b" });
    expect((await score(app, `Bearer ${token}`)).status).toBe(200);
  });

  it("counts one token however its scheme is spelt (Bearer, bearer, BEARER)", async () => {
    const token = await app.token({ scopes: [SCORING_SCOPE], phoneNumber: LUIS, subject: "caller-c" });
    expect(await statuses([() => score(app, `Bearer ${token}`), () => score(app, `bearer ${token}`), () => score(app, `BEARER ${token}`)])).toEqual([200, 200, 429]);
  });

  it("counts one caller whatever token it presents: two tokens of one subject share a budget", async () => {
    const first = await app.token({ scopes: [SCORING_SCOPE], phoneNumber: LUIS, subject: "caller-d", expiresInSeconds: 600 });
    const second = await app.token({ scopes: [SCORING_SCOPE], phoneNumber: LUIS, subject: "caller-d", expiresInSeconds: 900 });
    expect(first).not.toBe(second);
    expect(await statuses([() => score(app, `Bearer ${first}`), () => score(app, `Bearer ${second}`), () => score(app, `Bearer ${first}`)])).toEqual([200, 200, 429]);
  });

  it("counts a valid IMIconnect key sent beside a random Authorization header as one caller", async () => {
    const call = (i: number) => () =>
      send(`${app.url}/resources/v1/customerprofile/4545`, { headers: { key: PROFILE_KEY, authorization: `Bearer random-${i}-${Math.random()}` } });
    const codes = [];
    for (const request of [call(1), call(2), call(3)]) codes.push((await request()).json.code);
    expect(codes).toEqual(["1000", "1000", "7429"]);
  });
});

describe("a caller counter store that fails (Redis away)", () => {
  it("fails the request in its family's format, with none of the store's text", async () => {
    const failing: Store = {
      increment: () => Promise.reject(new Error("connection to redis at 10.0.0.7:6379 lost")),
      decrement: () => undefined,
      resetKey: () => undefined,
    };
    const app = await startTestApp({ rateLimitStores: { address: new MemoryStore(), caller: failing } });
    try {
      const token = await app.token({ scopes: [SCORING_SCOPE], phoneNumber: LUIS, subject: "caller-store-down" });
      const r = await score(app, `Bearer ${token}`);
      expect(r.status).toBe(500);
      expect(r.json).toMatchObject({ status: 500, code: "INTERNAL" });
      expect(r.text).not.toMatch(/redis|10\.0\.0\.7/);
      // A public route counts against no caller: it still answers.
      expect((await send(`${app.url}/healthz`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe("the budget headers", () => {
  // express-rate-limit's own draft-8 headers and ours, set on one answer of a real Express app:
  // the same limiter's count, so they must be the same bytes.
  it.each([
    [5, 1_000, "5-in-1sec"],
    [7, 90_000, "7-in-1.5min"],
    [100, 60 * 60_000, "100-in-1hr"],
    [3, 2 * 60 * 60_000, "3-in-2hrs"],
    [9, 2 * 24 * 60 * 60_000, "9-in-2days"],
  ])("are express-rate-limit's draft-8 headers byte for byte (limit %i, window %i ms)", async (limit, windowMs, name) => {
    const ours = budgetHeaders(limit, windowMs);
    const app = express();
    app.use(rateLimit({ limit, windowMs, standardHeaders: "draft-8", legacyHeaders: false, keyGenerator: (req) => `token:telco:${req.path}` }));
    app.get("/*", (req, res) => {
      const theirs = [res.getHeader("ratelimit"), res.getHeader("ratelimit-policy")];
      res.removeHeader("ratelimit");
      res.removeHeader("ratelimit-policy");
      ours(res, (req as unknown as { rateLimit: RateLimitInfo }).rateLimit);
      res.json({ theirs, ours: [res.getHeader("ratelimit"), res.getHeader("ratelimit-policy")] });
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      for (const path of ["/a", "/a", "/b"]) {
        const { theirs, ours: mine } = (await send(url + path)).json as { theirs: string[]; ours: string[] };
        expect(theirs[0]).toMatch(new RegExp(`^"${name}"; r=\\d+; t=\\d+$`));
        expect(mine).toEqual(theirs);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("unknown API keys", () => {
  it("are remembered as unknown (no store query per guess, by keyed hash only), and a key created since is found at once", async () => {
    const app = await startTestApp();
    try {
      const key = "created-after-a-miss";
      recordTestSecret("API key", key, "the key rate-limit.test created");
      const profile = () => send(`${app.url}/resources/v1/customerprofile/4545`, { headers: { key } });
      expect((await profile()).json.code).toBe("7001");
      const remembered = app.store.readCache!.keys().filter((k) => k.startsWith("api-key"));
      expect(remembered).toHaveLength(1);
      expect(remembered[0]).not.toContain(key);
      await app.store.createApiKey("telco", "late key", key);
      expect((await profile()).json.code).toBe("1000");
    } finally {
      await app.close();
    }
  });
});

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) announceSkip("Redis rate-limit", "REDIS_URL");

describe.skipIf(!redisUrl)("rate limit shared through Redis", () => {
  // Two replicas: each its own Redis connection and stores, one shared key prefix.
  const prefix = `insights-bff-test:${process.pid}:${Date.now()}:`;
  let connections: SharedRateLimitStores[] = [];
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    connections = [await connectRedisRateLimitStores(redisUrl!, prefix), await connectRedisRateLimitStores(redisUrl!, prefix)];
    first = await startTestApp({ env: { RATE_LIMIT_MAX: "3" }, rateLimitStores: connections[0]!.stores });
    second = await startTestApp({ env: { RATE_LIMIT_MAX: "3" }, rateLimitStores: connections[1]!.stores, store: first.store });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    for (const connection of connections) await connection.close();
  });

  it("counts one caller across two app instances", async () => {
    const token = await first.token({ scopes: [SCORING_SCOPE], phoneNumber: LUIS, subject: "shared-caller" });
    const answers = await statuses([first, second, first, second].map((app) => () => score(app, `Bearer ${token}`)));
    expect(answers).toEqual([200, 200, 200, 429]);
  });
});
