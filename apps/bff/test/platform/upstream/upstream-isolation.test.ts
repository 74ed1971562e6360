import { randomBytes } from "node:crypto";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { request, type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CATEGORIES_READ_SCOPE } from "@insights/contracts/categories";
import { IMPORTS_READ_SCOPE, IMPORTS_WRITE_SCOPE } from "@insights/contracts/imports";
import { MOBILE_SCOPE } from "@insights/contracts/mobile";
import { SCORING_SCOPE } from "@insights/contracts/scoring";
import { SEGMENTS_SCOPE } from "@insights/contracts/segments";
import { reportSkip } from "@insights/store/testing";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { developmentKeys, send, signTestToken, startTestApp, type TestApp } from "../../support/harness.js";
import { startBffProcess, type BffProcess } from "../../support/processes.js";
import { segmentRequestHeaders, startLoopbackServer, upstreamEnv, type LoopbackServer } from "../../support/upstream-fixtures.js";

/**
 * The review's reproductions of upstream mode crossing organisations and steering the vendor
 * call (issue 26), against a real BFF process (`npm start`) whose four families are `upstream`
 * with the vendor account of organisation `telco`. The vendor is a proxy that records every
 * request exactly as it arrives, in front of a BFF holding the vendor's data: each test asserts
 * what the vendor saw, not only what the caller got.
 */

type Seen = { method: string; url: string; headers: IncomingHttpHeaders };

const LUIS_PHONE = "+34600000001";
const LUIS_CITI = "321116471234";
const LUIS_MASSTACK = "123e4567-e89b-12d3-a456-556642440000";
const ANA_PHONE = "+34600000009";
const ANA_MASSTACK = "9d7c1a52-1b7e-4c55-8a8e-2f1f3c9a0b01";
const TELCO_KEY = "demo-telco-profile-key";
const OTHER_KEY = "demo-other-profile-key";
const EVIL_REF = "../../../internal/admin/users?all=1#";

let vendorData: TestApp;
let vendor: LoopbackServer;
let tokenEndpoint: LoopbackServer;
let front: BffProcess;
let dataDir: string;
let seen: Seen[] = [];
/** The `Link` the vendor puts on its history answers instead of its own, when set. */
let vendorLink: string | undefined;

/** A request with its path exactly as given (no client-side normalisation of dot segments), like `curl --path-as-is`. */
function sendRaw(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const target = new URL(front.url);
  return new Promise<{ status: number; headers: IncomingHttpHeaders; json: Record<string, unknown> }>((resolve, reject) => {
    const headers = { ...init.headers, ...(init.body !== undefined ? { "content-length": String(Buffer.byteLength(init.body)) } : {}) };
    const req = request({ host: target.hostname, port: target.port, path, method: init.method ?? "GET", headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> }));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Imports customers (a CSV) into an organisation through the front's admin API, and waits for the job to succeed. */
async function importCustomers(orgId: string, csv: string): Promise<void> {
  const token = await signTestToken({ scopes: [IMPORTS_WRITE_SCOPE, IMPORTS_READ_SCOPE], orgId });
  const upload = await send(`${front.url}/admin/v1/imports?dataset=customers&format=csv`, { method: "POST", headers: { ...bearer(token), "content-type": "text/csv" }, body: csv });
  expect(upload.status).toBe(202);
  const state = async () => (await send(`${front.url}/admin/v1/imports/${String(upload.json.id)}`, { headers: bearer(token) })).json.state;
  await expect.poll(state, { timeout: 30_000, interval: 200 }).toBe("succeeded");
}
const scoringRequest = (token: string, body: unknown) =>
  sendRaw("/camara/customerinsights/scoring/retrieve", { method: "POST", headers: { ...bearer(token), "content-type": "application/json" }, body: JSON.stringify(body) });
const segmentRequest = (token: string, body: unknown) =>
  sendRaw("/v1/customers/segments/retrieve", { method: "POST", headers: segmentRequestHeaders(token), body: JSON.stringify(body) });

beforeAll(async () => {
  vendorData = await startTestApp();
  const vendorUrl = new URL(vendorData.url);
  // The recording vendor: every request as it arrived (its raw path), then answered by the BFF holding the vendor's data.
  vendor = await startLoopbackServer((req, res, body) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    const headers = { ...req.headers, host: vendorUrl.host };
    const upstream = request({ host: vendorUrl.hostname, port: vendorUrl.port, path: req.url, method: req.method, headers }, (answer) => {
      const out = { ...answer.headers };
      if (vendorLink !== undefined && req.url?.includes("/categories/historical")) out.link = vendorLink;
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    upstream.end(body);
  });
  tokenEndpoint = await startLoopbackServer(async (_req, res) => {
    const token = await signTestToken({ scopes: [SCORING_SCOPE, SEGMENTS_SCOPE], subject: "the-bff" });
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: token, expires_in: 600 }));
  });
  // The front verifies the tokens the harness signs: its DATA_DIR holds the same development key.
  dataDir = await mkdtemp(join(tmpdir(), "bff-isolation-"));
  await cp(join((await developmentKeys()).dir, "auth"), join(dataDir, "auth"), { recursive: true });
  const oauth = (family: string) => ({
    [`${family}_UPSTREAM_TOKEN_URL`]: `${tokenEndpoint.url}/token`,
    [`${family}_UPSTREAM_CLIENT_ID`]: "demo-mobile-app",
    [`${family}_UPSTREAM_CLIENT_SECRET`]: "secret",
  });
  front = await startBffProcess({
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    ...upstreamEnv(vendor.url),
    ...oauth("SCORING"),
    ...oauth("SEGMENTS"),
    SEGMENTS_UPSTREAM_CHANNEL: "MX:BCNMX:MOBILE",
    CATEGORIES_UPSTREAM_TOKEN: await signTestToken({ scopes: [CATEGORIES_READ_SCOPE], subject: "the-bff" }),
    PROFILES_UPSTREAM_KEY: TELCO_KEY,
    MOBILE_SECTION_TIMEOUT_MS: "5000",
    // The harness signs every token for one subject: its budget is not what is tested here.
    RATE_LIMIT_MAX: "100000",
  });
}, 120_000);

afterAll(async () => {
  await front?.stop();
  await vendor?.close();
  await tokenEndpoint?.close();
  await vendorData?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 60_000);

beforeEach(() => {
  seen = [];
  vendorLink = undefined;
});

describe("an identifier in a vendor URL", () => {
  it.each([
    ["a dot-dot segment (curl --path-as-is)", "/resources/v1/customerprofile/.."],
    ["percent-encoded dot-dots", "/resources/v1/customerprofile/%2e%2e"],
    ["mixed-case, half-encoded dot-dots", "/resources/v1/customerprofile/%2E."],
    ["dot-dots with encoded slashes", "/resources/v1/customerprofile/..%2f..%2finternal"],
    ["double-encoded dot-dots", "/resources/v1/customerprofile/%252e%252e"],
    ["servlet path parameters after dot-dots (..;), encoded for a decoding proxy", "/resources/v1/customerprofile/x%2F..%3B%2F..%3B%2F..%3B%2Finternal%2Fadmin%2Fusers"],
    ["full-width percent-encoding of ../..", `/resources/v1/customerprofile/${encodeURIComponent("\uFF05\uFF12\uFF45\uFF05\uFF12\uFF45\uFF05\uFF12\uFF46\uFF05\uFF12\uFF45\uFF05\uFF12\uFF45")}`],
    ["the imported identifier of the review, encoded", `/resources/v1/customerprofile/${encodeURIComponent(EVIL_REF)}`],
  ])("IMIconnect: %s is the family's invalid-argument error, and the vendor is never called", async (_what, path) => {
    const r = await sendRaw(path, { headers: { key: TELCO_KEY } });
    expect(r.status).toBe(200); // IMIconnect answers its errors with HTTP 200
    expect(r.json).toMatchObject({ Status: 1 });
    expect(r.json.code).not.toBe("1000");
    expect(seen).toEqual([]);
  });

  it("a customer whose imported IMIconnect id walks the path: the overview's profile section is invalid, the vendor never called", async () => {
    await importCustomers("telco", `externalId,fullName,imiconnectCustomerId\nEVIL-1,Evil Customer,${EVIL_REF}\n`);

    const agent = await signTestToken({ scopes: [MOBILE_SCOPE] });
    const found = await send(`${front.url}/mobile/v1/customers?externalId=EVIL-1`, { headers: bearer(agent) });
    const id = (found.json.customers as { id: string }[])[0]?.id;
    expect(id).toBeDefined();
    const overview = await send(`${front.url}/mobile/v1/customers/${id}/overview?include=profile`, { headers: bearer(agent) });
    expect(overview.status).toBe(200);
    expect(overview.json.sections).toMatchObject({ profile: { error: { status: 400 } } });
    expect(seen).toEqual([]);
  }, 60_000);

  it("a valid identifier reaches the vendor on its route's own path, with the account's credential", async () => {
    const r = await sendRaw("/resources/v1/customerprofile/4545", { headers: { key: TELCO_KEY } });
    expect(r.json.code).toBe("1000");
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(["GET /resources/v1/customerprofile/4545?showinwardlinks=0"]);
    expect(seen[0]?.headers.key).toBe(TELCO_KEY);
  });
});

describe("organisations in upstream mode (the vendor account is telco's)", () => {
  it("IMIconnect: organisation other's API key does not read telco's customer 4545; the vendor is never called", async () => {
    const r = await sendRaw("/resources/v1/customerprofile/4545", { headers: { key: OTHER_KEY } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ Status: 1 });
    expect(r.json.code).not.toBe("1000");
    expect(JSON.stringify(r.json)).not.toContain("john");
    expect(seen).toEqual([]);
  });

  it("CAMARA: a 2-legged token of other does not get the score of telco's subscriber: 403 PERMISSION_DENIED, the vendor never called", async () => {
    const r = await scoringRequest(await signTestToken({ scopes: [SCORING_SCOPE], orgId: "other" }), { phoneNumber: LUIS_PHONE });
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ status: 403, code: "PERMISSION_DENIED" });
    expect(seen).toEqual([]);
  });

  it("Citibanamex: a token of other does not get telco's customer segment: 403, the vendor never called", async () => {
    const r = await segmentRequest(await signTestToken({ scopes: [SEGMENTS_SCOPE], orgId: "other" }), { customerId: LUIS_CITI });
    expect(r.status).toBe(403);
    expect(seen).toEqual([]);
  });

  it("MasStack: a token of other does not list categories through telco's account: 403, the vendor never called", async () => {
    const token = await signTestToken({ scopes: [CATEGORIES_READ_SCOPE], orgId: "other" });
    const r = await sendRaw(`/v4/orgs/other/customers/${LUIS_MASSTACK}/categories`, { headers: { ...bearer(token), "x-auth-roles": "API_KEY" } });
    expect(r.status).toBe(403);
    expect(JSON.stringify(r.json)).toContain("MCUS.999.995");
    expect(seen).toEqual([]);
  });

  it("the mobile overview of other's subscriber: each section it has a vendor key for is 403, the vendor never called", async () => {
    const token = await signTestToken({ scopes: [MOBILE_SCOPE], orgId: "other", phoneNumber: ANA_PHONE });
    const r = await send(`${front.url}/mobile/v1/me`, { headers: bearer(token) });
    const sections = r.json.sections as Record<string, { error?: { status: number } }>;
    const statuses = Object.fromEntries(Object.entries(sections).map(([name, section]) => [name, section.error?.status]));
    // Ana has no Citibanamex id: that section is 404 before any account is asked.
    expect(statuses).toEqual({ profile: 403, categories: 403, score: 403, segment: 404 });
    expect(seen).toEqual([]);
  });

  it.each([
    ["CAMARA: another organisation's phone number → 404 IDENTIFIER_NOT_FOUND", async () => scoringRequest(await signTestToken({ scopes: [SCORING_SCOPE] }), { phoneNumber: ANA_PHONE }), 404, "IDENTIFIER_NOT_FOUND"],
    ["IMIconnect: another organisation's customer 9999 → 7014", async () => sendRaw("/resources/v1/customerprofile/9999", { headers: { key: TELCO_KEY } }), 200, "7014"],
    [
      "MasStack: another organisation's customer → 404 MCUS.999.997",
      async () => sendRaw(`/v4/orgs/telco/customers/${ANA_MASSTACK}/categories`, { headers: { ...bearer(await signTestToken({ scopes: [CATEGORIES_READ_SCOPE] })), "x-auth-roles": "API_KEY" } }),
      404,
      "MCUS.999.997",
    ],
  ])("a telco caller naming an identifier only another organisation holds: %s, the vendor never called", async (_what, call, status, code) => {
    const r = await call();
    expect(r.status).toBe(status);
    expect(JSON.stringify(r.json)).toContain(`"${code}"`);
    expect(seen).toEqual([]);
  });

  it("Citibanamex and CAMARA: another organisation's customer id, card and identity document are not found, the vendor never called", async () => {
    await importCustomers("other", "externalId,fullName,citibanamexCustomerId,cardNumber,idDocument\nOTH-CITI,Otra Cliente,999000111222,4000001234567899,Z9999999K\n");
    const segments = await signTestToken({ scopes: [SEGMENTS_SCOPE] });
    for (const body of [{ customerId: "999000111222" }, { cardNumber: "4000001234567899" }]) {
      const r = await segmentRequest(segments, body);
      expect(r.status).toBe(404);
      expect(JSON.stringify(r.json)).toContain("resourceNotFound");
    }
    const document = await scoringRequest(await signTestToken({ scopes: [SCORING_SCOPE] }), { phoneNumber: LUIS_PHONE, idDocument: "Z9999999K" });
    expect(document.status).toBe(404);
    expect(document.json).toMatchObject({ code: "NOT_FOUND" });
    expect(seen).toEqual([]);
  }, 60_000);

  it("IMIconnect several profiles: another organisation's customer is left out of the vendor call, as locally", async () => {
    const r = await sendRaw("/resources/v1/customerprofile?customerId=2142&customerId=9999&customerId=2134", { headers: { key: TELCO_KEY } });
    expect(r.json.code).toBe("1000");
    expect(seen.map((s) => s.url)).toEqual(["/resources/v1/customerprofile?customerId=2142&customerId=2134&showinwardlinks=0"]);
  });

  it("a query value goes percent-encoded (a space is %20, never a + a vendor could read as itself)", async () => {
    await sendRaw("/resources/v1/customerprofile?customerId=2142&customerId=CRN%20X", { headers: { key: TELCO_KEY } });
    expect(seen.map((s) => s.url)).toEqual(["/resources/v1/customerprofile?customerId=2142&customerId=CRN%20X&showinwardlinks=0"]);
  });
});

describe("the history Link", () => {
  const history = async () =>
    sendRaw(`/v4/orgs/telco/customers/${LUIS_MASSTACK}/categories/historical?limit=5`, {
      headers: { ...bearer(await signTestToken({ scopes: [CATEGORIES_READ_SCOPE] })), "x-auth-roles": "API_KEY" },
    });

  it.each([
    ["another host and a walk out of the route", `<https://evil.example/v4/../../mobile/v1/me>; rel="next"`],
    ["a path of ours without a cursor", `</mobile/v1/me>; rel="next"`],
    ["a cursor that is not one", `</v4/orgs/telco/customers/x/categories/historical?cursor=../../x>; rel="next"`],
    ["another relation", `</v4/orgs/telco/customers/x/categories/historical?cursor=42>; rel="prev"`],
  ])("drops a vendor Link with %s", async (_what, link) => {
    vendorLink = link;
    const r = await history();
    expect(r.status).toBe(200);
    expect(r.headers.link).toBeUndefined();
    expect(seen).toHaveLength(1);
  });

  it("rebuilds the next page's Link on our own route from the vendor's cursor alone", async () => {
    vendorLink = `<https://evil.example/v4/orgs/elsewhere/customers/someone/categories/historical?limit=999&cursor=42&next=//evil.example>; rel="next"`;
    const r = await history();
    expect(r.headers.link).toBe(`</v4/orgs/telco/customers/${LUIS_MASSTACK}/categories/historical?limit=5&cursor=42>; rel="next"`);
  });
});

describe("a vendor account of an organisation the store lacks", () => {
  it("is refused at start, naming the variable", async () => {
    const emptyDir = await mkdtemp(join(tmpdir(), "bff-unknown-org-"));
    try {
      await expect(startBffProcess({ DATA_DIR: emptyDir, LOG_LEVEL: "warn", ...upstreamEnv(vendor.url, ["PROFILES"], "telko") })).rejects.toThrow(
        /PROFILES_UPSTREAM_ORGANISATION names no organisation of the store \("telko"\)/,
      );
    } finally {
      await rm(emptyDir, { recursive: true, force: true });
    }
  }, 60_000);
});

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) reportSkip("change notifications sent to a BFF process by any database login", "DATABASE_URL is unset");

describe.skipIf(!databaseUrl)("change notifications any database login can send, to a BFF process on PostgreSQL", () => {
  // A database of its own: notifications are per database, so these reach no other test's listeners.
  const database = `notify_${process.pid}_${randomBytes(3).toString("hex")}`;
  const role = `insights_notifier_${randomBytes(3).toString("hex")}`;
  let admin: pg.Client;
  let bff: BffProcess;
  let bffDataDir: string;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`create database ${database}`);
    // A login with no privilege on any table.
    await admin.query(`create role ${role} login`);
    bffDataDir = await mkdtemp(join(tmpdir(), "bff-notify-"));
    bff = await startBffProcess({ DATABASE_URL: databaseIn(database), DATA_DIR: bffDataDir, LOAD_DEMO_DATA: "true", IDENTIFIER_HASH_KEY: "08".repeat(32), LOG_LEVEL: "warn" });
  }, 120_000);

  afterAll(async () => {
    await bff?.stop();
    await admin?.query(`drop database if exists ${database} with (force)`);
    await admin?.query(`drop role if exists ${role}`);
    await admin?.end();
    if (bffDataDir) await rm(bffDataDir, { recursive: true, force: true });
  }, 60_000);

  /** DATABASE_URL with another database (and user). */
  const databaseIn = (name: string, user?: string) => {
    const url = new URL(databaseUrl!);
    url.pathname = `/${name}`;
    if (user) url.username = user;
    return url.toString();
  };
  const ignored = async () => Number(/^insights_bff_store_notifications_ignored_total (\d+)/m.exec((await send(`${bff.url}/metrics`)).text)?.[1] ?? "0");
  const rssMb = async () => Number(/^VmRSS:\s+(\d+) kB/m.exec(await readFile(`/proc/${bff.child.pid}/status`, "utf8"))?.[1]) / 1024;

  it("waves of 20,000 payloads of 7.9 KB are dropped and counted; the process does not keep them", async () => {
    const before = await ignored();
    const notifier = new pg.Client({ connectionString: databaseIn(database, role) });
    await notifier.connect();
    const wave = () => notifier.query("select pg_notify('insights_store_changes', 'x' || g || repeat('y', 7900)) from generate_series(1, 20000) as g");
    const rssAfterWave: number[] = [];
    try {
      for (let n = 1; n <= 3; n++) {
        await wave();
        await expect.poll(ignored, { timeout: 30_000 }).toBeGreaterThanOrEqual(before + n * 20_000);
        rssAfterWave.push(await rssMb());
      }
    } finally {
      await notifier.end();
    }
    // Kept as keys, each wave would add what the review saw for one (96 → 297 MB); the garbage of
    // reading them settles after the first wave, whatever the runtime's collector does with it.
    expect(rssAfterWave[2]! - rssAfterWave[0]!).toBeLessThan(80);
    expect((await send(`${bff.url}/readyz`)).status).toBe(200);
  }, 90_000);
});
