import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateApiKey, createApiKey } from "../src/api-keys.js";
import { findCustomerByIdentifier } from "../src/customers.js";
import { findCustomerKeys } from "../src/customer-keys.js";
import { loadProfiles } from "../src/profiles.js";
import { lookupScoringSubject } from "../src/scores.js";
import { type TestStore } from "../src/testing.js";
import { testHasher, testStoreVariants } from "../src/testing.js";

describe.each(testStoreVariants(process.env.DATABASE_URL))("store on $name", (variant) => {
  let store: TestStore;

  beforeAll(async () => {
    if (!variant.skipReason) store = await variant.open();
  });
  afterAll(async () => {
    await store?.close();
  });

  describe.skipIf(variant.skipReason !== undefined)("", () => {
    it("answers ping once migrated", async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it("re-running migrations applies nothing new", async () => {
      await expect(store.migrate()).resolves.toEqual([]);
    });

    it("resolves Luis by each vendor's identifier within his organisation", async () => {
      const byKind = [
        ["phone", "+34600000001"],
        ["id_document", "87654321X"],
        ["id_document", "8765 4321-x"],
        ["citibanamex_customer_id", "321116471234"],
        ["card_number", "4969452123456110"],
        ["masstack_customer_id", "123E4567-E89B-12D3-A456-556642440000"],
        ["imiconnect_customer_id", "100001"],
      ] as const;
      for (const [kind, value] of byKind) {
        const customer = await findCustomerByIdentifier(store.db, testHasher, "telco", kind, value);
        expect(customer?.full_name, `${kind} ${value}`).toBe("Luis Diaz Salinas");
      }
    });

    it("never finds another organisation's customer", async () => {
      expect(await findCustomerByIdentifier(store.db, testHasher, "telco", "phone", "+34600000009")).toBeUndefined();
      expect((await findCustomerByIdentifier(store.db, testHasher, "other", "phone", "+34600000009"))?.full_name).toBe("Ana Torres Vidal");
    });

    it("stores card numbers and identity documents only as keyed hashes", async () => {
      const rows = await store.db.selectFrom("customer_identifiers").select(["kind", "value"]).execute();
      const dump = JSON.stringify(rows);
      for (const clear of ["4969452123456110", "87654321X", "11111111H"]) expect(dump).not.toContain(clear);
      const card = rows.find((r) => r.kind === "card_number");
      expect(card?.value).toBe(testHasher.hash("card_number", "4969452123456110"));
    });

    it("returns dates as YYYY-MM-DD text on both drivers", async () => {
      const luis = await store.db.selectFrom("customers").select(["birth_date", "time_zone"]).where("full_name", "=", "Luis Diaz Salinas").executeTakeFirstOrThrow();
      expect(luis).toEqual({ birth_date: "1985-03-14", time_zone: "America/Mexico_City" });
    });

    it("keeps scores in range (the schema refuses a gaugeMetric of 900)", async () => {
      const luis = await findCustomerByIdentifier(store.db, testHasher, "telco", "phone", "+34600000001");
      await expect(
        store.db.updateTable("customer_scores").set({ value: 900 }).where("customer_id", "=", luis!.id).where("scale", "=", "gaugeMetric").execute(),
      ).rejects.toThrow();
    });

    it("refuses to update or delete category history", async () => {
      await expect(sql`update customer_category_history set reason = 'x'`.execute(store.db)).rejects.toThrow(/append-only/);
      await expect(sql`delete from customer_category_history`.execute(store.db)).rejects.toThrow(/append-only/);
      const count = await store.db.selectFrom("customer_category_history").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(1);
    });

    it("authenticates the demo API keys to their organisation, and nothing else", async () => {
      expect((await authenticateApiKey(store.db, testHasher, "demo-telco-profile-key"))?.orgId).toBe("telco");
      expect((await authenticateApiKey(store.db, testHasher, "demo-other-profile-key"))?.orgId).toBe("other");
      expect(await authenticateApiKey(store.db, testHasher, "demo-telco-profile-kez")).toBeUndefined();
      const rows = await store.db.selectFrom("api_keys").select("key_hash").execute();
      expect(JSON.stringify(rows)).not.toContain("demo-telco-profile-key");
    });

    it("creates API keys whose clear value is returned once and stored hashed", async () => {
      const { key } = await createApiKey(store.db, testHasher, "telco", "test key");
      expect((await authenticateApiKey(store.db, testHasher, key))?.label).toBe("test key");
    });

    describe("scoring lookup", () => {
      const lookup = (request: Partial<Parameters<TestStore["lookupScoring"]>[0]>) =>
        store.lookupScoring({ orgId: "telco", phoneNumber: undefined, idDocument: undefined, scale: "gaugeMetric", ...request });

      it("resolves phone and document to the same customer with the score of the scale", async () => {
        const result = await lookup({ phoneNumber: "+34600000001", idDocument: "87654321X", scale: "veritasIndex" });
        expect(result.phoneCustomerId).toBeDefined();
        expect(result.documentCustomerId).toBe(result.phoneCustomerId);
        expect(result).toMatchObject({ lineType: "consumer", score: 4 });
      });

      it("takes the document's customer as subject when no phone is given", async () => {
        expect(await lookup({ idDocument: "11111111H" })).toMatchObject({ phoneCustomerId: undefined, lineType: "business", score: 710 });
      });

      it("finds nothing for unknown identifiers or another organisation's", async () => {
        expect(await lookup({ phoneNumber: "+34699999999" })).toEqual({ phoneCustomerId: undefined, documentCustomerId: undefined, lineType: undefined, score: undefined });
        expect((await lookup({ phoneNumber: "+34600000009" })).phoneCustomerId).toBeUndefined();
        expect((await lookup({ orgId: "other", phoneNumber: "+34600000009" })).score).toBe(420);
      });

      it("answers every scale of the subject in one look-up, with the same identifier resolution", async () => {
        const luis = await lookupScoringSubject(store.db, testHasher, { orgId: "telco", phoneNumber: "+34600000001", idDocument: undefined });
        expect(luis).toMatchObject({ phoneCustomerId: expect.any(String), documentCustomerId: undefined, lineType: "consumer", scores: { gaugeMetric: 600, veritasIndex: 4 } });
        const business = await lookupScoringSubject(store.db, testHasher, { orgId: "telco", phoneNumber: undefined, idDocument: "11111111H" });
        expect(business).toMatchObject({ lineType: "business", scores: { gaugeMetric: 710, veritasIndex: 2 } });
        expect(await lookupScoringSubject(store.db, testHasher, { orgId: "telco", phoneNumber: "+34600000009", idDocument: undefined })).toEqual({
          phoneCustomerId: undefined,
          documentCustomerId: undefined,
          lineType: undefined,
          scores: {},
        });
      });
    });

    it("loads IMIconnect profiles in one query: attributes in column order, linked profiles by level", async () => {
      const level0 = await loadProfiles(store.db, "telco", ["4545", "2134", "9999", "nobody"], 0);
      expect([...level0.keys()].sort()).toEqual(["2134", "4545"]);
      const john = level0.get("4545")!;
      expect(john.attributes.map((a) => a.ID)).toEqual(Array.from({ length: 11 }, (_, i) => 8574 + i));
      expect(john.attributes[0]).toEqual({ Name: "msisdn", Value: "91900007707", ID: 8574 });
      expect(john.inwardLinks).toEqual([]);
      expect((await loadProfiles(store.db, "telco", ["4545"], 1)).get("4545")!.inwardLinks.map((l) => l.profileName)).toEqual(["Telco Mobile App"]);
      const full = (await loadProfiles(store.db, "telco", ["4545"], 2)).get("4545")!.inwardLinks;
      expect(full.map((l) => [l.profileId, l.kind])).toEqual([["app-telco-mobile", "application"], ["channel-twitter", "channel"]]);
      expect(full[0]!.records[0]![0]).toEqual({ Name: "userId", Value: "john4545", ID: 9001 });
    });

    it("finds a customer's vendor keys by BFF id or by a vendor identifier, within the organisation only", async () => {
      const luis = {
        id: "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a1001",
        fullName: "Luis Diaz Salinas",
        phone: "+34600000001",
        citibanamexCustomerId: "321116471234",
        masstackCustomerId: "123e4567-e89b-12d3-a456-556642440000",
        imiconnectCustomerId: "100001",
      };
      expect(await findCustomerKeys(store.db, testHasher, "telco", { customerId: luis.id })).toEqual(luis);
      expect(await findCustomerKeys(store.db, testHasher, "telco", { kind: "phone", value: "+34600000001" })).toEqual(luis);
      expect(await findCustomerKeys(store.db, testHasher, "telco", { kind: "card_number", value: "4969452123456110" })).toEqual(luis);
      expect(await findCustomerKeys(store.db, testHasher, "telco", { customerId: "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a9999" })).toBeUndefined();
      expect(await findCustomerKeys(store.db, testHasher, "other", { customerId: "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a9999" })).toMatchObject({ fullName: "Ana Torres Vidal" });
      expect(await findCustomerKeys(store.db, testHasher, "telco", { customerId: "not-a-uuid" })).toBeUndefined();
      expect(await findCustomerKeys(store.db, testHasher, "telco", { kind: "phone", value: "+34600000009" })).toBeUndefined();
      const john = await findCustomerKeys(store.db, testHasher, "telco", { kind: "imiconnect_customer_id", value: "4545" });
      expect(john).toEqual({ id: "5b1d3c1e-0d43-4a8e-9c61-2f0f6c7a4545", fullName: "john", phone: undefined, citibanamexCustomerId: undefined, masstackCustomerId: undefined, imiconnectCustomerId: "4545" });
    });

    it("isolates a transaction from concurrent queries", async () => {
      const luis = await findCustomerByIdentifier(store.db, testHasher, "telco", "phone", "+34600000001");
      const inside = store.db.transaction().execute(async (tx) => {
        await tx.updateTable("customers").set({ segment: "99" }).where("id", "=", luis!.id).execute();
        await new Promise((r) => setTimeout(r, 50));
        throw new Error("roll back");
      });
      // Handled from the start: on PGlite the outside query waits for the transaction, which may fail first.
      const rolledBack = expect(inside).rejects.toThrow("roll back");
      const outside = await store.db.selectFrom("customers").select("segment").where("id", "=", luis!.id).executeTakeFirstOrThrow();
      await rolledBack;
      expect(outside.segment).toBe("20");
      const after = await store.db.selectFrom("customers").select("segment").where("id", "=", luis!.id).executeTakeFirstOrThrow();
      expect(after.segment).toBe("20");
    });
  });
});
