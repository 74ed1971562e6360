import { initContract } from "@ts-rest/core";
import { z } from "zod";
import { errorResponses } from "./error-responses.js";
import { boundBearerRoute } from "./policy.js";
import { ProblemSchema } from "./problem.js";
import { CustomerRefSchema } from "./profiles.js";
import { ExternalIdSchema } from "./records/fields.js";
import { PhoneNumberSchema } from "./records/phone-number.js";
import { ScoringTypeSchema } from "./records/scoring.js";

/**
 * The BFF's own mobile API: everything about one customer in one round trip, errors as RFC 9457
 * problem details. Sections are gathered in parallel; one that fails is `{ error: <problem> }`
 * while the others still answer.
 */

export const MOBILE_SCOPE = "customers:read";

export const overviewSections = ["profile", "segment", "categories", "score"] as const;
export const OverviewSectionNameSchema = z.enum(overviewSections);
export type OverviewSectionName = z.infer<typeof OverviewSectionNameSchema>;

/** `?include=profile,score`: a comma-separated subset of the sections (each once); absent, all of them. */
export const IncludeSchema = z
  .string()
  .superRefine((value, ctx) => {
    const unknown = value.split(",").filter((name) => !(overviewSections as readonly string[]).includes(name));
    if (unknown.length > 0) {
      // Named back only when it looks like a section name (a typo): an error never reflects arbitrary input.
      const named = /^[a-z][a-z0-9_-]{0,31}$/.test(unknown[0]!) ? `unknown section ${JSON.stringify(unknown[0])}` : "an unknown section";
      ctx.addIssue({ code: "custom", message: `${named}; the sections are ${overviewSections.join(", ")}` });
    }
  })
  .transform((value) => [...new Set(value.split(","))] as OverviewSectionName[]);

export const OverviewQuerySchema = z.object({ include: IncludeSchema.optional() }).strict();

/** The BFF's own customer id (a UUID), the same whichever vendor key the customer is known by. */
export const CustomerIdSchema = z.string().uuid("must be a UUID (the BFF's customer id)");

export const MobileAttributeSchema = z.object({
  /** The attribute column's id: the same across customers. */
  id: z.number().int(),
  name: z.string(),
  value: z.string().nullable(),
});

export const MobileLinkedProfileSchema = z.object({
  profileId: z.string(),
  profileName: z.string(),
  records: z.array(z.array(MobileAttributeSchema)),
});

export const ProfileSectionSchema = z.object({
  attributes: z.array(MobileAttributeSchema),
  applicationProfiles: z.array(MobileLinkedProfileSchema),
  channelProfiles: z.array(MobileLinkedProfileSchema),
});
export type ProfileSection = z.infer<typeof ProfileSectionSchema>;

export const SegmentSectionSchema = z.object({
  segment: z.string(),
  /** Whether today is the customer's birthday in the customer's own time zone. */
  birthdayToday: z.boolean(),
});
export type SegmentSection = z.infer<typeof SegmentSectionSchema>;

export const CategoriesSectionSchema = z.object({
  categories: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      value: z.string().nullable(),
      description: z.string().nullable(),
      updatedAt: z.string().datetime(),
    }),
  ),
});
export type CategoriesSection = z.infer<typeof CategoriesSectionSchema>;

export const ScoreSectionSchema = z.object({
  /** One score per scale the operator offers and the customer has. */
  scores: z.array(z.object({ scoringType: ScoringTypeSchema, scoringValue: z.number().int() })),
});
export type ScoreSection = z.infer<typeof ScoreSectionSchema>;

/** A section that could not be produced: why, as problem details. */
export const SectionErrorSchema = z.object({ error: ProblemSchema }).strict();
export type SectionError = z.infer<typeof SectionErrorSchema>;

export const OverviewSchema = z.object({
  customer: z.object({ id: CustomerIdSchema, fullName: z.string() }),
  /** The sections asked for (all by default), each its data or `{ error }`. */
  sections: z.object({
    profile: z.union([ProfileSectionSchema, SectionErrorSchema]).optional(),
    segment: z.union([SegmentSectionSchema, SectionErrorSchema]).optional(),
    categories: z.union([CategoriesSectionSchema, SectionErrorSchema]).optional(),
    score: z.union([ScoreSectionSchema, SectionErrorSchema]).optional(),
  }),
});
export type Overview = z.infer<typeof OverviewSchema>;

/** The keys a customer can be searched by: exactly one per request. */
export const customerSearchKeys = ["phoneNumber", "externalId", "imiconnectCustomerId", "masstackCustomerId"] as const;
export type CustomerSearchKey = (typeof customerSearchKeys)[number];

export const CustomerSearchQuerySchema = z
  .object({
    phoneNumber: PhoneNumberSchema.optional(),
    /** The organisation's own customer reference, as its imports name the customer. */
    externalId: ExternalIdSchema.optional(),
    imiconnectCustomerId: CustomerRefSchema.optional(),
    masstackCustomerId: z.string().uuid("must be a UUID").optional(),
  })
  .strict()
  .superRefine((query, ctx) => {
    const given = customerSearchKeys.filter((key) => query[key] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({ code: "custom", path: [given[1] ?? "phoneNumber"], message: `exactly one of ${customerSearchKeys.join(", ")} is required` });
    }
  });
export type CustomerSearchQuery = z.infer<typeof CustomerSearchQuerySchema>;

export const CustomerSummarySchema = z.object({ id: CustomerIdSchema, fullName: z.string() });
export const CustomerSearchResultSchema = z.object({ customers: z.array(CustomerSummarySchema) });
export type CustomerSearchResult = z.infer<typeof CustomerSearchResultSchema>;

/** A conditional GET: the ETag of the representation the app holds. */
const ConditionalHeadersSchema = z.object({ "if-none-match": z.string().max(512).optional() });

const errors = (statuses: readonly (400 | 401 | 403 | 404 | 429 | 500 | 503)[]) => errorResponses(ProblemSchema, statuses);

const overviewDescription =
  "Sections `profile`, `segment`, `categories` and `score`, gathered in parallel, each with its own deadline (`MOBILE_SECTION_TIMEOUT_MS`). " +
  "A section that fails or times out is `{ \"error\": <problem details> }` while the others answer; 503 only when every section asked for failed on our side. " +
  "`ETag` (weak) and `If-None-Match` → 304; `Cache-Control: private, no-cache`; br or gzip when accepted.";

const c = initContract();

export const mobileContract = c.router(
  {
    getMyOverview: {
      method: "GET",
      path: "/mobile/v1/me",
      summary: "The overview of the subscriber a 3-legged token is bound to",
      description: `For a token bound to a subscriber (its \`phone_number\` claim), scope \`${MOBILE_SCOPE}\`. ${overviewDescription}`,
      headers: ConditionalHeadersSchema,
      query: OverviewQuerySchema,
      responses: { 200: OverviewSchema, 304: c.noBody(), ...errors([400, 401, 403, 404, 429, 500, 503]) },
      metadata: boundBearerRoute("subscriber", MOBILE_SCOPE),
    },
    searchCustomers: {
      method: "GET",
      path: "/mobile/v1/customers",
      summary: "The organisation's customers matching one key (an agent app's search box)",
      description: `For a client (2-legged) token, scope \`${MOBILE_SCOPE}\`. Exactly one of ${customerSearchKeys.map((k) => `\`${k}\``).join(", ")}; only customers of the token's organisation are found.`,
      query: CustomerSearchQuerySchema,
      responses: { 200: CustomerSearchResultSchema, ...errors([400, 401, 403, 429, 500, 503]) },
      metadata: boundBearerRoute("client", MOBILE_SCOPE),
    },
    getCustomerOverview: {
      method: "GET",
      path: "/mobile/v1/customers/:customerId/overview",
      summary: "Everything about one customer in one round trip",
      description: `For a client (2-legged) token, scope \`${MOBILE_SCOPE}\`. Another organisation's customer is a 404, the same as an unknown one. ${overviewDescription}`,
      pathParams: z.object({ customerId: CustomerIdSchema }),
      headers: ConditionalHeadersSchema,
      query: OverviewQuerySchema,
      responses: { 200: OverviewSchema, 304: c.noBody(), ...errors([400, 401, 403, 404, 429, 500, 503]) },
      metadata: boundBearerRoute("client", MOBILE_SCOPE),
    },
  },
  { strictStatusCodes: true },
);
