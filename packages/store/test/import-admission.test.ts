import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActiveImportLimitReached, openConfiguredStore, ProductionRefusal } from "../src/index.js";
import { type TestStore } from "../src/testing.js";
import { testStoreVariants } from "../src/testing.js";

/**
 * The store's own bounds: IMPORT_MAX_ACTIVE_JOBS_PER_ORG as a job is recorded (whichever process
 * records it), and what production refuses to open.
 */
describe.each(testStoreVariants(process.env.DATABASE_URL))("an import job's admission on $name", (variant) => {
  let store: TestStore;
  beforeAll(async () => {
    if (!variant.skipReason) store = await variant.open();
  });
  afterAll(() => store?.close());

  const job = (orgId: string, maxActive: number) => ({ id: randomUUID(), orgId, dataset: "scores" as const, format: "ndjson" as const, source: "/nonexistent", maxActive });

  it.skipIf(variant.skipReason)("records jobs up to the bound, refuses the next with the count, and admits again once one has ended", async () => {
    const first = await store.createImportJob(job("telco", 2));
    await store.createImportJob(job("telco", 2));
    const refused = await store.createImportJob(job("telco", 2)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ActiveImportLimitReached);
    expect(refused).toMatchObject({ active: 2, max: 2 });
    // Another organisation's jobs are its own.
    await store.createImportJob(job("other", 1));
    await store.finishImportJob(first.id, { state: "failed", failure: { reason: "internal", detail: "test" } });
    expect((await store.createImportJob(job("telco", 2))).state).toBe("queued");
  });

  it.skipIf(variant.skipReason)("admits one of many recorded at once, whatever the interleaving", async () => {
    await store.db.updateTable("import_jobs").set({ state: "failed" }).where("org_id", "=", "other").execute();
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => store.createImportJob(job("other", 1))));
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toBeInstanceOf(ActiveImportLimitReached);
  });
});

describe("a store opened for production", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "store-production-"));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("never generates a hashing key", async () => {
    await expect(openConfiguredStore({ databaseUrl: undefined, dataDir, poolMax: 1, statementTimeoutMs: 5000, identifierHashKey: undefined, production: true })).rejects.toBeInstanceOf(ProductionRefusal);
  });

  it("refuses one holding demo data, unless for the commands that remove it; opens a clean one", async () => {
    const settings = { databaseUrl: undefined, dataDir, poolMax: 1, statementTimeoutMs: 5000, identifierHashKey: Buffer.alloc(32, 3) };
    const clean = await openConfiguredStore({ ...settings, production: true });
    await clean.loadDemoDataIfEmpty();
    await clean.close();
    await expect(openConfiguredStore({ ...settings, production: true })).rejects.toThrow(/refusing to use the store in production: it holds demo data/);
    const allowed = await openConfiguredStore({ ...settings, production: true, demoDataAllowed: true });
    await allowed.close();
  }, 60_000);
});
