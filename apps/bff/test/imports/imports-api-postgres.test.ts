import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestLogger } from "@insights/config/testing";
import { DEFAULT_IMPORT_LIMITS, openImportQueue, runImportChunk, sampleLines, type ImportQueue } from "@insights/imports";

import { announceSkip, openPostgresTestStore, type TestStore } from "@insights/store/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createImportService, type ImportService } from "../../src/imports/import-service.js";
import { send, startTestApp, type TestApp } from "../support/harness.js";

/** The admin import API on PostgreSQL: the BFF stages the upload in chunks and queues them; a worker (here, in-process) runs them. */

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) announceSkip("admin import API on PostgreSQL", "DATABASE_URL");

describe.skipIf(!databaseUrl)("admin import API on PostgreSQL", () => {
  const queueSchema = `bff_imports_q_${process.pid}_${randomBytes(3).toString("hex")}`;
  const logger = createTestLogger("insights-bff", "imports-api-postgres.test");
  let dataDir: string;
  let store: TestStore;
  let imports: ImportService;
  let worker: ImportQueue;
  let app: TestApp;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "bff-imports-pg-"));
    store = await openPostgresTestStore(databaseUrl!);
    const queue = { connectionString: databaseUrl!, schema: queueSchema, chunkExpireSeconds: 60 };
    imports = createImportService({ store, logger, dataDir, queue, limits: DEFAULT_IMPORT_LIMITS });
    worker = await openImportQueue({ ...queue, logger });
    await worker.work(({ jobId, seq }) => runImportChunk({ store, logger }, jobId, seq), { chunksAtOnce: 1 });
    app = await startTestApp({ store, imports, env: { DATA_DIR: dataDir } });
  });
  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await imports?.close();
    await store?.close();
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`drop schema if exists ${queueSchema} cascade`);
    await admin.end();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("answers 202 once the upload is staged in the database, and the queued job runs to the end", async () => {
    const body = `${[...sampleLines({ dataset: "customers", rows: 700, bad: 2, seed: 3, org: "telco", format: "ndjson" })].join("\n")}\n`;
    const write = await app.token({ scopes: ["imports:write"] });
    const created = await send(`${app.url}/admin/v1/imports?dataset=customers&format=ndjson`, { method: "POST", headers: { Authorization: `Bearer ${write}`, "Content-Type": "application/x-ndjson" }, body });
    expect(created.status, created.text).toBe(202);
    const id = String(created.json.id);
    const chunks = await store.db.selectFrom("import_chunks").select((eb) => eb.fn.countAll<string>().as("n")).where("job_id", "=", id).executeTakeFirstOrThrow();
    expect(Number(chunks.n)).toBe(1);
    const read = await app.token({ scopes: ["imports:read"] });
    let job: Record<string, unknown>;
    do {
      await new Promise((resolve) => setTimeout(resolve, 200));
      job = (await send(`${app.url}/admin/v1/imports/${id}`, { headers: { Authorization: `Bearer ${read}` } })).json;
    } while (job.state !== "succeeded" && job.state !== "failed");
    expect(job).toMatchObject({ state: "succeeded", rows: { read: 700, imported: 698, unchanged: 0, rejected: 2 } });
  }, 120_000);
});
