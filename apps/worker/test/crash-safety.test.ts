import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { openTestStoreOn } from "@insights/store/testing";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkpointOf, IMPORT_CLI, run, WORKER_MAIN } from "./processes.js";

/**
 * SIGKILL at several points of an import — before the first checkpoint, mid-file in the CLI,
 * mid-file in the worker resuming it — then a worker resumes to the end: the tables must equal
 * those of an uninterrupted import of the same files.
 */

const ROWS = 1200;
const BATCH = "40";
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "worker-crash-"));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function sampleFile(dataset: string, rows: number, bad: number): Promise<string> {
  const sample = await run(IMPORT_CLI, ["--sample", dataset, "--rows", String(rows), "--bad", String(bad), "--seed", "42", "--format", "csv"], {}).finished;
  const file = join(root, `${dataset}.csv`);
  await writeFile(file, sample.stdout);
  return file;
}

/** What the import is meant to produce, without ids and timestamps that differ between runs. */
async function snapshot(dataDir: string): Promise<Record<string, unknown[]>> {
  const store = await openTestStoreOn({ kind: "pglite", dataDir: join(dataDir, "pglite") });
  try {
    const q = async (query: ReturnType<typeof sql>) => (await query.execute(store.db)).rows;
    return {
      customers: await q(sql`select external_id, full_name, segment, birth_date, time_zone, line_type from customers order by org_id, external_id`),
      identifiers: await q(sql`select c.external_id, i.kind, i.value from customer_identifiers i join customers c on c.id = i.customer_id order by 1, 2, 3`),
      categories: await q(sql`select c.external_id, cc.category_id, cc.value, cc.description from customer_categories cc join customers c on c.id = cc.customer_id order by 1, 2`),
      history: await q(sql`
        select c.external_id, h.category_id, h.operation, h.value, h.description, h.actor like 'import:%' as by_import, count(*)::int as n
        from customer_category_history h join customers c on c.id = h.customer_id
        group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3, 4, 5, 6`),
      jobs: await q(sql`select dataset, state, rows_read, rows_imported, rows_unchanged, rows_rejected from import_jobs order by dataset`),
      rejects: await q(sql`select j.dataset, r.line, r.field, r.message from import_rejects r join import_jobs j on j.id = r.job_id order by 1, 2, 3`),
    };
  } finally {
    await store.close();
  }
}

describe("a worker killed with SIGKILL", () => {
  it("resumes from the last checkpoint, and the end state equals an uninterrupted import", async () => {
    const customers = await sampleFile("customers", ROWS, 30);
    const categories = await sampleFile("category-assignments", ROWS, 20);
    const importArgs = (file: string, dataset: string) => [file, "--dataset", dataset, "--org", "telco", "--batch-size", BATCH];

    const reference = join(root, "reference");
    for (const [file, dataset] of [
      [customers, "customers"],
      [categories, "category-assignments"],
    ] as const) {
      const done = await run(IMPORT_CLI, importArgs(file, dataset), { DATA_DIR: reference, LOG_LEVEL: "warn" }).finished;
      expect(done.code, done.stderr).toBe(0);
    }

    const crashed = join(root, "crashed");
    const env = { DATA_DIR: crashed, LOG_LEVEL: "debug" };
    const killWhen = async (entry: string, args: string[], test: (line: string) => boolean) => {
      const running = run(entry, args, env);
      await running.waitFor(test);
      running.child.kill("SIGKILL");
      const end = await running.finished;
      expect(end.signal).toBe("SIGKILL");
    };
    // 1. The CLI, killed as the import starts running (before any checkpoint).
    await killWhen(IMPORT_CLI, importArgs(customers, "customers"), (line) => line.includes('"import running"'));
    // 2. A worker resuming it, killed a few batches in.
    await killWhen(WORKER_MAIN, ["--until-idle"], (line) => (checkpointOf(line) ?? 0) >= 200);
    // 3. Another, killed later on.
    await killWhen(WORKER_MAIN, ["--until-idle"], (line) => (checkpointOf(line) ?? 0) >= 760);
    // 4. The CLI importing the categories, killed mid-file.
    await killWhen(IMPORT_CLI, importArgs(categories, "category-assignments"), (line) => (checkpointOf(line) ?? 0) >= 400);
    // 5. A worker that runs to the end.
    const finish = await run(WORKER_MAIN, ["--until-idle"], { ...env, LOG_LEVEL: "info" }).finished;
    expect(finish.code, finish.stderr).toBe(0);

    const expected = await snapshot(reference);
    const actual = await snapshot(crashed);
    expect(expected.customers).toHaveLength(ROWS - 30 + 6);
    expect(expected.jobs).toEqual([
      { dataset: "category-assignments", state: "succeeded", rows_read: String(ROWS), rows_imported: expect.any(String), rows_unchanged: expect.any(String), rows_rejected: expect.any(String) },
      { dataset: "customers", state: "succeeded", rows_read: String(ROWS), rows_imported: String(ROWS - 30), rows_unchanged: "0", rows_rejected: "30" },
    ]);
    for (const table of Object.keys(expected)) expect(actual[table], table).toEqual(expected[table]);
  }, 300_000);
});
