import { sql, type Kysely } from "kysely";
import { storedIdentifierValue } from "./customers.js";
import type { IdentifierHasher } from "./identifier-hasher.js";
import type { Database, IdentifierKind } from "./schema.js";

/** The vendor keys a customer can be read by (the hashed ones — documents, cards — are never returned). */
export type CustomerKeys = {
  id: string;
  fullName: string;
  phone: string | undefined;
  citibanamexCustomerId: string | undefined;
  masstackCustomerId: string | undefined;
  imiconnectCustomerId: string | undefined;
};

/** A customer by the BFF's own id, the organisation's own reference, or one vendor identifier. */
export type CustomerSelector = { customerId: string } | { externalId: string } | { kind: IdentifierKind; value: string };

type Row = { id: string; full_name: string; keys: Partial<Record<IdentifierKind, string>> | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One customer of an organisation with the keys each vendor knows them by, in one query;
 * undefined when the organisation has no such customer (another organisation's included).
 */
export async function findCustomerKeys(db: Kysely<Database>, hasher: IdentifierHasher, orgId: string, selector: CustomerSelector): Promise<CustomerKeys | undefined> {
  let match;
  if ("customerId" in selector) {
    // Not a UUID: no customer has that id (and PostgreSQL would refuse the cast).
    if (!UUID.test(selector.customerId)) return undefined;
    match = sql`c.id = ${selector.customerId.toLowerCase()}::uuid`;
  } else if ("externalId" in selector) {
    match = sql`c.external_id = ${selector.externalId}`;
  } else {
    match = sql`c.id = (select customer_id from customer_identifiers
      where org_id = ${orgId} and kind = ${selector.kind} and value = ${storedIdentifierValue(hasher, selector.kind, selector.value)})`;
  }
  const { rows } = await sql<Row>`
    select c.id, c.full_name,
      (select json_object_agg(k.kind, k.value) from (
        -- One key per kind (the first, should a customer have two phones).
        select i.kind, min(i.value) as value from customer_identifiers i
        where i.customer_id = c.id and i.kind in ('phone', 'citibanamex_customer_id', 'masstack_customer_id', 'imiconnect_customer_id')
        group by i.kind) k) as keys
    from customers c
    where c.org_id = ${orgId} and ${match}
  `.execute(db);
  const row = rows[0];
  if (!row) return undefined;
  const keys = row.keys ?? {};
  return {
    id: row.id,
    fullName: row.full_name,
    phone: keys.phone,
    citibanamexCustomerId: keys.citibanamex_customer_id,
    masstackCustomerId: keys.masstack_customer_id,
    imiconnectCustomerId: keys.imiconnect_customer_id,
  };
}
