import { randomUUID } from "node:crypto";
import { CATEGORIES_READ_SCOPE, CATEGORIES_WRITE_SCOPE } from "@insights/contracts/categories";
import { SCORING_SCOPE } from "@insights/contracts/scoring";
import { SEGMENTS_SCOPE } from "@insights/contracts/segments";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendExact, startTestApp, type TestApp } from "../../support/harness.js";
import { segmentRequestHeaders, upstreamEnv } from "../../support/upstream-fixtures.js";

/**
 * A BFF whose four families are `upstream` in front of a BFF that answers them from its store
 * (`local`), both trusting the same development identity provider and holding the same demo
 * API keys: every family's successes and errors come back identical through both — status,
 * body and the headers a client reads.
 */

const NOW = new Date("2026-03-14T17:00:00Z"); // Luis's birthday in Mexico City
const LUIS_PHONE = "+34600000001";
const LUIS_CITI = "321116471234";
const LUIS_CARD = "4969452123456110";
const LUIS_MASSTACK = "123e4567-e89b-12d3-a456-556642440000";
const ANA_MASSTACK = "9d7c1a52-1b7e-4c55-8a8e-2f1f3c9a0b01";
const PROFILE_KEY = "demo-telco-profile-key";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Spec = { method: string; path: string; headers: Record<string, string>; body?: unknown };
type Answer = { status: number; headers: Record<string, string | null>; body: unknown };

/** The headers a client of the families reads; `sid` is compared by shape (a session of the same client). */
const COMPARED_HEADERS = ["content-type", "x-correlator", "retry-after", "link", "cache-control", "allow"];

let local: TestApp;
let front: TestApp;
let tokens: Record<"scoring" | "scoringLuis" | "segments" | "read" | "write" | "noScope" | "otherOrg", string>;

async function call(app: TestApp, spec: Spec): Promise<Answer> {
  const body = spec.body === undefined ? undefined : typeof spec.body === "string" ? spec.body : JSON.stringify(spec.body);
  const r = await sendExact(app.url + spec.path, { method: spec.method, headers: spec.headers, ...(body !== undefined ? { body } : {}) });
  const headers = Object.fromEntries(COMPARED_HEADERS.map((name) => [name, r.headers.get(name)]));
  headers.sid = r.headers.get("sid") === null ? null : "<sid>";
  return { status: r.status, headers, body: normalised(r.json ?? r.text) };
}

/** IMIconnect's transid is fresh per request (each BFF stamps its own): compared by shape. */
function normalised(body: unknown): unknown {
  if (typeof body !== "object" || body === null || !("transid" in body)) return body;
  const transid = (body as { transid: unknown }).transid;
  expect(transid).toMatch(UUID);
  return { ...body, transid: "<uuid>" };
}

async function both(spec: Spec): Promise<{ local: Answer; front: Answer }> {
  return { local: await call(local, spec), front: await call(front, spec) };
}

async function expectSame(spec: Spec, expected: { status: number; code?: string }) {
  const answers = await both(spec);
  expect(answers.front).toEqual(answers.local);
  expect(answers.local.status).toBe(expected.status);
  if (expected.code !== undefined) expect(JSON.stringify(answers.local.body)).toContain(`"${expected.code}"`);
  return answers.front;
}

const json = { "content-type": "application/json" };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const scoring = (token: string | undefined, body: unknown, extra: Record<string, string> = {}): Spec => ({
  method: "POST",
  path: "/camara/customerinsights/scoring/retrieve",
  headers: { ...json, ...(token ? bearer(token) : {}), ...extra },
  body,
});
const segment = (token: string, body: unknown, extra: Record<string, string> = {}, path = "/v1/customers/segments/retrieve"): Spec => ({
  method: "POST",
  path,
  headers: segmentRequestHeaders(token, extra),
  body,
});
const categories = (method: string, path: string, token: string, body?: unknown, extra: Record<string, string> = {}): Spec => ({
  method,
  path: `/v4/orgs/telco${path}`,
  headers: { ...bearer(token), ...(body !== undefined ? json : {}), ...extra },
  ...(body !== undefined ? { body } : {}),
});
const profiles = (path: string, headers: Record<string, string> = { key: PROFILE_KEY }): Spec => ({ method: "GET", path: `/resources/v1/customerprofile${path}`, headers });

beforeAll(async () => {
  local = await startTestApp({ now: () => NOW });
  front = await startTestApp({ now: () => NOW, env: upstreamEnv(local.url) });
  tokens = {
    scoring: await local.token({ scopes: [SCORING_SCOPE] }),
    scoringLuis: await local.token({ scopes: [SCORING_SCOPE], phoneNumber: LUIS_PHONE }),
    segments: await local.token({ scopes: [SEGMENTS_SCOPE] }),
    read: await local.token({ scopes: [CATEGORIES_READ_SCOPE] }),
    write: await local.token({ scopes: [CATEGORIES_READ_SCOPE, CATEGORIES_WRITE_SCOPE] }),
    noScope: await local.token({ scopes: [] }),
    otherOrg: await local.token({ scopes: [CATEGORIES_READ_SCOPE, SCORING_SCOPE], orgId: "other" }),
  };
}, 120_000);

afterAll(async () => {
  await front?.close();
  await local?.close();
});

describe("CAMARA scoring through an upstream BFF", () => {
  it("answers the same scores, on both paths and scales, echoing x-correlator", async () => {
    await expectSame(scoring(tokens.scoring, { phoneNumber: LUIS_PHONE }, { "x-correlator": "abc-123" }), { status: 200 });
    await expectSame(scoring(tokens.scoring, { phoneNumber: LUIS_PHONE, scoringType: "veritasIndex" }), { status: 200 });
    await expectSame(scoring(tokens.scoringLuis, {}), { status: 200 });
    await expectSame({ ...scoring(tokens.scoring, { phoneNumber: LUIS_PHONE }), path: "/customer-insights/v0.2/scoring/retrieve" }, { status: 200 });
  });

  it.each([
    ["401 without a token", () => scoring(undefined, { phoneNumber: LUIS_PHONE }), 401, "UNAUTHENTICATED"],
    ["403 without the scope", () => scoring(tokens.noScope, { phoneNumber: LUIS_PHONE }), 403, "PERMISSION_DENIED"],
    ["400 for an unknown field", () => scoring(tokens.scoring, { phoneNumber: LUIS_PHONE, extra: 1 }), 400, "INVALID_ARGUMENT"],
    ["404 IDENTIFIER_NOT_FOUND", () => scoring(tokens.scoring, { phoneNumber: "+34699999999" }, { "x-correlator": "c-404" }), 404, "IDENTIFIER_NOT_FOUND"],
    ["404 for another organisation's subscriber", () => scoring(tokens.scoring, { phoneNumber: "+34600000009" }), 404, "IDENTIFIER_NOT_FOUND"],
    ["422 SERVICE_NOT_APPLICABLE for a business line", () => scoring(tokens.scoring, { phoneNumber: "+34600000002" }), 422, "SERVICE_NOT_APPLICABLE"],
    ["422 UNNECESSARY_IDENTIFIER", () => scoring(tokens.scoringLuis, { phoneNumber: LUIS_PHONE }), 422, "UNNECESSARY_IDENTIFIER"],
    ["422 MISSING_IDENTIFIER", () => scoring(tokens.scoring, {}), 422, "MISSING_IDENTIFIER"],
    ["422 INVALID_IDENTIFIERS", () => scoring(tokens.scoring, { phoneNumber: LUIS_PHONE, idDocument: "11111111H" }), 422, "CUSTOMER_INSIGHTS.INVALID_IDENTIFIERS"],
    ["404 NOT_FOUND for an unknown idDocument", () => scoring(tokens.scoring, { phoneNumber: LUIS_PHONE, idDocument: "00000000T" }), 404, "NOT_FOUND"],
  ] as const)("answers %s alike", async (_name, spec, status, code) => {
    await expectSame(spec(), { status, code });
  });
});

describe("Citibanamex segments through an upstream BFF", () => {
  it("answers the same customer by customerId, by card, under /api", async () => {
    await expectSame(segment(tokens.segments, { customerId: LUIS_CITI }), { status: 200 });
    await expectSame(segment(tokens.segments, { cardNumber: LUIS_CARD }), { status: 200 });
    await expectSame(segment(tokens.segments, { customerId: LUIS_CITI }, {}, "/api/v1/customers/segments/retrieve"), { status: 200 });
  });

  it("passes the key exchange's sid back, and that session is live through either", async () => {
    const keyExchange = { method: "GET", path: "/v1/x-global/security/e2e-gateway/public-key/retrieve", headers: { ...bearer(tokens.segments), client_id: "demo-mobile-app", accept: "application/json", uuid: randomUUID() } };
    const through = await sendExact(front.url + keyExchange.path, keyExchange);
    expect(through.status).toBe(200);
    const sid = through.headers.get("sid");
    expect(sid).toMatch(/^[A-Za-z0-9_-]{16,128}$/);
    expect(Object.keys(through.json).sort()).toEqual(["expiresAt", "exponent", "modulus"]);
    await expectSame(segment(tokens.segments, { customerId: LUIS_CITI }, { sid: sid! }), { status: 200 });
    await expectSame(segment(tokens.segments, { customerId: LUIS_CITI }, { sid: "A".repeat(32) }), { status: 401, code: "unAuthorized" });
  });

  it.each([
    ["404 resourceNotFound", () => segment(tokens.segments, { customerId: "999999999999" }), 404, "resourceNotFound"],
    ["404 for an unknown card", () => segment(tokens.segments, { cardNumber: "4000000000000002" }), 404, "resourceNotFound"],
    ["403 accessNotConfigured for an unregistered channel", () => segment(tokens.segments, { customerId: LUIS_CITI }, { channelid: "ATM" }), 403, "accessNotConfigured"],
    ["403 for a client of another organisation", () => segment(tokens.segments, { customerId: LUIS_CITI }, { client_id: "other-app" }), 403, "accessNotConfigured"],
    ["403 without the scope", () => segment(tokens.noScope, { customerId: LUIS_CITI }), 403, "accessNotConfigured"],
    ["400 invalidRequest for a bad customerId", () => segment(tokens.segments, { customerId: "32111647123A" }), 400, "invalidRequest"],
  ] as const)("answers %s alike (the request's uuid in the body)", async (_name, spec, status, code) => {
    const built = spec();
    const answer = await expectSame(built, { status, code });
    expect((answer.body as { uuid?: string }).uuid).toBe(built.headers.uuid);
  });
});

describe("MasStack categories through an upstream BFF", () => {
  it("reads alike: list, one, history, catalogue", async () => {
    await expectSame(categories("GET", `/customers/${LUIS_MASSTACK}/categories`, tokens.read), { status: 200 });
    await expectSame(categories("GET", `/customers/${LUIS_MASSTACK}/categories/214748364`, tokens.read), { status: 200 });
    await expectSame(categories("GET", `/customers/${LUIS_MASSTACK}/categories/historical`, tokens.read), { status: 200 });
    await expectSame(categories("GET", `/customers/${LUIS_MASSTACK}/categories/historical?limit=1`, tokens.read), { status: 200 });
    await expectSame(categories("GET", "/categories", tokens.read), { status: 200 });
  });

  it.each([
    ["404 for an unknown customer", () => categories("GET", `/customers/${randomUUID()}/categories`, tokens.read), 404, "MCUS.999.997"],
    ["404 for another organisation's customer", () => categories("GET", `/customers/${ANA_MASSTACK}/categories`, tokens.read), 404, "MCUS.999.997"],
    ["404 for a category the customer lacks", () => categories("GET", `/customers/${LUIS_MASSTACK}/categories/214748365`, tokens.read), 404, "MCUS.999.997"],
    ["403 for another organisation's token", () => categories("GET", `/customers/${LUIS_MASSTACK}/categories`, tokens.otherOrg), 403, "MCUS.999.995"],
    ["403 for a role that does not allow reading", () => categories("GET", `/customers/${LUIS_MASSTACK}/categories`, tokens.read, undefined, { "x-auth-roles": "ADMIN" }), 403, "MCUS.999.995"],
    ["403 for a write with a read-only token", () => categories("DELETE", `/customers/${LUIS_MASSTACK}/categories/214748364`, tokens.read), 403, "MCUS.999.995"],
    ["400 for a bad body", () => categories("POST", `/customers/${LUIS_MASSTACK}/categories`, tokens.write, { id: "x" }), 400, "MCUS.999.998"],
  ] as const)("answers %s alike", async (_name, spec, status, code) => {
    await expectSame(spec(), { status, code });
  });

  it("writes through the upstream: add 201, then 409 alike; patch 204; delete 204, then 404 alike", async () => {
    const path = `/customers/${LUIS_MASSTACK}/categories`;
    const add = categories("POST", path, tokens.write, { id: 214748365, value: "low", reason: "through the front" });
    expect((await call(front, add)).status).toBe(201);
    await expectSame(add, { status: 409, code: "MCUS.999.994" });
    expect((await call(front, categories("PATCH", `${path}/214748365`, tokens.write, { value: "high" }))).status).toBe(204);
    const one = await expectSame(categories("GET", `${path}/214748365`, tokens.read), { status: 200 });
    expect(one.body).toMatchObject({ id: 214748365, value: "high" });
    const remove = categories("DELETE", `${path}/214748365`, tokens.write);
    expect((await call(front, remove)).status).toBe(204);
    await expectSame(remove, { status: 404, code: "MCUS.999.997" });
    await expectSame(categories("GET", `${path}/historical`, tokens.read), { status: 200 });
  });

  it("adds to the catalogue through the upstream, then 409 alike", async () => {
    const add = categories("POST", "/categories", tokens.write, { categories: [{ name: `tier_${Date.now()}`, valid_values: ["gold", null] }] });
    expect((await call(front, add)).status).toBe(201);
    await expectSame(add, { status: 409, code: "MCUS.999.994" });
  });
});

describe("IMIconnect profiles through an upstream BFF", () => {
  it("answers the same profiles, single and several, at every showinwardlinks level", async () => {
    await expectSame(profiles("/4545?showinwardlinks=0"), { status: 200 });
    await expectSame(profiles("/100001?showinwardlinks=1"), { status: 200 });
    await expectSame(profiles("/100001?showinwardlinks=2"), { status: 200 });
    await expectSame(profiles("?customerId=2134&customerId=2142&showinwardlinks=0"), { status: 200 });
    await expectSame(profiles("?customerId=2142&customerId=9999&customerId=2134"), { status: 200 });
    await expectSame(profiles("/4545", { secretkey: PROFILE_KEY }), { status: 200 });
  });

  it("stamps the answer with its own transid", async () => {
    const r = await sendExact(`${front.url}/resources/v1/customerprofile/4545`, { headers: { key: PROFILE_KEY } });
    expect(r.json.transid).toMatch(UUID);
    // The front's own transaction id: its access line carries it, and the local BFF never saw it as its own.
    expect(front.logs.some((line) => line.msg === "request completed" && line.transid === r.json.transid)).toBe(true);
    expect(local.logs.some((line) => line.msg === "request completed" && line.transid === r.json.transid)).toBe(false);
  });

  it.each([
    ["7014 for an unknown customer", () => profiles("/777777"), "7014"],
    ["7014 for another organisation's customer", () => profiles("/9999"), "7014"],
    ["7001 for a wrong key", () => profiles("/4545", { key: "not-a-key" }), "7001"],
    ["7001 without a key", () => profiles("/4545", {}), "7001"],
    ["7012 for too many ids", () => profiles(`?${Array.from({ length: 21 }, (_, i) => `customerId=${1000 + i}`).join("&")}`), "7012"],
  ] as const)("answers %s alike (HTTP 200, as the vendor)", async (_name, spec, code) => {
    const answer = await expectSame(spec(), { status: 200, code });
    expect(answer.body).toMatchObject({ Status: 1, code });
  });
});

describe("the upstream calls", () => {
  it("are logged by the front with its request id, family and contract route, never the path", async () => {
    const requestId = `req-${randomUUID()}`;
    await sendExact(`${front.url}/resources/v1/customerprofile/4545`, { headers: { key: PROFILE_KEY, "x-request-id": requestId } });
    const line = front.logs.find((l) => l.msg === "upstream call" && l.requestId === requestId);
    expect(line).toMatchObject({ upstream: "profiles", route: "getCustomerProfile", status: 200, attempt: 0 });
    expect(JSON.stringify(line)).not.toContain("customerprofile");
    // The time, request id and transid are generated, so they may hold the id's digits by chance (a CI run's time did).
    const generated = new Set(["time", "requestId", "upstreamTransid"]);
    const described = Object.entries(line ?? {}).filter(([key]) => !generated.has(key));
    expect(JSON.stringify(described)).not.toContain("4545");
    // The local BFF logged the same call under the transid the front sent.
    expect(typeof line?.upstreamTransid).toBe("string");
  });

  it("reports each upstream's breaker in /readyz, closed", async () => {
    const r = await sendExact(`${front.url}/readyz`, { headers: {} });
    expect(r.json).toEqual({
      status: "ready",
      upstreams: { scoring: { breaker: "closed" }, segments: { breaker: "closed" }, categories: { breaker: "closed" }, profiles: { breaker: "closed" } },
    });
    expect((await sendExact(`${local.url}/readyz`, { headers: {} })).json).toEqual({ status: "ready" });
  });
});
