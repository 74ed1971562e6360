import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { recordTestSecret } from "@insights/config/testing";
import { CATEGORIES_READ_SCOPE } from "@insights/contracts/categories";
import { MOBILE_SCOPE } from "@insights/contracts/mobile";
import { SCORING_SCOPE } from "@insights/contracts/scoring";
import { SEGMENTS_SCOPE } from "@insights/contracts/segments";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send, startTestApp, type TestApp } from "./support/harness.js";

/**
 * Load held: every family is driven over loopback, all at once, at a fixed rate of REQUESTS
 * requests in DRIVE_MS — twice what one caller's budget (RATE_LIMIT_MAX per RATE_LIMIT_WINDOW_MS)
 * lets through in that time. The window outlasts the drive, so the count is exact: LIMIT
 * answers succeed, every other one is the family's documented 429 (docs/errors.md), and no
 * request goes unanswered.
 */

const LIMIT = 15;
const REQUESTS = 2 * LIMIT;
const DRIVE_MS = 3_000;
const WINDOW_MS = 30_000;
/** A request still unanswered after this long counts as hanging. */
const ANSWER_WITHIN_MS = 10_000;

const LUIS = { phone: "+34600000001", citibanamexId: "321116471234", masstackId: "123e4567-e89b-12d3-a456-556642440000", mobileId: "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a1001" };

type Answer = Awaited<ReturnType<typeof send>>;
type Outcome = Answer | { hung: string };

type Family = {
  name: string;
  /** One request as this family's caller (its own budget). */
  request(app: TestApp, signal: AbortSignal): Promise<Answer>;
  succeeded(answer: Answer): boolean;
  /** The family's documented rate-limit answer. */
  expectRateLimited(answer: Answer): void;
};

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const credentials = new Map<string, Record<string, string>>();

const families: Family[] = [
  {
    name: "CAMARA scoring",
    request: (app, signal) =>
      send(`${app.url}/camara/customerinsights/scoring/retrieve`, { method: "POST", headers: { ...credentials.get("camara"), "content-type": "application/json" }, body: "{}", signal }),
    succeeded: (r) => r.status === 200,
    expectRateLimited: (r) => {
      expect(r.status).toBe(429);
      expect(r.json).toEqual({ status: 429, code: "TOO_MANY_REQUESTS", message: "Rate limit reached." });
    },
  },
  {
    name: "Citibanamex segment",
    request: (app, signal) =>
      send(`${app.url}/v1/customers/segments/retrieve`, {
        method: "POST",
        headers: { ...credentials.get("citibanamex"), client_id: "demo-mobile-app", uuid: randomUUID(), countryCode: "MX", businessCode: "BCNMX", ChannelId: "MOBILE", "Accept-Language": "es-MX" },
        json: { customerId: LUIS.citibanamexId },
        signal,
      }),
    succeeded: (r) => r.status === 200,
    expectRateLimited: (r) => {
      expect(r.status).toBe(429);
      expect(r.json).toEqual({ type: "error", code: "tooManyRequests", details: "Rate limit reached.", uuid: expect.any(String), timestamp: expect.any(String) });
    },
  },
  {
    name: "MasStack category list",
    request: (app, signal) => send(`${app.url}/v4/orgs/telco/customers/${LUIS.masstackId}/categories`, { headers: { ...credentials.get("masstack"), accept: "application/json" }, signal }),
    succeeded: (r) => r.status === 200,
    expectRateLimited: (r) => {
      expect(r.status).toBe(429);
      expect(r.json).toEqual({ errors: [{ error: { code: "MCUS.999.993", title: "Too many requests", ref: "http://", message: expect.any(String) } }] });
    },
  },
  {
    name: "IMIconnect profile",
    request: (app, signal) => send(`${app.url}/resources/v1/customerprofile/4545`, { headers: { ...credentials.get("imiconnect"), "content-type": "application/json" }, signal }),
    // The vendor answers every error with HTTP 200 (PROFILES_ERROR_HTTP_STATUS=vendor): the body tells.
    succeeded: (r) => r.status === 200 && r.json.code === "1000",
    expectRateLimited: (r) => {
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ Status: 1, Description: "Rate limit exceeded", code: "7429", transid: expect.any(String) });
    },
  },
  {
    name: "mobile overview",
    request: (app, signal) => send(`${app.url}/mobile/v1/customers/${LUIS.mobileId}/overview`, { headers: credentials.get("mobile"), signal }),
    succeeded: (r) => r.status === 200,
    expectRateLimited: (r) => {
      expect(r.status).toBe(429);
      expect(r.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(r.json).toMatchObject({ type: "urn:insights:problem:rate-limited", title: "Too many requests", status: 429, detail: "Rate limit reached." });
    },
  },
];

/** Fires REQUESTS requests at fixed intervals over DRIVE_MS (late ones do not bunch up the rest), each given ANSWER_WITHIN_MS. */
async function drive(request: (signal: AbortSignal) => Promise<Answer>): Promise<{ outcomes: Outcome[]; firedInMs: number }> {
  const started = performance.now();
  const pending: Promise<Outcome>[] = [];
  for (let i = 0; i < REQUESTS; i += 1) {
    const due = started + (i * DRIVE_MS) / REQUESTS;
    if (due > performance.now()) await sleep(due - performance.now());
    pending.push(request(AbortSignal.timeout(ANSWER_WITHIN_MS)).catch((error: unknown) => ({ hung: error instanceof Error ? `${error.name}: ${error.message}` : String(error) })));
  }
  const firedInMs = performance.now() - started;
  return { outcomes: await Promise.all(pending), firedInMs };
}

describe(`each family driven at ${REQUESTS} requests in ${DRIVE_MS / 1000} s against a budget of ${LIMIT}`, () => {
  let app: TestApp;
  const results = new Map<string, { outcomes: Outcome[]; firedInMs: number }>();

  beforeAll(async () => {
    app = await startTestApp({ env: { RATE_LIMIT_MAX: String(LIMIT), RATE_LIMIT_WINDOW_MS: String(WINDOW_MS), RATE_LIMIT_ADDRESS_MAX: "100000" } });
    credentials.set("camara", bearer(await app.token({ scopes: [SCORING_SCOPE], phoneNumber: LUIS.phone, subject: "load-camara" })));
    credentials.set("citibanamex", bearer(await app.token({ scopes: [SEGMENTS_SCOPE], subject: "load-citibanamex" })));
    credentials.set("masstack", bearer(await app.token({ scopes: [CATEGORIES_READ_SCOPE], subject: "load-masstack" })));
    credentials.set("mobile", bearer(await app.token({ scopes: [MOBILE_SCOPE], subject: "load-mobile" })));
    const { key } = await app.store.createApiKey("telco", "load test");
    recordTestSecret("API key", key, "the key load.test created");
    credentials.set("imiconnect", { key });
  });
  beforeAll(async () => {
    const driven = await Promise.all(families.map(async (family) => [family.name, await drive((signal) => family.request(app, signal))] as const));
    for (const [name, result] of driven) results.set(name, result);
  }, DRIVE_MS + ANSWER_WITHIN_MS + 10_000);
  afterAll(() => app?.close());

  it.each(families.map((family) => [family.name, family] as const))("%s: exactly the budget succeeds, every other answer is the family's 429, none hangs", (name, family) => {
    const { outcomes, firedInMs } = results.get(name)!;
    // The whole drive fell inside one window: what makes the count exact.
    expect(firedInMs).toBeLessThan(WINDOW_MS - ANSWER_WITHIN_MS);
    expect(outcomes.filter((o) => "hung" in o)).toEqual([]);
    const answers = outcomes as Answer[];
    expect(answers.filter((r) => family.succeeded(r))).toHaveLength(LIMIT);
    const refused = answers.filter((r) => !family.succeeded(r));
    expect(refused).toHaveLength(REQUESTS - LIMIT);
    for (const r of refused) {
      family.expectRateLimited(r);
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    }
  });
});
