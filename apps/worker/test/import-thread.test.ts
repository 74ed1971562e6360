import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { IMPORT_CLI, run } from "./processes.js";

/**
 * The embedded import's memory bound (issue 25, apps/worker/src/cli/import-thread.ts): a real
 * `npm run import` into an embedded store runs in a thread whose V8 heap is bounded, and says so
 * in its debug log with the limit V8 itself reports in that thread. Not a measurement of RSS:
 * what would break the bound (the thread, its limits, the flags) is what this checks.
 */

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "worker-import-thread-"));
});
afterAll(() => rm(root, { recursive: true, force: true }));

type Bounds = { heapSizeLimitMb: number; maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number; v8Flags: string };

it("imports into the embedded store in a thread whose V8 heap is bounded, with PGlite on Liftoff only", async () => {
  const env = { DATA_DIR: join(root, "data"), LOG_LEVEL: "debug" };
  const sample = await run(IMPORT_CLI, ["--sample", "customers", "--rows", "20", "--seed", "3"], env).finished;
  const file = join(root, "customers.ndjson");
  await writeFile(file, sample.stdout);
  const imported = await run(IMPORT_CLI, [file, "--dataset", "customers", "--org", "telco", "--json"], env).finished;
  expect(imported.code, imported.stderr).toBe(0);
  expect(JSON.parse(imported.stdout.trim().split("\n").at(-1) ?? "")).toMatchObject({ state: "succeeded", rows: { read: 20, imported: 20 } });
  const line = imported.stderr.split("\n").find((l) => l.includes("embedded store opened in the bounded import thread"));
  expect(line, imported.stderr).toBeDefined();
  const bounds = JSON.parse(line ?? "") as Bounds;
  // V8's own figure in the thread: the old generation's bound plus the young one's (unbounded: 2-4 GB).
  expect(bounds.heapSizeLimitMb).toBeLessThanOrEqual(bounds.maxOldGenerationSizeMb + bounds.maxYoungGenerationSizeMb + 8);
  expect(bounds.maxOldGenerationSizeMb).toBeLessThanOrEqual(96);
  expect(bounds.v8Flags).toContain("--liftoff-only");
}, 120_000);

it("writes a sample in the process itself, with no store and no bounded thread", async () => {
  const sample = await run(IMPORT_CLI, ["--sample", "customers", "--rows", "3", "--seed", "3"], { DATA_DIR: join(root, "none"), LOG_LEVEL: "debug" }).finished;
  expect(sample.code).toBe(0);
  expect(sample.stdout.trim().split("\n")).toHaveLength(3);
  expect(sample.stderr).not.toContain("bounded import thread");
}, 60_000);
