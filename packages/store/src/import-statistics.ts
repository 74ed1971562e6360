import { sql, type Kysely } from "kysely";
import type { Database } from "./schema.js";

/** The tables an import grows. */
const IMPORTED_TABLES = ["customers", "customer_identifiers", "customer_scores", "customer_profile_attributes", "customer_categories", "customer_category_history"] as const;

/** The sample an import's ANALYZE takes: 300 × this many rows per table. */
const STATISTICS_TARGET = 10;

/** Rows this process writes before its first ANALYZE of them. */
const FIRST_ANALYZE_AT = 10_000;

/**
 * Keeps the planner's statistics of the tables an import grows in step with them. A bulk import
 * can grow a table many times over before autovacuum analyses it (where it runs at all: PGlite,
 * single-user, has none, and some servers turn it off). With statistics that still describe an
 * empty table, a batch's look-up — `org_id = $1 and external_id in (…1,000 keys…)` — is planned
 * as a walk of the organisation's whole `org_id` index range, filtered: the import slows in
 * proportion to the table (measured: 580 rows/s at 400,000 rows, and falling).
 *
 * So this process analyses those tables whenever the rows it has imported since its last ANALYZE
 * reach the rows it had imported before: at 10,000, 20,000, 40,000… — about log2(N / 10,000)
 * analyses for N rows, each a sample of ≤ 3,000 rows per table (statistics target 10): the
 * row counts and the look-ups' selectivity are all the plans need, and on the embedded store an
 * ANALYZE holds the one connection the BFF's requests share (measured on PGlite with 40,000
 * customers: 230–250 ms at the default target of 100, 33–39 ms at 10). One table per call, the
 * next with the next batch, so that requests can go between them: the longest hold is one
 * table's, not all six's.
 */
export function importStatistics(db: Kysely<Database>): (importedRows: number) => Promise<void> {
  let imported = 0;
  let nextAnalyzeAt = FIRST_ANALYZE_AT;
  let due: string[] = [];
  return async (importedRows) => {
    imported += importedRows;
    if (due.length === 0 && imported >= nextAnalyzeAt) {
      nextAnalyzeAt = imported * 2;
      due = [...IMPORTED_TABLES];
    }
    const table = due.shift();
    if (!table) return;
    await db.transaction().execute(async (tx) => {
      await sql`set local default_statistics_target = ${sql.raw(String(STATISTICS_TARGET))}`.execute(tx);
      await sql`analyze ${sql.raw(table)}`.execute(tx);
    });
  };
}
