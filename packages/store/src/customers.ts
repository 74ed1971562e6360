import type { Kysely } from "kysely";
import type { IdentifierHasher } from "./identifier-hasher.js";
import { hashedIdentifierKinds, type Customer, type Database, type IdentifierKind } from "./schema.js";

/** The form an identifier is stored and looked up in: a keyed hash for documents and cards. */
export function storedIdentifierValue(hasher: IdentifierHasher, kind: IdentifierKind, value: string): string {
  if (hashedIdentifierKinds.has(kind)) return hasher.hash(kind as "id_document" | "card_number", value);
  if (kind === "masstack_customer_id") return value.toLowerCase();
  return value;
}

/** Finds a customer of one organisation by any vendor's identifier; other organisations' customers are never found. */
export async function findCustomerByIdentifier(
  db: Kysely<Database>,
  hasher: IdentifierHasher,
  orgId: string,
  kind: IdentifierKind,
  value: string,
): Promise<Customer | undefined> {
  return db
    .selectFrom("customer_identifiers as i")
    .innerJoin("customers as c", "c.id", "i.customer_id")
    .selectAll("c")
    .where("i.org_id", "=", orgId)
    .where("i.kind", "=", kind)
    .where("i.value", "=", storedIdentifierValue(hasher, kind, value))
    .executeTakeFirst();
}
