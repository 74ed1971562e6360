import type { ScoringResponse } from "@insights/contracts/scoring";
import { AppError, isAppError } from "@insights/errors";
import type { ScoringLookup, ScoringLookupRequest, Store } from "@insights/store";
import type { ScoringConfig } from "../../config.js";
import { unknownTo, type SectionProvider } from "../../mobile/sections.js";
import type { UpstreamAsk } from "../../mobile/upstream-sections.js";
import { retrieveScoring } from "./scoring-rules.js";

/**
 * The score section's reading of one scale's CAMARA error, wherever the score came from: no score
 * on the scale leaves it out (undefined); an ineligible line fails the section as such; anything
 * else fails it as it is.
 */
function scaleWithoutScore(error: unknown): undefined {
  if (isAppError(error) && error.vendorCode === "NOT_FOUND") return undefined;
  if (isAppError(error) && error.vendorCode === "SERVICE_NOT_APPLICABLE") {
    throw new AppError("unprocessable", { detail: "The customer's line is not eligible for scoring." });
  }
  throw error;
}

/** The customer's score on each offered scale, by the phone number the store holds, from the same rules the vendor route applies. */
export function localScoreSection(store: Store, scoring: ScoringConfig): SectionProvider<"score"> {
  // The customer is already identified by the BFF's own id: the operator's idDocument rule for
  // CAMARA callers does not apply, and every offered scale is asked for.
  const overviewScoring: ScoringConfig = { ...scoring, idDocument: "optional" };
  return async (customer, { orgId }) => {
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
  };
}

/** The same section asked of the vendor, one call per offered scale. */
export function upstreamScoreSection(ask: UpstreamAsk, scoring: ScoringConfig): SectionProvider<"score"> {
  return async (customer, context) => {
    const phoneNumber = customer.phone;
    if (phoneNumber === undefined) throw unknownTo("the scoring service");
    const scores = await Promise.all(
      scoring.scales.map((scoringType) =>
        ask<ScoringResponse>("The scoring service", "retrieveScoring", { body: { phoneNumber, scoringType } }, context).catch(scaleWithoutScore),
      ),
    );
    return { scores: scores.filter((s) => s !== undefined) };
  };
}
