import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestLogger } from "@insights/config/testing";
import { announceSkip } from "@insights/store/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadWorkerConfig } from "../src/config.js";
import { startWorker } from "../src/worker.js";

describe("worker", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "worker-"));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("starts on the embedded store, migrated, with the demo data as the BFF would load it, knowing the contracts' datasets", async () => {
    const worker = await startWorker(loadWorkerConfig({ DATA_DIR: dataDir }), createTestLogger("insights-worker", "worker.test"));
    try {
      expect(worker.datasets).toEqual(["customers", "scores", "profile-attributes", "category-assignments"]);
      expect(await worker.resumed).toBe(0);
      const organisations = await worker.store.listOrganisations();
      expect(organisations.map((o) => o.id)).toEqual(["other", "telco"]);
    } finally {
      await worker.stop();
    }
    // A new embedded store (initdb, migrations, demo data) is start-up work: the hooks' limit, not a test's.
  }, 60_000);

  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) announceSkip("worker on PostgreSQL", "DATABASE_URL");
  it.skipIf(!databaseUrl)("connects to PostgreSQL when DATABASE_URL is set, and migrates it", async () => {
    // A schema of its own, through libpq's `options`, so the shared test database stays clean.
    const schema = `worker_test_${process.pid}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    try {
      const url = `${databaseUrl}${databaseUrl!.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      const worker = await startWorker(loadWorkerConfig({ DATABASE_URL: url, LOAD_DEMO_DATA: "false", IMPORT_QUEUE_SCHEMA: `${schema}_queue` }), createTestLogger("insights-worker", "worker.test"));
      try {
        expect(worker.store.kind).toBe("postgres");
        const tables = await admin.query("select count(*)::int as n from information_schema.tables where table_schema = $1", [schema]);
        expect(tables.rows[0].n).toBeGreaterThan(5);
      } finally {
        await worker.stop();
      }
    } finally {
      await admin.query(`drop schema ${schema} cascade`);
      await admin.query(`drop schema if exists ${schema}_queue cascade`);
      await admin.end();
    }
  }, 60_000);
});
