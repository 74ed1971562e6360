import { CamaraErrorBodySchema } from "@insights/errors";
import { initContract } from "@ts-rest/core";
import { z } from "zod";
import { errorResponses } from "./error-responses.js";
import { bearerRoute } from "./policy.js";
import { MAX_ID_DOCUMENT_LENGTH } from "./records/identifiers.js";
import { PhoneNumberSchema } from "./records/phone-number.js";
import { ScoringTypeSchema } from "./records/scoring.js";

/**
 * CAMARA Customer Insights v0.2.0 — scoring (seed 000, reference camara/customer-insights-v0.2.0.yaml).
 * Served at the seed's path and at the official one; both share one route definition.
 */

export const SCORING_SCOPE = "customer-insights:scoring:read";

/** Correlation id (CAMARA Commonalities). */
/** CAMARA's XCorrelator: a value that breaks it is refused (400) and never echoed. */
export const X_CORRELATOR_PATTERN = /^[a-zA-Z0-9-_:;./<>{}]{0,256}$/;
export const XCorrelatorSchema = z.string().regex(X_CORRELATOR_PATTERN, "must match ^[a-zA-Z0-9-_:;.\\/<>{}]{0,256}$");

export const ScoringRequestSchema = z
  .object({
    // CAMARA sets no format; ours bounds its length (the value is only ever compared by keyed hash).
    idDocument: z.string().max(MAX_ID_DOCUMENT_LENGTH, `must be at most ${MAX_ID_DOCUMENT_LENGTH} characters`).optional(),
    phoneNumber: PhoneNumberSchema.optional(),
    scoringType: ScoringTypeSchema.optional(),
  })
  .strict();
export type ScoringRequest = z.infer<typeof ScoringRequestSchema>;

export const ScoringResponseSchema = z.object({
  scoringType: ScoringTypeSchema,
  scoringValue: z.number().int(),
});
export type ScoringResponse = z.infer<typeof ScoringResponseSchema>;

const c = initContract();

const retrieveScoring = {
  method: "POST",
  summary: "Retrieves Scoring information",
  description:
    "Retrieves Scoring information, for the user associated with the provided idDocument, phoneNumber or the combination of both parameters. It also allows to select the type of the Scoring scale measurement.",
  headers: z.object({ "x-correlator": XCorrelatorSchema.optional() }),
  body: ScoringRequestSchema,
  // Exactly the statuses of the official v0.2.0 document.
  responses: { 200: ScoringResponseSchema, ...errorResponses(CamaraErrorBodySchema, [400, 401, 403, 404, 422, 429]) },
  metadata: bearerRoute(SCORING_SCOPE),
} as const;

export const scoringContract = c.router(
  {
    /** The seed's path (a CAMARA SDK under a `/camara` base). */
    retrieveScoring: { ...retrieveScoring, path: "/camara/customerinsights/scoring/retrieve" },
    /** The official v0.2 path. */
    retrieveScoringV02: { ...retrieveScoring, path: "/customer-insights/v0.2/scoring/retrieve" },
  },
  { strictStatusCodes: true },
);
