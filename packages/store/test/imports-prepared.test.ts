import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCustomerByIdentifier } from "../src/customers.js";
import { applyImportBatch, type ImportBatch } from "../src/import-batch.js";
import type { CustomerImportRow } from "../src/import-customers.js";
import { createImportJob, findImportJob } from "../src/import-jobs.js";
import { testHasher, testStoreVariants, type TestStore } from "../src/testing.js";

/**
 * A batch prepared before its transaction (import-batch.ts, import-customers.ts): its arrays
 * go as PostgreSQL array literals written by us, and with `after` its transaction waits for the
 * batch before it — and never starts if that one failed.
 */
describe.each(testStoreVariants(process.env.DATABASE_URL))("prepared import batches on $name", (variant) => {
  let store: TestStore;
  beforeAll(async () => {
    if (!variant.skipReason) store = await variant.open();
  });
  afterAll(async () => {
    await store?.close();
  });
  const skip = variant.skipReason !== undefined;
  const newJob = () => createImportJob(store.db, { id: randomUUID(), orgId: "telco", dataset: "customers", format: "ndjson", source: "/nonexistent" });
  const batchOf = (rows: Omit<CustomerImportRow, "line">[], firstLine = 1): ImportBatch => ({
    dataset: "customers",
    rows: rows.map((r, i) => ({ line: firstLine + i, ...r })),
    lastLine: firstLine + rows.length - 1,
    read: rows.length,
    rejects: [],
  });
  const customer = async (externalId: string) =>
    store.db.selectFrom("customers").select(["full_name", "segment", "birth_date"]).where("org_id", "=", "telco").where("external_id", "=", externalId).executeTakeFirst();

  it.skipIf(skip)("text with quotes, backslashes, braces, commas and NULL-looking words is stored as given, new or updated", async () => {
    const t = randomUUID().slice(0, 8);
    const awkward = ['Ana "la" \\ Díaz', "{x, y}", "NULL", "back\\\\slash\\", '"', "tab\there", "ünïcödé ✓"];
    const rows = awkward.map((fullName, i) => ({ externalId: `AWK-${t}-${i}`, fullName, imiconnectCustomerId: `awk-${t}-"${i}"\\` }));
    // New customers (the arrays prepared before the transaction) …
    expect(await applyImportBatch(store.db, testHasher, await newJob(), batchOf(rows))).toMatchObject({ applied: true, imported: awkward.length });
    for (const [i, fullName] of awkward.entries()) expect((await customer(`AWK-${t}-${i}`))?.full_name).toBe(fullName);
    const found = await findCustomerByIdentifier(store.db, testHasher, "telco", "imiconnect_customer_id", `awk-${t}-"3"\\`);
    expect(found?.external_id).toBe(`AWK-${t}-3`);
    // … and the same text again as an update of stored ones (each takes the next one's name), then unchanged.
    const shifted = rows.map((r, i) => ({ ...r, fullName: awkward[(i + 1) % awkward.length] ?? "" }));
    expect(await applyImportBatch(store.db, testHasher, await newJob(), batchOf(shifted))).toMatchObject({ imported: awkward.length, unchanged: 0 });
    for (const [i] of awkward.entries()) expect((await customer(`AWK-${t}-${i}`))?.full_name).toBe(awkward[(i + 1) % awkward.length]);
    expect(await applyImportBatch(store.db, testHasher, await newJob(), batchOf(shifted))).toMatchObject({ imported: 0, unchanged: awkward.length });
  });

  it.skipIf(skip)("`after`: the batch waits for the one before, and is never written when that one failed", async () => {
    const t = randomUUID().slice(0, 8);
    const job = await newJob();
    let release!: () => void;
    const before = new Promise<void>((resolve) => (release = resolve));
    const next = applyImportBatch(store.db, testHasher, job, batchOf([{ externalId: `AFT-${t}-1`, fullName: "one" }]), { after: before });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await customer(`AFT-${t}-1`)).toBeUndefined();
    release();
    expect(await next).toMatchObject({ applied: true, imported: 1 });
    expect(await customer(`AFT-${t}-1`)).toMatchObject({ full_name: "one" });

    const failure = new Error("the batch before failed");
    const failed = Promise.reject(failure);
    failed.catch(() => undefined);
    await expect(applyImportBatch(store.db, testHasher, job, batchOf([{ externalId: `AFT-${t}-2`, fullName: "two" }], 2), { after: failed })).rejects.toBe(failure);
    expect(await customer(`AFT-${t}-2`)).toBeUndefined();
    expect((await findImportJob(store.db, job.id))?.checkpointLine).toBe(1);
  });
});
