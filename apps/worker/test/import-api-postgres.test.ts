import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { gzipSync, createGzip } from "node:zlib";
import { recordTestSecret } from "@insights/config/testing";
import { announceSkip } from "@insights/store/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IMPORT_CLI, run, runBff, WORKER_MAIN, type Running } from "./processes.js";

/**
 * The admin import API of real BFF processes on PostgreSQL, as a tenant with imports:write would
 * use it: two BFFs taking uploads at once hold IMPORT_MAX_ACTIVE_JOBS_PER_ORG between them, and
 * each hostile file ends as documented while the BFFs and the worker keep serving and nothing
 * stays staged.
 */

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) announceSkip("the admin import API on PostgreSQL through real BFF processes", "DATABASE_URL");

const samples = fileURLToPath(new URL("../samples/", import.meta.url));

describe.skipIf(!databaseUrl)("the admin import API of real BFF processes on PostgreSQL", () => {
  const schema = `imports_api_${process.pid}_${randomBytes(3).toString("hex")}`;
  let admin: pg.Client;
  let root: string;
  let dataDir: string;
  let env: Record<string, string>;
  let bffs: { running: Running; url: string }[] = [];
  let worker: Running | undefined;
  let token: string;

  const startBff = async () => {
    const running = runBff("dist/main.js", [], { ...env, PORT: "0", HOST: "127.0.0.1" });
    const line = await running.waitFor((l) => /listening on http:\/\/\S+/.test(l), 60_000);
    return { running, url: /listening on (http:\/\/\S+)/.exec(line)?.[1] ?? "" };
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "worker-api-pg-"));
    dataDir = join(root, "data");
    admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    const url = `${databaseUrl}${databaseUrl!.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    // Both BFFs share DATA_DIR for its development signing key (one token for both); the store is PostgreSQL.
    env = { DATABASE_URL: url, LOAD_DEMO_DATA: "true", IMPORT_QUEUE_SCHEMA: `${schema}_queue`, DATA_DIR: dataDir, LOG_LEVEL: "warn", IMPORT_MAX_ACTIVE_JOBS_PER_ORG: "1", IMPORT_MAX_REJECTS: "100" };
    bffs = [await startBff()];
    bffs.push(await startBff());
    const minted = await runBff("dist/cli/token.js", ["--scope", "imports:write", "--scope", "imports:read"], env).finished;
    token = minted.stdout.trim();
    recordTestSecret("token", token, "a token npm run token minted");
  }, 180_000);

  afterAll(async () => {
    worker?.child.kill("SIGTERM");
    for (const bff of bffs) bff.running.child.kill("SIGTERM");
    await Promise.all([worker?.finished, ...bffs.map((b) => b.running.finished)]);
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.query(`drop schema if exists ${schema}_queue cascade`);
    await admin.end();
    await rm(root, { recursive: true, force: true });
  }, 60_000);

  const startWorker = async () => {
    if (worker) return;
    worker = run(WORKER_MAIN, [], { ...env, LOG_LEVEL: "info" });
    await worker.waitFor((line) => line.includes("worker ready"), 60_000);
  };
  const upload = (url: string, body: Buffer | string, dataset = "customers", format = "ndjson") =>
    fetch(`${url}/admin/v1/imports?dataset=${dataset}&format=${format}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" }, body });
  const staged = async () => (await readdir(join(dataDir, "imports")).catch(() => [] as string[])).filter((name) => name.startsWith("upload-"));

  it("IMPORT_MAX_ACTIVE_JOBS_PER_ORG holds across processes: six uploads at once to two BFFs, one taken, five 429", async () => {
    const body = `${JSON.stringify({ externalId: "RACE-1", fullName: "Race" })}\n`;
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => upload(bffs[i % 2]!.url, body)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([202, 429, 429, 429, 429, 429]);
    for (const refused of answers.filter((a) => a.status === 429)) {
      expect(refused.headers.get("retry-after")).toBe("30");
      expect(refused.headers.get("content-type")).toContain("application/problem+json");
    }
    const jobs = await admin.query(`select state from ${schema}.import_jobs where org_id = 'telco'`);
    expect(jobs.rows).toEqual([{ state: "queued" }]);
    expect(await staged()).toEqual([]);
    // No worker yet: the job waits. One starts, and the organisation may upload again once it ends.
    await startWorker();
    await expect.poll(async () => (await admin.query(`select state from ${schema}.import_jobs where org_id = 'telco'`)).rows, { timeout: 60_000 }).toEqual([{ state: "succeeded" }]);
  }, 180_000);

  describe("hostile files", () => {
    beforeAll(async () => {
      await startWorker();
      // The customers the sample scores of stillServing() name.
      expect((await importThrough(join(samples, "customers.ndjson"), "customers")).summary).toMatchObject({ state: "succeeded" });
    }, 120_000);
    const cli = (args: string[]) => run(IMPORT_CLI, [...args, "--api", bffs[0]!.url, "--token", token, "--json"], { DATA_DIR: join(root, "unused"), LOG_LEVEL: "warn" }).finished;
    const importThrough = async (file: string, dataset: string) => {
      const result = await cli([file, "--dataset", dataset]);
      return { code: result.code, summary: JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}") as { job: string; state: string; failure: unknown; rows: Record<string, number> } };
    };
    const rejectsOf = async (job: string) => (await run(IMPORT_CLI, ["--rejects", job, "--api", bffs[0]!.url, "--token", token], { DATA_DIR: join(root, "unused"), LOG_LEVEL: "warn" }).finished).stdout;
    const stillServing = async () => {
      for (const bff of bffs) {
        expect(bff.running.child.exitCode).toBeNull();
        expect((await fetch(`${bff.url}/healthz`)).status).toBe(200);
      }
      expect(worker?.child.exitCode).toBeNull();
      expect(await staged()).toEqual([]);
      expect((await importThrough(join(samples, "scores.csv"), "scores")).summary).toMatchObject({ state: "succeeded", rows: { rejected: 0 } });
    };

    it("600 MiB of one line in a 600 KB gzip: one row rejected as too long", async () => {
      const file = join(root, "one-long-line.ndjson.gz");
      const a = Buffer.alloc(1024 * 1024, "a");
      await pipeline(
        (function* () {
          for (let i = 0; i < 600; i++) yield a;
        })(),
        createGzip({ level: 1 }),
        createWriteStream(file),
      );
      const { code, summary } = await importThrough(file, "customers");
      expect(code).toBe(0);
      expect(summary).toMatchObject({ state: "succeeded", rows: { read: 1, imported: 0, rejected: 1 } });
      expect(await rejectsOf(summary.job)).toBe("1\t(record)\tline too long: over 1048576 bytes (IMPORT_MAX_RECORD_BYTES)\n");
      await stillServing();
    }, 300_000);

    it("a CSV quote never closed, over 50,000 lines: one row rejected as too long", async () => {
      const file = join(root, "unclosed.csv");
      const rows = Array.from({ length: 50_000 }, (_, i) => `S-${i},gaugeMetric,${300 + (i % 500)}`);
      await writeFile(file, `externalId,scoringType,scoringValue\n"S-open,gaugeMetric,400\n${rows.join("\n")}\n`);
      const { summary } = await importThrough(file, "scores");
      expect(summary).toMatchObject({ state: "succeeded", rows: { read: 1, rejected: 1 } });
      await stillServing();
    }, 180_000);

    it("a NUL in a name: one rejected row naming the field, not a chunk failing after its retries", async () => {
      const file = join(root, "nul.ndjson");
      await writeFile(file, `${JSON.stringify({ externalId: "NUL-1", fullName: "evil\u0000name" })}\n${JSON.stringify({ externalId: "NUL-2", fullName: "fine name" })}\n`);
      const { summary } = await importThrough(file, "customers");
      expect(summary).toMatchObject({ state: "succeeded", rows: { read: 2, imported: 1, rejected: 1 } });
      expect(await rejectsOf(summary.job)).toBe("1\tfullName\tmust not contain control characters (U+0000 to U+001F) other than tab\n");
      await stillServing();
    }, 180_000);

    it("a few hundred bytes of gzip making 100,000 bad rows: the job fails at IMPORT_MAX_REJECTS, with that reason", async () => {
      const file = join(root, "rejects.ndjson.gz");
      await writeFile(file, gzipSync(`${JSON.stringify({ externalId: "", fullName: "" })}\n`.repeat(100_000)));
      const { code, summary } = await importThrough(file, "customers");
      expect(code).toBe(1);
      expect(summary).toMatchObject({ state: "failed", failure: { reason: "too_many_rejects", detail: expect.stringContaining("IMPORT_MAX_REJECTS") } });
      const stored = await admin.query(`select count(*)::int as n from ${schema}.import_rejects r join ${schema}.import_jobs j on j.id = r.job_id where j.id = $1`, [summary.job]);
      // Each chunk stops at the bound: the store never fills with rejects.
      expect(stored.rows[0].n).toBeLessThan(100_000 / 10);
      await stillServing();
    }, 180_000);

    it("a key made of terminal escapes is never echoed", async () => {
      const file = join(root, "escapes.ndjson");
      await writeFile(file, `${JSON.stringify({ externalId: "ESC-1", fullName: "Ana", "\u001b]0;owned\u0007\u001b[2J\tx\n": 1 })}\n`);
      const { summary } = await importThrough(file, "customers");
      expect(summary).toMatchObject({ state: "succeeded", rows: { rejected: 1 } });
      expect(await rejectsOf(summary.job)).toBe("1\t(record)\tunknown field\n");
      await stillServing();
    }, 180_000);
  });
});
