import type { ScoringRequest, ScoringResponse } from "@insights/contracts/scoring";
import { camaraCodes } from "@insights/errors";
import type { ScoringLookup, ScoringLookupRequest } from "@insights/store";
import type { TokenCaller } from "../../platform/auth/caller.js";
import type { ScoringConfig } from "../../config.js";

/** Whom a scoring request is for: the caller's organisation, and the subscriber a 3-legged token is bound to. */
export type ScoringSubject = Pick<TokenCaller, "orgId" | "phoneNumber">;

/**
 * CAMARA Customer Insights scoring, in the documented order once auth and syntax have passed:
 *  1. identifier rules that need no look-up: UNNECESSARY_IDENTIFIER, MISSING_IDENTIFIER,
 *     then the operator's idDocument mode (ID_DOCUMENT_NOT_SUPPORTED / ID_DOCUMENT_REQUIRED);
 *  2. look-up in the caller's organisation: IDENTIFIER_NOT_FOUND (phone), NOT_FOUND (document);
 *  3. business rules: INVALID_IDENTIFIERS, SERVICE_NOT_APPLICABLE, SCALE_TYPE_NOT_SUPPORTED;
 *  4. the score (a subject with no score on that scale: NOT_FOUND).
 */
export async function retrieveScoring(
  caller: ScoringSubject,
  request: ScoringRequest,
  config: ScoringConfig,
  lookup: (request: ScoringLookupRequest) => Promise<ScoringLookup>,
): Promise<ScoringResponse> {
  const threeLegged = caller.phoneNumber !== undefined;
  // A 3-legged token already names the subscriber: a phoneNumber in the body is refused, never compared.
  if (threeLegged && request.phoneNumber !== undefined) throw camaraCodes.error("UNNECESSARY_IDENTIFIER");
  const phoneNumber = caller.phoneNumber ?? request.phoneNumber;
  if (phoneNumber === undefined) throw camaraCodes.error("MISSING_IDENTIFIER");

  if (request.idDocument !== undefined && config.idDocument === "unsupported") throw camaraCodes.error("CUSTOMER_INSIGHTS.ID_DOCUMENT_NOT_SUPPORTED");
  if (request.idDocument === undefined && config.idDocument === "required") throw camaraCodes.error("CUSTOMER_INSIGHTS.ID_DOCUMENT_REQUIRED");

  const scale = request.scoringType ?? config.defaultScale;
  const found = await lookup({ orgId: caller.orgId, phoneNumber, idDocument: request.idDocument, scale });
  if (found.phoneCustomerId === undefined) throw camaraCodes.error("IDENTIFIER_NOT_FOUND");
  if (request.idDocument !== undefined) {
    if (found.documentCustomerId === undefined) throw camaraCodes.error("NOT_FOUND");
    if (found.documentCustomerId !== found.phoneCustomerId) throw camaraCodes.error("CUSTOMER_INSIGHTS.INVALID_IDENTIFIERS");
  }
  if (found.lineType !== "consumer") throw camaraCodes.error("SERVICE_NOT_APPLICABLE");
  if (!config.scales.includes(scale)) throw camaraCodes.error("CUSTOMER_INSIGHTS.SCALE_TYPE_NOT_SUPPORTED");
  if (found.score === undefined) throw camaraCodes.error("NOT_FOUND", { detail: `no ${scale} score for this subscriber` });
  return { scoringType: scale, scoringValue: found.score };
}
