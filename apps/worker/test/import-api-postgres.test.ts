import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { recordTestSecret } from "@insights/config/testing";
import { announceSkip } from "@insights/store/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eachHostileFileEndsAsDocumented } from "./hostile-files.js";
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
  /** Organisation `other`'s: the next organisation's import after a hostile one. */
  let otherToken: string;

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
    env = { DATABASE_URL: url, LOAD_DEMO_DATA: "true", IMPORT_QUEUE_SCHEMA: `${schema}_queue`, DATA_DIR: dataDir, LOG_LEVEL: "warn", IMPORT_MAX_ACTIVE_JOBS_PER_ORG: "1" };
    bffs = [await startBff()];
    bffs.push(await startBff());
    const mint = async (org: string) => {
      const minted = (await runBff("dist/cli/token.js", ["--scope", "imports:write", "--scope", "imports:read", "--org", org], env).finished).stdout.trim();
      recordTestSecret("token", minted, "a token npm run token minted");
      return minted;
    };
    [token, otherToken] = await Promise.all([mint("telco"), mint("other")]);
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
    const unused = () => ({ DATA_DIR: join(root, "unused"), LOG_LEVEL: "warn" });
    const through = (args: string[]) => run(IMPORT_CLI, [...args, "--api", bffs[0]!.url, "--token", token], unused()).finished;
    const local = (args: string[]) => run(IMPORT_CLI, [...args, "--org", "telco"], { ...env, LOG_LEVEL: "warn" }).finished;
    const summaryOf = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as { job: string; state: string };

    beforeAll(async () => {
      await startWorker();
      // The customers the sample scores of stillServing() name.
      expect(summaryOf((await through([join(samples, "customers.ndjson"), "--dataset", "customers", "--json"])).stdout)).toMatchObject({ state: "succeeded" });
    }, 120_000);

    const stillServing = async () => {
      for (const bff of bffs) {
        expect(bff.running.child.exitCode).toBeNull();
        expect((await fetch(`${bff.url}/healthz`)).status).toBe(200);
      }
      expect(worker?.child.exitCode).toBeNull();
      expect(await staged()).toEqual([]);
      // The next organisation's import still succeeds.
      const next = await run(IMPORT_CLI, [join(samples, "customers.ndjson"), "--dataset", "customers", "--json", "--api", bffs[1]!.url, "--token", otherToken], unused()).finished;
      expect(summaryOf(next.stdout)).toMatchObject({ state: "succeeded" });
    };

    // The admin API also runs the files run once per store (hostile-files.ts).
    for (const [path, command, rejects, storeWide] of [
      ["the admin API of a real BFF", through, (job: string) => through(["--rejects", job]), true],
      ["npm run import (local, PostgreSQL)", local, (job: string) => run(IMPORT_CLI, ["--rejects", job], { ...env, LOG_LEVEL: "warn" }).finished, false],
    ] as const) {
      describe(`through ${path}`, () => {
        eachHostileFileEndsAsDocumented({ importFile: (file, dataset) => command([file, "--dataset", dataset, "--json"]), rejectsOf: async (job) => (await rejects(job)).stdout, stillServing }, () => root, { storeWide });
      });
    }
  });
});
