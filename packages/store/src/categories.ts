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

/** The customer the MasStack UUID names in the organisation: a query of its own, or a CTE of the writes below. */
const customerQuery = (orgId: string, masstackId: string) =>
  sql<{ customer_id: string }>`select customer_id from customer_identifiers where org_id = ${orgId} and kind = 'masstack_customer_id' and value = ${masstackId.toLowerCase()}::text`;

/** The internal id of an organisation's customer by its MasStack UUID. */
async function customerOf(db: Db, orgId: string, masstackId: string): Promise<string | undefined> {
  const { rows } = await customerQuery(orgId, masstackId).execute(db);
  return rows[0]?.customer_id;
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

export type NewCustomerCategory = { categoryId: number; value: string | null; description: string | null; reason: string | null };

/*
 * Each write below is one statement: data-modifying CTEs that resolve the customer and the
 * catalogue entry, change the row and append its history entry, which PostgreSQL runs as one
 * implicit transaction. Each keeps one SQL text whatever its input, so it is prepared once per
 * session. (docs/performance.md#category-writes-in-one-statement-2026-12-02)
 */

/** The history entry of a write, from the rows its CTE `source` returned (customer_id, category_id, value, description, reason). */
const historyOf = (source: "ins" | "upd" | "del", operation: CategoryOperation, orgId: string, actor: string) => sql`
  insert into customer_category_history (org_id, customer_id, category_id, operation, value, description, reason, actor)
  select ${orgId}::text, customer_id, category_id, ${sql.lit(operation)}, value, description, reason, ${actor}::text from ${sql.table(source)}`;

type WriteRow = { customer_found: boolean; row_found: boolean; valid: boolean | null; valid_values: (string | null)[] | null; written: boolean };

/** Adds a category to a customer and its history entry, in one statement. A second add of the same category is a conflict. */
export async function addCustomerCategory(db: Kysely<Database>, orgId: string, masstackId: string, input: NewCustomerCategory, actor: string): Promise<CategoryWriteResult> {
  // Concurrent adds: PostgreSQL makes the later insert wait for the earlier one and then do nothing.
  const { rows } = await sql<WriteRow>`
    with c as (${customerQuery(orgId, masstackId)}),
    k as (select valid_values, valid_values @> jsonb_build_array(${input.value}::text) as valid from categories where org_id = ${orgId} and id = ${input.categoryId}::int),
    ins as (
      insert into customer_categories (org_id, customer_id, category_id, value, description, reason)
      select ${orgId}::text, c.customer_id, ${input.categoryId}::int, ${input.value}::text, ${input.description}::text, ${input.reason}::text
      from c, k where k.valid
      on conflict (customer_id, category_id) do nothing
      returning customer_id, category_id, value, description, reason
    ),
    h as (${historyOf("ins", "create", orgId, actor)})
    select exists (select from c) as customer_found, true as row_found, (select valid from k) as valid, (select valid_values from k) as valid_values,
      exists (select from ins) as written
  `.execute(db);
  const row = rows[0]!;
  if (!row.customer_found) return { outcome: "customer_not_found" };
  if (row.valid_values === null) return { outcome: "category_not_found" };
  if (!row.valid) return { outcome: "invalid_value", validValues: row.valid_values };
  return row.written ? { outcome: "done" } : { outcome: "conflict" };
}

export type CustomerCategoryPatch = { value?: string | null; description?: string | null; reason?: string | null };

/**
 * Changes a customer's category (only the fields given) and records the resulting state, in one
 * statement. Concurrent patches of one row apply and are recorded one after another: the UPDATE
 * waits for the other writer's row lock, then re-reads the row, and the history entry takes what
 * it returned.
 */
export async function patchCustomerCategory(
  db: Kysely<Database>,
  orgId: string,
  masstackId: string,
  categoryId: number,
  patch: CustomerCategoryPatch,
  actor: string,
): Promise<CategoryWriteResult> {
  const hasValue = patch.value !== undefined;
  const value = patch.value ?? null;
  const field = (column: keyof CustomerCategoryPatch) => {
    const given = patch[column] !== undefined;
    return sql`case when ${given}::boolean then ${patch[column] ?? null}::text else cc.${sql.ref(column)} end`;
  };
  const { rows } = await sql<WriteRow>`
    with c as (${customerQuery(orgId, masstackId)}),
    cur as (select from customer_categories cc join c on cc.customer_id = c.customer_id where cc.category_id = ${categoryId}::int),
    k as (select valid_values from categories where org_id = ${orgId} and id = ${categoryId}::int),
    v as (select not ${hasValue}::boolean or coalesce((select valid_values @> jsonb_build_array(${value}::text) from k), false) as valid),
    upd as (
      update customer_categories cc
      set value = ${field("value")},
        description = ${field("description")},
        reason = ${field("reason")},
        updated_at = clock_timestamp()
      from c
      where cc.customer_id = c.customer_id and cc.category_id = ${categoryId}::int and (select valid from v)
      returning cc.customer_id, cc.category_id, cc.value, cc.description, cc.reason
    ),
    h as (${historyOf("upd", "update", orgId, actor)})
    select exists (select from c) as customer_found, exists (select from cur) as row_found, (select valid from v) as valid,
      (select valid_values from k) as valid_values, exists (select from upd) as written
  `.execute(db);
  const row = rows[0]!;
  if (!row.customer_found) return { outcome: "customer_not_found" };
  if (!row.row_found) return { outcome: "category_not_found" };
  // The row is judged in the statement's snapshot: one removed while an invalid value is checked
  // answers invalid_value (the patch was wrong either way), where a valid one finds it gone below.
  if (!row.valid) return { outcome: "invalid_value", validValues: row.valid_values ?? [] };
  // Not written though it was there: removed meanwhile.
  return row.written ? { outcome: "done" } : { outcome: "category_not_found" };
}

/** Removes a customer's category and records what it was, in one statement. */
export async function removeCustomerCategory(db: Kysely<Database>, orgId: string, masstackId: string, categoryId: number, actor: string): Promise<CategoryWriteResult> {
  const { rows } = await sql<Pick<WriteRow, "customer_found" | "written">>`
    with c as (${customerQuery(orgId, masstackId)}),
    del as (
      delete from customer_categories cc using c
      where cc.customer_id = c.customer_id and cc.category_id = ${categoryId}::int
      returning cc.customer_id, cc.category_id, cc.value, cc.description, cc.reason
    ),
    h as (${historyOf("del", "delete", orgId, actor)})
    select exists (select from c) as customer_found, exists (select from del) as written
  `.execute(db);
  const row = rows[0]!;
  if (!row.customer_found) return { outcome: "customer_not_found" };
  return row.written ? { outcome: "done" } : { outcome: "category_not_found" };
}

export async function listCatalogue(db: Db, orgId: string): Promise<CatalogueCategory[]> {
  const rows = await db.selectFrom("categories").selectAll().where("org_id", "=", orgId).orderBy("id").execute();
  return rows.map((r) => ({ id: r.id, name: r.name, description: r.description, validValues: r.valid_values, createdAt: r.created_at }));
}

export type NewCatalogueCategory = { name: string; description: string | null; validValues: (string | null)[] };

type CatalogueInsertRow = {
  /** The store has no such organisation; then nothing was added. */
  unknown_organisation: boolean;
  /** The first name (in input order) the organisation has already, or that the input repeats; then nothing was added. */
  conflict: string | null;
  id: number;
  name: string;
  description: string | null;
  valid_values: (string | null)[];
  created_at: Date;
};

/**
 * Adds categories to the catalogue, all or none, in one statement: of an organisation the store
 * has (else `organisation_not_found`, whatever the input); a name the organisation already has
 * (or that the request repeats) is a conflict, named by the first such in input order. Created
 * ids follow the input order.
 */
export async function addCatalogueCategories(
  db: Kysely<Database>,
  orgId: string,
  categories: NewCatalogueCategory[],
): Promise<{ outcome: "done"; created: CatalogueCategory[] } | { outcome: "conflict"; name: string } | { outcome: "organisation_not_found" }> {
  const input = JSON.stringify(categories.map((c) => ({ name: c.name, description: c.description, valid_values: c.validValues })));
  for (let attempt = 1; ; attempt++) {
    let rows: CatalogueInsertRow[];
    try {
      ({ rows } = await sql<CatalogueInsertRow>`
        with organisation as (select from organisations where id = ${orgId}::text),
        input as (
          select e.n, e.item ->> 'name' as name, e.item ->> 'description' as description, e.item -> 'valid_values' as valid_values,
            row_number() over (partition by e.item ->> 'name' order by e.n) > 1 as repeated
          from jsonb_array_elements(${input}::jsonb) with ordinality as e (item, n)
        ),
        -- A scalar subquery per name: an EXISTS here may be planned as a scan of the whole catalogue.
        clash as (
          select i.name from input i
          where i.repeated or coalesce((select true from categories k where k.org_id = ${orgId}::text and k.name = i.name), false)
          order by i.n limit 1
        ),
        ins as (
          insert into categories (org_id, name, description, valid_values)
          select ${orgId}::text, name, description, valid_values from input
          where exists (select from organisation) and not exists (select from clash)
          order by n
          returning id, name, description, valid_values, created_at
        )
        select false as unknown_organisation, null::text as conflict, id, name, description, valid_values, created_at from ins
        union all
        select false, name, null, null, null, null, null from clash
        union all
        select true, null, null, null, null, null, null where not exists (select from organisation)
      `.execute(db));
    } catch (error) {
      // A concurrent request added one of the names after this statement's snapshot: the whole
      // statement was rolled back; run it again to name the conflict. Three such races lost in a
      // row (each retry sees every name committed before it began) end in the error itself.
      if (isUniqueViolation(error) && attempt < 3) continue;
      throw error;
    }
    if (rows.some((r) => r.unknown_organisation)) return { outcome: "organisation_not_found" };
    const conflict = rows.find((r) => r.conflict !== null)?.conflict;
    if (conflict != null) return { outcome: "conflict", name: conflict };
    // Names are unique here: the input's order by name.
    const byName = new Map(rows.map((r) => [r.name, r]));
    const created = categories.map(({ name }) => {
      const r = byName.get(name)!;
      return { id: r.id, name: r.name, description: r.description, validValues: r.valid_values, createdAt: r.created_at };
    });
    return { outcome: "done", created };
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "23505";
}
