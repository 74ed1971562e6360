import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHANGES_CHANNEL } from "../src/change-listener.js";
import { findCustomerByIdentifier } from "../src/customers.js";
import { applyImportBatch, type ImportBatch } from "../src/import-batch.js";
import type { CustomerImportRow } from "../src/import-customers.js";
import { createImportJob, listImportRejects } from "../src/import-jobs.js";
import { testHasher, testStoreVariants, type TestStore } from "../src/testing.js";

/**
 * The set-based customers path (import-customers.ts): an optimistic batch of new customers, its
 * fallback, the update of stored customers in one statement, and the statement-level check that
 * replaced the identifiers' foreign key (migration 0011). Each outcome is the one the row-by-row
 * semantics give.
 */
describe.each(testStoreVariants(process.env.DATABASE_URL))("bulk customer imports on $name", (variant) => {
  let store: TestStore;

  beforeAll(async () => {
    if (!variant.skipReason) store = await variant.open();
  });
  afterAll(async () => {
    await store?.close();
  });

  const tag = () => randomUUID().slice(0, 8);

  async function newJob(orgId = "telco") {
    return createImportJob(store.db, { id: randomUUID(), orgId, dataset: "customers", format: "ndjson", source: "/nonexistent" });
  }

  async function importRows(rows: Omit<CustomerImportRow, "line">[], job?: { id: string; orgId: string }) {
    const target = job ?? (await newJob());
    const batch: ImportBatch = { dataset: "customers", rows: rows.map((r, i) => ({ line: i + 1, ...r })), lastLine: rows.length, read: rows.length, rejects: [] };
    const result = await applyImportBatch(store.db, testHasher, target, batch);
    return { result, rejects: await listImportRejects(store.db, target.id, { limit: 100 }), job: target };
  }

  const phoneOf = async (phone: string) => (await findCustomerByIdentifier(store.db, testHasher, "telco", "phone", phone))?.external_id;

  describe.skipIf(variant.skipReason !== undefined)("", () => {
    it("a batch of new customers one of whose identifiers is stored: that row alone is rejected, as with look-ups", async () => {
      const t = tag();
      const { result, rejects } = await importRows([
        { externalId: `NEW-A-${t}`, fullName: "New A", phoneNumber: "+34698100001", cardNumber: "4000000000000101" },
        // Luis's card: stored, held by another customer. The optimistic insert meets it and the batch is applied again, looking up.
        { externalId: `NEW-B-${t}`, fullName: "New B", phoneNumber: "+34698100002", cardNumber: "4969452123456110" },
        { externalId: `NEW-C-${t}`, fullName: "New C", phoneNumber: "+34698100003" },
      ]);
      expect(result).toEqual({ applied: true, imported: 2, unchanged: 0, rejected: 1 });
      expect(rejects).toEqual([{ line: 2, field: "cardNumber", message: "already identifies another customer of the organisation" }]);
      expect(await phoneOf("+34698100001")).toBe(`NEW-A-${t}`);
      expect(await phoneOf("+34698100002")).toBeUndefined();
      expect(await phoneOf("+34698100003")).toBe(`NEW-C-${t}`);
      expect((await findCustomerByIdentifier(store.db, testHasher, "telco", "card_number", "4969452123456110"))?.external_id).toBe("CRM-0001");
    });

    it("an identifier a later row of the batch replaces is still checked: the row carrying a stored one is rejected", async () => {
      const t = tag();
      const { result, rejects } = await importRows([
        // Luis's phone: the row is rejected whole, though the next row gives this customer another phone.
        { externalId: `NEW-D-${t}`, fullName: "Taken Phone", phoneNumber: "+34600000001", segment: "77" },
        { externalId: `NEW-D-${t}`, fullName: "Own Phone", phoneNumber: "+34698100004" },
      ]);
      expect(result).toEqual({ applied: true, imported: 1, unchanged: 0, rejected: 1 });
      expect(rejects).toEqual([{ line: 1, field: "phoneNumber", message: "already identifies another customer of the organisation" }]);
      const created = await findCustomerByIdentifier(store.db, testHasher, "telco", "phone", "+34698100004");
      // The rejected row's segment was never applied.
      expect(created).toMatchObject({ external_id: `NEW-D-${t}`, full_name: "Own Phone", segment: null });
      expect(await phoneOf("+34600000001")).toBe("CRM-0001");
    });

    it("within a batch of new customers, the first row to claim an identifier keeps it and a later claimant is rejected", async () => {
      const t = tag();
      const { result, rejects } = await importRows([
        { externalId: `NEW-E-${t}`, fullName: "First", phoneNumber: "+34698100005" },
        { externalId: `NEW-F-${t}`, fullName: "Second", idDocument: `${t}X`, phoneNumber: "+34698100005" },
      ]);
      expect(result).toEqual({ applied: true, imported: 1, unchanged: 0, rejected: 1 });
      expect(rejects).toEqual([{ line: 2, field: "phoneNumber", message: "already identifies another customer of the organisation" }]);
      expect(await store.db.selectFrom("customers").select("id").where("external_id", "=", `NEW-F-${t}`).executeTakeFirst()).toBeUndefined();
    });

    it("updates stored customers in one statement: each gets its rows' last values, other fields and identifiers kept; an identifier moves between two of them", async () => {
      const t = tag();
      await importRows([
        { externalId: `UPD-A-${t}`, fullName: "Upd A", phoneNumber: "+34698200001", segment: "10", birthDate: "1980-01-01", imiconnectCustomerId: `IMI-${t}` },
        { externalId: `UPD-B-${t}`, fullName: "Upd B", phoneNumber: "+34698200002", timeZone: "Europe/Madrid" },
      ]);
      const { result, rejects } = await importRows([
        { externalId: `UPD-A-${t}`, fullName: "Upd A", segment: "20" },
        // A frees its phone, then B takes it, in the same batch.
        { externalId: `UPD-A-${t}`, fullName: "Upd A2", phoneNumber: "+34698200003", lineType: "business" },
        { externalId: `UPD-B-${t}`, fullName: "Upd B", phoneNumber: "+34698200001" },
        { externalId: `UPD-B-${t}`, fullName: "Upd B" },
      ]);
      expect(rejects).toEqual([]);
      expect(result).toEqual({ applied: true, imported: 3, unchanged: 1, rejected: 0 });
      const a = await findCustomerByIdentifier(store.db, testHasher, "telco", "phone", "+34698200003");
      expect(a).toMatchObject({ external_id: `UPD-A-${t}`, full_name: "Upd A2", segment: "20", birth_date: "1980-01-01", time_zone: "UTC", line_type: "business" });
      expect((await findCustomerByIdentifier(store.db, testHasher, "telco", "imiconnect_customer_id", `IMI-${t}`))?.id).toBe(a?.id);
      const b = await findCustomerByIdentifier(store.db, testHasher, "telco", "phone", "+34698200001");
      expect(b).toMatchObject({ external_id: `UPD-B-${t}`, full_name: "Upd B", time_zone: "Europe/Madrid" });
      expect(await phoneOf("+34698200002")).toBeUndefined();
    });

    it("importing the same rows again changes nothing and counts every row unchanged", async () => {
      const t = tag();
      const rows = Array.from({ length: 50 }, (_, i) => ({
        externalId: `RE-${t}-${i}`,
        fullName: `Again ${i}`,
        phoneNumber: `+3469830${String(i).padStart(4, "0")}`,
        cardNumber: `40000000${String(i).padStart(8, "0")}`,
        masstackCustomerId: randomUUID(),
        segment: String(i % 7),
      }));
      expect((await importRows(rows)).result).toEqual({ applied: true, imported: 50, unchanged: 0, rejected: 0 });
      const before = await store.db.selectFrom("customers").select(["id", "updated_at"]).where("external_id", "like", `RE-${t}-%`).orderBy("id").execute();
      expect((await importRows(rows)).result).toEqual({ applied: true, imported: 0, unchanged: 50, rejected: 0 });
      expect(await store.db.selectFrom("customers").select(["id", "updated_at"]).where("external_id", "like", `RE-${t}-%`).orderBy("id").execute()).toEqual(before);
      const { rows: counted } = await sql<{ n: string }>`
        select count(*) as n from customer_identifiers i join customers c on c.id = i.customer_id where c.external_id like ${`RE-${t}-%`}
      `.execute(store.db);
      expect(Number(counted[0]?.n)).toBe(150);
    });

    describe("the identifiers' reference to their customer (checked per statement, migration 0011)", () => {
      const insertIdentifier = (orgId: string, customerId: string, value: string) =>
        store.db.insertInto("customer_identifiers").values({ org_id: orgId, kind: "imiconnect_customer_id", value, customer_id: customerId }).execute();
      const luis = () => store.db.selectFrom("customers").select(["id", "org_id"]).where("external_id", "=", "CRM-0001").executeTakeFirstOrThrow();

      it("refuses an identifier naming no customer, or a customer of another organisation (SQLSTATE 23503)", async () => {
        await expect(insertIdentifier("telco", randomUUID(), `X-${tag()}`)).rejects.toMatchObject({ code: "23503" });
        const { id } = await luis();
        await expect(insertIdentifier("other", id, `X-${tag()}`)).rejects.toMatchObject({ code: "23503" });
        await expect(store.db.updateTable("customer_identifiers").set({ customer_id: randomUUID() }).where("customer_id", "=", id).execute()).rejects.toMatchObject({
          code: "23503",
        });
        const value = `X-${tag()}`;
        await insertIdentifier("telco", id, value);
        expect((await findCustomerByIdentifier(store.db, testHasher, "telco", "imiconnect_customer_id", value))?.id).toBe(id);
      });

      it("deleting a customer deletes its identifiers; changing its key while identifiers name it is refused", async () => {
        const t = tag();
        await importRows([{ externalId: `DEL-${t}`, fullName: "Deleted", phoneNumber: "+34698400001", cardNumber: "4000000000000400" }]);
        const { id } = await store.db.selectFrom("customers").select("id").where("external_id", "=", `DEL-${t}`).executeTakeFirstOrThrow();
        await expect(store.db.updateTable("customers").set({ id: randomUUID() }).where("id", "=", id).execute()).rejects.toMatchObject({ code: "23503" });
        await expect(store.db.updateTable("customers").set({ org_id: "other" }).where("id", "=", id).execute()).rejects.toMatchObject({ code: "23503" });
        await store.db.deleteFrom("customers").where("id", "=", id).execute();
        expect(await store.db.selectFrom("customer_identifiers").select("value").where("customer_id", "=", id).execute()).toEqual([]);
      });
    });

    if (variant.name === "pglite") {
      it("an import batch on the embedded store is written out when it returns: the importing process is the server, so its commit is synchronous", async () => {
        const job = await newJob();
        const result = await store.applyImportBatch(job, { dataset: "customers", rows: [{ line: 1, externalId: `SYNC-${tag()}`, fullName: "Synchronous" }], lastLine: 1, read: 1, rejects: [] });
        expect(result).toMatchObject({ applied: true, imported: 1 });
        // PGlite has no WAL writer: an asynchronous commit's WAL stays unwritten, past what a kill of the process keeps.
        const { rows } = await sql<{ written: boolean }>`select pg_current_wal_flush_lsn() >= pg_current_wal_insert_lsn() as written`.execute(store.db);
        expect(rows[0]?.written).toBe(true);
      });

      it("the embedded store's PostgreSQL keeps a 64 MB buffer pool: WebAssembly memory, resident once touched (connection.ts)", async () => {
        expect((await sql<{ shared_buffers: string }>`show shared_buffers`.execute(store.db)).rows[0]?.shared_buffers).toBe("64MB");
      });
    }

    if (variant.name === "postgres") {
      it("an import batch notifies its organisation's change once it commits, and a batch that changes nothing does not", async () => {
        const t = tag();
        const listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
        await listener.connect();
        const heard: string[] = [];
        listener.on("notification", (n) => {
          if (n.channel === CHANGES_CHANNEL) heard.push(n.payload ?? "");
        });
        await listener.query(`listen ${CHANGES_CHANNEL}`);
        try {
          const waitFor = async (payload: string, from: number) => {
            const deadline = Date.now() + 5_000;
            while (!heard.slice(from).includes(payload) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
            return heard.slice(from).filter((p) => p === payload).length;
          };
          // Organisations of this test alone: other test files notify on the same channel.
          const [org, marker] = [`note-${t}`, `mark-${t}`];
          await store.createOrganisation(org, "Noted");
          await store.createOrganisation(marker, "Marker");
          const rows = [{ externalId: `NOTE-${t}`, fullName: "Noted", phoneNumber: "+34698500001" }];
          let from = heard.length;
          expect((await importRows(rows, await newJob(org))).result.imported).toBe(1);
          expect(await waitFor(`org:${org}`, from)).toBe(1);
          // The same rows again write nothing: no notification for it before the marker's (delivered in commit order).
          from = heard.length;
          expect((await importRows(rows, await newJob(org))).result.unchanged).toBe(1);
          await importRows([{ externalId: `NOTE-${t}`, fullName: "Marker" }], await newJob(marker));
          expect(await waitFor(`org:${marker}`, from)).toBe(1);
          expect(heard.slice(from).filter((p) => p === `org:${org}`)).toEqual([]);
        } finally {
          await listener.end();
        }
      });
    }
  });
});
