import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apiContract, policyOf, type AuthPolicy } from "@insights/contracts";
import type { categoriesContract } from "@insights/contracts/categories";
import type { mobileContract } from "@insights/contracts/mobile";
import type { profilesContract } from "@insights/contracts/profiles";
import type { systemContract } from "@insights/contracts/system";
import { isAppRoute, type AppRoute, type AppRouter } from "@ts-rest/core";
import { generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import type { AnonymousCaller, ApiKeyCaller, ClientTokenCaller, SubscriberTokenCaller, TokenCaller } from "../../../src/platform/auth/caller.js";
import { DEVELOPMENT_AUDIENCE, DEVELOPMENT_ISSUER } from "../../../src/config.js";
import type { HandlerInput } from "../../../src/platform/http/ts-rest-adapter.js";
import { developmentKeys, send, startTestApp, type TestApp } from "../../support/harness.js";

/**
 * The authorization matrix: every route of the contract the app mounts (the same `apiContract`
 * the OpenAPI document is generated from) × every credential its scheme can be offered → the
 * documented outcome, through the real app on a real port. A route without a row fails; so does
 * a row without a cell for one of its scheme's credentials. Cells run in table order on one app
 * (a write's success is what the next row's success builds on: add, then delete).
 */

/** What a caller can present. Bearer routes take tokens; API-key routes keys; public routes ignore both. */
const columns = {
  bearer: ["none", "malformed", "expired", "wrongSignature", "wrongAudience", "wrongScope", "wrongOrganisation", "wrongRole", "right"],
  apiKey: ["none", "malformed", "unknown", "wrongOrganisation", "right"],
  public: ["none", "malformed", "expired", "wrongSignature", "wrongAudience", "wrongScope", "wrongOrganisation", "wrongRole", "right"],
} as const;
type Credential = (typeof columns)[keyof typeof columns][number];

type ErrorFormat = "camara" | "citibanamex" | "masstack" | "imiconnect" | "problem";
type Outcome = { status: number; error?: { format: ErrorFormat; code: string }; body?: Record<string, unknown> };
type NotApplicable = { notApplicable: string };
type Cell = Outcome | NotApplicable;

type RequestSpec = { method: string; path: string; headers?: Record<string, string>; body?: string };
type Row = {
  request: () => RequestSpec;
  /** The roles header a caller sends with a right token: one that allows the route, one that does not. */
  roles?: { allowing: string; refusing: string };
  cells: Partial<Record<Credential, Cell>>;
};

const ok = (status: number, body?: Record<string, unknown>): Outcome => ({ status, ...(body ? { body } : {}) });
const error = (format: ErrorFormat, status: number, code: string): Outcome => ({ status, error: { format, code } });
const notApplicable = (why: string): NotApplicable => ({ notApplicable: why });
const noRoles = notApplicable("the route reads no roles header");

/** Each family's answer to a credential that does not verify (401) and to one that lacks the scope (403). */
function refusals(format: ErrorFormat, unauthenticated: string, forbidden: string) {
  const denied = error(format, 401, unauthenticated);
  return { none: denied, malformed: denied, expired: denied, wrongSignature: denied, wrongAudience: denied, wrongScope: error(format, 403, forbidden) };
}
const camara = refusals("camara", "UNAUTHENTICATED", "PERMISSION_DENIED");
const citibanamex = refusals("citibanamex", "unAuthorized", "accessNotConfigured");
const masstack = refusals("masstack", "MCUS.999.996", "MCUS.999.995");
const problem = refusals("problem", "unauthenticated", "permission-denied");
/** IMIconnect answers errors with HTTP 200 and a code (PROFILES_ERROR_HTTP_STATUS=vendor, the default). */
const imiconnectRefused = error("imiconnect", 200, "7001");
const apiKeyRefusals = { none: imiconnectRefused, malformed: imiconnectRefused, unknown: imiconnectRefused };
/** Public routes ignore credentials, whatever they are. */
const publicCells = (status: number) => ({
  none: ok(status),
  malformed: ok(status),
  expired: ok(status),
  wrongSignature: ok(status),
  wrongAudience: ok(status),
  wrongScope: ok(status),
  wrongOrganisation: ok(status),
  wrongRole: noRoles,
  right: ok(status),
});

const LUIS_PHONE = "+34600000001";
const LUIS_CITIBANAMEX = "321116471234";
const LUIS_MASSTACK = "123e4567-e89b-12d3-a456-556642440000";
const LUIS = "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a1001";
const CUSTOMER_TYPE = 214748364;
const CHURN_RISK = 214748365;

const json = (method: string, path: string, body: unknown, headers: Record<string, string> = {}): RequestSpec => ({
  method,
  path,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});
const get = (path: string, headers: Record<string, string> = {}): RequestSpec => ({ method: "GET", path, headers });
const segmentHeaders = () => ({ client_id: "demo-mobile-app", accept: "application/json", uuid: randomUUID(), countrycode: "MX", businesscode: "BCNMX", channelid: "MOBILE" });
const keyExchangeHeaders = () => ({ client_id: "demo-mobile-app", accept: "application/json", uuid: randomUUID() });
const categories = (path: string) => `/v4/orgs/telco${path}`;
const readRoles = { allowing: "CATEGORIES_READER", refusing: "ADMIN" };
const writeRoles = { allowing: "CATEGORIES_WRITER", refusing: "CATEGORIES_READER" };

/** An import job of the organisation `telco`, made before the matrix runs (the read routes need one). */
let importJobId = "";
const startedImports: { id: string; orgId: string }[] = [];
const EMPTY_SCORES_FILE = "externalId,scoringType,scoringValue\n";

/** The matrix: one row per route, by its key in the contract. */
const matrix: Readonly<Record<string, Row>> = {
  // The BFF's own routes are public: credentials change nothing.
  "system.getHealth": { request: () => get("/healthz"), cells: publicCells(200) },
  "system.getApiReference": { request: () => get("/docs"), cells: publicCells(200) },
  "system.getOpenApiDocument": { request: () => get("/openapi.json"), cells: publicCells(200) },
  "system.getReadiness": { request: () => get("/readyz"), cells: publicCells(200) },
  "system.getMetrics": { request: () => get("/metrics"), cells: publicCells(200) },

  // CAMARA scoring (seed 000): another organisation's subscriber is not found, never shown.
  "scoring.retrieveScoring": {
    request: () => json("POST", "/camara/customerinsights/scoring/retrieve", { phoneNumber: LUIS_PHONE }),
    cells: { ...camara, wrongOrganisation: error("camara", 404, "IDENTIFIER_NOT_FOUND"), wrongRole: noRoles, right: ok(200, { scoringType: "gaugeMetric" }) },
  },
  "scoring.retrieveScoringV02": {
    request: () => json("POST", "/customer-insights/v0.2/scoring/retrieve", { phoneNumber: LUIS_PHONE }),
    cells: { ...camara, wrongOrganisation: error("camara", 404, "IDENTIFIER_NOT_FOUND"), wrongRole: noRoles, right: ok(200, { scoringType: "gaugeMetric" }) },
  },

  // Citibanamex segments (seed 001): the client_id must be registered in the token's organisation.
  "segments.retrieveSegment": {
    request: () => json("POST", "/v1/customers/segments/retrieve", { customerId: LUIS_CITIBANAMEX }, segmentHeaders()),
    cells: { ...citibanamex, wrongOrganisation: error("citibanamex", 403, "accessNotConfigured"), wrongRole: noRoles, right: ok(200) },
  },
  "segments.retrieveSegmentApi": {
    request: () => json("POST", "/api/v1/customers/segments/retrieve", { customerId: LUIS_CITIBANAMEX }, segmentHeaders()),
    cells: { ...citibanamex, wrongOrganisation: error("citibanamex", 403, "accessNotConfigured"), wrongRole: noRoles, right: ok(200) },
  },
  "segments.retrievePublicKey": {
    request: () => get("/v1/x-global/security/e2e-gateway/public-key/retrieve", keyExchangeHeaders()),
    cells: { ...citibanamex, wrongOrganisation: error("citibanamex", 403, "accessNotConfigured"), wrongRole: noRoles, right: ok(200) },
  },
  "segments.retrievePublicKeyApi": {
    request: () => get("/api/v1/x-global/security/e2e-gateway/public-key/retrieve", keyExchangeHeaders()),
    cells: { ...citibanamex, wrongOrganisation: error("citibanamex", 403, "accessNotConfigured"), wrongRole: noRoles, right: ok(200) },
  },

  // MasStack categories (seed 002): org_id must be the token's organisation; x-auth-roles narrows.
  "categories.getCustomerCategoryHistory": {
    request: () => get(categories(`/customers/${LUIS_MASSTACK}/categories/historical`)),
    roles: readRoles,
    cells: { ...masstack, wrongOrganisation: error("masstack", 403, "MCUS.999.995"), wrongRole: error("masstack", 403, "MCUS.999.995"), right: ok(200) },
  },
  "categories.listCustomerCategories": {
    request: () => get(categories(`/customers/${LUIS_MASSTACK}/categories`)),
    roles: readRoles,
    cells: { ...masstack, wrongOrganisation: error("masstack", 403, "MCUS.999.995"), wrongRole: error("masstack", 403, "MCUS.999.995"), right: ok(200) },
  },
  "categories.addCustomerCategory": {
    request: () => json("POST", categories(`/customers/${LUIS_MASSTACK}/categories`), { id: CHURN_RISK, value: "low" }),
    roles: writeRoles,
    cells: { ...masstack, wrongOrganisation: error("masstack", 403, "MCUS.999.995"), wrongRole: error("masstack", 403, "MCUS.999.995"), right: ok(201) },
  },
  "categories.getCustomerCategory": {
    request: () => get(categories(`/customers/${LUIS_MASSTACK}/categories/${CUSTOMER_TYPE}`)),
    roles: readRoles,
    cells: { ...masstack, wrongOrganisation: error("masstack", 403, "MCUS.999.995"), wrongRole: error("masstack", 403, "MCUS.999.995"), right: ok(200) },
  },
  "categories.patchCustomerCategory": {
    request: () => json("PATCH", categories(`/customers/${LUIS_MASSTACK}/categories/${CUSTOMER_TYPE}`), { reason: "authorization matrix" }),
    roles: writeRoles,
    cells: { ...masstack, wrongOrganisation: error("masstack", 403, "MCUS.999.995"), wrongRole: error("masstack", 403, "MCUS.999.995"), right: ok(204) },
  },
  "categories.deleteCustomerCategory": {
    // The category the row for addCustomerCategory added.
    request: () => ({ method: "DELETE", path: categories(`/customers/${LUIS_MASSTACK}/categories/${CHURN_RISK}`) }),
    roles: writeRoles,
    cells: { ...masstack, wrongOrganisation: error("masstack", 403, "MCUS.999.995"), wrongRole: error("masstack", 403, "MCUS.999.995"), right: ok(204) },
  },
  "categories.listCategories": {
    request: () => get(categories("/categories")),
    roles: readRoles,
    cells: { ...masstack, wrongOrganisation: error("masstack", 403, "MCUS.999.995"), wrongRole: error("masstack", 403, "MCUS.999.995"), right: ok(200) },
  },
  "categories.addCategories": {
    request: () => json("POST", categories("/categories"), { categories: [{ name: "matrix_tier", valid_values: ["gold"] }] }),
    roles: writeRoles,
    cells: { ...masstack, wrongOrganisation: error("masstack", 403, "MCUS.999.995"), wrongRole: error("masstack", 403, "MCUS.999.995"), right: ok(201) },
  },

  // IMIconnect profiles (seed 003): another organisation's customer is answered as an unknown one.
  "profiles.getCustomerProfile": {
    request: () => get("/resources/v1/customerprofile/4545?showinwardlinks=0"),
    cells: {
      ...apiKeyRefusals,
      wrongOrganisation: error("imiconnect", 200, "7014"),
      right: ok(200, { Status: 0, code: "1000" }),
    },
  },
  "profiles.getCustomerProfiles": {
    request: () => get("/resources/v1/customerprofile?customerId=4545&showinwardlinks=0"),
    cells: {
      ...apiKeyRefusals,
      wrongOrganisation: ok(200, { Status: 0, Records: [] }),
      right: ok(200, { Status: 0, Records: [expect.anything()] }),
    },
  },

  // The mobile API (RFC 9457): /me only for a token bound to a subscriber, the rest for a client's token.
  "mobile.getMyOverview": {
    request: () => get("/mobile/v1/me"),
    cells: { ...problem, wrongOrganisation: error("problem", 404, "not-found"), wrongRole: noRoles, right: ok(200, { customer: { id: LUIS, fullName: "Luis Diaz Salinas" } }) },
  },
  "mobile.searchCustomers": {
    request: () => get(`/mobile/v1/customers?phoneNumber=${encodeURIComponent(LUIS_PHONE)}`),
    cells: { ...problem, wrongOrganisation: ok(200, { customers: [] }), wrongRole: noRoles, right: ok(200, { customers: [{ id: LUIS, fullName: "Luis Diaz Salinas" }] }) },
  },
  "mobile.getCustomerOverview": {
    request: () => get(`/mobile/v1/customers/${LUIS}/overview`),
    cells: { ...problem, wrongOrganisation: error("problem", 404, "not-found"), wrongRole: noRoles, right: ok(200, { customer: { id: LUIS, fullName: "Luis Diaz Salinas" } }) },
  },

  // The admin import API (RFC 9457): the organisation is the token's; no request can name another.
  "imports.createImport": {
    request: () => ({ method: "POST", path: "/admin/v1/imports?dataset=scores&format=csv", headers: { "content-type": "text/csv" }, body: EMPTY_SCORES_FILE }),
    cells: { ...problem, wrongOrganisation: ok(202, { state: "queued" }), wrongRole: noRoles, right: ok(202, { state: "queued" }) },
  },
  "imports.getImport": {
    request: () => get(`/admin/v1/imports/${importJobId}`),
    cells: { ...problem, wrongOrganisation: error("problem", 404, "not-found"), wrongRole: noRoles, right: ok(200, { dataset: "scores", state: expect.any(String) }) },
  },
  "imports.listImportRejects": {
    request: () => get(`/admin/v1/imports/${importJobId}/rejects`),
    cells: { ...problem, wrongOrganisation: error("problem", 404, "not-found"), wrongRole: noRoles, right: ok(200, { rejects: [] }) },
  },
};

/** Every route of the contract, by its key path ("categories.addCustomerCategory"). */
function routesOf(router: AppRouter | AppRoute, name = ""): [string, AppRoute][] {
  if (isAppRoute(router)) return [[name, router]];
  return Object.entries(router).flatMap(([key, child]) => routesOf(child as AppRouter | AppRoute, name ? `${name}.${key}` : key));
}
const routes = routesOf(apiContract);

/** Every scope some route asks for: a token with all but a route's own is the "wrong scope" for it. */
const everyScope = [...new Set(routes.flatMap(([, route]) => (policyOf(route.metadata)?.auth.scheme === "bearer" ? [...(policyOf(route.metadata)!.auth as { scopes: readonly string[] }).scopes] : [])))];

let app: TestApp;
let dataDir: string;
let foreignKey: CryptoKey;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "bff-authz-matrix-"));
  // Every cell is one request; no cell may meet a rate limit.
  app = await startTestApp({ env: { DATA_DIR: dataDir, RATE_LIMIT_MAX: "100000" } });
  foreignKey = (await generateKeyPair("ES256")).privateKey;
  const created = await send(`${app.url}/admin/v1/imports?dataset=scores&format=csv`, {
    method: "POST",
    headers: { authorization: `Bearer ${await app.token({ scopes: ["imports:write"] })}`, "content-type": "text/csv" },
    body: EMPTY_SCORES_FILE,
  });
  expect(created.status, created.text).toBe(202);
  importJobId = String(created.json.id);
  startedImports.push({ id: importJobId, orgId: "telco" });
});

afterAll(async () => {
  // Imports run in this process: let every job the matrix started finish before the store closes.
  for (const job of startedImports) await untilFinished(job);
  await app.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function untilFinished(job: { id: string; orgId: string }) {
  const authorization = `Bearer ${await app.token({ scopes: ["imports:read"], orgId: job.orgId })}`;
  for (;;) {
    const r = await send(`${app.url}/admin/v1/imports/${job.id}`, { headers: { authorization } });
    if (r.status !== 200 || r.json.state === "succeeded" || r.json.state === "failed") return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The headers that present `credential` to a route of this policy (`roles` where the route reads a roles header). */
async function credentialHeaders(credential: Credential, auth: AuthPolicy, row: Row): Promise<Record<string, string>> {
  if (auth.scheme === "apiKey") {
    const header = auth.headers[0]!;
    const keys: Partial<Record<Credential, string>> = {
      malformed: "not a key!",
      unknown: "demo-telco-profile-kez",
      wrongOrganisation: "demo-other-profile-key",
      right: "demo-telco-profile-key",
    };
    const key = keys[credential];
    return key === undefined ? {} : { [header]: key };
  }
  const scopes = auth.scheme === "bearer" ? [...auth.scopes] : [];
  const phoneNumber = auth.scheme === "bearer" && auth.binding === "subscriber" ? { phoneNumber: LUIS_PHONE } : {};
  const right = { scopes, ...phoneNumber };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const rolesHeader = auth.scheme === "bearer" && auth.roles && row.roles ? { header: auth.roles.header, ...row.roles } : undefined;
  const allowingRole: Record<string, string> = rolesHeader ? { [rolesHeader.header]: rolesHeader.allowing } : {};
  switch (credential) {
    case "none":
    case "unknown":
      return {};
    case "malformed":
      return bearer("not.a.jwt");
    case "expired":
      return bearer(await app.token({ ...right, now: new Date(Date.now() - 3_600_000), expiresInSeconds: 600 }));
    case "wrongSignature":
      return bearer(await signedByAnotherKey(right.scopes, "phoneNumber" in phoneNumber ? LUIS_PHONE : undefined));
    case "wrongAudience":
      return bearer(await app.token({ ...right, audience: "https://someone-else.example" }));
    case "wrongScope":
      return { ...bearer(await app.token({ ...right, scopes: everyScope.filter((s) => !scopes.includes(s)) })), ...allowingRole };
    case "wrongOrganisation":
      return { ...bearer(await app.token({ ...right, orgId: "other" })), ...allowingRole };
    case "wrongRole":
      return { ...bearer(await app.token(right)), ...(rolesHeader ? { [rolesHeader.header]: rolesHeader.refusing } : {}) };
    case "right":
      return { ...bearer(await app.token(right)), ...allowingRole };
  }
}

/** A token like the development key's, with its `kid`, signed by a key the BFF does not trust. */
async function signedByAnotherKey(scopes: string[], phoneNumber: string | undefined): Promise<string> {
  const { keys } = await developmentKeys();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: scopes.join(" "), org: "telco", ...(phoneNumber ? { phone_number: phoneNumber } : {}) })
    .setProtectedHeader({ alg: "ES256", kid: keys.kid, typ: "at+jwt" })
    .setIssuer(DEVELOPMENT_ISSUER)
    .setAudience(DEVELOPMENT_AUDIENCE)
    .setSubject("dev-client")
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(foreignKey);
}

function expectOutcome(r: Awaited<ReturnType<typeof send>>, outcome: Outcome) {
  expect(r.status, r.text).toBe(outcome.status);
  if (outcome.body) expect(r.json).toMatchObject(outcome.body);
  if (!outcome.error) return;
  const { format, code } = outcome.error;
  switch (format) {
    case "camara":
      expect(r.headers.get("content-type")).toBe("application/json");
      expect(r.json).toEqual({ status: outcome.status, code, message: expect.any(String) });
      return;
    case "citibanamex":
      expect(r.headers.get("content-type")).toBe("application/json");
      expect(r.json).toMatchObject({ type: "error", code, details: expect.any(String), timestamp: expect.any(String) });
      expect(Object.keys(r.json).every((key) => ["type", "code", "details", "location", "moreInfo", "uuid", "timestamp"].includes(key))).toBe(true);
      return;
    case "masstack":
      expect(r.headers.get("content-type")).toBe("application/json");
      expect(r.json).toEqual({ errors: [{ error: { code, title: expect.any(String), ref: "http://", message: expect.any(String) } }] });
      return;
    case "imiconnect":
      expect(r.headers.get("content-type")).toBe("application/json");
      expect(r.json).toEqual({ Status: 1, Description: expect.any(String), code, transid: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      return;
    case "problem":
      expect(r.headers.get("content-type")).toBe("application/problem+json");
      expect(r.json).toMatchObject({ type: `urn:insights:problem:${code}`, status: outcome.status, instance: r.headers.get("x-request-id") });
      return;
  }
}

describe("authorization matrix", () => {
  it("has no row for a route the contract does not have", () => {
    const known = new Set(routes.map(([name]) => name));
    expect(Object.keys(matrix).filter((name) => !known.has(name))).toEqual([]);
  });

  describe.each(routes)("%s", (name, route) => {
    const row = matrix[name];
    const auth = policyOf(route.metadata)!.auth;

    it("has a row, with a cell for every credential of its scheme and a roles cell only where the policy reads roles", () => {
      expect(row, `no row for ${name}: add it to the matrix`).toBeDefined();
      expect(Object.keys(row!.cells).sort()).toEqual([...columns[auth.scheme]].sort());
      const readsRoles = auth.scheme === "bearer" && auth.roles !== undefined;
      expect("notApplicable" in (row!.cells.wrongRole ?? noRoles), "wrongRole is not applicable exactly when the policy has no roles").toBe(!readsRoles);
      expect(row!.roles !== undefined).toBe(readsRoles);
    });

    // Cells are built when the suite is collected; a missing row has none (and failed above).
    it.each(columns[auth.scheme].map((credential) => [credential, row?.cells[credential]] as const))("%s", async (credential, cell) => {
      if (cell === undefined) throw new Error(`${name} has no cell for ${credential}`);
      if ("notApplicable" in cell) return;
      const request = row!.request();
      const headers = { ...request.headers, ...(await credentialHeaders(credential, auth, row!)) };
      const r = await send(app.url + request.path, { method: request.method, headers, ...(request.body !== undefined ? { body: request.body } : {}) });
      expectOutcome(r, cell);
      if (name === "imports.createImport" && r.status === 202) startedImports.push({ id: String(r.json.id), orgId: credential === "wrongOrganisation" ? "other" : "telco" });
    });
  });
});

describe("the caller a handler receives follows its route's policy", () => {
  it("is a token for a bearer route, bound as the policy binds it; an API key's owner for a key route; anonymous for a public one", () => {
    expectTypeOf<HandlerInput<typeof categoriesContract.addCustomerCategory>["caller"]>().toEqualTypeOf<TokenCaller>();
    expectTypeOf<HandlerInput<typeof mobileContract.getMyOverview>["caller"]>().toEqualTypeOf<SubscriberTokenCaller>();
    expectTypeOf<HandlerInput<typeof mobileContract.searchCustomers>["caller"]>().toEqualTypeOf<ClientTokenCaller>();
    expectTypeOf<HandlerInput<typeof profilesContract.getCustomerProfile>["caller"]>().toEqualTypeOf<ApiKeyCaller>();
    expectTypeOf<HandlerInput<typeof systemContract.getHealth>["caller"]>().toEqualTypeOf<AnonymousCaller>();
  });
});
