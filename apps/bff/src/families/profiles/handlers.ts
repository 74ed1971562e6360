import { MAX_CUSTOMER_IDS_PER_REQUEST, type profilesContract } from "@insights/contracts/profiles";
import { imiconnectCodes } from "@insights/errors";
import type { CustomerProfile, InwardLinksLevel, Store } from "@insights/store";
import type { RouterHandlers } from "../../platform/http/ts-rest-adapter.js";
import { findCustomerProfile } from "./customer-profile.js";

type Contract = typeof profilesContract;

function toRecord(profile: CustomerProfile) {
  return {
    Attributes: profile.attributes,
    InwardLinks: profile.inwardLinks.map((l) => ({ ProfileID: l.profileId, ProfileName: l.profileName, Records: l.records })),
    OutwardLinks: [],
  };
}

function success(records: ReturnType<typeof toRecord>[], transid: string) {
  return { status: 200 as const, body: { Status: 0 as const, Description: "success" as const, Records: records, code: "1000" as const, transid } };
}

/**
 * IMIconnect profiles. Several ids: records in the order asked (each id once); ids that are
 * unknown or another organisation's are left out alike, so neither is revealed.
 */
export function profilesHandlers(store: Store): RouterHandlers<Contract> {
  return {
    getCustomerProfile: async ({ params, query, caller, transactionId }) => {
      const profile = await findCustomerProfile(store, caller.orgId, params.customerid, Number(query.showinwardlinks) as InwardLinksLevel);
      return success([toRecord(profile)], transactionId);
    },
    getCustomerProfiles: async ({ query, caller, transactionId }) => {
      const ids = [...new Set(query.customerId)];
      if (ids.length > MAX_CUSTOMER_IDS_PER_REQUEST) {
        throw imiconnectCodes.error("7012", { field: "customerId", detail: `at most ${MAX_CUSTOMER_IDS_PER_REQUEST} customer ids per request` });
      }
      const profiles = await store.loadProfiles(caller.orgId, ids, Number(query.showinwardlinks) as InwardLinksLevel);
      const records = ids.flatMap((id) => {
        const profile = profiles.get(id);
        return profile ? [toRecord(profile)] : [];
      });
      return success(records, transactionId);
    },
  };
}
