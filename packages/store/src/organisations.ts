import type { Kysely } from "kysely";
import type { Database } from "./schema.js";

/** Onboarding without SQL (the admin CLI): organisations and their registered API clients. */

export type Organisation = { id: string; name: string; createdAt: Date };

export async function organisationExists(db: Kysely<Database>, id: string): Promise<boolean> {
  return (await db.selectFrom("organisations").select("id").where("id", "=", id).executeTakeFirst()) !== undefined;
}

/** Creates an organisation; false when one with that id exists already. */
export async function createOrganisation(db: Kysely<Database>, id: string, name: string): Promise<boolean> {
  const inserted = await db.insertInto("organisations").values({ id, name }).onConflict((oc) => oc.column("id").doNothing()).executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function listOrganisations(db: Kysely<Database>): Promise<Organisation[]> {
  const rows = await db.selectFrom("organisations").select(["id", "name", "created_at"]).orderBy("id").execute();
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at }));
}

/** A Citibanamex API client (`client_id`) and the countries, business codes and channels it may use. */
export type ApiClientRegistration = { clientId: string; orgId: string; name: string; countries: string[]; businessCodes: string[]; channels: string[] };

/** Registers an API client for an organisation; false when the client id is taken. */
export async function createApiClient(db: Kysely<Database>, client: ApiClientRegistration): Promise<boolean> {
  const inserted = await db
    .insertInto("api_clients")
    .values({
      client_id: client.clientId,
      org_id: client.orgId,
      name: client.name,
      countries: JSON.stringify(client.countries),
      business_codes: JSON.stringify(client.businessCodes),
      channels: JSON.stringify(client.channels),
    })
    .onConflict((oc) => oc.column("client_id").doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function listApiClients(db: Kysely<Database>, orgId?: string): Promise<ApiClientRegistration[]> {
  let query = db.selectFrom("api_clients").select(["client_id", "org_id", "name", "countries", "business_codes", "channels"]).orderBy("client_id");
  if (orgId !== undefined) query = query.where("org_id", "=", orgId);
  const rows = await query.execute();
  return rows.map((r) => ({ clientId: r.client_id, orgId: r.org_id, name: r.name, countries: r.countries, businessCodes: r.business_codes, channels: r.channels }));
}
