import { SCORING_SCOPE } from "@insights/contracts/scoring";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeOfficialConformance, recordScoringAnswer } from "../../support/camara-openapi.js";
import { send, startTestApp, type TestApp } from "../../support/harness.js";

const SEED_PATH = "/camara/customerinsights/scoring/retrieve";
const OFFICIAL_PATH = "/customer-insights/v0.2/scoring/retrieve";
const LUIS = "+34600000001";
const BUSINESS_LINE = "+34600000002";
const OTHER_ORG = "+34600000009";

type Call = { token?: string; body?: unknown; rawBody?: string; correlator?: string; path?: string; contentType?: string };

/**
 * A real request to a scoring path; every answer is checked for the CAMARA error shape here and
 * against the official OpenAPI document at the end of the file.
 */
async function retrieve(app: TestApp, call: Call) {
  const headers: Record<string, string> = { "content-type": call.contentType ?? "application/json" };
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  if (call.correlator !== undefined) headers["x-correlator"] = call.correlator;
  const body = call.rawBody ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
  const r = await send(app.url + (call.path ?? SEED_PATH), { method: "POST", headers, ...(body !== undefined ? { body } : {}) });
  recordScoringAnswer({ test: expect.getState().currentTestName ?? "?", status: r.status, body: r.json });
  expect(r.headers.get("content-type")).toMatch(/^application\/json/);
  if (r.status !== 200) {
    expect(Object.keys(r.json).sort()).toEqual(["code", "message", "status"]);
    expect(r.json.status).toBe(r.status);
    expect(r.headers.get("content-type")).toBe("application/json");
  }
  return r;
}

function expectError(r: { status: number; json: Record<string, unknown> }, status: number, code: string) {
  expect({ status: r.status, code: r.json.code }).toEqual({ status, code });
}

describe("scoring with the default configuration", () => {
  let app: TestApp;
  let twoLegged: string;
  let threeLeggedLuis: string;
  beforeAll(async () => {
    app = await startTestApp();
    twoLegged = await app.token({ scopes: [SCORING_SCOPE] });
    threeLeggedLuis = await app.token({ scopes: [SCORING_SCOPE], phoneNumber: LUIS });
  });
  afterAll(() => app.close());

  describe("success", () => {
    it("answers the seed's curl example verbatim (3-legged token, body {}) with gaugeMetric 600", async () => {
      const r = await retrieve(app, { token: threeLeggedLuis, rawBody: "{}" });
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ scoringType: "gaugeMetric", scoringValue: 600 });
    });

    it("answers on the official v0.2 path too", async () => {
      const r = await retrieve(app, { token: threeLeggedLuis, body: {}, path: OFFICIAL_PATH });
      expect(r.json).toEqual({ scoringType: "gaugeMetric", scoringValue: 600 });
    });

    it("answers veritasIndex 4 when asked for that scale", async () => {
      const r = await retrieve(app, { token: threeLeggedLuis, body: { scoringType: "veritasIndex" } });
      expect(r.json).toEqual({ scoringType: "veritasIndex", scoringValue: 4 });
    });

    it("answers a 2-legged token that names a known phoneNumber", async () => {
      const r = await retrieve(app, { token: twoLegged, body: { phoneNumber: LUIS, scoringType: "veritasIndex" } });
      expect(r.json).toEqual({ scoringType: "veritasIndex", scoringValue: 4 });
    });

    it("accepts phoneNumber with its own idDocument (optional mode)", async () => {
      const r = await retrieve(app, { token: twoLegged, body: { phoneNumber: LUIS, idDocument: "87654321X" } });
      expect(r.status).toBe(200);
    });

    it("accepts a 3-legged token with only the subscriber's own idDocument", async () => {
      const r = await retrieve(app, { token: threeLeggedLuis, body: { idDocument: "87654321X" } });
      expect(r.json).toEqual({ scoringType: "gaugeMetric", scoringValue: 600 });
    });

    it("echoes x-correlator on success", async () => {
      const r = await retrieve(app, { token: threeLeggedLuis, body: {}, correlator: "b4333c46-49c0-4f62-80d7-f0ef930f1c46" });
      expect(r.headers.get("x-correlator")).toBe("b4333c46-49c0-4f62-80d7-f0ef930f1c46");
    });

    it("marks the response not cacheable", async () => {
      const r = await retrieve(app, { token: threeLeggedLuis, body: {} });
      expect(r.headers.get("cache-control")).toBe("no-store");
    });
  });

  describe("401 UNAUTHENTICATED and 403 PERMISSION_DENIED", () => {
    it("answers 401 without a token", async () => {
      expectError(await retrieve(app, { body: {} }), 401, "UNAUTHENTICATED");
    });

    it("answers 401 for a token that is not a JWT", async () => {
      expectError(await retrieve(app, { token: "abc.def.ghi", body: {} }), 401, "UNAUTHENTICATED");
    });

    it("answers 401 for an expired token", async () => {
      const expired = await app.token({ scopes: [SCORING_SCOPE], phoneNumber: LUIS, now: new Date(Date.now() - 3_600_000), expiresInSeconds: 60 });
      expectError(await retrieve(app, { token: expired, body: {} }), 401, "UNAUTHENTICATED");
    });

    it("answers 403 for a token without customer-insights:scoring:read", async () => {
      const token = await app.token({ scopes: ["segments:read"], phoneNumber: LUIS });
      expectError(await retrieve(app, { token, body: {} }), 403, "PERMISSION_DENIED");
    });

    it("checks 401, then 403, before any syntax error", async () => {
      expectError(await retrieve(app, { rawBody: "{not json", correlator: "bad correlator" }), 401, "UNAUTHENTICATED");
      const noScope = await app.token({ scopes: [] });
      expectError(await retrieve(app, { token: noScope, rawBody: "{not json" }), 403, "PERMISSION_DENIED");
    });
  });

  describe("400 INVALID_ARGUMENT", () => {
    it.each([
      ["an x-correlator breaking its pattern", { correlator: "spaces are not allowed", body: {} }],
      ["an x-correlator longer than 256", { correlator: "a".repeat(257), body: {} }],
      ["no body at all", {}],
      ["a body that is not JSON", { rawBody: "{not json" }],
      ["a JSON body that is not an object", { rawBody: "[]" }],
      ["an unknown property", { body: { phoneNumber: LUIS, fullName: "x" } }],
      ["a phoneNumber that is not E.164", { body: { phoneNumber: "600000001" } }],
      ["a phoneNumber too long", { body: { phoneNumber: "+3460000000112345" } }],
      ["a scoringType outside the enum", { body: { scoringType: "ficoScore" } }],
      ["an idDocument that is not a string", { body: { idDocument: 87654321 } }],
      ["an idDocument longer than 40 characters", { body: { phoneNumber: LUIS, idDocument: "1".repeat(41) } }],
      ["a body in another media type", { rawBody: "phoneNumber=+34600000001", contentType: "application/x-www-form-urlencoded" }],
    ] as [string, Call][])("answers 400 for %s", async (_name, call) => {
      const r = await retrieve(app, { token: twoLegged, ...call });
      // Commonalities would say 415 for a foreign media type; the v0.2.0 document lists 400 only.
      expectError(r, 400, "INVALID_ARGUMENT");
    });

    it("answers another method with 405 METHOD_NOT_ALLOWED and Allow: POST (CAMARA Commonalities)", async () => {
      const r = await send(app.url + SEED_PATH, { headers: { authorization: `Bearer ${twoLegged}`, "x-correlator": "c-405" } });
      expect(r.status).toBe(405);
      expect(r.json).toEqual({ status: 405, code: "METHOD_NOT_ALLOWED", message: "The requested method is not allowed/supported on the target resource." });
      expect(r.headers.get("allow")).toBe("POST");
      expect(r.headers.get("x-correlator")).toBe("c-405");
    });

    it("says which field is wrong and what it may be, never the value received", async () => {
      const r = await retrieve(app, { token: twoLegged, body: { scoringType: "+34600000001" } });
      expect(r.json.message).toMatch(/scoringType/);
      expect(r.json.message).toMatch(/'gaugeMetric', 'veritasIndex'/);
      expect(r.json.message).not.toContain("+34600000001");
    });

    it("answers an x-correlator that breaks its pattern with 400 and does not echo it (the official header schema forbids it)", async () => {
      const r = await retrieve(app, { token: twoLegged, correlator: "not valid!", body: {} });
      expectError(r, 400, "INVALID_ARGUMENT");
      expect(r.headers.get("x-correlator")).toBeNull();
    });
  });

  describe("identifier rules", () => {
    it("answers 422 UNNECESSARY_IDENTIFIER when a 3-legged token also sends phoneNumber, even the same one", async () => {
      expectError(await retrieve(app, { token: threeLeggedLuis, body: { phoneNumber: LUIS } }), 422, "UNNECESSARY_IDENTIFIER");
      expectError(await retrieve(app, { token: threeLeggedLuis, body: { phoneNumber: "+34699999999" } }), 422, "UNNECESSARY_IDENTIFIER");
    });

    it("answers 422 MISSING_IDENTIFIER when a 2-legged token sends no phoneNumber", async () => {
      expectError(await retrieve(app, { token: twoLegged, body: {} }), 422, "MISSING_IDENTIFIER");
      expectError(await retrieve(app, { token: twoLegged, body: { idDocument: "87654321X" } }), 422, "MISSING_IDENTIFIER");
    });

    it("answers 404 IDENTIFIER_NOT_FOUND for an unknown well-formed phoneNumber (2-legged)", async () => {
      const r = await retrieve(app, { token: twoLegged, body: { phoneNumber: "+34699999999" } });
      expectError(r, 404, "IDENTIFIER_NOT_FOUND");
      expect(r.json.message).toBe("phoneNumber not found.");
    });

    it("answers 404 IDENTIFIER_NOT_FOUND for a 3-legged token whose subscriber is unknown", async () => {
      const token = await app.token({ scopes: [SCORING_SCOPE], phoneNumber: "+34699999999" });
      expectError(await retrieve(app, { token, body: {} }), 404, "IDENTIFIER_NOT_FOUND");
    });

    it("never shows another organisation's subscriber: its phone is not found", async () => {
      expectError(await retrieve(app, { token: twoLegged, body: { phoneNumber: OTHER_ORG } }), 404, "IDENTIFIER_NOT_FOUND");
      const bound = await app.token({ scopes: [SCORING_SCOPE], phoneNumber: OTHER_ORG });
      expectError(await retrieve(app, { token: bound, body: {} }), 404, "IDENTIFIER_NOT_FOUND");
    });

    it("lets the other organisation's own credentials see its subscriber", async () => {
      const token = await app.token({ scopes: [SCORING_SCOPE], orgId: "other" });
      const r = await retrieve(app, { token, body: { phoneNumber: OTHER_ORG } });
      expect(r.json).toEqual({ scoringType: "gaugeMetric", scoringValue: 420 });
    });

    it("answers 422 SERVICE_NOT_APPLICABLE for a business line, 2-legged and 3-legged", async () => {
      expectError(await retrieve(app, { token: twoLegged, body: { phoneNumber: BUSINESS_LINE } }), 422, "SERVICE_NOT_APPLICABLE");
      const bound = await app.token({ scopes: [SCORING_SCOPE], phoneNumber: BUSINESS_LINE });
      expectError(await retrieve(app, { token: bound, body: {} }), 422, "SERVICE_NOT_APPLICABLE");
    });

    it("answers 404 NOT_FOUND for an unknown idDocument", async () => {
      expectError(await retrieve(app, { token: twoLegged, body: { phoneNumber: LUIS, idDocument: "00000000T" } }), 404, "NOT_FOUND");
    });

    it("answers 422 CUSTOMER_INSIGHTS.INVALID_IDENTIFIERS for an idDocument of another subscriber", async () => {
      expectError(await retrieve(app, { token: twoLegged, body: { phoneNumber: LUIS, idDocument: "11111111H" } }), 422, "CUSTOMER_INSIGHTS.INVALID_IDENTIFIERS");
    });

    it("answers 422 CUSTOMER_INSIGHTS.INVALID_IDENTIFIERS when a 3-legged token sends another subscriber's idDocument", async () => {
      expectError(await retrieve(app, { token: threeLeggedLuis, body: { idDocument: "11111111H" } }), 422, "CUSTOMER_INSIGHTS.INVALID_IDENTIFIERS");
    });

    it("resolves identifiers before business rules: an unknown phone is 404 even with a bad idDocument", async () => {
      expectError(await retrieve(app, { token: twoLegged, body: { phoneNumber: "+34699999999", idDocument: "11111111H" } }), 404, "IDENTIFIER_NOT_FOUND");
    });
  });
});

describe("scoring operator configuration", () => {
  const apps: TestApp[] = [];
  async function appWith(env: Record<string, string>) {
    const app = await startTestApp({ env });
    apps.push(app);
    return app;
  }
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
  });

  it("SCORING_SCALES without veritasIndex: asking for it is 422 CUSTOMER_INSIGHTS.SCALE_TYPE_NOT_SUPPORTED", async () => {
    const app = await appWith({ SCORING_SCALES: "gaugeMetric" });
    const token = await app.token({ scopes: [SCORING_SCOPE], phoneNumber: LUIS });
    expectError(await retrieve(app, { token, body: { scoringType: "veritasIndex" } }), 422, "CUSTOMER_INSIGHTS.SCALE_TYPE_NOT_SUPPORTED");
    expect((await retrieve(app, { token, body: {} })).json).toEqual({ scoringType: "gaugeMetric", scoringValue: 600 });
  });

  it("SCORING_DEFAULT_SCALE=veritasIndex answers that scale when none is asked for", async () => {
    const app = await appWith({ SCORING_DEFAULT_SCALE: "veritasIndex" });
    const token = await app.token({ scopes: [SCORING_SCOPE], phoneNumber: LUIS });
    expect((await retrieve(app, { token, body: {} })).json).toEqual({ scoringType: "veritasIndex", scoringValue: 4 });
  });

  it("SCORING_ID_DOCUMENT=unsupported: sending idDocument is 422 CUSTOMER_INSIGHTS.ID_DOCUMENT_NOT_SUPPORTED", async () => {
    const app = await appWith({ SCORING_ID_DOCUMENT: "unsupported" });
    const token = await app.token({ scopes: [SCORING_SCOPE] });
    expectError(await retrieve(app, { token, body: { phoneNumber: LUIS, idDocument: "87654321X" } }), 422, "CUSTOMER_INSIGHTS.ID_DOCUMENT_NOT_SUPPORTED");
    expect((await retrieve(app, { token, body: { phoneNumber: LUIS } })).status).toBe(200);
  });

  it("SCORING_ID_DOCUMENT=required: omitting idDocument is 422 CUSTOMER_INSIGHTS.ID_DOCUMENT_REQUIRED", async () => {
    const app = await appWith({ SCORING_ID_DOCUMENT: "required" });
    const token = await app.token({ scopes: [SCORING_SCOPE] });
    const r = await retrieve(app, { token, body: { phoneNumber: LUIS } });
    expectError(r, 422, "CUSTOMER_INSIGHTS.ID_DOCUMENT_REQUIRED");
    expect(r.json.message).toBe("The `idDocument` is required to perform the properties validation.");
    expect((await retrieve(app, { token, body: { phoneNumber: LUIS, idDocument: "87654321X" } })).json).toEqual({ scoringType: "gaugeMetric", scoringValue: 600 });
  });

  it("refuses a default scale outside SCORING_SCALES at start", async () => {
    await expect(appWith({ SCORING_SCALES: "gaugeMetric", SCORING_DEFAULT_SCALE: "veritasIndex" })).rejects.toThrow(/SCORING_DEFAULT_SCALE/);
  });
});

describe("scoring rate limit", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { RATE_LIMIT_MAX: "2" } });
  });
  afterAll(() => app.close());

  it("answers 429 TOO_MANY_REQUESTS in CAMARA format with Retry-After and the x-correlator", async () => {
    const token = await app.token({ scopes: [SCORING_SCOPE], phoneNumber: LUIS });
    await retrieve(app, { token, body: {} });
    await retrieve(app, { token, body: {} });
    const r = await retrieve(app, { token, body: {}, correlator: "corr-429" });
    expectError(r, 429, "TOO_MANY_REQUESTS");
    expect(r.json.message).toBe("Rate limit reached.");
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(r.headers.get("x-correlator")).toBe("corr-429");
  });
});

describeOfficialConformance();
