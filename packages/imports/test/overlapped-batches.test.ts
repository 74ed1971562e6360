import { randomUUID } from "node:crypto";
import { createTestLogger } from "@insights/config/testing";
import { testStoreVariants, type TestStore } from "@insights/store/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_IMPORT_LIMITS } from "../src/line-reader.js";
import type { RawRecord } from "../src/record-reader.js";
import { importRecords, type ImportDeps } from "../src/run-import.js";

const logger = createTestLogger("insights-worker", "overlapped-batches.test");

/**
 * On PostgreSQL a run reads and validates the next batch while the last is in the database
 * (importRecords): what it stores, counts and refuses must be what batches one after the other
 * give. On the embedded store nothing overlaps.
 */
describe.each(testStoreVariants(process.env.DATABASE_URL))("batches of a run on $name", (variant) => {
  let store: TestStore;
  beforeAll(async () => {
    if (variant.skipReason) return;
    store = await variant.open();
  });
  afterAll(async () => {
    await store?.close();
  });
  const skip = variant.skipReason !== undefined;

  const newJob = async () => {
    const id = randomUUID();
    await store.createImportJob({ id, orgId: "telco", dataset: "customers", format: "ndjson", source: "test" });
    return { id, orgId: "telco", dataset: "customers" as const };
  };
  const customer = (line: number, externalId: string, fullName: string): RawRecord => ({ line, fields: { externalId, fullName } });
  const nameOf = async (externalId: string) =>
    (await store.db.selectFrom("customers").select("full_name").where("org_id", "=", "telco").where("external_id", "=", externalId).executeTakeFirst())?.full_name;
  const checkpointOf = async (id: string) => (await store.findImportJob(id))?.checkpointLine;
  /** Records one by one, noting how many were taken when each batch was counted. */
  async function* tracked(records: RawRecord[], taken: { count: number }) {
    for (const record of records) {
      taken.count++;
      yield record;
    }
  }

  it.skipIf(skip)("commits in file order (a customer named in every batch ends as its last line says), reads ahead only on PostgreSQL", async () => {
    const job = await newJob();
    const externalId = `OVL-${randomUUID().slice(0, 8)}`;
    const records = Array.from({ length: 40 }, (_, i) => (i % 5 === 0 ? customer(i + 1, externalId, `name ${i + 1}`) : customer(i + 1, `${externalId}-${i}`, `other ${i}`)));
    const taken = { count: 0 };
    const takenAtBatch: number[] = [];
    const counted = await importRecords({ store, logger }, { job, skipThrough: 0 }, tracked(records, taken), {
      batchSize: 5,
      dryRun: false,
      onBatch: () => takenAtBatch.push(taken.count),
    });
    expect(counted).toEqual({ read: 40, imported: 40, unchanged: 0, rejected: 0 });
    expect(await nameOf(externalId)).toBe("name 36");
    expect(await checkpointOf(job.id)).toBe(40);
    // Overlapped, the next batch (its 5 records at least) was read before the last one was counted.
    if (variant.name === "postgres") expect(takenAtBatch.slice(0, -1).every((count, i) => count >= 5 * (i + 2))).toBe(true);
    else expect(takenAtBatch).toEqual([5, 10, 15, 20, 25, 30, 35, 40]);

    // The same records again: only the customer each batch renames changes (8 times), and ends as before.
    const again = await importRecords({ store, logger }, { job: await newJob(), skipThrough: 0 }, tracked(records, { count: 0 }), { batchSize: 5, dryRun: false });
    expect(again).toEqual({ read: 40, imported: 8, unchanged: 32, rejected: 0 });
    expect(await nameOf(externalId)).toBe("name 36");
  });

  it.skipIf(skip)("past the reject bound, the batch read meanwhile is never written", async () => {
    const job = await newJob();
    const prefix = `REJ-${randomUUID().slice(0, 8)}`;
    const bad = (line: number): RawRecord => ({ line, fields: { externalId: "", fullName: "x" } });
    const records = [customer(1, `${prefix}-1`, "a"), bad(2), bad(3), bad(4), customer(5, `${prefix}-5`, "b"), ...Array.from({ length: 5 }, (_, i) => customer(6 + i, `${prefix}-${6 + i}`, "c"))];
    const deps: ImportDeps = { store, logger, limits: { ...DEFAULT_IMPORT_LIMITS, maxRejects: 2 } };
    await expect(importRecords(deps, { job, skipThrough: 0 }, tracked(records, { count: 0 }), { batchSize: 5, dryRun: false })).rejects.toMatchObject({ reason: "too_many_rejects" });
    expect(await checkpointOf(job.id)).toBe(5);
    expect(await nameOf(`${prefix}-5`)).toBe("b");
    expect(await nameOf(`${prefix}-6`)).toBeUndefined();
  });

  it.skipIf(skip)("a reading error after a batch went to the database: that batch commits, then the error is the run's", async () => {
    const job = await newJob();
    const prefix = `ERR-${randomUUID().slice(0, 8)}`;
    async function* failing() {
      for (let line = 1; line <= 7; line++) yield customer(line, `${prefix}-${line}`, "a");
      throw new Error("the file could not be read");
    }
    await expect(importRecords({ store, logger }, { job, skipThrough: 0 }, failing(), { batchSize: 5, dryRun: false })).rejects.toThrow("the file could not be read");
    expect(await checkpointOf(job.id)).toBe(5);
    expect(await nameOf(`${prefix}-5`)).toBe("a");
    expect(await nameOf(`${prefix}-6`)).toBeUndefined();
  });

  it.skipIf(skip)("a batch the database refuses fails the run, and stops the reading", async () => {
    // No such job: its first batch is refused (the job's row cannot be locked).
    const job = { id: randomUUID(), orgId: "telco", dataset: "customers" as const };
    let finished = false;
    async function* records() {
      try {
        for (let line = 1; line <= 1000; line++) yield customer(line, `GONE-${line}`, "a");
      } finally {
        finished = true;
      }
    }
    const taken = { count: 0 };
    async function* counting() {
      for await (const record of records()) {
        taken.count++;
        yield record;
      }
    }
    await expect(importRecords({ store, logger }, { job, skipThrough: 0 }, counting(), { batchSize: 5, dryRun: false })).rejects.toThrow(/does not exist/);
    expect(finished).toBe(true);
    // At most the batches read meanwhile (the next one, prepared, and the one after), not the file.
    expect(taken.count).toBeLessThanOrEqual(15);
  });
});
