import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IMPORT_CLI, run, runBff, WORKER_MAIN, type Finished } from "./processes.js";

/**
 * NODE_ENV=production, as the BFF applies it, in every other process that opens the store: the
 * worker, `npm run import` and `npm run admin` — one set of checks (packages/config's
 * productionIssues, the store's ProductionRefusal), each process run for real.
 */

let root: string;
let withDemo: string;
let clean: string;
let file: string;

const worker = (env: Record<string, string>): Promise<Finished> => run(WORKER_MAIN, ["--until-idle"], { LOG_LEVEL: "warn", ...env }).finished;
const importer = (env: Record<string, string>): Promise<Finished> => run(IMPORT_CLI, [file, "--dataset", "scores", "--org", "telco", "--json"], { LOG_LEVEL: "warn", ...env }).finished;
const admin = (args: string[], env: Record<string, string>): Promise<Finished> => runBff("dist/cli/admin.js", args, { LOG_LEVEL: "warn", ...env }).finished;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "worker-production-"));
  withDemo = join(root, "with-demo");
  clean = join(root, "clean");
  file = join(root, "scores.ndjson");
  await writeFile(file, `${JSON.stringify({ externalId: "CUST-000001", scoringType: "gaugeMetric", scoringValue: 640 })}\n`);
  // A development start of the worker fills an empty embedded store with the demo data.
  const development = await worker({ DATA_DIR: withDemo });
  expect(development.code, development.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("NODE_ENV=production in the worker, npm run import and npm run admin", () => {
  it("each refuses to start without IDENTIFIER_HASH_KEY, and refuses LOAD_DEMO_DATA, naming the variable", async () => {
    const cases: [Record<string, string>, string][] = [
      [{ NODE_ENV: "production", IDENTIFIER_HASH_KEY: "", DATA_DIR: clean }, "IDENTIFIER_HASH_KEY: is required when NODE_ENV=production"],
      [{ NODE_ENV: "production", LOAD_DEMO_DATA: "true", DATA_DIR: clean }, "LOAD_DEMO_DATA: demo data is never loaded in production"],
    ];
    for (const [env, says] of cases) {
      const [w, i, a] = await Promise.all([worker(env), importer(env), admin(["org", "list"], env)]);
      expect(w.code).toBe(1);
      expect(w.stderr).toContain(says);
      expect(i.code).toBe(2);
      expect(i.stderr).toContain(says);
      expect(a.code).toBe(2);
      expect(a.stderr).toContain(says);
    }
  }, 120_000);

  it("each refuses a store holding demo data, naming it; admin still lists it and revokes its keys", async () => {
    const env = { NODE_ENV: "production", DATA_DIR: withDemo };
    const refusal = /refusing to use the store in production: it holds demo data whose credentials are published \(demo organisation "other", demo organisation "telco"/;
    const w = await worker(env);
    expect(w.code).toBe(1);
    expect(w.stderr).toMatch(refusal);
    const i = await importer(env);
    expect(i.code).toBe(2);
    expect(i.stderr).toMatch(refusal);
    expect(i.stdout).toBe("");
    const create = await admin(["org", "create", "acme-bank", "--name", "Acme Bank"], env);
    expect(create.code).toBe(2);
    expect(create.stderr).toMatch(refusal);
    const list = await admin(["org", "list"], env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain("telco\t");
    expect(list.stdout).not.toContain("acme-bank");
    const keys = await admin(["api-key", "list"], env);
    expect(keys.code, keys.stderr).toBe(0);
    const live = keys.stdout.trim().split("\n").slice(1).map((line) => line.split("\t")[0] ?? "");
    expect(live.length).toBeGreaterThan(0);
    for (const id of live) {
      const revoked = await admin(["api-key", "revoke", id], env);
      expect(revoked.code, revoked.stderr).toBe(0);
    }
    // The demo organisations remain: still refused, but no demo key is named any more.
    const again = await worker(env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(refusal);
    expect(again.stderr).not.toContain("demo API key");
  }, 120_000);

  it("each runs on a clean store with the key set", async () => {
    const env = { NODE_ENV: "production", DATA_DIR: clean };
    const w = await worker(env);
    expect(w.code, w.stderr).toBe(0);
    const create = await admin(["org", "create", "telco", "--name", "Telco"], env);
    expect(create.code, create.stderr).toBe(0);
    const i = await importer(env);
    expect(i.stderr).not.toMatch(/refusing/);
    // The organisation is real; the customer is not: the score is one rejected row, not a refusal.
    expect(JSON.parse(i.stdout.trim().split("\n").at(-1) ?? "")).toMatchObject({ state: "succeeded", rows: { read: 1, rejected: 1 } });
  }, 120_000);
});
