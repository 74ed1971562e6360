import { sql, type Kysely, type Transaction } from "kysely";
import type { CategoryOperation, Database } from "./schema.js";

/** MasStack customer categories: the organisation's catalogue, each customer's values, and their history. */

export type CatalogueCategory = { id: number; name: string; description: string | null; validValues: (string | null)[]; createdAt: Date };

export type CustomerCategory = {
  id: number;
  name: string;
  value: string | null;
  description: string | null;
  reason: string | null;
  createdAt: Date;
  updatedAt: Date;
};

export type CategoryHistoryEntry = {
  categoryId: number;
  operation: CategoryOperation;
  value: string | null;
  description: string | null;
  reason: string | null;
  actor: string;
  occurredAt: Date;
};

type Db = Kysely<Database> | Transaction<Database>;

/** The internal id of an organisation's customer by its MasStack UUID. */
async function customerOf(db: Db, orgId: string, masstackId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("customer_identifiers")
    .select("customer_id")
    .where("org_id", "=", orgId)
    .where("kind", "=", "masstack_customer_id")
    .where("value", "=", masstackId.toLowerCase())
    .executeTakeFirst();
  return row?.customer_id;
}

type CustomerCategoryRow = {
  customer_id: string;
  id: number | null;
  name: string | null;
  value: string | null;
  description: string | null;
  reason: string | null;
  created_at: Date | null;
  updated_at: Date | null;
};

function toCustomerCategory(row: CustomerCategoryRow): CustomerCategory | undefined {
  if (row.id === null || row.name === null || row.created_at === null || row.updated_at === null) return undefined;
  return { id: row.id, name: row.name, value: row.value, description: row.description, reason: row.reason, createdAt: row.created_at, updatedAt: row.updated_at };
}

/**
 * A customer's categories (all, or the one given), in one query. `undefined` when the
 * organisation has no such customer.
 */
export async function listCustomerCategories(db: Db, orgId: string, masstackId: string, categoryId?: number): Promise<CustomerCategory[] | undefined> {
  const { rows } = await sql<CustomerCategoryRow>`
    select i.customer_id, k.id, k.name, cc.value, cc.description, cc.reason, cc.created_at, cc.updated_at
    from customer_identifiers i
    left join customer_categories cc
      on cc.customer_id = i.customer_id ${categoryId === undefined ? sql`` : sql`and cc.category_id = ${categoryId}`}
    left join categories k on k.org_id = cc.org_id and k.id = cc.category_id
    where i.org_id = ${orgId} and i.kind = 'masstack_customer_id' and i.value = ${masstackId.toLowerCase()}
    order by k.id
  `.execute(db);
  if (rows.length === 0) return undefined;
  return rows.map(toCustomerCategory).filter((c): c is CustomerCategory => c !== undefined);
}

export type CategoryHistoryPage = {
  entries: CategoryHistoryEntry[];
  /** Where the next page starts (pass it as `after`), when there is more. */
  next: string | undefined;
};

/**
 * A customer's category changes in the order committed, at most `limit` of them after the
 * position `after` (a previous page's `next`); `undefined` for an unknown customer.
 */
export async function customerCategoryHistory(
  db: Db,
  orgId: string,
  masstackId: string,
  page: { limit: number; after?: string | undefined },
): Promise<CategoryHistoryPage | undefined> {
  const customerId = await customerOf(db, orgId, masstackId);
  if (customerId === undefined) return undefined;
  let query = db
    .selectFrom("customer_category_history")
    .select(["seq", "category_id", "operation", "value", "description", "reason", "actor", "occurred_at"])
    .where("customer_id", "=", customerId)
    .orderBy("seq")
    .limit(page.limit + 1);
  if (page.after !== undefined) query = query.where("seq", ">", page.after);
  const rows = await query.execute();
  const entries = rows.slice(0, page.limit);
  return {
    entries: entries.map((r) => ({
      categoryId: r.category_id,
      operation: r.operation,
      value: r.value,
      description: r.description,
      reason: r.reason,
      actor: r.actor,
      occurredAt: r.occurred_at,
    })),
    next: rows.length > page.limit ? String(entries[entries.length - 1]!.seq) : undefined,
  };
}

export type CategoryWriteResult =
  | { outcome: "done" }
  | { outcome: "customer_not_found" }
  | { outcome: "category_not_found" }
  | { outcome: "invalid_value"; validValues: (string | null)[] }
  | { outcome: "conflict" };

async function catalogueEntry(tx: Db, orgId: string, categoryId: number) {
  return tx.selectFrom("categories").select(["id", "valid_values"]).where("org_id", "=", orgId).where("id", "=", categoryId).executeTakeFirst();
}

async function recordHistory(
  tx: Transaction<Database>,
  entry: { orgId: string; customerId: string; categoryId: number; operation: CategoryOperation; value: string | null; description: string | null; reason: string | null; actor: string },
) {
  await tx
    .insertInto("customer_category_history")
    .values({
      org_id: entry.orgId,
      customer_id: entry.customerId,
      category_id: entry.categoryId,
      operation: entry.operation,
      value: entry.value,
      description: entry.description,
      reason: entry.reason,
      actor: entry.actor,
    })
    .execute();
}

export type NewCustomerCategory = { categoryId: number; value: string | null; description: string | null; reason: string | null };

/** Adds a category to a customer and its history entry, in one transaction. A second add of the same category is a conflict. */
export async function addCustomerCategory(db: Kysely<Database>, orgId: string, masstackId: string, input: NewCustomerCategory, actor: string): Promise<CategoryWriteResult> {
  return db.transaction().execute(async (tx) => {
    const customerId = await customerOf(tx, orgId, masstackId);
    if (customerId === undefined) return { outcome: "customer_not_found" };
    const category = await catalogueEntry(tx, orgId, input.categoryId);
    if (!category) return { outcome: "category_not_found" };
    if (!category.valid_values.includes(input.value)) return { outcome: "invalid_value", validValues: category.valid_values };
    // Concurrent adds: PostgreSQL makes the later insert wait for the earlier one and then do nothing.
    const inserted = await tx
      .insertInto("customer_categories")
      .values({ org_id: orgId, customer_id: customerId, category_id: input.categoryId, value: input.value, description: input.description, reason: input.reason })
      .onConflict((oc) => oc.columns(["customer_id", "category_id"]).doNothing())
      .returning("category_id")
      .executeTakeFirst();
    if (!inserted) return { outcome: "conflict" };
    await recordHistory(tx, { orgId, customerId, ...input, operation: "create", actor });
    return { outcome: "done" };
  });
}

export type CustomerCategoryPatch = { value?: string | null; description?: string | null; reason?: string | null };

/** Changes a customer's category (only the fields given) and records the resulting state, in one transaction. */
export async function patchCustomerCategory(
  db: Kysely<Database>,
  orgId: string,
  masstackId: string,
  categoryId: number,
  patch: CustomerCategoryPatch,
  actor: string,
): Promise<CategoryWriteResult> {
  return db.transaction().execute(async (tx) => {
    const customerId = await customerOf(tx, orgId, masstackId);
    if (customerId === undefined) return { outcome: "customer_not_found" };
    // Lock the row first: concurrent patches apply (and are recorded) one after another.
    const current = await tx
      .selectFrom("customer_categories")
      .select("category_id")
      .where("customer_id", "=", customerId)
      .where("category_id", "=", categoryId)
      .forUpdate()
      .executeTakeFirst();
    if (!current) return { outcome: "category_not_found" };
    if (patch.value !== undefined) {
      const category = await catalogueEntry(tx, orgId, categoryId);
      if (!category || !category.valid_values.includes(patch.value)) return { outcome: "invalid_value", validValues: category?.valid_values ?? [] };
    }
    const updated = await tx
      .updateTable("customer_categories")
      .set({ ...patch, updated_at: sql<Date>`clock_timestamp()` })
      .where("customer_id", "=", customerId)
      .where("category_id", "=", categoryId)
      .returning(["value", "description", "reason"])
      .executeTakeFirstOrThrow();
    await recordHistory(tx, { orgId, customerId, categoryId, operation: "update", actor, ...updated });
    return { outcome: "done" };
  });
}

/** Removes a customer's category and records what it was, in one transaction. */
export async function removeCustomerCategory(db: Kysely<Database>, orgId: string, masstackId: string, categoryId: number, actor: string): Promise<CategoryWriteResult> {
  return db.transaction().execute(async (tx) => {
    const customerId = await customerOf(tx, orgId, masstackId);
    if (customerId === undefined) return { outcome: "customer_not_found" };
    const removed = await tx
      .deleteFrom("customer_categories")
      .where("customer_id", "=", customerId)
      .where("category_id", "=", categoryId)
      .returning(["value", "description", "reason"])
      .executeTakeFirst();
    if (!removed) return { outcome: "category_not_found" };
    await recordHistory(tx, { orgId, customerId, categoryId, operation: "delete", actor, ...removed });
    return { outcome: "done" };
  });
}

export async function listCatalogue(db: Db, orgId: string): Promise<CatalogueCategory[]> {
  const rows = await db.selectFrom("categories").selectAll().where("org_id", "=", orgId).orderBy("id").execute();
  return rows.map((r) => ({ id: r.id, name: r.name, description: r.description, validValues: r.valid_values, createdAt: r.created_at }));
}

export type NewCatalogueCategory = { name: string; description: string | null; validValues: (string | null)[] };

/** Adds categories to the catalogue, all or none; a name the organisation already has is a conflict. */
export async function addCatalogueCategories(
  db: Kysely<Database>,
  orgId: string,
  categories: NewCatalogueCategory[],
): Promise<{ outcome: "done"; created: CatalogueCategory[] } | { outcome: "conflict"; name: string }> {
  return db.transaction().execute(async (tx) => {
    const created: CatalogueCategory[] = [];
    for (const category of categories) {
      const row = await tx
        .insertInto("categories")
        .values({ org_id: orgId, name: category.name, description: category.description, valid_values: JSON.stringify(category.validValues) })
        .onConflict((oc) => oc.columns(["org_id", "name"]).doNothing())
        .returningAll()
        .executeTakeFirst();
      // Throwing rolls back the categories added before this one.
      if (!row) throw new CatalogueConflict(category.name);
      created.push({ id: row.id, name: row.name, description: row.description, validValues: row.valid_values, createdAt: row.created_at });
    }
    return { outcome: "done" as const, created };
  }).catch((error: unknown) => {
    if (error instanceof CatalogueConflict) return { outcome: "conflict" as const, name: error.categoryName };
    throw error;
  });
}

class CatalogueConflict extends Error {
  constructor(readonly categoryName: string) {
    super(`category ${categoryName} exists`);
  }
}
