import { sql, type Transaction } from "kysely";
import type { BatchOutcome, ImportContext, ImportRow } from "./import-context.js";
import { customerIdsByExternalId, UNKNOWN_CUSTOMER } from "./import-customer-keys.js";
import type { ImportReject } from "./import-jobs.js";
import type { Database, ScoringScale } from "./schema.js";

export type ScoreImportRow = ImportRow<"scores">;

/** Sets each customer's score on a scale; a row equal to the stored score is unchanged. */
export async function applyScoreRows(tx: Transaction<Database>, ctx: ImportContext, rows: ScoreImportRow[]): Promise<BatchOutcome> {
  const rejects: ImportReject[] = [];
  let imported = 0;
  let unchanged = 0;
  const customers = await customerIdsByExternalId(tx, ctx.orgId, rows.map((r) => r.externalId));
  const ids = [...customers.values()];
  const stored = ids.length === 0 ? [] : await tx.selectFrom("customer_scores").select(["customer_id", "scale", "value"]).where("customer_id", "in", ids).execute();
  const scores = new Map(stored.map((s) => [`${s.customer_id}\u0000${s.scale}`, s.value]));
  const changed = new Map<string, { customer_id: string; scale: ScoringScale; value: number }>();
  for (const row of rows) {
    const customerId = customers.get(row.externalId);
    if (!customerId) {
      rejects.push({ line: row.line, field: "externalId", message: UNKNOWN_CUSTOMER });
      continue;
    }
    const key = `${customerId}\u0000${row.scoringType}`;
    if (scores.get(key) === row.scoringValue) {
      unchanged++;
      continue;
    }
    scores.set(key, row.scoringValue);
    changed.set(key, { customer_id: customerId, scale: row.scoringType, value: row.scoringValue });
    imported++;
  }
  if (changed.size > 0) {
    await tx
      .insertInto("customer_scores")
      .values([...changed.values()])
      .onConflict((oc) => oc.columns(["customer_id", "scale"]).doUpdateSet({ value: (eb) => eb.ref("excluded.value"), updated_at: sql<Date>`now()` }))
      .execute();
  }
  return { imported, unchanged, rejects };
}
