import { CATEGORIES_READ_SCOPE } from "@insights/contracts/categories";
import { MOBILE_SCOPE } from "@insights/contracts/mobile";
import { SCORING_SCOPE } from "@insights/contracts/scoring";
import { SEGMENTS_SCOPE } from "@insights/contracts/segments";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendExact, signTestToken, startTestApp, type TestApp } from "../support/harness.js";
import { startLoopbackServer, upstreamEnv, type LoopbackServer } from "../support/upstream-fixtures.js";

/**
 * The mobile overview of a BFF whose families are answered by upstream vendors (here a local BFF):
 * each section asks its vendor by the customer's identifier for that vendor, from the store's
 * customer keys, with the BFF's own vendor credentials — and says what it lacks otherwise.
 */

const NOW = new Date("2026-03-14T17:00:00Z");
const LUIS = "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a1001";
const JOHN = "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a4545";
const BUSINESS_LINE = "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a1002";

let local: TestApp;
let front: TestApp;
let tokenEndpoint: LoopbackServer;

async function overview(app: TestApp, customerId: string) {
  const token = await app.token({ scopes: [MOBILE_SCOPE] });
  const r = await sendExact(`${app.url}/mobile/v1/customers/${customerId}/overview`, { headers: { authorization: `Bearer ${token}` } });
  return { status: r.status, body: r.json };
}

beforeAll(async () => {
  local = await startTestApp({ now: () => NOW });
  tokenEndpoint = await startLoopbackServer(async (_req, res) => {
    const token = await signTestToken({ scopes: [SCORING_SCOPE, SEGMENTS_SCOPE], subject: "the-bff" });
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: token, expires_in: 600 }));
  });
  const tokenUrl = `${tokenEndpoint.url}/token`;
  const oauth = (family: string) => ({
    ...upstreamEnv(local.url, [family]),
    [`${family}_UPSTREAM_TOKEN_URL`]: tokenUrl,
    [`${family}_UPSTREAM_CLIENT_ID`]: "demo-mobile-app",
    [`${family}_UPSTREAM_CLIENT_SECRET`]: "secret",
  });
  front = await startTestApp({
    now: () => NOW,
    env: {
      ...oauth("SCORING"),
      ...oauth("SEGMENTS"),
      SEGMENTS_UPSTREAM_CHANNEL: "MX:BCNMX:MOBILE",
      ...upstreamEnv(local.url, ["CATEGORIES", "PROFILES"]),
      CATEGORIES_UPSTREAM_TOKEN: await signTestToken({ scopes: [CATEGORIES_READ_SCOPE], subject: "the-bff" }),
      PROFILES_UPSTREAM_KEY: "demo-telco-profile-key",
      MOBILE_SECTION_TIMEOUT_MS: "5000",
    },
  });
}, 120_000);

afterAll(async () => {
  await front?.close();
  await local?.close();
  await tokenEndpoint?.close();
});

describe("the mobile overview with every family upstream", () => {
  it.each([
    ["Luis (every section)", LUIS],
    ["john (a profile only: the other sections are 404 in the section)", JOHN],
    ["the business line (a score section that is 422)", BUSINESS_LINE],
  ])("answers %s exactly as the BFF that holds the data", async (_name, customerId) => {
    const through = await overview(front, customerId);
    const direct = await overview(local, customerId);
    expect(through.status).toBe(200);
    expect(direct.status).toBe(200);
    // Problem `instance`s are each request's own id.
    const withoutInstances = (body: unknown) => JSON.parse(JSON.stringify(body).replace(/"instance":"[^"]*"/g, '"instance":"?"')) as unknown;
    expect(withoutInstances(through.body)).toEqual(withoutInstances(direct.body));
  });

  it("asked the vendors, under the overview's request id", async () => {
    const token = await front.token({ scopes: [MOBILE_SCOPE] });
    await sendExact(`${front.url}/mobile/v1/customers/${LUIS}/overview`, { headers: { authorization: `Bearer ${token}`, "x-request-id": "overview-req-1" } });
    const calls = front.logs.filter((line) => line.msg === "upstream call" && line.requestId === "overview-req-1").map((line) => line.upstream);
    expect(new Set(calls)).toEqual(new Set(["profiles", "segments", "categories", "scoring"]));
  });
});

describe("the mobile overview of a family upstream without the BFF's own credential", () => {
  it("answers that section as unavailable (503 in the section), the others as usual", async () => {
    const bare = await startTestApp({ now: () => NOW, env: upstreamEnv(local.url, ["PROFILES"]) });
    try {
      const r = await overview(bare, LUIS);
      expect(r.status).toBe(200);
      const sections = r.body.sections as Record<string, { error?: { status: number; type: string } }>;
      expect(sections.profile?.error).toMatchObject({ status: 503, type: "urn:insights:problem:unavailable" });
      expect(sections.segment).toEqual({ segment: "20", birthdayToday: true });
    } finally {
      await bare.close();
    }
  });
});
