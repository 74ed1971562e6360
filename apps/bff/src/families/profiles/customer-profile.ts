import { imiconnectCodes } from "@insights/errors";
import type { CustomerProfile, InwardLinksLevel, Store } from "@insights/store";

/**
 * One customer's IMIconnect profile by client customer id, with the linked profiles of the level
 * asked for: the domain function the vendor route and the mobile overview share. An unknown id
 * and another organisation's are the same 7014.
 */
export async function findCustomerProfile(store: Store, orgId: string, ref: string, level: InwardLinksLevel): Promise<CustomerProfile> {
  const profile = (await store.loadProfiles(orgId, [ref], level)).get(ref);
  if (!profile) throw imiconnectCodes.error("7014");
  return profile;
}
