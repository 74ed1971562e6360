import type { CategoriesSection, OverviewSectionName, ProfileSection, ScoreSection, SegmentSection } from "@insights/contracts/mobile";
import { AppError, isAppError } from "@insights/errors";
import type { CustomerKeys, ProfileAttribute, ScoringLookup, ScoringLookupRequest, Store } from "@insights/store";
import { findCustomerCategories } from "../categories/customer-categories.js";
import type { ScoringConfig } from "../config.js";
import { findCustomerProfile } from "../profiles/customer-profile.js";
import { retrieveScoring } from "../scoring/scoring-rules.js";
import { findCustomerSegment } from "../segments/customer-segment.js";

/** What each section of the overview holds when it could be produced. */
export type SectionData = {
  profile: ProfileSection;
  segment: SegmentSection;
  categories: CategoriesSection;
  score: ScoreSection;
};

/** `requestId`: the overview request's, for the log lines of sections that call upstream vendors. */
export type SectionContext = { orgId: string; at: Date; requestId?: string };

/** Produces one section of a customer's overview; throws (an AppError, ideally) when it cannot. */
export type SectionProvider<K extends OverviewSectionName> = (customer: CustomerKeys, context: SectionContext) => Promise<SectionData[K]>;

/** One provider per section: the seam tests use (through AppDependencies) to make a section fail or stall. */
export type SectionProviders = { [K in OverviewSectionName]: SectionProvider<K> };

export type SectionProviderDependencies = { store: Store; scoring: ScoringConfig };

function unknownTo(vendor: string): AppError {
  return new AppError("not_found", { detail: `The customer is not known to ${vendor}.` });
}

const attribute = (a: ProfileAttribute) => ({ id: a.ID, name: a.Name, value: a.Value });

/**
 * The score section's reading of one scale's CAMARA error, wherever the score came from: no score
 * on the scale leaves it out (undefined); an ineligible line fails the section as such; anything
 * else fails it as it is.
 */
export function scaleWithoutScore(error: unknown): undefined {
  if (isAppError(error) && error.vendorCode === "NOT_FOUND") return undefined;
  if (isAppError(error) && error.vendorCode === "SERVICE_NOT_APPLICABLE") {
    throw new AppError("unprocessable", { detail: "The customer's line is not eligible for scoring." });
  }
  throw error;
}

/**
 * The sections, each from the same domain function its vendor route uses, over the customer's
 * key for that vendor. A customer with no such key has no such section (404 in the section).
 */
export function defaultSectionProviders({ store, scoring }: SectionProviderDependencies): SectionProviders {
  // The customer is already identified by the BFF's own id: the operator's idDocument rule for
  // CAMARA callers does not apply, and every offered scale is asked for.
  const overviewScoring: ScoringConfig = { ...scoring, idDocument: "optional" };
  return {
    profile: async (customer, { orgId }) => {
      if (customer.imiconnectCustomerId === undefined) throw unknownTo("the contact profile service");
      const profile = await findCustomerProfile(store, orgId, customer.imiconnectCustomerId, 2);
      const linked = (kind: "application" | "channel") =>
        profile.inwardLinks
          .filter((l) => l.kind === kind)
          .map((l) => ({ profileId: l.profileId, profileName: l.profileName, records: l.records.map((r) => r.map(attribute)) }));
      return { attributes: profile.attributes.map(attribute), applicationProfiles: linked("application"), channelProfiles: linked("channel") };
    },
    segment: async (customer, { orgId, at }) => {
      if (customer.citibanamexCustomerId === undefined) throw unknownTo("the bank");
      const found = await findCustomerSegment(store, { orgId, customerId: customer.citibanamexCustomerId, cardNumber: undefined }, at);
      return { segment: found.customerSegment, birthdayToday: found.birthdayTodayFlag };
    },
    categories: async (customer, { orgId }) => {
      if (customer.masstackCustomerId === undefined) throw unknownTo("the categories service");
      const categories = await findCustomerCategories(store, orgId, customer.masstackCustomerId);
      return {
        categories: categories.map((c) => ({ id: c.id, name: c.name, value: c.value, description: c.description, updatedAt: c.updatedAt.toISOString() })),
      };
    },
    score: async (customer, { orgId }) => {
      const phoneNumber = customer.phone;
      if (phoneNumber === undefined) throw unknownTo("the scoring service");
      const subject = { orgId, phoneNumber: undefined };
      // One look-up answers every scale; the CAMARA rules then judge each scale as for a single request.
      let found: ReturnType<Store["lookupScoringSubject"]> | undefined;
      const lookup = async ({ scale }: ScoringLookupRequest): Promise<ScoringLookup> => {
        found ??= store.lookupScoringSubject({ orgId, phoneNumber, idDocument: undefined });
        const { scores, ...identifiers } = await found;
        return { ...identifiers, score: scores[scale] };
      };
      const scores = await Promise.all(
        overviewScoring.scales.map((scoringType) =>
          retrieveScoring(subject, { phoneNumber, scoringType }, overviewScoring, lookup).catch(scaleWithoutScore),
        ),
      );
      return { scores: scores.filter((s) => s !== undefined) };
    },
  };
}
