import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestLogger } from "@insights/config/testing";
import { DEFAULT_IMPORT_LIMITS, fileBody, sampleLines, stageImport } from "@insights/imports";

import { createImportService } from "../../src/imports/import-service.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send, startTestApp, type TestApp } from "../support/harness.js";

/** The admin import API on the embedded store: the BFF stages the upload and runs the job itself. */

let dataDir: string;
let app: TestApp;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "bff-imports-api-"));
  app = await startTestApp({ env: { DATA_DIR: dataDir } });
});
afterAll(async () => {
  await app.close();
  await rm(dataDir, { recursive: true, force: true });
});

const csv = (dataset: "customers" | "scores", rows: number, bad: number) => `${[...sampleLines({ dataset, rows, bad, seed: 21, org: "telco", format: "csv" })].join("\n")}\n`;

async function upload(query: string, body: string, scopes = ["imports:write"], org = "telco") {
  const token = await app.token({ scopes, orgId: org });
  return send(`${app.url}/admin/v1/imports?${query}`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "text/csv" }, body });
}

async function read(path: string, org = "telco") {
  const token = await app.token({ scopes: ["imports:read"], orgId: org });
  return send(`${app.url}/admin/v1/imports${path}`, { headers: { Authorization: `Bearer ${token}` } });
}

async function finished(id: string) {
  for (;;) {
    const r = await read(`/${id}`);
    expect(r.status, r.text).toBe(200);
    if (r.json.state === "succeeded" || r.json.state === "failed") return r.json;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("admin import API", () => {
  it("accepts a streamed file larger than BODY_LIMIT with 202, runs it, and reports counts and rows/s", async () => {
    const body = csv("customers", 1500, 3);
    expect(body.length).toBeGreaterThan(100 * 1024);
    const created = await upload("dataset=customers&format=csv", body);
    expect(created.status, created.text).toBe(202);
    expect(created.json).toMatchObject({ dataset: "customers", format: "csv", state: "queued", rows: { read: 0 } });
    const job = await finished(String(created.json.id));
    expect(job).toMatchObject({ state: "succeeded", failure: null, error: null, rows: { read: 1500, imported: 1497, unchanged: 0, rejected: 3 } });
    expect(job.rowsPerSecond).toBeGreaterThan(0);
  }, 120_000);

  it("pages through the rejects with a cursor", async () => {
    const created = await upload("dataset=scores&format=csv", csv("scores", 30, 5));
    const id = String(created.json.id);
    await finished(id);
    const first = await read(`/${id}/rejects?limit=3`);
    expect(first.status).toBe(200);
    const firstPage = first.json.rejects as { line: number; field: string; message: string }[];
    expect(firstPage).toHaveLength(3);
    expect(typeof first.json.next).toBe("string");
    const second = await read(`/${id}/rejects?limit=3&cursor=${encodeURIComponent(String(first.json.next))}`);
    const secondPage = second.json.rejects as { line: number }[];
    expect(secondPage).toHaveLength(2);
    expect(second.json.next).toBeNull();
    expect(secondPage[0]!.line).toBeGreaterThan(firstPage[2]!.line);
  }, 60_000);

  it("answers RFC 9457 problems: 401 without a token, 403 without the scope, 400 for an unknown dataset", async () => {
    const anonymous = await send(`${app.url}/admin/v1/imports?dataset=scores&format=csv`, { method: "POST", body: "x" });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-type")).toContain("application/problem+json");
    expect((await upload("dataset=scores&format=csv", "x", ["imports:read"])).status).toBe(403);
    const unknown = await upload("dataset=pets&format=csv", "x");
    expect(unknown.status).toBe(400);
    expect(unknown.json).toMatchObject({ status: 400 });
    expect((await read("/not-a-uuid")).status).toBe(400);
  });

  it("answers 403 to a token of an organisation the store does not have (once a 500)", async () => {
    for (const org of ["ghost", "__proto__"]) {
      const r = await upload("dataset=scores&format=csv", "externalId,scoringType,scoringValue\n", ["imports:write"], org);
      expect(r.status, r.text).toBe(403);
      expect(r.json).toMatchObject({ type: "urn:insights:problem:permission-denied", status: 403 });
    }
  });

  it("keeps each organisation to its own jobs and rows", async () => {
    const created = await upload("dataset=scores&format=csv", "externalId,scoringType,scoringValue\nCRM-0001,gaugeMetric,300\n", ["imports:write"], "other");
    expect(created.status).toBe(202);
    const id = String(created.json.id);
    expect((await read(`/${id}`)).status).toBe(404);
    let job: Record<string, unknown>;
    do {
      job = (await read(`/${id}`, "other")).json;
    } while (job.state !== "succeeded" && job.state !== "failed");
    expect(job.rows).toEqual({ read: 1, imported: 0, unchanged: 0, rejected: 1 });
    const luis = await app.store.db.selectFrom("customer_scores").select("value").where("customer_id", "=", "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a1001").where("scale", "=", "gaugeMetric").executeTakeFirst();
    expect(luis?.value).toBe(600);
  }, 60_000);

  it("resumes, at start, an import a previous process left unfinished", async () => {
    const file = join(dataDir, "left-over.csv");
    await writeFile(file, csv("scores", 8, 0));
    const job = await stageImport(app.store, dataDir, { orgId: "telco", dataset: "scores", format: "csv", body: fileBody(file) });
    const service = createImportService({ store: app.store, logger: createTestLogger("insights-bff", "imports-api.test"), dataDir, queue: undefined, limits: DEFAULT_IMPORT_LIMITS });
    await service.resume();
    await expect.poll(async () => (await app.store.findImportJob(job.id))?.state, { timeout: 30_000 }).toBe("succeeded");
    await service.close();
    expect(await app.store.findImportJob(job.id)).toMatchObject({ state: "succeeded", rows: { read: 8 } });
  }, 60_000);
});

describe("the bounds of an import, each at its edge", () => {
  let boundedDir: string;
  let bounded: TestApp;
  beforeAll(async () => {
    boundedDir = await mkdtemp(join(tmpdir(), "bff-imports-bounds-"));
    bounded = await startTestApp({ env: { DATA_DIR: boundedDir, IMPORT_MAX_UPLOAD_MB: "1", IMPORT_MAX_ACTIVE_JOBS_PER_ORG: "1", IMPORT_MAX_REJECTS: "5" } });
  });
  afterAll(async () => {
    await bounded.close();
    await rm(boundedDir, { recursive: true, force: true });
  });

  const post = async (body: string | Buffer, org = "telco", dataset = "customers") => {
    const token = await bounded.token({ scopes: ["imports:write"], orgId: org });
    return send(`${bounded.url}/admin/v1/imports?dataset=${dataset}&format=csv`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "text/csv" }, body });
  };
  const jobsOf = async () => bounded.store.db.selectFrom("import_jobs").select(["id", "state", "error"]).execute();
  const until = async (id: string, org = "telco") => {
    const token = await bounded.token({ scopes: ["imports:read"], orgId: org });
    for (;;) {
      const r = await send(`${bounded.url}/admin/v1/imports/${id}`, { headers: { Authorization: `Bearer ${token}` } });
      if (r.json.state === "succeeded" || r.json.state === "failed") return r.json;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  /** A CSV of `bytes` bytes exactly: a header and one customer row whose name fills it. */
  const csvOf = (bytes: number) => {
    const head = "externalId,fullName\nBIG-1,";
    return `${head}${"n".repeat(bytes - head.length - 1)}\n`;
  };

  it("IMPORT_MAX_UPLOAD_MB: an upload of exactly the limit is taken; one byte more is 413, nothing staged, no job", async () => {
    const taken = await post(csvOf(1024 * 1024));
    expect(taken.status, taken.text).toBe(202);
    await until(String(taken.json.id));
    const before = await jobsOf();
    const refused = await post(csvOf(1024 * 1024 + 1));
    expect(refused.status, refused.text).toBe(413);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    expect(refused.json).toMatchObject({ status: 413, detail: expect.stringContaining("IMPORT_MAX_UPLOAD_MB") });
    expect(await jobsOf()).toEqual(before);
    // The first job's file goes once it ends; the refused upload's never stays.
    await expect.poll(() => readdir(join(boundedDir, "imports")), { timeout: 10_000 }).toEqual([]);
  }, 60_000);

  it("IMPORT_MAX_ACTIVE_JOBS_PER_ORG: with one import queued, the organisation's next upload is 429 with Retry-After; another organisation's is taken", async () => {
    const file = join(boundedDir, "queued.csv");
    await writeFile(file, csv("scores", 3, 0));
    const queued = await stageImport(bounded.store, boundedDir, { orgId: "telco", dataset: "scores", format: "csv", body: fileBody(file) });
    try {
      const refused = await post(csv("customers", 2, 0));
      expect(refused.status, refused.text).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("30");
      expect(refused.json).toMatchObject({ status: 429, detail: expect.stringContaining("IMPORT_MAX_ACTIVE_JOBS_PER_ORG") });
      const other = await post("externalId,fullName\nO-1,Other customer\n", "other");
      expect(other.status, other.text).toBe(202);
    } finally {
      await bounded.store.finishImportJob(queued.id, { state: "failed", failure: { reason: "internal", detail: "test" } });
    }
    const again = await post(csv("customers", 2, 0));
    expect(again.status, again.text).toBe(202);
    await until(String(again.json.id));
  }, 60_000);

  it("IMPORT_MAX_ACTIVE_JOBS_PER_ORG: of three uploads arriving together, exactly the bound's number is taken", async () => {
    const body = csv("customers", 1000, 0);
    const answers = await Promise.all([post(body), post(body), post(body)]);
    expect(answers.map((a) => a.status).sort()).toEqual([202, 429, 429]);
    await until(String(answers.find((a) => a.status === 202)!.json.id));
  }, 60_000);

  it("IMPORT_MAX_REJECTS: five rejected rows are fine; the sixth fails the job, and the rows stored before it stay", async () => {
    const five = await post(csv("customers", 20, 5));
    expect(await until(String(five.json.id))).toMatchObject({ state: "succeeded", rows: { rejected: 5 } });
    // The same sample in another organisation, one bad row more.
    const six = await post(csv("customers", 20, 6), "other");
    const job = await until(String(six.json.id), "other");
    expect(job).toMatchObject({ state: "failed", failure: { reason: "too_many_rejects", detail: expect.stringContaining("more than 5 rows rejected (IMPORT_MAX_REJECTS)") }, rows: { rejected: 6 } });
    // Where the job stops depends on its time-sliced batches (smaller on a busy machine): what it
    // counts as imported is what is stored, every row read is imported or rejected, and of the
    // 14 good rows the ones committed before the sixth reject stay.
    const rows = job.rows as { read: number; imported: number; rejected: number };
    expect(rows.read).toBe(rows.imported + rows.rejected);
    expect(rows.imported).toBeGreaterThan(0);
    expect(rows.imported).toBeLessThanOrEqual(14);
    const stored = await bounded.store.db.selectFrom("customers").select((eb) => eb.fn.countAll<string>().as("n")).where("org_id", "=", "other").where("external_id", "like", "CUST-%").executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(rows.imported);
  }, 60_000);
});

describe("fair across organisations (embedded store: the BFF runs the jobs itself)", () => {
  it("a 10-row import of one organisation succeeds within 10 s while another organisation's large import is still running", async () => {
    const large = await upload("dataset=customers&format=csv", csv("customers", 3000, 0));
    expect(large.status, large.text).toBe(202);
    const largeId = String(large.json.id);
    // The large job is under way before the small one arrives.
    await expect.poll(async () => ((await read(`/${largeId}`)).json.rows as { read: number }).read, { timeout: 60_000, interval: 50 }).toBeGreaterThan(0);

    const startedAt = Date.now();
    const small = await upload("dataset=customers&format=csv", `${[...sampleLines({ dataset: "customers", rows: 10, bad: 0, seed: 5, org: "other", format: "csv" })].join("\n")}\n`, ["imports:write"], "other");
    expect(small.status, small.text).toBe(202);
    let job: Record<string, unknown>;
    do {
      job = (await read(`/${String(small.json.id)}`, "other")).json;
    } while (job.state !== "succeeded" && job.state !== "failed" && (await new Promise((resolve) => setTimeout(resolve, 20, true))));
    const seconds = (Date.now() - startedAt) / 1000;
    // Taken in turns, not queued behind the other organisation's job: that one still runs.
    expect((await read(`/${largeId}`)).json.state).toBe("running");
    expect(job).toMatchObject({ state: "succeeded", rows: { read: 10, imported: 10 } });
    expect(seconds).toBeLessThan(10);
    expect(await finished(largeId)).toMatchObject({ state: "succeeded", rows: { read: 3000 } });
  }, 180_000);
});
