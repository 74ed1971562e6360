import { sql, type Transaction } from "kysely";
import type { Database } from "./schema.js";

/** The internal ids of an organisation's customers by their external ids (unknown ones are absent). */
export async function customerIdsByExternalId(tx: Transaction<Database>, orgId: string, externalIds: string[]): Promise<Map<string, string>> {
  if (externalIds.length === 0) return new Map();
  // One text whatever the batch's size (prepared once per session), the keys as one array.
  const { rows } = await sql<{ id: string; external_id: string }>`
    select id, external_id from customers where org_id = ${orgId} and external_id = any (${[...new Set(externalIds)]}::text[])
  `.execute(tx);
  return new Map(rows.map((r) => [r.external_id, r.id]));
}

export const UNKNOWN_CUSTOMER = "no customer of the organisation has this externalId (import it with the customers dataset first)";
