import { sql, type Kysely } from "kysely";
import type { Database, ProfileAttribute } from "./schema.js";

export type LinkedProfile = { profileId: string; profileName: string; kind: "application" | "channel"; records: ProfileAttribute[][] };
export type CustomerProfile = { attributes: ProfileAttribute[]; inwardLinks: LinkedProfile[] };

/** 0: master profile only; 1: with application profiles; 2: with every linked profile. */
export type InwardLinksLevel = 0 | 1 | 2;

type ProfileRow = { ref: string; attributes: ProfileAttribute[]; links: { ProfileID: string; ProfileName: string; Kind: LinkedProfile["kind"]; Records: ProfileAttribute[][] }[] };

/**
 * IMIconnect profiles of an organisation's customers by their client customer ids: a map from
 * each known id to its profile (attributes in column order, linked profiles of the level asked
 * for); unknown ids are absent. One query.
 */
export async function loadProfiles(db: Kysely<Database>, orgId: string, refs: readonly string[], level: InwardLinksLevel): Promise<Map<string, CustomerProfile>> {
  const profiles = new Map<string, CustomerProfile>();
  if (refs.length === 0) return profiles;
  const kinds = level === 0 ? sql`('none')` : level === 1 ? sql`('application')` : sql`('application', 'channel')`;
  const { rows } = await sql<ProfileRow>`
    select i.value as ref,
      coalesce((
        select json_agg(json_build_object('Name', col.name, 'Value', a.value, 'ID', a.column_id) order by a.column_id)
        from customer_profile_attributes a
        join profile_attribute_columns col on col.org_id = a.org_id and col.id = a.column_id
        where a.customer_id = i.customer_id
      ), '[]'::json) as attributes,
      coalesce((
        select json_agg(json_build_object('ProfileID', l.profile_id, 'ProfileName', l.profile_name, 'Kind', l.kind, 'Records', l.records) order by l.kind, l.profile_id)
        from customer_linked_profiles l
        where l.customer_id = i.customer_id and l.kind in ${kinds}
      ), '[]'::json) as links
    from customer_identifiers i
    where i.org_id = ${orgId} and i.kind = 'imiconnect_customer_id' and i.value in (${sql.join(refs.map((ref) => sql`${ref}`))})
  `.execute(db);
  for (const row of rows) {
    profiles.set(row.ref, {
      attributes: row.attributes,
      inwardLinks: row.links.map((l) => ({ profileId: l.ProfileID, profileName: l.ProfileName, kind: l.Kind, records: l.Records })),
    });
  }
  return profiles;
}
