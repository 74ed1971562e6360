import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestLogger } from "@insights/config/testing";
import type { ImportDataset } from "@insights/contracts/records";

import { openPgliteTestStore, type TestStore } from "@insights/store/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeJob, fileBody, resumeUnfinishedJobs, runImport, sampleLines, stageImport, type ImportFormat } from "../src/index.js";

const logger = createTestLogger("insights-worker", "run-import.test");
let dir: string;
let store: TestStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "imports-run-"));
  store = await openPgliteTestStore();
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function importSample(dataset: ImportDataset, rows: number, bad: number, format: ImportFormat = "ndjson", batchSize = 7) {
  const file = join(dir, `${dataset}-${rows}-${bad}.${format}`);
  await writeFile(file, [...sampleLines({ dataset, rows, bad, seed: 11, org: "telco", format })].join("\n") + "\n");
  const job = await stageImport(store, dir, { orgId: "telco", dataset, format, body: fileBody(file) });
  const outcome = await executeJob({ store, logger }, job, { batchSize });
  return { job, outcome };
}

describe("running an import", () => {
  it("imports each dataset, and a second import of the same file changes nothing", async () => {
    const datasets: [ImportDataset, number][] = [
      ["customers", 30],
      ["scores", 60],
      ["profile-attributes", 40],
      ["category-assignments", 60],
    ];
    for (const [dataset, rows] of datasets) {
      const { outcome } = await importSample(dataset, rows, 0, dataset === "scores" ? "csv" : "ndjson");
      expect(outcome, dataset).toMatchObject({ state: "succeeded", rows: { read: rows, rejected: 0 } });
      expect(outcome.rows.imported, dataset).toBeGreaterThan(0);
    }
    const historyBefore = await store.db.selectFrom("customer_category_history").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    for (const [dataset, rows] of datasets) {
      const { outcome } = await importSample(dataset, rows, 0, dataset === "scores" ? "csv" : "ndjson");
      expect(outcome.rows, dataset).toEqual({ read: rows, imported: 0, unchanged: rows, rejected: 0 });
    }
    const historyAfter = await store.db.selectFrom("customer_category_history").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    expect(historyAfter.n).toBe(historyBefore.n);
  });

  it("rejects bad rows with line, field and message, never the card number, and goes on", async () => {
    const { job, outcome } = await importSample("customers", 40, 9, "csv");
    expect(outcome.state).toBe("succeeded");
    expect(outcome.rows.rejected).toBe(9);
    expect(outcome.rows.read).toBe(40);
    const rejects = await store.listImportRejects(job.id, { limit: 100 });
    expect(new Set(rejects.map((r) => r.line)).size).toBe(9);
    for (const r of rejects) {
      expect(r.line).toBeGreaterThan(1);
      expect(["phoneNumber", "birthDate", "cardNumber"]).toContain(r.field);
      expect(r.message).not.toMatch(/4969/);
    }
    expect((await store.findImportJob(job.id))?.state).toBe("succeeded");
  });

  it("resumes after the checkpoint: lines it covers are not read again", async () => {
    const file = join(dir, "resume.ndjson");
    await writeFile(file, [...sampleLines({ dataset: "scores", rows: 10, bad: 0, seed: 3, org: "telco", format: "ndjson" })].join("\n"));
    const job = await stageImport(store, dir, { orgId: "telco", dataset: "scores", format: "ndjson", body: fileBody(file) });
    const outcome = await runImport({ store, logger }, { ...job, checkpointLine: 6, rows: { read: 6, imported: 6, unchanged: 0, rejected: 0 } });
    expect(outcome.rows.read).toBe(10);
    expect((await store.findImportJob(job.id))?.rows.read).toBe(4);
  });

  it("fails the job when the file is not the declared format", async () => {
    const file = join(dir, "wrong.csv");
    await writeFile(file, "externalId,scoringType,scoringValue\nCUST-000001,gaugeMetric,500\n");
    const job = await stageImport(store, dir, { orgId: "telco", dataset: "scores", format: "ndjson", body: fileBody(file) });
    const outcome = await executeJob({ store, logger }, job);
    expect(outcome.state).toBe("failed");
    expect((await store.findImportJob(job.id))).toMatchObject({ state: "failed", error: expect.stringContaining("not NDJSON") });
  });

  it("records each category change in the history with the import as actor", async () => {
    const { job } = await importSample("category-assignments", 4, 0);
    const masstack = await store.db
      .selectFrom("customer_identifiers as i")
      .innerJoin("customers as c", "c.id", "i.customer_id")
      .select("i.value")
      .where("c.external_id", "=", "CUST-000001")
      .where("i.kind", "=", "masstack_customer_id")
      .executeTakeFirstOrThrow();
    const history = await store.customerCategoryHistory("telco", masstack.value, { limit: 1000 });
    expect(history?.entries.every((h) => h.actor.startsWith("import:"))).toBe(true);
    expect(history?.entries.length).toBeGreaterThan(0);
    expect(job.dataset).toBe("category-assignments");
  });
});

describe("a staged file that is gone", () => {
  it("fails its job instead of failing every resumption", async () => {
    const file = join(dir, "gone.ndjson");
    await writeFile(file, '{"externalId":"CUST-000001","scoringType":"gaugeMetric","scoringValue":500}\n');
    const job = await stageImport(store, dir, { orgId: "telco", dataset: "scores", format: "ndjson", body: fileBody(file) });
    await rm(job.source);
    expect(await resumeUnfinishedJobs({ store, logger })).toBeGreaterThan(0);
    expect(await store.findImportJob(job.id)).toMatchObject({ state: "failed", error: expect.stringContaining("staged file of this import is gone") });
  });
});
