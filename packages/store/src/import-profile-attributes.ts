import type { Transaction } from "kysely";
import type { BatchOutcome, ImportContext, ImportRow } from "./import-context.js";
import { customerIdsByExternalId, UNKNOWN_CUSTOMER } from "./import-customer-keys.js";
import type { ImportReject } from "./import-jobs.js";
import type { Database } from "./schema.js";

export type ProfileAttributeImportRow = ImportRow<"profile-attributes">;

/**
 * Sets IMIconnect attribute values. The organisation's column catalogue grows with new column
 * IDs; a known ID arriving under another name is refused (the ID identifies the column).
 */
export async function applyProfileAttributeRows(tx: Transaction<Database>, ctx: ImportContext, rows: ProfileAttributeImportRow[]): Promise<BatchOutcome> {
  const rejects: ImportReject[] = [];
  let imported = 0;
  let unchanged = 0;
  const customers = await customerIdsByExternalId(tx, ctx.orgId, rows.map((r) => r.externalId));
  const columnIds = [...new Set(rows.map((r) => r.columnId))];
  const storedColumns = columnIds.length === 0 ? [] : await tx.selectFrom("profile_attribute_columns").select(["id", "name"]).where("org_id", "=", ctx.orgId).where("id", "in", columnIds).execute();
  const columns = new Map(storedColumns.map((c) => [c.id, c.name]));
  const ids = [...customers.values()];
  const storedValues =
    ids.length === 0 ? [] : await tx.selectFrom("customer_profile_attributes").select(["customer_id", "column_id", "value"]).where("customer_id", "in", ids).where("column_id", "in", columnIds).execute();
  const values = new Map(storedValues.map((v) => [`${v.customer_id}\u0000${v.column_id}`, v.value]));
  const newColumns = new Map<number, string>();
  const changed = new Map<string, { org_id: string; customer_id: string; column_id: number; value: string | null }>();
  for (const row of rows) {
    const customerId = customers.get(row.externalId);
    if (!customerId) {
      rejects.push({ line: row.line, field: "externalId", message: UNKNOWN_CUSTOMER });
      continue;
    }
    const name = columns.get(row.columnId);
    if (name !== undefined && name !== row.name) {
      rejects.push({ line: row.line, field: "name", message: `column ${row.columnId} is named ${JSON.stringify(name)}` });
      continue;
    }
    if (name === undefined) {
      columns.set(row.columnId, row.name);
      newColumns.set(row.columnId, row.name);
    }
    const key = `${customerId}\u0000${row.columnId}`;
    if (values.has(key) && values.get(key) === row.value) {
      unchanged++;
      continue;
    }
    values.set(key, row.value);
    changed.set(key, { org_id: ctx.orgId, customer_id: customerId, column_id: row.columnId, value: row.value });
    imported++;
  }
  if (newColumns.size > 0) {
    await tx
      .insertInto("profile_attribute_columns")
      .values([...newColumns].map(([id, name]) => ({ org_id: ctx.orgId, id, name })))
      .execute();
  }
  if (changed.size > 0) {
    await tx
      .insertInto("customer_profile_attributes")
      .values([...changed.values()])
      .onConflict((oc) => oc.columns(["customer_id", "column_id"]).doUpdateSet({ value: (eb) => eb.ref("excluded.value") }))
      .execute();
  }
  return { imported, unchanged, rejects };
}
