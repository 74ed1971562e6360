import { announceSkip } from "@insights/store/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectRedisRateLimitStore, type SharedRateLimitStore } from "../src/http/rate-limit-store.js";
import { send, startTestApp, type TestApp } from "./harness.js";

describe("rate limit (in-memory store)", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { RATE_LIMIT_MAX: "2", RATE_LIMIT_WINDOW_MS: "60000" } });
  });
  afterAll(() => app.close());

  it("answers 429 in CAMARA format with Retry-After and x-correlator after RATE_LIMIT_MAX requests", async () => {
    const path = `${app.url}/camara/customerinsights/anything`;
    const headers = { authorization: "Bearer caller-a", "x-correlator": "c-1" };
    await send(path, { headers });
    await send(path, { headers });
    const r = await send(path, { headers });
    expect(r.status).toBe(429);
    expect(r.json).toEqual({ status: 429, code: "TOO_MANY_REQUESTS", message: "Rate limit reached." });
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(r.headers.get("x-correlator")).toBe("c-1");
  });

  it("counts each caller separately", async () => {
    const r = await send(`${app.url}/camara/customerinsights/anything`, { headers: { authorization: "Bearer caller-b" } });
    expect(r.status).not.toBe(429);
  });

  it.each([
    ["citibanamex", "/v1/customers/x", (b: Record<string, unknown>) => b.code, "tooManyRequests", 429],
    ["masstack", "/v4/orgs/telco/x", (b: Record<string, unknown>) => (b.errors as { error: { code: string } }[])[0]!.error.code, "MCUS.999.993", 429],
    ["imiconnect", "/resources/v1/x", (b: Record<string, unknown>) => b.code, "7429", 200],
  ])("answers the limit in %s format", async (_family, path, codeOf, code, status) => {
    const headers = { key: `key-for-${path}` };
    await send(app.url + path, { headers });
    await send(app.url + path, { headers });
    const r = await send(app.url + path, { headers });
    expect(r.status).toBe(status);
    expect(codeOf(r.json)).toBe(code);
    expect(r.headers.get("retry-after")).not.toBeNull();
  });

  it("never limits health checks", async () => {
    for (let i = 0; i < 4; i++) expect((await send(`${app.url}/healthz`)).status).toBe(200);
  });
});

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) announceSkip("Redis rate-limit", "REDIS_URL");

describe.skipIf(!redisUrl)("rate limit shared through Redis", () => {
  // Two replicas: each its own Redis connection and store, one shared key prefix.
  const prefix = `insights-bff-test:${process.pid}:${Date.now()}:`;
  let connections: SharedRateLimitStore[] = [];
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    connections = [await connectRedisRateLimitStore(redisUrl!, prefix), await connectRedisRateLimitStore(redisUrl!, prefix)];
    first = await startTestApp({ env: { RATE_LIMIT_MAX: "3" }, rateLimitStore: connections[0]!.store });
    second = await startTestApp({ env: { RATE_LIMIT_MAX: "3" }, rateLimitStore: connections[1]!.store, store: first.store });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    for (const connection of connections) await connection.close();
  });

  it("counts one caller across two app instances", async () => {
    const headers = { authorization: "Bearer shared-caller" };
    const statuses = [];
    for (const app of [first, second, first, second]) statuses.push((await send(`${app.url}/camara/x`, { headers })).status);
    expect(statuses.slice(0, 3)).not.toContain(429);
    expect(statuses[3]).toBe(429);
  });
});
