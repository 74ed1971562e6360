import type { ProfileResponse } from "@insights/contracts/profiles";
import type { Store } from "@insights/store";
import { unknownTo, type SectionProvider } from "../../mobile/sections.js";
import type { UpstreamAsk } from "../../mobile/upstream-sections.js";
import { findCustomerProfile } from "./customer-profile.js";

/** An attribute as the section shows it, from the store or from the vendor. */
const attribute = (a: { ID: number; Name: string; Value: string | null }) => ({ id: a.ID, name: a.Name, value: a.Value });

/** The customer's contact profile, its application and channel profiles, by the IMIconnect customer id the store holds. */
export function localProfileSection(store: Store): SectionProvider<"profile"> {
  return async (customer, { orgId }) => {
    if (customer.imiconnectCustomerId === undefined) throw unknownTo("the contact profile service");
    const profile = await findCustomerProfile(store, orgId, customer.imiconnectCustomerId, 2);
    const linked = (kind: "application" | "channel") =>
      profile.inwardLinks
        .filter((l) => l.kind === kind)
        .map((l) => ({ profileId: l.profileId, profileName: l.profileName, records: l.records.map((r) => r.map(attribute)) }));
    return { attributes: profile.attributes.map(attribute), applicationProfiles: linked("application"), channelProfiles: linked("channel") };
  };
}

type LinkedProfile = ProfileResponse["Records"][number]["InwardLinks"][number];
const linked = (l: LinkedProfile) => ({ profileId: l.ProfileID, profileName: l.ProfileName, records: l.Records.map((r) => r.map(attribute)) });

/** The same section asked of the vendor: level 1 holds the application profiles; level 2 adds the channel profiles. */
export function upstreamProfileSection(ask: UpstreamAsk): SectionProvider<"profile"> {
  return async (customer, context) => {
    const vendor = "The contact profile service";
    if (customer.imiconnectCustomerId === undefined) throw unknownTo("the contact profile service");
    const params = { customerid: customer.imiconnectCustomerId };
    const [applications, full] = await Promise.all(
      (["1", "2"] as const).map((level) => ask<ProfileResponse>(vendor, "getCustomerProfile", { params, query: { showinwardlinks: level } }, context)),
    );
    const record = full?.Records[0];
    if (!record) throw unknownTo("the contact profile service");
    const applicationIds = new Set(applications?.Records[0]?.InwardLinks.map((l) => l.ProfileID));
    return {
      attributes: record.Attributes.map(attribute),
      applicationProfiles: record.InwardLinks.filter((l) => applicationIds.has(l.ProfileID)).map(linked),
      channelProfiles: record.InwardLinks.filter((l) => !applicationIds.has(l.ProfileID)).map(linked),
    };
  };
}
