import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPgliteTestStore } from "@insights/store/testing";
import { send, startTestApp, type TestApp } from "../support/harness.js";

describe("health and readiness", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { CORS_ORIGINS: "https://app.example.com" } });
  });
  afterAll(() => app.close());

  it("GET /healthz answers 200 ok", async () => {
    const r = await send(`${app.url}/healthz`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: "ok" });
  });

  it("GET /openapi.json serves the document generated from the contracts", async () => {
    const r = await send(`${app.url}/openapi.json`);
    expect(r.status).toBe(200);
    expect(r.json.openapi).toMatch(/^3\./);
    expect(Object.keys(r.json.paths as object)).toContain("/v4/orgs/{org_id}/customers/{customer_id}/categories/historical");
  });

  it("GET /readyz answers 200 while the store answers", async () => {
    const r = await send(`${app.url}/readyz`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: "ready" });
  });

  it("sends API security headers and no-store on every response", async () => {
    const r = await send(`${app.url}/healthz`);
    expect(r.headers.get("cache-control")).toBe("no-store");
    expect(r.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(r.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    expect(r.headers.get("cross-origin-resource-policy")).toBe("same-origin");
    expect(r.headers.get("referrer-policy")).toBe("no-referrer");
    expect(r.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(r.headers.get("x-powered-by")).toBeNull();
    expect(r.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("keeps a well-formed incoming x-request-id", async () => {
    const r = await send(`${app.url}/healthz`, { headers: { "x-request-id": "abc-123" } });
    expect(r.headers.get("x-request-id")).toBe("abc-123");
  });

  it("allows CORS only for configured origins", async () => {
    const allowed = await send(`${app.url}/healthz`, { headers: { origin: "https://app.example.com" } });
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const other = await send(`${app.url}/healthz`, { headers: { origin: "https://evil.example.com" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("GET /readyz answers 503 once shutdown has begun", async () => {
    app.lifecycle.shuttingDown = true;
    try {
      const r = await send(`${app.url}/readyz`);
      expect(r.status).toBe(503);
      expect(r.json).toMatchObject({ status: 503, type: "urn:insights:problem:unavailable" });
    } finally {
      app.lifecycle.shuttingDown = false;
    }
  });
});

describe("readiness when the store is gone", () => {
  it("GET /readyz answers 503 and /healthz still 200", async () => {
    const store = await openPgliteTestStore();
    const app = await startTestApp({ store });
    try {
      await store.close();
      const ready = await send(`${app.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.text).not.toMatch(/pglite|closed|stack/i);
      expect((await send(`${app.url}/healthz`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
