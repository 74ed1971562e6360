import { randomUUID } from "node:crypto";
import { SEGMENTS_SCOPE } from "@insights/contracts/segments";
import { openPgliteTestStore, type TestStore } from "@insights/store/testing";

import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send, sendExact, startTestApp, type TestApp } from "../../support/harness.js";

const RETRIEVE = "/v1/customers/segments/retrieve";
const KEY_EXCHANGE = "/v1/x-global/security/e2e-gateway/public-key/retrieve";
const LUIS_ID = "321116471234";
const LUIS_CARD = "4969452123456110";
/** Luis was born on 14 March, in America/Mexico_City (UTC-6): his birthday starts at 06:00 UTC. */
const LUIS_BIRTHDAY = new Date("2026-03-14T12:00:00Z");

let clock = LUIS_BIRTHDAY;

/** Extra customers the tests need beside the demo data. */
async function addCustomer(store: TestStore, c: { id: string; orgId: string; name: string; birthDate: string; timeZone: string; citibanamexId: string; segment?: string | null }) {
  await store.db
    .insertInto("customers")
    .values({ id: c.id, org_id: c.orgId, full_name: c.name, segment: c.segment === undefined ? "30" : c.segment, birth_date: c.birthDate, time_zone: c.timeZone })
    .execute();
  await store.db
    .insertInto("customer_identifiers")
    .values({ org_id: c.orgId, kind: "citibanamex_customer_id", value: c.citibanamexId, customer_id: c.id })
    .execute();
}

let app: TestApp;
let token: string;

beforeAll(async () => {
  const store = await openPgliteTestStore();
  await addCustomer(store, { id: "7a0f0000-0000-4000-8000-000000000001", orgId: "telco", name: "Kenji Sato", birthDate: "1990-07-01", timeZone: "Asia/Tokyo", citibanamexId: "100000000002" });
  await addCustomer(store, { id: "7a0f0000-0000-4000-8000-000000000002", orgId: "other", name: "Other Org Customer", birthDate: "1990-07-01", timeZone: "UTC", citibanamexId: "100000000009" });
  await addCustomer(store, { id: "7a0f0000-0000-4000-8000-000000000003", orgId: "telco", name: "No Segment", birthDate: "1990-07-01", timeZone: "UTC", citibanamexId: "100000000003", segment: null });
  await store.db
    .insertInto("api_clients")
    .values({ client_id: "other-app", org_id: "other", name: "other", countries: '["MX"]', business_codes: '["BCNMX"]', channels: '["MOBILE"]' })
    .execute();
  app = await startTestApp({ store, now: () => clock });
  token = await app.token({ scopes: [SEGMENTS_SCOPE] });
});
afterAll(async () => {
  await app.close();
  await app.store.close();
});

type Headers = Record<string, string | undefined>;

function documentedHeaders(overrides: Headers = {}): Record<string, string> {
  const all: Headers = {
    client_id: "demo-mobile-app",
    Authorization: `Bearer ${token}`,
    Accept: "application/json",
    uuid: randomUUID(),
    "Accept-Language": "es-MX",
    "Content-Type": "application/json",
    countryCode: "MX",
    businessCode: "BCNMX",
    ChannelId: "MOBILE",
    ...overrides,
  };
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
}

async function retrieve(body: unknown, headers: Headers = {}, path = RETRIEVE) {
  const h = documentedHeaders(headers);
  const r = await sendExact(app.url + path, { method: "POST", headers: h, body: typeof body === "string" ? body : JSON.stringify(body) });
  if (r.status !== 200) expectErrorShape(r, h.uuid);
  return r;
}

function expectErrorShape(r: { json: Record<string, unknown>; headers: globalThis.Headers }, uuid: string | undefined) {
  expect(r.headers.get("content-type")).toBe("application/json");
  const allowed = ["type", "code", "details", "location", "moreInfo", "uuid", "timestamp"];
  expect(Object.keys(r.json).every((k) => allowed.includes(k))).toBe(true);
  expect(["error", "warn", "invalid", "fatal"]).toContain(r.json.type);
  expect(typeof r.json.details).toBe("string");
  expect(String(r.json.timestamp)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  if (uuid && /^[0-9a-f-]{36}$/i.test(uuid)) expect(r.json.uuid).toBe(uuid);
}

function expectError(r: { status: number; json: Record<string, unknown> }, status: number, code: string, location?: string) {
  expect({ status: r.status, code: r.json.code, ...(location ? { location: r.json.location } : {}) }).toEqual({ status, code, ...(location ? { location } : {}) });
}

describe("segment retrieval", () => {
  it("answers the seed's example (customerId 321116471234) with its response example on Luis's birthday", async () => {
    const r = await retrieve({ customerId: LUIS_ID });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ customer: { fullName: "Luis Diaz Salinas", customerSegment: "20", birthdayTodayFlag: true } });
    expect(r.headers.get("cache-control")).toBe("no-store");
  });

  it("finds the customer by cardNumber, matched through its keyed hash", async () => {
    const r = await retrieve({ cardNumber: LUIS_CARD });
    expect(r.json).toEqual({ customer: { fullName: "Luis Diaz Salinas", customerSegment: "20", birthdayTodayFlag: true } });
  });

  it("accepts both keys when they point to the same customer", async () => {
    expect((await retrieve({ customerId: LUIS_ID, cardNumber: LUIS_CARD })).status).toBe(200);
  });

  it("is reachable under the documented base path /api", async () => {
    const r = await retrieve({ customerId: LUIS_ID }, {}, `/api${RETRIEVE}`);
    expect(r.json).toMatchObject({ customer: { fullName: "Luis Diaz Salinas" } });
  });

  it("answers 422 businessValidationFailed when the two keys point to different customers", async () => {
    expectError(await retrieve({ customerId: "100000000002", cardNumber: LUIS_CARD }), 422, "businessValidationFailed");
  });

  it("answers 404 resourceNotFound for an unknown customerId or card, with the documented moreInfo", async () => {
    const r = await retrieve({ customerId: "999999999999" });
    expectError(r, 404, "resourceNotFound");
    expect(r.json.moreInfo).toBe("Empty resource/resource not found");
    expectError(await retrieve({ cardNumber: "4000000000000002" }), 404, "resourceNotFound");
  });

  it("answers 404 for a customer without a segment (empty resource)", async () => {
    expectError(await retrieve({ customerId: "100000000003" }), 404, "resourceNotFound");
  });

  it("never shows another organisation's customer", async () => {
    expectError(await retrieve({ customerId: "100000000009" }), 404, "resourceNotFound");
  });

  it.each([
    ["neither key", {}, "customerId"],
    ["empty keys", { customerId: "", cardNumber: "" }, "customerId"],
    ["a customerId with letters", { customerId: "32111647123A" }, "customerId"],
    ["a customerId over 12 digits", { customerId: "3211164712345" }, "customerId"],
    ["a cardNumber over 16 digits", { cardNumber: "49694521234561101" }, "cardNumber"],
    ["a cardNumber with spaces", { cardNumber: "4969 4521 2345 6110" }, "cardNumber"],
    ["an unknown property", { customerId: LUIS_ID, segment: "99" }, "segment"],
  ])("answers 400 invalidRequest for %s, naming the field", async (_name, body, location) => {
    expectError(await retrieve(body), 400, "invalidRequest", location);
  });

  it("answers a body that is not JSON with 400 invalidRequest of type invalid", async () => {
    const r = await retrieve("{customerId:");
    expectError(r, 400, "invalidRequest");
    expect(r.json.type).toBe("invalid");
  });
});

describe("headers", () => {
  it.each([
    ["client_id", { client_id: undefined }],
    ["client_id", { client_id: "bad client id" }],
    ["Accept", { Accept: undefined }],
    ["Accept", { Accept: "text/html" }],
    ["uuid", { uuid: undefined }],
    ["uuid", { uuid: "not-a-uuid" }],
    ["Content-Type", { "Content-Type": "text/plain" }],
    ["countryCode", { countryCode: undefined }],
    ["countryCode", { countryCode: "MEX" }],
    ["countryCode", { countryCode: "mx" }],
    ["businessCode", { businessCode: undefined }],
    ["businessCode", { businessCode: "BC NMX" }],
    ["ChannelId", { ChannelId: undefined }],
    ["ChannelId", { ChannelId: "" }],
    ["sid", { sid: "short" }],
  ] as [string, Headers][])("answers 400 invalidRequest naming %s when it is missing or malformed (%o)", async (location, headers) => {
    expectError(await retrieve({ customerId: LUIS_ID }, headers), 400, "invalidRequest", location);
  });

  it("accepts a request without the optional Accept-Language", async () => {
    expect((await retrieve({ customerId: LUIS_ID }, { "Accept-Language": undefined })).status).toBe(200);
  });

  it("accepts */* and a JSON Accept with parameters", async () => {
    expect((await retrieve({ customerId: LUIS_ID }, { Accept: "*/*" })).status).toBe(200);
    expect((await retrieve({ customerId: LUIS_ID }, { Accept: "application/json; charset=utf-8" })).status).toBe(200);
  });

  it("echoes the request's uuid in the error body", async () => {
    const uuid = randomUUID();
    const r = await retrieve({ customerId: "999999999999" }, { uuid });
    expect(r.json.uuid).toBe(uuid);
  });
});

describe("authorization and access", () => {
  it("answers 401 unAuthorized without a token or with an invalid one", async () => {
    expectError(await retrieve({ customerId: LUIS_ID }, { Authorization: undefined }), 401, "unAuthorized", "Authorization");
    expectError(await retrieve({ customerId: LUIS_ID }, { Authorization: "Bearer nope" }), 401, "unAuthorized");
  });

  it("answers 403 accessNotConfigured for a token without segments:read", async () => {
    const other = await app.token({ scopes: ["customer-insights:scoring:read"] });
    expectError(await retrieve({ customerId: LUIS_ID }, { Authorization: `Bearer ${other}` }), 403, "accessNotConfigured");
  });

  it.each([
    ["an unknown client_id", { client_id: "unknown-app" }],
    ["a client of another organisation", { client_id: "other-app" }],
    ["a country the client is not registered for", { countryCode: "ES" }],
    ["a business the client is not registered for", { businessCode: "BCNUS" }],
    ["a channel the client is not registered for", { ChannelId: "ATM" }],
  ] as [string, Headers][])("answers 403 accessNotConfigured for %s", async (_name, headers) => {
    const r = await retrieve({ customerId: LUIS_ID }, headers);
    expectError(r, 403, "accessNotConfigured");
    expect(r.json.moreInfo).toBe("Channel/Country/Business provided in the request is not supported currently");
  });

  it("serves every registered channel (BRANCH)", async () => {
    expect((await retrieve({ customerId: LUIS_ID }, { ChannelId: "BRANCH" })).status).toBe(200);
  });
});

describe("birthdayTodayFlag at the day boundary", () => {
  it.each([
    // Luis: America/Mexico_City (UTC-6 all year since 2022): 14 March starts at 06:00 UTC.
    ["2026-03-14T05:59:59Z", LUIS_ID, false],
    ["2026-03-14T06:00:00Z", LUIS_ID, true],
    ["2026-03-15T05:59:59Z", LUIS_ID, true],
    ["2026-03-15T06:00:00Z", LUIS_ID, false],
    // Kenji: Asia/Tokyo (UTC+9): 1 July starts at 15:00 UTC on 30 June.
    ["2026-06-30T14:59:59Z", "100000000002", false],
    ["2026-06-30T15:00:00Z", "100000000002", true],
    ["2026-07-01T14:59:59Z", "100000000002", true],
    ["2026-07-01T15:00:00Z", "100000000002", false],
  ])("at %s customer %s has birthdayTodayFlag %s", async (instant, customerId, expected) => {
    clock = new Date(instant);
    try {
      const r = await retrieve({ customerId });
      expect((r.json.customer as { birthdayTodayFlag: boolean }).birthdayTodayFlag).toBe(expected);
    } finally {
      clock = LUIS_BIRTHDAY;
    }
  });
});

describe("key exchange and sid", () => {
  async function exchange(headers: Headers = {}) {
    const h = documentedHeaders({ "Content-Type": undefined, countryCode: undefined, businessCode: undefined, ChannelId: undefined, ...headers });
    const r = await sendExact(app.url + KEY_EXCHANGE, { headers: h });
    if (r.status !== 200) expectErrorShape(r, h.uuid);
    return r;
  }

  it("creates a session: a 2048-bit RSA public key and the sid response header", async () => {
    const r = await exchange();
    expect(r.status).toBe(200);
    const sid = r.headers.get("sid");
    expect(sid).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(r.json.exponent).toBe("010001");
    expect(String(r.json.modulus)).toHaveLength(512);
    expect(Date.parse(String(r.json.expiresAt)) - clock.getTime()).toBe(900_000);
  });

  it("returns the same key for the same session", async () => {
    const first = await exchange();
    const sid = first.headers.get("sid")!;
    const again = await exchange({ sid });
    expect(again.headers.get("sid")).toBe(sid);
    expect(again.json.modulus).toBe(first.json.modulus);
  });

  it("reuses the client's live session until half its lifetime is spent, so repeated calls generate no key pairs", async () => {
    await sql`delete from e2e_sessions`.execute(app.store.db);
    const first = await exchange();
    for (let i = 0; i < 20; i += 1) {
      const again = await exchange();
      expect(again.headers.get("sid")).toBe(first.headers.get("sid"));
      expect(again.json.modulus).toBe(first.json.modulus);
    }
    const count = async () => (await sql<{ n: string }>`select count(*) as n from e2e_sessions`.execute(app.store.db)).rows[0]!.n;
    expect(await count()).toBe("1");
    clock = new Date(LUIS_BIRTHDAY.getTime() + 451_000);
    try {
      const renewed = await exchange();
      expect(renewed.headers.get("sid")).not.toBe(first.headers.get("sid"));
      expect(renewed.json.modulus).not.toBe(first.json.modulus);
      expect(Date.parse(String(renewed.json.expiresAt)) - clock.getTime()).toBe(900_000);
      expect(await count()).toBe("2");
    } finally {
      clock = LUIS_BIRTHDAY;
      await sql`delete from e2e_sessions`.execute(app.store.db);
    }
  });

  it("is reachable under /api too", async () => {
    const r = await send(`${app.url}/api${KEY_EXCHANGE}`, { headers: documentedHeaders({ "Content-Type": undefined }) });
    expect(r.status).toBe(200);
  });

  it("accepts a live sid on segment retrieval", async () => {
    const sid = (await exchange()).headers.get("sid")!;
    expect((await retrieve({ customerId: LUIS_ID }, { sid })).status).toBe(200);
  });

  it("answers 401 unAuthorized for an unknown sid", async () => {
    expectError(await retrieve({ customerId: LUIS_ID }, { sid: "x".repeat(32) }), 401, "unAuthorized", "sid");
  });

  it("answers 401 once the session has expired (SEGMENTS_SESSION_TTL_SECONDS)", async () => {
    const sid = (await exchange()).headers.get("sid")!;
    clock = new Date(LUIS_BIRTHDAY.getTime() + 901_000);
    try {
      expectError(await retrieve({ customerId: LUIS_ID }, { sid }), 401, "unAuthorized", "sid");
      expectError(await exchange({ sid }), 401, "unAuthorized", "sid");
    } finally {
      clock = LUIS_BIRTHDAY;
    }
  });

  it("answers 401 for a session of another organisation's client", async () => {
    const otherToken = await app.token({ scopes: [SEGMENTS_SCOPE], orgId: "other" });
    const sid = (await exchange({ client_id: "other-app", Authorization: `Bearer ${otherToken}` })).headers.get("sid")!;
    expectError(await retrieve({ customerId: LUIS_ID }, { sid }), 401, "unAuthorized");
  });

  it("answers 403 for a client_id not registered in the token's organisation", async () => {
    expectError(await exchange({ client_id: "other-app" }), 403, "accessNotConfigured");
  });

  it("keeps no private key: a session holds only the public key it published", async () => {
    await exchange();
    const columns = await sql<{ column_name: string }>`
      select column_name from information_schema.columns where table_name = 'e2e_sessions' and table_schema = current_schema()
    `.execute(app.store.db);
    expect(columns.rows.map((c) => c.column_name).sort()).toEqual(["client_id", "created_at", "expires_at", "exponent", "modulus", "org_id", "sid"]);
  });
});

describe("personal data", () => {
  it("keeps the clear card number out of the store and the logs after a look-up", async () => {
    await retrieve({ cardNumber: LUIS_CARD });
    await retrieve({ customerId: LUIS_ID, cardNumber: LUIS_CARD });
    const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = current_schema()`.execute(app.store.db);
    for (const { table_name } of tables.rows) {
      const rows = await sql`select * from ${sql.table(table_name)}`.execute(app.store.db);
      expect(JSON.stringify(rows.rows), table_name).not.toContain(LUIS_CARD);
    }
    expect(app.rawLogs()).not.toContain(LUIS_CARD);
    expect(app.rawLogs()).not.toContain(token);
  });
});

describe("failures", () => {
  it("answers 429 tooManyRequests once the caller's limit is reached", async () => {
    const limited = await startTestApp({ env: { RATE_LIMIT_MAX: "1" } });
    try {
      const headers = documentedHeaders({ Authorization: `Bearer ${await limited.token({ scopes: [SEGMENTS_SCOPE] })}` });
      await send(limited.url + RETRIEVE, { method: "POST", headers, body: JSON.stringify({ customerId: LUIS_ID }) });
      const r = await send(limited.url + RETRIEVE, { method: "POST", headers, body: JSON.stringify({ customerId: LUIS_ID }) });
      expectError(r, 429, "tooManyRequests");
      expectErrorShape(r, headers.uuid);
      expect(r.headers.get("retry-after")).not.toBeNull();
    } finally {
      await limited.close();
    }
  });

  it("answers 500 serverUnavailable of type fatal, with no internal detail, when the store fails", async () => {
    const store = await openPgliteTestStore();
    const broken = await startTestApp({ store });
    try {
      const headers = documentedHeaders({ Authorization: `Bearer ${await broken.token({ scopes: [SEGMENTS_SCOPE] })}` });
      await store.close();
      const r = await send(broken.url + RETRIEVE, { method: "POST", headers, body: JSON.stringify({ customerId: LUIS_ID }) });
      expectError(r, 500, "serverUnavailable");
      expect(r.json.type).toBe("fatal");
      expect(r.json.details).toBe("The request failed due to an internal error/server unavailability");
      expect(r.text).not.toMatch(/pglite|closed|stack|at /i);
      expectErrorShape(r, headers.uuid);
    } finally {
      await broken.close();
    }
  });
});
