import { randomBytes, randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { IdentifierHasher } from "./identifier-hasher.js";
import type { Database } from "./schema.js";

export type ApiKeyOwner = { keyId: string; orgId: string; label: string };

/** Stores a new API key for an organisation (only its keyed hash); returns the clear key once. */
export async function createApiKey(
  db: Kysely<Database>,
  hasher: IdentifierHasher,
  orgId: string,
  label: string,
  key: string = randomBytes(24).toString("base64url"),
): Promise<{ id: string; key: string }> {
  const id = randomUUID();
  await db.insertInto("api_keys").values({ id, org_id: orgId, label, key_hash: hasher.hash("api_key", key) }).execute();
  return { id, key };
}

/** The organisation an API key belongs to, or undefined. */
export async function authenticateApiKey(db: Kysely<Database>, hasher: IdentifierHasher, key: string): Promise<ApiKeyOwner | undefined> {
  return authenticateApiKeyHash(db, hasher.hash("api_key", key));
}

/**
 * The same, from the presented key's keyed hash (callers that already computed it, to cache by
 * it, hash once). What protects the key is that only its HMAC under the server's secret is
 * stored and compared: without the secret, neither the table nor the timing of the index probe
 * tells anything about a key, so no separate constant-time comparison is needed.
 */
export async function authenticateApiKeyHash(db: Kysely<Database>, presented: string): Promise<ApiKeyOwner | undefined> {
  const row = await db
    .selectFrom("api_keys")
    .select(["id", "org_id", "label"])
    .where("key_hash", "=", presented)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  if (!row) return undefined;
  return { keyId: row.id, orgId: row.org_id, label: row.label };
}

/** An API key as an administrator sees it: never the key nor its hash. */
export type ApiKeyListing = { id: string; orgId: string; label: string; createdAt: Date; revokedAt: Date | null };

export async function listApiKeys(db: Kysely<Database>, orgId?: string): Promise<ApiKeyListing[]> {
  let query = db.selectFrom("api_keys").select(["id", "org_id", "label", "created_at", "revoked_at"]).orderBy("created_at").orderBy("id");
  if (orgId !== undefined) query = query.where("org_id", "=", orgId);
  const rows = await query.execute();
  return rows.map((r) => ({ id: r.id, orgId: r.org_id, label: r.label, createdAt: r.created_at, revokedAt: r.revoked_at }));
}

/**
 * Revokes a key (sets `revoked_at`; the row stays, for the record). Returns false for an unknown
 * or already revoked key. (The store then invalidates the cached key look-ups: store.ts.)
 */
export async function revokeApiKey(db: Kysely<Database>, id: string, now: Date = new Date()): Promise<boolean> {
  const updated = await db.updateTable("api_keys").set({ revoked_at: now }).where("id", "=", id).where("revoked_at", "is", null).executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}
