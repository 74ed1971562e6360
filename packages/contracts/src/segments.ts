import { CitibanamexErrorBodySchema } from "@insights/errors";
import { initContract } from "@ts-rest/core";
import { z } from "zod";
import { errorResponses } from "./error-responses.js";
import { bearerRouteWithHeaders } from "./policy.js";

/**
 * Citibanamex customer segment retrieval (seed 001, API "CSMT-CRD-D-CstSegDtl" 1.0.0) and the
 * key exchange its `sid` header refers to. Served at the documented paths and under the base
 * path `/api`.
 */

export const SEGMENTS_SCOPE = "segments:read";

/** Header names as documented, by the lower-case name Express gives them. */
export const segmentsHeaderNames = {
  client_id: "client_id",
  authorization: "Authorization",
  accept: "Accept",
  uuid: "uuid",
  "accept-language": "Accept-Language",
  "content-type": "Content-Type",
  countrycode: "countryCode",
  businesscode: "businessCode",
  channelid: "ChannelId",
  sid: "sid",
} as const;

const acceptsJson = (value: string) =>
  value.split(",").some((part) => /^\s*(application\/json|application\/\*|\*\/\*)\s*(;|$)/i.test(part));

const UuidSchema = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "must be a UUID");
const CodeSchema = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, "must be 1 to 32 letters, digits, '-' or '_'");

/** Headers every call of the family sends (Authorization is checked by the route's policy). */
const CommonHeadersSchema = z.object({
  client_id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "must be the client id issued at registration"),
  accept: z.string().max(1024).refine(acceptsJson, "must accept application/json"),
  uuid: UuidSchema,
  "accept-language": z.string().max(256).optional(),
  sid: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, "must be a session id from the key exchange").optional(),
});

export const SegmentHeadersSchema = CommonHeadersSchema.extend({
  "content-type": z.string().regex(/^application\/json\s*(;|$)/i, "must be application/json"),
  countrycode: z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166 alpha-2 country code"),
  businesscode: CodeSchema,
  channelid: CodeSchema,
});

export const SegmentRequestSchema = z
  .object({
    customerId: z.string().max(12).regex(/^[0-9]*$/, "digits only").optional(),
    cardNumber: z.string().max(16).regex(/^[0-9]*$/, "digits only").optional(),
  })
  .strict()
  .refine((body) => Boolean(body.customerId) || Boolean(body.cardNumber), {
    message: "customerId or cardNumber is required",
    path: ["customerId"],
  });
export type SegmentRequest = z.infer<typeof SegmentRequestSchema>;

export const CustomerSchema = z.object({
  fullName: z.string(),
  customerSegment: z.string(),
  birthdayTodayFlag: z.boolean(),
});
export const SegmentResponseSchema = z.object({ customer: CustomerSchema });
export type SegmentResponse = z.infer<typeof SegmentResponseSchema>;

/** The session's RSA public key, hex-encoded (big-endian). */
export const E2ePublicKeySchema = z.object({
  modulus: z.string().regex(/^[0-9a-f]+$/),
  exponent: z.string().regex(/^[0-9a-f]+$/),
  expiresAt: z.string().datetime(),
});
export type E2ePublicKey = z.infer<typeof E2ePublicKeySchema>;

const errors = errorResponses(CitibanamexErrorBodySchema, [400, 401, 403, 404, 422, 429, 500]);

const metadata = bearerRouteWithHeaders(segmentsHeaderNames, SEGMENTS_SCOPE);

const retrieveSegment = {
  method: "POST",
  summary: "Retrieve the customer segment and birthday flag",
  description:
    "To retrieve the customer segment information for a customer: customer segment and birthday flag indicator, used by channels to prioritize attention to the customer according to the segment.",
  headers: SegmentHeadersSchema,
  body: SegmentRequestSchema,
  responses: { 200: SegmentResponseSchema, ...errors },
  metadata,
} as const;

const retrievePublicKey = {
  method: "GET",
  summary: "Key exchange: create (or repeat) an end-to-end session",
  description:
    "Creates a session and returns its RSA public key with the session id in the `sid` response header. Sending a live `sid` returns that session's key again.",
  headers: CommonHeadersSchema,
  responses: { 200: E2ePublicKeySchema, ...errors },
  metadata,
} as const;

const c = initContract();

export const segmentsContract = c.router(
  {
    retrieveSegment: { ...retrieveSegment, path: "/v1/customers/segments/retrieve" },
    retrieveSegmentApi: { ...retrieveSegment, path: "/api/v1/customers/segments/retrieve" },
    retrievePublicKey: { ...retrievePublicKey, path: "/v1/x-global/security/e2e-gateway/public-key/retrieve" },
    retrievePublicKeyApi: { ...retrievePublicKey, path: "/api/v1/x-global/security/e2e-gateway/public-key/retrieve" },
  },
  { strictStatusCodes: true },
);
