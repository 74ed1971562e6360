import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testStoreVariants, type TestStore } from "../src/testing.js";

/**
 * An import's ANALYZE (import-statistics.ts) takes one table per batch, so that on the embedded
 * store requests go between them: when the rows imported reach 10,000, the customers are
 * analysed with that batch, their identifiers with the next.
 */
describe.each(testStoreVariants(process.env.DATABASE_URL))("an import's statistics on $name", (variant) => {
  let store: TestStore;
  beforeAll(async () => {
    if (!variant.skipReason) store = await variant.open();
  });
  afterAll(async () => {
    await store?.close();
  });

  /** Manual ANALYZEs of a table so far (autovacuum's are counted apart). */
  const analyses = async (table: string) =>
    Number((await sql<{ n: string }>`select analyze_count::text as n from pg_stat_user_tables where relname = ${table} and schemaname = current_schema()`.execute(store.db)).rows[0]?.n ?? 0);

  it.skipIf(variant.skipReason !== undefined)("analyses one table per batch once the rows double, the customers first", async () => {
    const job = randomUUID();
    await store.createImportJob({ id: job, orgId: "telco", dataset: "customers", format: "ndjson", source: "/nonexistent" });
    const batch = async (index: number, size: number) => {
      const first = index * 1000;
      await store.applyImportBatch(
        { id: job, orgId: "telco" },
        {
          dataset: "customers",
          rows: Array.from({ length: size }, (_, i) => ({ line: first + i + 1, externalId: `ANL-${job.slice(0, 8)}-${first + i}`, fullName: `Analysed ${first + i}`, phoneNumber: `+3461${String(first + i).padStart(7, "0")}` })),
          lastLine: first + size,
          read: size,
          rejects: [],
        },
      );
    };
    const before = { customers: await analyses("customers"), identifiers: await analyses("customer_identifiers") };
    for (let i = 0; i < 9; i++) await batch(i, 1000);
    expect(await analyses("customers")).toBe(before.customers);
    await batch(9, 1000);
    // The batch that reached 10,000 rows: the customers, alone.
    expect(await analyses("customers")).toBe(before.customers + 1);
    expect(await analyses("customer_identifiers")).toBe(before.identifiers);
    await batch(10, 1);
    expect(await analyses("customer_identifiers")).toBe(before.identifiers + 1);
    expect(await analyses("customers")).toBe(before.customers + 1);
  });
});
