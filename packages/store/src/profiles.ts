import { sql, type Kysely } from "kysely";
import type { Database, ProfileAttribute } from "./schema.js";

export type LinkedProfile = { profileId: string; profileName: string; records: ProfileAttribute[][] };
export type CustomerProfile = { attributes: ProfileAttribute[]; inwardLinks: LinkedProfile[] };

/** 0: master profile only; 1: with application profiles; 2: with every linked profile. */
export type InwardLinksLevel = 0 | 1 | 2;

type AttributeRow = { ref: string; name: string | null; value: string | null; column_id: number | null };
type LinkRow = { ref: string; profile_id: string; profile_name: string; records: ProfileAttribute[][] };

/**
 * IMIconnect profiles of an organisation's customers by their client customer ids: a map from
 * each known id to its profile (attributes in column order); unknown ids are absent. One query,
 * plus one for linked profiles when asked for.
 */
export async function loadProfiles(db: Kysely<Database>, orgId: string, refs: readonly string[], level: InwardLinksLevel): Promise<Map<string, CustomerProfile>> {
  const profiles = new Map<string, CustomerProfile>();
  if (refs.length === 0) return profiles;
  const refList = sql.join(refs.map((ref) => sql`${ref}`));
  const { rows } = await sql<AttributeRow>`
    select i.value as ref, col.name, a.value, a.column_id
    from customer_identifiers i
    left join customer_profile_attributes a on a.customer_id = i.customer_id
    left join profile_attribute_columns col on col.org_id = a.org_id and col.id = a.column_id
    where i.org_id = ${orgId} and i.kind = 'imiconnect_customer_id' and i.value in (${refList})
    order by i.value, a.column_id
  `.execute(db);
  for (const row of rows) {
    const profile = profiles.get(row.ref) ?? { attributes: [], inwardLinks: [] };
    if (row.column_id !== null && row.name !== null) profile.attributes.push({ Name: row.name, Value: row.value, ID: row.column_id });
    profiles.set(row.ref, profile);
  }
  if (level === 0 || profiles.size === 0) return profiles;
  const kinds = level === 1 ? sql`('application')` : sql`('application', 'channel')`;
  const links = await sql<LinkRow>`
    select i.value as ref, l.profile_id, l.profile_name, l.records
    from customer_identifiers i
    join customer_linked_profiles l on l.customer_id = i.customer_id
    where i.org_id = ${orgId} and i.kind = 'imiconnect_customer_id' and i.value in (${refList}) and l.kind in ${kinds}
    order by i.value, l.kind, l.profile_id
  `.execute(db);
  for (const link of links.rows) {
    profiles.get(link.ref)?.inwardLinks.push({ profileId: link.profile_id, profileName: link.profile_name, records: link.records });
  }
  return profiles;
}
