import { readFileSync } from "node:fs";
import { request } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { CATEGORIES_READ_SCOPE } from "@insights/contracts/categories";
import { MOBILE_SCOPE } from "@insights/contracts/mobile";
import { openPgliteTestStore } from "@insights/store/testing";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { weakEntityTag } from "../../src/platform/http/conditional-get.js";
import type { SectionProviders } from "../../src/mobile/sections.js";
import { send, startTestApp, type TestApp } from "../support/harness.js";

const LUIS = "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a1001";
const JOHN = "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a4545";
const BUSINESS_LINE = "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a1002";
const ANA_OTHER_ORG = "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a9999";
const UNKNOWN = "00000000-0000-4000-8000-000000000000";

/** 14 March 2026, midday in Mexico City: Luis's birthday. */
const LUIS_BIRTHDAY = new Date("2026-03-14T18:00:00Z");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectProblem(r: { status: number; headers: Headers; json: Record<string, unknown>; text: string }, status: number, kind: string) {
  expect(r.status).toBe(status);
  expect(r.headers.get("content-type")).toBe("application/problem+json");
  expect(r.json).toMatchObject({ type: `urn:insights:problem:${kind}`, status, title: expect.any(String), instance: r.headers.get("x-request-id") });
  expect(r.text).not.toMatch(/at .*\.(ts|js):\d+|<html/i);
}

/** GET through node:http with exactly these headers, the body kept as raw bytes (to see compression). */
function getRaw(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const target = new URL(url);
    const req = request({ host: target.hostname, port: target.port, path: target.pathname + target.search, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("mobile API", () => {
  let app: TestApp;
  let client: string;
  let subscriber: string;
  const auth = (token: string, extra: Record<string, string> = {}) => ({ headers: { authorization: `Bearer ${token}`, ...extra } });

  beforeAll(async () => {
    app = await startTestApp({ now: () => LUIS_BIRTHDAY });
    client = await app.token({ scopes: [MOBILE_SCOPE] });
    subscriber = await app.token({ scopes: [MOBILE_SCOPE], phoneNumber: "+34600000001" });
  });
  afterAll(() => app.close());

  describe("overview", () => {
    it("answers every section of a customer known to all four vendors, from the same data the vendor routes serve", async () => {
      const r = await send(`${app.url}/mobile/v1/customers/${LUIS}/overview`, auth(client));
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toMatch(/^application\/json/);
      const sections = r.json.sections as Record<string, Record<string, unknown>>;
      expect(r.json.customer).toEqual({ id: LUIS, fullName: "Luis Diaz Salinas" });
      expect(Object.keys(sections).sort()).toEqual(["categories", "profile", "score", "segment"]);
      expect(sections.segment).toEqual({ segment: "20", birthdayToday: true });
      expect(sections.score).toEqual({ scores: [{ scoringType: "gaugeMetric", scoringValue: 600 }, { scoringType: "veritasIndex", scoringValue: 4 }] });
      expect(sections.categories).toEqual({
        categories: [{ id: 214748364, name: "customer_type", value: "influencer", description: "Bill discount", updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }],
      });
      const profile = sections.profile as { attributes: unknown[]; applicationProfiles: { profileName: string; records: unknown[][] }[]; channelProfiles: { profileName: string }[] };
      expect(profile.attributes).toContainEqual({ id: 8576, name: "name", value: "Luis Diaz Salinas" });
      expect(profile.applicationProfiles.map((p) => p.profileName)).toEqual(["Telco Mobile App"]);
      expect(profile.applicationProfiles[0]!.records[0]).toContainEqual({ id: 9001, name: "userId", value: "luis.diaz" });
      expect(profile.channelProfiles.map((p) => p.profileName)).toEqual(["Facebook Messenger"]);
    });

    it("answers 200 with the sections a customer has, and a 404 problem in each section its vendor does not know", async () => {
      const r = await send(`${app.url}/mobile/v1/customers/${JOHN}/overview`, auth(client));
      expect(r.status).toBe(200);
      const sections = r.json.sections as Record<string, Record<string, unknown>>;
      expect(sections.profile).toMatchObject({ channelProfiles: [{ profileName: "Twitter" }] });
      for (const name of ["segment", "categories", "score"]) {
        expect(sections[name], name).toEqual({
          error: { type: "urn:insights:problem:not-found", title: "Not found", status: 404, detail: expect.stringContaining("not known"), instance: r.headers.get("x-request-id") },
        });
      }
    });

    it("marks the score of a line that is not eligible for scoring as a 422 problem", async () => {
      const r = await send(`${app.url}/mobile/v1/customers/${BUSINESS_LINE}/overview?include=score`, auth(client));
      expect(r.status).toBe(200);
      expect(r.json.sections).toEqual({ score: { error: expect.objectContaining({ type: "urn:insights:problem:unprocessable", status: 422 }) } });
    });

    it("selects sections with ?include, each once", async () => {
      const r = await send(`${app.url}/mobile/v1/customers/${LUIS}/overview?include=profile,score,profile`, auth(client));
      expect(r.status).toBe(200);
      expect(Object.keys(r.json.sections as object).sort()).toEqual(["profile", "score"]);
    });

    it("refuses an unknown section name in ?include with a 400 naming it", async () => {
      const r = await send(`${app.url}/mobile/v1/customers/${LUIS}/overview?include=profile,balance`, auth(client));
      expectProblem(r, 400, "invalid-argument");
      expect(r.json["invalid-params"]).toEqual([{ name: "include", reason: "invalid_value" }]);
      expect(r.json.detail).toContain('"balance"');
      // Anything that is not shaped like a section name is refused without being reflected.
      const markup = await send(`${app.url}/mobile/v1/customers/${LUIS}/overview?include=${encodeURIComponent("<html><body>hi</body></html>")}`, auth(client));
      expectProblem(markup, 400, "invalid-argument");
      expect(markup.text).not.toMatch(/<html|<body/i);
      expect(markup.json.detail).toBe("include: an unknown section; the sections are profile, segment, categories, score");
      expectProblem(await send(`${app.url}/mobile/v1/customers/${LUIS}/overview?include=`, auth(client)), 400, "invalid-argument");
      expectProblem(await send(`${app.url}/mobile/v1/customers/${LUIS}/overview?include=score&include=profile`, auth(client)), 400, "invalid-argument");
      expectProblem(await send(`${app.url}/mobile/v1/customers/${LUIS}/overview?sections=score`, auth(client)), 400, "invalid-argument");
    });

    it("answers another organisation's customer exactly as an unknown one: 404", async () => {
      const other = await send(`${app.url}/mobile/v1/customers/${ANA_OTHER_ORG}/overview`, auth(client));
      const unknown = await send(`${app.url}/mobile/v1/customers/${UNKNOWN}/overview`, auth(client));
      expectProblem(other, 404, "not-found");
      expect({ ...other.json, instance: "" }).toEqual({ ...unknown.json, instance: "" });
      const own = await send(`${app.url}/mobile/v1/customers/${ANA_OTHER_ORG}/overview`, auth(await app.token({ scopes: [MOBILE_SCOPE], orgId: "other" })));
      expect(own.status).toBe(200);
      expect(own.json.customer).toEqual({ id: ANA_OTHER_ORG, fullName: "Ana Torres Vidal" });
    });

    it("knows every customer id the README's demo table lists, in the organisation it says", async () => {
      const readme = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");
      const rows = [...readme.matchAll(/^\| ([^|]+?) \| `([0-9a-f-]{36})` \|/gm)].map(([, who, id]) => ({ who: who!, id: id! }));
      expect(rows.length).toBeGreaterThanOrEqual(6);
      const other = await app.token({ scopes: [MOBILE_SCOPE], orgId: "other" });
      for (const { who, id } of rows) {
        const token = who.includes("org `other`") ? other : client;
        const r = await send(`${app.url}/mobile/v1/customers/${id}/overview?include=profile`, auth(token));
        expect(r.status, who).toBe(200);
        expect(who.startsWith((r.json.customer as { fullName: string }).fullName), who).toBe(true);
      }
    });

    it("refuses a customer id that is not a UUID with a 400", async () => {
      expectProblem(await send(`${app.url}/mobile/v1/customers/321116471234/overview`, auth(client)), 400, "invalid-argument");
    });

    it("lets the app keep the overview but revalidate it: private, no-cache, a weak ETag, 304 on If-None-Match", async () => {
      const url = `${app.url}/mobile/v1/customers/${LUIS}/overview`;
      const first = await send(url, auth(client));
      expect(first.headers.get("cache-control")).toBe("private, no-cache");
      const etag = first.headers.get("etag");
      expect(etag).toMatch(/^W\/"/);
      // fetch() itself adds "Cache-Control: no-cache" to a conditional request: the 304 still comes.
      const again = await send(url, auth(client, { "if-none-match": etag! }));
      expect(again.status).toBe(304);
      expect(again.text).toBe("");
      expect(again.headers.get("etag")).toBe(etag);
      expect((await send(url, auth(client, { "if-none-match": `W/"other", ${etag!.slice(2)}` }))).status).toBe(304);
      const stale = await send(url, auth(client, { "if-none-match": 'W/"stale"' }));
      expect(stale.status).toBe(200);
      const otherSections = await send(`${url}?include=score`, auth(client, { "if-none-match": etag! }));
      expect(otherSections.status).toBe(200);
    });

    it("tags the overview, /me included, with the weak tag of its own bytes; an error answer is not tagged", async () => {
      for (const [path, token] of [[`/mobile/v1/customers/${LUIS}/overview`, client], ["/mobile/v1/me", subscriber]] as const) {
        const r = await send(app.url + path, auth(token));
        expect(r.status).toBe(200);
        expect(r.headers.get("etag")).toBe(weakEntityTag(r.text));
        // The same tag Express's own generator (now off app-wide) would have given.
        expect(r.headers.get("etag")).toBe((express().get("etag fn") as (body: string, encoding: string) => string)(r.text, "utf8"));
        const again = await send(app.url + path, auth(token, { "if-none-match": r.headers.get("etag")! }));
        expect(again.status).toBe(304);
      }
      const unknown = await send(`${app.url}/mobile/v1/customers/${UNKNOWN}/overview`, auth(client));
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get("etag")).toBeNull();
    });

    it("tags no answer whose contract cannot answer 304: the search, and every vendor family's", async () => {
      const search = await send(`${app.url}/mobile/v1/customers?phoneNumber=%2B34600000001`, auth(client, { "if-none-match": "*" }));
      expect(search.status).toBe(200);
      expect(search.headers.get("etag")).toBeNull();
      const categories = await app.token({ scopes: [CATEGORIES_READ_SCOPE] });
      const list = await send(`${app.url}/v4/orgs/telco/customers/123e4567-e89b-12d3-a456-556642440000/categories`, auth(categories, { "if-none-match": "*" }));
      expect(list.status).toBe(200);
      expect(list.headers.get("etag")).toBeNull();
      const profile = await send(`${app.url}/resources/v1/customerprofile/4545`, { headers: { key: "demo-telco-profile-key", "if-none-match": "*" } });
      expect(profile.status).toBe(200);
      expect(profile.headers.get("etag")).toBeNull();
    });

    it("compresses with br or gzip when the client accepts it, and not otherwise", async () => {
      const url = `${app.url}/mobile/v1/customers/${LUIS}/overview`;
      const plain = await getRaw(url, { authorization: `Bearer ${client}` });
      expect(plain.headers["content-encoding"]).toBeUndefined();
      const expected = JSON.parse(plain.body.toString("utf8")) as unknown;
      const br = await getRaw(url, { authorization: `Bearer ${client}`, "accept-encoding": "br" });
      expect(br.headers["content-encoding"]).toBe("br");
      expect(br.headers.vary).toMatch(/accept-encoding/i);
      expect(JSON.parse(brotliDecompressSync(br.body).toString("utf8"))).toEqual(expected);
      const gzip = await getRaw(url, { authorization: `Bearer ${client}`, "accept-encoding": "gzip" });
      expect(gzip.headers["content-encoding"]).toBe("gzip");
      expect(JSON.parse(gunzipSync(gzip.body).toString("utf8"))).toEqual(expected);
      expect(br.headers.etag).toBe(plain.headers.etag);
      // Compressed whole: one body with its length, not a chunked stream.
      for (const compressed of [br, gzip]) {
        expect(Number(compressed.headers["content-length"])).toBe(compressed.body.length);
        expect(compressed.headers["transfer-encoding"]).toBeUndefined();
      }
      const preferred = await getRaw(url, { authorization: `Bearer ${client}`, "accept-encoding": "br;q=0.5, gzip" });
      expect(preferred.headers["content-encoding"]).toBe("gzip");
      const refused = await getRaw(url, { authorization: `Bearer ${client}`, "accept-encoding": "br;q=0, gzip;q=0" });
      expect(refused.headers["content-encoding"]).toBeUndefined();
      expect(JSON.parse(refused.body.toString("utf8"))).toEqual(expected);
    });

    it("sends the compressed overview of the data as it now is, after a write (compressed copies are kept)", async () => {
      const url = `${app.url}/mobile/v1/customers/${LUIS}/overview?include=profile,categories`;
      const category = `${app.url}/v4/orgs/telco/customers/123e4567-e89b-12d3-a456-556642440000/categories/214748364`;
      const writer = await app.token({ scopes: ["categories:write"] });
      const valueIn = (r: { body: Buffer }) =>
        (JSON.parse(brotliDecompressSync(r.body).toString("utf8")) as { sections: { categories: { categories: { value: string }[] } } }).sections.categories.categories[0]?.value;
      const before = await getRaw(url, { authorization: `Bearer ${client}`, "accept-encoding": "br" });
      expect(before.headers["content-encoding"]).toBe("br");
      expect((await getRaw(url, { authorization: `Bearer ${client}`, "accept-encoding": "br" })).body.equals(before.body)).toBe(true);
      const patch = (value: string) => send(category, { method: "PATCH", headers: { authorization: `Bearer ${writer}` }, json: { value } });
      expect((await patch("employee")).status).toBe(204);
      try {
        const after = await getRaw(url, { authorization: `Bearer ${client}`, "accept-encoding": "br" });
        expect(valueIn(before)).toBe("influencer");
        expect(valueIn(after)).toBe("employee");
        expect(after.headers.etag).not.toBe(before.headers.etag);
      } finally {
        expect((await patch("influencer")).status).toBe(204);
      }
      expect(valueIn(await getRaw(url, { authorization: `Bearer ${client}`, "accept-encoding": "br" }))).toBe("influencer");
    });

    it("sends a body under 1 KB as it is, still varying by Accept-Encoding", async () => {
      const small = await getRaw(`${app.url}/mobile/v1/customers/${LUIS}/overview?include=segment`, { authorization: `Bearer ${client}`, "accept-encoding": "br, gzip" });
      expect(small.headers["content-encoding"]).toBeUndefined();
      expect(small.headers.vary).toMatch(/accept-encoding/i);
      expect(Number(small.headers["content-length"])).toBe(small.body.length);
      expect(small.body.length).toBeLessThan(1024);
    });
  });

  describe("me", () => {
    it("answers the overview of the subscriber a 3-legged token is bound to", async () => {
      const r = await send(`${app.url}/mobile/v1/me?include=segment`, auth(subscriber));
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ customer: { id: LUIS, fullName: "Luis Diaz Salinas" }, sections: { segment: { segment: "20", birthdayToday: true } } });
    });

    it("answers 404 when no customer of the organisation has the token's phone number", async () => {
      const stranger = await app.token({ scopes: [MOBILE_SCOPE], phoneNumber: "+34600000009" });
      expectProblem(await send(`${app.url}/mobile/v1/me`, auth(stranger)), 404, "not-found");
    });

    it("refuses a client (2-legged) token: /me is for a subscriber's token", async () => {
      const r = await send(`${app.url}/mobile/v1/me`, auth(client));
      expectProblem(r, 403, "permission-denied");
    });

    it("lets a token bound to a subscriber call nothing else of the mobile API", async () => {
      expectProblem(await send(`${app.url}/mobile/v1/customers/${LUIS}/overview`, auth(subscriber)), 403, "permission-denied");
      expectProblem(await send(`${app.url}/mobile/v1/customers?phoneNumber=%2B34600000001`, auth(subscriber)), 403, "permission-denied");
    });
  });

  describe("search", () => {
    it.each([
      ["phoneNumber", "%2B34600000001"],
      ["externalId", "CRM-0001"],
      ["imiconnectCustomerId", "100001"],
      ["masstackCustomerId", "123E4567-E89B-12D3-A456-556642440000"],
    ])("finds a customer by %s", async (key, value) => {
      const r = await send(`${app.url}/mobile/v1/customers?${key}=${value}`, auth(client));
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ customers: [{ id: LUIS, fullName: "Luis Diaz Salinas" }] });
    });

    it("keeps the searched phone number and the token out of the logs", async () => {
      await send(`${app.url}/mobile/v1/customers?phoneNumber=%2B34600000002`, auth(client));
      await send(`${app.url}/mobile/v1/me`, auth(subscriber));
      const logs = app.rawLogs();
      expect(logs).toContain("/mobile/v1/customers");
      for (const secret of ["34600000002", "34600000001", client, subscriber]) expect(logs).not.toContain(secret);
    });

    it("finds nobody outside the token's organisation", async () => {
      const r = await send(`${app.url}/mobile/v1/customers?phoneNumber=%2B34600000009`, auth(client));
      expect(r.json).toEqual({ customers: [] });
    });

    it.each([
      ["no key", ""],
      ["two keys", "?phoneNumber=%2B34600000001&externalId=CRM-0001"],
      ["an unknown key", "?name=Luis"],
      ["a malformed phone number", "?phoneNumber=600000001"],
    ])("refuses %s with a 400", async (_what, query) => {
      expectProblem(await send(`${app.url}/mobile/v1/customers${query}`, auth(client)), 400, "invalid-argument");
    });
  });

  describe("every failure is problem+json", () => {
    it("401 without a token, or with one that does not verify", async () => {
      expectProblem(await send(`${app.url}/mobile/v1/customers/${LUIS}/overview`), 401, "unauthenticated");
      expectProblem(await send(`${app.url}/mobile/v1/me`, auth("not.a.token")), 401, "unauthenticated");
    });

    it("403 for a token without the customers:read scope", async () => {
      const scoringOnly = await app.token({ scopes: ["customer-insights:scoring:read"] });
      expectProblem(await send(`${app.url}/mobile/v1/customers/${LUIS}/overview`, auth(scoringOnly)), 403, "permission-denied");
    });

    it("404 for an unknown mobile path, 405 with Allow for a wrong method", async () => {
      expectProblem(await send(`${app.url}/mobile/v1/nowhere`, auth(client)), 404, "not-found");
      const r = await send(`${app.url}/mobile/v1/me`, { method: "POST", ...auth(subscriber) });
      expectProblem(r, 405, "method-not-allowed");
      expect(r.headers.get("allow")).toBe("GET, HEAD");
    });
  });
});

describe("mobile API rate limit", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { RATE_LIMIT_MAX: "1" } });
  });
  afterAll(() => app.close());

  it("answers 429 problem+json with Retry-After", async () => {
    const token = await app.token({ scopes: [MOBILE_SCOPE] });
    const init = { headers: { authorization: `Bearer ${token}` } };
    expect((await send(`${app.url}/mobile/v1/customers/${LUIS}/overview?include=segment`, init)).status).toBe(200);
    const r = await send(`${app.url}/mobile/v1/customers/${LUIS}/overview?include=segment`, init);
    expectProblem(r, 429, "rate-limited");
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("mobile API when the store is down", () => {
  it("answers 503 problem+json with no internal text, logged under the request id", async () => {
    const store = await openPgliteTestStore();
    const app = await startTestApp({ store });
    try {
      const token = await app.token({ scopes: [MOBILE_SCOPE] });
      await store.close();
      const r = await send(`${app.url}/mobile/v1/customers/${LUIS}/overview`, { headers: { authorization: `Bearer ${token}` } });
      expectProblem(r, 503, "unavailable");
      expect(r.json.detail).toBe("The service is temporarily unavailable; retry later.");
      expect(app.logs.some((l) => l.msg === "request failed" && l.requestId === r.headers.get("x-request-id"))).toBe(true);
    } finally {
      await app.close();
    }
  });
});

describe("overview sections that fail or stall", () => {
  const TIMEOUT_MS = 300;
  let app: TestApp;
  let release: () => void = () => undefined;
  const stalled = new Promise<void>((resolve) => (release = resolve));

  beforeAll(async () => {
    app = await startTestApp({
      env: { MOBILE_SECTION_TIMEOUT_MS: String(TIMEOUT_MS) },
      // Segments fail, categories stall past the deadline; profile and score are the real ones.
      mobileSections: (defaults): SectionProviders => ({
        ...defaults,
        segment: async () => {
          throw new Error("segment store exploded");
        },
        categories: async (customer, context) => {
          await stalled;
          return defaults.categories(customer, context);
        },
      }),
    });
  });
  afterAll(async () => {
    release();
    await app.close();
  });

  it("returns the other sections with 200 and marks the failed one (500) and the late one (504)", async () => {
    const token = await app.token({ scopes: [MOBILE_SCOPE] });
    const started = performance.now();
    const r = await send(`${app.url}/mobile/v1/customers/${LUIS}/overview`, { headers: { authorization: `Bearer ${token}` } });
    const elapsed = performance.now() - started;
    expect(r.status).toBe(200);
    const sections = r.json.sections as Record<string, Record<string, unknown>>;
    expect(sections.profile).toHaveProperty("attributes");
    expect(sections.score).toHaveProperty("scores");
    const instance = r.headers.get("x-request-id");
    expect(sections.segment).toEqual({
      error: { type: "urn:insights:problem:internal", title: "Internal error", status: 500, detail: "An unexpected error occurred; quote the instance when reporting it.", instance },
    });
    expect(sections.categories).toEqual({
      error: { type: "urn:insights:problem:timeout", title: "Timeout", status: 504, detail: "The answer did not come in time; retry later.", instance },
    });
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(r.text).not.toContain("exploded");
    const logged = app.logs.filter((l) => l.msg === "overview section failed" && l.requestId === instance).map((l) => [l.section, l.kind]);
    expect(logged.sort()).toEqual([["categories", "timeout"], ["segment", "internal"]]);
  });

  it("answers 503 problem+json when no section asked for could be produced", async () => {
    const token = await app.token({ scopes: [MOBILE_SCOPE] });
    const r = await send(`${app.url}/mobile/v1/customers/${LUIS}/overview?include=segment,categories`, { headers: { authorization: `Bearer ${token}` } });
    expectProblem(r, 503, "unavailable");
  });
});

describe("overview sections run in parallel", () => {
  const DELAY_MS = 400;
  let app: TestApp;

  beforeAll(async () => {
    const delayed = <K extends keyof SectionProviders>(provider: SectionProviders[K]): SectionProviders[K] =>
      (async (customer, context) => {
        await sleep(DELAY_MS);
        return (provider as (c: typeof customer, x: typeof context) => Promise<unknown>)(customer, context);
      }) as SectionProviders[K];
    app = await startTestApp({
      env: { MOBILE_SECTION_TIMEOUT_MS: "5000" },
      mobileSections: (defaults) => ({
        profile: delayed<"profile">(defaults.profile),
        segment: delayed<"segment">(defaults.segment),
        categories: delayed<"categories">(defaults.categories),
        score: delayed<"score">(defaults.score),
      }),
    });
  });
  afterAll(() => app.close());

  it(`answers in under 2×D when each of the four sections takes D = ${DELAY_MS} ms`, async () => {
    const token = await app.token({ scopes: [MOBILE_SCOPE] });
    const url = `${app.url}/mobile/v1/customers/${LUIS}/overview`;
    await send(url, { headers: { authorization: `Bearer ${token}` } }); // warm-up: first-request costs are not the point
    const started = performance.now();
    const r = await send(url, { headers: { authorization: `Bearer ${token}` } });
    const elapsed = performance.now() - started;
    expect(r.status).toBe(200);
    expect(Object.keys(r.json.sections as object)).toHaveLength(4);
    expect(elapsed).toBeGreaterThanOrEqual(DELAY_MS);
    expect(elapsed).toBeLessThan(2 * DELAY_MS);
  });
});
