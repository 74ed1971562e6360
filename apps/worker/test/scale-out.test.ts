import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { announceSkip } from "@insights/store/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IMPORT_CLI, run, WORKER_MAIN, type Running } from "./processes.js";

/**
 * On PostgreSQL an import is staged in the database, cut into chunks that are jobs on pg-boss,
 * and any number of `npm run worker` processes share them.
 */

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) announceSkip("import scale-out on PostgreSQL", "DATABASE_URL");

describe.skipIf(!databaseUrl)("imports on PostgreSQL", () => {
  const schema = `imports_${process.pid}_${randomBytes(3).toString("hex")}`;
  const queueSchema = `${schema}_queue`;
  let admin: pg.Client;
  let root: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "worker-scale-"));
    admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const url = `${databaseUrl}${databaseUrl!.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    env = { DATABASE_URL: url, IMPORT_QUEUE_SCHEMA: queueSchema, DATA_DIR: join(root, "data"), LOG_LEVEL: "info" };
  });
  afterAll(async () => {
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.query(`drop schema if exists ${queueSchema} cascade`);
    await admin.end();
    await rm(root, { recursive: true, force: true });
  });

  it("says when no worker has taken the import, then two workers share its chunks", async () => {
    const sample = await run(IMPORT_CLI, ["--sample", "customers", "--rows", "2400", "--bad", "6", "--seed", "4"], {}).finished;
    const file = join(root, "customers.ndjson");
    await writeFile(file, sample.stdout);

    const cli = run(IMPORT_CLI, [file, "--dataset", "customers", "--org", "telco", "--json", "--chunk-rows", "200", "--batch-size", "100"], { ...env, LOG_LEVEL: "warn" });
    await cli.waitFor((line) => line.includes("no worker has taken import"), 90_000);
    const workers: Running[] = [run(WORKER_MAIN, [], env), run(WORKER_MAIN, [], env)];
    try {
      const done = await cli.finished;
      expect(done.code, done.stderr).toBe(0);
      const summary = JSON.parse(done.stdout.trim().split("\n").at(-1) ?? "") as { job: string; rows: Record<string, number>; state: string };
      expect(summary).toMatchObject({ state: "succeeded", rows: { read: 2400, imported: 2394, unchanged: 0, rejected: 6 } });

      const chunksBy = workers.map((w) => w.output().stdout.split("\n").filter((l) => l.includes('"import chunk done"')).length);
      expect(chunksBy[0]! + chunksBy[1]!).toBe(12);
      expect(chunksBy[0]).toBeGreaterThan(0);
      expect(chunksBy[1]).toBeGreaterThan(0);

      const customers = await admin.query(`select count(*)::int as n from ${schema}.customers where external_id like 'CUST-%'`);
      expect(customers.rows[0].n).toBe(2394);
      const rejects = await run(IMPORT_CLI, ["--rejects", summary.job], { ...env, LOG_LEVEL: "warn" }).finished;
      expect(rejects.stdout.trim().split("\n")).toHaveLength(6);

      const again = await run(IMPORT_CLI, [file, "--dataset", "customers", "--org", "telco", "--json", "--chunk-rows", "600"], { ...env, LOG_LEVEL: "warn" }).finished;
      expect(JSON.parse(again.stdout.trim().split("\n").at(-1) ?? "")).toMatchObject({ state: "succeeded", rows: { read: 2400, imported: 0, unchanged: 2394, rejected: 6 } });
    } finally {
      for (const w of workers) w.child.kill("SIGTERM");
      await Promise.all(workers.map((w) => w.finished));
    }
  }, 240_000);
});
