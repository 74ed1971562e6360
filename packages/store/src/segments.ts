import { sql, type Kysely } from "kysely";
import { storedIdentifierValue } from "./customers.js";
import type { IdentifierHasher } from "./identifier-hasher.js";
import type { ApiClient, Database } from "./schema.js";

export type SegmentLookupRequest = { orgId: string; customerId: string | undefined; cardNumber: string | undefined };

export type SegmentCustomer = { id: string; fullName: string; segment: string | null; birthDate: string | null; timeZone: string };

/** Who each given key points to within the organisation, and the customer's segment facts. */
export type SegmentLookup = {
  byCustomerId: string | undefined;
  byCardNumber: string | undefined;
  /** The customer the keys point to (the customerId's, else the card's). */
  customer: SegmentCustomer | undefined;
};

type Row = {
  by_customer_id: string | null;
  by_card_number: string | null;
  id: string | null;
  full_name: string | null;
  segment: string | null;
  birth_date: string | null;
  time_zone: string | null;
};

/** Resolves a Citibanamex customerId and/or card number (by keyed hash) in one query. */
export async function lookupSegment(db: Kysely<Database>, hasher: IdentifierHasher, request: SegmentLookupRequest): Promise<SegmentLookup> {
  const card = request.cardNumber === undefined ? null : storedIdentifierValue(hasher, "card_number", request.cardNumber);
  const { rows } = await sql<Row>`
    select k.customer_id as by_customer_id,
           n.customer_id as by_card_number,
           c.id, c.full_name, c.segment, c.birth_date, c.time_zone
    from (select 1) as one
    left join customer_identifiers k on k.org_id = ${request.orgId} and k.kind = 'citibanamex_customer_id' and k.value = ${request.customerId ?? null}
    left join customer_identifiers n on n.org_id = ${request.orgId} and n.kind = 'card_number' and n.value = ${card}
    left join customers c on c.id = coalesce(k.customer_id, n.customer_id)
  `.execute(db);
  const row = rows[0];
  return {
    byCustomerId: row?.by_customer_id ?? undefined,
    byCardNumber: row?.by_card_number ?? undefined,
    customer:
      row?.id && row.full_name !== null
        ? { id: row.id, fullName: row.full_name, segment: row.segment, birthDate: row.birth_date, timeZone: row.time_zone ?? "UTC" }
        : undefined,
  };
}

/** A registered API client of the organisation, or undefined (unknown, or another organisation's). */
export async function findApiClient(db: Kysely<Database>, orgId: string, clientId: string): Promise<ApiClient | undefined> {
  return db.selectFrom("api_clients").selectAll().where("client_id", "=", clientId).where("org_id", "=", orgId).executeTakeFirst();
}

export type E2eSession = { sid: string; orgId: string; clientId: string; modulus: string; exponent: string; expiresAt: Date };

export async function insertE2eSession(db: Kysely<Database>, session: E2eSession): Promise<void> {
  await db
    .insertInto("e2e_sessions")
    .values({
      sid: session.sid,
      org_id: session.orgId,
      client_id: session.clientId,
      modulus: session.modulus,
      exponent: session.exponent,
      expires_at: session.expiresAt,
    })
    .execute();
}

/** The sessions of one organisation's client still alive after `after`. */
function sessionsOfClient(db: Kysely<Database>, orgId: string, clientId: string, after: Date) {
  return db
    .selectFrom("e2e_sessions")
    .select(["sid", "org_id", "client_id", "modulus", "exponent", "expires_at"])
    .where("org_id", "=", orgId)
    .where("client_id", "=", clientId)
    .where("expires_at", ">", after);
}

function toE2eSession(row: { sid: string; org_id: string; client_id: string; modulus: string; exponent: string; expires_at: Date }): E2eSession {
  return { sid: row.sid, orgId: row.org_id, clientId: row.client_id, modulus: row.modulus, exponent: row.exponent, expiresAt: row.expires_at };
}

/** The client's session that lives longest, if it lives past `until`; otherwise undefined. */
export async function findE2eSessionLivingPast(db: Kysely<Database>, orgId: string, clientId: string, until: Date): Promise<E2eSession | undefined> {
  const row = await sessionsOfClient(db, orgId, clientId, until).orderBy("expires_at", "desc").limit(1).executeTakeFirst();
  return row && toE2eSession(row);
}

/** A session that has not expired at `now`, of that organisation and client; otherwise undefined. */
export async function findLiveE2eSession(db: Kysely<Database>, sid: string, orgId: string, clientId: string, now: Date): Promise<E2eSession | undefined> {
  const row = await sessionsOfClient(db, orgId, clientId, now).where("sid", "=", sid).executeTakeFirst();
  return row && toE2eSession(row);
}

/** Deletes sessions that expired before `now`; returns how many. */
export async function deleteExpiredE2eSessions(db: Kysely<Database>, now: Date): Promise<number> {
  const result = await db.deleteFrom("e2e_sessions").where("expires_at", "<=", now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
