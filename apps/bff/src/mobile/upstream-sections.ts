import { randomUUID } from "node:crypto";
import type { CustomerCategoriesSchema } from "@insights/contracts/categories";
import type { ProfileResponse } from "@insights/contracts/profiles";
import type { ScoringType } from "@insights/contracts/records";
import type { ScoringResponse } from "@insights/contracts/scoring";
import type { SegmentResponse } from "@insights/contracts/segments";
import { AppError } from "@insights/errors";
import type { z } from "zod";
import type { SegmentsChannel } from "../upstream/config.js";
import { deadlineAfter } from "../upstream/deadline.js";
import { callThrough } from "../upstream/forwarding.js";
import type { Upstream, UpstreamRequest } from "../upstream/upstream-client.js";
import type { Upstreams } from "../upstream/upstreams.js";
import { scaleWithoutScore, type SectionContext, type SectionProviders } from "./sections.js";

export type UpstreamSectionDependencies = {
  upstreams: Upstreams;
  /** Each section's deadline (MOBILE_SECTION_TIMEOUT_MS): its upstream calls get what remains of it. */
  sectionTimeoutMs: number;
  /** The scales the overview's score section asks for. */
  scales: readonly ScoringType[];
  /** What the segment section tells the bank it is (SEGMENTS_UPSTREAM_CHANNEL). */
  segmentsChannel: SegmentsChannel | undefined;
};

function unknownTo(vendor: string): AppError {
  return new AppError("not_found", { detail: `The customer is not known to ${vendor}.` });
}

/** The mobile caller's token means nothing to a vendor: a section can ask one only with the BFF's own credential. */
function withoutCredential(vendor: string): AppError {
  return new AppError("unavailable", { detail: `${vendor} is answered by its vendor, and the BFF has no credential of its own for it.` });
}

type Attribute = { ID: number; Name: string; Value: string | null };
const attribute = (a: Attribute) => ({ id: a.ID, name: a.Name, value: a.Value });
type LinkedProfile = ProfileResponse["Records"][number]["InwardLinks"][number];
const linked = (l: LinkedProfile) => ({ profileId: l.ProfileID, profileName: l.ProfileName, records: l.Records.map((r) => r.map(attribute)) });

/**
 * The overview's sections for the families answered by an upstream vendor: each asks the vendor
 * by the customer's key for that vendor (from the store's identifiers; a customer without one
 * has no such section, 404), with the BFF's own vendor credential (without one the section is
 * unavailable), within the section's deadline. Families answered locally keep their providers.
 */
export function upstreamSectionProviders(defaults: SectionProviders, deps: UpstreamSectionDependencies): SectionProviders {
  async function ask<T>(upstream: Upstream, vendor: string, route: string, request: Omit<UpstreamRequest, "headers"> & { headers?: Record<string, string> }, context: SectionContext): Promise<T> {
    // Only an account serving the caller's organisation is asked (its forbidden error otherwise), and only with a vendor credential.
    const access = await upstream.access.accessFor(context.orgId);
    if (access.kind !== "vendor") throw withoutCredential(vendor);
    const ids = { requestId: context.requestId ?? randomUUID(), transactionId: randomUUID() };
    const headers = { ...request.headers, ...upstream.spec.correlation(request.headers ?? {}, ids) };
    const answer = await callThrough(upstream, route, { ...request, headers }, { ids, deadline: deadlineAfter(performance.now(), deps.sectionTimeoutMs), access, callerCredentials: {} });
    return answer.body as T;
  }

  const profiles = deps.upstreams.of("profiles");
  const segments = deps.upstreams.of("segments");
  const categories = deps.upstreams.of("categories");
  const scoring = deps.upstreams.of("scoring");
  return {
    profile: profiles
      ? async (customer, context) => {
          const vendor = "The contact profile service";
          if (customer.imiconnectCustomerId === undefined) throw unknownTo("the contact profile service");
          const params = { customerid: customer.imiconnectCustomerId };
          // Level 1 holds the application profiles; level 2 adds the channel profiles.
          const [applications, full] = await Promise.all(
            (["1", "2"] as const).map((level) => ask<ProfileResponse>(profiles, vendor, "getCustomerProfile", { params, query: { showinwardlinks: level } }, context)),
          );
          const record = full?.Records[0];
          if (!record) throw unknownTo("the contact profile service");
          const applicationIds = new Set(applications?.Records[0]?.InwardLinks.map((l) => l.ProfileID));
          return {
            attributes: record.Attributes.map(attribute),
            applicationProfiles: record.InwardLinks.filter((l) => applicationIds.has(l.ProfileID)).map(linked),
            channelProfiles: record.InwardLinks.filter((l) => !applicationIds.has(l.ProfileID)).map(linked),
          };
        }
      : defaults.profile,
    segment: segments
      ? async (customer, context) => {
          const vendor = "The bank";
          if (customer.citibanamexCustomerId === undefined) throw unknownTo("the bank");
          const channel = deps.segmentsChannel;
          if (!channel) throw withoutCredential(vendor);
          const headers = {
            accept: "application/json",
            "content-type": "application/json",
            uuid: randomUUID(),
            countrycode: channel.countryCode,
            businesscode: channel.businessCode,
            channelid: channel.channelId,
          };
          const found = await ask<SegmentResponse>(segments, vendor, "retrieveSegment", { headers, body: { customerId: customer.citibanamexCustomerId } }, context);
          return { segment: found.customer.customerSegment, birthdayToday: found.customer.birthdayTodayFlag };
        }
      : defaults.segment,
    categories: categories
      ? async (customer, context) => {
          if (customer.masstackCustomerId === undefined) throw unknownTo("the categories service");
          const params = { org_id: context.orgId, customer_id: customer.masstackCustomerId };
          const found = await ask<z.infer<typeof CustomerCategoriesSchema>>(categories, "The categories service", "listCustomerCategories", { params }, context);
          return { categories: found.categories.map((c) => ({ id: c.id, name: c.name, value: c.value, description: c.description, updatedAt: c.updated_at })) };
        }
      : defaults.categories,
    score: scoring
      ? async (customer, context) => {
          const phoneNumber = customer.phone;
          if (phoneNumber === undefined) throw unknownTo("the scoring service");
          const scores = await Promise.all(
            deps.scales.map((scoringType) =>
              ask<ScoringResponse>(scoring, "The scoring service", "retrieveScoring", { body: { phoneNumber, scoringType } }, context).catch(scaleWithoutScore),
            ),
          );
          return { scores: scores.filter((s) => s !== undefined) };
        }
      : defaults.score,
  };
}
