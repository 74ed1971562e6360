import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHANGES_CHANNEL } from "../src/change-listener.js";
import type { QueryObserver } from "../src/connection.js";
import { openTestStoreOn, testStoreVariants, type TestStore } from "../src/testing.js";

/**
 * Customer-category writes, each one statement
 * (docs/performance.md#category-writes-in-one-statement-2026-12-02):
 * the outcomes and the order they are decided in, only the fields given change, the history
 * entry holds the resulting state and is written with the change or not at all, and catalogue
 * additions are all or none. Each test works in an organisation of its own.
 */

const ACTOR = "categories.test";
const CUSTOMER_TYPE = { name: "customer_type", description: "Commercial treatment", validValues: ["influencer", "employee", "standard", null] };
const CHURN_RISK = { name: "churn_risk", description: null, validValues: ["low", "medium", "high"] };

type Org = { orgId: string; masstackId: string; customerType: number; churnRisk: number };

describe.each(testStoreVariants(process.env.DATABASE_URL))("category writes on $name", (variant) => {
  let store: TestStore;

  beforeAll(async () => {
    if (!variant.skipReason) store = await variant.open();
  });
  afterAll(async () => {
    await store?.close();
  });

  /** A new organisation with one customer, the two categories in its catalogue, and customer_type set on the customer. */
  async function newOrg(on: TestStore = store): Promise<Org> {
    const orgId = `cat-${randomBytes(6).toString("hex")}`;
    const masstackId = randomUUID();
    const customerId = randomUUID();
    await on.createOrganisation(orgId, "categories test");
    await on.db.insertInto("customers").values({ id: customerId, org_id: orgId, full_name: "Test Customer" }).execute();
    await on.db.insertInto("customer_identifiers").values({ org_id: orgId, kind: "masstack_customer_id", value: masstackId, customer_id: customerId }).execute();
    const added = await on.addCatalogueCategories(orgId, [CUSTOMER_TYPE, CHURN_RISK]);
    if (added.outcome !== "done") throw new Error("catalogue not added");
    const [customerType, churnRisk] = added.created.map((c) => c.id) as [number, number];
    const set = await on.addCustomerCategory(orgId, masstackId, { categoryId: customerType, value: "influencer", description: "Bill discount", reason: "sponsored" }, ACTOR);
    expect(set).toEqual({ outcome: "done" });
    // Upper case, as a caller may send it: identifiers are stored lower case.
    return { orgId, masstackId: masstackId.toUpperCase(), customerType, churnRisk };
  }

  const current = async (org: Org, categoryId: number) => (await store.listCustomerCategories(org.orgId, org.masstackId, categoryId))?.[0];
  const history = async (org: Org) =>
    store.db
      .selectFrom("customer_category_history")
      .select(["org_id", "category_id", "operation", "value", "description", "reason", "actor"])
      .where("org_id", "=", org.orgId)
      .orderBy("seq")
      .execute();

  describe.skipIf(variant.skipReason !== undefined)("", () => {
    it("patches only the fields given and records the resulting state", async () => {
      const org = await newOrg();
      const before = (await current(org, org.customerType))!;
      expect(await store.patchCustomerCategory(org.orgId, org.masstackId, org.customerType, { reason: "renewed" }, ACTOR)).toEqual({ outcome: "done" });
      const afterReason = (await current(org, org.customerType))!;
      expect(afterReason).toMatchObject({ value: "influencer", description: "Bill discount", reason: "renewed", createdAt: before.createdAt });
      expect(afterReason.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());

      // null is in the catalogue's valid values: a value may be set to null.
      expect(await store.patchCustomerCategory(org.orgId, org.masstackId, org.customerType, { value: null, description: null }, "someone")).toEqual({ outcome: "done" });
      expect(await current(org, org.customerType)).toMatchObject({ value: null, description: null, reason: "renewed" });

      expect(await store.patchCustomerCategory(org.orgId, org.masstackId, org.customerType, {}, ACTOR)).toEqual({ outcome: "done" });
      expect(await current(org, org.customerType)).toMatchObject({ value: null, description: null, reason: "renewed" });

      const updates = (await history(org)).filter((h) => h.operation === "update");
      expect(updates).toEqual([
        { org_id: org.orgId, category_id: org.customerType, operation: "update", value: "influencer", description: "Bill discount", reason: "renewed", actor: ACTOR },
        { org_id: org.orgId, category_id: org.customerType, operation: "update", value: null, description: null, reason: "renewed", actor: "someone" },
        { org_id: org.orgId, category_id: org.customerType, operation: "update", value: null, description: null, reason: "renewed", actor: ACTOR },
      ]);
    });

    it("changes nothing and records nothing for a value not in the catalogue", async () => {
      const org = await newOrg();
      const before = await current(org, org.customerType);
      const entries = await history(org);
      expect(await store.patchCustomerCategory(org.orgId, org.masstackId, org.customerType, { value: "vip", reason: "would change" }, ACTOR)).toEqual({
        outcome: "invalid_value",
        validValues: ["influencer", "employee", "standard", null],
      });
      // churn_risk does not allow null.
      await store.addCustomerCategory(org.orgId, org.masstackId, { categoryId: org.churnRisk, value: "low", description: null, reason: null }, ACTOR);
      const churnBefore = await current(org, org.churnRisk);
      const churnEntries = await history(org);
      expect(await store.patchCustomerCategory(org.orgId, org.masstackId, org.churnRisk, { value: null }, ACTOR)).toEqual({ outcome: "invalid_value", validValues: ["low", "medium", "high"] });
      expect(await current(org, org.customerType)).toEqual(before);
      expect(await current(org, org.churnRisk)).toEqual(churnBefore);
      expect(churnEntries).toHaveLength(entries.length + 1);
      expect(await history(org)).toEqual(churnEntries);
    });

    it("answers customer_not_found before category_not_found before invalid_value, and writes nothing for them", async () => {
      const org = await newOrg();
      const entries = await history(org);
      const unknownCustomer = randomUUID();
      const patch = (masstackId: string, categoryId: number, value: string) => store.patchCustomerCategory(org.orgId, masstackId, categoryId, { value }, ACTOR);
      expect(await patch(unknownCustomer, org.customerType, "employee")).toEqual({ outcome: "customer_not_found" });
      expect(await patch(unknownCustomer, 1, "vip")).toEqual({ outcome: "customer_not_found" });
      // Another organisation's customer is unknown here.
      expect(await store.patchCustomerCategory("telco", org.masstackId, org.customerType, { value: "employee" }, ACTOR)).toEqual({ outcome: "customer_not_found" });
      // In the catalogue but not set on the customer, or not in the catalogue at all: the value is not looked at.
      expect(await patch(org.masstackId, org.churnRisk, "vip")).toEqual({ outcome: "category_not_found" });
      expect(await patch(org.masstackId, 1, "vip")).toEqual({ outcome: "category_not_found" });

      const add = (masstackId: string, categoryId: number, value: string | null) =>
        store.addCustomerCategory(org.orgId, masstackId, { categoryId, value, description: null, reason: null }, ACTOR);
      expect(await add(unknownCustomer, 1, "vip")).toEqual({ outcome: "customer_not_found" });
      expect(await add(org.masstackId, 1, "vip")).toEqual({ outcome: "category_not_found" });
      // Another organisation's category (the demo data's telco customer_type) is not in this catalogue.
      expect(await add(org.masstackId, 214748364, "employee")).toEqual({ outcome: "category_not_found" });
      expect(await add(org.masstackId, org.churnRisk, null)).toEqual({ outcome: "invalid_value", validValues: ["low", "medium", "high"] });
      // Already set: a valid value conflicts, an invalid one is invalid first.
      expect(await add(org.masstackId, org.customerType, "vip")).toEqual({ outcome: "invalid_value", validValues: ["influencer", "employee", "standard", null] });
      expect(await add(org.masstackId, org.customerType, "employee")).toEqual({ outcome: "conflict" });

      const remove = (masstackId: string, categoryId: number) => store.removeCustomerCategory(org.orgId, masstackId, categoryId, ACTOR);
      expect(await remove(unknownCustomer, org.customerType)).toEqual({ outcome: "customer_not_found" });
      expect(await remove(org.masstackId, org.churnRisk)).toEqual({ outcome: "category_not_found" });

      expect(await current(org, org.customerType)).toMatchObject({ value: "influencer", description: "Bill discount", reason: "sponsored" });
      expect(await current(org, org.churnRisk)).toBeUndefined();
      expect(await history(org)).toEqual(entries);
    });

    it("adds and removes with their history entries", async () => {
      const org = await newOrg();
      expect(await store.addCustomerCategory(org.orgId, org.masstackId, { categoryId: org.churnRisk, value: "high", description: "d", reason: "r" }, ACTOR)).toEqual({ outcome: "done" });
      expect(await current(org, org.churnRisk)).toMatchObject({ id: org.churnRisk, name: "churn_risk", value: "high", description: "d", reason: "r" });
      expect(await store.removeCustomerCategory(org.orgId, org.masstackId, org.customerType, "remover")).toEqual({ outcome: "done" });
      expect(await store.removeCustomerCategory(org.orgId, org.masstackId, org.customerType, "remover")).toEqual({ outcome: "category_not_found" });
      expect(await current(org, org.customerType)).toBeUndefined();
      expect(await history(org)).toEqual([
        { org_id: org.orgId, category_id: org.customerType, operation: "create", value: "influencer", description: "Bill discount", reason: "sponsored", actor: ACTOR },
        { org_id: org.orgId, category_id: org.churnRisk, operation: "create", value: "high", description: "d", reason: "r", actor: ACTOR },
        { org_id: org.orgId, category_id: org.customerType, operation: "delete", value: "influencer", description: "Bill discount", reason: "sponsored", actor: "remover" },
      ]);
      // Removed, it can be added again.
      expect(await store.addCustomerCategory(org.orgId, org.masstackId, { categoryId: org.customerType, value: null, description: null, reason: null }, ACTOR)).toEqual({ outcome: "done" });
      expect(await current(org, org.customerType)).toMatchObject({ value: null, description: null, reason: null });
    });

    it("records concurrent patches one after another, each entry the state that patch left", async () => {
      const org = await newOrg();
      // Each patch changes one field: every entry must be the previous one with that field changed.
      const patches = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? { reason: `r${i}` } : { value: ["employee", "standard", "influencer"][i % 3]! }));
      const results = await Promise.all(patches.map((patch, i) => store.patchCustomerCategory(org.orgId, org.masstackId, org.customerType, patch, `actor ${i}`)));
      expect(results.every((r) => r.outcome === "done")).toBe(true);
      const entries = await history(org);
      const updates = entries.filter((h) => h.operation === "update");
      expect(updates.map((u) => u.actor).sort()).toEqual(patches.map((_, i) => `actor ${i}`).sort());
      let previous = entries.find((h) => h.operation === "create")!;
      for (const entry of updates) {
        const patch = patches[Number(entry.actor.slice("actor ".length))]!;
        expect(entry).toEqual({ ...previous, ...patch, operation: "update", actor: entry.actor });
        previous = entry;
      }
      expect(await current(org, org.customerType)).toMatchObject({ value: previous.value, description: previous.description, reason: previous.reason });
    });

    it("adds catalogue categories all or none, ids in input order, naming the first conflicting name", async () => {
      const org = await newOrg();
      const catalogue = async () => (await store.listCatalogue(org.orgId)).map((c) => c.name);
      const before = await catalogue();

      const input = ["zeta", "alpha", "mid", "beta"].map((name, i) => ({ name, description: i % 2 ? null : `about ${name}`, validValues: i % 2 ? [null] : ["x", "y"] }));
      const added = await store.addCatalogueCategories(org.orgId, input);
      if (added.outcome !== "done") throw new Error(`not added: ${JSON.stringify(added)}`);
      expect(added.created.map(({ name, description, validValues }) => ({ name, description, validValues }))).toEqual(input);
      const ids = added.created.map((c) => c.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
      expect(added.created.every((c) => c.createdAt instanceof Date)).toBe(true);
      expect(await store.listCatalogue(org.orgId)).toEqual(expect.arrayContaining(added.created));
      const withAdded = [...before, "zeta", "alpha", "mid", "beta"];
      expect(await catalogue()).toEqual(withAdded);

      const entry = (name: string) => ({ name, description: null, validValues: ["a"] });
      // Repeated within the request: the second occurrence conflicts, and nothing is added.
      expect(await store.addCatalogueCategories(org.orgId, [entry("one"), entry("two"), entry("one")])).toEqual({ outcome: "conflict", name: "one" });
      // A name the organisation has, after a new one: nothing is added.
      expect(await store.addCatalogueCategories(org.orgId, [entry("three"), entry("mid"), entry("four")])).toEqual({ outcome: "conflict", name: "mid" });
      // The first offending name in input order, whichever kind.
      expect(await store.addCatalogueCategories(org.orgId, [entry("five"), entry("five"), entry("alpha")])).toEqual({ outcome: "conflict", name: "five" });
      expect(await store.addCatalogueCategories(org.orgId, [entry("six"), entry("beta"), entry("six")])).toEqual({ outcome: "conflict", name: "beta" });
      expect(await catalogue()).toEqual(withAdded);

      // The same names in another organisation do not conflict.
      const other = await newOrg();
      expect((await store.addCatalogueCategories(other.orgId, [entry("zeta"), entry("one")])).outcome).toBe("done");
      expect(await store.addCatalogueCategories(org.orgId, [])).toEqual({ outcome: "done", created: [] });
      // An organisation the store does not have, whatever the input (even a repeated name): nothing is added anywhere.
      expect(await store.addCatalogueCategories("no-such-org", [entry("omega")])).toEqual({ outcome: "organisation_not_found" });
      expect(await store.addCatalogueCategories("no-such-org", [entry("omega"), entry("omega")])).toEqual({ outcome: "organisation_not_found" });
      expect(await store.addCatalogueCategories("no-such-org", [])).toEqual({ outcome: "organisation_not_found" });
      expect(await store.listCatalogue("no-such-org")).toEqual([]);
    });
    it("adds a name once when requests race for it; the others conflict naming it and add nothing", async () => {
      const org = await newOrg();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.addCatalogueCategories(org.orgId, [{ name: `only ${i}`, description: null, validValues: [] }, { name: "raced", description: null, validValues: [] }]),
        ),
      );
      expect(results.filter((r) => r.outcome === "done")).toHaveLength(1);
      expect(results.filter((r) => r.outcome === "conflict")).toEqual(Array.from({ length: 9 }, () => ({ outcome: "conflict", name: "raced" })));
      const names = (await store.listCatalogue(org.orgId)).map((c) => c.name);
      expect(names.filter((n) => n === "raced" || n.startsWith("only "))).toHaveLength(2);
    });
  });

  if (variant.name === "postgres") describe.skipIf(variant.skipReason !== undefined)("a name added after the statement's snapshot", () => {
    it("is a conflict naming it, and nothing is added", async () => {
      const org = await newOrg();
      let adding: Promise<unknown> | undefined;
      await store.db.transaction().execute(async (tx) => {
        await tx.insertInto("categories").values({ org_id: org.orgId, name: "raced", valid_values: "[]" }).execute();
        // Blocks on the uncommitted "raced" until this transaction commits, then fails with a unique violation.
        adding = store.addCatalogueCategories(org.orgId, [{ name: "first", description: null, validValues: [] }, { name: "raced", description: null, validValues: [] }]);
        await new Promise((r) => setTimeout(r, 200));
      });
      expect(await adding).toEqual({ outcome: "conflict", name: "raced" });
      expect((await store.listCatalogue(org.orgId)).map((c) => c.name)).not.toContain("first");
    });
  });

  describe.skipIf(variant.skipReason !== undefined)("statements", () => {
    let counted: TestStore;
    const statements: string[] = [];
    const observeQuery: QueryObserver = (kind) => statements.push(kind);

    beforeAll(async () => {
      if (variant.name === "pglite") {
        counted = await openTestStoreOn({ kind: "pglite", loadDataDir: await store.dumpDataDir(), observeQuery });
      } else {
        const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db);
        counted = await openTestStoreOn({ kind: "postgres", connectionString: process.env.DATABASE_URL!, schema: rows[0]!.schema, observeQuery });
      }
    });
    afterAll(async () => {
      await counted?.close();
    });

    it("runs each write as one statement (no transaction block), whatever its outcome", async () => {
      const org = await newOrg(counted);
      const count = async (write: () => Promise<unknown>) => {
        statements.length = 0;
        await write();
        return [...statements];
      };
      const one = ["other"];
      const writes: [string, () => Promise<unknown>][] = [
        ["patch", () => counted.patchCustomerCategory(org.orgId, org.masstackId, org.customerType, { reason: "x" }, ACTOR)],
        ["invalid patch", () => counted.patchCustomerCategory(org.orgId, org.masstackId, org.customerType, { value: "vip" }, ACTOR)],
        ["add", () => counted.addCustomerCategory(org.orgId, org.masstackId, { categoryId: org.churnRisk, value: "low", description: null, reason: null }, ACTOR)],
        ["conflicting add", () => counted.addCustomerCategory(org.orgId, org.masstackId, { categoryId: org.churnRisk, value: "low", description: null, reason: null }, ACTOR)],
        ["remove", () => counted.removeCustomerCategory(org.orgId, org.masstackId, org.churnRisk, ACTOR)],
        ["catalogue", () => counted.addCatalogueCategories(org.orgId, [{ name: "a", description: null, validValues: [] }, { name: "b", description: null, validValues: [] }])],
        ["conflicting catalogue", () => counted.addCatalogueCategories(org.orgId, [{ name: "c", description: null, validValues: [] }, { name: "a", description: null, validValues: [] }])],
        ["catalogue of an unknown organisation", () => counted.addCatalogueCategories("no-such-org", [{ name: "d", description: null, validValues: [] }])],
      ];
      // Each is a `with …` statement, reported as "other" (no begin/commit around it).
      for (const [name, write] of writes) expect(await count(write), name).toEqual(one);
    });
  });

  if (variant.name === "postgres") describe.skipIf(variant.skipReason !== undefined)("notifications", () => {
    it("notifies the organisation's change once per write that changed something, never for one that did not", async () => {
      const org = await newOrg();
      const marker = await newOrg();
      const listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await listener.connect();
      const heard: string[] = [];
      listener.on("notification", (n) => {
        if (n.channel === CHANGES_CHANNEL && (n.payload === `org:${org.orgId}` || n.payload === `org:${marker.orgId}`)) heard.push(n.payload);
      });
      await listener.query(`listen ${CHANGES_CHANNEL}`);
      try {
        /** How many notifications for the organisation a write sent: those heard before a later write's to another organisation (delivered in commit order). */
        const heardAfter = async (write: () => Promise<unknown>) => {
          const start = heard.length;
          await write();
          await store.patchCustomerCategory(marker.orgId, marker.masstackId, marker.customerType, { reason: randomUUID() }, ACTOR);
          const deadline = Date.now() + 5_000;
          while (!heard.slice(start).includes(`org:${marker.orgId}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
          expect(heard.slice(start)).toContain(`org:${marker.orgId}`);
          return heard.slice(start).filter((p) => p === `org:${org.orgId}`).length;
        };
        expect(await heardAfter(async () => undefined)).toBe(0);
        expect(await heardAfter(() => store.patchCustomerCategory(org.orgId, org.masstackId, org.customerType, { reason: "changed" }, ACTOR))).toBe(1);
        expect(await heardAfter(() => store.patchCustomerCategory(org.orgId, org.masstackId, org.customerType, { value: "vip" }, ACTOR))).toBe(0);
        expect(await heardAfter(() => store.addCustomerCategory(org.orgId, org.masstackId, { categoryId: org.churnRisk, value: "low", description: null, reason: null }, ACTOR))).toBe(1);
        expect(await heardAfter(() => store.addCustomerCategory(org.orgId, org.masstackId, { categoryId: org.churnRisk, value: "low", description: null, reason: null }, ACTOR))).toBe(0);
        expect(await heardAfter(() => store.removeCustomerCategory(org.orgId, org.masstackId, org.churnRisk, ACTOR))).toBe(1);
        expect(await heardAfter(() => store.removeCustomerCategory(org.orgId, org.masstackId, org.churnRisk, ACTOR))).toBe(0);
        expect(await heardAfter(() => store.addCatalogueCategories(org.orgId, [{ name: "n1", description: null, validValues: [] }]))).toBe(1);
        expect(await heardAfter(() => store.addCatalogueCategories(org.orgId, [{ name: "n2", description: null, validValues: [] }, { name: "n1", description: null, validValues: [] }]))).toBe(0);
      } finally {
        await listener.end();
      }
    });
  });
});
