import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eachHostileFileEndsAsDocumented } from "./hostile-files.js";
import { IMPORT_CLI, run, WORKER_MAIN } from "./processes.js";

/** The import command line as a user runs it: real processes over an embedded store in a temp DATA_DIR. */

let root: string;
let dataDir: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "worker-cli-"));
  dataDir = join(root, "data");
});
afterAll(() => rm(root, { recursive: true, force: true }));

const env = () => ({ DATA_DIR: dataDir, LOG_LEVEL: "warn" });
const cli = (args: string[]) => run(IMPORT_CLI, args, env()).finished;

describe("npm run import", () => {
  it("refuses a file larger than IMPORT_MAX_UPLOAD_MB with exit 2, and imports one of exactly that size", async () => {
    const head = "externalId,fullName\nBIG-1,";
    const file = (bytes: number) => `${head}${"n".repeat(bytes - head.length - 1)}\n`;
    const limited = (args: string[]) => run(IMPORT_CLI, args, { ...env(), IMPORT_MAX_UPLOAD_MB: "1" }).finished;
    await writeFile(join(root, "over.csv"), file(1024 * 1024 + 1));
    const refused = await limited([join(root, "over.csv"), "--dataset", "customers", "--org", "telco"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("is larger than 1048576 bytes (IMPORT_MAX_UPLOAD_MB): nothing was imported");
    await writeFile(join(root, "exact.csv"), file(1024 * 1024));
    const taken = await limited([join(root, "exact.csv"), "--dataset", "customers", "--org", "telco"]);
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stdout).toContain("rejected 1");
  }, 60_000);

  it("writes the same sample for the same seed", async () => {
    const a = await cli(["--sample", "customers", "--rows", "5", "--bad", "2", "--seed", "9", "--format", "csv"]);
    const b = await cli(["--sample", "customers", "--rows", "5", "--bad", "2", "--seed", "9", "--format", "csv"]);
    expect(a.code).toBe(0);
    expect(a.stdout.split("\n")).toHaveLength(7);
    expect(b.stdout).toBe(a.stdout);
  }, 60_000);

  it("imports a file, says so in JSON on the last line, and lists the rejected rows by line, field and message", async () => {
    const sample = await cli(["--sample", "customers", "--rows", "60", "--bad", "4", "--seed", "5"]);
    const file = join(root, "customers.ndjson.gz");
    const { gzipSync } = await import("node:zlib");
    await writeFile(file, gzipSync(sample.stdout));

    const first = await cli([file, "--dataset", "customers", "--org", "telco", "--json"]);
    expect(first.code, first.stderr).toBe(0);
    const summary = JSON.parse(first.stdout.trim().split("\n").at(-1) ?? "") as { job: string; state: string; rows: Record<string, number>; seconds: number };
    expect(summary).toMatchObject({ state: "succeeded", rows: { read: 60, imported: 56, unchanged: 0, rejected: 4 } });
    expect(summary.seconds).toBeGreaterThan(0);

    const rejects = await cli(["--rejects", summary.job]);
    expect(rejects.code).toBe(0);
    const lines = rejects.stdout.trim().split("\n");
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toMatch(/^\d+\t(phoneNumber|birthDate|cardNumber)\t.+$/);
    expect(rejects.stdout).not.toContain("4969");

    const again = await cli([file, "--dataset", "customers", "--org", "telco", "--json"]);
    expect(JSON.parse(again.stdout.trim().split("\n").at(-1) ?? "")).toMatchObject({ state: "succeeded", rows: { read: 60, imported: 0, unchanged: 56, rejected: 4 } });

    const dry = await cli([file, "--dataset", "customers", "--org", "telco", "--dry-run", "--json"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("dry run");
  }, 120_000);

  it("exits 1 when the file is not the declared format, 2 on a usage error", async () => {
    const csv = join(root, "scores.txt");
    await writeFile(csv, "externalId,scoringType,scoringValue\nCUST-000001,gaugeMetric,500\n");
    const failed = await cli([csv, "--dataset", "scores", "--org", "telco", "--format", "ndjson", "--json"]);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout.trim().split("\n").at(-1) ?? "")).toMatchObject({ state: "failed", failure: { reason: "not_the_format", detail: expect.stringContaining("not NDJSON") } });
    expect(failed.stdout).toMatch(/failed \(not_the_format\): line 1 is not a JSON object/);

    for (const args of [
      [csv, "--dataset", "scores", "--org", "nowhere", "--format", "csv"],
      [csv, "--dataset", "pets", "--org", "telco", "--format", "csv"],
      [csv, "--dataset", "scores", "--org", "telco"],
      ["--sample", "scores"],
      [join(root, "missing.csv"), "--dataset", "scores", "--org", "telco"],
    ]) {
      const result = await cli(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain("usage:");
    }
  }, 120_000);

  it("refuses while another process holds the embedded store, naming it", async () => {
    const worker = run(WORKER_MAIN, [], { DATA_DIR: dataDir, LOG_LEVEL: "info" });
    try {
      await worker.waitFor((line) => line.includes("worker ready"));
      const refused = await cli([join(root, "any.csv"), "--dataset", "scores", "--org", "telco"]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`is held by process ${worker.child.pid}`);
      expect(refused.stderr).toContain(`(${process.execPath} dist/main.js)`);
      expect(refused.stderr).toContain("POST /admin/v1/imports");
      expect(refused.stderr).toContain("npm run import -- <file> --dataset <name> --api <");
      expect(refused.stderr).toContain("--token <token>");
    } finally {
      worker.child.kill("SIGTERM");
      await worker.finished;
    }
  }, 120_000);
});

describe("hostile files through npm run import (local, embedded store)", () => {
  const summaryOf = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as { job: string; state: string };
  eachHostileFileEndsAsDocumented(
    {
      importFile: (file, dataset) => cli([file, "--dataset", dataset, "--org", "telco", "--json"]),
      rejectsOf: async (job) => (await cli(["--rejects", job])).stdout,
      stillServing: async () => {
        // Nothing stays staged, and the store takes the next organisation's import.
        expect(await readdir(join(dataDir, "imports")).catch(() => [])).toEqual([]);
        const next = await cli([join(root, "next.csv"), "--dataset", "customers", "--org", "other", "--json"]);
        expect(summaryOf(next.stdout)).toMatchObject({ state: "succeeded" });
      },
    },
    () => root,
    // The files run once per store go through the embedded store's admin API (import-api-cli.test.ts).
    { storeWide: false },
  );
  beforeAll(() => writeFile(join(root, "next.csv"), "externalId,fullName\nNEXT-1,Next customer\n"));
});
