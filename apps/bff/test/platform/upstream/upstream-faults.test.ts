import type { IncomingMessage, ServerResponse } from "node:http";
import { CATEGORIES_READ_SCOPE, CATEGORIES_WRITE_SCOPE } from "@insights/contracts/categories";
import { SCORING_SCOPE } from "@insights/contracts/scoring";
import { SEGMENTS_SCOPE } from "@insights/contracts/segments";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sendExact, startTestApp, type TestApp } from "../../support/harness.js";
import { segmentRequestHeaders, startLoopbackServer, upstreamEnv, type LoopbackServer } from "../../support/upstream-fixtures.js";

/**
 * The BFF in front of a vendor that misbehaves: a small in-test HTTP server that delays, resets
 * connections, answers 5xx, malformed or oversized bodies, or redirects. Each failure comes back
 * as the family's documented unavailable/timeout error within the request's budget, nothing of
 * the vendor's body leaks, only read-only calls are retried, and the breaker opens and recovers.
 */

type Behaviour = (req: IncomingMessage, res: ServerResponse) => void;

type FaultServer = LoopbackServer & { hits: string[]; behave(b: Behaviour): void };

async function faultServer(): Promise<FaultServer> {
  let behaviour: Behaviour = (_req, res) => res.writeHead(500).end();
  const hits: string[] = [];
  const server = await startLoopbackServer((req, res) => {
    hits.push(`${req.method} ${req.url?.split("?")[0]}`);
    behaviour(req, res);
  });
  return { ...server, hits, behave: (b) => (behaviour = b) };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Behaviour => (_req, res) => {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
};
const reset: Behaviour = (req) => req.socket.destroy();
const stall: Behaviour = () => undefined;

const BUDGET_MS = 1_000;
/** What "within the deadline" allows beyond the budget: scheduling on a loaded two-core machine. */
const SLACK_MS = 750;
const LUIS_PHONE = "+34600000001";
const LUIS_MASSTACK = "123e4567-e89b-12d3-a456-556642440000";
const MAX_RESPONSE_BYTES = 16_384;

let vendor: FaultServer;
let elsewhere: FaultServer;
let front: TestApp;
let scoringToken: string;
let segmentsToken: string;
let categoriesToken: string;

beforeAll(async () => {
  vendor = await faultServer();
  elsewhere = await faultServer();
  front = await startTestApp({
    env: {
      ...upstreamEnv(vendor.url),
      REQUEST_TIMEOUT_MS: String(BUDGET_MS),
      MOBILE_SECTION_TIMEOUT_MS: "500",
      SCORING_UPSTREAM_RETRIES: "2",
      CATEGORIES_UPSTREAM_RETRIES: "2",
      UPSTREAM_BREAKER_FAILURES: "1000",
      UPSTREAM_MAX_RESPONSE_BYTES: String(MAX_RESPONSE_BYTES),
    },
  });
  scoringToken = await front.token({ scopes: [SCORING_SCOPE] });
  segmentsToken = await front.token({ scopes: [SEGMENTS_SCOPE] });
  categoriesToken = await front.token({ scopes: [CATEGORIES_READ_SCOPE, CATEGORIES_WRITE_SCOPE] });
}, 120_000);

afterAll(async () => {
  await front?.close();
  await vendor?.close();
  await elsewhere?.close();
});

beforeEach(() => {
  vendor.hits.length = 0;
  elsewhere.hits.length = 0;
});

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const startedAt = performance.now();
  const value = await work;
  return { value, ms: performance.now() - startedAt };
}

const scoring = (app: TestApp = front, correlator = "fault-1") =>
  timed(
    sendExact(`${app.url}/camara/customerinsights/scoring/retrieve`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${scoringToken}`, "x-correlator": correlator },
      body: JSON.stringify({ phoneNumber: LUIS_PHONE }),
    }),
  );
const listCategories = (app: TestApp = front) =>
  timed(sendExact(`${app.url}/v4/orgs/telco/customers/${LUIS_MASSTACK}/categories`, { headers: { authorization: `Bearer ${categoriesToken}` } }));
const addCategory = () =>
  timed(
    sendExact(`${front.url}/v4/orgs/telco/customers/${LUIS_MASSTACK}/categories`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${categoriesToken}` },
      body: JSON.stringify({ id: 214748365, value: "low" }),
    }),
  );
const segment = () =>
  timed(
    sendExact(`${front.url}/v1/customers/segments/retrieve`, {
      method: "POST",
      headers: segmentRequestHeaders(segmentsToken),
      body: JSON.stringify({ customerId: "321116471234" }),
    }),
  );
const profile = () => timed(sendExact(`${front.url}/resources/v1/customerprofile/4545`, { headers: { key: "demo-telco-profile-key" } }));

const CAMARA_UNAVAILABLE = { status: 503, code: "UNAVAILABLE", message: "Service Unavailable." };
const CAMARA_TIMEOUT = { status: 504, code: "TIMEOUT", message: "Request timeout exceeded." };
const MASSTACK_UNAVAILABLE = { errors: [{ error: { code: "MCUS.001.005", title: "Database error", ref: "http://", message: "Connection lost" } }] };
const MASSTACK_TIMEOUT = { errors: [{ error: { code: "MCUS.001.009", title: "Database error", ref: "http://", message: "Statement timeout" } }] };

describe("each upstream failure is the family's documented error, within the deadline", () => {
  it.each([
    ["a connection reset", reset, 3],
    ["a 503", json(503, { status: 503, code: "UNAVAILABLE", message: "vendor maintenance window db-7" }), 3],
    ["a 500", json(500, { status: 500, code: "INTERNAL", message: "NullPointerException at com.vendor" }), 1],
    ["a 502", json(502, { oops: true }), 1],
    ["a body that is not JSON", (_req: IncomingMessage, res: ServerResponse) => res.writeHead(200, { "content-type": "application/json" }).end("{not json"), 1],
    ["a body that breaks the contract", json(200, { scoringType: "gaugeMetric", scoringValue: "six hundred" }), 1],
    ["a status the contract does not list", json(418, { status: 418, code: "TEAPOT", message: "vendor teapot" }), 1],
    ["an HTML error page", (_req: IncomingMessage, res: ServerResponse) => res.writeHead(200, { "content-type": "text/html" }).end("<html>vendor</html>"), 1],
    ["an oversized body", json(200, { scoringType: "gaugeMetric", scoringValue: 600, padding: "x".repeat(MAX_RESPONSE_BYTES * 2) }), 1],
    [
      "an oversized body without content-length",
      (_req: IncomingMessage, res: ServerResponse) => {
        res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
        res.write(`{"scoringType":"gaugeMetric","scoringValue":600,"padding":"`);
        for (let i = 0; i < 8; i++) res.write("x".repeat(MAX_RESPONSE_BYTES / 4));
        res.end(`"}`);
      },
      1,
    ],
  ] as [string, Behaviour, number][])("CAMARA: %s → 503 UNAVAILABLE, retried only when worth it", async (_name, behaviour, expectedHits) => {
    vendor.behave(behaviour);
    const { value: r, ms } = await scoring();
    expect({ status: r.status, body: r.json }).toEqual({ status: 503, body: CAMARA_UNAVAILABLE });
    expect(r.headers.get("x-correlator")).toBe("fault-1");
    expect(r.text).not.toMatch(/vendor|db-7|NullPointer|TEAPOT|html|oops/);
    expect(ms).toBeLessThan(BUDGET_MS + SLACK_MS);
    expect(vendor.hits).toEqual(Array(expectedHits).fill("POST /camara/customerinsights/scoring/retrieve"));
  });

  it("CAMARA: a redirect is not followed → 503 UNAVAILABLE, and the other server sees nothing", async () => {
    vendor.behave((_req, res) => res.writeHead(302, { location: `${elsewhere.url}/camara/customerinsights/scoring/retrieve` }).end());
    const { value: r } = await scoring();
    expect({ status: r.status, body: r.json }).toEqual({ status: 503, body: CAMARA_UNAVAILABLE });
    expect(vendor.hits).toHaveLength(1);
    expect(elsewhere.hits).toEqual([]);
  });

  it("CAMARA: a vendor that never answers → 504 TIMEOUT at the request's budget", async () => {
    vendor.behave(stall);
    const { value: r, ms } = await scoring();
    expect({ status: r.status, body: r.json }).toEqual({ status: 504, body: CAMARA_TIMEOUT });
    expect(ms).toBeGreaterThanOrEqual(BUDGET_MS - 50);
    expect(ms).toBeLessThan(BUDGET_MS + SLACK_MS);
    expect(vendor.hits).toHaveLength(1);
  });

  it("CAMARA: headers sent, then a body that stalls → 504 TIMEOUT at the budget", async () => {
    vendor.behave((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(`{"scoringType":`);
    });
    const { value: r, ms } = await scoring();
    expect(r.status).toBe(504);
    expect(ms).toBeLessThan(BUDGET_MS + SLACK_MS);
  });

  it("CAMARA: a vendor 404 stays a 404 with the vendor's code, in our own words", async () => {
    vendor.behave(json(404, { status: 404, code: "IDENTIFIER_NOT_FOUND", message: "lookup failed on shard eu-3 <b>", internal: "trace" }));
    const { value: r } = await scoring();
    expect({ status: r.status, body: r.json }).toEqual({ status: 404, body: { status: 404, code: "IDENTIFIER_NOT_FOUND", message: "phoneNumber not found." } });
    expect(vendor.hits).toHaveLength(1);
  });

  it("CAMARA: a vendor 429 keeps its Retry-After, and is not retried", async () => {
    vendor.behave(json(429, { status: 429, code: "TOO_MANY_REQUESTS", message: "Rate limit reached." }, { "retry-after": "7" }));
    const { value: r } = await scoring();
    expect(r.status).toBe(429);
    expect(r.json.code).toBe("TOO_MANY_REQUESTS");
    expect(r.headers.get("retry-after")).toBe("7");
    expect(vendor.hits).toHaveLength(1);
  });

  it("MasStack: a read is retried on a reset (3 attempts), a write never is", async () => {
    vendor.behave(reset);
    const read = await listCategories();
    expect({ status: read.value.status, body: read.value.json }).toEqual({ status: 503, body: MASSTACK_UNAVAILABLE });
    expect(vendor.hits).toHaveLength(3);
    vendor.hits.length = 0;
    vendor.behave(json(503, { errors: [] }));
    const write = await addCategory();
    expect({ status: write.value.status, body: write.value.json }).toEqual({ status: 503, body: MASSTACK_UNAVAILABLE });
    expect(vendor.hits).toEqual(["POST /v4/orgs/telco/customers/123e4567-e89b-12d3-a456-556642440000/categories"]);
  });

  it("MasStack: a stalled read → 504 MCUS.001.009 within the budget, retries included", async () => {
    vendor.behave(stall);
    const { value: r, ms } = await listCategories();
    expect({ status: r.status, body: r.json }).toEqual({ status: 504, body: MASSTACK_TIMEOUT });
    expect(ms).toBeLessThan(BUDGET_MS + SLACK_MS);
  });

  it("MasStack: resets that keep coming stop at the deadline, never past it", async () => {
    let n = 0;
    vendor.behave((req) => setTimeout(() => req.socket.destroy(), n++ === 0 ? 700 : 400));
    const { value: r, ms } = await listCategories();
    expect([503, 504]).toContain(r.status);
    expect(ms).toBeLessThan(BUDGET_MS + SLACK_MS);
    expect(vendor.hits.length).toBeLessThanOrEqual(2);
  });

  it("MasStack: the history's Link to the vendor's host becomes one to ours; any other Link is dropped", async () => {
    const history = `/v4/orgs/telco/customers/${LUIS_MASSTACK}/categories/historical`;
    const read = () => sendExact(`${front.url}${history}?limit=1`, { headers: { authorization: `Bearer ${categoriesToken}` } });
    vendor.behave(json(200, { history: [] }, { link: `<https://customers.masstack.example${history}?limit=1&cursor=5>; rel="next"` }));
    const r = await read();
    expect(r.status).toBe(200);
    expect(r.headers.get("link")).toBe(`<${history}?limit=1&cursor=5>; rel="next"`);
    vendor.behave(json(200, { history: [] }, { link: `<https://evil.example/phish>; rel="next"` }));
    expect((await read()).headers.get("link")).toBeNull();
  });

  it("Citibanamex: a 5xx → 500 serverUnavailable of type fatal, with the request's uuid", async () => {
    vendor.behave(json(500, { type: "fatal", code: "serverUnavailable", details: "db01 down", uuid: "x" }));
    const { value: r } = await segment();
    expect(r.status).toBe(500);
    expect(r.json).toMatchObject({ type: "fatal", code: "serverUnavailable", details: "The request failed due to an internal error/server unavailability" });
    expect(r.text).not.toContain("db01");
    // Segment retrieval only reads, but a 500 is not worth a retry.
    expect(vendor.hits).toHaveLength(1);
  });

  it("Citibanamex: a vendor 404 stays resourceNotFound, its details kept only when plain text", async () => {
    vendor.behave(json(404, { type: "error", code: "resourceNotFound", details: "<script>alert(1)</script>", location: "body" }));
    const { value: r } = await segment();
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ code: "resourceNotFound", details: "The requested resource was not found", location: "body" });
    expect(r.text).not.toContain("script");
  });

  it("IMIconnect: a 5xx or a malformed body → HTTP 200 with 7006, as the vendor answers errors", async () => {
    for (const behaviour of [json(503, {}), json(200, { Status: 0, Description: "success", Records: "nope", code: "1000", transid: randomUUID() })]) {
      vendor.behave(behaviour);
      const { value: r } = await profile();
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ Status: 1, code: "7006", Description: "Internal error" });
      expect(r.json.transid).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("IMIconnect: the vendor's 7014 in an HTTP 200 stays 7014", async () => {
    vendor.behave(json(200, { Status: 1, Description: "Customer not found", code: "7014", transid: randomUUID() }));
    const { value: r } = await profile();
    expect(r.json).toMatchObject({ Status: 1, code: "7014", Description: "Customer not found" });
  });

  it("counts each failure by upstream and reason in /metrics", async () => {
    const text = (await sendExact(`${front.url}/metrics`, { headers: {} })).text;
    for (const reason of ["connection", "status", "invalid", "too_large", "timeout"]) {
      expect(text).toMatch(new RegExp(`^insights_bff_upstream_failures_total\\{upstream="scoring",reason="${reason}"\\} [1-9]`, "m"));
    }
  });
});

describe("the circuit breaker", () => {
  let guarded: TestApp;
  beforeAll(async () => {
    guarded = await startTestApp({
      env: { ...upstreamEnv(vendor.url), REQUEST_TIMEOUT_MS: String(BUDGET_MS), MOBILE_SECTION_TIMEOUT_MS: "500", UPSTREAM_BREAKER_FAILURES: "3", UPSTREAM_BREAKER_RESET_MS: "400" },
    });
  }, 60_000);
  afterAll(() => guarded?.close());

  const breakers = async () => ((await sendExact(`${guarded.url}/readyz`, { headers: {} })).json as { upstreams: Record<string, { breaker: string }> }).upstreams;

  it("opens after repeated failures, fails fast while open, and a successful half-open probe closes it", async () => {
    vendor.behave(json(500, {}));
    // A write is never retried: one attempt per request.
    for (let i = 0; i < 3; i++) expect((await addCategoryThrough(guarded)).status).toBe(503);
    expect(vendor.hits).toHaveLength(3);
    expect((await breakers()).categories).toEqual({ breaker: "open" });
    // The other families' breakers are their own.
    expect((await breakers()).scoring).toEqual({ breaker: "closed" });

    const fast = await listCategories(guarded);
    expect({ status: fast.value.status, body: fast.value.json }).toEqual({ status: 503, body: MASSTACK_UNAVAILABLE });
    expect(vendor.hits).toHaveLength(3);
    expect(fast.ms).toBeLessThan(200);
    // Readiness stays 200 while an upstream is down: the local families still answer.
    expect((await sendExact(`${guarded.url}/readyz`, { headers: {} })).status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, 500));
    vendor.behave(json(200, { categories: [] }));
    const probe = await listCategories(guarded);
    expect({ status: probe.value.status, body: probe.value.json }).toEqual({ status: 200, body: { categories: [] } });
    expect((await breakers()).categories).toEqual({ breaker: "closed" });
    const metrics = (await sendExact(`${guarded.url}/metrics`, { headers: {} })).text;
    expect(metrics).toMatch(/^insights_bff_upstream_breaker_state\{upstream="categories"\} 0$/m);
    expect(metrics).toMatch(/^insights_bff_upstream_failures_total\{upstream="categories",reason="breaker_open"\} 1$/m);
  });

  it("a failed probe opens it again", async () => {
    vendor.behave(json(500, {}));
    for (let i = 0; i < 3; i++) await addCategoryThrough(guarded);
    expect((await breakers()).categories).toEqual({ breaker: "open" });
    await new Promise((resolve) => setTimeout(resolve, 500));
    vendor.hits.length = 0;
    expect((await addCategoryThrough(guarded)).status).toBe(503);
    expect(vendor.hits).toHaveLength(1);
    expect((await breakers()).categories).toEqual({ breaker: "open" });
    expect((await listCategories(guarded)).value.status).toBe(503);
    expect(vendor.hits).toHaveLength(1);
  });
});

function addCategoryThrough(app: TestApp) {
  return sendExact(`${app.url}/v4/orgs/telco/customers/${LUIS_MASSTACK}/categories`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${categoriesToken}` },
    body: JSON.stringify({ id: 214748365, value: "low" }),
  });
}
