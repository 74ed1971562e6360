import type { Transaction } from "kysely";
import type { Database } from "./schema.js";

/** The internal ids of an organisation's customers by their external ids (unknown ones are absent). */
export async function customerIdsByExternalId(tx: Transaction<Database>, orgId: string, externalIds: string[]): Promise<Map<string, string>> {
  if (externalIds.length === 0) return new Map();
  const rows = await tx
    .selectFrom("customers")
    .select(["id", "external_id"])
    .where("org_id", "=", orgId)
    .where("external_id", "in", [...new Set(externalIds)])
    .execute();
  return new Map(rows.map((r) => [r.external_id ?? "", r.id]));
}

export const UNKNOWN_CUSTOMER = "no customer of the organisation has this externalId (import it with the customers dataset first)";
