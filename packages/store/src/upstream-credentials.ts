import { sql, type Kysely } from "kysely";
import { storedIdentifierValue } from "./customers.js";
import type { IdentifierHasher } from "./identifier-hasher.js";
import type { Database, IdentifierKind, UpstreamCredentialFamily } from "./schema.js";

/**
 * Organisations' own vendor accounts for upstream mode, as the BFF sealed them (the store never
 * sees a usable secret), and which organisations hold a vendor identifier — so a call for one
 * organisation never names another's customer.
 */

export type SealedUpstreamCredential = { orgId: string; family: UpstreamCredentialFamily; kind: "oauth2" | "header"; sealed: string };
export type UpstreamCredentialListing = { orgId: string; family: UpstreamCredentialFamily; kind: "oauth2" | "header"; createdAt: Date; updatedAt: Date };

/** Creates or replaces an organisation's credential for a family. */
export async function setUpstreamCredential(db: Kysely<Database>, credential: SealedUpstreamCredential): Promise<void> {
  await db
    .insertInto("upstream_credentials")
    .values({ org_id: credential.orgId, family: credential.family, kind: credential.kind, sealed: credential.sealed })
    .onConflict((oc) => oc.columns(["org_id", "family"]).doUpdateSet({ kind: credential.kind, sealed: credential.sealed, updated_at: sql`now()` }))
    .execute();
}

export async function findUpstreamCredential(db: Kysely<Database>, orgId: string, family: UpstreamCredentialFamily): Promise<SealedUpstreamCredential | undefined> {
  const row = await db
    .selectFrom("upstream_credentials")
    .select(["org_id", "family", "kind", "sealed"])
    .where("org_id", "=", orgId)
    .where("family", "=", family)
    .executeTakeFirst();
  return row && { orgId: row.org_id, family: row.family, kind: row.kind, sealed: row.sealed };
}

/** What is held, never the sealed secret. */
export async function listUpstreamCredentials(db: Kysely<Database>, orgId?: string): Promise<UpstreamCredentialListing[]> {
  let query = db.selectFrom("upstream_credentials").select(["org_id", "family", "kind", "created_at", "updated_at"]).orderBy("org_id").orderBy("family");
  if (orgId !== undefined) query = query.where("org_id", "=", orgId);
  return (await query.execute()).map((r) => ({ orgId: r.org_id, family: r.family, kind: r.kind, createdAt: r.created_at, updatedAt: r.updated_at }));
}

/** Deletes an organisation's credential for a family; false when it had none. */
export async function revokeUpstreamCredential(db: Kysely<Database>, orgId: string, family: UpstreamCredentialFamily): Promise<boolean> {
  const deleted = await db.deleteFrom("upstream_credentials").where("org_id", "=", orgId).where("family", "=", family).executeTakeFirst();
  return Number(deleted.numDeletedRows) > 0;
}

/**
 * The organisations whose customers hold this vendor identifier. One primary-key probe per
 * organisation (organisations are few; the key leads with org_id), so no index across them is needed.
 */
export async function identifierOrganisations(db: Kysely<Database>, hasher: IdentifierHasher, kind: IdentifierKind, value: string): Promise<string[]> {
  const stored = storedIdentifierValue(hasher, kind, value);
  const { rows } = await sql<{ id: string }>`
    select o.id from organisations o
    where exists (select 1 from customer_identifiers i where i.org_id = o.id and i.kind = ${kind} and i.value = ${stored})
    order by o.id
  `.execute(db);
  return rows.map((r) => r.id);
}
