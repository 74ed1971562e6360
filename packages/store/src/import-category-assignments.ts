import { sql, type Transaction } from "kysely";
import type { BatchOutcome, ImportContext, ImportRow } from "./import-context.js";
import { customerIdsByExternalId, UNKNOWN_CUSTOMER } from "./import-customer-keys.js";
import type { ImportReject } from "./import-jobs.js";
import type { Database } from "./schema.js";

export type CategoryAssignmentImportRow = ImportRow<"category-assignments">;

type Assignment = { value: string | null; description: string | null };

/**
 * Sets customers' categories as the MasStack API would: the value must be one of the category's
 * valid values, and every change writes a history entry with the import's id as reason and
 * `import:<id>` as actor. A row equal to the stored assignment writes nothing.
 */
export async function applyCategoryAssignmentRows(tx: Transaction<Database>, ctx: ImportContext, rows: CategoryAssignmentImportRow[]): Promise<BatchOutcome> {
  const rejects: ImportReject[] = [];
  let imported = 0;
  let unchanged = 0;
  const customers = await customerIdsByExternalId(tx, ctx.orgId, rows.map((r) => r.externalId));
  const catalogue = new Map(
    (await tx.selectFrom("categories").select(["id", "valid_values"]).where("org_id", "=", ctx.orgId).execute()).map((c) => [c.id, c.valid_values]),
  );
  const ids = [...customers.values()];
  const stored = ids.length === 0 ? [] : await tx.selectFrom("customer_categories").select(["customer_id", "category_id", "value", "description"]).where("customer_id", "in", ids).execute();
  const current = new Map<string, Assignment>(stored.map((s) => [`${s.customer_id}\u0000${s.category_id}`, { value: s.value, description: s.description }]));
  const changed = new Map<string, { customerId: string; categoryId: number } & Assignment>();
  const history: { org_id: string; customer_id: string; category_id: number; operation: "create" | "update"; value: string | null; description: string | null; reason: string; actor: string }[] = [];
  const actor = `import:${ctx.jobId}`;
  for (const row of rows) {
    const customerId = customers.get(row.externalId);
    if (!customerId) {
      rejects.push({ line: row.line, field: "externalId", message: UNKNOWN_CUSTOMER });
      continue;
    }
    const validValues = catalogue.get(row.categoryId);
    if (!validValues) {
      rejects.push({ line: row.line, field: "categoryId", message: `the organisation has no category ${row.categoryId}` });
      continue;
    }
    if (!validValues.includes(row.value)) {
      rejects.push({ line: row.line, field: "value", message: `must be one of ${validValues.map((v) => JSON.stringify(v)).join(", ")}` });
      continue;
    }
    const key = `${customerId}\u0000${row.categoryId}`;
    const before = current.get(key);
    const next: Assignment = { value: row.value, description: row.description ?? before?.description ?? null };
    if (before && before.value === next.value && before.description === next.description) {
      unchanged++;
      continue;
    }
    current.set(key, next);
    changed.set(key, { customerId, categoryId: row.categoryId, ...next });
    history.push({ org_id: ctx.orgId, customer_id: customerId, category_id: row.categoryId, operation: before ? "update" : "create", ...next, reason: ctx.jobId, actor });
    imported++;
  }
  if (changed.size > 0) {
    await tx
      .insertInto("customer_categories")
      .values([...changed.values()].map((c) => ({ org_id: ctx.orgId, customer_id: c.customerId, category_id: c.categoryId, value: c.value, description: c.description, reason: ctx.jobId })))
      .onConflict((oc) =>
        oc.columns(["customer_id", "category_id"]).doUpdateSet({
          value: (eb) => eb.ref("excluded.value"),
          description: (eb) => eb.ref("excluded.description"),
          reason: (eb) => eb.ref("excluded.reason"),
          updated_at: sql<Date>`clock_timestamp()`,
        }),
      )
      .execute();
    await tx.insertInto("customer_category_history").values(history).execute();
  }
  return { imported, unchanged, rejects };
}
