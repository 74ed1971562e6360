import { imiconnectCodes } from "@insights/errors";
import { loadProfiles, type CustomerProfile, type InwardLinksLevel, type Store } from "@insights/store";

/**
 * One customer's IMIconnect profile by client customer id, with the linked profiles of the level
 * asked for: the domain function the vendor route and the mobile overview share. An unknown id
 * and another organisation's are the same 7014.
 */
export async function findCustomerProfile(store: Store, orgId: string, ref: string, level: InwardLinksLevel): Promise<CustomerProfile> {
  const profile = (await loadProfiles(store.db, orgId, [ref], level)).get(ref);
  if (!profile) throw imiconnectCodes.error("7014");
  return profile;
}
