import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { announceSkip } from "@insights/store/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkpointOf, IMPORT_CLI, run, WORKER_MAIN, type Running } from "./processes.js";

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
    // A fresh PostgreSQL schema takes the demo organisations only when asked.
    env = { DATABASE_URL: url, LOAD_DEMO_DATA: "true", IMPORT_QUEUE_SCHEMA: queueSchema, DATA_DIR: join(root, "data"), LOG_LEVEL: "info" };
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

  it("one worker with IMPORT_WORKER_CHUNKS=2 imports two chunks side by side, and the outcome is the sequential one", async () => {
    const sample = await run(IMPORT_CLI, ["--sample", "customers", "--rows", "2400", "--bad", "4", "--seed", "5"], {}).finished;
    const file = join(root, "side-by-side.ndjson");
    await writeFile(file, sample.stdout);
    const cli = run(IMPORT_CLI, [file, "--dataset", "customers", "--org", "telco", "--json", "--chunk-rows", "600", "--batch-size", "50"], { ...env, LOG_LEVEL: "warn" });
    await cli.waitFor((line) => line.includes("no worker has taken import"), 90_000);
    const worker = run(WORKER_MAIN, [], { ...env, LOG_LEVEL: "debug", IMPORT_WORKER_CHUNKS: "2" });
    try {
      const done = await cli.finished;
      expect(done.code, done.stderr).toBe(0);
      expect(JSON.parse(done.stdout.trim().split("\n").at(-1) ?? "")).toMatchObject({ state: "succeeded", rows: { read: 2400, imported: 2396, rejected: 4 } });
      const log = worker.output().stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { msg: string; chunk?: number; chunksAtOnce?: number });
      expect(log.find((l) => l.msg === "worker ready")?.chunksAtOnce).toBe(2);
      // Side by side: a batch of one chunk committed between two batches of another.
      const commits = log.filter((l) => l.msg === "import batch committed").map((l) => l.chunk!);
      const span = (chunk: number) => [commits.indexOf(chunk), commits.lastIndexOf(chunk)] as const;
      const chunks = [...new Set(commits)];
      const interleaved = chunks.some((a) => chunks.some((b) => a !== b && commits.slice(span(a)[0], span(a)[1]).includes(b)));
      expect(chunks).toHaveLength(4);
      expect(interleaved, commits.join(",")).toBe(true);
    } finally {
      worker.child.kill("SIGTERM");
      await worker.finished;
    }
  }, 240_000);

  it("loses and doubles nothing when workers are killed with SIGKILL mid-chunk", async () => {
    const rows = 1800;
    const bad = 9;
    const sample = await run(IMPORT_CLI, ["--sample", "customers", "--rows", String(rows), "--bad", String(bad), "--seed", "8", "--format", "csv"], {}).finished;
    const file = join(root, "crash.csv");
    await writeFile(file, sample.stdout);
    const crashSchema = `${schema}_crash`;
    await admin.query(`create schema ${crashSchema}`);
    const url = `${databaseUrl}${databaseUrl!.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${crashSchema}`)}`;
    const crashEnv = { ...env, DATABASE_URL: url, IMPORT_QUEUE_SCHEMA: `${crashSchema}_q`, IMPORT_CHUNK_EXPIRE_SECONDS: "3", LOG_LEVEL: "debug" };
    try {
      const cli = run(IMPORT_CLI, [file, "--dataset", "customers", "--org", "telco", "--json", "--chunk-rows", "300", "--batch-size", "50"], { ...crashEnv, LOG_LEVEL: "warn" });
      await cli.waitFor((line) => line.includes("queued for the workers"), 90_000);
      for (const atLeast of [150, 900]) {
        const doomed = run(WORKER_MAIN, [], crashEnv);
        await doomed.waitFor((line) => (checkpointOf(line) ?? 0) >= atLeast, 90_000);
        doomed.child.kill("SIGKILL");
        expect((await doomed.finished).signal).toBe("SIGKILL");
      }
      const survivor = run(WORKER_MAIN, [], { ...crashEnv, LOG_LEVEL: "info" });
      try {
        const done = await cli.finished;
        expect(done.code, done.stderr).toBe(0);
        expect(JSON.parse(done.stdout.trim().split("\n").at(-1) ?? "")).toMatchObject({ state: "succeeded", rows: { read: rows, imported: rows - bad, unchanged: 0, rejected: bad } });
      } finally {
        survivor.child.kill("SIGTERM");
        await survivor.finished;
      }
      const counts = await admin.query(
        `select (select count(*)::int from ${crashSchema}.customers where external_id like 'CUST-%') as customers,
                (select count(*)::int from ${crashSchema}.customer_identifiers i join ${crashSchema}.customers c on c.id = i.customer_id where c.external_id like 'CUST-%') as identifiers,
                (select count(distinct line)::int from ${crashSchema}.import_rejects) as rejected_lines`,
      );
      expect(counts.rows[0]).toEqual({ customers: rows - bad, identifiers: 6 * (rows - bad), rejected_lines: bad });
    } finally {
      await admin.query(`drop schema if exists ${crashSchema} cascade`);
      await admin.query(`drop schema if exists ${crashSchema}_q cascade`);
    }
  }, 300_000);
  it("one worker takes chunks round-robin across jobs: another organisation's 10-row import succeeds within 10 s while a large one runs", async () => {
    const large = join(root, "large.ndjson");
    const small = join(root, "small.ndjson");
    await writeFile(large, (await run(IMPORT_CLI, ["--sample", "customers", "--rows", "20000", "--seed", "11"], {}).finished).stdout);
    await writeFile(small, (await run(IMPORT_CLI, ["--sample", "customers", "--rows", "10", "--seed", "12"], {}).finished).stdout);
    const largeImport = run(IMPORT_CLI, [large, "--dataset", "customers", "--org", "telco", "--json", "--chunk-rows", "500"], { ...env, LOG_LEVEL: "warn" });
    await largeImport.waitFor((line) => line.includes("queued for the workers"), 90_000);
    const worker = run(WORKER_MAIN, [], env);
    try {
      const largeJob = async () => (await admin.query(`select state, rows_read::int as read from ${schema}.import_jobs where org_id = 'telco' order by created_at desc limit 1`)).rows[0] as { state: string; read: number };
      await expect.poll(async () => (await largeJob()).read, { timeout: 60_000, interval: 100 }).toBeGreaterThan(0);

      const startedAt = Date.now();
      const done = await run(IMPORT_CLI, [small, "--dataset", "customers", "--org", "other", "--json"], { ...env, LOG_LEVEL: "warn" }).finished;
      const seconds = (Date.now() - startedAt) / 1000;
      expect(done.code, done.stderr).toBe(0);
      expect(JSON.parse(done.stdout.trim().split("\n").at(-1) ?? "")).toMatchObject({ state: "succeeded", rows: { read: 10, imported: 10 } });
      // Its chunk went ahead of the rest of the large import, which is still running.
      expect((await largeJob()).state).toBe("running");
      expect(seconds).toBeLessThan(10);

      const largeDone = await largeImport.finished;
      expect(JSON.parse(largeDone.stdout.trim().split("\n").at(-1) ?? "")).toMatchObject({ state: "succeeded", rows: { read: 20_000 } });
    } finally {
      worker.child.kill("SIGTERM");
      await worker.finished;
    }
  }, 300_000);
});
