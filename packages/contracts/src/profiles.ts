import { ImiconnectErrorBodySchema } from "@insights/errors";
import { initContract } from "@ts-rest/core";
import { z } from "zod";
import { errorResponses } from "./error-responses.js";
import { apiKeyRoute } from "./policy.js";
import { ImiconnectCustomerIdSchema } from "./records/identifiers.js";

/**
 * IMIconnect customer profile (seed 003): one customer by path, or several by repeated
 * `customerId` query parameters. Auth is the organisation's client profile key in `key`
 * (or `secretKey`).
 */

/** Most customer ids one multi-customer request may ask for; more is code 7012. */
export const MAX_CUSTOMER_IDS_PER_REQUEST = 20;

export const PROFILE_KEY_HEADERS = ["key", "secretkey"] as const;

export { MAX_CUSTOMER_REF_LENGTH } from "./records/identifiers.js";

/** A client-specific customer id (such as a CRN): the record schema the imports use too. */
export const CustomerRefSchema = ImiconnectCustomerIdSchema;

/** 0: master profile only; 1: master and application profiles; 2: the full profile. */
export const ShowInwardLinksSchema = z.enum(["0", "1", "2"]).default("0");

export const AttributeSchema = z.object({
  Name: z.string(),
  Value: z.string().nullable(),
  /** Identifies the attribute column: the same ID repeats across customers. */
  ID: z.number().int(),
});

export const LinkedProfileSchema = z.object({
  ProfileID: z.string(),
  ProfileName: z.string(),
  /** Each record of the linked profile, as its list of attributes. */
  Records: z.array(z.array(AttributeSchema)),
});

export const ProfileRecordSchema = z.object({
  Attributes: z.array(AttributeSchema),
  InwardLinks: z.array(LinkedProfileSchema),
  OutwardLinks: z.array(LinkedProfileSchema),
});

export const ProfileResponseSchema = z.object({
  Status: z.literal(0),
  Description: z.literal("success"),
  Records: z.array(ProfileRecordSchema),
  code: z.literal("1000"),
  transid: z.string().uuid(),
});
export type ProfileResponse = z.infer<typeof ProfileResponseSchema>;

/** The vendor answers errors with HTTP 200 by default (PROFILES_ERROR_HTTP_STATUS), so 200 carries either. */
const ProfileOrErrorSchema = z.union([ProfileResponseSchema, ImiconnectErrorBodySchema]);

const c = initContract();
const metadata = apiKeyRoute(...PROFILE_KEY_HEADERS);

export const profilesContract = c.router(
  {
    getCustomerProfile: {
      method: "GET",
      path: "/resources/v1/customerprofile/:customerid",
      summary: "The profile of one customer",
      pathParams: z.object({ customerid: CustomerRefSchema }),
      query: z.object({ showinwardlinks: ShowInwardLinksSchema }),
      responses: { 200: ProfileOrErrorSchema, ...errorResponses(ImiconnectErrorBodySchema, [400, 401, 404, 429, 500, 503, 504]) },
      metadata,
    },
    getCustomerProfiles: {
      method: "GET",
      path: "/resources/v1/customerprofile",
      summary: `The profiles of several customers (repeat customerId, at most ${MAX_CUSTOMER_IDS_PER_REQUEST})`,
      query: z.object({
        customerId: z
          .union([CustomerRefSchema, z.array(CustomerRefSchema)])
          .transform((ids) => (Array.isArray(ids) ? ids : [ids])),
        showinwardlinks: ShowInwardLinksSchema,
      }),
      responses: { 200: ProfileOrErrorSchema, ...errorResponses(ImiconnectErrorBodySchema, [400, 401, 429, 500, 503, 504]) },
      metadata,
    },
  },
  { strictStatusCodes: true },
);
